package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of a cancelled {@code swarm run} said "resume: swarm resume RUN", while {@code swarm status} and
 * {@code swarm cancel} say "`swarm resume RUN` continues it": one wording everywhere.
 */
class RunEndResumeWordingTest {
    @TempDir
    Path tmp;

    @Test
    void theEndOfACancelledRunSaysHowToGoOnAsStatusDoes() throws Exception {
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

        String line = "\n  cancelled before it ended; `swarm resume " + id + "` continues it\n";
        assertThat(run.out().text()).contains("  logs:   swarm logs " + id + " TICKET" + line).doesNotContain("resume: ");
        assertThat(swarm("status", id, "--state-dir", state.toString()).out()).as("the same words").contains(line);
    }
}
