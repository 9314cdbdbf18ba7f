package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where JNA cannot load, signals go through kill(1): the take-over's signal to a coordinator ({@link Kill#signalProcess},
 * refused when the identity check says no, ESRCH once the process is gone) and the one {@code kill} for several members
 * of a group ({@link ProcessGroups#signalGroupExcept}) are driven for real in a JVM without JNA.
 */
class KillCommandFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void withoutJnaTheTakeOversSignalAndTheMembersSignalGoThroughKillOne() throws Exception {
        String marker = "3000" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djna.nosys=true", "-Djna.nounpack=true", "-Djna.boot.library.path=" + tmp.resolve("none"),
                "-cp", System.getProperty("java.class.path"), KillCommandFallbackProbe.class.getName(), marker))
                .redirectErrorStream(true).start();
        String out;
        try {
            assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
            out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            probe.destroyForcibly();
        }

        assertThat(out).as(out).contains("available=false", "refused=" + Kill.ESRCH, "aliveAfterRefused=true", "sent=0",
                "endedAfterSent=true", "gone=" + Kill.ESRCH, "groupSignalled=true", "sleepsEnded=true", "shellEnded=true");
        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(TestProcesses.withArgument(marker)).as("no sleep left").isZero();
    }
}
