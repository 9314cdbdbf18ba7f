package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review DWG F8: a database not in WAL mode (a network file system where it could not switch) whose writer was killed
 * mid-commit leaves a hot rollback journal {@code swarm.db-journal}, which a read-only connection cannot roll back. The
 * reading commands said SQLite's raw "attempt to write a readonly database"; they now say what it is and the way out (a
 * command that writes rolls it back), and leave both files as they are.
 */
class HotJournalReadOnlyTest {
    @TempDir
    Path dir;

    @Test
    void anInterruptedWriteIsNamedWithTheWayOut() throws Exception {
        Path live = dir.resolve("live");
        try (SqlRunStore w = SqlRunStore.openSqlite(live)) {
            w.createRun(TestPlans.created("r1", 2));
        }
        Path db = live.resolve("swarm.db");
        Path state = Files.createDirectories(dir.resolve("state"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = DELETE");
            s.execute("PRAGMA cache_size = 10"); // pages: the transaction spills into swarm.db before its commit
            c.setAutoCommit(false);
            s.execute("CREATE TABLE filler (x BLOB)");
            for (int i = 0; i < 200; i++) s.execute("INSERT INTO filler VALUES (randomblob(2000))");
            assertThat(live.resolve("swarm.db-journal")).as("the transaction's journal").exists();
            // what a writer killed at this point leaves: swarm.db partly written, and the journal to undo it
            Files.copy(db, state.resolve("swarm.db"));
            Files.copy(live.resolve("swarm.db-journal"), state.resolve("swarm.db-journal"));
            c.rollback();
        }
        byte[] journal = Files.readAllBytes(state.resolve("swarm.db-journal"));
        for (boolean writable : new boolean[]{true, false}) {
            assertThatThrownBy(() -> SqlRunStore.openSqliteReadOnly(state, writable).close())
                    .as("writable state: %s", writable)
                    .isInstanceOf(StoreException.Unavailable.class)
                    .hasMessageContaining("cannot read " + state.resolve("swarm.db") + ": a write to it was interrupted")
                    .hasMessageContaining("swarm.db-journal")
                    .hasMessageContaining("nothing was changed")
                    .hasMessageContaining("swarm report --state-dir " + state)
                    .hasMessageNotContaining("readonly database");
        }
        assertThat(Files.readAllBytes(state.resolve("swarm.db-journal"))).as("left as it was").isEqualTo(journal);

        // the way out: a command that writes rolls it back, then the reading ones read it
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            assertThat(w.run("r1")).isPresent();
        }
        try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
            assertThat(r.run("r1")).isPresent();
        }
    }
}
