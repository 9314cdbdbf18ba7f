package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The longest script the spec loader accepts still fits in one argument of execve(2) once the launcher prefixes it. */
class ScriptLimitTest {
    /** Linux's MAX_ARG_STRLEN: 32 pages of 4 KiB, the terminating NUL included. */
    private static final int MAX_ARG_STRLEN = 128 * 1024;

    @Test
    void theLongestAcceptedScriptWithTheGraceTrapFitsInOneArgument() {
        String longest = "x".repeat(SpecLoader.MAX_SCRIPT_BYTES);
        String argument = LocalExecutor.command(longest).getLast();
        assertThat(argument).startsWith(LocalExecutor.GRACE_TRAP);
        assertThat(argument.getBytes(StandardCharsets.UTF_8).length + 1).isLessThanOrEqualTo(MAX_ARG_STRLEN);
    }
}
