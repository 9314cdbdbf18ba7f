package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Another connection (a {@code sqlite3} session, here a second JDBC connection to the same file) holds the database's
 * write lock with {@code BEGIN IMMEDIATE} for longer than the busy timeout: the store's writes wait for it, saying so,
 * up to a bound, instead of failing at the first busy timeout. Short timeouts keep the test fast: busy timeout 200 ms;
 * the bound as the CLI has it ({@link SqlRunStore#openSqlite(Path)}) is checked on a lock-wait clock the test moves.
 */
class SqliteLockWaitTest {
    private static final int BUSY_MILLIS = 200;

    @TempDir
    Path dir;

    @Test
    void aWriteWaitsForAnotherConnectionsWriteLockSaysSoOnceAndWritesItsEventsOnce() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), 30_000)) {
            store.noticesTo(notices::add);
            store.createRun(TestPlans.created("r1", 2));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            CompletableFuture<Long> appended;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                appended = store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
                // held for several busy timeouts: the writer began the transaction again and again
                await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= triesBefore + 4);
                assertThat(appended).isNotDone();
                assertThat(notices).hasSize(1);
                s.execute("COMMIT");
            }
            assertThat(appended.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            Path db = dir.resolve("swarm.db");
            assertThat(notices.getFirst()).contains("the database " + db + " is locked", "another process holds its write lock",
                    "fuser -v " + db);
            assertThat(notices).hasSize(2);
            assertThat(notices.getLast()).contains(db + " is no longer locked");
            // written once, in order, and the next append follows it
            assertThat(store.append("r1", epoch, List.of(new RunEvent.TicketReady("t0"))).get(10, TimeUnit.SECONDS)).isEqualTo(3);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
            assertThat(store.run("r1").orElseThrow().lastSeq()).isEqualTo(3);
        }
    }

    /** A heartbeat's lease runs from when its transaction got the lock, not from when it began waiting for it. */
    @Test
    void aHeartbeatThatWaitedForTheLockLeasesFromWhenItGotIt() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), 30_000)) {
            store.createRun(TestPlans.created("r1", 1));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            CompletableFuture<Void> heartbeat;
            long released;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                heartbeat = CompletableFuture.runAsync(() -> store.heartbeat("r1", epoch, 60_000));
                await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= triesBefore + 3);
                released = store.now();
                s.execute("COMMIT");
            }
            heartbeat.get(10, TimeUnit.SECONDS);
            assertThat(store.lease("r1").orElseThrow().expiresAtMillis()).isGreaterThanOrEqualTo(released + 60_000);
        }
    }

    /**
     * A run asked to stop (Ctrl-C) while its write waits for the lock: the write fails within seconds, naming why, not at
     * the one-minute bound, with nothing written; the other run's write in the same wait goes on waiting and is written
     * once the lock is released; claimed again, the run writes as before.
     */
    @Test
    void aRunAskedToStopStopsWaitingWhileAnotherRunGoesOnWaiting() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), SqlRunStore.LOCK_WAIT_MILLIS)) {
            store.createRun(TestPlans.created("r1", 1));
            store.createRun(TestPlans.created("r2", 1));
            long e1 = store.claimRun("r1", "host:1", 600_000);
            long e2 = store.claimRun("r2", "host:1", 600_000);
            CompletableFuture<Long> stopped;
            CompletableFuture<Long> waiting;
            Throwable failure;
            CompletableFuture<Long> later;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                stopped = store.append("r1", e1, List.of(new RunEvent.RunStarted(e1, "host:1", false)));
                waiting = store.append("r2", e2, List.of(new RunEvent.RunStarted(e2, "host:1", false)));
                await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= triesBefore + 2);
                store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
                // well within the 60 s bound: only giving up ends the wait this early
                failure = catchThrowable(() -> stopped.get(30, TimeUnit.SECONDS));
                // the coordinator's next append (the cancel's): refused, as after any failed append, carrying that
                // failure (not as if another coordinator had taken the run over)
                later = store.append("r1", e1, List.of(new RunEvent.RunCancelRequested("SIGINT (Ctrl-C)")));
                assertThat(waiting).isNotDone();
                s.execute("COMMIT");
            }
            Throwable refused = catchThrowable(() -> later.get(30, TimeUnit.SECONDS));
            assertThat(refused).isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(refused.getCause()).isInstanceOf(StoreException.EarlierAppendFailed.class).hasCause(failure.getCause());
            assertThat(failure).isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(failure.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("SQLITE_BUSY")
                    .hasMessageContaining("then stopped waiting: SIGINT (Ctrl-C) asked run r1 to stop")
                    .hasMessageContaining("nothing of these writes was recorded");
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
            // a new coordinator of r1 (a resume) waits for locks again and writes
            long again = store.claimRun("r1", "host:1", 600_000);
            assertThat(store.append("r1", again, List.of(new RunEvent.RunStarted(again, "host:1", true))).get(10, TimeUnit.SECONDS))
                    .isEqualTo(2);
        }
    }

    /**
     * A stop asked of a run while its claim waits for the lock ends that wait within seconds, naming why; the claim
     * failed, no coordinator of this store goes on with the run, and the stop is not kept (a long-lived store would hold
     * one entry per such run for its whole life).
     */
    @Test
    void aClaimAskedToStopStopsWaitingAndTheStopIsNotKeptOnceTheClaimFailed() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), SqlRunStore.LOCK_WAIT_MILLIS)) {
            store.createRun(TestPlans.created("r1", 1));
            Throwable failure;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                CompletableFuture<Long> claim = CompletableFuture.supplyAsync(() -> store.claimRun("r1", "host:1", 600_000));
                await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= triesBefore + 2);
                store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
                failure = catchThrowable(() -> claim.get(30, TimeUnit.SECONDS));
                s.execute("COMMIT");
            }
            assertThat(failure.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("then stopped waiting: SIGINT (Ctrl-C) asked run r1 to stop");
            assertThat(store.runsGivenUpForTests()).isEmpty();
        }
    }

    /**
     * A stop is kept only while a coordinator of this store holds the run: from its claim to its release. Asked of a
     * run released already, or never claimed here (a finished run, a refused claim), it keeps nothing.
     */
    @Test
    void aStopIsKeptFromTheClaimToTheReleaseOnly() {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), SqlRunStore.LOCK_WAIT_MILLIS)) {
            store.createRun(TestPlans.created("r1", 1));
            store.createRun(TestPlans.created("r2", 1));
            long epoch = store.claimRun("r1", "host:1", 600_000);
            store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
            assertThat(store.runsGivenUpForTests()).containsExactly("r1");
            store.releaseRun("r1", epoch);
            assertThat(store.runsGivenUpForTests()).isEmpty();

            store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
            store.stopWaitingForLocks("r2", "SIGINT (Ctrl-C)");
            assertThat(store.runsGivenUpForTests()).as("released, and never claimed").isEmpty();

            try (SqlRunStore another = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), SqlRunStore.LOCK_WAIT_MILLIS)) {
                another.claimRun("r2", "host:2", 600_000); // another process's coordinator
                assertThatThrownBy(() -> store.claimRun("r2", "host:1", 600_000)).isInstanceOf(StoreException.RunLocked.class);
                store.stopWaitingForLocks("r2", "SIGINT (Ctrl-C)");
                assertThat(store.runsGivenUpForTests()).as("a refused claim").isEmpty();
            }
        }
    }

    /**
     * After a Ctrl-C the run's writes fail saying how long the store has waited for the lock in all, not only the last
     * write's own 2 s: a write given up after 3 s of waiting, then the cancel's next write, which joins the same wait.
     */
    @Test
    void aWriteGivenUpAfterAnEarlierOneWaitedSaysHowLongTheWritesWaitedInAll() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), SqlRunStore.LOCK_WAIT_MILLIS)) {
            store.createRun(TestPlans.created("r1", 1));
            long epoch = store.claimRun("r1", "host:1", 600_000);
            Throwable first;
            Throwable next;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                CompletableFuture<Long> heartbeat = CompletableFuture.supplyAsync(() -> {
                    store.heartbeat("r1", epoch, 600_000);
                    return 0L;
                });
                // each try waits the whole busy timeout (200 ms) for the lock: 16 tries, over 3 s
                await().atMost(Duration.ofSeconds(30)).until(() -> store.commitCounts().synced() >= triesBefore + 16);
                store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
                first = catchThrowable(() -> heartbeat.get(30, TimeUnit.SECONDS));
                CompletableFuture<Long> cancelled = store.append("r1", epoch, List.of(new RunEvent.RunCancelRequested("SIGINT (Ctrl-C)")));
                next = catchThrowable(() -> cancelled.get(30, TimeUnit.SECONDS));
                s.execute("COMMIT");
            }
            assertThat(first.getCause()).isInstanceOf(StoreException.Unavailable.class);
            assertThat(waitedSeconds(first.getCause().getMessage())).isGreaterThanOrEqualTo(3);
            assertThat(next.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("then stopped waiting: SIGINT (Ctrl-C) asked run r1 to stop");
            assertThat(waitedSeconds(next.getCause().getMessage())).as(next.getCause().getMessage()).isGreaterThanOrEqualTo(3);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
        }
    }

    private static long waitedSeconds(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\(waited (\\d+) s for another process").matcher(message);
        assertThat(m.find()).as(message).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * With several runs on one store (a server), the notice that the database is locked, and then that it no longer is,
     * goes to the output of each run whose writes wait, not to the run that started last; a command's write (no run of
     * its own output) to the output of no run.
     */
    @Test
    void theLockWaitNoticeGoesToTheOutputsOfTheRunsWhoseWritesWait() throws Exception {
        List<String> r1 = new CopyOnWriteArrayList<>();
        List<String> r2 = new CopyOnWriteArrayList<>();
        List<String> command = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), 30_000)) {
            store.noticesTo(command::add);
            store.noticesTo("r1", r1::add);
            store.noticesTo("r2", r2::add);
            store.createRun(TestPlans.created("r1", 1));
            store.createRun(TestPlans.created("r2", 1));
            store.createRun(TestPlans.created("r3", 1));
            long epoch = store.claimRun("r1", "host:1", 600_000);
            CompletableFuture<Long> appended;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                appended = store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
                await().atMost(Duration.ofSeconds(10)).until(() -> !r1.isEmpty());
                s.execute("COMMIT");
            }
            assertThat(appended.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(r1).hasSize(2);
            assertThat(r1.getFirst()).contains("is locked");
            assertThat(r1.getLast()).contains("is no longer locked");
            assertThat(r2).as("r2 wrote nothing").isEmpty();
            assertThat(command).isEmpty();

            CompletableFuture<Long> cancel;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                cancel = CompletableFuture.supplyAsync(() -> store.submitCommand(new io.swarmflow.store.RunCommand(0, "r3", io.swarmflow.store.RunCommand.Kind.CANCEL, null, "me", null, 0)).id());
                await().atMost(Duration.ofSeconds(10)).until(() -> !command.isEmpty());
                s.execute("COMMIT");
            }
            cancel.get(10, TimeUnit.SECONDS);
            assertThat(command).hasSize(2);
            assertThat(r1).hasSize(2);
            assertThat(r2).isEmpty();
        }
    }

    /**
     * The store as the CLI opens it ({@link SqlRunStore#openSqlite(Path)}: its busy timeouts and its bound), with lock
     * waits measured by a clock the test moves: a write still waits at 59 s and fails past 60 s, naming the holder, with
     * nothing written; the release that follows it fails at once. Each try waits SQLite's real busy timeout for one try (250 ms); only the decision to give up is the
     * clock's. A wait whose measure is read from another clock, or a bound other than 60 s, fails here. The clock starts
     * at any reading a nanosecond clock can give ({@link System#nanoTime}'s origin is arbitrary): 0 and negative ones too.
     */
    @ParameterizedTest(name = "the lock-wait clock starting at {0} ns")
    @ValueSource(longs = {0, -5_000_000_000L, 123_456_789_000L})
    void asTheCliOpensItAWriteWaitsSixtySecondsForAnotherConnectionsLockAndNotMuchLessOrMore(long start) throws Exception {
        AtomicLong nanos = new AtomicLong(start);
        List<String> notices = new CopyOnWriteArrayList<>();
        Path db = dir.resolve("swarm.db");
        try (SqlRunStore store = SqlRunStore.openSqliteWithLockWaitClock(dir, nanos::get)) {
            store.noticesTo(notices::add);
            store.createRun(TestPlans.created("r1", 2));
            long epoch = store.claimRun("r1", "host:1", 600_000);
            Throwable failure;
            Throwable released;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                CompletableFuture<Long> appended = store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
                await().atMost(Duration.ofSeconds(30)).until(() -> appended.isDone() || store.commitCounts().synced() >= triesBefore + 2);
                assertThat(appended).as("found the lock held, at 0 s").isNotDone();

                nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
                // two more tries begun: the second only once a try ended after the move and the writer chose to go on
                long triesAt59 = store.commitCounts().synced();
                await().atMost(Duration.ofSeconds(30)).until(() -> appended.isDone() || store.commitCounts().synced() >= triesAt59 + 2);
                assertThat(appended).as("still waiting at 59 s of the lock-wait clock").isNotDone();
                assertThat(notices).hasSize(1);
                assertThat(notices.getFirst()).contains("the database " + db + " is locked", "for up to 60 s in all (59 s so far)");

                nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(1_001));
                failure = catchThrowable(() -> appended.get(30, TimeUnit.SECONDS));
                // the coordinator's release on its way out joins the wait: it fails after one try, not a minute more
                released = catchThrowable(() -> CompletableFuture.runAsync(() -> store.releaseRun("r1", epoch)).get(30, TimeUnit.SECONDS));
                s.execute("COMMIT");
            }
            assertThat(failure).as("failed past 60 s of the lock-wait clock").isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(failure.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("could not write to " + db).hasMessageContaining("SQLITE_BUSY")
                    .hasMessageContaining("(waited 60 s for another process to release it; `fuser -v " + db + "` lists the processes that have it open)")
                    .hasMessageContaining("nothing of these writes was recorded");
            assertThat(released).as("the release, with no more time on the lock-wait clock").isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(released.getCause()).isInstanceOf(StoreException.Unavailable.class).hasMessageContaining("(waited 60 s for another process");
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
            assertThat(store.run("r1").orElseThrow().lastSeq()).isEqualTo(1);
        }
    }

    /**
     * A coordinator one of whose appends failed has its later appends refused at once, before any transaction: not after
     * waiting for a write lock another connection holds (up to a minute). While the lock is held, the refusal comes
     * without a transaction begun and without the lock-wait clock read; another coordinator's append still waits.
     */
    @Test
    void aPoisonedCoordinatorsAppendIsRefusedWithoutWaitingForTheLock() throws Exception {
        AtomicLong nanos = new AtomicLong();
        AtomicLong clockReads = new AtomicLong();
        Path db = dir.resolve("swarm.db");
        try (SqlRunStore store = SqlRunStore.openSqliteWithLockWaitClock(dir, () -> {
            clockReads.incrementAndGet();
            return nanos.get();
        })) {
            store.createRun(TestPlans.created("r1", 2));
            store.createRun(TestPlans.created("r2", 2));
            long epoch = store.claimRun("r1", "host:1", 600_000);
            long other2 = store.claimRun("r2", "host:1", 600_000);
            Throwable poisoning = catchThrowable(() -> store.append("r1", epoch, List.of(new RunEvent.TicketReady("nope"))).get(30, TimeUnit.SECONDS));
            assertThat(poisoning.getCause()).isInstanceOf(StoreException.class).hasMessageContaining("has no ticket nope");
            Throwable refused;
            CompletableFuture<Long> waiting;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                long triesBefore = store.commitCounts().synced();
                long readsBefore = clockReads.get();
                CompletableFuture<Long> appended = store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
                // with the lock still held: refused, not waiting (the lock-wait clock does not move, so a wait would last)
                refused = catchThrowable(() -> appended.get(30, TimeUnit.SECONDS));
                assertThat(store.commitCounts().synced()).as("no transaction begun for it").isEqualTo(triesBefore);
                assertThat(clockReads.get()).as("the lock-wait clock not read for it").isEqualTo(readsBefore);
                // another coordinator's append waits for the lock as before
                waiting = store.append("r2", other2, List.of(new RunEvent.RunStarted(other2, "host:1", false)));
                await().atMost(Duration.ofSeconds(30)).until(() -> waiting.isDone() || store.commitCounts().synced() >= triesBefore + 2);
                assertThat(waiting).isNotDone();
                s.execute("COMMIT");
            }
            assertThat(refused).isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(refused.getCause()).isInstanceOf(StoreException.EarlierAppendFailed.class).hasCause(poisoning.getCause())
                    .hasMessage("run r1: an earlier append of this coordinator (epoch " + epoch
                            + ") failed, so its later appends are refused; resume the run to continue");
            assertThat(waiting.get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
        }
    }

    @Test
    void aLockHeldPastTheBoundFailsTheWriteWithNothingWrittenAndTheRunResumesOnceItIsReleased() throws Exception {
        List<String> notices = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(dir, new SqliteDialect(BUSY_MILLIS), 1_000)) {
            store.noticesTo(notices::add);
            store.createRun(TestPlans.created("r1", 2));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            Throwable failure;
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                CompletableFuture<Long> appended = store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
                failure = catchThrowable(() -> appended.get(10, TimeUnit.SECONDS));
                s.execute("COMMIT");
            }
            assertThat(failure.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("SQLITE_BUSY").hasMessageContaining("waited 1 s").hasMessageContaining("nothing of these writes was recorded")
                    // the holder named in the error too, as a write given up before the notice's delay has no notice
                    .hasMessageContaining("`fuser -v " + dir.resolve("swarm.db") + "` lists the processes that have it open)");
            assertThat(notices).hasSize(1);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
            // a resume claims the run again and goes on
            long again = store.claimRun("r1", "host:1", 60_000);
            assertThat(store.append("r1", again, List.of(new RunEvent.RunStarted(again, "host:1", true))).join()).isEqualTo(2);
        }
    }
}
