package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The escapee rounds after the grace could add up to 16 s at an attempt's end (8 rounds, each waiting up to 2 s for
 * what it KILLed); they now end within the grace plus {@link Escapees#AFTER_GRACE_MILLIS}. A fake host: every process
 * ignores every signal (an uninterruptible sleep) and every scan finds one more (a fork loop), on a fake clock that
 * moves only when the code sleeps.
 */
class EscapeesDeadlineTest {
    /** A host whose processes never end and whose every scan finds a new one besides them. */
    private static class Stubborn implements Escapees.Host {
        long now = 1_000_000_000L;
        final List<Escapees.Found> alive = new ArrayList<>();
        final List<String> signals = new ArrayList<>();

        @Override
        public List<Escapees.Found> scan() {
            alive.add(new Escapees.Found(1000 + alive.size(), 1, "loop"));
            return List.copyOf(alive);
        }

        @Override
        public void signal(Escapees.Found f, String signal) {
            signals.add(signal + " " + f.pid());
        }

        @Override
        public boolean running(Escapees.Found f) {
            return true;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(long millis) {
            now += TimeUnit.MILLISECONDS.toNanos(millis);
        }
    }

    @Test
    void theRoundsEndWithinTheGracePlusTheDocumentedBoundAndNameWhatStillRuns() throws Exception {
        for (long grace : new long[] {0, 5_000}) {
            Stubborn host = new Stubborn();
            long start = host.now;

            Escapees.Ended ended = Escapees.endAll(host, grace, Escapees.ROUNDS);

            long tookMillis = TimeUnit.NANOSECONDS.toMillis(host.now - start);
            // on the fake clock: the bound itself, plus at most one poll past it
            assertThat(tookMillis).as("grace %d ms", grace).isLessThanOrEqualTo(grace + Escapees.AFTER_GRACE_MILLIS + 20);
            assertThat(ended.left()).as("what still runs is named").isNotEmpty();
            assertThat(host.signals).contains("TERM 1000", "KILL 1000", "STOP 1001", "KILL 1001");
        }
    }

    @Test
    void processesThatEndAreNotWaitedFor() throws Exception {
        Stubborn host = new Stubborn() {
            @Override
            public boolean running(Escapees.Found f) {
                return false;
            }

            @Override
            public List<Escapees.Found> scan() {
                if (!alive.isEmpty()) return List.of();
                alive.add(new Escapees.Found(7, 1, "one"));
                return List.copyOf(alive);
            }
        };
        long start = host.now;
        Escapees.Ended ended = Escapees.endAll(host, 5_000, Escapees.ROUNDS);
        assertThat(host.now).isEqualTo(start);
        assertThat(ended.ended()).extracting(Escapees.Found::pid).containsExactly(7L);
        assertThat(ended.left()).isEmpty();
    }

    /**
     * Processes first found at the attempt's end, when its grace is used up, get a grace of their own (bounded) before
     * their KILL, not a KILL right after their TERM; the whole stays within the documented bound.
     */
    @Test
    void theFirstScansProcessesGetAGraceOfTheirOwnWithinTheBound() throws Exception {
        for (long own : new long[] {0, 1_000, 60_000}) {
            Stubborn host = new Stubborn() {
                @Override
                public List<Escapees.Found> scan() {
                    if (!alive.isEmpty()) return List.of();
                    alive.add(new Escapees.Found(7, 1, "trap's cleanup"));
                    return List.copyOf(alive);
                }
            };
            long start = host.now;
            long[] killedAt = {-1};
            Escapees.Host timed = new Escapees.Host() {
                public List<Escapees.Found> scan() { return host.scan(); }
                public void signal(Escapees.Found f, String signal) {
                    if (signal.equals("KILL") && killedAt[0] < 0) killedAt[0] = host.now;
                    host.signal(f, signal);
                }
                public boolean running(Escapees.Found f) { return killedAt[0] < 0; }
                public long nanoTime() { return host.nanoTime(); }
                public void sleep(long millis) { host.sleep(millis); }
            };

            Escapees.endAll(timed, 0, own, Escapees.ROUNDS);

            long graceMillis = TimeUnit.NANOSECONDS.toMillis(killedAt[0] - start);
            long expected = Math.min(own, Escapees.OWN_GRACE_MAX_MILLIS);
            assertThat(graceMillis).as("own grace %d ms", own).isBetween(expected, expected + 20);
            assertThat(TimeUnit.NANOSECONDS.toMillis(host.now - start)).isLessThanOrEqualTo(Escapees.AFTER_GRACE_MILLIS + 20);
            assertThat(host.signals).startsWith("TERM 7");
        }
    }
}
