package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The migration lock ({@link SqlRunStore#MIGRATION_LOCK_FILE}) held by another process (review R6, findings 1, 3, 4): the
 * wait is said, bounded, and does not let this swarm migrate a schema a newer swarm made meanwhile; a lock path that is
 * not a file is refused with the fix.
 */
class MigrationLockTest {
    @TempDir
    Path tmp;

    /** Another swarm process holding the lock of {@code lock}, until {@link Process#getOutputStream()} is closed. */
    private static Process holdLock(Path lock) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MigrationLockHolder.class.getName(), lock.toString())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("locked");
        return p;
    }

    private static List<String> names(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * A swarm that waited for the lock while a newer swarm migrated the new database (here: this build's migrations and a
     * successful one newer than them, as the review's {@code sqlite3} insert did) refuses it once it holds the lock, as it
     * would have before the wait. Fails without the check under the lock: Flyway ignores the "future" version, and the
     * store opened.
     */
    @Test
    void aSwarmThatWaitedForTheLockRefusesASchemaANewerSwarmMigratedMeanwhile() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Process holder = holdLock(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE));
        try {
            List<String> notices = new CopyOnWriteArrayList<>();
            CompletableFuture<SqlRunStore> opening = CompletableFuture.supplyAsync(() -> SqlRunStore.openSqlite(state, notices::add));
            await().atMost(Duration.ofSeconds(30)).until(() -> !notices.isEmpty() || opening.isDone());
            assertThat(opening).isNotDone(); // it waits for the lock

            String url = "jdbc:sqlite:" + db;
            Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                    .locations("classpath:db/migration/sqlite").load().migrate();
            int future = Collections.max(new SqliteDialect().migrationChecksums().keySet()) + 1;
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                        + "installed_by, execution_time, success) VALUES (99, '" + future + "', 'newer', 'SQL', 'V" + future
                        + "__newer.sql', 123, 'x', 0, 1)");
            }
            holder.getOutputStream().close(); // the newer swarm is done

            assertThatThrownBy(() -> opening.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(StoreException.Corrupt.class)
                    .hasMessageStartingWith(db + " was written by a newer swarm: its schema is at version " + future + " (newer)");
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM flyway_schema_history "
                         + "WHERE version = '" + future + "')")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).as("runs").isZero();
                assertThat(r.getInt(2)).as("the newer version's history row").isEqualTo(1);
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /**
     * A lock held past {@link SqlRunStore#LOCK_WAIT_MILLIS} (the clock moved 1 s per reading, no real minute): the wait is
     * said once, after {@link SqlRunStore#MIGRATION_LOCK_NOTICE_AFTER_MILLIS}, then the open fails naming the lock and how
     * to find its holder; nothing is made but the empty database file and the lock file. Fails without the notice.
     */
    @Test
    void aLockHeldTooLongIsSaidOnceThenFailsChangingNothing() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path lock = state.resolve(SqlRunStore.MIGRATION_LOCK_FILE);
        Process holder = holdLock(lock);
        try {
            AtomicLong clock = new AtomicLong();
            List<String> notices = new CopyOnWriteArrayList<>();

            assertThatThrownBy(() -> SqlRunStore.openSqliteWithLockWaitClock(state, () -> clock.getAndAdd(1_000_000_000L),
                    notices::add).close())
                    .isInstanceOf(StoreException.Unavailable.class)
                    .hasMessage("cannot open " + db + ": another swarm process has been migrating its schema for 60 s (it holds "
                            + "the lock of " + lock + "; `fuser -v " + lock + "` lists it); nothing was changed. Run the "
                            + "command again once it has finished, or stop it");
            assertThat(notices).containsExactly("the database " + db + " is being migrated by another swarm process (it holds "
                    + "the lock of " + lock + "; `fuser -v " + lock + "` lists it): this command waits for it to finish, for up to "
                    + "60 s (1 s so far); then it fails, changing nothing");
            assertThat(names(state)).containsExactly("swarm.db", SqlRunStore.MIGRATION_LOCK_FILE);
            assertThat(Files.size(db)).isZero();
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /**
     * A lock path that is a directory is refused before anything is written, saying to remove or rename it (review R6,
     * finding 4: "Is a directory; check the permissions"); once it is moved aside the state directory opens.
     */
    @Test
    void aLockPathThatIsADirectoryIsRefusedSayingToRemoveOrRenameIt() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path lock = Files.createDirectory(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE));

        assertThatThrownBy(() -> SqlRunStore.openSqlite(state).close())
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessage("cannot open " + db + ": cannot lock " + lock + " to migrate its schema: it is a directory, not the "
                        + "empty lock file swarm makes there; nothing was changed. Remove or rename it (for example `mv " + lock
                        + " " + lock + ".old`) and run the command again");
        assertThat(Files.size(db)).isZero();

        Files.move(lock, state.resolve("moved"));
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.runs()).isEmpty();
        }
    }

    /**
     * A lock file that cannot be created (here a symbolic link into a directory that does not exist: as root, modes would
     * not stop it) says why in words, lower-case, and changes nothing.
     */
    @Test
    void aLockFileThatCannotBeCreatedSaysWhyInWords() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path lock = Files.createSymbolicLink(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE), tmp.resolve("nowhere/lock"));

        assertThatThrownBy(() -> SqlRunStore.openSqlite(state).close())
                .isInstanceOf(StoreException.Unavailable.class)
                .hasMessage("cannot open " + db + ": cannot lock " + lock + " to migrate its schema: no such file or directory; "
                        + "check the permissions of it and of its directory");
        assertThat(Files.size(db)).isZero();
    }

    /**
     * A command that said it waits for another swarm's migration says, once it holds the lock, that the wait is over and
     * it goes on: without that line the user saw only the wait, never its end.
     */
    @Test
    void aWaitThatWasSaidIsSaidToBeOverOnceTheLockIsHeld() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Process holder = holdLock(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE));
        try {
            List<String> notices = new CopyOnWriteArrayList<>();
            CompletableFuture<SqlRunStore> opening = CompletableFuture.supplyAsync(() -> SqlRunStore.openSqlite(state, notices::add));
            await().atMost(Duration.ofSeconds(30)).until(() -> !notices.isEmpty() || opening.isDone());
            assertThat(opening).isNotDone();
            assertThat(notices).singleElement().asString().startsWith("the database " + db + " is being migrated by another");

            holder.getOutputStream().close(); // the other migration is done
            try (SqlRunStore store = opening.get(60, TimeUnit.SECONDS)) {
                assertThat(store.runs()).isEmpty();
            }
            assertThat(notices).hasSize(2);
            assertThat(notices.get(1)).matches(java.util.regex.Pattern.quote("the database " + db + " is no longer being migrated "
                    + "by another swarm process (after ") + "\\d+" + java.util.regex.Pattern.quote(" s); this command goes on"));
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    /** A lock got at once, or after a wait too short to be said, says nothing either way. */
    @Test
    void aLockGotWithoutASaidWaitSaysNothing() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        List<String> notices = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(state, notices::add)) {
            assertThat(store.runs()).isEmpty();
        }
        assertThat(notices).isEmpty();
    }

    /**
     * A lock file this user may not open for writing (mode 000, or another user's): refused as a state directory that
     * cannot be used as it is (exit 2 in the CLI), naming the file, its owner and mode and the fix, not "check the
     * permissions" and the generic line of an unavailable store. Root opens any file, so the refusal itself is built from
     * the error an ordinary user gets ({@link java.nio.file.AccessDeniedException}); run as one, the open is refused too.
     */
    @Test
    void aLockFileThisUserMayNotOpenIsRefusedNamingItsOwnerModeAndTheFix() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path lock = Files.createFile(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE));
        Files.setPosixFilePermissions(lock, java.util.Set.of());
        String me = System.getProperty("user.name");
        String owner = Files.getOwner(lock).getName();
        var denied = new java.nio.file.AccessDeniedException(lock.toString());

        String ownCause = "cannot open " + db + ": cannot lock " + lock + " to migrate its schema: " + me + " may not open it "
                + "for writing (owner " + owner + ", mode ---------); nothing was changed. ";
        assertThat(SqlRunStore.lockFileError(db.toString(), lock, denied))
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessage(ownCause + "Give it back its mode (`chmod 600 " + lock + "`) and run the command again");
        long ownerUid = ((Number) Files.getAttribute(lock, "unix:uid")).longValue();
        long someone = ownerUid == 4242 ? 4243 : 4242;
        assertThat(SqlRunStore.lockFileDenied(db.toString(), lock, denied, someone, "someone"))
                .hasMessage("cannot open " + db + ": cannot lock " + lock + " to migrate its schema: someone may not open it "
                        + "for writing (owner " + owner + ", mode ---------); nothing was changed. Run swarm as " + owner
                        + ", or, once no swarm process uses it (`sudo fuser -v " + lock + "` lists none: without sudo, fuser "
                        + "does not see another user's processes; or ask its owner), remove it (`rm " + lock + "`; swarm makes "
                        + "it again, yours) and run the command again");
        // the owner told by uid, not by name: a user without a passwd entry (user.name "?") is this file's owner
        assertThat(SqlRunStore.lockFileDenied(db.toString(), lock, denied, ownerUid, "?"))
                .hasMessage("cannot open " + db + ": cannot lock " + lock + " to migrate its schema: ? may not open it for "
                        + "writing (owner " + owner + ", mode ---------); nothing was changed. Give it back its mode (`chmod 600 "
                        + lock + "`) and run the command again");
        // root, denied another user's file (by a security module): its fuser sees every process, no sudo
        Path usersLock = Files.createFile(state.resolve("users-lock"));
        if (ownerUid == 0) Files.setAttribute(usersLock, "unix:uid", 4242); // as root: make it another user's
        assertThat(SqlRunStore.lockFileDenied(db.toString(), usersLock, denied, 0, "root").getMessage())
                .contains(", or, once no swarm process uses it (`fuser -v " + usersLock + "` lists none), remove it");
        Files.delete(usersLock);
        // not there: the directory refused to make it, which is not the file's mode
        Path missing = state.resolve("missing-lock");
        assertThat(SqlRunStore.lockFileError(db.toString(), missing, new java.nio.file.AccessDeniedException(missing.toString())))
                .isInstanceOf(StoreException.Unavailable.class)
                .hasMessage("cannot open " + db + ": cannot lock " + missing + " to migrate its schema: permission denied; "
                        + "check the permissions of it and of its directory");

        if (new com.sun.security.auth.module.UnixSystem().getUid() != 0) {
            assertThatThrownBy(() -> SqlRunStore.openSqlite(state).close())
                    .isInstanceOf(StoreException.Corrupt.class)
                    .hasMessage(ownCause + "Give it back its mode (`chmod 600 " + lock + "`) and run the command again");
            assertThat(Files.size(db)).isZero();
        }
    }

    /**
     * Its own lock file whose mode already lets its owner write it (rw-------, -w-------), yet the open is denied: the mode
     * is not the cause, so no {@code chmod 600} (which would change nothing) is advised, but what can deny it is named: a
     * security module or the file system, not an access control list, which cannot deny the owner (reviews D1 F5, D4). Root cannot be denied by modes, so the refusal is built
     * from the error an ordinary user would get.
     */
    @Test
    void anOwnLockFileWhoseModeAllowsWritingNamesASecurityModuleOrTheFileSystemNotChmod() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path lock = Files.createFile(state.resolve(SqlRunStore.MIGRATION_LOCK_FILE));
        String owner = Files.getOwner(lock).getName();
        long ownerUid = ((Number) Files.getAttribute(lock, "unix:uid")).longValue();
        var denied = new java.nio.file.AccessDeniedException(lock.toString());
        for (String mode : List.of("rw-------", "-w-------")) {
            Files.setPosixFilePermissions(lock, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
            assertThat(SqlRunStore.lockFileDenied(db.toString(), lock, denied, ownerUid, "me"))
                    .isInstanceOf(StoreException.Corrupt.class)
                    .hasMessage("cannot open " + db + ": cannot lock " + lock + " to migrate its schema: me may not open it "
                            + "for writing (owner " + owner + ", mode " + mode + "); nothing was changed. Its mode already "
                            + "lets its owner write it, so the mode is not what denies it: a security module (SELinux: `ls -Z "
                            + lock + "` and the audit log; AppArmor: the system log) or the file system (NFS with root_squash "
                            + "or id mapping, FUSE) does. Have that allow it and run the command again");
        }
        // without write permission for its owner, the mode is the cause
        Files.setPosixFilePermissions(lock, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        assertThat(SqlRunStore.lockFileDenied(db.toString(), lock, denied, ownerUid, "me").getMessage())
                .endsWith("Give it back its mode (`chmod 600 " + lock + "`) and run the command again");
    }
}
