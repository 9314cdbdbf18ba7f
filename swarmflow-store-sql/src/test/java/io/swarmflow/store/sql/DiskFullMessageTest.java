package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A write that finds the disk full (SQLITE_FULL, made here by {@code PRAGMA max_page_count}, which fails the write as
 * ENOSPC does) says that the disk is full, where, and that nothing recorded was lost, rather than only SQLite's
 * "database or disk is full" after the database's name; and what was recorded before is still there.
 */
class DiskFullMessageTest {
    @TempDir
    Path dir;

    @Test
    void aWriteOnAFullDiskSaysTheDiskIsFullWhereAndThatNothingWasLost() throws Exception {
        Path state = dir.resolve(".swarm");
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            store.createRun(TestPlans.created("r1", 3));
            // the writer thread is idle: no batch uses its connection now
            try (Statement s = store.writerConnectionForTests().createStatement()) {
                long pages;
                try (ResultSet r = s.executeQuery("PRAGMA page_count")) {
                    pages = r.getLong(1);
                }
                s.execute("PRAGMA max_page_count = " + pages);
            }

            Throwable t = catchThrowable(() -> store.createRun(TestPlans.created("r2", 2000)));

            assertThat(t).isInstanceOf(StoreException.Unavailable.class);
            assertThat(t.getMessage()).startsWith("the disk is full: the file system holding " + state.toAbsolutePath()
                    + " had no room for the database swarm.db or its write-ahead log swarm.db-wal").contains(" free there now; SQLite: ",
                    "database or disk is full", "nothing of these writes was recorded, and nothing recorded before was lost",
                    "Free space there and run the command again").doesNotContain("damaged", "not a readable");
            assertThat(store.run("r1")).isPresent();
            assertThat(store.run("r2")).isEmpty();
        }
        try (SqlRunStore again = SqlRunStore.openSqlite(state)) {
            assertThat(again.run("r1")).isPresent();
            assertThat(again.tickets("r1")).hasSize(3);
        }
    }

    /**
     * Review DWG F10: SQLITE_FULL also comes from SQLite's temporary files, which go to $SQLITE_TMPDIR, $TMPDIR or
     * /var/tmp, /tmp: when that directory is on another file system, the message names it too.
     */
    @Test
    void theTemporaryFilesDirectoryIsNamedWhenItIsElsewhere() throws Exception {
        Path temp = java.nio.file.Files.createDirectories(dir.resolve("sqlite-tmp"));
        Path state = java.nio.file.Files.createDirectories(dir.resolve("state"));
        java.util.Map<String, String> env = java.util.Map.of("SQLITE_TMPDIR", temp.toString(), "TMPDIR", "/nonexistent");
        assertThat(SqliteDialect.tempFilesNote(state, env, (a, b) -> false)).startsWith("; if that file system has room, "
                + "SQLite's temporary files (a large sort, an index being built) may have filled theirs instead: " + temp + " (")
                .contains(" free there now; set SQLITE_TMPDIR to a directory with room)");
        assertThat(SqliteDialect.tempFilesNote(state, env, (a, b) -> false)).as("the first that is a directory")
                .isEqualTo(SqliteDialect.tempFilesNote(state, java.util.Map.of("SQLITE_TMPDIR", "/nonexistent", "TMPDIR",
                        temp.toString()), (a, b) -> false));
        assertThat(SqliteDialect.tempFilesNote(state, env, (a, b) -> a.equals(state) && b.equals(temp)))
                .as("on the state directory's file system: nothing to add").isEmpty();
    }

    @Test
    void sizesReadAsAPersonReadsThem() {
        assertThat(SqliteDialect.size(1)).isEqualTo("1 byte");
        assertThat(SqliteDialect.size(512)).isEqualTo("512 bytes");
        assertThat(SqliteDialect.size(320 * 1024)).isEqualTo("320 KiB");
        assertThat(SqliteDialect.size(4_404_019)).isEqualTo("4.2 MiB");
        assertThat(SqliteDialect.size(18_253_611_008L)).isEqualTo("17.0 GiB");
    }
}
