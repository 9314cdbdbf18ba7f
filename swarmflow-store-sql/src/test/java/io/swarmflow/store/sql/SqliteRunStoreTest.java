package io.swarmflow.store.sql;

import io.swarmflow.store.Appended;
import io.swarmflow.store.RunEvent;
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
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteRunStoreTest extends SqlRunStoreContractTest {
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
    protected SqlRunStore store() {
        return store;
    }

    @Override
    protected RunStore reopen() {
        store.close();
        store = SqlRunStore.openSqlite(dir.resolve(".swarm"));
        return store;
    }

    @Override
    protected SqlRunStore openAnother() {
        return SqlRunStore.openSqlite(dir.resolve(".swarm"));
    }

    /** {@code PRAGMA synchronous}: 2 FULL, 1 NORMAL. */
    @Override
    protected boolean writerCommitsWaitForTheDisk() throws Exception {
        try (Statement s = store.writerConnectionForTests().createStatement(); java.sql.ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
            return rs.getInt(1) == 2;
        }
    }

    @Test
    void openCreatesTheStateDirectoryAndAWalDatabase() throws Exception {
        assertThat(dir.resolve(".swarm/swarm.db")).isRegularFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(".swarm/swarm.db"));
             Statement s = c.createStatement()) {
            assertThat(s.executeQuery("PRAGMA journal_mode").getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    /**
     * The writer as {@link SqliteDialect} says: its write-ahead log checkpointed at
     * {@link SqliteDialect#WAL_AUTOCHECKPOINT_PAGES} pages of SQLite's default 4 KiB (the bound docs/architecture.md
     * gives), and, once open, a busy timeout of one lock try ({@link SqliteDialect#WRITER_LOCK_TRY_MILLIS}), the whole
     * busy timeout being only for the schema check and the switch to WAL.
     */
    @Test
    void theWritersLogBoundAndLockTryAreTheDialectsOnceOpen() throws Exception {
        try (Statement s = store.writerConnectionForTests().createStatement()) {
            assertThat(s.executeQuery("PRAGMA wal_autocheckpoint").getInt(1)).isEqualTo(SqliteDialect.WAL_AUTOCHECKPOINT_PAGES);
            assertThat(s.executeQuery("PRAGMA page_size").getInt(1)).isEqualTo(4096);
            assertThat(s.executeQuery("PRAGMA busy_timeout").getInt(1)).isEqualTo(SqliteDialect.WRITER_LOCK_TRY_MILLIS);
        }
    }

    /**
     * An append is acknowledged with its transaction's one reading of the store clock, the time written into its events'
     * rows, here on a host clock a second further at each reading: a store that read the clock again to acknowledge
     * (once committed) would acknowledge a time the log does not hold.
     */
    @Test
    void anAppendIsAcknowledgedWithItsTransactionsTimeOnAClockThatMovesAtEachReading() {
        AtomicLong readings = new AtomicLong();
        long start = System.currentTimeMillis();
        try (SqlRunStore moving = SqlRunStore.openSqlite(dir.resolve("moving"), () -> start + 1_000 * readings.incrementAndGet())) {
            moving.createRun(TestPlans.created("r1", 2));
            long epoch = moving.claimRun("r1", "host:1", 60_000);
            List<List<RunEvent>> batches = List.of(
                    List.of(new RunEvent.RunStarted(epoch, "host:1", false), new RunEvent.TicketReady("t0")),
                    List.of(new RunEvent.TicketReady("t1"), new RunEvent.AttemptStarted("t0", 1, 60_000)),
                    List.of(new RunEvent.AttemptStarted("t1", 1, 60_000)));
            long seq = 1;
            for (List<RunEvent> batch : batches) {
                long before = readings.get();
                Appended ack = moving.appendRecorded("r1", epoch, batch).join();
                assertThat(readings.get()).as("the clock moved while appending").isGreaterThan(before);

                List<StoredEvent> recorded = moving.events("r1", seq, 100);
                seq += batch.size();
                assertThat(ack.lastSeq()).isEqualTo(seq);
                assertThat(recorded).extracting(StoredEvent::atEpochMillis).hasSize(batch.size()).containsOnly(ack.atEpochMillis());
            }
        }
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

    /**
     * A damaged plan is said in one line without the parser's internals (review R1 finding 5: Jackson's message, with
     * "[Source: REDACTED ...]", "through reference chain" and class names, spanned two lines): where it is and how.
     */
    @Test
    void aDamagedPlanIsSaidWithoutTheParsersInternals() throws Exception {
        store.createRun(TestPlans.created("r1", 1));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(".swarm/swarm.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("UPDATE event_batches SET payload = substr(payload, 1, 60) WHERE run_id = 'r1' AND first_seq = 1");
        }
        assertThatThrownBy(() -> store.plan("r1"))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessage("the plan of run r1 (event 1 in " + dir.resolve(".swarm/swarm.db") + ") is damaged (JSON ends at "
                        + "column 61): that run cannot be shown, reported or resumed; start a new run");
        assertThatThrownBy(() -> store.events("r1", 0, 10))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessage("events 1..1 of run r1 in " + dir.resolve(".swarm/swarm.db") + " are damaged (JSON ends at "
                        + "column 61): that run cannot be resumed; start a new run");
    }

    /** The three kinds of damage, each with its place; the line is named only past the first. */
    @Test
    void damageNamesWhatIsWrongAndWhere() {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Exception cut = org.assertj.core.api.Assertions.catchException(() -> json.readTree("[{\"a\": \"b"));
        Exception garbage = org.assertj.core.api.Assertions.catchException(() -> json.readTree("[{\"a\":\n x}]"));
        Exception wrongShape = org.assertj.core.api.Assertions.catchException(() -> json.readValue("{\"a\": 1}", List.class));

        assertThat(SqlRunStore.damage(cut)).isEqualTo("JSON ends at column 10");
        assertThat(SqlRunStore.damage(garbage)).isEqualTo("invalid JSON at line 2, column 3");
        assertThat(SqlRunStore.damage(wrongShape)).isEqualTo("unexpected JSON at column 1");
        assertThat(SqlRunStore.damage(new IllegalArgumentException("io.swarmflow.X: bad"))).isEqualTo("a value Swarmflow does not accept");
    }


}
