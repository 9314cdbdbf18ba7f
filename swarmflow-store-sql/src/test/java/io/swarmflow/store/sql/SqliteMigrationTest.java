package io.swarmflow.store.sql;

import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoredEvent;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A state directory written by schema version 1 (one row per event) opens under the current schema with every event intact. */
class SqliteMigrationTest {
    @TempDir
    Path dir;

    @Test
    void version1EventRowsBecomeBatchesWithTheSameSequenceNumbers() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("swarm.db");
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite").target("1").load().migrate();
        RunEvent.RunCreated created = TestPlans.created("old", 2);
        PlannedTicket first = created.plan().tickets().getFirst();
        List<RunEvent> events = List.of(created, new RunEvent.RunStarted(1, "host:1@1", false), new RunEvent.TicketReady(first.id()));
        try (Connection c = DriverManager.getConnection(url)) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO runs (run_id, no, name, spec_path, state, created_at, started_at, "
                    + "finished_at, epoch, owner, cancel_requested, ticket_count, last_seq, claim_epoch) "
                    + "VALUES ('old', 1, 'swarm-old', 'swarm.yaml', 'running', 1000, 1001, 0, 1, 'host:1@1', 0, 2, 3, 1)")) {
                s.executeUpdate();
            }
            int idx = 0;
            for (PlannedTicket t : created.plan().tickets()) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO tickets (run_id, ticket_id, idx, state, attempt, failures, "
                        + "lease_expiries, started_at, finished_at, retry_at) VALUES ('old', ?, ?, ?, 0, 0, 0, 0, 0, 0)")) {
                    s.setString(1, t.id());
                    s.setInt(2, idx);
                    s.setString(3, idx == 0 ? "ready" : "pending");
                    s.executeUpdate();
                }
                idx++;
            }
            for (int i = 0; i < events.size(); i++) {
                try (PreparedStatement s = c.prepareStatement("INSERT INTO events (run_id, seq, at, type, ticket_id, payload) VALUES ('old', ?, ?, ?, ?, ?)")) {
                    s.setLong(1, i + 1);
                    s.setLong(2, 1000 + i);
                    s.setString(3, Json.typeName(events.get(i)));
                    s.setString(4, events.get(i).ticketId());
                    s.setString(5, Json.write(events.get(i)));
                    s.executeUpdate();
                }
            }
        }

        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            List<StoredEvent> read = store.events("old", 0, 100);
            assertThat(read).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L);
            assertThat(read).extracting(StoredEvent::atEpochMillis).containsExactly(1000L, 1001L, 1002L);
            assertThat(read).extracting(StoredEvent::event).containsExactlyElementsOf(events);
            assertThat(store.plan("old")).isEqualTo(created.plan());
            assertThat(store.events("old", 2, 100)).extracting(StoredEvent::seq).containsExactly(3L);
            long epoch = store.claimRun("old", "host:2@2", 60_000);
            store.append("old", epoch, List.of(new RunEvent.RunStarted(epoch, "host:2@2", true))).join();
            assertThat(store.events("old", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L, 4L);
        }
    }

    /**
     * Runs created before version 4 get the first line of their description into their row once, at the migration,
     * from the plan in their first event: what a run created now keeps ({@link io.swarmflow.store.RunView#descriptionLine}).
     * A first event that cannot be read leaves it empty and does not stop the migration.
     */
    @Test
    void runsCreatedBeforeVersion4GetTheFirstLineOfTheirDescriptionFromTheirPlan() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("swarm.db");
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite").target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            insertOldRun(c, 1, TestPlans.created("described", 1, " \tNightly build of the site\t\r\nIt also checks the links."), null);
            insertOldRun(c, 2, TestPlans.created("undescribed", 1, ""), null);
            insertOldRun(c, 3, TestPlans.created("unreadable", 1, "x"), "[{\"type\":\"run-created\",\"plan\":{");
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            assertThat(store.runs()).extracting(io.swarmflow.store.RunView::runId, io.swarmflow.store.RunView::description).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("unreadable", null), org.assertj.core.groups.Tuple.tuple("undescribed", null),
                    org.assertj.core.groups.Tuple.tuple("described", "Nightly build of the site"));
        }
    }

    /** A run's row and first event as a store of schema version 2 or 3 wrote them; {@code payload} null: the event's JSON. */
    static void insertOldRun(Connection c, int no, RunEvent.RunCreated created, String payload) throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO runs (run_id, no, name, spec_path, state, created_at, started_at, "
                + "finished_at, epoch, owner, cancel_requested, ticket_count, last_seq, claim_epoch) "
                + "VALUES (?, ?, ?, 'swarm.yaml', 'created', 1000, 0, 0, 0, NULL, 0, ?, 1, 0)")) {
            s.setString(1, created.runId());
            s.setInt(2, no);
            s.setString(3, created.plan().name());
            s.setInt(4, created.plan().tickets().size());
            s.executeUpdate();
        }
        int idx = 0;
        for (PlannedTicket t : created.plan().tickets()) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO tickets (run_id, ticket_id, idx, state, attempt, failures, "
                    + "lease_expiries, started_at, finished_at, retry_at) VALUES (?, ?, ?, 'pending', 0, 0, 0, 0, 0, 0)")) {
                s.setString(1, created.runId());
                s.setString(2, t.id());
                s.setInt(3, idx++);
                s.executeUpdate();
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO event_batches (run_id, first_seq, last_seq, at, payload) VALUES (?, 1, 1, 1000, ?)")) {
            s.setString(1, created.runId());
            s.setString(2, payload != null ? payload : "[" + Json.write(created) + "]");
            s.executeUpdate();
        }
    }

    /**
     * Opening a store skips Flyway when the history holds exactly the versions and checksums that
     * {@link SqliteDialect#migrationChecksums} lists (SqlRunStore.schemaIsCurrent); they must be what Flyway computes
     * for this build's files. Migrations are plain {@code V<n>__} files, numbered without gaps, and never edited once
     * released (an edited one would make Flyway refuse every database that applied it).
     */
    @Test
    void migrationsArePlainNumberedFilesThatNeverChangeAndTheDialectListsFlywaysChecksums() throws Exception {
        java.util.Map<String, String> released = java.util.Map.of(
                "V1__init.sql", "c40f343964069aa18abccfe37428e7b08f35556d43095dd35a02dc40e5124826",
                "V2__event_batches.sql", "2f14733e832a84c09ba0a2e409fb5172121b3885db2cc8e18b37a0581016641b");
        java.util.Map<String, String> found = new java.util.TreeMap<>();
        try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration/sqlite"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                assertThat(name).as("only V<n>__<description>.sql migrations (see SqlRunStore.schemaIsCurrent)").matches("V[1-9]\\d*__\\w+\\.sql");
                found.put(name, java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(java.nio.file.Files.readAllBytes(f))));
            }
        }
        for (var e : released.entrySet()) {
            assertThat(found.get(e.getKey())).as("%s was released: add a new migration instead of editing it", e.getKey()).isEqualTo(e.getValue());
        }
        List<Integer> versions = found.keySet().stream().map(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).sorted().toList();
        assertThat(versions).as("numbered 1..n without gaps").isEqualTo(java.util.stream.IntStream.rangeClosed(1, versions.getLast())
                .boxed().toList());

        String url = "jdbc:sqlite:" + dir.resolve("empty.db");
        java.util.Map<Integer, Integer> flyway = new java.util.TreeMap<>();
        for (org.flywaydb.core.api.MigrationInfo m : Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                .locations(new SqliteDialect().migrationLocation()).load().info().all()) {
            flyway.put(Integer.parseInt(m.getVersion().getVersion()), m.getChecksum());
        }
        assertThat(flyway.keySet()).containsExactlyElementsOf(versions);
        assertThat(new java.util.TreeMap<>(new SqliteDialect().migrationChecksums()))
                .as("SqliteDialect.migrationChecksums must list Flyway's checksum of every migration").isEqualTo(flyway);
    }

    /**
     * Attempt rows written before version 8 (here: the column dropped again and V8 taken out of Flyway's history, as a
     * version 7 database has them) read as not permanent once V8 has added the column, and keep everything else.
     */
    @Test
    void attemptsRecordedBeforeVersion8ReadAsNotPermanent() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            store.createRun(TestPlans.created("r1", 1));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false), new RunEvent.TicketReady("t0"),
                    new RunEvent.AttemptStarted("t0", 1, 60_000), new RunEvent.AttemptFinished("t0", 1,
                            io.swarmflow.store.Outcome.FAILED, 3, "exited with code 3", java.util.Map.of(), 7L))).join();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db")); var s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE attempts DROP COLUMN permanent");
            assertThat(s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '8'")).isOne();
        }

        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            assertThat(store.attempts("r1")).singleElement().satisfies(a -> {
                assertThat(a.permanent()).isFalse();
                assertThat(a.exitCode()).isEqualTo(3);
                assertThat(a.outputBytes()).isEqualTo(7L);
            });
            assertThat(store.attempts("r1")).isEqualTo(io.swarmflow.store.Projection.replay(store.events("r1", 0, 100)).attempts());
        }
    }

    @Test
    void flywayIsSkippedOnlyWhenItsHistoryHasExactlyTheMigrationsOfThisBuild() throws Exception {
        java.util.Map<Integer, Integer> current = new SqliteDialect().migrationChecksums();
        String url = "jdbc:sqlite:" + dir.resolve("swarm.db");
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("new database").isFalse();
        }
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite").target("1").load().migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("only version 1").isFalse();
        }
        SqlRunStore.openSqlite(dir).close(); // migrates to the newest version
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).isTrue();
            assertThat(SqlRunStore.schemaIsCurrent(c, java.util.Map.of())).as("a dialect without checksums: Flyway decides").isFalse();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO flyway_schema_history (installed_rank, version, description, type, "
                    + "script, checksum, installed_by, execution_time, success) VALUES (99, ?, 'later', 'SQL', 'V9__later.sql', 0, 'x', 0, 1)")) {
                s.setString(1, Integer.toString(current.size() + 1));
                s.executeUpdate();
            }
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("a newer migration: Flyway decides").isFalse();
            try (var s = c.createStatement()) {
                s.executeUpdate("DELETE FROM flyway_schema_history WHERE installed_rank = 99");
                assertThat(SqlRunStore.schemaIsCurrent(c, current)).isTrue();
                s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");
                assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("applied from another text of V2: Flyway decides").isFalse();
                s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum - 1 WHERE version = '2'");
                assertThat(SqlRunStore.schemaIsCurrent(c, current)).isTrue();
                s.executeUpdate("UPDATE flyway_schema_history SET success = 0 WHERE version = '1'");
                assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("a failed migration among the current ones: Flyway decides").isFalse();
            }
        }
    }

    /**
     * A database that a newer swarm migrated (here a fake version 5 in Flyway's history) is refused with what to do, not
     * opened: Flyway alone ignores a migration newer than its own ("future") and would let this swarm write to a schema
     * it does not know. Nothing is changed, and the newer swarm (here: the history without it) opens it as before.
     */
    @Test
    void aDatabaseMigratedByANewerSwarmIsRefusedSayingToUseTheNewerSwarm() throws Exception {
        int future = withFutureMigration(true);
        Path db = dir.resolve("swarm.db");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqlRunStore.openSqlite(dir).close())
                .isInstanceOf(io.swarmflow.store.StoreException.Corrupt.class)
                .hasMessage(db + " was written by a newer swarm: its schema is at version " + future + " (run labels), and this "
                        + "swarm knows versions up to " + (future - 1) + ", so it could misread what the newer one recorded; nothing "
                        + "was changed. Use the newer swarm (the one that last ran on this state, or a later one): `swarm version` "
                        + "says which one you run");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement()) {
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '" + future + "'");
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            assertThat(store.run("r1")).isPresent();
        }
    }

    /**
     * A refused database is left as it was, its journal mode too: one switched away from WAL by hand (here to
     * {@code DELETE}) is refused before anything switches it back to WAL, which SQLite writes to the file.
     */
    @Test
    void aNewerSwarmsDatabaseOutOfWalModeIsRefusedWithoutSwitchingItToWal() throws Exception {
        withFutureMigration(true);
        Path db = dir.resolve("swarm.db");
        assertThat(journalMode(db, "PRAGMA journal_mode = DELETE")).isEqualTo("delete");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqlRunStore.openSqlite(dir).close())
                .isInstanceOf(io.swarmflow.store.StoreException.Corrupt.class)
                .hasMessageContaining(db + " was written by a newer swarm");
        assertThat(journalMode(db, "PRAGMA journal_mode")).as("the journal mode kept in the file").isEqualTo("delete");
        assertThat(dir.resolve("swarm.db-wal")).doesNotExist();
    }

    /** The journal mode {@code pragma} (a query or a change of {@code journal_mode}) returns on a new connection to {@code db}. */
    private static String journalMode(Path db, String pragma) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement(); var r = s.executeQuery(pragma)) {
            return r.getString(1);
        }
    }

    /**
     * A newer swarm's migration recorded as failed (Flyway keeps such a row where DDL is not transactional) is refused
     * the same way, saying the newer swarm is the one to recover it, not handed to Flyway, whose error would call the
     * database unreadable and advise moving it aside.
     */
    @Test
    void aDatabaseWhoseNewerMigrationFailedIsRefusedSayingToUseTheNewerSwarm() throws Exception {
        int future = withFutureMigration(false);
        Path db = dir.resolve("swarm.db");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqlRunStore.openSqlite(dir).close())
                .isInstanceOf(io.swarmflow.store.StoreException.Corrupt.class)
                .hasMessage(db + " was being upgraded by a newer swarm, whose migration to schema version " + future
                        + " (run labels) failed; this swarm knows versions up to " + (future - 1) + "; nothing was changed. Use the "
                        + "newer swarm (the one that last ran on this state, or a later one), which says how to recover: "
                        + "`swarm version` says which one you run");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); var s = c.createStatement();
             var r = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE version = '" + future + "' AND success = 0")) {
            assertThat(r.getInt(1)).as("the failed row is left for the newer swarm").isEqualTo(1);
        }
    }

    /**
     * Makes a database with run r1 whose Flyway history also holds the version after this build's newest ("run
     * labels"), recorded as successful or failed, as a newer swarm would leave it.
     *
     * @return that version
     */
    private int withFutureMigration(boolean success) throws Exception {
        int future = java.util.Collections.max(new SqliteDialect().migrationChecksums().keySet()) + 1;
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            store.createRun(TestPlans.created("r1", 1));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db")); var s = c.createStatement()) {
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                    + "installed_by, execution_time, success) VALUES (" + future + ", '" + future + "', 'run labels', 'SQL', 'V"
                    + future + "__run_labels.sql', 1, '', 1, " + (success ? 1 : 0) + ")");
        }
        return future;
    }

    /** An edited migration is refused (by Flyway, which the fast path hands over to), not silently accepted. */
    @Test
    void aDatabaseThatAppliedAnotherTextOfAMigrationIsRefusedAsNotReadable() throws Exception {
        SqlRunStore.openSqlite(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("swarm.db")); var s = c.createStatement()) {
            s.executeUpdate("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '2'");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqlRunStore.openSqlite(dir).close())
                .isInstanceOf(io.swarmflow.store.StoreException.Corrupt.class)
                .hasMessageContaining("swarm.db").hasMessageContaining("checksum");
    }
}
