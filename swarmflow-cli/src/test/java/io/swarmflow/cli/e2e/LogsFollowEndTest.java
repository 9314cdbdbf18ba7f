package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm logs RUN TICKET --follow} as a watcher: it ended with exit 0 and nothing on stderr when the attempt it
 * followed failed, while the run said "✗ w FAILED: exited with code 7". It now says how the attempt ended.
 */
class LogsFollowEndTest {
    @TempDir
    Path tmp;

    @Test
    void followSaysOnStderrHowAFailedAttemptEnded() {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("lf.yaml"), """
                tickets:
                  - id: w
                    run: echo bye; exit 7
                  - id: ok
                    run: echo fine
                """);
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        String id = runId(run);

        Result followed = swarm("logs", id, "w", "--follow", "--state-dir", st);
        assertThat(followed.code()).as("the exit code says the output was printed, as docs/cli.md says").isZero();
        assertThat(followed.out()).isEqualTo("bye\n");
        assertThat(followed.err()).as("%s", followed).isEqualTo("swarm: w attempt 1 failed: exited with code 7\n");

        // without --follow, the output alone, as before; a succeeded attempt followed says nothing more
        assertThat(swarm("logs", id, "w", "--state-dir", st).err()).isEmpty();
        Result fine = swarm("logs", id, "ok", "--follow", "--state-dir", st);
        assertThat(fine.out()).isEqualTo("fine\n");
        assertThat(fine.err()).isEmpty();
    }
}
