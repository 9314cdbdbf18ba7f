package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm resume --auto-approve} approves the gates no one decided; a decision a person recorded meanwhile stands. */
class AutoApproveDecisionTest {
    @TempDir
    Path tmp;

    @Test
    void aRejectionRecordedWhileTheRunWasStoppedIsNotOverriddenByAutoApproveOnResume() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gates.yaml"), """
                tickets:
                  - id: rejected
                    approval: before-run
                    run: touch "$SWARM_SCRATCH/rejected-ran"
                  - id: undecided
                    approval: before-run
                    run: "true"
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "rejected", "awaiting-approval");
        CliEndToEndTest.awaitTicket(state, id, "undecided", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        Result rejected = swarm("reject", id, "rejected", "--reason", "not this one", "--state-dir", state.toString());
        assertThat(rejected.code()).as("%s", rejected).isZero();

        Result resumed = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());

        assertThat(resumed.code()).as("%s", resumed).isEqualTo(1);
        JsonNode status = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(ticket(status, "rejected").get("state").asText()).isEqualTo("failed");
        assertThat(ticket(status, "rejected").get("reason").asText()).contains("not this one");
        assertThat(ticket(status, "undecided").get("state").asText()).isEqualTo("succeeded");
        assertThat(state.resolve("runs").resolve(id).resolve("scratch").resolve("rejected-ran")).doesNotExist();
    }

    /** The help said "Approve every approval gate", which the rejection above shows it does not. */
    @Test
    void theHelpOfAutoApproveSaysADecisionAlreadyRecordedStands() {
        for (String command : java.util.List.of("run", "resume")) {
            Result help = swarm(command, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out().replaceAll("\\s+", " ")).as("%s", help).contains("--auto-approve Approve every approval gate without "
                    + "asking (unattended runs), except one with a decision already recorded (`swarm approve` or `swarm reject` "
                    + "before a resume), which stands.");
        }
    }
}
