package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The PostgreSQL schema: a fresh schema migrates, reopening is idempotent, and the dialect knows Flyway's checksums. */
class PostgresMigrationTest {
    private String schema;

    @BeforeEach
    void reachable() {
        PostgresTestDatabase.assumeReachable();
        schema = PostgresTestDatabase.newSchema();
    }

    @AfterEach
    void drop() {
        PostgresTestDatabase.drop(schema);
    }

    private Flyway flyway() {
        return Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(PostgresTestDatabase.URL, null, null)
                .schemas(schema).locations(new PostgresDialect(schema).migrationLocation()).load();
    }

    @Test
    void aFreshSchemaIsCreatedAndMigratedAndReopeningChangesNothing() throws Exception {
        try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
            store.createRun(TestPlans.created("r1", 2));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false))).join();
        }
        String history = historyRows();
        assertThat(history).isEqualTo("1:true,2:true,3:true,4:true,5:true,6:true,7:true,8:true");
        for (int i = 0; i < 2; i++) {
            try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
                assertThat(store.events("r1", 0, 100)).extracting(StoredEvent::seq).containsExactly(1L, 2L);
            }
        }
        assertThat(historyRows()).as("reopening applies nothing again").isEqualTo(history);
        assertThat(flyway().info().pending()).isEmpty();
    }

    /** As on SQLite ({@link SqliteMigrationTest}): a schema that a newer swarm migrated is refused, saying to use that swarm. */
    @Test
    void aSchemaMigratedByANewerSwarmIsRefusedSayingToUseTheNewerSwarm() throws Exception {
        int future = java.util.Collections.max(new PostgresDialect(schema).migrationChecksums().keySet()) + 1;
        SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema).close();
        PostgresTestDatabase.execute(schema, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, "
                + "checksum, installed_by, execution_time, success) VALUES (" + future + ", '" + future + "', 'run labels', 'SQL', "
                + "'V" + future + "__run_labels.sql', 1, 'x', 1, true)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema).close())
                .isInstanceOf(io.swarmflow.store.StoreException.Corrupt.class)
                .hasMessageStartingWith("schema " + schema + " of " + PostgresTestDatabase.URL + " was written by a newer swarm: its "
                        + "schema is at version " + future + " (run labels), and this swarm knows versions up to " + (future - 1))
                .hasMessageContaining("nothing was changed. Use the newer swarm");
    }

    /**
     * Runs created before version 3 get the first line of their description into their row once, at the migration,
     * from the plan in their first event, as on SQLite ({@link SqliteMigrationTest}); an unreadable first event leaves
     * it empty and does not stop the migration.
     */
    @Test
    void runsCreatedBeforeVersion3GetTheFirstLineOfTheirDescriptionFromTheirPlan() throws Exception {
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(PostgresTestDatabase.URL, null, null)
                .schemas(schema).locations(new PostgresDialect(schema).migrationLocation()).target("2").load().migrate();
        try (Connection c = connection()) {
            SqliteMigrationTest.insertOldRun(c, 1, TestPlans.created("described", 1, " \tNightly build of the site\t\r\nIt also checks the links."), null);
            SqliteMigrationTest.insertOldRun(c, 2, TestPlans.created("undescribed", 1, ""), null);
            SqliteMigrationTest.insertOldRun(c, 3, TestPlans.created("unreadable", 1, "x"), "[{\"type\":\"run-created\",\"plan\":{");
        }
        try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
            assertThat(store.runs()).extracting(io.swarmflow.store.RunView::runId, io.swarmflow.store.RunView::description).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("unreadable", null), org.assertj.core.groups.Tuple.tuple("undescribed", null),
                    org.assertj.core.groups.Tuple.tuple("described", "Nightly build of the site"));
        }
    }

    /**
     * Version 4 leaves room on the pages of the tickets and attempts tables for their rows' next versions (fill factors
     * 50 and 70), so that most updates of a ticket or attempt are heap-only; a schema of version 3 gets it on opening,
     * its runs unchanged.
     */
    @Test
    void aSchemaOfVersion3GetsRoomOnTheProjectionPagesAndKeepsItsRuns() throws Exception {
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(PostgresTestDatabase.URL, null, null)
                .schemas(schema).locations(new PostgresDialect(schema).migrationLocation()).target("3").load().migrate();
        assertThat(fillFactors()).isEqualTo("attempts:null,tickets:null");
        try (Connection c = connection()) {
            SqliteMigrationTest.insertOldRun(c, 1, TestPlans.created("old", 1), null);
        }
        try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
            assertThat(store.runs()).extracting(io.swarmflow.store.RunView::runId).containsExactly("old");
            assertThat(store.tickets("old")).extracting(io.swarmflow.store.TicketView::ticketId).containsExactly("t0");
        }
        assertThat(fillFactors()).isEqualTo("attempts:{fillfactor=70},tickets:{fillfactor=50}");
    }

    /** Each projection table's storage options ({@code pg_class.reloptions}), {@code name:options} by name. */
    private String fillFactors() throws Exception {
        try (Connection c = connection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT relname, reloptions FROM pg_class WHERE relnamespace = '" + schema + "'::regnamespace "
                     + "AND relname IN ('tickets', 'attempts') ORDER BY relname")) {
            List<String> out = new java.util.ArrayList<>();
            while (rs.next()) out.add(rs.getString(1) + ":" + rs.getString(2));
            return String.join(",", out);
        }
    }

    @Test
    void migrationsArePlainNumberedFilesAndTheDialectListsFlywaysChecksums() throws Exception {
        Map<String, String> released = Map.of(
                "V1__init.sql", "2d00869c7b0aaf5bdf763d816dbf1a7c7e2cd4d00b89f1ad580a46561f10aa6b");
        Map<String, String> found = new TreeMap<>();
        try (var files = java.nio.file.Files.list(Path.of("src/main/resources/db/migration/postgresql"))) {
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

        Map<Integer, Integer> computed = new TreeMap<>();
        for (org.flywaydb.core.api.MigrationInfo m : flyway().info().all()) {
            computed.put(Integer.parseInt(m.getVersion().getVersion()), m.getChecksum());
        }
        assertThat(computed.keySet()).containsExactlyElementsOf(versions);
        assertThat(new TreeMap<>(new PostgresDialect(schema).migrationChecksums()))
                .as("PostgresDialect.migrationChecksums must list Flyway's checksum of every migration").isEqualTo(computed);
    }

    @Test
    void flywayIsSkippedOnlyWhenItsHistoryHasExactlyTheMigrationsOfThisBuild() throws Exception {
        Map<Integer, Integer> current = new PostgresDialect(schema).migrationChecksums();
        try (Connection c = connection()) {
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("no schema yet").isFalse();
        }
        SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema).close();
        try (Connection c = connection(); var s = c.createStatement()) {
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).isTrue();
            s.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
            assertThat(SqlRunStore.schemaIsCurrent(c, current)).as("applied from another text of V1: Flyway decides").isFalse();
        }
    }

    /** An edited migration is refused (by Flyway, which the fast path hands over to), not silently accepted. */
    @Test
    void aSchemaThatAppliedAnotherTextOfAMigrationIsRefusedAsNotReadable() throws Exception {
        SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema).close();
        PostgresTestDatabase.execute(schema, "UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '1'");
        assertThatThrownBy(() -> SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema).close())
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("schema " + schema).hasMessageContaining("checksum");
    }

    private Connection connection() throws Exception {
        Connection c = DriverManager.getConnection(PostgresTestDatabase.URL);
        try (var s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
        }
        return c;
    }

    private String historyRows() throws Exception {
        try (Connection c = connection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
            StringBuilder out = new StringBuilder();
            while (rs.next()) out.append(out.isEmpty() ? "" : ",").append(rs.getString(1)).append(':').append(rs.getBoolean(2));
            return out.toString();
        }
    }
}
