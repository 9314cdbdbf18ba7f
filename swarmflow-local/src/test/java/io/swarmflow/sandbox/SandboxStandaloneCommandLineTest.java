package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D3 F1: the benchmarks (B3's xargs baseline, HiddenStateDirs) run a sandbox argv with {@link ProcessBuilder};
 * {@link Sandbox#commandLine}'s needs the files on descriptors 3 ({@code --args 3}) and 4 ({@code --seccomp 4}) that only
 * {@link Sandbox#start} hands over, so bubblewrap failed ("Can't read seccomp data: Bad file descriptor").
 * {@link Sandbox#standaloneCommandLine} runs on its own: the same sandbox, the environment on the command line.
 */
class SandboxStandaloneCommandLineTest {
    @TempDir
    Path tmp;

    @Test
    void theStandaloneArgvRunsUnderBubblewrapWithTheTicketsEnvironment() throws Exception {
        Bubblewrap.Status real = Bubblewrap.probe();
        assumeTrue(real.usable(), () -> "bubblewrap is not usable here: " + real.problem());
        SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).env("GREETING", "hello there").build();
        List<String> command = List.of("bash", "-c", "echo \"$GREETING|$HOME|$PWD\"; env | grep -c '^SWARM_TEST_OUTER=' || true");
        try (Sandbox sandbox = new Sandbox(real, w -> {})) {
            List<String> argv = sandbox.standaloneCommandLine(spec, command);
            assertThat(argv).doesNotContain("--seccomp", "--args")
                    .containsSubsequence(real.path(), "--clearenv", "--setenv", "GREETING", "hello there", "--", "-c");
            if (PosixSpawn.available()) assertThat(sandbox.commandLine(spec, command)).contains("--args");

            ProcessBuilder pb = new ProcessBuilder(argv).directory(tmp.toFile());
            pb.environment().put("SWARM_TEST_OUTER", "x"); // the caller's environment does not reach the ticket
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(err).isZero();
            assertThat(out).as(err).isEqualTo("hello there|" + Sandbox.SANDBOX_HOME + "|" + tmp.toRealPath() + "\n0\n");
        }
    }

    /** Without bubblewrap the argv needs no descriptor: the same as {@link Sandbox#commandLine}. */
    @Test
    void withoutBubblewrapItIsTheCommandLine() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).env("LD_PRELOAD", "./x.so").build();
            assertThat(sandbox.standaloneCommandLine(spec, List.of("true"))).isEqualTo(sandbox.commandLine(spec, List.of("true")));
        }
    }
}
