package io.swarmflow.store.sql;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Commands opening a new state directory at the same time (review R1, finding 1): each one migrates the schema, and
 * without the migration lock ({@link SqlRunStore#MIGRATION_LOCK_FILE}) SQLite refused one of them with SQLITE_BUSY inside
 * Flyway, which was reported as a damaged database with the advice to move the (healthy, live) state directory aside.
 */
class FirstOpenRaceTest {
    private static final int PROCESSES = 3;

    @TempDir
    Path tmp;

    /** The real case: separate processes (separate SQLite connections and file locks), released together. */
    @RepeatedTest(6)
    void processesOpeningANewStateDirectoryAtOnceAllSucceed() throws Exception {
        Path state = tmp.resolve("state");
        Path go = tmp.resolve("go");
        List<Process> probes = new ArrayList<>();
        try {
            for (int i = 0; i < PROCESSES; i++) {
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        FirstOpenRaceProbe.class.getName(), state.toString(), go.toString()).redirectErrorStream(true);
                probes.add(pb.start());
            }
            List<BufferedReader> outs = new ArrayList<>();
            for (Process p : probes) {
                BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                outs.add(r);
                assertThat(r.readLine()).isEqualTo("ready");
            }
            Files.createFile(go);
            for (int i = 0; i < PROCESSES; i++) {
                String out = String.join("\n", outs.get(i).lines().toList());
                assertThat(probes.get(i).waitFor()).as(out).isZero();
                assertThat(out).startsWith("opened, runs=0");
            }
        } finally {
            probes.forEach(Process::destroyForcibly);
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.runs()).isEmpty();
        }
    }

    /** The same with threads of one JVM, each with its own connections. */
    @RepeatedTest(12)
    void threadsOpeningANewStateDirectoryAtOnceAllSucceed() throws Exception {
        Path state = tmp.resolve("state");
        int n = 4;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<SqlRunStore>> opened = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                opened.add(pool.submit(() -> {
                    start.await();
                    return SqlRunStore.openSqlite(state);
                }));
            }
            for (Future<SqlRunStore> f : opened) f.get().close();
        } finally {
            pool.shutdownNow();
        }
    }

    /** SQLITE_BUSY under Flyway's exception is a lock, not damage: one line, no advice to move the state aside. */
    @Test
    void aBusyDatabaseUnderAFlywayErrorIsNotCorrupt() {
        var busy = new org.sqlite.SQLiteException("[SQLITE_BUSY] The database file is locked (database is locked)",
                org.sqlite.SQLiteErrorCode.SQLITE_BUSY);
        var flyway = new org.flywaydb.core.api.FlywayException("Failed to execute script V1__init.sql\n------\nSQL State  : null\n"
                + "Error Code : 5\nStatement  : Run Flyway with -X option", busy);
        assertThat((Object) SqlRunStore.sqlCause(flyway)).isSameAs(busy);
        assertThat(new SqliteDialect().isLockedByAnother(SqlRunStore.sqlCause(flyway))).isTrue();
        var snapshot = new org.sqlite.SQLiteException("[SQLITE_BUSY_SNAPSHOT] snapshot", org.sqlite.SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT);
        assertThat(new SqliteDialect().isLockedByAnother(SqlRunStore.sqlCause(
                new org.flywaydb.core.api.FlywayException("x", new RuntimeException(snapshot))))).isTrue();
        assertThat(SqlRunStore.oneLine(flyway.getMessage())).isEqualTo("Failed to execute script V1__init.sql");
        assertThat(SqlRunStore.flywayReason(flyway.getMessage(), busy))
                .isEqualTo("Failed to execute script V1__init.sql: [SQLITE_BUSY] The database file is locked (database is locked)");
        assertThat(SqlRunStore.flywayReason("Validate failed: Migrations have failed validation\nMigration checksum mismatch for "
                + "migration version 2\n-> Applied to database : 12345\n-> Resolved locally    : 1\nEither revert the changes to the "
                + "migration, or run repair to update the schema history.\nNeed more flexibility with validation rules? Learn more: "
                + "https://rd.gt/3AbJUZE", null)).isEqualTo("Validate failed: Migrations have failed validation; Migration checksum "
                + "mismatch for migration version 2; -> Applied to database : 12345; -> Resolved locally : 1");
    }
}
