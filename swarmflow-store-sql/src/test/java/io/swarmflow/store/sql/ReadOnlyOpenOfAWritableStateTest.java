package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SqlRunStore#openSqliteReadOnly(Path, boolean)} on a state directory that could be written, as the reading
 * commands open it: it writes neither {@code swarm.db} nor its log, refuses a write, and reads what a writer commits
 * meanwhile, also where the database is not in WAL mode (a network file system where it could not switch), whose
 * writer changes {@code swarm.db} itself: there it is not read as an immutable file, whose cached pages would go stale.
 */
class ReadOnlyOpenOfAWritableStateTest {
    @TempDir
    Path dir;

    private static String sha256(Path p) throws Exception {
        return Files.exists(p) ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "missing";
    }

    @Test
    void aReadOnlyOpenWritesNothing_andSeesWhatAWriterCommitsMeanwhile() throws Exception {
        Path state = dir.resolve(".swarm");
        Path db = state.resolve("swarm.db");
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            w.createRun(TestPlans.created("r1", 2));
        }
        String dbBefore = sha256(db);
        try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
            assertThat(r.run("r1")).isPresent();
            assertThatThrownBy(() -> r.createRun(TestPlans.created("r9", 1))).isInstanceOf(StoreException.class);
        }
        assertThat(sha256(db)).isEqualTo(dbBefore);
        // read with SQLite's locks (review DWG F1): it leaves an empty log and its -shm, owner-only as swarm.db, which the
        // next writer uses and removes
        assertThat(state.resolve("swarm.db-wal")).isEmptyFile();
        for (String f : List.of("swarm.db-wal", "swarm.db-shm")) {
            assertThat(Files.getPosixFilePermissions(state.resolve(f))).as(f).isEqualTo(Files.getPosixFilePermissions(db));
        }
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            w.createRun(TestPlans.created("r2", 1));
        }
        assertThat(state.resolve("swarm.db-wal")).as("removed by the next writer").doesNotExist();
        assertThat(state.resolve("swarm.db-shm")).doesNotExist();

        // not in WAL mode: the writer changes swarm.db in place
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = DELETE");
        }
        assertThat(SqliteDialect.walMode(db)).isFalse();
        try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
            assertThat(r.run("r1")).isPresent();
            assertThat(r.run("r3")).isEmpty();
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode = DELETE");
                s.execute("UPDATE runs SET name = 'renamed' WHERE run_id = 'r1'");
            }
            assertThat(r.run("r1").orElseThrow().name()).as("what the writer committed").isEqualTo("renamed");
        }
    }
}
