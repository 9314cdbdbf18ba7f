package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A command's RUN may be the start of one run's id, as git takes an abbreviated commit; an ambiguous start is refused. */
class RunIdPrefixTest {
    @TempDir
    Path tmp;

    @Test
    void theStartOfOneRunsIdNamesItAndAStartSharedByTwoIsRefusedWithBoth() {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: echo hello}\n");
        String first = runId(swarm("run", spec.toString(), "--plain", "--state-dir", state));
        String second = runId(swarm("run", spec.toString(), "--plain", "--state-dir", state));
        int common = 0;
        while (first.charAt(common) == second.charAt(common)) common++;
        String shared = first.substring(0, common); // both ids start with the date at least
        String own = first.substring(0, common + 1);
        assertThat(shared).matches("\\d{8}.*");

        Result status = swarm("status", own, "--state-dir", state);
        Result logs = swarm("logs", own, "a", "--stream", "stdout", "--state-dir", state);
        Result resume = swarm("resume", own, "--plain", "--state-dir", state);
        Result report = swarm("report", own, "--state-dir", state);
        Result clean = swarm("clean", own, "--state-dir", state);
        Result cancel = swarm("cancel", own, "--state-dir", state);
        Result ambiguous = swarm("status", shared, "--state-dir", state);
        Result none = swarm("logs", "19991231", "a", "--state-dir", state);

        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).startsWith("run " + first + " ");
        assertThat(logs.out()).as("%s", logs).isEqualTo("hello\n");
        assertThat(resume.out()).as("%s", resume).startsWith("run " + first + " has already succeeded; nothing to resume");
        assertThat(report.out()).as("%s", report).contains("/" + first + "/report.html");
        assertThat(clean.out()).as("%s", clean).isEqualTo("run " + first + " left no worktrees or branches\n");
        assertThat(cancel.err()).as("%s", cancel).startsWith("swarm: run " + first + " has already succeeded");
        assertThat(ambiguous.code()).as("%s", ambiguous).isEqualTo(2);
        assertThat(ambiguous.err()).isEqualTo("swarm: '" + shared + "' is the start of 2 runs' ids (" + second + ", " + first
                + ") in the state directory " + state + "; give more of the id (`swarm runs` lists them)\n");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("swarm: no run '19991231' in the state directory " + state + ";");
    }

    /** SQL's wildcards are plain characters in a RUN: {@code %} and {@code _} name no run (no run's id starts with them). */
    @Test
    void percentAndUnderscoreNameNoRun() {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: echo hello}\n");
        String id = runId(swarm("run", spec.toString(), "--plain", "--state-dir", state));
        for (String wildcard : new String[]{"%", "_", id.substring(0, 4) + "%", id.substring(0, 4) + "_"}) {
            Result status = swarm("status", wildcard, "--state-dir", state);
            assertThat(status.code()).as("%s", status).isEqualTo(2);
            assertThat(status.err()).as("%s", status).startsWith("swarm: no run '" + wildcard + "' in the state directory " + state + ";");
        }
        assertThat(swarm("status", id.substring(0, 4), "--state-dir", state).out()).startsWith("run " + id + " ");
    }
}
