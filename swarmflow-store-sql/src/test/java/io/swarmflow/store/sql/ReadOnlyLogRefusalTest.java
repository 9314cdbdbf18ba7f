package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link SqlRunStore#openSqliteReadOnly} refuses a write-ahead log without its {@code -shm} file, saying what is read-only
 * (the state directory; the database file or its log in a writable directory; nothing), with the way out that fits. Made
 * read-only for real: {@code chattr +i} as root (permissions do not stop root), {@code chmod a-w} as an ordinary user;
 * as root without CAP_LINUX_IMMUTABLE the cases that need it are skipped.
 */
class ReadOnlyLogRefusalTest {
    @TempDir
    Path tmp;

    private Path state;
    private Path db;
    private Path wal;
    private final List<Runnable> undo = new ArrayList<>();

    /**
     * A state directory copied without its {@code -shm} while a connection had it open: run r1 is in {@code swarm.db}, run
     * r2 only in the write-ahead log (another connection kept the database open, so closing the store neither
     * checkpointed nor deleted the log).
     */
    @BeforeEach
    void stateWithALogAndNoShm() throws Exception {
        Path live = tmp.resolve("live");
        try (SqlRunStore store = SqlRunStore.openSqlite(live)) {
            store.createRun(TestPlans.created("r1", 1));
        }
        state = Files.createDirectories(tmp.resolve("state"));
        db = state.resolve("swarm.db");
        wal = state.resolve("swarm.db-wal");
        try (Connection open = DriverManager.getConnection("jdbc:sqlite:" + live.resolve("swarm.db"));
             Statement s = open.createStatement()) {
            s.executeQuery("SELECT COUNT(*) FROM runs").close(); // opens the log, which it keeps until it closes
            try (SqlRunStore store = SqlRunStore.openSqlite(live)) {
                store.createRun(TestPlans.created("r2", 1));
            }
            Files.copy(live.resolve("swarm.db"), db);
            Files.copy(live.resolve("swarm.db-wal"), wal);
        }
        assertThat(Files.size(wal)).as("r2 in the log").isPositive();
    }

    @AfterEach
    void writableAgain() {
        undo.reversed().forEach(Runnable::run);
    }

