package io.swarmflow.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunEngine.Trigger}, behind {@code AttemptControl.onCancel} and {@code onKill}: an action registered as the attempt
 * is cancelled runs once, neither twice (by the canceller and the registrant) nor never.
 */
class TriggerTest {
    /** Most trials of one registration racing one fire; the old Control lost the race in about 1 trial of 100 here. */
    private static final int TRIALS = 20_000;

    private volatile int started;
    private volatile int registered;
    private volatile RunEngine.Trigger trigger;

    /**
     * Each trial, this thread fires a new trigger while another registers an action on it, both after a short random
     * spin (no sleeps: a barrier's wake-ups are microseconds apart, which the race never spans).
     */
    @Test
    void anActionRegisteredWhileTheTriggerFiresRunsExactlyOnce() {
        AtomicInteger runs = new AtomicInteger();
        Thread registrant = Thread.ofPlatform().daemon().start(() -> {
            SplittableRandom random = new SplittableRandom(1);
            for (int k = 1; k <= TRIALS; k++) {
                while (started < k) Thread.onSpinWait();
                if (started > k) return; // the test ended
                spin(random);
                trigger.onFire(runs::incrementAndGet);
                registered = k;
            }
        });
        SplittableRandom random = new SplittableRandom(2);
        List<String> wrong = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // a loaded machine runs fewer trials
        int k = 0;
        while (k < TRIALS && System.nanoTime() < deadline && wrong.size() < 10) {
            k++;
            trigger = new RunEngine.Trigger();
            runs.set(0);
            started = k;
            spin(random);
            trigger.fire();
            while (registered < k) {
                if (!registrant.isAlive()) throw new AssertionError("the registering thread ended at trial " + k);
                Thread.onSpinWait();
            }
            if (runs.get() != 1) wrong.add("trial " + k + ": the action ran " + runs.get() + " times");
        }
        started = Integer.MAX_VALUE;
        assertThat(wrong).isEmpty();
        assertThat(k).as("trials run").isGreaterThanOrEqualTo(2_000);
    }

    private static void spin(SplittableRandom random) {
        for (int s = random.nextInt(50); s > 0; s--) Thread.onSpinWait();
    }

    @Test
    void actionsRegisteredBeforeOrAfterTheTriggerFiresRunOnceEach() {
        RunEngine.Trigger trigger = new RunEngine.Trigger();
        AtomicInteger before = new AtomicInteger();
        AtomicInteger after = new AtomicInteger();
        trigger.onFire(before::incrementAndGet);
        assertThat(trigger.fired()).isFalse();
        assertThat(before).hasValue(0);

        trigger.fire();
        trigger.onFire(after::incrementAndGet);
        trigger.fire();
        assertThat(trigger.fired()).isTrue();
        assertThat(before).hasValue(1);
        assertThat(after).hasValue(1);
    }
}
