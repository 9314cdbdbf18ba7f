package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the console says when a run is cancelled while no attempt runs (it waits at a gate), and how it says to go on:
 * the end of {@code swarm run} once said "resume: swarm resume RUN", while {@code swarm status} and {@code swarm cancel}
 * say "`swarm resume RUN` continues it": one wording everywhere.
 */
class CancelNoticeTest {
    @TempDir
    Path tmp;

    @Test
    void aRunCancelledAtAGateSaysNoAttemptIsRunningAndHowToGoOnAsStatusDoes() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gate.yaml"), """
                tickets:
                  - id: gate
                    approval: before-run
                    run: "true"
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");

        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();

        assertThat(run.exit()).isEqualTo(130);
        assertThat(run.out().text()).contains("cancelling: no attempt is running").doesNotContain("stopping 0 running");

        String line = "\n  cancelled before it ended; `swarm resume " + id + "` continues it\n";
        assertThat(run.out().text()).contains("  logs:   swarm logs " + id + " TICKET" + line).doesNotContain("resume: ");
        assertThat(swarm("status", id, "--state-dir", state.toString()).out()).as("the same words").contains(line);
    }
}
