package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Where JNA cannot load its native part, process groups are still checked and stopped (by /proc and kill(1)), with one warning. */
class JnaFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void withoutJnaGroupsAreCheckedAndStoppedTheSlowWayAndTheUserIsWarnedOnce() throws Exception {
        String marker = "2000" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // JNA looks for its native library only where these point: nowhere that has it
        Process probe = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djna.nosys=true", "-Djna.nounpack=true", "-Djna.boot.library.path=" + tmp.resolve("none"),
                "-cp", System.getProperty("java.class.path"), JnaFallbackProbe.class.getName(), tmp.toString(), marker))
                .redirectErrorStream(true).start();
        assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(out).as(out).contains("available=false", "membersWhileRunning=true", "termination=TIMED_OUT", "membersAfter=false");
        assertThat(out.lines().filter(l -> l.startsWith("warning="))).as(out).singleElement().asString()
                .contains("JNA could not load").contains("jna.tmpdir");
        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(TestProcesses.withArgument(marker)).as("no sleep left").isZero();
    }
}
