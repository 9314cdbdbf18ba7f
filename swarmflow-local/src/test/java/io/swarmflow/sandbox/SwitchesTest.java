package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/sandbox.md: {@code -Dswarm.launcher=jdk} asks for ProcessBuilder, {@code -Dswarm.cgroups=off} turns the cgroups off. */
class SwitchesTest {
    @TempDir
    Path tmp;

    @Test
    void theLauncherAndCgroupSwitchesDoWhatTheySay() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dswarm.launcher=jdk", "-Dswarm.cgroups=off",
                "-cp", System.getProperty("java.class.path"), SwitchesProbe.class.getName(), tmp.toString()))
                .redirectErrorStream(true).start();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(out).as(out).contains("launcher=ProcessBuilder (the system property swarm.launcher=jdk asks for ProcessBuilder)\n",
                "cgroups=false\n", "cgroupProblem=the system property swarm.cgroups=off turns it off\n", "exit=7\n");
        List<String> warnings = out.lines().filter(l -> l.startsWith("warning=")).toList();
        if (PidsCgroup.realUidIsRoot()) { // as root the process limit then holds nowhere: said once
            assertThat(warnings).as(out).singleElement().asString().contains("is not enforced", "swarm.cgroups=off");
        } else {
            assertThat(warnings).as(out).isEmpty();
        }
    }
}
