package io.swarmflow.store.sql;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.AttemptFinished;
import io.swarmflow.store.RunEvent.AttemptStarted;
import io.swarmflow.store.RunEvent.TicketReady;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The store contract on PostgreSQL ({@link PostgresTestDatabase}), each test in a schema of its own. */
class PostgresRunStoreTest extends SqlRunStoreContractTest {
    private String schema;
    private SqlRunStore store;

    @BeforeEach
    void open() {
        PostgresTestDatabase.assumeReachable();
        schema = PostgresTestDatabase.newSchema();
        store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
    }

    @AfterEach
    void close() {
        if (store != null) store.close();
        PostgresTestDatabase.drop(schema);
    }

    private static final long HOUR = 3_600_000;

    /**
     * Hosts sharing the database judge leases by the server's clock, not by theirs: a coordinator on a host whose clock is
     * an hour behind takes a lease of a minute, and one on a host an hour ahead, to which that lease looks long expired
     * by its own clock, is refused the run while it runs; both stores' clocks read the server's.
     */
    @Test
    void leasesAreJudgedByTheServersClockWhateverTheHostsClocksSay() throws Exception {
        try (SqlRunStore behind = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema, () -> System.currentTimeMillis() - HOUR);
             SqlRunStore ahead = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema, () -> System.currentTimeMillis() + HOUR)) {
            behind.createRun(TestPlans.created("r1", 1));
            long epoch = behind.claimRun("r1", "behind:1", 60_000);
            behind.heartbeat("r1", epoch, 60_000);
            long server = serverMillis();
            assertThat(behind.lease("r1").orElseThrow().expiresAtMillis()).isBetween(server + 50_000, server + 61_000);
            assertThatThrownBy(() -> ahead.claimRun("r1", "ahead:1", 60_000)).isInstanceOf(StoreException.RunLocked.class);
            for (SqlRunStore skewed : List.of(behind, ahead)) {
                assertThat(skewed.now()).isBetween(serverMillis() - 10_000, serverMillis() + 10_000);
            }
            assertThat(behind.run("r1").orElseThrow().createdAtMillis()).as("event times too").isBetween(server - 10_000, server);
        }
    }

    /**
     * The offset between the server's clock and this host's is taken from the middle of the round trip that read the
     * server's, as NTP does, not from its end: a host clock that jumps an hour at each reading makes every round trip an
     * hour long, so the server read its clock half an hour after the reading before it. {@code now()} is then a whole
     * number of hours plus half an hour after the server's time (it was a whole number of hours when the offset was
     * measured against the reading after the round trip).
     */
    @Test
    void theClockOffsetIsMeasuredFromTheMiddleOfTheRoundTrip() throws Exception {
        java.util.concurrent.atomic.AtomicLong host = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
        try (SqlRunStore jumpy = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema, () -> host.getAndAdd(HOUR))) {
            jumpy.createRun(TestPlans.created("r1", 1));
            long before = serverMillis();
            jumpy.claimRun("r1", "host:1", 60_000); // a write transaction: it measures the offset again
            long after = serverMillis();
            long ahead = jumpy.now() - (before + after) / 2;
            assertThat(Math.floorMod(ahead, HOUR)).as("%s ms ahead of the server", ahead)
                    .isBetween(HOUR / 2 - 10_000 - (after - before), HOUR / 2 + 10_000 + (after - before));
        }
        assertThat(SqlRunStore.clockOffset(1_000, 0, 400)).as("halfway: sent at 0, received at 400").isEqualTo(800);
        assertThat(SqlRunStore.clockOffset(5_000, 6_000, 6_000)).isEqualTo(-1_000);
    }

    private long serverMillis() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    protected SqlRunStore store() {
        return store;
    }

    @Override
    protected RunStore reopen() {
        store.close();
        store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
        return store;
    }

    @Override
    protected SqlRunStore openAnother() {
        return SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
    }

    /** Half a local round trip is well under a millisecond, but CI machines stall; a lease renewed here is 60 s long. */
    @Override
    protected long clockEstimateSlackMillis() {
        return 1_000;
    }

    @Override
    protected boolean writerCommitsWaitForTheDisk() throws Exception {
        try (Statement s = store.writerConnectionForTests().createStatement(); ResultSet rs = s.executeQuery("SHOW synchronous_commit")) {
            rs.next();
            return rs.getString(1).equals("on");
        }
    }

    /**
     * The writer's statements are planned once for any parameters: a set-based write ({@link Dialect#setBasedWrites})
     * planned for its arrays' length (a thousand rows here) would hash the whole tickets table (20,000 rows) rather than
     * look its rows up by key.
     */
    @Test
    void theWritersSetBasedUpdateLooksTicketsUpByKeyWhateverTheBatchSize() throws Exception {
        startRun("r1", 20_000);
        try (Statement s = store.writerConnectionForTests().createStatement()) {
            s.execute("ANALYZE tickets");
            s.execute("PREPARE probe(text[], text[]) AS UPDATE tickets SET state = tickets.state FROM unnest($1, $2) AS u(run_id, ticket_id) "
                    + "WHERE tickets.run_id = u.run_id AND tickets.ticket_id = u.ticket_id");
            StringBuilder plan = new StringBuilder();
            String ids = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "t" + i).collect(java.util.stream.Collectors.joining(","));
            try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE probe(array_fill('r1'::text, ARRAY[1000]), '{" + ids + "}')")) {
                while (rs.next()) plan.append(rs.getString(1)).append('\n');
            } finally {
                s.execute("DEALLOCATE probe");
            }
            assertThat(plan.toString()).contains("Index Scan using tickets_pkey").doesNotContain("Seq Scan on tickets");
        }
    }

    @Test
    void theTablesAreCreatedInTheStoresOwnSchemaOnly() throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL);
             var s = c.prepareStatement("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name")) {
            s.setString(1, schema);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            assertThat(tables).containsExactly("attempts", "event_batches", "flyway_schema_history", "run_commands", "runs", "tickets", "time_marks");
        }
    }

    @Test
    void aSchemaHoldingOtherTablesIsReportedAsCorruptNamingTheSchema() throws Exception {
        String foreign = PostgresTestDatabase.newSchema();
        try {
            PostgresTestDatabase.execute("public", "CREATE SCHEMA " + foreign, "CREATE TABLE " + foreign + ".runs (x INTEGER)");
            assertThatThrownBy(() -> SqlRunStore.openPostgres(PostgresTestDatabase.URL, foreign))
                    .isInstanceOf(StoreException.Corrupt.class)
                    .hasMessageContaining("schema " + foreign).hasMessageContaining("RENAME TO " + foreign + "_broken");
        } finally {
            PostgresTestDatabase.drop(foreign);
        }
    }

    @Test
    void unreadablePlanIsReportedAsCorruptNamingTheRun() throws Exception {
        store.createRun(TestPlans.created("r1", 1));
        PostgresTestDatabase.execute(schema, "UPDATE event_batches SET payload = '[{\"type\":\"run-created\",\"plan\":{\"concurrency\":0' "
                + "WHERE run_id = 'r1' AND first_seq = 1");
        assertThatThrownBy(() -> store.plan("r1"))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("run r1");
    }

    @Test
    void anUnreachableServerIsNotTakenForACorruptStoreAndItsPasswordStaysOutOfTheMessage() {
        assertThatThrownBy(() -> SqlRunStore.openPostgres("jdbc:postgresql://127.0.0.1:1/test?user=postgres&password=s3cret&connectTimeout=2", schema))
                .isInstanceOf(StoreException.class).isNotInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("cannot open schema " + schema + " of jdbc:postgresql://127.0.0.1:1/test")
                .hasMessageNotContaining("s3cret");
    }

    /** PostgreSQL text cannot hold U+0000: the request carrying one is refused by itself, not the whole write batch. */
    @Test
    void aRequestCarryingANulIsRefusedAloneAndNamesWhatHoldsIt() {
        long epoch = startRun("r1", 2);
        long other = startRun("r2", 2);
        append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000));
        var bad = store.append("r1", epoch, List.of(new AttemptFinished("t0", 1, Outcome.FAILED, 1, "exit\u0000", Map.of())));
        var good = store.append("r2", other, List.of(new TicketReady("t0")));

        assertThat(failure(bad)).isInstanceOf(StoreException.class).hasMessageContaining("event 1 (attempt-finished)")
                .hasMessageContaining("U+0000").hasMessageContaining("nothing of this request was written");
        assertThat(good.join()).isEqualTo(3);
        assertThat(store.attempts("r1")).singleElement().satisfies(a -> assertThat(a.isRunning()).isTrue());
        // a backslash followed by u0000 is text, not a NUL
        assertThat(store.append("r2", other, List.of(new AttemptStarted("t0", 1, 60_000),
                new AttemptFinished("t0", 1, Outcome.FAILED, 1, "\\u0000", Map.of()))).join()).isEqualTo(5);
        assertThat(store.tickets("r2").getFirst().reason()).isEqualTo("\\u0000");

        assertThatThrownBy(() -> store.createRun(new RunEvent.RunCreated("r3", TestPlans.chain("swarm\u0000", 1), "swarm.yaml")))
                .isInstanceOf(StoreException.class).hasMessageContaining("the run or its plan");
        assertThatThrownBy(() -> store.submitCommand(new RunCommand(0, "r2", RunCommand.Kind.REJECT, "t1", "ann", "no\u0000", 0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("the reason");
        assertThatThrownBy(() -> store.claimRun("r2", "host\u0000", 60_000)).isInstanceOf(StoreException.class).hasMessageContaining("the owner");
        assertThat(store.runs()).extracting(RunView::runId).containsExactly("r2", "r1");
        assertReplayEquals("r1");
        assertReplayEquals("r2");
    }

    /**
     * Another session holds a lock the writer needs (here the run's row, as a {@code psql} session in a transaction would;
     * a migration's table lock alike) for longer than {@code lock_timeout}: the server fails the statement with 55P03,
     * and the writer begins the whole transaction again, saying so once, until the lock is released, instead of failing
     * the batch (which stopped the run with an internal error after 10 s).
     */
    @Test
    void aWritePastTheLockTimeoutWaitsForTheLockAnotherSessionHoldsSaysSoAndIsWrittenOnce() throws Exception {
        store.close();
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(PostgresTestDatabase.URL);
        store = new SqlRunStore(new PostgresDialect(schema, 200), ds, "schema " + schema, "start a new run",
                SqlRunStore.LOCK_WAIT_MILLIS, System::currentTimeMillis);
        List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        store.noticesTo(notices::add);
        long epoch = startRun("r1", 2);
        java.util.concurrent.CompletableFuture<Long> appended;
        try (Connection other = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s = other.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.execute("BEGIN");
            s.execute("SELECT 1 FROM runs WHERE run_id = 'r1' FOR UPDATE");
            long triesBefore = store.commitCounts().synced();
            appended = store.append("r1", epoch, List.of(new TicketReady("t0")));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= triesBefore + 3);
            assertThat(appended).isNotDone();
            assertThat(notices).hasSize(1);
            assertThat(notices.getFirst()).contains("schema " + schema + " is locked", "pg_blocking_pids");
            s.execute("COMMIT");
        }
        assertThat(appended.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(notices).hasSize(2);
        // the locks were another session's, on a row: not "the database schema ... is no longer locked"
        assertThat(notices.getLast()).startsWith("the other session released the locks the store's writes waited for in schema "
                + schema + " (after ").endsWith(" s); writes go on");
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
        assertReplayEquals("r1");
    }

    /**
     * A batch of two runs' appends where the first one's statements ran (its row locked, its events applied to the
     * writer's projection) before the second one's hit {@code lock_timeout} on a row another session holds: the whole
     * transaction is rolled back and written again once the lock is released, from the database's state, not from the
     * projection the rolled-back try left behind: each run's events are there once, in order.
     */
    @Test
    void aLockTimeoutAfterEarlierStatementsOfTheTransactionRedoesTheWholeTransactionOnce() throws Exception {
        useLockTimeout(200);
        long e1 = startRun("r1", 2);
        long e2 = startRun("r2", 2);
        long e3 = startRun("r3", 2);
        List<CompletableFuture<Long>> batch = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Connection holdsR3 = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s3 = holdsR3.createStatement();
             Connection holdsR2 = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s2 = holdsR2.createStatement()) {
            twoAppendsInOneBatchWhileR2IsLocked(s3, s2, e3, () -> {
                batch.add(store.append("r1", e1, List.of(new TicketReady("t0"), new TicketReady("t1"))));
                batch.add(store.append("r2", e2, List.of(new TicketReady("t0"))));
            });
            assertThat(batch.get(0)).isNotDone();
            s2.execute("COMMIT");
        }
        assertThat(batch.get(0).get(10, TimeUnit.SECONDS)).isEqualTo(4);
        assertThat(batch.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        assertReplayEquals("r1");
        assertReplayEquals("r2");
        assertReplayEquals("r3");
    }

    /**
     * A run asked to stop waiting for locks ({@link SqlRunStore#stopWaitingForLocks}) whose append was refused in the
     * same try of a batch that waits for another run's row: its coordinator stays poisoned, so a later append of it
     * cannot commit after the one that failed (a hole in what it believes it wrote).
     */
    @Test
    void aRunGivenUpInABatchThatGoesOnWaitingStaysRefusedAfterItsFailedAppend() throws Exception {
        useLockTimeout(200);
        long e1 = startRun("r1", 2);
        long e2 = startRun("r2", 2);
        long e3 = startRun("r3", 2);
        List<CompletableFuture<Long>> batch = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Long> later;
        try (Connection holdsR3 = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s3 = holdsR3.createStatement();
             Connection holdsR2 = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s2 = holdsR2.createStatement()) {
            twoAppendsInOneBatchWhileR2IsLocked(s3, s2, e3, () -> {
                batch.add(store.append("r1", e1, List.of(new TicketReady("no-such-ticket")))); // refused by the projection
                batch.add(store.append("r2", e2, List.of(new TicketReady("t0"))));
            });
            store.stopWaitingForLocks("r1", "SIGINT (Ctrl-C)");
            assertThat(failure(batch.get(0))).isInstanceOf(StoreException.class);
            later = store.append("r1", e1, List.of(new TicketReady("t0")));
            assertThat(batch.get(1)).isNotDone();
            s2.execute("COMMIT");
        }
        assertThat(batch.get(1).get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(failure(later)).isInstanceOf(StoreException.EarlierAppendFailed.class).hasMessageContaining("an earlier append of this coordinator")
                .hasCause(failure(batch.get(0)));
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L);
    }

    /** Reopens the store with writer connections that wait {@code millis} for a lock. */
    private void useLockTimeout(int millis) {
        store.close();
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setURL(PostgresTestDatabase.URL);
        store = new SqlRunStore(new PostgresDialect(schema, millis), ds, "schema " + schema, "start a new run",
                SqlRunStore.LOCK_WAIT_MILLIS, System::currentTimeMillis);
    }

    /**
     * Gets the appends {@code submit} makes into one batch that waits for run r2's row, which {@code s2} then holds: the
     * writer is held up first by r3's row ({@code s3}) while they are queued, then r3's is released and r2's held.
     * Returns once that batch has hit the lock timeout twice.
     */
    private void twoAppendsInOneBatchWhileR2IsLocked(Statement s3, Statement s2, long e3, Runnable submit) throws Exception {
        for (Statement s : List.of(s3, s2)) {
            s.execute("SET search_path TO " + schema);
            s.execute("BEGIN");
        }
        s3.execute("SELECT 1 FROM runs WHERE run_id = 'r3' FOR UPDATE");
        long tries = store.commitCounts().synced();
        CompletableFuture<Long> first = store.append("r3", e3, List.of(new TicketReady("t0")));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= tries + 2);
        submit.run();
        s2.execute("SELECT 1 FROM runs WHERE run_id = 'r2' FOR UPDATE");
        s3.execute("COMMIT");
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(3);
        long secondTries = store.commitCounts().synced();
        await().atMost(Duration.ofSeconds(10)).until(() -> store.commitCounts().synced() >= secondTries + 2);
    }

    /** The server rolls back a transaction whose connection broke, so the writer writes it again on a new connection. */
    @Test
    void aWriterWhoseConnectionWasCutWritesTheNextBatchOnANewOne() throws Exception {
        long epoch = startRun("r1", 2);
        int cut = writerPid();
        PostgresTestDatabase.execute("public", "SELECT pg_terminate_backend(" + cut + ")");
        await().atMost(Duration.ofSeconds(10)).until(() -> !backendExists(cut));

        assertThat(append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, 60_000))).isEqualTo(4);
        assertThat(writerPid()).isNotEqualTo(cut);
        store.heartbeat("r1", epoch, 60_000);
        reopen();
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        assertReplayEquals("r1");
    }

    /**
     * A server that ends idle sessions ({@code idle_session_timeout}, here set on the writer's own session) closed the
     * writer's connection between two batches: the next batch is written on a new connection, as after any lost one.
     */
    @Test
    void aWriterWhoseIdleSessionTheServerEndedWritesTheNextBatchOnANewOne() throws Exception {
        long epoch = startRun("r1", 2);
        int ended = writerPid();
        try (Statement s = store.writerConnectionForTests().createStatement()) {
            s.execute("SET idle_session_timeout = 100");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !backendExists(ended));

        assertThat(append("r1", epoch, new TicketReady("t0"))).isEqualTo(3);
        assertThat(writerPid()).isNotEqualTo(ended);
        assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
    }

    /**
     * PostgreSQL breaks a lock cycle by rolling back one of its transactions; when that is the writer's, the writer writes
     * the batch again. A waiting session looks for a cycle once, {@code deadlock_timeout} after it began to wait, and the
     * one that finds it is rolled back: the writer's sessions look after 5 s and the test's never (60 s), so the writer is
     * the one, however late (under 5 s) on a busy machine the test's session closes the cycle. (With both at the default
     * 1 s, a test session that closed it more than 1 s after the writer began to wait was rolled back instead.)
     */
    @Test
    void aBatchRolledBackToBreakADeadlockIsWrittenAgain() throws Exception {
        store.close();
        store = SqlRunStore.openPostgres(PostgresTestDatabase.URL + "&options=-c%20deadlock_timeout%3D5s", schema);
        long e1 = startRun("r1", 1);
        long e2 = startRun("r2", 1);
        long e3 = startRun("r3", 1);
        int writer = writerPid();
        try (Connection c1 = locking("r3"); Connection c2 = locking("r2")) {
            var first = store.append("r3", e3, List.of(new TicketReady("t0")));
            await().atMost(Duration.ofSeconds(10)).until(() -> waitsForALock(writer));
            // queued while the writer waits: one batch, which locks r1 and then waits for r2
            var a1 = store.append("r1", e1, List.of(new TicketReady("t0")));
            var a2 = store.append("r2", e2, List.of(new TicketReady("t0")));
            c1.rollback();
            assertThat(first.join()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> waitsForALock(writer));
            var closesTheCycle = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try (Statement s = c2.createStatement()) {
                    s.execute("SET deadlock_timeout = '60s'");
                    s.executeQuery("SELECT 1 FROM runs WHERE run_id = 'r1' FOR UPDATE").close();
                } catch (java.sql.SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            closesTheCycle.get(30, java.util.concurrent.TimeUnit.SECONDS); // the writer's transaction was the victim
            c2.rollback();
            assertThat(a1.join()).isEqualTo(3);
            assertThat(a2.join()).isEqualTo(3);
        }
        assertReplayEquals("r1");
        assertReplayEquals("r2");
    }

    /** A connection of its own, in a transaction that holds the row lock of {@code run}. */
    private Connection locking(String run) throws Exception {
        Connection c = DriverManager.getConnection(PostgresTestDatabase.URL);
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.executeQuery("SELECT 1 FROM runs WHERE run_id = '" + run + "' FOR UPDATE").close();
        }
        return c;
    }

    private static boolean waitsForALock(int pid) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL);
             var s = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ? AND wait_event_type = 'Lock'")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private int writerPid() throws Exception {
        try (Statement s = store.writerConnectionForTests().createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean backendExists(int pid) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL);
             var s = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
            s.setInt(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Test
    void schemaNamesThatWouldNeedQuotingAreRefused() {
        for (String bad : List.of("", "Swarm", "swarm; DROP TABLE x", "1swarm", "pg_catalog", "a".repeat(64))) {
            assertThatThrownBy(() -> SqlRunStore.openPostgres(PostgresTestDatabase.URL, bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema name");
        }
    }
}
