package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A coordinator stopped (a frozen process, {@code kill -STOP}) between an attempt's durable {@code AttemptStarted} and its
 * launch, for longer than its lease, and taken over meanwhile, does not launch the attempt when it goes on: a review saw
 * such a coordinator launch attempts beside the new coordinator's newer ones, and learn it was taken over only after.
 *
 * <p>The stop is played by the store: the append of {@code a}'s start commits, then its completion (which launches the
 * attempt) and the coordinator's heartbeats are held while the lease runs out (real time passing: the engine measures
 * the lease on the monotonic clock) and the store's clock is moved past it for another coordinator's claim.
 */
class StoppedCoordinatorLaunchTest {
    @TempDir
    Path stateDir;

    private static final long LEASE = 300;

    @Test
    void anAttemptWhoseCoordinatorWasStoppedPastItsLeaseAndTakenOverIsNotLaunched() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        InMemoryRunStore memory = new InMemoryRunStore(clock::get);
        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch thawed = new CountDownLatch(1);
        Thread[] engineThread = new Thread[1];
        String[] run = new String[1];
        java.util.concurrent.atomic.AtomicInteger confirmations = new java.util.concurrent.atomic.AtomicInteger();
        RunStore store = (RunStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{RunStore.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("heartbeat") && Thread.currentThread() == engineThread[0]) {
                        thawed.await(30, TimeUnit.SECONDS); // the stopped coordinator's own heartbeats wait
                    }
                    boolean confirming = name.equals("heartbeat") && engineThread[0] != null
                            && Thread.currentThread() != engineThread[0];
                    Object result;
                    try {
                        result = method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (confirming) confirmations.incrementAndGet(); // the attempt's thread asked (confirmHeld)
                    }
                    if (name.equals("appendRecorded") && frozen.getCount() > 0
                            && ((List<?>) args[2]).stream().anyMatch(e -> e instanceof RunEvent.AttemptStarted)) {
                        engineThread[0] = Thread.currentThread();
                        frozen.countDown();
                        @SuppressWarnings("unchecked") CompletableFuture<Object> committed = (CompletableFuture<Object>) result;
                        CompletableFuture<Object> late = new CompletableFuture<>();
                        Thread.ofPlatform().start(() -> {
                            try {
                                Thread.sleep(LEASE); // time passing: the coordinator's lease runs out while it is stopped
                                clock.addAndGet(2 * LEASE);
                                memory.claimRun(run[0], "otherhost:2@2", 60_000);
                                committed.whenComplete((v, e) -> {
                                    if (e != null) late.completeExceptionally(e);
                                    else late.complete(v);
                                });
                            } catch (InterruptedException e) {
                                late.completeExceptionally(e);
                            }
                        });
                        return late;
                    }
                    return result;
                });
        ScriptedExecutor executor = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, executor);
        run[0] = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(LEASE, LEASE / 3).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).build();
        RunEngine engine = service.engine(run[0], options, RunListener.NONE);
        CompletableFuture<Throwable> ended = CompletableFuture.supplyAsync(() -> catchThrowable(engine::execute));

        assertThat(frozen.await(30, TimeUnit.SECONDS)).isTrue();
        // the attempt was launched, or it asked whether its coordinator still holds the run (and was refused); then the
        // coordinator goes on, and learns of the takeover at its next heartbeat
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !executor.started.isEmpty() || confirmations.get() > 0);
        thawed.countDown();
        Throwable thrown = ended.get(30, TimeUnit.SECONDS);

        assertThat(thrown).isInstanceOf(StoreException.Fenced.class);
        assertThat(executor.started).as("launched beside the new coordinator's attempt").isEmpty();
    }
}
