package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm} started under a hard CPU-time limit (ulimit -Ht) below the tickets' default of 1 h, without
 * CAP_SYS_RESOURCE (an ordinary user, or root in a container without it): prlimit cannot raise the limit, so every
 * launch failed with "prlimit: failed to set the CPU resource limit: Operation not permitted". The tickets now run
 * under the hard limit, and swarm says so once.
 */
class InheritedHardLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void ticketsRunUnderALowerHardLimitOfSwarmItself() throws Exception {
        Path spec = Cli.write(tmp.resolve("limits.yaml"), """
                tickets:
                  - id: a
                    run: echo "cpu $(ulimit -Ht)"
                  - id: b
                    needs: [a]
                    run: echo "cpu $(ulimit -Ht)"
                """);
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        // as root, drop CAP_SYS_RESOURCE, which could raise the limit: the case of root in a container without it
        if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("setpriv", "--bounding-set=-sys_resource", "--"));
        cmd.addAll(List.of("prlimit", "--cpu=1800:1800", "--", java, "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName(),
                "run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("a | cpu 1800", "b | cpu 1800").doesNotContain("Operation not permitted");
        assertThat(out.split("cpu-time 3600 s -> 1800 s \\(ulimit -Ht\\)", -1)).as("warned once: %s", out).hasSize(2);
    }
}
