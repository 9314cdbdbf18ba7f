package io.swarmflow.store.sql;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent.AttemptFinished;
import io.swarmflow.store.RunEvent.AttemptProcessStarted;
import io.swarmflow.store.RunEvent.AttemptStarted;
import io.swarmflow.store.RunEvent.RunStarted;
import io.swarmflow.store.RunEvent.TicketReady;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * What {@link SqlRunStore} adds to the {@link RunStoreContractTest} on every dialect: several stores (processes) on
 * the same database, racing for leases, fencing each other, creating runs and deciding gates at once, and commits that
 * do not wait for the disk. One subclass per engine runs it against the real engine.
 */
abstract class SqlRunStoreContractTest extends RunStoreContractTest {
    private static final long LEASE = 60_000;

    @Override
    protected abstract SqlRunStore store();

    /** A second store on the same database as {@link #store()}, as another process would open it; the caller closes it. */
    protected abstract SqlRunStore openAnother();

    /**
     * Whether the writer connection's next commits wait for the disk (SQLite {@code synchronous=FULL}, PostgreSQL
     * {@code synchronous_commit=on}); asked while no append is in flight.
     */
    protected abstract boolean writerCommitsWaitForTheDisk() throws Exception;

    @Test
    void completedAppendIsVisibleToAnotherStoreOnTheSameDatabase() {
        long epoch = startRun("r1", 2);
        long seq = store().append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000))).join();

        try (SqlRunStore other = openAnother()) {
            assertThat(other.events("r1", 0, 100)).extracting(StoredEvent::seq).endsWith(seq);
            assertThat(other.attempts("r1")).hasSize(1);
        }
    }

    @Test
    void writerNoticesAppendsByAnotherProcessAndFencesTheOldCoordinator() {
        long epoch = startRun("r1", 2);
        store().releaseRun("r1", epoch);
        try (SqlRunStore other = openAnother()) {
            long newer = other.claimRun("r1", "other:2", 60_000);
            other.append("r1", newer, List.of(new TicketReady("t0"))).join();
            assertThat(failure(store().append("r1", epoch, List.of(new TicketReady("t1"))))).isInstanceOf(StoreException.Fenced.class);
        }
        // the first store's cache was refreshed from the table, so the run continues consistently
        assertThat(store().events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
        assertReplayEquals("r1");
    }

    @Test
    void onlyTransactionsOfProcessStartRecordsCommitWithoutWaitingForTheDiskAndTheyStayInOrder() throws Exception {
        long epoch = startRun("r1", 2);
        store().append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000))).join();
        SqlRunStore.CommitCounts before = store().commitCounts();

        store().append("r1", epoch, List.of(new AttemptProcessStarted("t0", 1, 4242, 99))).join();
        SqlRunStore.CommitCounts afterStart = store().commitCounts();
        assertThat(writerCommitsWaitForTheDisk()).as("after a transaction of process starts only").isFalse();
        store().append("r1", epoch, List.of(new AttemptProcessStarted("t0", 1, 4242, 99), new TicketReady("t1"))).join();
        SqlRunStore.CommitCounts afterMixed = store().commitCounts();
        assertThat(writerCommitsWaitForTheDisk()).as("after a mixed transaction").isTrue();
        store().append("r1", epoch, List.of(new AttemptStarted("t1", 1, 60_000))).join();
        SqlRunStore.CommitCounts afterNext = store().commitCounts();

        assertThat(afterStart).isEqualTo(new SqlRunStore.CommitCounts(before.synced(), before.unsynced() + 1));
        assertThat(afterMixed).as("a process start beside any other event waits for the disk")
                .isEqualTo(new SqlRunStore.CommitCounts(before.synced() + 1, before.unsynced() + 1));
        assertThat(afterNext).as("and so does the next ordinary append").isEqualTo(new SqlRunStore.CommitCounts(before.synced() + 2, before.unsynced() + 1));
        RunStore reopened = reopen();
        assertThat(reopened.attempts("r1")).filteredOn(a -> a.ticketId().equals("t0")).singleElement()
                .satisfies(a -> assertThat(a.pid()).isEqualTo(4242));
        assertThat(reopened.events("r1", 0, 100)).extracting(e -> e.event().getClass().getSimpleName())
                .endsWith("AttemptProcessStarted", "AttemptProcessStarted", "TicketReady", "AttemptStarted");
        assertReplayEquals("r1");
    }

    @Test
    void anAttemptKeepsTheCoordinatorThatLaunchedItsProcessAndOneRecordedWithoutItHasNone() throws Exception {
        long epoch = startRun("r1", 2);
        String launcher = "host-a:4321@1700000000000/2";
        store().append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000),
                new AttemptProcessStarted("t0", 1, 4242, 99, launcher), new TicketReady("t1"), new AttemptStarted("t1", 1, 60_000),
                new AttemptProcessStarted("t1", 1, 4343, 98))).join();
        store().append("r1", epoch, List.of(new AttemptFinished("t0", 1, Outcome.LEASE_EXPIRED, null, "lost", Map.of()))).join();
        for (int open = 0; open < 2; open++) {
            RunStore s = open == 0 ? store() : reopen(); // as written, then read back from the database
            assertThat(s.attempts("r1")).extracting(a -> a.ticketId() + " " + a.pid() + " " + a.coordinator())
                    .containsExactly("t0 4242 " + launcher, "t1 4343 null");
            assertThat(s.events("r1", 0, 100)).extracting(StoredEvent::event).filteredOn(e -> e instanceof AttemptProcessStarted)
                    .containsExactly(new AttemptProcessStarted("t0", 1, 4242, 99, launcher), new AttemptProcessStarted("t1", 1, 4343, 98, null));
        }
        assertReplayEquals("r1");
    }

    /**
     * An attempt's permanent failure (no retry: every attempt would fail the same way) is kept in its row, beside an
     * ordinary failure of the same ticket before it and one of another ticket written in the same transaction.
     */
    @Test
    void anAttemptKeepsWhetherItFailedForGood() throws Exception {
        long epoch = startRun("r1", 2);
        store().append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000),
                new AttemptFinished("t0", 1, Outcome.FAILED, 1, "exited with code 1", Map.of(), 12L),
                new io.swarmflow.store.RunEvent.TicketRetryScheduled("t0", 0), new TicketReady("t0"),
                new AttemptStarted("t0", 2, 60_000), new TicketReady("t1"), new AttemptStarted("t1", 1, 60_000))).join();
        // both ends in one append: a set-based engine writes their rows in one statement
        store().append("r1", epoch, List.of(
                new AttemptFinished("t0", 2, Outcome.FAILED, null, "not started: refused", Map.of(), null, true),
                new io.swarmflow.store.RunEvent.TicketFailed("t0", "not started: refused (after 2 attempts) (no retry: it would fail the same way)"),
                new AttemptFinished("t1", 1, Outcome.FAILED, 2, "exited with code 2", Map.of(), 0L, false),
                new io.swarmflow.store.RunEvent.TicketFailed("t1", "exited with code 2"))).join();
        for (int open = 0; open < 2; open++) {
            RunStore s = open == 0 ? store() : reopen(); // as written, then read back from the database
            assertThat(s.attempts("r1")).extracting(a -> a.ticketId() + "#" + a.attempt() + " " + a.permanent())
                    .containsExactly("t0#1 false", "t0#2 true", "t1#1 false");
            assertThat(s.events("r1", 0, 100)).extracting(StoredEvent::event)
                    .filteredOn(e -> e instanceof AttemptFinished f && f.permanent()).singleElement()
                    .isEqualTo(new AttemptFinished("t0", 2, Outcome.FAILED, null, "not started: refused", Map.of(), null, true));
        }
        assertReplayEquals("r1");
    }

    @Test
    void heartbeatRenewsTheRunLeaseAndRunningAttemptLeases() {
        long epoch = startRun("r1", 2);
        store().append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 20))).join();
        long firstLease = store().attemptLeaseExpiresAt("r1", "t0", 1).orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> store().now() > firstLease);

        long before = store().now() - clockEstimateSlackMillis();
        store().heartbeat("r1", epoch, 60_000);

        assertThat(store().attemptLeaseExpiresAt("r1", "t0", 1).orElseThrow()).isGreaterThanOrEqualTo(before + 60_000);
        assertThat(store().lease("r1").orElseThrow().expiresAtMillis()).isGreaterThanOrEqualTo(before + 60_000);
        assertThat(store().lease("r1").orElseThrow().owner()).isEqualTo("host:1");
    }

    @Test
    void closedStoreRefusesWrites() {
        store().close();
        assertThat(failure(store().append("r1", 1, List.of(new TicketReady("t0"))))).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void ofTwoStoresRacingToClaimARunExactlyOneGetsTheLease() throws Exception {
        try (SqlRunStore other = openAnother()) {
            for (int i = 0; i < 10; i++) {
                String run = "r" + i;
                store().createRun(TestPlans.created(run, 1));
                List<Throwable> outcomes = race(() -> store().claimRun(run, "alpha:1", LEASE), () -> other.claimRun(run, "beta:2", LEASE));
                assertThat(outcomes).as("run %s: one claim wins, the other finds the lease held", run)
                        .filteredOn(t -> t == null).hasSize(1);
                assertThat(outcomes).filteredOn(t -> t != null).singleElement().isInstanceOf(StoreException.RunLocked.class);
                assertThat(store().lease(run).orElseThrow().epoch()).isEqualTo(1);
            }
        }
    }

    /**
     * A coordinator whose lease expired keeps appending while another store takes the run over: every append of the
     * old one either committed before the takeover or is fenced, never after the new coordinator's first event. Half
     * its appends race the takeover; the other half are sent once the takeover is recorded, so all of those are fenced
     * (without that half, a store that never fenced passed whenever the takeover came after the old appends: 7 runs in
     * 10 on SQLite).
     */
    /**
     * An append of a coordinator taken over: fenced, or refused because an earlier one of it was
     * ({@link StoreException.EarlierAppendFailed}, whose first failure is that fencing).
     */
    private static void assertFencedByTheTakeover(Throwable t) {
        Throwable first = t instanceof StoreException.EarlierAppendFailed r ? r.firstFailure() : t;
        assertThat(first).as("an append sent after the takeover").isInstanceOf(StoreException.Fenced.class)
                .hasMessageContaining("was taken over by another coordinator");
    }

    @Test
    void appendsOfACoordinatorThatLostItsLeaseNeverLandAfterTheTakeover() throws Exception {
        int tickets = 200;
        store().createRun(TestPlans.created("r1", tickets));
        long old = store().claimRun("r1", "old:1", 1);
        store().append("r1", old, List.of(new RunStarted(old, "old:1", false))).join();
        long expired = store().now() + 1 + clockEstimateSlackMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> store().now() > expired);
        try (SqlRunStore other = openAnother()) {
            List<CompletableFuture<Long>> appends = new ArrayList<>();
            CompletableFuture<Long> takeover = new CompletableFuture<>();
            Thread thief = Thread.ofPlatform().start(() -> {
                try {
                    long newer = other.claimRun("r1", "new:2", LEASE);
                    takeover.complete(other.append("r1", newer, List.of(new RunStarted(newer, "new:2", true))).join());
                } catch (Throwable t) {
                    takeover.completeExceptionally(t);
                }
            });
            for (int i = 0; i < tickets / 2; i++) appends.add(store().append("r1", old, List.of(new TicketReady("t" + i))));
            thief.join();
            long takeoverSeq = takeover.get(30, TimeUnit.SECONDS);
            List<CompletableFuture<Long>> late = new ArrayList<>();
            for (int i = tickets / 2; i < tickets; i++) late.add(store().append("r1", old, List.of(new TicketReady("t" + i))));
            for (CompletableFuture<Long> a : late) {
                assertFencedByTheTakeover(failure(a));
            }

            List<Long> landed = new ArrayList<>();
            for (CompletableFuture<Long> a : appends) {
                Throwable t = catchThrowable(a::join);
                if (t == null) landed.add(a.join());
                else assertFencedByTheTakeover(failure(a));
            }
            assertThat(landed).as("appends of the old coordinator that committed").allSatisfy(seq -> assertThat(seq).isLessThan(takeoverSeq));
            assertThat(store().events("r1", 0, Integer.MAX_VALUE)).hasSize((int) takeoverSeq)
                    .last().satisfies(e -> assertThat(e.event()).isInstanceOf(RunStarted.class));
        }
        assertReplayEquals("r1");
    }

    @Test
    void twoStoresCreatingRunsAtOnceBothSucceedAndTheRunsKeepTheirOrder() throws Exception {
        int each = 15;
        try (SqlRunStore other = openAnother()) {
            List<Throwable> outcomes = race(() -> {
                for (int i = 0; i < each; i++) store().createRun(TestPlans.created("a" + i, 1));
                return null;
            }, () -> {
                for (int i = 0; i < each; i++) other.createRun(TestPlans.created("b" + i, 1));
                return null;
            });
            assertThat(outcomes).containsOnlyNulls();
        }
        List<String> newestFirst = store().runs().stream().map(RunView::runId).toList();
        assertThat(newestFirst).hasSize(2 * each).doesNotHaveDuplicates();
        assertThat(newestFirst.stream().filter(r -> r.startsWith("a")).toList()).as("each store's runs, newest first")
                .isEqualTo(java.util.stream.IntStream.range(0, each).mapToObj(i -> "a" + (each - 1 - i)).toList());
    }

    @Test
    void ofTwoDecisionsOnAGateSentAtOnceFromTwoStoresOneIsRecorded() throws Exception {
        startRun("r1", 10);
        try (SqlRunStore other = openAnother()) {
            for (int i = 0; i < 10; i++) {
                String ticket = "t" + i;
                List<Throwable> outcomes = race(
                        () -> store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.APPROVE, ticket, "ann", null, 0)),
                        () -> other.submitCommand(new RunCommand(0, "r1", RunCommand.Kind.REJECT, ticket, "bob", "no", 0)));
                assertThat(outcomes).as("ticket %s", ticket).filteredOn(t -> t == null).hasSize(1);
                assertThat(outcomes).filteredOn(t -> t != null).singleElement().isInstanceOf(StoreException.PendingDecision.class);
            }
        }
        assertThat(store().pendingCommands("r1")).hasSize(10);
    }

    /** Runs both at once (released together by a barrier); the failure of each, or null. */
    private static List<Throwable> race(Callable<?> first, Callable<?> second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Throwable>> results = new ArrayList<>();
            for (Callable<?> c : List.of(first, second)) {
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    try {
                        c.call();
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                }));
            }
            List<Throwable> out = new ArrayList<>();
            for (Future<Throwable> f : results) out.add(f.get(60, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
