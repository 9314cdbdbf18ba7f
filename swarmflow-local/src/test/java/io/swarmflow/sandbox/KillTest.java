package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** kill(2) and the pinned kill through a pidfd, on real processes. */
class KillTest {
    @Test
    void aPinnedKillSignalsOnlyWhenTheCheckAfterPinningSaysSo() throws Exception {
        assumeTrue(Kill.available(), Kill::problem);
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            AtomicBoolean checked = new AtomicBoolean();
            int refused = Kill.killPinned(sleeper.pid(), Kill.number("KILL"), () -> {
                checked.set(true);
                return false;
            });
            assertThat(checked).isTrue();
            assertThat(refused).isEqualTo(Kill.ESRCH);
            assertThat(sleeper.waitFor(200, TimeUnit.MILLISECONDS)).as("not signalled").isFalse();

            assertThat(Kill.killPinned(sleeper.pid(), Kill.number("KILL"), () -> true)).isZero();
            assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(128 + 9);
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aPinnedKillOfAProcessThatIsGoneIsEsrchWithoutAsking() throws Exception {
        assumeTrue(Kill.available(), Kill::problem);
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        AtomicBoolean checked = new AtomicBoolean();
        assertThat(Kill.killPinned(done.pid(), Kill.number("KILL"), () -> {
            checked.set(true);
            return true;
        })).isEqualTo(Kill.ESRCH);
        assertThat(checked).as("no process to check").isFalse();
    }

    @Test
    void stopAndContHaveTheirArchitecturesNumbers() {
        for (String arch : new String[]{"amd64", "x86_64", "aarch64", "arm", "riscv64", "ppc64le", "s390x", "loongarch64"}) {
            assertThat(Kill.signals(arch)).as(arch).containsEntry("STOP", 19).containsEntry("CONT", 18);
        }
        for (String arch : new String[]{"sparcv9", "sparc", "alpha"}) {
            assertThat(Kill.signals(arch)).as(arch).containsEntry("STOP", 17).containsEntry("CONT", 19);
        }
        for (String arch : new String[]{"mips", "mipsel", "mips64", "mips64el"}) {
            assertThat(Kill.signals(arch)).as(arch).containsEntry("STOP", 23).containsEntry("CONT", 25);
        }
        assertThat(Kill.signals("parisc")).containsEntry("STOP", 24).containsEntry("CONT", 26);
        for (String arch : new String[]{"amd64", "mips64el", "sparcv9", "alpha", "parisc"}) {
            assertThat(Kill.signals(arch)).as(arch).containsEntry("HUP", 1).containsEntry("INT", 2).containsEntry("KILL", 9)
                    .containsEntry("TERM", 15).hasSize(6);
        }
    }

    @Test
    void theNumbersUsedHereAreThisPlatformsAsKillListsThem() throws Exception {
        for (String name : new String[]{"HUP", "INT", "KILL", "TERM", "STOP", "CONT"}) {
            Process p = new ProcessBuilder("kill", "-l", name).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Kill.number(name)).as("kill -l %s said %s", name, said).isEqualTo(Integer.parseInt(said));
        }
    }
}
