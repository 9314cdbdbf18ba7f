package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm resume} refuses a run whose {@code PATH}, stored as it was when the run was created, now names a directory
 * inside a state directory the sandbox hides (docs/sandbox.md): exit 2, nothing stored. A stored run's {@code PATH}
 * comes to point into one when a directory it names has become a state directory since: here a {@code .swarm} made in
 * the spec's directory (by a swarm run there without {@code --state-dir}, say), hidden from every ticket from then on.
 * (The other way, an <code>${{ env.NAME }}</code> in the {@code PATH} read again with another value, needs a child
 * process with another environment: StatePaths reads swarm's environment at the preflight, FloorTest covers the rule.)
 */
class ResumePathRefusalTest {
    @TempDir
    Path tmp;

    @Test
    void aRunWhosePathNowNamesAHiddenStateDirectoryIsRefusedOnResumeAndNothingIsStored() throws Exception {
        Path state = tmp.resolve("state");
        Path project = Files.createDirectories(tmp.resolve("project"));
        Path tools = project.resolve(".swarm/tools/bin");
        Path spec = Cli.write(project.resolve("swarm.yaml"), """
                tickets:
                  - id: gate
                    approval: before-run
                    run: "true"
                    env: {PATH: "%s:/usr/bin:/bin"}
                """.formatted(tools));
        // created while project/.swarm does not exist: nothing to refuse; cancelled at its gate, the ticket still to run
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        assertThat(project.resolve(".swarm")).doesNotExist();

        Files.createDirectories(tools); // the spec's directory has a state directory now
        long events = CliEndToEndTest.eventCount(state, id);
        String before = ticket(swarm("status", id, "--json", "--state-dir", state.toString()).json(), "gate").get("state").asText();
        Result resumed = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());

        if (!io.swarmflow.sandbox.Bubblewrap.probe().usable()) {
            // without bubblewrap the sandbox hides nothing (docs/sandbox.md), so nothing is refused
            assertThat(resumed.code()).as("%s", resumed).isZero();
            return;
        }
        assertThat(resumed.code()).as("%s", resumed).isEqualTo(2);
        assertThat(resumed.err()).contains("run " + id + " cannot resume here:",
                "ticket gate: its PATH names " + tools + ", inside the state directory " + project.resolve(".swarm"),
                "nothing was changed");
        assertThat(CliEndToEndTest.eventCount(state, id)).as("nothing stored").isEqualTo(events);
        Result status = swarm("status", id, "--json", "--state-dir", state.toString());
        assertThat(ticket(status.json(), "gate").get("state").asText()).isEqualTo(before).isEqualTo("awaiting-approval");
        assertThat(tools).isEmptyDirectory();

        // the state directory gone again, the same resume runs the ticket
        Files.delete(tools);
        Files.delete(tools.getParent());
        Files.delete(project.resolve(".swarm"));
        Result again = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());
        assertThat(again.code()).as("%s", again).isZero();
        status = swarm("status", id, "--json", "--state-dir", state.toString());
        assertThat(ticket(status.json(), "gate").get("state").asText()).isEqualTo("succeeded");
    }
}
