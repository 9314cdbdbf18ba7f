package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refusal of a PATH into a hidden state directory names the entry with each value it read with
 * <code>${{ env.NAME }}</code> (a secret of the run) as {@code ***}: run and validate print it to stderr, which CI logs keep.
 */
class PathRefusalMasksSecretsTest {
    @TempDir
    Path tmp;

    @Test
    void theRefusalShowsAnEnvironmentValueInThePathAsAMask() {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by surefire (pom.xml)").isNotBlank();
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("tools.yaml"), """
                tickets:
                  - id: a
                    run: tool
                    env: {PATH: "%s/${{ env.SWARM_TEST_SECRET }}/bin:/usr/bin"}
                """.formatted(state));

        Result validate = swarm("validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.err()).doesNotContain(secret);
        assertThat(validate.out()).doesNotContain(secret);
        if (!io.swarmflow.sandbox.Bubblewrap.probe().usable()) {
            // without bubblewrap the sandbox hides nothing (docs/sandbox.md), so nothing is refused
            assertThat(validate.code()).as("%s", validate).isZero();
            return;
        }
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.err()).contains("its PATH names " + state + "/***/bin, inside the state directory " + state);

        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).contains("its PATH names " + state + "/***/bin, inside the state directory " + state)
                .doesNotContain(secret);
        assertThat(run.out()).doesNotContain(secret);
        assertThat(state).doesNotExist();
    }
}
