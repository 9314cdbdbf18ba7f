package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent.AttemptProcessStarted;
import io.swarmflow.store.RunEvent.AttemptStarted;
import io.swarmflow.store.RunEvent.TicketReady;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SqliteRunStoreTest extends RunStoreContractTest {
    @TempDir
    Path dir;
    private SqlRunStore store;

    @BeforeEach
    void open() {
        store = SqlRunStore.openSqlite(dir.resolve(".swarm"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Override
    protected RunStore store() {
        return store;
    }

    @Override
    protected RunStore reopen() {
        store.close();
        store = SqlRunStore.openSqlite(dir.resolve(".swarm"));
        return store;
    }

    @Test
    void openCreatesTheStateDirectoryAndAWalDatabase() throws Exception {
        assertThat(dir.resolve(".swarm/swarm.db")).isRegularFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(".swarm/swarm.db"));
             Statement s = c.createStatement()) {
            assertThat(s.executeQuery("PRAGMA journal_mode").getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void completedAppendIsVisibleToAnotherStoreOnTheSameFile() {
        long epoch = startRun("r1", 2);
        long seq = store.append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000))).join();

        try (SqlRunStore other = SqlRunStore.openSqlite(dir.resolve(".swarm"))) {
            assertThat(other.events("r1", 0, 100)).extracting(StoredEvent::seq).endsWith(seq);
            assertThat(other.attempts("r1")).hasSize(1);
        }
    }

    @Test
    void writerNoticesAppendsByAnotherProcessAndFencesTheOldCoordinator() {
        long epoch = startRun("r1", 2);
        store.releaseRun("r1", epoch);
        try (SqlRunStore other = SqlRunStore.openSqlite(dir.resolve(".swarm"))) {
            long newer = other.claimRun("r1", "other:2", 60_000);
            other.append("r1", newer, List.of(new TicketReady("t0"))).join();
            assertThat(failure(store.append("r1", epoch, List.of(new TicketReady("t1"))))).isInstanceOf(StoreException.Fenced.class);
        }
        // the first store's cache was refreshed from the table, so the run continues consistently
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
        assertReplayEquals("r1");
    }

    @Test
    void onlyTransactionsOfProcessStartRecordsCommitWithoutFsyncAndTheyStayInOrder() throws Exception {
        long epoch = startRun("r1", 2);
        store.append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000))).join();
        SqlRunStore.CommitCounts before = store.commitCounts();

        store.append("r1", epoch, List.of(new AttemptProcessStarted("t0", 1, 4242, 99))).join();
        SqlRunStore.CommitCounts afterStart = store.commitCounts();
        assertThat(writerSynchronous()).as("NORMAL").isEqualTo(1);
        store.append("r1", epoch, List.of(new AttemptProcessStarted("t0", 1, 4242, 99), new TicketReady("t1"))).join();
        SqlRunStore.CommitCounts afterMixed = store.commitCounts();
        assertThat(writerSynchronous()).as("FULL again").isEqualTo(2);
        store.append("r1", epoch, List.of(new AttemptStarted("t1", 1, 60_000))).join();
        SqlRunStore.CommitCounts afterNext = store.commitCounts();

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

    /** The writer connection's {@code PRAGMA synchronous} (1 NORMAL, 2 FULL), read while no append is in flight. */
    private int writerSynchronous() throws Exception {
        try (Statement s = store.writerConnectionForTests().createStatement(); java.sql.ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
            return rs.getInt(1);
        }
    }

    @Test
    void heartbeatRenewsTheRunLeaseAndRunningAttemptLeases() {
        long epoch = startRun("r1", 2);
        store.append("r1", epoch, List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, 20))).join();
        long firstLease = store.attemptLeaseExpiresAt("r1", "t0", 1).orElseThrow();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.now() > firstLease);

        long before = store.now();
        store.heartbeat("r1", epoch, 60_000);

        assertThat(store.attemptLeaseExpiresAt("r1", "t0", 1).orElseThrow()).isGreaterThanOrEqualTo(before + 60_000);
        assertThat(store.lease("r1").orElseThrow().expiresAtMillis()).isGreaterThanOrEqualTo(before + 60_000);
        assertThat(store.lease("r1").orElseThrow().owner()).isEqualTo("host:1");
    }

    @Test
    void garbageFileIsReportedAsCorruptWithItsPath() throws Exception {
        store.close();
        Path state = dir.resolve("broken");
        Files.createDirectories(state);
        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(state.resolve("swarm.db"), garbage);

        assertThatThrownBy(() -> SqlRunStore.openSqlite(state))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining(state.resolve("swarm.db").toString())
                .hasMessageContaining("cannot be resumed");
    }

    @Test
    void foreignSqliteDatabaseIsReportedAsCorrupt() throws Exception {
        Path state = dir.resolve("foreign");
        Files.createDirectories(state);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("swarm.db"));
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE runs (x INTEGER)");
        }
        assertThatThrownBy(() -> SqlRunStore.openSqlite(state))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining(state.resolve("swarm.db").toString());
    }

    @Test
    void unreadablePlanIsReportedAsCorruptNamingTheRun() throws Exception {
        store.createRun(TestPlans.created("r1", 1));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(".swarm/swarm.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("UPDATE event_batches SET payload = '[{\"type\":\"run-created\",\"plan\":{\"concurrency\":0' WHERE run_id = 'r1' AND first_seq = 1");
        }
        assertThatThrownBy(() -> store.plan("r1"))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("run r1");
    }

    @Test
    void closedStoreRefusesWrites() {
        store.close();
        assertThat(failure(store.append("r1", 1, List.of(new TicketReady("t0"))))).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }
}
