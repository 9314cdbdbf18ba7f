package io.swarmflow.store.sql;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent.AttemptFinished;
import io.swarmflow.store.RunEvent.AttemptStarted;
import io.swarmflow.store.RunEvent.RunStarted;
import io.swarmflow.store.RunEvent.TicketReady;
import io.swarmflow.store.RunEvent.TicketSucceeded;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Four coordinators append concurrently to one store, pipelining up to 1,000 unacknowledged
 * appends each (the group-commit writer batches them): every run ends with every ticket recorded
 * exactly once and a gap-free log. Throughput is measured in the bench module (docs/benchmarks.md),
 * not here.
 */
class SqliteConcurrentAppendTest {
    private static final int RUNS = 4;
    private static final int TICKETS = 2_500;

    @TempDir
    Path dir;

    @Test
    void concurrentPipelinedAppendsFromFourCoordinatorsAreAllRecorded() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            long[] epochs = new long[RUNS];
            for (int r = 0; r < RUNS; r++) {
                String runId = "bench-" + r;
                store.createRun(TestPlans.created(runId, TICKETS));
                epochs[r] = store.claimRun(runId, "bench:1", 60_000);
                store.append(runId, epochs[r], List.of(new RunStarted(epochs[r], "bench:1", false))).join();
            }
            List<Thread> coordinators = new ArrayList<>();
            for (int r = 0; r < RUNS; r++) {
                String runId = "bench-" + r;
                long epoch = epochs[r];
                coordinators.add(Thread.ofPlatform().start(() -> coordinate(store, runId, epoch)));
            }
            for (Thread t : coordinators) t.join();

            for (int r = 0; r < RUNS; r++) {
                assertThat(store.tickets("bench-" + r)).extracting(TicketView::state).containsOnly(TicketState.SUCCEEDED);
                assertThat(store.run("bench-" + r).orElseThrow().lastSeq()).isEqualTo(2 + 4L * TICKETS);
            }
        }
    }

    @Test
    void ofTwoDecisionsRacingFromTwoConnectionsOnOneGateExactlyOneIsRecorded() throws Exception {
        int gates = 40;
        try (SqlRunStore a = SqlRunStore.openSqlite(dir); SqlRunStore b = SqlRunStore.openSqlite(dir)) {
            a.createRun(TestPlans.created("gates", gates));
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            java.util.concurrent.atomic.AtomicInteger recorded = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
            // a decider's failure fails the test with its cause, and its partner stops waiting for it at the barrier (a
            // thread of its own that died left the other waiting there, and the test hanging)
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<CompletableFuture<Void>> deciders = new ArrayList<>();
            for (SqlRunStore store : List.of(a, b)) {
                deciders.add(CompletableFuture.runAsync(() -> {
                    for (int t = 0; t < gates; t++) {
                        try {
                            together.await(30, java.util.concurrent.TimeUnit.SECONDS);
                            store.submitCommand(new io.swarmflow.store.RunCommand(0, "gates", io.swarmflow.store.RunCommand.Kind.APPROVE,
                                    "t" + t, store == a ? "ann" : "bob", null, 0));
                            recorded.incrementAndGet();
                        } catch (io.swarmflow.store.StoreException.PendingDecision e) {
                            refused.incrementAndGet();
                        } catch (Exception e) {
                            throw new java.util.concurrent.CompletionException(e);
                        }
                    }
                }, pool));
            }
            try {
                assertThat(deciders.stream().map(d -> d.handle((done, failure) -> failure).join())
                        .filter(java.util.Objects::nonNull)).as("the deciders' failures").isEmpty();
            } finally {
                pool.shutdownNow();
            }
            assertThat(recorded.get()).isEqualTo(gates);
            assertThat(refused.get()).isEqualTo(gates);
            assertThat(a.pendingCommands("gates")).extracting(io.swarmflow.store.RunCommand::ticketId).doesNotHaveDuplicates().hasSize(gates);
        }
    }

    private static void coordinate(SqlRunStore store, String runId, long epoch) {
        Semaphore window = new Semaphore(1_000);
        List<CompletableFuture<Long>> last = new ArrayList<>();
        for (int i = 0; i < TICKETS; i++) {
            String id = "t" + i;
            send(store, window, runId, epoch, List.of(new TicketReady(id)));
            send(store, window, runId, epoch, List.of(new AttemptStarted(id, 1, 60_000)));
            last.add(send(store, window, runId, epoch, List.of(new AttemptFinished(id, 1, Outcome.SUCCEEDED, 0, null, Map.of()),
                    new TicketSucceeded(id, 1))));
        }
        CompletableFuture.allOf(last.toArray(CompletableFuture[]::new)).join();
    }

    private static CompletableFuture<Long> send(SqlRunStore store, Semaphore window, String runId, long epoch,
                                                List<io.swarmflow.store.RunEvent> events) {
        window.acquireUninterruptibly();
        CompletableFuture<Long> f = store.append(runId, epoch, events);
        f.whenComplete((v, e) -> window.release());
        return f;
    }
}
