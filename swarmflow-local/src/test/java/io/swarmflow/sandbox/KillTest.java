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
}
