package io.swarmflow.engine;

import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recorded start of an attempt a resume launches is the time its own {@link RunEvent.AttemptStarted} was appended,
 * as on a fresh run: not a time read earlier in the resume's recovery (review R1, F2). The store's clock is the test's,
 * and moves only while the recovery looks for the dead coordinator's process.
 */
class ResumedAttemptStartTest {
    static final long PID = 1L << 30;
    /**
     * A dead process of this host: a pid no process has (pids are below 2^22), started in this boot (a coordinator of an
     * earlier boot is not looked for: {@link Owners#isOfThisBoot}).
     */
    static final String HERE_DEAD = Owners.hostName() + ":" + PID + "@" + System.currentTimeMillis() + "/1";
    static final long RECOVERY_MILLIS = 700;

    @TempDir
    Path stateDir;

    final AtomicLong clock = new AtomicLong(1_800_000_000_000L);
    final InMemoryRunStore store = new InMemoryRunStore(clock::get);

    @Test
    void aResumedAttemptStartsWhenItsStartIsAppendedNotWhenTheRecoveryBegan() throws Exception {
        ScriptedExecutor slowRecovery = new ScriptedExecutor((t, a) -> io.swarmflow.agent.AttemptResult.succeeded(java.util.Map.of())) {
            @Override
            public boolean killOrphan(AttemptView attempt) {
                clock.addAndGet(RECOVERY_MILLIS); // the recovery takes its time (a loaded machine, an orphan to stop)
                return super.killOrphan(attempt);
            }
        };
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, HERE_DEAD, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, HERE_DEAD, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1), new RunEvent.AttemptProcessStarted("a", 1, PID, 1, HERE_DEAD))).join();
        clock.addAndGet(10_000); // the dead coordinator's lease ran out
        long resumedAt = clock.get();

        RunEngine engine = new RunService(store, slowRecovery).engine(run, options(), new RunListener() {});

        assertThat(engine.execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(slowRecovery.orphansLookedFor).containsExactly("a#1");
        AttemptView second = store.attempts(run).stream().filter(a -> a.attempt() == 2).findFirst().orElseThrow();
        long appended = store.events(run, 0, 1000).stream()
                .filter(e -> e.event() instanceof RunEvent.AttemptStarted s && s.attempt() == 2)
                .mapToLong(StoredEvent::atEpochMillis).findFirst().orElseThrow();
        assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(second.startedAtMillis()).as("the time of its own AttemptStarted").isEqualTo(appended)
                .as("after the recovery, not when it began").isEqualTo(resumedAt + RECOVERY_MILLIS);
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
