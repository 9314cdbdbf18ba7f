package io.swarmflow.store.sql;

import io.swarmflow.store.StoreException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * SQLite: WAL journal so readers (also in other processes) never block the writer,
 * {@code synchronous=FULL} so a commit is on disk when it returns, a busy timeout instead of
 * immediate {@code SQLITE_BUSY}, and {@code BEGIN IMMEDIATE} so a write transaction takes the
 * write lock at its start rather than failing half-way.
 */
public final class SqliteDialect implements Dialect {
    /** How long a connection waits for another process's lock before failing, in milliseconds. */
    public static final int BUSY_TIMEOUT_MILLIS = 10_000;
    /**
     * How long the writer connection's {@code BEGIN IMMEDIATE} waits for another connection's write lock in one try, in
     * milliseconds: the store then begins again (see {@link SqlRunStore#LOCK_WAIT_MILLIS}), and between tries it sees
     * whether the wait was given up ({@link SqlRunStore#stopWaitingForLocks}). One long busy timeout could not be
     * stopped: SQLite's busy handler does not look at {@code sqlite3_interrupt}.
     */
    static final int WRITER_LOCK_TRY_MILLIS = 250;
    /**
     * The writer's {@code wal_autocheckpoint}, in pages: once a commit leaves the write-ahead log ({@code swarm.db-wal})
     * holding at least this many, the writer copies it into the database (a PASSIVE checkpoint, at the end of that
     * commit), and the next commit writes the log from its start again (https://sqlite.org/wal.html, "Automatic
     * Checkpoint"). So the log's file grows to this many pages (64 MiB at SQLite's default 4 KiB pages) plus the
     * commit that passed it, or to the largest single transaction where that is larger (creating a run writes all its
     * ticket rows in one); it keeps that size while the store is open (SQLite overwrites it, it does not shrink it) and
     * is deleted when the database's last connection closes. A reader that held one snapshot all the while would keep
     * the log from being written from its start, and it would grow on ("Avoiding Excessively Large WAL Files"); the
     * store's and other commands' reads are short. Set with group commit (up to {@link SqlRunStore#MAX_BATCH_EVENTS}
     * events a transaction) in place of SQLite's default of 1000; smaller bounds (1000, 4096) were tried against it with
     * B1 on a 2-core VM busy with other work, which could tell no throughput difference either way, so it was kept.
     */
    static final int WAL_AUTOCHECKPOINT_PAGES = 16_384;

    private final int busyTimeoutMillis;

    /** The dialect has no state: one instance serves any number of stores. */
    public SqliteDialect() {
        this(BUSY_TIMEOUT_MILLIS);
    }

