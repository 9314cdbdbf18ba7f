package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Another connection (a {@code sqlite3} session, here a second JDBC connection to the same file) holds the database's
 * write lock with {@code BEGIN IMMEDIATE} for longer than the busy timeout: the store's writes wait for it, saying so,
 * up to a bound, instead of failing at the first busy timeout. Short timeouts keep the test fast: busy timeout 200 ms.
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
                assertThat(waiting).isNotDone();
                s.execute("COMMIT");
            }
            assertThat(failure).isInstanceOf(java.util.concurrent.ExecutionException.class);
            assertThat(failure.getCause()).isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("SQLITE_BUSY")
                    .hasMessageContaining("then stopped waiting: SIGINT (Ctrl-C) asked run r1 to stop")
                    .hasMessageContaining("nothing of this batch was written");
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
            // a new coordinator of r1 (a resume) waits for locks again and writes
            long again = store.claimRun("r1", "host:1", 600_000);
            assertThat(store.append("r1", again, List.of(new RunEvent.RunStarted(again, "host:1", true))).get(10, TimeUnit.SECONDS))
                    .isEqualTo(2);
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
                    .hasMessageContaining("SQLITE_BUSY").hasMessageContaining("waited 1 s").hasMessageContaining("nothing of this batch was written");
            assertThat(notices).hasSize(1);
            assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L);
            // a resume claims the run again and goes on
            long again = store.claimRun("r1", "host:1", 60_000);
            assertThat(store.append("r1", again, List.of(new RunEvent.RunStarted(again, "host:1", true))).join()).isEqualTo(2);
        }
    }
}
