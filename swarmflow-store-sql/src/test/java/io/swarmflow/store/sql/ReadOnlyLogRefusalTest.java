package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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

    @BeforeEach
    void stateWithALogAndNoShm() throws Exception {
        state = tmp.resolve("state");
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            store.createRun(TestPlans.created("r1", 1));
        }
        db = state.resolve("swarm.db");
        wal = state.resolve("swarm.db-wal");
        Files.write(wal, new byte[0]); // copied without its -shm
    }

    @AfterEach
    void writableAgain() {
        undo.reversed().forEach(Runnable::run);
    }

    /** Makes {@code p} read-only for real, or skips the test where it cannot. */
    private void readOnly(Path p) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
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
                + "log swarm.db-wal holds changes that SQLite reads only with swarm.db-shm, which is missing and cannot be made "
                + "there; nothing was changed. Make the directory writable, or " + copy());
    }

    @Test
    void aReadOnlyDirectoryAndDatabaseNeedBothMadeWritable() throws Exception {
        readOnly(db);
        readOnly(state);
        assertThat(refusal()).isEqualTo("cannot read " + db + " in the read-only state directory " + state + ": its write-ahead "
                + "log swarm.db-wal holds changes that SQLite reads only with swarm.db-shm, which is missing and cannot be made "
                + "there; nothing was changed. Make the directory writable (and swarm.db, read-only too), or " + copy());
    }

    /** The directory could hold the {@code -shm}: what is read-only is the database file, and that is what to fix. */
    @Test
    void aReadOnlyDatabaseInAWritableDirectoryIsSaidSo() throws Exception {
        readOnly(db);
        assertThat(Files.isWritable(state)).isTrue();
        assertThat(refusal()).isEqualTo("cannot read " + db + ": its write-ahead log swarm.db-wal holds changes that SQLite "
                + "reads only with swarm.db-shm, which is missing; the state directory " + state + " could hold it, but swarm.db "
                + "is read-only for you (permissions or an immutable attribute), so the database was opened for reading only, "
                + "which makes no file; nothing was changed. Make swarm.db writable (for example `chmod u+w`, or `chattr -i` "
                + "for an immutable file) and run the command again, or " + copy());
        writableAgain(); // as the message says: then the database opens as usual, its log read
        undo.clear();
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.run("r1")).isPresent();
        }
    }

    @Test
    void aReadOnlyDatabaseAndLogInAWritableDirectoryAreBothNamed() throws Exception {
        readOnly(db);
        readOnly(wal);
        assertThat(refusal()).contains(": its write-ahead log swarm.db-wal holds changes", "but swarm.db and swarm.db-wal are "
                + "read-only for you", "Make swarm.db and swarm.db-wal writable");
    }

    /** Nothing read-only (a caller's own reason to open it read-only, or made writable since): run it again. */
    @Test
    void nothingReadOnlyIsSaidTooWithTheWayOut() {
        assertThat(refusal()).isEqualTo("cannot read " + db + " opened for reading only: its write-ahead log swarm.db-wal holds "
                + "changes that SQLite reads only with swarm.db-shm, which is missing, and a read-only open makes no file; "
                + "nothing was changed. The state directory " + state + " and its database can be written now: run the command "
                + "again, or " + copy());
    }
}
