package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Without posix_spawn ({@code -Dswarm.launcher=jdk}, or where it cannot be bound) no descriptor can be handed to
 * bubblewrap: tickets still run, without {@code --seccomp}, and the missing filter is warned about once.
 */
class SeccompWithoutPosixSpawnTest {
    @TempDir
    Path tmp;

    @Test
    void ticketsRunWithoutTheFilterAndOneWarningSaysSo() throws Exception {
        Bubblewrap.Status real = Bubblewrap.probe();
        assumeTrue(real.usable(), () -> "bubblewrap is not usable here: " + real.problem());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Dswarm.launcher=jdk",
                "-cp", System.getProperty("java.class.path"), SeccompWithoutPosixSpawnProbe.class.getName(), tmp.toString()))
                .redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("seccomp=false\n", "exit=7\nexit=7\n");
        List<String> warnings = out.lines().filter(l -> l.startsWith("warning=") && l.contains("seccomp")).toList();
        assertThat(warnings).as(out).singleElement().asString()
                .contains("without the seccomp filter", "add_key, request_key, keyctl", "swarm.launcher=jdk", "run swarm as an ordinary user");
    }
}