    /** Makes {@code p} read-only for real, or skips the test where it cannot. */
    private void readOnly(Path p) throws Exception {
        if (isRoot()) {
            assumeTrue(chattr("+i", p), "chattr +i is not allowed here (no CAP_LINUX_IMMUTABLE)");
            undo.add(() -> chattr("-i", p));
        } else {
            var before = Files.getPosixFilePermissions(p);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "r-x------" : "r--------"));
            undo.add(() -> {
                try {
                    Files.setPosixFilePermissions(p, before);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
        assertThat(Files.isWritable(p)).as("%s read-only", p).isFalse();
    }

    /** Whether this process runs as root (uid 0), whatever its user name (a uid without a passwd entry has none). */
    static boolean isRoot() throws java.io.IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    private static boolean chattr(String flag, Path p) {
        try {
            Process c = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
            c.getInputStream().readAllBytes();
            return c.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private String copy() {
        return "copy the state directory to one you can write (for example `cp -a " + state + " /tmp/swarm-state-copy`) and "
                + "point --state-dir at the copy";
    }

    private String refusal() {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> SqlRunStore.openSqliteReadOnly(state).close());
        assertThat(t).isInstanceOf(StoreException.Unavailable.class);
        assertThat(state.resolve("swarm.db-shm")).as("nothing made").doesNotExist();
        return t.getMessage();
    }

    @Test
    void aReadOnlyDirectoryCannotHoldTheShm() throws Exception {
        readOnly(state);
        assertThat(refusal()).isEqualTo("cannot read " + db + " in the read-only state directory " + state + ": its write-ahead "
                + "log swarm.db-wal may hold changes not yet in swarm.db, and SQLite reads them only with swarm.db-shm, which is "
                + "missing and cannot be made "
                + "there; nothing was changed. Make the directory writable, or " + copy());
    }

    @Test
    void aReadOnlyDirectoryAndDatabaseNeedBothMadeWritable() throws Exception {
        readOnly(db);
        readOnly(state);
        assertThat(refusal()).isEqualTo("cannot read " + db + " in the read-only state directory " + state + ": its write-ahead "
                + "log swarm.db-wal may hold changes not yet in swarm.db, and SQLite reads them only with swarm.db-shm, which is "
                + "missing and cannot be made "
                + "there; nothing was changed. Make the directory writable (and make swarm.db writable too: it is read-only as well), or " + copy());
    }

    /** The directory could hold the {@code -shm}: what is read-only is the database file, and that is what to fix. */
    @Test
    void aReadOnlyDatabaseInAWritableDirectoryIsSaidSo() throws Exception {
        readOnly(db);
        assertThat(Files.isWritable(state)).isTrue();
        assertThat(refusal()).isEqualTo("cannot read " + db + ": its write-ahead log swarm.db-wal may hold changes not yet "
                + "in swarm.db, and SQLite reads them only with swarm.db-shm, which is missing; the state directory " + state + " could hold it, but swarm.db "
                + "is read-only for you (permissions or an immutable attribute), so the database was opened for reading only, "
                + "which makes no file; nothing was changed. Make swarm.db writable (for example `chmod u+w`, or `chattr -i` "
                + "for an immutable file) and run the command again, or " + copy());
        writableAgain(); // as the message says: then the database opens as usual, its log read
        undo.clear();
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.run("r1")).isPresent();
            assertThat(store.run("r2")).as("the run in the log").isPresent();
        }
    }

    @Test
    void aReadOnlyDatabaseAndLogInAWritableDirectoryAreBothNamed() throws Exception {
        readOnly(db);
        readOnly(wal);
        assertThat(refusal()).contains(": its write-ahead log swarm.db-wal may hold changes", "but swarm.db and swarm.db-wal are "
                + "read-only for you", "Make swarm.db and swarm.db-wal writable");
    }

    /** Nothing read-only (a caller's own reason to open it read-only, or made writable since): run it again. */
    @Test
    void nothingReadOnlyIsSaidTooWithTheWayOut() {
        assertThat(refusal()).isEqualTo("cannot read " + db + " opened for reading only: its write-ahead log swarm.db-wal may "
                + "hold changes not yet in swarm.db, and SQLite reads them only with swarm.db-shm, which is missing, and a read-only open makes no file; "
                + "nothing was changed. The state directory " + state + " and its database can be written now: run the command "
                + "again, or " + copy());
    }

    /** The read-only directory and both files read-only: the parenthesis says to make the files writable as well. */
    @Test
    void aReadOnlyDirectoryDatabaseAndLogAreAllToBeMadeWritable() throws Exception {
        readOnly(db);
        readOnly(wal);
        readOnly(state);
        assertThat(refusal()).contains("Make the directory writable (and make swarm.db and swarm.db-wal writable too: they are "
                + "read-only as well), or " + copy());
    }

    /**
     * An empty log (0 bytes: a connection had the database open, and nothing was written since the last checkpoint
     * emptied it) holds no change: without its {@code -shm} the database is read as without a log, making no file.
     */
    @Test
    void anEmptyLogWithoutShmIsReadAsNoLog() throws Exception {
        Files.delete(db);
        Files.copy(tmp.resolve("live/swarm.db"), db); // r1 and r2: the live log was copied into it when its last connection closed
        Files.write(wal, new byte[0]);
        try (SqlRunStore store = SqlRunStore.openSqliteReadOnly(state)) {
            assertThat(store.runs()).extracting(r -> r.runId()).containsExactly("r2", "r1");
        }
        try (var files = Files.list(state)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("swarm.db", "swarm.db-wal");
        }
        assertThat(Files.size(wal)).isZero();
    }

    /** The same in a read-only directory, where SQLite could not make the {@code -shm} at all. */
    @Test
    void anEmptyLogWithoutShmIsReadInAReadOnlyDirectory() throws Exception {
        Files.delete(db);
        Files.copy(tmp.resolve("live/swarm.db"), db);
        Files.write(wal, new byte[0]);
        readOnly(state);
        try (SqlRunStore store = SqlRunStore.openSqliteReadOnly(state)) {
            assertThat(store.run("r1")).isPresent();
        }
        assertThat(state.resolve("swarm.db-shm")).doesNotExist();
    }
}
