package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A coordinator one of whose appends failed has its later appends refused by the store
 * ({@link StoreException.EarlierAppendFailed}); the refusal is not a takeover, and what the coordinator ends with is the
 * first failure, which says what went wrong. It used to end with the refusal, as a {@link StoreException.Fenced}, which
 * {@code swarm run} said as "another coordinator took the run over" (exit 2), not as a full disk (exit 4, resume).
 */
class EarlierAppendFailedTest {
    @TempDir
    Path stateDir;

    /** Armed on the thread of the append to fail: the store's clock, read inside its append, fails there once. */
    private static final ThreadLocal<Boolean> FAIL_NEXT_READ = ThreadLocal.withInitial(() -> false);

    private static final StoreException.Unavailable DISK_FULL =
            new StoreException.Unavailable("could not write to the store: No space left on device", null);

    /** An in-memory store whose append of {@code a}'s end fails (inside the store: it poisons the coordinator), once. */
    private static RunStore failingOnceAtTheAttemptsEnd(InMemoryRunStore[] store) {
        store[0] = new InMemoryRunStore(() -> {
            if (FAIL_NEXT_READ.get()) {
                FAIL_NEXT_READ.set(false);
                throw DISK_FULL;
            }
            return System.currentTimeMillis();
        });
        boolean[] failed = {false};
        return (RunStore) java.lang.reflect.Proxy.newProxyInstance(EarlierAppendFailedTest.class.getClassLoader(),
                new Class<?>[]{RunStore.class}, (proxy, method, args) -> {
                    boolean arm = method.getName().equals("appendRecorded") && !failed[0] && ((List<?>) args[2]).stream()
                            .anyMatch(e -> e instanceof RunEvent.AttemptFinished);
                    if (arm) {
                        failed[0] = true;
                        FAIL_NEXT_READ.set(true);
                    }
                    try {
                        return method.invoke(store[0], args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (arm) FAIL_NEXT_READ.set(false);
                    }
                });
    }

    @Test
    void theStoreRefusesTheLaterAppendWithTheFirstFailureAsItsCauseNotAsATakeover() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, "host:1", 60_000);
        Throwable first = catchThrowable(() -> store.append(run, epoch, List.of(new RunEvent.TicketReady("nope"))).get(30, TimeUnit.SECONDS));
        assertThat(first).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreException.class);

        CompletableFuture<Long> later = store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
        Throwable refused = catchThrowable(() -> later.get(30, TimeUnit.SECONDS)).getCause();
        assertThat(refused).isInstanceOf(StoreException.EarlierAppendFailed.class).isNotInstanceOf(StoreException.Fenced.class)
                .hasMessage("run " + run + ": an earlier append of this coordinator (epoch " + epoch
                        + ") failed, so its later appends are refused; resume the run to continue")
                .hasCause(first.getCause());
        assertThat(((StoreException.EarlierAppendFailed) refused).runId()).isEqualTo(run);
        assertThat(((StoreException.EarlierAppendFailed) refused).firstFailure()).isSameAs(first.getCause());
    }

    /**
     * The append of the attempt's end fails (a full disk); the run's end, appended right after before the scheduler
     * handled that failure, is refused: the coordinator ends with the full disk, not with the refusal.
     */
    @Test
    void aCoordinatorWhoseAppendFailedEndsWithThatFailureNotWithTheRefusalOfALaterOne() throws Exception {
        InMemoryRunStore[] store = new InMemoryRunStore[1];
        RunStore failing = failingOnceAtTheAttemptsEnd(store);
        RunService service = new RunService(failing, ScriptedExecutor.allSucceed());
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(60_000, 30_000).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).build();

        Throwable thrown = catchThrowable(() -> service.engine(run, options, RunListener.NONE).execute());

        assertThat(thrown).isSameAs(DISK_FULL);
        assertThat(store[0].run(run).orElseThrow().state()).isNotEqualTo(RunState.SUCCEEDED);
    }
}
