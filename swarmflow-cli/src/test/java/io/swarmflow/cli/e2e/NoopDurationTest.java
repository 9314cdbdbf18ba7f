package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** docs/spec.md: a ticket's {@code duration} overrides its noop profile's, a duration of 0 included. */
class NoopDurationTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketsZeroDurationOverridesItsProfilesDuration() {
        Path spec = Cli.write(tmp.resolve("nap.yaml"), """
                agents:
                  nap: {kind: noop, duration: 1h}
                tickets:
                  - id: instant
                    agent: nap
                    duration: 0s
                    timeout: 5s
                """);

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("✓ instant succeeded").doesNotContain("timed out");
    }
}