    /** A dialect whose connections wait {@code busyTimeoutMillis} for another connection's lock (tests use a short one). */
    SqliteDialect(int busyTimeoutMillis) {
        this.busyTimeoutMillis = busyTimeoutMillis;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Flyway's checksums of {@code db/migration/sqlite/V1__init.sql}, {@code V2__event_batches.sql},
     * {@code V3__attempt_output_bytes.sql}, {@code V4__run_description.sql}, {@code V5__time_marks.sql},
     * {@code V6__attempt_coordinator.sql}, {@code V7__runs_state_index.sql} and {@code V8__attempt_permanent.sql}. A new
     * migration adds its entry here (SqliteMigrationTest says which value Flyway computes); a released one is never
     * edited.
     */
    @Override
    public java.util.Map<Integer, Integer> migrationChecksums() {
        return java.util.Map.of(1, 6780279, 2, -977663919, 3, 1337791, 4, -775330779, 5, -1019660535, 6, -1383284515, 7, -1349631384, 8, 1757022846);
    }

    /**
     * The writer keeps the whole busy timeout here, for the schema check that comes before {@link #configureDatabase}
     * (a read of a database that is not in WAL mode waits for other processes' writes); {@link #configureDatabase}
     * shortens it to {@link #WRITER_LOCK_TRY_MILLIS}.
     */
    @Override
    public void configure(Connection connection, boolean writer) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
            if (writer) {
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA cache_size = -131072"); // 128 MiB
                s.execute("PRAGMA temp_store = MEMORY");
                s.execute("PRAGMA wal_autocheckpoint = " + WAL_AUTOCHECKPOINT_PAGES);
            } else {
                s.execute("PRAGMA query_only = 1");
            }
        }
    }

    /**
     * Switches the database to WAL (https://sqlite.org/wal.html: kept in the file, so it is written), then gives the
     * writer its busy timeout for one try, {@link #WRITER_LOCK_TRY_MILLIS}: last, because switching to WAL may wait
     * for other processes the whole busy timeout.
     */
    @Override
    public void configureDatabase(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA busy_timeout = " + Math.min(busyTimeoutMillis, WRITER_LOCK_TRY_MILLIS));
        }
    }

    /** {@code synchronous=FULL}: the WAL is fsync'ed at every commit (https://sqlite.org/pragma.html#pragma_synchronous). */
    @Override
    public java.util.List<String> syncCommits() {
        return java.util.List.of("PRAGMA synchronous = FULL");
    }

    /**
     * {@code synchronous=NORMAL} in WAL mode: a commit is written to the WAL without fsync, so it survives a
     * crash of the application but may be lost on power failure (https://sqlite.org/wal.html, "Performance
     * Considerations"); the next fsync of the WAL, at a later FULL commit or a checkpoint, covers it. Only
     * in WAL mode: where the database could not switch to WAL (some network file systems), none.
     */
    @Override
    public java.util.List<String> unsyncedCommits(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement(); java.sql.ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            boolean wal = rs.next() && "wal".equalsIgnoreCase(rs.getString(1));
            return wal ? java.util.List.of("PRAGMA synchronous = NORMAL") : java.util.List.of();
        }
    }

    @Override
    public String beginWrite() {
        return "BEGIN IMMEDIATE";
    }

    @Override
    public String lockRowSuffix() {
        return "";
    }

    /** The busy timeout: a lock held for less than that is what other processes' writes take now and then. */
    @Override
    public long lockWaitNoticeAfterMillis() {
        return busyTimeoutMillis;
    }

    /**
     * The result codes SQLITE_BUSY* (https://www.sqlite.org/rescode.html#busy): the busy timeout
     * ({@link #WRITER_LOCK_TRY_MILLIS} for the writer) passed.
     */
    @Override
    public boolean isLockedByAnother(SQLException e) {
        SQLiteException se = sqliteError(e);
        return se != null && se.getResultCode().name().startsWith("SQLITE_BUSY");
    }

    /**
     * Names the file and how to find the process that has it open: SQLite's locks are on the file, and the one holding
     * it is most often a {@code sqlite3} session left in a transaction, or a backup or {@code VACUUM} under way.
     */
    @Override
    public String lockWaitNotice(String description, long waitedMillis, long boundMillis) {
        return "the database " + description + " is locked: another process holds its write lock (a `sqlite3` session in a "
                + "transaction, a backup or VACUUM; " + lockHolderHint(description) + "). Nothing "
                + "can be recorded meanwhile: writes wait and go on once it is released, for up to " + seconds(boundMillis)
                + " in all (" + (waitedMillis + 500) / 1000 + " s so far); then the write fails: a run stops, and `swarm resume` continues it (Ctrl-C stops it sooner), and "
                + "another command fails, changing nothing";
    }

    /** {@code fuser -v FILE}: SQLite's locks are on the database file. */
    @Override
    public String lockHolderHint(String description) {
        return "`fuser -v " + description + "` lists the processes that have it open";
    }

    /** As {@link #lockWaitNotice} names it: the database file. */
    @Override
    public String lockReleasedNotice(String description, long waitedMillis) {
        return "the database " + description + " is no longer locked (after " + (waitedMillis + 500) / 1000 + " s); writes go on";
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    @Override
    public boolean isCorruption(SQLException e) {
        return isDamage(e) || e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_ERROR;
    }

    /**
     * The result codes SQLITE_FULL, SQLITE_IOERR*, SQLITE_READONLY*, SQLITE_CANTOPEN*, SQLITE_PERM, SQLITE_BUSY*,
     * SQLITE_NOMEM (https://www.sqlite.org/rescode.html).
     */
    @Override
    public boolean isUnavailable(SQLException e) {
        SQLiteException se = sqliteError(e);
        if (se == null) return false;
        String name = se.getResultCode().name();
        return UNAVAILABLE.stream().anyMatch(p -> name.equals(p) || name.startsWith(p + "_"));
    }

    /**
     * SQLITE_FULL (SQLite's "database or disk is full": a write to the database or its write-ahead log failed with
     * ENOSPC, or the database reached its {@code max_page_count}): names the directory of the database
     * ({@code description}, its path), its two files, and the space its file system has left now (the write that failed
     * may have freed what it took: SQLite truncates what it added).
     */
    @Override
    public String diskFull(String description, SQLException e) {
        SQLiteException se = sqliteError(e);
        if (se == null || se.getResultCode() != SQLiteErrorCode.SQLITE_FULL) return null;
        Path db = Path.of(description).toAbsolutePath();
        Path dir = db.getParent();
        String free;
        try {
            free = size(Files.getFileStore(dir).getUsableSpace()) + " free there now";
        } catch (IOException | RuntimeException unknown) {
            free = "its free space cannot be read";
        }
        return "the disk is full: the file system holding " + dir + " had no room for the database " + db.getFileName()
                + " or its write-ahead log " + db.getFileName() + "-wal, which every write grows (" + free + "; SQLite: "
                + oneLine(se.getMessage()) + ")" + tempFilesNote(dir, System.getenv(), SqliteDialect::sameFileStore);
    }

    /**
     * Where SQLITE_FULL may have come from besides {@code stateDir}: SQLite's temporary files (a sort that spills, an
     * index a migration builds) go to the first writable directory of {@code $SQLITE_TMPDIR}, {@code $TMPDIR},
     * {@code /var/tmp}, {@code /usr/tmp}, {@code /tmp} (its unix VFS, {@code unixTempFileDir}). When that directory is on
     * another file system than {@code stateDir} ({@code sameStore} false), a clause naming it and its free space; else
     * empty (review DWG F10).
     */
    static String tempFilesNote(Path stateDir, java.util.Map<String, String> env,
                                java.util.function.BiPredicate<Path, Path> sameStore) {
        java.util.List<String> candidates = new java.util.ArrayList<>();
        for (String var : java.util.List.of("SQLITE_TMPDIR", "TMPDIR")) if (env.get(var) != null) candidates.add(env.get(var));
        candidates.addAll(java.util.List.of("/var/tmp", "/usr/tmp", "/tmp"));
        for (String c : candidates) {
            Path temp;
            try {
                temp = Path.of(c);
            } catch (java.nio.file.InvalidPathException e) {
                continue;
            }
            if (!Files.isDirectory(temp) || !Files.isWritable(temp) || !Files.isExecutable(temp)) continue;
            if (sameStore.test(stateDir, temp)) return "";
            String free;
            try {
                free = size(Files.getFileStore(temp).getUsableSpace()) + " free there now";
            } catch (IOException | RuntimeException unknown) {
                free = "its free space cannot be read";
            }
            return "; if that file system has room, SQLite's temporary files (a large sort, an index being built) may have "
                    + "filled theirs instead: " + temp + " (" + free + "; set SQLITE_TMPDIR to a directory with room)";
        }
        return "";
    }

    /** Whether {@code a} and {@code b} are on one file system; true when that cannot be told (no clause then). */
    private static boolean sameFileStore(Path a, Path b) {
        try {
            return Files.getFileStore(a).equals(Files.getFileStore(b));
        } catch (IOException | RuntimeException unknown) {
            return true;
        }
    }

    /** {@code bytes} as a person reads it: "512 bytes", "312 KiB", "4.2 MiB", "17.0 GiB". */
    static String size(long bytes) {
        if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
        if (bytes < 1024 * 1024) return bytes / 1024 + " KiB";
        if (bytes < 1024L * 1024 * 1024) return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / 1073741824.0);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** {@code e}, or the SQLite error under it (a batch's {@code BatchUpdateException} carries it as cause or next). */
    private static SQLiteException sqliteError(SQLException e) {
        for (int depth = 0; e != null && depth < 8; depth++) {
            if (e instanceof SQLiteException se) return se;
            e = e.getCause() instanceof SQLException cause ? cause : e.getNextException();
        }
        return null;
    }

    private static final java.util.List<String> UNAVAILABLE = java.util.List.of("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY",
            "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_BUSY", "SQLITE_NOMEM");

    @Override
    public boolean isDamage(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode c = se.getResultCode();
            return c == SQLiteErrorCode.SQLITE_NOTADB || c.name().startsWith("SQLITE_CORRUPT");
        }
        return false;
    }

    /**
     * A missing or empty {@code swarm.db} beside run directories ({@code runs/<run>/}, created only for
     * runs the database holds) means the database was deleted, truncated or replaced. SQLite would take
     * it for a new database and every run would silently vanish; refuse instead, before anything is
     * written. The same for a database that does not hold some of those runs (its write-ahead log was lost), and, with or
     * without runs, for a write-ahead log {@code swarm.db-wal} damaged before a transaction committed after the damage
     * ({@link WalCheck#refuseDamagedLog}: SQLite would silently drop that transaction, and the first connection's checkpoint
     * would fold the older state into the database and delete the log).
     * Refused first, whether or not runs are there: a {@code swarm.db} that is a directory (SQLite cannot open it), and
     * a {@code runs} that is not a directory (no run could keep its files there: a run created would never start), and
     * a {@code runs} or {@code swarm.db} that is a symbolic link to nothing ({@link #refuseDanglingLink}; SQLite would
     * create the database at the link's target with the umask's mode).
     *
     * @param stateDir the state directory ({@code .swarm})
     * @param db       its database file ({@code swarm.db})
     * @throws StoreException.Corrupt naming the file, the runs and the way out
     * @throws StoreException         when the state directory cannot be read
     */
    static void refuseLostDatabase(Path stateDir, Path db) {
        try {
            Path runsDir = stateDir.resolve("runs");
            refuseDanglingLink(runsDir, "swarm keeps each run's logs, worktrees and report in it: a run created would never start",
                    "Make that directory (owner-only: `mkdir -m 700 TARGET`)");
            refuseDanglingLink(db, "SQLite would create the database there, with the umask's mode rather than owner-only",
                    "Make that file (owner-only: `install -m 600 /dev/null TARGET`)");
            if (Files.exists(runsDir) && !Files.isDirectory(runsDir)) {
                throw new StoreException.Corrupt(runsDir + " is a file, not a directory: swarm keeps each run's logs, "
                        + "worktrees and report in it; nothing was changed. Remove or rename it (for example `mv " + runsDir + " "
                        + runsDir + ".file`) and run the command again", null);
            }
            List<String> runs;
            if (!Files.isDirectory(runsDir)) {
                runs = List.of();
            } else {
                try (var entries = Files.list(runsDir)) {
                    runs = entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
                }
            }
            if (Files.isDirectory(db)) {
                String which = runs.size() <= 3 ? String.join(", ", runs) : String.join(", ", runs.subList(0, 3)) + ", ...";
                throw new StoreException.Corrupt(db + " is a directory, not a database file" + (runs.isEmpty() ? "" : ", but "
                        + runsDir + " holds the files of " + runs.size() + (runs.size() == 1 ? " run" : " runs") + " (" + which
                        + "): the database was replaced, so those runs can be neither listed nor resumed") + "; nothing was "
                        + "changed. Remove or rename it (for example `mv " + db + " " + db + ".dir`)" + (runs.isEmpty()
                        ? " and run the command again" : ", then restore " + db + " from a backup to resume them, or move the "
                        + "state directory aside to start afresh (for example `mv " + stateDir + " " + stateDir + ".lost`)"), null);
            }
            WalCheck.refuseDamagedLog(stateDir, db);
            if (runs.isEmpty()) return;
            if (Files.exists(db) && Files.size(db) > 0) {
                refuseForgottenRuns(stateDir, db, runsDir, runs);
                return;
            }
            String which = runs.size() <= 3 ? String.join(", ", runs) : String.join(", ", runs.subList(0, 3)) + ", ...";
            throw new StoreException.Corrupt("the database " + db + " is " + (Files.exists(db) ? "empty (0 bytes)" : "missing")
                    + " but " + runsDir + " holds the files of " + runs.size() + (runs.size() == 1 ? " run" : " runs") + " (" + which
                    + "): it was deleted, truncated or replaced, so those runs can be neither listed nor resumed; nothing was changed. "
                    + "Restore " + db + " from a backup to resume them, or move the state directory aside to start afresh "
                    + "(for example `mv " + stateDir + " " + stateDir + ".lost`)", null);
        } catch (IOException e) {
            String file = e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null ? fse.getFile() : null;
            throw new StoreException.Unavailable("cannot read the state directory " + stateDir + ": " + (file == null ? ""
                    : "cannot read " + file + ": ") + reason(e) + (file == null ? "" : ownerAndMode(Path.of(file)))
                    + "; nothing was changed. Run swarm as its owner, or check its permissions", e);
        }
    }

    /**
     * Refuses {@code link} when it is a symbolic link to nothing: {@link Files#exists} follows it and would call it
     * missing, so that swarm would make what it names where the link points, or fail there later.
     *
     * @param why what would go wrong, said after the link's name
     * @param fix what to do first, with {@code TARGET} for the link's target; "or remove the link" follows
     * @throws StoreException.Corrupt naming the link, its target and the fix; nothing changed
     */
    private static void refuseDanglingLink(Path link, String why, String fix) throws IOException {
        if (!Files.isSymbolicLink(link) || Files.exists(link)) return;
        Path target = Files.readSymbolicLink(link);
        Path resolved = link.resolveSibling(target);
        throw new StoreException.Corrupt(link + " is a symbolic link to " + target + ", which does not exist: " + why
                + "; nothing was changed. " + fix.replace("TARGET", resolved.toString()) + ", or remove the link (`rm " + link
                + "`), and run the command again", null);
    }

    /** Why a file operation failed ({@code e}), as a user reads it: {@link io.swarmflow.files.FileErrors#reason}. */
    static String reason(IOException e) {
        return io.swarmflow.files.FileErrors.reason(e);
    }

    /** " (owned by USER, mode rwx------)" of {@code p}, or "" when that cannot be read. */
    private static String ownerAndMode(Path p) {
        try {
            var attributes = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            return " (owned by " + attributes.owner().getName() + ", mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(attributes.permissions()) + ")";
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return "";
        }
    }

    /**
     * Whether {@code db} can be read alone, as a file no connection has open: it has no write-ahead log
     * ({@code swarm.db-wal}), or an empty one (0 bytes: no change in it; a log's changes are frames after its 32-byte
     * header) and no {@code swarm.db-shm} (a connection that has the database open in WAL mode keeps that file). A log
     * whose size cannot be read counts as one with changes.
     */
    static boolean noChangeInLog(Path db) {
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        try {
            return Files.size(wal) == 0 && !Files.exists(db.resolveSibling(db.getFileName() + "-shm"));
        } catch (java.nio.file.NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Run directories whose runs the database does not hold mean it lost writes it had made durable: its
     * write-ahead log ({@code swarm.db-wal}) was deleted, truncated or damaged, and SQLite would silently drop
     * it (a database that lost its whole log would even be taken for a new one). Checked on a read-only
     * connection, which neither migrates nor checkpoints, so the files are left as they are. A database that
     * cannot be read is left to the normal open, which reports it.
     */
    private static void refuseForgottenRuns(Path stateDir, Path db, Path runsDir, List<String> runs) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        // without a log (or with an empty one and no -shm), nothing else has the database open: read the file alone,
        // creating no -wal or -shm beside it
        boolean noLog = noChangeInLog(db);
        ds.setUrl("jdbc:sqlite:" + (noLog ? db.toAbsolutePath().toUri() + "?immutable=1" : db.toAbsolutePath()));
        Set<String> known = new HashSet<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            boolean hasRuns;
            try (ResultSet r = s.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'")) {
                hasRuns = r.next();
            }
            if (hasRuns) {
                try (ResultSet r = s.executeQuery("SELECT run_id FROM runs")) {
                    while (r.next()) known.add(r.getString(1));
                }
            }
        } catch (SQLException e) {
            return;
        }
        List<String> forgotten = runs.stream().filter(r -> !known.contains(r)).toList();
        if (forgotten.isEmpty() || noLog && !noChangeInLog(db)) return; // a writer opened it meanwhile: the normal open decides
        String which = forgotten.size() <= 3 ? String.join(", ", forgotten) : String.join(", ", forgotten.subList(0, 3)) + ", ...";
        throw new StoreException.Corrupt("the database " + db + " does not hold " + forgotten.size()
                + (forgotten.size() == 1 ? " run" : " runs") + " (" + which + ") whose files are in " + runsDir
                + ": it lost writes, most likely because its write-ahead log " + db.getFileName() + "-wal was deleted, truncated "
                + "or damaged, so those runs can be neither listed nor resumed; nothing was changed. Restore " + db + " together with "
                + db.getFileName() + "-wal from a backup to resume them, or move the state directory aside to start afresh "
                + "(for example `mv " + stateDir + " " + stateDir + ".lost`)", null);
    }

    /**
     * Whether the header of the SQLite file {@code db} says it is in WAL mode (bytes 18 and 19, the file format's write
     * and read versions, both 2: https://www.sqlite.org/fileformat2.html#database_header); false for an empty, short or
     * unreadable file.
     */
    static boolean walMode(Path db) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(db, java.nio.file.StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(2);
            while (b.hasRemaining()) if (ch.read(b, 18 + b.position()) < 0) return false;
            return b.get(0) == 2 && b.get(1) == 2;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A data source that reads the SQLite file {@code db} and never writes it ({@code SQLITE_OPEN_READONLY}), waiting
     * {@link #BUSY_TIMEOUT_MILLIS} for other processes' locks; with {@code immutable}, as a file that cannot change
     * ({@code immutable=1}: no locks, no {@code -shm} file), for a database no connection has open ({@link #noChangeInLog}).
     */
    static DataSource readOnlyDataSource(Path db, boolean immutable) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + (immutable ? db.toAbsolutePath().toUri() + "?immutable=1" : db.toAbsolutePath()));
        return ds;
    }

    /** A data source on the SQLite file {@code db}, waiting {@link #BUSY_TIMEOUT_MILLIS} for other processes' locks. */
    static DataSource dataSource(Path db) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        SQLiteDataSource ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + db.toAbsolutePath());
        return ds;
    }
}
