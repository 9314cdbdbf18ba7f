package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/** How a coordinator stopped by its store stops its attempts ({@code stopAllAttempts}). */
class EngineStopTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    /**
     * The store failure and an attempt's end reach the scheduler in one batch, the failure first: the attempt's end must
     * still count when the coordinator stops its attempts, or it waits for that attempt until the grace period and 5 s
     * more have passed (here ten minutes) though nothing runs any more.
     */
    @Test
    void anAttemptThatEndedBesideTheStoreFailureIsNotWaitedFor() throws Exception {
        Map<String, CountDownLatch> release = Map.of("a", new CountDownLatch(1), "b", new CountDownLatch(1));
        Map<String, Thread> threads = new ConcurrentHashMap<>();
        CountDownLatch bothRunning = new CountDownLatch(2);
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                threads.put(r.ticket().id(), Thread.currentThread());
                bothRunning.countDown();
                release.get(r.ticket().id()).await(); // not cancellable: it ends when the test says so
                return super.execute(r, c);
            }
        };
        CompletableFuture<io.swarmflow.store.Appended> failing = new CompletableFuture<>();
        AtomicBoolean holdPolls = new AtomicBoolean();
        CountDownLatch pollHeld = new CountDownLatch(1);
        CountDownLatch pollGoesOn = new CountDownLatch(1);
        RunStore through = (RunStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("appendRecorded") && ((List<?>) args[2]).stream()
                            .anyMatch(e -> e instanceof RunEvent.AttemptFinished f && f.ticketId().equals("a"))) {
                        holdPolls.set(true);
                        return failing; // fails when the test says so
                    }
                    if (method.getName().equals("pendingCommands") && holdPolls.get()) {
                        pollHeld.countDown();
                        pollGoesOn.await();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RunService service = new RunService(through, exec);
        String run = service.create(new TestPlans().ticket("a").ticket("b").build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(60_000, 30_000).commandPollMillis(10)
                .gracePeriodMillis(600_000).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, RunListener.NONE)::execute);
            bothRunning.await();
            release.get("a").countDown();
            pollHeld.await(); // the scheduler submitted a's end (not durable yet) and is reading commands

            failing.completeExceptionally(new StoreException.Unavailable("could not write: locked", null));
            release.get("b").countDown();
            threads.get("b").join(); // b's end is in the scheduler's inbox, after the failure
            pollGoesOn.countDown();

            // not a timing: without the fix this waits ten minutes
            Throwable thrown = catchThrowable(() -> result.get(2, TimeUnit.MINUTES));
            assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreException.Unavailable.class);
        } finally {
            release.values().forEach(CountDownLatch::countDown);
            pollGoesOn.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A store that records an attempt's start but says so late (a slow fsync), while the coordinator stops on an error of
     * the store: the attempt must not start once the coordinator stopped waiting for its attempts, or its process runs on
     * with nobody to stop it or record its end.
     */
    @Test
    void anAttemptWhoseStartIsDurableOnlyAfterTheCoordinatorStoppedNeverRuns() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // a's start is durable when the test says so
        RunStore slow = FirstStartHeld.until(store, held, method -> {
            if (method.equals("pendingCommands")) {
                throw new StoreException.Unavailable("could not read the run's commands: connection reset", null);
            }
        });
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(slow, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(60_000, 30_000).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, RunListener.NONE)::execute);
            Throwable thrown = catchThrowable(() -> result.get(2, TimeUnit.MINUTES));
            assertThat(thrown).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreException.Unavailable.class);

            held.complete(0L); // a's start is durable now, after the coordinator ended
            await("no attempt starting after its coordinator ended").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> exec.started.isEmpty());
        } finally {
            held.complete(0L);
            pool.shutdownNow();
        }
    }
}
