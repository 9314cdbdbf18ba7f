package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.spec.SpecLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The longest script the spec loader accepts still fits in one environment string of execve(2), the way the launcher
 * passes it ({@link LocalExecutor#SCRIPT_VARIABLE}), and the shell's own argument stays small.
 */
class ScriptLimitTest {
    /** Linux's MAX_ARG_STRLEN, for each argument and each NAME=value string: 32 pages of 4 KiB, the terminating NUL included. */
    private static final int MAX_ARG_STRLEN = 128 * 1024;

    @Test
    void theLongestAcceptedScriptFitsInOneEnvironmentString() {
        String longest = "x".repeat(SpecLoader.MAX_SCRIPT_BYTES);
        String variable = LocalExecutor.SCRIPT_VARIABLE + "=" + longest;
        assertThat(variable.getBytes(StandardCharsets.UTF_8).length + 1).isLessThanOrEqualTo(MAX_ARG_STRLEN);
        String argument = LocalExecutor.command().getLast();
        assertThat(argument).startsWith(LocalExecutor.GRACE_TRAP).hasSizeLessThan(1024);
    }
}
