package io.swarmflow.store.sql;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.Appended;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.Projection;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunLease;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.TimeMark;
import io.swarmflow.store.TimeMarks;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link RunStore} on a SQL database, with engine differences in a {@link Dialect}.
 *
 * <p>Writes go through one writer thread that owns the one writer connection. It drains whatever
 * requests are queued (up to {@value #MAX_BATCH_EVENTS} events) into one transaction (group
 * commit) and completes their futures only after the commit returned, which with SQLite's
 * {@code synchronous=FULL} means after fsync (except a transaction of nothing but process-start records,
 * committed without fsync: see {@link RunStore#append}). Each append is checked against the writer's
 * in-memory {@link Projection} of the run (loaded from the tables on first use and reloaded when
 * another process wrote to the run): the epoch must be the run's current one and every event must
 * pass {@link Projection#check}. A rejected request writes nothing and does not affect the other
 * requests of its batch. Projection rows changed by a batch are written once per batch.
 *
 * <p>A transaction reads the store clock once ({@code now}, see {@link #writeBatch}): every event of every append it
 * commits is recorded at that time, and each append is acknowledged with it ({@link RunStore#appendRecorded}). A
 * transaction tried again (a lost connection, a deadlock, a lock held by another connection) reads it again: the
 * time is the one of the try that committed.
 *
 * <p>Reads use separate connections (a small pool), so they never wait for the writer and work
 * from other processes while a run executes.
 *
 * <p>Several stores (processes) may write to the same database: each write transaction first reads and locks the
 * row of every run it changes ({@link Dialect#lockRowSuffix}; on SQLite the whole database is locked from
 * {@link Dialect#beginWrite} on), so an epoch checked, a lease found free or a decision found absent stays so until
 * the commit. Run creation takes {@link Dialect#lockRunCreation} first.
 */
public final class SqlRunStore implements RunStore {
    /** Most events the writer puts into one transaction. */
    public static final int MAX_BATCH_EVENTS = 16_384;
    /**
     * How long a write waits in all, in milliseconds, while another connection holds the database's write lock
     * ({@link Dialect#isLockedByAnother}) before it fails: 60 s, six of SQLite's busy timeouts
     * ({@link SqliteDialect#BUSY_TIMEOUT_MILLIS}). Measured on the store's lock-wait clock ({@link System#nanoTime},
     * not the wall clock, so a clock step neither shortens nor stretches it) after each try that found the lock held (on
     * SQLite each try waits up to {@link SqliteDialect#WRITER_LOCK_TRY_MILLIS} in SQLite's busy handler), from when the
     * writes began waiting: the write fails at the first try that ends 60 s or more after that, so within one try after
     * the bound. A write that begins while the writes wait joins that wait (see {@link #lockWaitSince}): once a write
     * failed at the bound, those that follow it (the coordinator's release of the run on its way out) fail after one
     * try, so a run stops about a minute after the lock was found held, not a minute more per write. Long enough to ride out a
     * {@code sqlite3} session's transaction, a backup or {@code VACUUM} of a state database; short enough that a lock
     * left held (a forgotten session) stops the run with a clear message rather than hang it: while a write waits the
     * coordinator's scheduler thread waits too (for a heartbeat or a durable start), so nothing else is recorded and no
     * attempt is launched; a Ctrl-C ends the wait within {@link RunStore#GIVEN_UP_LOCK_WAIT_MILLIS}
     * ({@link #stopWaitingForLocks}). Correctness does not depend on it: the
     * run's lease (15 s by default) may lapse meanwhile, but another coordinator can claim the run only with the same
     * write lock, and then this one's next write is fenced by the epoch.
     */
    public static final long LOCK_WAIT_MILLIS = 60_000;
    /** How many times a batch whose transaction the server rolled back to break a deadlock is written again. */
    static final int DEADLOCK_RETRIES = 3;
    private static final int MAX_CACHED_RUNS = 32;
    private static final int MAX_IDLE_READERS = 4;

    private static final String RUN_COLUMNS = "run_id, name, spec_path, state, created_at, started_at, finished_at, epoch, owner, "
            + "cancel_requested, ticket_count, last_seq, description";
    /** How many columns {@link #RUN_COLUMNS} names. */
    private static final int RUN_COLUMN_COUNT = RUN_COLUMNS.split(",").length;
    private static final String TICKET_COLUMNS = "run_id, ticket_id, idx, state, attempt, failures, lease_expiries, exit_code, reason, "
            + "outputs, approved_by, started_at, finished_at, retry_at";
    private static final String ATTEMPT_COLUMNS = "run_id, ticket_id, attempt, outcome, exit_code, reason, started_at, finished_at, "
            + "pid, start_ticks, output_bytes, coordinator, permanent";
    /** A ticket row's columns as {@link Dialect#setBasedWrites} binds them, in the order of {@link #TICKET_COLUMNS}. */
    private static final List<ArrayColumn<TicketView>> TICKET_ARRAYS = List.of(
            new ArrayColumn<>("run_id", "text", TicketView::runId),
            new ArrayColumn<>("ticket_id", "text", TicketView::ticketId),
            new ArrayColumn<>("idx", "int4", TicketView::index),
            new ArrayColumn<>("state", "text", t -> t.state().label()),
            new ArrayColumn<>("attempt", "int4", TicketView::attempt),
            new ArrayColumn<>("failures", "int4", TicketView::failures),
            new ArrayColumn<>("lease_expiries", "int4", TicketView::leaseExpiries),
            new ArrayColumn<>("exit_code", "int4", TicketView::exitCode),
            new ArrayColumn<>("reason", "text", TicketView::reason),
            new ArrayColumn<>("outputs", "text", t -> Json.writeOutputs(t.outputs())),
            new ArrayColumn<>("approved_by", "text", TicketView::approvedBy),
            new ArrayColumn<>("started_at", "int8", TicketView::startedAtMillis),
            new ArrayColumn<>("finished_at", "int8", TicketView::finishedAtMillis),
            new ArrayColumn<>("retry_at", "int8", TicketView::retryAtMillis));
    /** An attempt row's columns and lease as {@link Dialect#setBasedWrites} binds them: {@link #ATTEMPT_COLUMNS}, lease_expires_at. */
    private static final List<ArrayColumn<AttemptRow>> ATTEMPT_ARRAYS = List.of(
            new ArrayColumn<>("run_id", "text", r -> r.attempt.runId()),
            new ArrayColumn<>("ticket_id", "text", r -> r.attempt.ticketId()),
            new ArrayColumn<>("attempt", "int4", r -> r.attempt.attempt()),
            new ArrayColumn<>("outcome", "text", r -> r.attempt.outcome() == null ? null : r.attempt.outcome().label()),
            new ArrayColumn<>("exit_code", "int4", r -> r.attempt.exitCode()),
            new ArrayColumn<>("reason", "text", r -> r.attempt.reason()),
            new ArrayColumn<>("started_at", "int8", r -> r.attempt.startedAtMillis()),
            new ArrayColumn<>("finished_at", "int8", r -> r.attempt.finishedAtMillis()),
            new ArrayColumn<>("pid", "int8", r -> r.attempt.pid()),
            new ArrayColumn<>("start_ticks", "int8", r -> r.attempt.startTicks()),
            new ArrayColumn<>("output_bytes", "int8", r -> r.attempt.outputBytes()),
            new ArrayColumn<>("coordinator", "text", r -> r.attempt.coordinator()),
            new ArrayColumn<>("permanent", "int4", r -> r.attempt.permanent() ? 1 : 0),
            new ArrayColumn<>("lease_expires_at", "int8", AttemptRow::leaseExpiresAt));
    /** What an attempt row's upsert sets when the row exists: its end, and its lease while it runs. */
    private static final String ATTEMPT_UPSERT = " ON CONFLICT (run_id, ticket_id, attempt) DO UPDATE SET "
            + "outcome = excluded.outcome, exit_code = excluded.exit_code, reason = excluded.reason, "
            + "finished_at = excluded.finished_at, pid = excluded.pid, start_ticks = excluded.start_ticks, "
            + "output_bytes = excluded.output_bytes, coordinator = excluded.coordinator, permanent = excluded.permanent, "
            + "lease_expires_at = CASE WHEN excluded.outcome IS NOT NULL THEN NULL "
            + "ELSE COALESCE(excluded.lease_expires_at, attempts.lease_expires_at) END";

    private final Dialect dialect;
    private final DataSource dataSource;
    private final String description;
    private final String recovery;
    /** See {@link #LOCK_WAIT_MILLIS}. */
    private final long lockWaitMillis;
    /**
     * What the lock waits are measured by, in nanoseconds ({@link System#nanoTime}; tests move it): {@link #lockWaitMillis},
     * {@link RunStore#GIVEN_UP_LOCK_WAIT_MILLIS}, the notice's delay ({@link Dialect#lockWaitNoticeAfterMillis}) and the
     * seconds the notices and errors say were waited. Not how long one try waits for the lock: SQLite's busy handler
     * ({@link SqliteDialect#WRITER_LOCK_TRY_MILLIS}) and the server's lock timeout go by the real time.
     */
    private final java.util.function.LongSupplier lockWaitClock;
    /** See {@link #openSqlite(Path, java.util.function.Consumer)}; null: none. */
    private final java.util.function.Consumer<String> migrationWaitNotices;
    /**
     * The runs a coordinator of this store works on, the only ones whose writes can be asked to stop waiting
     * ({@link #stopWaitingForLocks}): those it claimed ({@link #claimRun}) and did not release, and those it is claiming.
     * An entry goes when neither is left, and with it why its writes stopped waiting, so nothing outlives its
     * coordinator. Each change is one atomic {@link ConcurrentHashMap#compute} of an immutable {@link Coordination}; the
     * writer thread reads it without a lock.
     */
    private final ConcurrentHashMap<String, Coordination> coordinations = new ConcurrentHashMap<>();
    /** See {@link #noticesTo}: a run's latest one, or the latest one of no run, gets each notice. */
    private final ConcurrentLinkedDeque<NoticeSink> noticeSinks = new ConcurrentLinkedDeque<>();
    private final Object submitLock = new Object();
    private final LinkedBlockingQueue<Op<?>> queue = new LinkedBlockingQueue<>();
    private final ConcurrentLinkedDeque<Connection> idleReaders = new ConcurrentLinkedDeque<>();
    /** Whether {@link #read} keeps a connection for the next read; false for immutable ones ({@link #openSqliteReadOnly}). */
    private volatile boolean reuseReaders = true;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    /**
     * {@code run#epoch} of coordinators one of whose appends failed, to that first failure: their later appends fail too
     * ({@link StoreException.EarlierAppendFailed}, carrying it), so a pipelined append can never commit after a lost one
     * (no hole in what a coordinator believes it wrote). Writer thread only; a new claim brings a new epoch.
     */
    private final Map<String, Throwable> poisoned = new HashMap<>();
    /** The last {@link #now()}: it never goes back. */
    private final AtomicLong clock = new AtomicLong();
    /** This host's clock, epoch ms (tests skew it). */
    private final java.util.function.LongSupplier hostClock;
    /**
     * The database server's clock minus {@link #hostClock}, measured at each write transaction where the store's clock
     * is the server's ({@link Dialect#clockQuery}); 0 where it is this host's.
     */
    private volatile long clockOffset;
    /** The server's time of the last write transaction (writer thread), so that written times never go back. */
    private long lastServerNow;
    private final AtomicLong syncedCommitCount = new AtomicLong();
    private final AtomicLong unsyncedCommitCount = new AtomicLong();
    private final Thread writerThread;
    private volatile boolean closed;

    // Writer-thread state; touched only by the writer thread (and the constructor before it starts).
    private Connection writer;
    /** Whether {@link #writer}'s connection broke ({@link Dialect#isConnectionLost}) and is to be replaced before the next batch. */
    private boolean writerLost;
    /** Whether the current transaction's COMMIT was sent: when the connection breaks then, its outcome is unknown. */
    private boolean committing;
    /** Coordinators poisoned by the current batch, unpoisoned when it is tried again on a new connection. */
    private final List<String> poisonedByBatch = new ArrayList<>();
    /** Whether the writer connection is set to commit without fsync ({@link Dialect#unsyncedCommits}); false as configured. */
    private boolean unsyncedMode;
    /** {@link Dialect#unsyncedCommits} for this database, asked once; empty: every commit waits for the disk. */
    private List<String> unsyncedCommitSql = List.of();
    /**
     * {@link #lockWaitClock} when the writes began waiting for another connection's lock ({@link Dialect#isLockedByAnother})
     * with none written since, while {@link #lockWaiting}: one wait goes on across batches (a write given up, then the
     * cancel's own writes), and is said and measured from its start.
     */
    private long lockWaitSince;
    /**
     * Whether the writes wait for another connection's lock since {@link #lockWaitSince}: a flag of its own, as any
     * reading of a nanosecond clock (0 and negative ones included, {@link System#nanoTime}) can be a wait's start.
     */
    private boolean lockWaiting;
    /**
     * {@link #lockWaitClock} of the last write that found the lock held: a batch that begins more than
     * {@link RunStore#GIVEN_UP_LOCK_WAIT_MILLIS} after it does not go on that wait (the store was idle meanwhile).
     */
    private long lockWaitLastSeen;
    /** The sinks told of the wait since {@link #lockWaitSince} ({@link Dialect#lockWaitNotice}), to be told it ended. */
    private final Set<NoticeSink> lockWaitTold = new LinkedHashSet<>();
    private final LinkedHashMap<String, RunEntry> cache = new LinkedHashMap<>(16, 0.75f, true);
    private final Set<String> verified = new HashSet<>();
    private final Set<RunEntry> dirtyRuns = new LinkedHashSet<>();
    private PreparedStatement insertEvent;
    private PreparedStatement updateTicket;
    private PreparedStatement upsertAttempt;
    private PreparedStatement updateRun;
    private PreparedStatement selectRunHead;
    /** With {@link Dialect#setBasedWrites}: all ticket rows of a transaction in one statement (else null); see {@link #TICKET_ARRAYS}. */
    private PreparedStatement updateTickets;
    /** With {@link Dialect#setBasedWrites}: all attempt rows of a transaction in one statement (else null); see {@link #ATTEMPT_ARRAYS}. */
    private PreparedStatement upsertAttempts;
    /** Runs with event rows to write in the current transaction. */
    private final java.util.LinkedHashSet<RunEntry> pendingRows = new java.util.LinkedHashSet<>();
    /** Inserts a {@link TimeMark} row ({@link TimeMarks}); executed only in a transaction that has some. */
    private PreparedStatement insertMark;
    /** The time marks of the current transaction's accepted events, to write with their event rows. */
    private final List<MarkRow> pendingMarks = new ArrayList<>();

    /**
     * Opens (creating if needed) the SQLite store {@code <stateDir>/swarm.db}, creating the
     * directory and migrating the schema. A migration (a new or older database) holds the exclusive lock of
     * {@code <stateDir>/swarm.db.migration-lock} (made, empty and owner-only, when missing), so that commands opening a
     * new state directory at once migrate it one after the other, each waiting for up to {@link #LOCK_WAIT_MILLIS}.
     *
     * @throws StoreException.Corrupt when the file is not a readable Swarmflow database, or is missing or
     *                                empty while {@code runs/} holds run directories, or {@code runs} is not a
     *                                directory, or {@code swarm.db} is one, or its write-ahead log {@code swarm.db-wal}
     *                                is damaged before a transaction committed after the damage (read once, sequentially,
     *                                before SQLite opens it); the message names the file and how to recover
     * @throws StoreException.Unavailable when another connection's lock stopped the migration, or another process
     *                                held the migration lock past {@link #LOCK_WAIT_MILLIS}: nothing was changed, and the
     *                                command can be run again
     * @throws StoreException         when the directory or file cannot be created or opened
     */
    public static SqlRunStore openSqlite(Path stateDir) {
        return openSqliteWithLockWaitClock(stateDir, System::nanoTime);
    }

    /**
     * {@link #openSqlite(Path)}, telling {@code migrationWaitNotices} once, when it has waited
     * {@link #MIGRATION_LOCK_NOTICE_AFTER_MILLIS} for another process's migration lock, that it waits and for whom (one
     * line, without a trailing newline, for the user), and once more when it then gets the lock, that the wait is over and
     * the command goes on; the CLI prints them, as it does the write-lock wait's notices ({@link #noticesTo}), which a
     * store can say only once it is open.
     *
     * @param migrationWaitNotices called on this thread, at most twice per open (the wait, then its end); its failure
     *                             fails the open
     * @throws StoreException as {@link #openSqlite(Path)}
     */
    public static SqlRunStore openSqlite(Path stateDir, java.util.function.Consumer<String> migrationWaitNotices) {
        return openSqlite(stateDir, new SqliteDialect(), LOCK_WAIT_MILLIS, System::currentTimeMillis, System::nanoTime,
                migrationWaitNotices);
    }

    /**
     * {@link #openSqlite(Path)}, as the CLI opens it, but with its lock waits measured by {@code lockWaitClock}
     * (nanoseconds, read as {@link System#nanoTime} is; see {@link #lockWaitClock}): for tests that move it past
     * {@link #LOCK_WAIT_MILLIS} without waiting a minute.
     */
    static SqlRunStore openSqliteWithLockWaitClock(Path stateDir, java.util.function.LongSupplier lockWaitClock) {
        return openSqlite(stateDir, new SqliteDialect(), LOCK_WAIT_MILLIS, System::currentTimeMillis, lockWaitClock, null);
    }

    /** {@link #openSqlite(Path, java.util.function.Consumer)} with its lock waits measured by {@code lockWaitClock}, for tests. */
    static SqlRunStore openSqliteWithLockWaitClock(Path stateDir, java.util.function.LongSupplier lockWaitClock,
                                                   java.util.function.Consumer<String> migrationWaitNotices) {
        return openSqlite(stateDir, new SqliteDialect(), LOCK_WAIT_MILLIS, System::currentTimeMillis, lockWaitClock,
                migrationWaitNotices);
    }

    /** {@link #openSqlite(Path)} with another busy timeout ({@code dialect}'s) and {@link #LOCK_WAIT_MILLIS}, for tests. */
    static SqlRunStore openSqlite(Path stateDir, SqliteDialect dialect, long lockWaitMillis) {
        return openSqlite(stateDir, dialect, lockWaitMillis, System::currentTimeMillis, System::nanoTime, null);
    }

    /** {@link #openSqlite(Path)} on a host whose clock is {@code hostClock} (epoch ms), for tests that move it. */
    static SqlRunStore openSqlite(Path stateDir, java.util.function.LongSupplier hostClock) {
        return openSqlite(stateDir, new SqliteDialect(), LOCK_WAIT_MILLIS, hostClock, System::nanoTime, null);
    }

    private static SqlRunStore openSqlite(Path stateDir, SqliteDialect dialect, long lockWaitMillis,
                                          java.util.function.LongSupplier hostClock, java.util.function.LongSupplier lockWaitClock,
                                          java.util.function.Consumer<String> migrationWaitNotices) {
        SqliteNativeLibrary.useCachedCopy();
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot create the state directory " + stateDir + ": " + SqliteDialect.reason(e)
                    + "; check its permissions", e);
        }
        Path db = stateDir.resolve("swarm.db");
        SqliteDialect.refuseLostDatabase(stateDir, db);
        createOwnerOnly(db);
        String recovery = "move the state directory aside (for example `mv " + stateDir + " " + stateDir + ".broken`) and start a "
                + "new run; runs in " + db + " cannot be resumed";
        return new SqlRunStore(dialect, SqliteDialect.dataSource(db), db.toString(), recovery, lockWaitMillis, hostClock, lockWaitClock,
                false, null, stateDir.resolve(MIGRATION_LOCK_FILE), migrationWaitNotices);
    }

    /**
     * The file in a SQLite state directory that serializes the schema migration across processes: two
     * commands opening a new state directory at once would otherwise both run Flyway, and SQLite refuses one of them with
     * SQLITE_BUSY or SQLITE_BUSY_SNAPSHOT (its busy handler is not called when a read transaction upgrades to a write).
     * Created, owner-only, by the first migration; empty, and left in place.
     */
    static final String MIGRATION_LOCK_FILE = "swarm.db.migration-lock";

    /**
     * How long a migration waits for another process's migration lock ({@link #MIGRATION_LOCK_FILE}) before it says so
     * ({@link #openSqlite(Path, java.util.function.Consumer)}), in milliseconds by {@link #lockWaitClock}: a migration
     * takes well under that, so a longer wait is worth a line, where the whole wait can last {@link #LOCK_WAIT_MILLIS}.
     */
    static final long MIGRATION_LOCK_NOTICE_AFTER_MILLIS = 1_000;

    /** Serializes migrations within this JVM: {@link FileChannel#tryLock} refuses a second lock of the same file here. */
    private static final Object MIGRATION_MONITOR = new Object();

    /**
     * Opens the SQLite store {@code <stateDir>/swarm.db} for reading only, writing none of its data: for a state directory that
     * cannot be written (a read-only mount, an immutable attribute, an archived copy), where {@link #openSqlite} fails.
     * Nothing is created, migrated or checkpointed; a write fails ({@link StoreException.Unavailable}).
     * <ul>
     *   <li>Without a write-ahead log ({@code swarm.db-wal}) no connection has the database open (SQLite keeps the log
     *   while one has it in WAL mode, and deletes it when the last one closes), so {@code swarm.db} holds every change:
     *   it is read as an immutable file ({@code immutable=1}), without locks or the shared-memory file {@code swarm.db-shm}
     *   that SQLite's plain read-only mode needs for a WAL database and could not create here. The same with an empty log
     *   (0 bytes) and no {@code swarm.db-shm}: it holds no change (a log's changes are frames after its 32-byte header),
     *   and an immutable open does not read the log. Not with a rollback journal ({@code swarm.db-journal}, not empty: a
     *   writer of a database not in WAL mode stopped mid-commit), which an immutable open would ignore: read-only mode
     *   then refuses, as only a connection that may write can roll it back ({@link StoreException.Unavailable} saying
     *   so). Each read opens its own immutable connection, which keeps no pages from an earlier read.</li>
     *   <li>With a log and its {@code swarm.db-shm} (a coordinator runs it elsewhere, or was killed): read-only mode
     *   ({@code SQLITE_OPEN_READONLY}), which reads the log's changes too (SQLite 3.22 and later, also when the
     *   {@code -shm} file cannot be written).</li>
     *   <li>With a log that is not empty but no {@code swarm.db-shm}: refused, since the changes it may hold cannot be read
     *   without it and leaving them out would show an older state as the current one.</li>
     * </ul>
     *
     * @param stateDir an existing state directory holding {@code swarm.db}
     * @throws StoreException.Unavailable when the log's changes cannot be read (no {@code -shm}; the message says whether
     *                                    the directory, the database file or its log is read-only, or none is), or the schema is not
     *                                    this build's (reading it would need a migration, which writes); the message
     *                                    names the files and the way out (a writable copy)
     * @throws StoreException.Corrupt     as {@link #openSqlite} does
     */
    public static SqlRunStore openSqliteReadOnly(Path stateDir) {
        return openSqliteReadOnly(stateDir, false);
    }

    /**
     * Opens the SQLite store {@code <stateDir>/swarm.db} for reading only, as the commands that only read it do
     * ({@code runs}, {@code status}, {@code logs}), whether or not it could be written: nothing is migrated, checkpointed
     * or written to {@code swarm.db} or its write-ahead log {@code swarm.db-wal}, and a write fails
     * ({@link StoreException.Unavailable}).
     * <p>
     * With {@code writableState} false (the state directory, {@code swarm.db}, its log or {@code swarm.db-shm} cannot be
     * written), as {@link #openSqliteReadOnly(Path)}. With it true, always in SQLite's read-only mode
     * ({@code SQLITE_OPEN_READONLY}), with its locks, never as an immutable file: another swarm may start, write and end
     * in the directory while this one reads, and an immutable connection would neither read its log nor notice the
     * checkpoint that rewrites {@code swarm.db} under the pages it cached. Where there is no log, SQLite makes
     * {@code swarm.db-wal} (empty) and {@code swarm.db-shm} with {@code swarm.db}'s permissions (and, for root, its
     * owner), and leaves them when it closes: the next writer uses and removes them.
     *
     * @param stateDir      an existing state directory holding {@code swarm.db}
     * @param writableState whether the state directory and its database files can be written (the caller checked)
     * @throws StoreException.Unavailable when the schema is not this build's (reading it would need a migration, which
     *                                    writes: the message says to run a command that writes first), or as
     *                                    {@link #openSqliteReadOnly(Path)}
     * @throws StoreException.Corrupt     as {@link #openSqlite} does
     */
    public static SqlRunStore openSqliteReadOnly(Path stateDir, boolean writableState) {
        SqliteNativeLibrary.useCachedCopy();
        Path db = stateDir.resolve("swarm.db");
        SqliteDialect.refuseLostDatabase(stateDir, db);
        Path wal = db.resolveSibling(db.getFileName() + "-wal");
        Path shm = db.resolveSibling(db.getFileName() + "-shm");
        String copy = "copy the state directory to one you can write (for example `cp -a " + stateDir + " /tmp/swarm-state-copy`) "
                + "and point --state-dir at the copy";
        String migrate = "run a command that writes to it first, which migrates it (for example `swarm report --state-dir "
                + stateDir + "`, which also rewrites the newest run's report), then this command again";
        if (writableState) {
            // as below, but a log without its -shm is read too: SQLite makes the -shm (as a writer would)
            String recovery = "if a swarm process started or ended in this state directory meanwhile, run the command again; "
                    + "otherwise move the state directory aside (for example `mv " + stateDir + " " + stateDir + ".broken`) and "
                    + "start a new run; runs in " + db + " cannot be resumed";
            // never immutable here: a swarm may start, write and end in this directory while the command reads, and an
            // immutable connection neither reads its log nor notices the checkpoint that rewrites swarm.db under the pages
            // it cached (review DWG F1). SQLite's read-only mode takes its locks and reads the log; where there is none it
            // makes swarm.db-wal and swarm.db-shm with swarm.db's permissions (and owner, for root), which it leaves on
            // close and the next writer uses and removes
            return rollingBackFirst(db, "Run a command that writes to it first (for example `swarm report --state-dir " + stateDir
                    + "`, which also rewrites the newest run's report), then this command again", () -> new SqlRunStore(
                    new SqliteDialect(), SqliteDialect.readOnlyDataSource(db, false), db.toString(), recovery, LOCK_WAIT_MILLIS,
                    System::currentTimeMillis, System::nanoTime, true, migrate, null, null));
        }
        long logBytes = logBytes(wal);
        boolean noShm = !Files.exists(shm);
        if (logBytes > 0 && noShm) throw logUnreadable(stateDir, db, wal, shm, copy);
        // read as a file that cannot change when no log is there, or an empty one without -shm (no change in it): a swarm
        // writing it meanwhile through another mount of the directory would make what is read look damaged
        String recovery = "if a swarm process was writing this state directory meanwhile (through another, writable mount), "
                + "run the command again; otherwise the database is damaged and runs in " + db + " cannot be resumed: "
                + copy + " to read what is left";
        // not with a rollback journal either: an immutable read ignores it, and would show what an interrupted write left
        // half done; SQLite's read-only mode says it must be rolled back first (below)
        boolean immutable = SqliteDialect.noChangeInLog(db) && !hasJournal(db);
        SqlRunStore store = rollingBackFirst(db, "Make the state directory writable and run a command that writes to it first "
                + "(for example `swarm report --state-dir " + stateDir + "`), then this command again; or " + copy
                + " and do so there", () -> new SqlRunStore(new SqliteDialect(), SqliteDialect.readOnlyDataSource(db, immutable),
                db.toString(), recovery, LOCK_WAIT_MILLIS, System::currentTimeMillis, System::nanoTime, true,
                "make it writable and " + migrate + "; or " + copy + " and do so there", null, null));
        // an immutable connection keeps its cached pages from one read to the next without looking whether the file
        // changed: each read opens its own, so that one command's reads go stale no more than each read alone
        store.reuseReaders = !immutable;
        return store;
    }

    /** Whether {@code db} has a rollback journal ({@code swarm.db-journal}) that is not empty, or one whose size cannot be read. */
    private static boolean hasJournal(Path db) {
        try {
            return Files.size(db.resolveSibling(db.getFileName() + "-journal")) > 0;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * {@code open}, with SQLite's {@code SQLITE_READONLY_ROLLBACK} (a hot rollback journal: a writer of a database not in
     * WAL mode stopped mid-commit, which only a connection that may write can roll back) said plainly, with {@code wayOut}
     * (review DWG F8).
     */
    private static SqlRunStore rollingBackFirst(Path db, String wayOut, java.util.function.Supplier<SqlRunStore> open) {
        try {
            return open.get();
        } catch (StoreException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof org.sqlite.SQLiteException s && s.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_READONLY_ROLLBACK) {
                    throw new StoreException.Unavailable("cannot read " + db + ": a write to it was interrupted (a swarm stopped "
                            + "while it wrote; " + db.getFileName() + "-journal holds what undoes it), and only a command that writes "
                            + "can roll it back; nothing was changed. " + wayOut, e);
                }
            }
            throw e;
        }
    }

    /** The size of the write-ahead log {@code wal} in bytes, -1 when there is none. */
    private static long logBytes(Path wal) {
        try {
            return Files.size(wal);
        } catch (java.nio.file.NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot read the size of " + wal + ": " + e.getMessage() + "; nothing was "
                    + "changed. Check the permissions of it and of its directory", e);
        }
    }

    /**
     * Why {@link #openSqliteReadOnly} cannot read the changes in the write-ahead log {@code wal} without {@code shm}, by what
     * is read-only now: the state directory (SQLite cannot make {@code shm} in it), else the database or its log (the
     * directory could hold {@code shm}, but a read-only open makes no file), else nothing (the caller opened it read-only
     * for another reason, or it was made writable since); each with its way out.
     */
    private static StoreException.Unavailable logUnreadable(Path stateDir, Path db, Path wal, Path shm, String copy) {
        String log = "its write-ahead log " + wal.getFileName() + " may hold changes not yet in " + db.getFileName()
                + ", and SQLite reads them only with " + shm.getFileName() + ", which is missing";
        List<String> readOnlyFiles = new ArrayList<>();
        for (Path p : List.of(db, wal)) if (!Files.isWritable(p)) readOnlyFiles.add(p.getFileName().toString());
        String files = String.join(" and ", readOnlyFiles);
        String message;
        if (!Files.isWritable(stateDir)) {
            message = "cannot read " + db + " in the read-only state directory " + stateDir + ": " + log + " and cannot be made "
                    + "there; nothing was changed. Make the directory writable" + (readOnlyFiles.isEmpty() ? ""
                    : " (and make " + files + " writable too: " + (readOnlyFiles.size() == 1 ? "it is" : "they are")
                    + " read-only as well)") + ", or " + copy;
        } else if (!readOnlyFiles.isEmpty()) {
            message = "cannot read " + db + ": " + log + "; the state directory " + stateDir + " could hold it, but " + files
                    + (readOnlyFiles.size() == 1 ? " is" : " are") + " read-only for you (permissions or an immutable "
                    + "attribute), so the database was opened for reading only, which makes no file; nothing was changed. "
                    + "Make " + files + " writable (for example `chmod u+w`, or `chattr -i` for an immutable file) and run "
                    + "the command again, or " + copy;
        } else {
            message = "cannot read " + db + " opened for reading only: " + log + ", and a read-only open makes no file; "
                    + "nothing was changed. The state directory " + stateDir + " and its database can be written now: run the "
                    + "command again, or " + copy;
        }
        return new StoreException.Unavailable(message, null);
    }

    /**
     * Creates an empty {@code db} readable and writable by its owner alone ({@code rw-------}) when there is none: SQLite
     * takes an empty file for a new database, and gives its write-ahead log and shared-memory files the database file's
     * permissions (its unix VFS, {@code findCreateFileMode}), where it would otherwise create all three under the
     * process's umask, readable by everyone with the usual 022. The plan it stores holds {@code --var} values and
     * environment, which may be secrets.
     */
    private static void createOwnerOnly(Path db) {
        if (Files.exists(db, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try {
            Files.createFile(db, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (java.nio.file.FileAlreadyExistsException | UnsupportedOperationException e) {
            // created meanwhile by another swarm, or no POSIX permissions here: SQLite opens what is there
        } catch (IOException e) {
            throw new StoreException.Unavailable("cannot create " + db + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a SQLite state directory whose database lost runs that its run directories show: see
     * {@link SqliteDialect#refuseLostDatabase}.
     *
     * @param stateDir the state directory ({@code .swarm})
     * @param db       its database file ({@code swarm.db})
     * @throws StoreException.Corrupt naming the file, the runs and the way out
     * @throws StoreException         when the state directory cannot be read
     */
    public static void refuseLostDatabase(Path stateDir, Path db) {
        SqliteDialect.refuseLostDatabase(stateDir, db);
    }

    /**
     * Opens (creating and migrating if needed) the PostgreSQL store in schema {@code schema} of the database at
     * {@code jdbcUrl}, through pgjdbc's unpooled data source: the writer keeps one connection, reads keep up to
     * {@value #MAX_IDLE_READERS} idle ones.
     *
     * @param jdbcUrl a pgjdbc URL, for example {@code jdbc:postgresql://127.0.0.1:5432/swarm?user=swarm}; a password in
     *                it is kept out of messages
     * @param schema  the schema holding the store's tables (created if missing): lower-case letters, digits and
     *                {@code _}, starting with a letter or {@code _}, at most 63 characters
     * @throws IllegalArgumentException when the URL or schema name is not valid
     * @throws StoreException.Corrupt   when the schema holds something other than a Swarmflow store
     * @throws StoreException           when the server cannot be reached or refuses the connection
     */
    public static SqlRunStore openPostgres(String jdbcUrl, String schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        try {
            ds.setURL(jdbcUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL: " + redact(jdbcUrl) + " (" + e.getMessage()
                    + "); expected jdbc:postgresql://host:port/database?user=...", e);
        }
        return openPostgres(ds, redact(jdbcUrl), schema);
    }

    /**
     * Opens (creating and migrating if needed) the PostgreSQL store in schema {@code schema} on {@code dataSource}
     * (a pool, for example). The store keeps one connection for its writer and up to {@value #MAX_IDLE_READERS} idle
     * read connections, and sets each one's {@code search_path} to {@code schema}.
     *
     * @param description what the database is, for messages (a JDBC URL without secrets)
     * @see #openPostgres(String, String)
     */
    public static SqlRunStore openPostgres(DataSource dataSource, String description, String schema) {
        PostgresDialect dialect = new PostgresDialect(schema);
        String where = "schema " + schema + " of " + description;
        String recovery = "move the schema aside (for example `ALTER SCHEMA " + schema + " RENAME TO " + schema + "_broken`) and "
                + "start a new run; runs in it cannot be resumed";
        return new SqlRunStore(dialect, dataSource, where, recovery, LOCK_WAIT_MILLIS, System::currentTimeMillis);
    }

    /** {@link #openPostgres(String, String)} on a host whose clock is {@code hostClock}, for tests that skew it. */
    static SqlRunStore openPostgres(String jdbcUrl, String schema, java.util.function.LongSupplier hostClock) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        return new SqlRunStore(new PostgresDialect(schema), ds, "schema " + schema + " of " + redact(jdbcUrl), "start a new run",
                LOCK_WAIT_MILLIS, hostClock);
    }

    /** {@code url} without the value of a {@code password} parameter. */
    static String redact(String url) {
        return url == null ? null : url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /**
     * Opens a store on {@code dataSource}: migrates the schema with Flyway (unless its history shows it
     * current, see {@link #schemaIsCurrent}), checks the tables can be read and starts the writer thread.
     *
     * @param description what the database is, for messages (a file path, a JDBC URL without secrets)
     * @param recovery    what a user should do when the database is corrupt
     * @throws StoreException.Corrupt when the database cannot be read as a Swarmflow store
     */
    public SqlRunStore(Dialect dialect, DataSource dataSource, String description, String recovery) {
        this(dialect, dataSource, description, recovery, LOCK_WAIT_MILLIS, System::currentTimeMillis);
    }

    /**
     * @param lockWaitMillis see {@link #LOCK_WAIT_MILLIS}; tests make it short
     * @param hostClock      this host's clock, epoch ms; tests skew it
     */
    SqlRunStore(Dialect dialect, DataSource dataSource, String description, String recovery, long lockWaitMillis,
                java.util.function.LongSupplier hostClock) {
        this(dialect, dataSource, description, recovery, lockWaitMillis, hostClock, System::nanoTime);
    }

    /**
     * @param lockWaitMillis see {@link #LOCK_WAIT_MILLIS}; tests make it short
     * @param hostClock      this host's clock, epoch ms; tests skew it
     * @param lockWaitClock  what lock waits are measured by, ns ({@link #lockWaitClock}); tests move it
     */
    SqlRunStore(Dialect dialect, DataSource dataSource, String description, String recovery, long lockWaitMillis,
                java.util.function.LongSupplier hostClock, java.util.function.LongSupplier lockWaitClock) {
        this(dialect, dataSource, description, recovery, lockWaitMillis, hostClock, lockWaitClock, false, null, null, null);
    }

    /**
     * @param readOnly  whether to open it for reading only ({@link #openSqliteReadOnly}): no migration, no switch to WAL
     * @param writeHint with {@code readOnly}, what to do when the schema needs a migration, which writes
     * @param migrationLock the file whose exclusive lock a migration holds ({@link #MIGRATION_LOCK_FILE}); null for none
     * @param migrationWaitNotices told once of a long wait for {@code migrationLock} ({@link #holdingMigrationLock}); null
     *                             for none
     */
    private SqlRunStore(Dialect dialect, DataSource dataSource, String description, String recovery, long lockWaitMillis,
                        java.util.function.LongSupplier hostClock, java.util.function.LongSupplier lockWaitClock,
                        boolean readOnly, String writeHint, Path migrationLock,
                        java.util.function.Consumer<String> migrationWaitNotices) {
        this.migrationWaitNotices = migrationWaitNotices;
        this.hostClock = hostClock;
        this.lockWaitClock = lockWaitClock;
        this.dialect = dialect;
        this.dataSource = dataSource;
        this.description = description;
        this.recovery = recovery;
        this.lockWaitMillis = lockWaitMillis;
        Connection w = null;
        try {
            w = dataSource.getConnection();
            dialect.configure(w, true);
            if (dialect.clockQuery() != null) {
                try (Statement s = w.createStatement()) {
                    long sent = hostClock.getAsLong();
                    try (ResultSet rs = s.executeQuery(dialect.clockQuery())) {
                        long received = hostClock.getAsLong();
                        rs.next();
                        lastServerNow = rs.getLong(1);
                        clockOffset = clockOffset(lastServerNow, sent, received);
                    }
                }
            }
            boolean current = schemaIsCurrent(w, dialect.migrationChecksums());
            if (!current) refuseNewerSchema(w, dialect.migrationChecksums(), description);
            if (readOnly && !current) {
                throw new StoreException.Unavailable("cannot read " + description + " without writing it: " + (hasHistory(w)
                        ? "its tables are those of an older swarm, which this one reads only once they are migrated; migrating"
                        : "it holds no tables yet (the command that made it stopped before creating them); creating them")
                        + " writes to the database, so it is left to the commands that write; nothing was changed. "
                        + Character.toUpperCase(writeHint.charAt(0)) + writeHint.substring(1), null);
            }
            // only now: a database refused above is left as it was (SQLite's switch to WAL writes to it)
            Connection opened = w;
            SqlAction prepare = () -> {
                // checked again under the lock: another process may have migrated it meanwhile, and a newer swarm's
                // migration is refused as before the wait (Flyway would ignore its "future" versions and migrate)
                boolean migrated = false;
                if (!current && migrationLock != null) {
                    migrated = schemaIsCurrent(opened, dialect.migrationChecksums());
                    if (!migrated) refuseNewerSchema(opened, dialect.migrationChecksums(), description);
                }
                if (!readOnly) dialect.configureDatabase(opened);
                unsyncedCommitSql = dialect.unsyncedCommits(opened);
                if (!current && !migrated) migrate();
            };
            // a new database's switch to WAL and migration, one process at a time: either, racing another, may get
            // SQLITE_BUSY at once (SQLite calls no busy handler where waiting could deadlock)
            if (!current && migrationLock != null) holdingMigrationLock(migrationLock, prepare);
            else prepare.run();
            try (Statement s = w.createStatement()) {
                for (String table : List.of("runs", "tickets", "attempts", "event_batches", "run_commands", "time_marks")) {
                    s.executeQuery("SELECT * FROM " + table + " LIMIT 1").close();
                }
            }
            writer = w;
            prepareWriterStatements(w);
        } catch (SQLException e) {
            closeQuietly(w);
            if (dialect.diskFull(description, e) != null) throw openDiskFull(e);
            if (dialect.isCorruption(e)) throw corrupt(e);
            if (dialect.isUnavailable(e)) throw new StoreException.Unavailable("cannot open " + description + ": " + e.getMessage(), e);
            throw new StoreException("cannot open " + description + ": " + e.getMessage(), e);
        } catch (FlywayException e) {
            closeQuietly(w);
            SQLException sql = sqlCause(e);
            if (sql != null && dialect.isLockedByAnother(sql)) throw migrationLocked(sql);
            if (sql != null && dialect.diskFull(description, sql) != null) throw openDiskFull(sql);
            if (sql != null && !dialect.isCorruption(sql) && dialect.isUnavailable(sql)) {
                throw new StoreException.Unavailable("cannot open " + description + ": " + oneLine(sql.getMessage()), e);
            }
            throw corrupt(e);
        } catch (RuntimeException e) {
            closeQuietly(w);
            throw e;
        }
        clock.set(hostClock.getAsLong() + clockOffset);
        writerThread = new Thread(this::writerLoop, "swarmflow-store-writer");
        writerThread.setDaemon(true);
        writerThread.start();
    }

    private void prepareWriterStatements(Connection w) throws SQLException {
        insertEvent = w.prepareStatement("INSERT INTO event_batches (run_id, first_seq, last_seq, at, payload) VALUES (?, ?, ?, ?, ?)");
        insertMark = w.prepareStatement("INSERT INTO time_marks (run_id, seq, at, prev_at, payload) VALUES (?, ?, ?, ?, ?)");
        updateTicket = w.prepareStatement("UPDATE tickets SET state = ?, attempt = ?, failures = ?, lease_expiries = ?, exit_code = ?, "
                + "reason = ?, outputs = ?, approved_by = ?, started_at = ?, finished_at = ?, retry_at = ? "
                + "WHERE run_id = ? AND ticket_id = ?");
        upsertAttempt = w.prepareStatement("INSERT INTO attempts (" + ATTEMPT_COLUMNS + ", lease_expires_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + ATTEMPT_UPSERT);
        if (dialect.setBasedWrites()) {
            updateTickets = w.prepareStatement("UPDATE tickets SET state = u.state, attempt = u.attempt, failures = u.failures, "
                    + "lease_expiries = u.lease_expiries, exit_code = u.exit_code, reason = u.reason, outputs = u.outputs, "
                    + "approved_by = u.approved_by, started_at = u.started_at, finished_at = u.finished_at, retry_at = u.retry_at "
                    + "FROM " + unnest(TICKET_ARRAYS) + " WHERE tickets.run_id = u.run_id AND tickets.ticket_id = u.ticket_id");
            upsertAttempts = w.prepareStatement("INSERT INTO attempts (" + ATTEMPT_COLUMNS + ", lease_expires_at) SELECT * FROM "
                    + unnest(ATTEMPT_ARRAYS) + ATTEMPT_UPSERT);
        }
        updateRun = w.prepareStatement("UPDATE runs SET state = ?, started_at = ?, finished_at = ?, epoch = ?, owner = ?, "
                + "cancel_requested = ?, last_seq = ?, "
                // complete through the new last event only if complete through the old one (else an older swarm, which
                // keeps no time marks, appended to the run: 0, read from its events from then on)
                + "time_marks = CASE WHEN time_marks = last_seq THEN ? ELSE 0 END WHERE run_id = ?");
        // locked until the commit: the epoch checked and the seq numbers handed out stay valid for the whole transaction
        selectRunHead = w.prepareStatement("SELECT claim_epoch, last_seq FROM runs WHERE run_id = ?" + dialect.lockRowSuffix());
    }

    /**
     * Replaces the writer's broken connection with a new one, configured as at the start.
     *
     * @return null, or why no new connection could be made (then {@link #writerLost} stays set)
     */
    private SQLException reconnectWriter() {
        for (Statement st : java.util.Arrays.asList(insertEvent, insertMark, updateTicket, upsertAttempt, updateRun, selectRunHead,
                updateTickets, upsertAttempts)) {
            closeQuietly(st);
        }
        closeQuietly(writer);
        Connection w = null;
        try {
            w = dataSource.getConnection();
            dialect.configure(w, true);
            dialect.configureDatabase(w);
            prepareWriterStatements(w);
        } catch (SQLException e) {
            closeQuietly(w);
            return e;
        }
        writer = w;
        unsyncedMode = false;
        writerLost = false;
        return null;
    }

    /**
     * Whether Flyway's history already records exactly this build's migrations ({@link Dialect#migrationChecksums}):
     * the same versions, each successful and with the checksum Flyway computes for this build's file, and nothing
     * else. Then Flyway has nothing to do, and starting it (scanning the classpath, validating checksums) would cost
     * a few hundred milliseconds of every command ({@code FlywayStart}, docs/architecture.md: 412 ms median on a loaded
     * 2-core VM). Any doubt (no history table yet, a failed, missing, newer or edited migration, an unreadable database,
     * a dialect that lists no checksums) leaves the decision, and the error, to Flyway.
     */
    /** Whether {@code c}'s database has Flyway's history table (an older swarm migrated it), by the catalog. */
    private static boolean hasHistory(Connection c) {
        try (ResultSet r = c.getMetaData().getTables(null, null, "flyway_schema_history", null)) {
            return r.next();
        } catch (SQLException e) {
            return true;
        }
    }

    static boolean schemaIsCurrent(Connection c, Map<Integer, Integer> expected) {
        if (expected.isEmpty()) return false;
        Map<Integer, Integer> found = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version, checksum, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            while (r.next()) {
                int version = Integer.parseInt(r.getString(1));
                int checksum = r.getInt(2);
                boolean checksumNull = r.wasNull();
                if (!r.getBoolean(3) || checksumNull || found.put(version, checksum) != null) return false;
            }
        } catch (SQLException | NumberFormatException e) {
            return false;
        }
        return found.equals(expected);
    }

    /**
     * Refuses a database that a newer swarm migrated: Flyway's history holds a successful migration newer than the newest
     * of this build ({@link Dialect#migrationChecksums}). Flyway ignores such a "future" migration by default
     * ({@code ignoreMigrationPatterns} {@code *:future}) and would let this older swarm read and write a schema it does
     * not know: it may misread what the newer one recorded, and what it writes lacks what the newer one expects (a
     * swarm from before SQLite V4 / PostgreSQL V3 creates runs without their description line). Nothing is read or
     * written but the history; a history that cannot be read is left to Flyway. A newer migration recorded as failed
     * (a database without transactional DDL) is refused the same way: the newer swarm is the one to recover it, not
     * Flyway's advice to move the database aside.
     *
     * @param description what the database is, for the message
     * @throws StoreException.Corrupt naming both versions and the way out (the newer swarm)
     */
    static void refuseNewerSchema(Connection c, Map<Integer, Integer> known, String description) {
        if (known.isEmpty()) return;
        int newest = java.util.Collections.max(known.keySet());
        int found = 0;
        String what = null;
        int failed = 0;
        String failedWhat = null;
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version, description, success FROM flyway_schema_history WHERE version IS NOT NULL")) {
            while (r.next()) {
                int version = Integer.parseInt(r.getString(1));
                String migration = r.getString(2);
                if (r.getBoolean(3) && version > found) {
                    found = version;
                    what = migration;
                } else if (!r.getBoolean(3) && version > failed) {
                    failed = version;
                    failedWhat = migration;
                }
            }
        } catch (SQLException | NumberFormatException e) {
            return;
        }
        if (failed > newest && failed > found) {
            // a newer swarm's migration that failed half-way (a database without transactional DDL): Flyway would call the
            // database unreadable and advise moving it aside, where the newer swarm is the one that can repair it
            throw new StoreException.Corrupt(description + " was being upgraded by a newer swarm, whose migration to schema version "
                    + failed + " (" + failedWhat + ") failed; this swarm knows versions up to " + newest + "; nothing was changed. "
                    + "Use the newer swarm (the one that last ran on this state, or a later one), which says how to recover: "
                    + "`swarm version` says which one you run", null);
        }
        if (found <= newest) return;
        throw new StoreException.Corrupt(description + " was written by a newer swarm: its schema is at version " + found + " ("
                + what + "), and this swarm knows versions up to " + newest + ", so it could misread what the newer one recorded; "
                + "nothing was changed. Use the newer swarm (the one that last ran on this state, or a later one): `swarm version` "
                + "says which one you run", null);
    }

    /** What {@link #holdingMigrationLock} runs. */
    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    /**
     * Runs {@code action} (a new database's switch to WAL and its migration) holding the exclusive lock of the file
     * {@code lock} ({@link #MIGRATION_LOCK_FILE}), waiting for another process's for up to {@link #lockWaitMillis}: a
     * second process that waited for it finds the schema current, checked again once the lock is held, and runs no
     * migration.
     *
     * @throws StoreException.Unavailable when another process held the lock past {@link #lockWaitMillis}, or the lock file
     *                                    cannot be created or locked for another reason than its permissions
     * @throws StoreException.Corrupt     when {@code lock} is a directory or another file that is not a regular one, or
     *                                    one this process may not open for writing (its owner and mode): the state
     *                                    directory cannot be used as it is, and the message says how to fix it
     */
    private void holdingMigrationLock(Path lock, SqlAction action) throws SQLException {
        // before opening it: opening a named pipe for writing would wait for a reader
        if (Files.exists(lock) && !Files.isRegularFile(lock)) { // as swarm.db that is a directory is refused
            String what = Files.isDirectory(lock) ? "a directory" : "not a regular file";
            throw new StoreException.Corrupt("cannot open " + description + ": cannot lock " + lock + " to migrate its schema: "
                    + "it is " + what + ", not the empty lock file swarm makes there; nothing was changed. Remove or rename it "
                    + "(for example `mv " + lock + " " + lock + ".old`) and run the command again", null);
        }
        synchronized (MIGRATION_MONITOR) {
            FileChannel opened;
            try {
                opened = openLockFile(lock);
            } catch (IOException e) {
                throw lockFileError(description, lock, e);
            }
            try (FileChannel channel = opened) {
                long since = lockWaitClock.getAsLong();
                boolean told = false;
                FileLock held;
                while ((held = channel.tryLock()) == null) {
                    long waited = (lockWaitClock.getAsLong() - since) / 1_000_000;
                    if (!told && waited >= MIGRATION_LOCK_NOTICE_AFTER_MILLIS && waited < lockWaitMillis
                            && migrationWaitNotices != null) {
                        told = true;
                        migrationWaitNotices.accept("the database " + description + " is being migrated by another swarm "
                                + "process (it holds the lock of " + lock + "; `fuser -v " + lock + "` lists it): this "
                                + "command waits for it to finish, for up to " + (lockWaitMillis + 500) / 1000 + " s ("
                                + (waited + 500) / 1000 + " s so far); then it fails, changing nothing");
                    }
                    if (waited >= lockWaitMillis) {
                        throw new StoreException.Unavailable("cannot open " + description + ": another swarm process has been "
                                + "migrating its schema for " + (waited + 500) / 1000 + " s (it holds the lock of " + lock
                                + "; `fuser -v " + lock + "` lists it); nothing was changed. Run the command again once it has "
                                + "finished, or stop it", null);
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
                    if (Thread.interrupted()) {
                        Thread.currentThread().interrupt();
                        throw new StoreException.Unavailable("cannot open " + description + ": interrupted while waiting for "
                                + "another swarm process to migrate its schema; nothing was changed", null);
                    }
                }
                if (told) {
                    long waited = (lockWaitClock.getAsLong() - since) / 1_000_000;
                    migrationWaitNotices.accept("the database " + description + " is no longer being migrated by another "
                            + "swarm process (after " + (waited + 500) / 1000 + " s); this command goes on");
                }
                try (FileLock locked = held) {
                    action.run();
                }
            } catch (IOException e) {
                throw new StoreException.Unavailable("cannot open " + description + ": cannot lock " + lock + " to migrate its "
                        + "schema: " + SqliteDialect.reason(e) + "; check the permissions of it and of its directory", e);
            }
        }
    }

    /**
     * The error for the migration lock file {@code lock} of the database {@code description} that could not be opened
     * for writing ({@code e}, from {@link #openLockFile}): {@link StoreException.Corrupt} when it is there and this user
     * may not ({@link java.nio.file.AccessDeniedException}: a file of another user, or one without write permission, as
     * mode {@code 000}), naming it, its owner and mode, and the way out ({@link #lockFileDenied}); otherwise (a directory
     * that does not let it be made, a symbolic link to nowhere, an I/O error) {@link StoreException.Unavailable} with the
     * reason in words.
     */
    static StoreException lockFileError(String description, Path lock, IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException denied && Files.exists(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            long uid = -1;
            String name = null;
            try {
                var me = new com.sun.security.auth.module.UnixSystem();
                uid = me.getUid();
                name = me.getUsername();
            } catch (UnsupportedOperationException | SecurityException | LinkageError notUnix) {
                // no POSIX users here: the file is taken for another's
            }
            return lockFileDenied(description, lock, denied, uid, name != null ? name : uid >= 0 ? "uid " + uid
                    : System.getProperty("user.name"));
        }
        return new StoreException.Unavailable("cannot open " + description + ": cannot lock " + lock + " to migrate its "
                + "schema: " + SqliteDialect.reason(e) + "; check the permissions of it and of its directory", e);
    }

    /**
     * {@link #lockFileError} for a lock file that the user with uid {@code me} (named {@code meName} in the message) may
     * not open for writing. Whose file it is goes by uid ({@code unix:uid} against {@code me}), not by name: a user
     * without a passwd entry has no name the file's owner could be compared with.
     * <ul>
     * <li>Its own file without write permission for its owner (mode {@code 000}, {@code r--------}): give it back its
     * mode ({@code chmod 600}).</li>
     * <li>Its own file whose mode already lets its owner write it: the mode is not what denies it (nor an access control
     * list, which cannot deny the owner what the mode allows), a security module (SELinux, AppArmor) or the file system
     * (NFS, FUSE) is; no {@code chmod} is advised, which would change nothing.</li>
     * <li>Another user's (or one whose owner cannot be read): run swarm as its owner, or remove it once no swarm
     * process uses it, as {@code sudo fuser -v} tells (an ordinary user's {@code fuser} does not see another user's
     * processes, so it would list none while root's swarm migrates) or its owner says; the next migration makes it
     * again, {@code me}'s.</li>
     * </ul>
     *
     * @param me     the uid of the user running swarm; -1 where it cannot be told (the file is then taken for another's)
     * @param meName how the message names that user
     */
    static StoreException.Corrupt lockFileDenied(String description, Path lock, java.nio.file.AccessDeniedException e, long me,
            String meName) {
        String owner = null;
        String mode = null;
        boolean ownerMayWrite = false;
        try {
            var attrs = Files.readAttributes(lock, java.nio.file.attribute.PosixFileAttributes.class);
            owner = attrs.owner().getName();
            mode = java.nio.file.attribute.PosixFilePermissions.toString(attrs.permissions());
            ownerMayWrite = attrs.permissions().contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        } catch (IOException | UnsupportedOperationException | SecurityException notKnown) {
            // said so below
        }
        long ownerUid = -1;
        try {
            ownerUid = ((Number) Files.getAttribute(lock, "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException notKnown) {
            // not known: taken for another's
        }
        boolean mine = me >= 0 && ownerUid == me && owner != null;
        String fix;
        if (mine && ownerMayWrite) {
            // an access control list cannot deny a file's owner what its mode allows: the owner entry is the mode's owner bits
            fix = "Its mode already lets its owner write it, so the mode is not what denies it: a security module (SELinux: `ls "
                    + "-Z " + lock + "` and the audit log; AppArmor: the system log) or the file system (NFS with root_squash "
                    + "or id mapping, FUSE) does. Have that allow it";
        } else if (mine) {
            fix = "Give it back its mode (`chmod 600 " + lock + "`)";
        } else {
            fix = "Run swarm as " + (owner == null ? "its owner" : owner) + ", or, once no swarm process uses it (`"
                    + (me == 0 ? "" : "sudo ") + "fuser -v " + lock + "` lists none" + (me == 0 ? ""
                    : ": without sudo, fuser does not see another user's processes; or ask its owner") + "), remove it (`rm "
                    + lock + "`; swarm makes it again, yours)";
        }
        return new StoreException.Corrupt("cannot open " + description + ": cannot lock " + lock + " to migrate its schema: "
                + meName + " may not open it for writing (" + (owner == null ? "its owner and mode could not be read"
                : "owner " + owner + ", mode " + mode) + "); nothing was changed. " + fix + " and run the command again", e);
    }

    /** Opens (creating it, {@code rw-------}, when missing) the migration lock file {@code lock} for writing. */
    private static FileChannel openLockFile(Path lock) throws IOException {
        var options = Set.of(java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        try {
            return FileChannel.open(lock, options, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            return FileChannel.open(lock, options);
        }
    }

    /** The first {@link SQLException} in {@code e}'s cause chain (Flyway wraps the driver's), or null. */
    static SQLException sqlCause(Throwable e) {
        for (int depth = 0; e != null && depth < 16; depth++, e = e.getCause()) {
            if (e instanceof SQLException se) return se;
        }
        return null;
    }

    /**
     * Flyway's error {@code message} on one line: a multi-line dump ("SQL State", "Location", "Run Flyway with -X
     * option", a help link) becomes its first line and, with a driver error {@code sql} under it, that error's first
     * line; without one, its lines that say what failed (a validation's "Migration checksum mismatch for migration
     * version 2", "-> Applied to database : 12345"), joined by "; ", Flyway's own advice and links left out.
     */
    static String flywayReason(String message, SQLException sql) {
        String first = oneLine(message);
        if (sql != null && sql.getMessage() != null) {
            String driver = oneLine(sql.getMessage());
            return first.isEmpty() || first.contains(driver) ? driver : first + ": " + driver;
        }
        if (message == null) return "";
        return String.join("; ", message.lines().map(l -> l.strip().replaceAll("\\s{2,}", " "))
                .filter(l -> !l.isEmpty() && !l.startsWith("---") && !l.contains("Flyway with -X") && !l.contains("https://")
                        && !l.startsWith("Either revert") && !l.startsWith("SQL State") && !l.startsWith("Error Code"))
                .toList());
    }

    /** {@code message}'s first non-blank line, stripped ("" for null). */
    static String oneLine(String message) {
        if (message == null) return "";
        return message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
    }

    /**
     * A migration that another connection's lock stopped ({@link Dialect#isLockedByAnother}): not damage. The database
     * is left as it was (Flyway's migrations are transactions), and running the command again continues it.
     */
    private StoreException.Unavailable migrationLocked(SQLException e) {
        return new StoreException.Unavailable("cannot open " + description + ": another process held its write lock while "
                + "its schema was being migrated (" + oneLine(e.getMessage()) + "; " + dialect.lockHolderHint(description)
                + "); nothing was changed. Run the command again", e);
    }

    /** The failure of an open (its migration, its switch to WAL) that {@link Dialect#diskFull} explains. */
    private StoreException.Unavailable openDiskFull(SQLException e) {
        return new StoreException.Unavailable("cannot open " + description + ": " + dialect.diskFull(description, e)
                + "; nothing recorded before was lost (what the open wrote was rolled back). Free space there and run the "
                + "command again", e);
    }

    private void migrate() {
        var config = Flyway.configure(SqlRunStore.class.getClassLoader())
                .dataSource(dataSource)
                .locations(dialect.migrationLocation());
        if (dialect.schema() != null) config.schemas(dialect.schema()); // created if missing, and holds the history table
        config.load().migrate();
    }

    private StoreException.Corrupt corrupt(Exception cause) {
        SQLException sql = cause instanceof FlywayException ? sqlCause(cause) : null;
        String why = cause instanceof FlywayException ? flywayReason(cause.getMessage(), sql)
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : oneLine(cause.getMessage());
        return new StoreException.Corrupt(description + " is not a readable Swarmflow database (" + why + "); " + recovery, cause);
    }

    // ---------------------------------------------------------------- writes (through the writer)

    @Override
    public RunView createRun(RunEvent.RunCreated created) {
        if (created.runId() == null || created.runId().isBlank()) throw new IllegalArgumentException("run id must not be blank");
        return await(submit(new CreateOp(created, Json.write(created))));
    }

    @Override
    public long claimRun(String runId, String owner, long leaseMillis) {
        if (leaseMillis <= 0) throw new IllegalArgumentException("leaseMillis must be positive, got " + leaseMillis);
        // a new coordinator waits for locks again
        coordinations.compute(runId, (r, c) -> c == null ? new Coordination(1, null, null)
                : new Coordination(c.claims + 1, c.epoch, null));
        Long epoch = null;
        try {
            epoch = await(submit(new ClaimOp(runId, owner, leaseMillis)));
            return epoch;
        } finally {
            Long claimed = epoch;
            // refused or given up: no coordinator of this store goes on with it, unless another one holds it
            coordinations.computeIfPresent(runId, (r, c) ->
                    new Coordination(c.claims - 1, claimed != null ? claimed : c.epoch, c.givenUp).orNone());
        }
    }

    @Override
    public void heartbeat(String runId, long epoch, long leaseMillis) {
        if (leaseMillis <= 0) throw new IllegalArgumentException("leaseMillis must be positive, got " + leaseMillis);
        await(submit(new HeartbeatOp(runId, epoch, leaseMillis)));
    }

    @Override
    public void releaseRun(String runId, long epoch) {
        try {
            await(submit(new ReleaseOp(runId, epoch)));
        } finally {
            // its coordinator is done with it
            coordinations.computeIfPresent(runId, (r, c) ->
                    new Coordination(c.claims, c.epoch != null && c.epoch == epoch ? null : c.epoch, null).orNone());
        }
    }

    @Override
    public CompletableFuture<Appended> appendRecorded(String runId, long epoch, List<RunEvent> events) {
        List<RunEvent> copy = List.copyOf(events);
        String[] payloads = new String[copy.size()];
        for (int i = 0; i < payloads.length; i++) payloads[i] = Json.write(copy.get(i)); // on the caller's thread
        return submit(new AppendOp(runId, epoch, copy, payloads));
    }

    @Override
    public RunCommand submitCommand(RunCommand command) {
        if (command.kind() == null) throw new IllegalArgumentException("command kind is required");
        if (command.kind() != RunCommand.Kind.CANCEL && command.ticketId() == null) {
            throw new IllegalArgumentException(command.kind().name().toLowerCase(Locale.ROOT) + " needs a ticket id");
        }
        if (command.kind() == RunCommand.Kind.REJECT && (command.reason() == null || command.reason().isBlank())) {
            throw new IllegalArgumentException("reject needs a reason");
        }
        return await(submit(new SubmitOp(command)));
    }

    @Override
    public void markCommandsApplied(String runId, long epoch, List<Long> commandIds) {
        if (commandIds.isEmpty()) return;
        await(submit(new MarkAppliedOp(runId, epoch, List.copyOf(commandIds))));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only for a run this store claimed ({@link #claimRun}) and did not release, or is claiming: the writes that wait
     * are its coordinator's. Asked of another run (a finished one, one whose claim was refused or given up, one released
     * already) it does nothing, so that nothing is kept for the store's life.
     */
    @Override
    public void stopWaitingForLocks(String runId, String why) {
        // a run this store neither claimed nor is claiming has no coordinator here whose writes could wait (a finished
        // run, a refused claim, one released already): kept, its entry would outlive its purpose
        coordinations.computeIfPresent(runId, (r, c) -> c.givenUp != null ? c : new Coordination(c.claims, c.epoch, why));
    }

    /** The runs {@link #stopWaitingForLocks} holds, for tests. */
    Set<String> runsGivenUpForTests() {
        Set<String> runs = new HashSet<>();
        coordinations.forEach((runId, c) -> {
            if (c.givenUp != null) runs.add(runId);
        });
        return runs;
    }

    @Override
    public Runnable noticesTo(java.util.function.Consumer<String> sink) {
        return noticesTo(null, sink);
    }

    @Override
    public Runnable noticesTo(String runId, java.util.function.Consumer<String> sink) {
        NoticeSink added = new NoticeSink(runId, sink);
        noticeSinks.add(added);
        return () -> noticeSinks.removeFirstOccurrence(added);
    }

    /**
     * The sinks ({@link #noticesTo}) a notice about the writes of {@code batch} goes to: for each run written to, the
     * latest sink added for it; and the latest sink of no run when a request of the batch is for a run that has none.
     */
    private Set<NoticeSink> sinksOf(List<Op<?>> batch) {
        Set<NoticeSink> sinks = new LinkedHashSet<>();
        boolean unrouted = false;
        Set<String> runs = new HashSet<>();
        for (Op<?> op : batch) {
            String runId = runOf(op);
            if (runId != null && !runs.add(runId)) continue;
            NoticeSink own = null;
            NoticeSink general = null;
            for (var it = noticeSinks.descendingIterator(); it.hasNext() && own == null; ) {
                NoticeSink sink = it.next();
                if (sink.runId == null) {
                    if (general == null) general = sink;
                } else if (sink.runId.equals(runId)) {
                    own = sink;
                }
            }
            if (own != null) sinks.add(own);
            else unrouted = true;
        }
        if (unrouted) {
            for (var it = noticeSinks.descendingIterator(); it.hasNext(); ) {
                NoticeSink sink = it.next();
                if (sink.runId == null) {
                    sinks.add(sink);
                    break;
                }
            }
        }
        return sinks;
    }

    /** Tells {@code sink} that are still added ({@link #noticesTo}); a sink's failure is its own. */
    private void notice(java.util.Collection<NoticeSink> sinks, String message) {
        for (NoticeSink sink : sinks) {
            if (!noticeSinks.contains(sink)) continue;
            try {
                sink.sink.accept(message);
            } catch (RuntimeException ignored) {
                // a broken output must not stop the writer
            }
        }
    }

    /**
     * A sink of {@link #noticesTo}, for the writes of run {@code runId} or, null, of any run without its own; compared
     * by identity (one consumer may be added twice).
     */
    private static final class NoticeSink {
        final String runId;
        final java.util.function.Consumer<String> sink;

        NoticeSink(String runId, java.util.function.Consumer<String> sink) {
            this.runId = runId;
            this.sink = sink;
        }
    }

    @Override
    public long now() {
        return clock.updateAndGet(prev -> Math.max(prev, hostClock.getAsLong() + clockOffset));
    }

    private <T> CompletableFuture<T> submit(Op<T> op) {
        synchronized (submitLock) {
            if (closed) {
                op.future.completeExceptionally(new StoreException("the store on " + description + " is closed"));
            } else {
                queue.add(op);
            }
        }
        return op.future;
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    /** Drains the queue, stops the writer thread and closes all connections. Idempotent. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) return;
            closed = true;
            queue.add(new StopOp());
        }
        boolean interrupted = false;
        while (writerThread.isAlive()) {
            try {
                writerThread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        Connection c;
        while ((c = idleReaders.poll()) != null) closeQuietly(c);
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ---------------------------------------------------------------- the writer thread

    private void writerLoop() {
        List<Op<?>> batch = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            Op<?> op;
            try {
                op = queue.take();
            } catch (InterruptedException e) {
                continue; // only close() stops the writer, so that nothing queued is lost
            }
            batch.clear();
            int events = 0;
            while (op != null) {
                if (op instanceof StopOp) {
                    stop = true;
                    break;
                }
                batch.add(op);
                events += op.weight();
                if (events >= MAX_BATCH_EVENTS) break;
                op = queue.poll();
            }
            if (!batch.isEmpty()) runBatch(batch);
        }
        for (Op<?> left : queue) left.future.completeExceptionally(new StoreException("the store on " + description + " is closed"));
        for (Statement s : List.of(insertEvent, insertMark, updateTicket, upsertAttempt, updateRun, selectRunHead)) closeQuietly(s);
        closeQuietly(writer);
    }

    /**
     * Writes the batch in one transaction and completes its requests. When the writer's connection broke before the
     * commit was sent, the server rolled the transaction back: the batch is written once more on a new connection,
     * so a dropped connection or a restarted server between two batches costs nothing. The same, on the same
     * connection, for a transaction the server chose to roll back ({@link Dialect#isRetryable}: a deadlock with
     * another store's), up to {@link #DEADLOCK_RETRIES} times, each after a random pause of up to 50, 100, 200 ms: the
     * other transaction of the cycle, woken by the rollback, then takes the lock it waited for before this one asks
     * again, where an immediate retry could take it first and close the same cycle again. And while another
     * connection holds the database's write lock ({@link Dialect#isLockedByAnother}, after the busy timeout), for up
     * to {@link #lockWaitMillis} in all, saying so once ({@link #noticesTo}): every try begins the whole transaction
     * anew, with the time of that try. Whether to go on waiting is decided after each such try, by {@link #lockWaitClock}
     * alone, from the start of the wait this batch began or joined ({@link #lockWaitSince}); how long the try itself
     * waited is SQLite's busy handler's.
     */
    private void runBatch(List<Op<?>> batch) {
        // refused before any transaction, so that a refused append never waits for another connection's lock
        refusePoisoned(batch);
        if (batch.isEmpty()) return;
        committing = false;
        long started = lockWaitClock.getAsLong();
        if (lockWaiting && started - lockWaitLastSeen > GIVEN_UP_LOCK_WAIT_MILLIS * 1_000_000) endLockWait(false);
        Throwable failure = writerLost ? reconnectWriter() : null;
        if (failure == null) failure = writeBatch(batch);
        boolean reconnected = false;
        for (int retry = 0; failure != null && !committing; ) {
            if (writerLost) {
                if (reconnected || reconnectWriter() != null) break; // one new connection per batch
                reconnected = true;
            } else if (failure instanceof SQLException se && dialect.isLockedByAnother(se)) {
                if (!lockWaiting) {
                    lockWaiting = true;
                    lockWaitSince = started;
                }
                lockWaitLastSeen = lockWaitClock.getAsLong();
                long waitedInAll = lockWaitedMillis();
                if (waitedInAll >= lockWaitMillis) break;
                if (waitedInAll >= GIVEN_UP_LOCK_WAIT_MILLIS && stopWaitingForGivenUpRuns(batch, failure, waitedInAll)) {
                    return; // every request of the batch was for a run asked to stop
                }
                if (waitedInAll >= dialect.lockWaitNoticeAfterMillis()) {
                    // once per wait to each sink of the runs waiting, also of those whose writes joined the wait later
                    Set<NoticeSink> untold = sinksOf(batch);
                    untold.removeAll(lockWaitTold);
                    notice(untold, dialect.lockWaitNotice(description, waitedInAll, lockWaitMillis));
                    lockWaitTold.addAll(untold);
                }
                // no pause: beginning the transaction again waits for the lock itself, for one try
            } else if (!(failure instanceof SQLException se && dialect.isRetryable(se)) || retry >= DEADLOCK_RETRIES) {
                break;
            } else {
                retry++;
                try {
                    Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 50L << (retry - 1)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            abandonBatch();
            poisoned.keySet().removeAll(poisonedByBatch);
            for (Op<?> op : batch) {
                op.error = null;
                op.result = null;
            }
            failure = writeBatch(batch);
        }
        if (failure != null) {
            boolean locked = failure instanceof SQLException se && dialect.isLockedByAnother(se);
            // a wait that goes on is measured from its start; a failure of another kind ends it unsaid
            long waited = locked ? lockWaitedMillis() : 0;
            if (locked) lockWaitLastSeen = lockWaitClock.getAsLong();
            else endLockWait(false);
            failBatch(batch, failure, waited, null);
            return;
        }
        endLockWait(true);
        for (Op<?> op : batch) op.complete();
        while (cache.size() > MAX_CACHED_RUNS) {
            Iterator<RunEntry> it = cache.values().iterator();
            it.next();
            it.remove();
        }
    }

    /**
     * Fails, and takes out of {@code batch}, the appends of coordinators {@link #poisoned} before it: they would be
     * refused inside the transaction anyway ({@link #doAppend}, which still refuses those poisoned by an earlier request
     * of the same batch), but only after it began, that is after waiting for a lock another connection holds. The
     * refusal carries the first failure (a run asked to stop while waiting for a lock: the lock's error, naming why it
     * stopped), so it never reads as if another coordinator had taken the run over.
     */
    private void refusePoisoned(List<Op<?>> batch) {
        if (poisoned.isEmpty()) return;
        batch.removeIf(op -> {
            if (!(op instanceof AppendOp a) || !poisoned.containsKey(a.runId + '#' + a.epoch)) return false;
            a.future.completeExceptionally(poisonedRefusal(a));
            return true;
        });
    }

    private StoreException.EarlierAppendFailed poisonedRefusal(AppendOp op) {
        return new StoreException.EarlierAppendFailed(op.runId, op.epoch, poisoned.get(op.runId + '#' + op.epoch));
    }

    /** Records {@code failure} as the first failure of {@code op}'s coordinator, unless it has one: whether it had none. */
    private boolean poison(AppendOp op, Throwable failure) {
        return poisoned.putIfAbsent(op.runId + '#' + op.epoch, failure) == null;
    }

    /** How long the writes have waited for another connection's lock ({@link #lockWaitSince}), in milliseconds; 0 when they do not. */
    private long lockWaitedMillis() {
        return !lockWaiting ? 0 : (lockWaitClock.getAsLong() - lockWaitSince) / 1_000_000;
    }

    /**
     * Ends the wait of {@link #lockWaitSince}, if any: when {@code released} (a batch was written), the sinks told of it
     * are told it ended ({@link Dialect#lockReleasedNotice}).
     */
    private void endLockWait(boolean released) {
        if (!lockWaiting) return;
        if (released && !lockWaitTold.isEmpty()) notice(lockWaitTold, dialect.lockReleasedNotice(description, lockWaitedMillis()));
        lockWaiting = false;
        lockWaitTold.clear();
    }

    /**
     * Fails the requests of {@code batch} for runs whose writes no longer wait for locks ({@link #stopWaitingForLocks})
     * and takes them out of it; the others go on waiting.
     *
     * @return whether none is left
     */
    private boolean stopWaitingForGivenUpRuns(List<Op<?>> batch, Throwable failure, long waited) {
        List<Op<?>> stopped = new ArrayList<>();
        String why = null;
        for (Op<?> op : batch) {
            String runId = runOf(op);
            Coordination c = runId == null ? null : coordinations.get(runId);
            String w = c == null ? null : c.givenUp;
            if (w == null) continue;
            if (why == null) why = w + " asked run " + runId + " to stop";
            op.error = null;
            stopped.add(op);
        }
        if (stopped.isEmpty()) return false;
        abandonBatch();
        // failed for good: the coordinators they poisoned in this try stay so when the rest of the batch is tried again,
        // poisoned by the error their appends fail with below (the lock's), not by the one this try had given them
        for (Op<?> op : stopped) {
            if (op instanceof AppendOp a && poisonedByBatch.remove(a.runId + '#' + a.epoch)) poisoned.remove(a.runId + '#' + a.epoch);
        }
        failBatch(stopped, failure, waited, why);
        batch.removeIf(op -> stopped.stream().anyMatch(s -> s == op));
        return batch.isEmpty();
    }

    /** The run a request writes to. */
    private static String runOf(Op<?> op) {
        return switch (op) {
            case AppendOp a -> a.runId;
            case CreateOp c -> c.created.runId();
            case ClaimOp c -> c.runId;
            case HeartbeatOp h -> h.runId;
            case ReleaseOp r -> r.runId;
            case SubmitOp s -> s.command.runId();
            case MarkAppliedOp m -> m.runId;
            case StopOp s -> null;
        };
    }

    /**
     * One transaction of the batch: null once committed, else what failed. Its time ({@code now}: leases, event times,
     * the appends' acknowledgements) is the store's clock, read once for all its requests: this host's, or the server's
     * where {@link Dialect#clockQuery} says so.
     */
    private Throwable writeBatch(List<Op<?>> batch) {
        String clockQuery = dialect.clockQuery();
        long now = 0;
        verified.clear();
        committing = false;
        poisonedByBatch.clear();
        try {
            boolean unsynced = onlyProcessStarts(batch) && !unsyncedCommitSql.isEmpty();
            if (unsynced != unsyncedMode) {
                try (Statement s = writer.createStatement()) {
                    for (String sql : unsynced ? unsyncedCommitSql : dialect.syncCommits()) s.execute(sql);
                }
                unsyncedMode = unsynced;
            }
            (unsynced ? unsyncedCommitCount : syncedCommitCount).incrementAndGet();
            try (Statement s = writer.createStatement()) {
                if (clockQuery == null) {
                    s.execute(dialect.beginWrite());
                    now = now(); // once the write lock is held: a wait for it must not shorten the leases written
                } else {
                    now = beginWithServerClock(s, dialect.beginWrite() + "; " + clockQuery);
                }
                String creationLock = dialect.lockRunCreation();
                if (creationLock != null && batch.stream().anyMatch(op -> op instanceof CreateOp)) s.execute(creationLock);
            }
            for (Op<?> op : batch) {
                try {
                    if (!dialect.textHoldsNul()) refuseNul(op);
                    switch (op) {
                        case AppendOp a -> doAppend(a, now);
                        case CreateOp c -> doCreate(c, now);
                        case ClaimOp c -> doClaim(c, now);
                        case HeartbeatOp h -> doHeartbeat(h, now);
                        case ReleaseOp r -> doRelease(r);
                        case SubmitOp s -> doSubmit(s, now);
                        case MarkAppliedOp m -> doMarkApplied(m, now);
                        case StopOp s -> throw new IllegalStateException("stop inside a batch");
                    }
                } catch (StoreException e) {
                    op.error = e;
                    if (op instanceof AppendOp a && poison(a, e)) poisonedByBatch.add(a.runId + '#' + a.epoch);
                }
            }
            flush();
            committing = true;
            try (Statement s = writer.createStatement()) {
                s.execute("COMMIT");
            }
            return null;
        } catch (Throwable e) {
            if (e instanceof SQLException se && dialect.isConnectionLost(se)) writerLost = true;
            return e;
        }
    }

    /**
     * Runs {@code sql}, the begin of a write transaction followed by {@link Dialect#clockQuery}, in one round trip, and
     * returns the server's time (never before the last one returned); {@link #now()} follows it from then on. A host
     * whose clock jumps between transactions then moves only {@link #now()} until the next one, never a lease decision.
     */
    private long beginWithServerClock(Statement s, String sql) throws SQLException {
        long sent = hostClock.getAsLong();
        boolean isResultSet = s.execute(sql);
        long received = hostClock.getAsLong();
        while (!isResultSet && s.getUpdateCount() != -1) isResultSet = s.getMoreResults();
        if (!isResultSet) throw new SQLException("the server's clock could not be read: `" + sql + "` returned no row");
        long server;
        try (ResultSet rs = s.getResultSet()) {
            if (!rs.next()) throw new SQLException("the server's clock could not be read: `" + sql + "` returned no row");
            server = rs.getLong(1);
        }
        clockOffset = clockOffset(server, sent, received);
        lastServerNow = Math.max(lastServerNow, server);
        clock.accumulateAndGet(lastServerNow, Math::max);
        return lastServerNow;
    }

    /**
     * The server's clock minus this host's, from one round trip: the server read its clock ({@code server}) between
     * {@code sent} and {@code received} (this host's clock when the query left and when its answer came), taken as
     * halfway, as NTP does (RFC 5905, section 8: offset = ((T2 - T1) + (T3 - T4)) / 2, here with T2 = T3, the server's one
     * reading). Read against {@code received} alone it came out low by the answer's way back; halfway it is exact when
     * both ways take as long, and off by at most half the round trip otherwise.
     */
    static long clockOffset(long server, long sent, long received) {
        return server - (sent + (received - sent) / 2);
    }

    /**
     * Whether the batch holds nothing but {@link RunEvent.AttemptProcessStarted} appends, which may commit
     * without fsync (see {@link RunStore#append}): about one transaction in two when short processes run.
     */
    private static boolean onlyProcessStarts(List<Op<?>> batch) {
        for (Op<?> op : batch) {
            if (!(op instanceof AppendOp a)) return false;
            for (RunEvent e : a.events) if (!(e instanceof RunEvent.AttemptProcessStarted)) return false;
        }
        return true;
    }

    /**
     * Write transactions committed so far by this store: {@code synced} waited for the disk, {@code unsynced}
     * did not (only process-start records, see {@link RunStore#append}). For tests and diagnostics.
     */
    public record CommitCounts(long synced, long unsynced) {}

    /** The writer connection, for tests that read its settings while no append is in flight. */
    Connection writerConnectionForTests() {
        return writer;
    }

    /** See {@link CommitCounts}; counts attempted transactions, including ones that failed. */
    public CommitCounts commitCounts() {
        return new CommitCounts(syncedCommitCount.get(), unsyncedCommitCount.get());
    }

    /**
     * @param lockWaitedMillis how long the batch waited for another connection's lock, or 0
     * @param gaveUp           why the batch stopped waiting before {@link #lockWaitMillis} ({@link #stopWaitingForLocks}),
     *                         or null
     */
    private void failBatch(List<Op<?>> batch, Throwable e, long lockWaitedMillis, String gaveUp) {
        abandonBatch();
        StoreException err;
        if (e instanceof SQLException se && dialect.isDamage(se)) {
            err = corrupt(se);
        } else if (writerLost && committing) {
            err = new StoreException.Unavailable("the connection to " + description + " broke while this batch was being committed (" + e.getMessage()
                    + "), so it may or may not have been written; resuming the run reads what was", e);
        } else if (e instanceof SQLException se && dialect.diskFull(description, se) != null) {
            err = new StoreException.Unavailable(dialect.diskFull(description, se) + "; nothing of these writes was recorded, "
                    + "and nothing recorded before was lost (the transaction was rolled back whole). Free space there and run "
                    + "the command again (`swarm resume RUN` continues a run)", e);
        } else {
            // the lock's holder named here too: a write given up (Ctrl-C) before the notice's delay never showed the notice
            String holder = lockWaitedMillis > 0 ? dialect.lockHolderHint(description) : null;
            String what = "could not write to " + description + ": " + e.getMessage()
                    + (lockWaitedMillis > 0 ? " (waited " + (lockWaitedMillis + 500) / 1000 + " s for another process to release it"
                    + (gaveUp == null ? "" : ", then stopped waiting: " + gaveUp) + (holder == null ? "" : "; " + holder) + ")" : "")
                    + "; nothing of these writes was recorded";
            err = e instanceof SQLException se && dialect.isUnavailable(se) ? new StoreException.Unavailable(what, e) : new StoreException(what, e);
        }
        for (Op<?> op : batch) {
            if (op instanceof AppendOp a) poison(a, op.error != null ? op.error : err);
            op.future.completeExceptionally(op.error != null ? op.error : err);
        }
    }

    /** Rolls back the current transaction, if any, and forgets what the writer cached or prepared for it. */
    private void abandonBatch() {
        try (Statement s = writer.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException | RuntimeException ignored) {
            // no transaction was open, or the connection is gone; the error below is what matters
        }
        for (PreparedStatement ps : List.of(insertEvent, insertMark, updateTicket, upsertAttempt, updateRun)) {
            try {
                ps.clearBatch();
            } catch (SQLException ignored) {
                // statement unusable; the next batch will fail and say so
            }
        }
        for (RunEntry pending : pendingRows) pending.rowPayload.setLength(0);
        pendingRows.clear();
        pendingMarks.clear();
        dirtyRuns.clear();
        cache.clear();
    }

    /** The writer's projection of a run, checked against the database once per batch. */
    private RunEntry entry(String runId) throws SQLException {
        RunEntry e = cache.get(runId);
        if (e != null && verified.contains(runId)) return e;
        long claimEpoch;
        long lastSeq;
        selectRunHead.setString(1, runId);
        try (ResultSet rs = selectRunHead.executeQuery()) {
            if (!rs.next()) {
                cache.remove(runId);
                throw unknownRun(runId);
            }
            claimEpoch = rs.getLong(1);
            lastSeq = rs.getLong(2);
        }
        if (e == null || e.projection.run().lastSeq() != lastSeq) { // first use, or another process appended
            e = new RunEntry(runId, load(writer, runId));
            cache.put(runId, e);
        }
        e.claimEpoch = claimEpoch;
        verified.add(runId);
        return e;
    }

    private Projection load(Connection c, String runId) throws SQLException {
        RunView run = readRun(c, runId).orElseThrow(() -> unknownRun(runId));
        return new Projection(run, readTickets(c, runId), readAttempts(c, runId));
    }

    private void doAppend(AppendOp op, long now) throws SQLException {
        // poisoned by an earlier request of this batch (those poisoned before it were refused before it began)
        if (poisoned.containsKey(op.runId + '#' + op.epoch)) throw poisonedRefusal(op);
        RunEntry e = entry(op.runId);
        checkEpoch(op.runId, op.epoch, e.claimEpoch);
        Projection p = e.projection;
        long first = p.run().lastSeq() + 1;
        int applied = 0;
        List<MarkRow> marks = null;
        try {
            for (RunEvent ev : op.events) {
                p.check(ev);
                if (TimeMarks.kept(p, ev)) { // rare: a start, an end, a gate (never on an ungated ticket's path)
                    if (marks == null) marks = new ArrayList<>(2);
                    long previousAt = !(ev instanceof RunEvent.RunStarted) ? 0
                            : applied > 0 ? now : !e.rowPayload.isEmpty() ? e.rowAt : lastEventAt(op.runId);
                    marks.add(new MarkRow(op.runId, first + applied, now, previousAt, op.payloads[applied]));
                }
                p.apply(ev, first + applied, now);
                applied++;
            }
        } catch (StoreException ex) {
            if (applied > 0) rollback(e);
            throw ex;
        }
        if (marks != null) pendingMarks.addAll(marks);
        for (int i = 0; i < applied; i++) {
            RunEvent ev = op.events.get(i);
            addEventRow(e, first + i, now, op.payloads[i]);
            if (ev instanceof RunEvent.AttemptStarted s) e.newLeases.put(s.ticketId() + '#' + s.attempt(), now + s.leaseMillis());
        }
        if (applied > 0) {
            e.unflushed.add(new Accepted(op.events, first, now));
            dirtyRuns.add(e);
        }
        // the time written into the events' rows above: the acknowledgement carries it, so no one reads it back
        op.result = new Appended(p.run().lastSeq(), now);
    }

    /**
     * Undoes the partly applied events of a rejected request: reloads the run as it is in this
     * transaction and re-applies the requests accepted earlier in the batch but not yet flushed.
     */
    private void rollback(RunEntry e) throws SQLException {
        Projection p = load(writer, e.runId);
        for (Accepted a : e.unflushed) {
            long seq = a.firstSeq;
            for (RunEvent ev : a.events) {
                p.check(ev);
                p.apply(ev, seq++, a.at);
            }
        }
        e.projection = p;
    }

    /**
     * The time of the run's last written event (its last {@code event_batches} row, one lookup by primary key): a
     * resume's start marks it as the end of the session before, whose coordinator may have stopped without an end.
     */
    private long lastEventAt(String runId) throws SQLException {
        try (PreparedStatement s = writer.prepareStatement("SELECT at FROM event_batches WHERE run_id = ? ORDER BY first_seq DESC LIMIT 1")) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** A {@link TimeMark} to insert in the current transaction; {@code payload} is the event's JSON. */
    private record MarkRow(String runId, long seq, long at, long previousAt, String payload) {}

    /** Adds an accepted event to its run's row of this transaction (one row per run per transaction). */
    private void addEventRow(RunEntry e, long seq, long at, String payload) {
        if (e.rowPayload.isEmpty()) {
            e.rowFirstSeq = seq;
            e.rowAt = at;
            e.rowPayload.append('[');
        } else {
            e.rowPayload.append(',');
        }
        e.rowPayload.append(payload);
        e.rowLastSeq = seq;
        pendingRows.add(e);
    }

    private void writeEventRows() throws SQLException {
        if (pendingRows.isEmpty()) return;
        for (RunEntry e : pendingRows) {
            insertEvent.setString(1, e.runId);
            insertEvent.setLong(2, e.rowFirstSeq);
            insertEvent.setLong(3, e.rowLastSeq);
            insertEvent.setLong(4, e.rowAt);
            insertEvent.setString(5, e.rowPayload.append(']').toString());
            insertEvent.addBatch();
            e.rowPayload.setLength(0);
        }
        pendingRows.clear();
        insertEvent.executeBatch();
    }

    /** Writes the batch's event rows and each changed projection row once. */
    private void flush() throws SQLException {
        writeEventRows();
        if (!pendingMarks.isEmpty()) {
            for (MarkRow m : pendingMarks) {
                insertMark.setString(1, m.runId());
                insertMark.setLong(2, m.seq());
                insertMark.setLong(3, m.at());
                insertMark.setLong(4, m.previousAt());
                insertMark.setString(5, m.payload());
                insertMark.addBatch();
            }
            pendingMarks.clear();
            insertMark.executeBatch();
        }
        if (dirtyRuns.isEmpty()) return;
        boolean setBased = updateTickets != null;
        List<TicketView> ticketRows = new ArrayList<>();
        List<AttemptRow> attemptRows = new ArrayList<>();
        int tickets = 0;
        int attempts = 0;
        int runs = 0;
        for (RunEntry e : dirtyRuns) {
            Projection p = e.projection;
            for (String id : p.dirtyTickets()) {
                if (setBased) {
                    ticketRows.add(p.ticket(id));
                } else {
                    bindTicket(p.ticket(id));
                    updateTicket.addBatch();
                }
                tickets++;
            }
            for (String key : p.dirtyAttempts()) {
                AttemptView a = p.attemptByKey(key);
                Long lease = a.isRunning() ? e.newLeases.get(key) : null;
                if (setBased) {
                    attemptRows.add(new AttemptRow(a, lease));
                } else {
                    bindAttempt(a, lease);
                    upsertAttempt.addBatch();
                }
                attempts++;
            }
            if (p.runDirty()) {
                bindRun(p.run());
                updateRun.addBatch();
                runs++;
            }
            p.clearDirty();
            e.unflushed.clear();
            e.newLeases.clear();
        }
        dirtyRuns.clear();
        if (tickets > 0) {
            if (setBased) executeWithArrays(updateTickets, TICKET_ARRAYS, ticketRows);
            else updateTicket.executeBatch();
        }
        if (attempts > 0) {
            if (setBased) executeWithArrays(upsertAttempts, ATTEMPT_ARRAYS, attemptRows);
            else upsertAttempt.executeBatch();
        }
        if (runs > 0) updateRun.executeBatch();
    }

    /** {@link Dialect#bulkInsert} of {@code rows} into {@code table}, by {@code columns}: false where the dialect has none. */
    private <T> boolean bulkInsert(String table, List<ArrayColumn<T>> columns, List<T> rows) throws SQLException {
        List<String> names = new ArrayList<>(columns.size());
        for (ArrayColumn<T> c : columns) names.add(c.name);
        List<Object[]> values = new java.util.AbstractList<>() { // each row's values made as they are read, if they are
            @Override
            public Object[] get(int index) {
                Object[] v = new Object[columns.size()];
                for (int i = 0; i < v.length; i++) v[i] = columns.get(i).value.apply(rows.get(index));
                return v;
            }

            @Override
            public int size() {
                return rows.size();
            }
        };
        return dialect.bulkInsert(writer, table, names, values);
    }

    /**
     * {@code unnest(?::text[], ?::int8[], ...) AS u(name, ...)}: a table of {@code columns}, each bound as an array
     * ({@link #executeWithArrays}).
     */
    private static String unnest(List<? extends ArrayColumn<?>> columns) {
        StringBuilder params = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (ArrayColumn<?> c : columns) {
            if (!params.isEmpty()) {
                params.append(", ");
                names.append(", ");
            }
            params.append("?::").append(c.type).append("[]");
            names.append(c.name);
        }
        return "unnest(" + params + ") AS u(" + names + ")";
    }

    /**
     * Runs {@code statement}, made with {@link #unnest} of {@code columns}, for all {@code rows} at once: parameter
     * {@code i + 1} is the array of column {@code i}'s values, in the order of {@code rows}.
     */
    private <T> void executeWithArrays(PreparedStatement statement, List<ArrayColumn<T>> columns, List<T> rows) throws SQLException {
        for (int i = 0; i < columns.size(); i++) {
            ArrayColumn<T> c = columns.get(i);
            Object[] values = new Object[rows.size()];
            for (int r = 0; r < values.length; r++) values[r] = c.value.apply(rows.get(r));
            statement.setArray(i + 1, writer.createArrayOf(c.type, values));
        }
        statement.executeUpdate();
    }

    private void bindTicket(TicketView t) throws SQLException {
        PreparedStatement s = updateTicket;
        s.setString(1, t.state().label());
        s.setInt(2, t.attempt());
        s.setInt(3, t.failures());
        s.setInt(4, t.leaseExpiries());
        setInteger(s, 5, t.exitCode());
        s.setString(6, t.reason());
        s.setString(7, Json.writeOutputs(t.outputs()));
        s.setString(8, t.approvedBy());
        s.setLong(9, t.startedAtMillis());
        s.setLong(10, t.finishedAtMillis());
        s.setLong(11, t.retryAtMillis());
        s.setString(12, t.runId());
        s.setString(13, t.ticketId());
    }

    private void bindAttempt(AttemptView a, Long leaseExpiresAt) throws SQLException {
        PreparedStatement s = upsertAttempt;
        s.setString(1, a.runId());
        s.setString(2, a.ticketId());
        s.setInt(3, a.attempt());
        s.setString(4, a.outcome() == null ? null : a.outcome().label());
        setInteger(s, 5, a.exitCode());
        s.setString(6, a.reason());
        s.setLong(7, a.startedAtMillis());
        s.setLong(8, a.finishedAtMillis());
        s.setLong(9, a.pid());
        s.setLong(10, a.startTicks());
        if (a.outputBytes() == null) s.setNull(11, Types.BIGINT);
        else s.setLong(11, a.outputBytes());
        s.setString(12, a.coordinator());
        s.setInt(13, a.permanent() ? 1 : 0);
        if (leaseExpiresAt == null) s.setNull(14, Types.BIGINT);
        else s.setLong(14, leaseExpiresAt);
    }

    private void bindRun(RunView r) throws SQLException {
        PreparedStatement s = updateRun;
        s.setString(1, r.state().label());
        s.setLong(2, r.startedAtMillis());
        s.setLong(3, r.finishedAtMillis());
        s.setLong(4, r.epoch());
        s.setString(5, r.owner());
        s.setInt(6, r.cancelRequested() ? 1 : 0);
        s.setLong(7, r.lastSeq());
        s.setLong(8, r.lastSeq());
        s.setString(9, r.runId());
    }

    private static void setInteger(PreparedStatement s, int i, Integer v) throws SQLException {
        if (v == null) s.setNull(i, Types.INTEGER);
        else s.setInt(i, v);
    }

    private void doCreate(CreateOp op, long now) throws SQLException {
        RunEvent.RunCreated c = op.created;
        if (cache.containsKey(c.runId()) || exists(c.runId(), "")) {
            throw new StoreException("run " + c.runId() + " already exists; use a new run id");
        }
        Projection p = new Projection();
        p.check(c);
        p.apply(c, 1, now);
        RunView r = p.run();
        // time_marks 1: the run's time marks are complete through its first event (TimeMarks; the run-created event is none)
        try (PreparedStatement s = writer.prepareStatement("INSERT INTO runs (" + RUN_COLUMNS + ", no, claim_epoch, time_marks) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(no), 0) + 1 FROM runs), 0, 1)")) {
            s.setString(1, r.runId());
            s.setString(2, r.name());
            s.setString(3, r.specPath());
            s.setString(4, r.state().label());
            s.setLong(5, r.createdAtMillis());
            s.setLong(6, r.startedAtMillis());
            s.setLong(7, r.finishedAtMillis());
            s.setLong(8, r.epoch());
            s.setString(9, r.owner());
            s.setInt(10, r.cancelRequested() ? 1 : 0);
            s.setInt(11, r.ticketCount());
            s.setLong(12, r.lastSeq());
            s.setString(13, r.description());
            s.executeUpdate();
        }
        List<TicketView> tickets = p.tickets();
        if (!tickets.isEmpty() && bulkInsert("tickets", TICKET_ARRAYS, tickets)) {
            // one bulk load of the engine's (PostgreSQL's COPY), in this transaction: all the tickets or none
        } else if (!tickets.isEmpty() && dialect.setBasedWrites()) {
            try (PreparedStatement s = writer.prepareStatement("INSERT INTO tickets (" + TICKET_COLUMNS + ") SELECT * FROM "
                    + unnest(TICKET_ARRAYS))) {
                executeWithArrays(s, TICKET_ARRAYS, tickets);
            }
        } else if (!tickets.isEmpty()) {
            try (PreparedStatement s = writer.prepareStatement("INSERT INTO tickets (" + TICKET_COLUMNS + ") "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (TicketView t : tickets) {
                    s.setString(1, t.runId());
                    s.setString(2, t.ticketId());
                    s.setInt(3, t.index());
                    s.setString(4, t.state().label());
                    s.setInt(5, t.attempt());
                    s.setInt(6, t.failures());
                    s.setInt(7, t.leaseExpiries());
                    setInteger(s, 8, t.exitCode());
                    s.setString(9, t.reason());
                    s.setString(10, Json.writeOutputs(t.outputs()));
                    s.setString(11, t.approvedBy());
                    s.setLong(12, t.startedAtMillis());
                    s.setLong(13, t.finishedAtMillis());
                    s.setLong(14, t.retryAtMillis());
                    s.addBatch();
                }
                s.executeBatch();
            }
        }
        p.clearDirty();
        RunEntry e = new RunEntry(c.runId(), p);
        addEventRow(e, 1, now, op.payload);
        cache.put(c.runId(), e);
        verified.add(c.runId());
        op.result = r;
    }

    /** Whether the run exists; {@code lockSuffix} {@link Dialect#lockRowSuffix} also locks its row until the commit. */
    private boolean exists(String runId, String lockSuffix) throws SQLException {
        try (PreparedStatement s = writer.prepareStatement("SELECT 1 FROM runs WHERE run_id = ?" + lockSuffix)) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    private record Claim(long epoch, String owner, Long leaseExpiresAt) {}

    /** The run's claim columns, read for update inside the write transaction. */
    private Claim readClaim(String runId) throws SQLException {
        try (PreparedStatement s = writer.prepareStatement("SELECT claim_epoch, claim_owner, lease_expires_at FROM runs WHERE run_id = ?"
                + dialect.lockRowSuffix())) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) throw unknownRun(runId);
                long lease = rs.getLong(3);
                return new Claim(rs.getLong(1), rs.getString(2), rs.wasNull() ? null : lease);
            }
        }
    }

    private void doClaim(ClaimOp op, long now) throws SQLException {
        flush();
        Claim claim = readClaim(op.runId);
        if (claim.leaseExpiresAt != null && claim.leaseExpiresAt > now && claim.owner != null && !claim.owner.equals(op.owner)) {
            long seconds = (claim.leaseExpiresAt - now + 999) / 1000;
            throw new StoreException.RunLocked("run " + op.runId + " is held by " + RunLease.shown(claim.owner) + " until "
                    + Instant.ofEpochMilli(claim.leaseExpiresAt) + " (in " + seconds + " s, renewed while it runs); wait for it to finish, "
                    + "or stop it first (`swarm cancel " + op.runId + "`)");
        }
        long epoch = claim.epoch + 1;
        try (PreparedStatement s = writer.prepareStatement("UPDATE runs SET claim_epoch = ?, claim_owner = ?, lease_expires_at = ? WHERE run_id = ?")) {
            s.setLong(1, epoch);
            s.setString(2, op.owner);
            s.setLong(3, now + op.leaseMillis);
            s.setString(4, op.runId);
            s.executeUpdate();
        }
        RunEntry e = cache.get(op.runId);
        if (e != null) e.claimEpoch = epoch;
        op.result = epoch;
    }

    private void doHeartbeat(HeartbeatOp op, long now) throws SQLException {
        flush();
        Claim claim = readClaim(op.runId);
        checkEpoch(op.runId, op.epoch, claim.epoch);
        long until = now + op.leaseMillis;
        try (PreparedStatement s = writer.prepareStatement("UPDATE runs SET lease_expires_at = ? WHERE run_id = ?")) {
            s.setLong(1, until);
            s.setString(2, op.runId);
            s.executeUpdate();
        }
        try (PreparedStatement s = writer.prepareStatement("UPDATE attempts SET lease_expires_at = ? WHERE run_id = ? AND outcome IS NULL")) {
            s.setLong(1, until);
            s.setString(2, op.runId);
            s.executeUpdate();
        }
    }

    private void doRelease(ReleaseOp op) throws SQLException {
        try (PreparedStatement s = writer.prepareStatement("UPDATE runs SET lease_expires_at = NULL WHERE run_id = ? AND claim_epoch = ?")) {
            s.setString(1, op.runId);
            s.setLong(2, op.epoch);
            s.executeUpdate();
        }
    }

    private void doSubmit(SubmitOp op, long now) throws SQLException {
        RunCommand c = op.command;
        // the run's row lock serializes this with other stores' decisions on the run (the check for a pending one below)
        if (!exists(c.runId(), dialect.lockRowSuffix())) throw unknownRun(c.runId());
        if (c.ticketId() != null) {
            try (PreparedStatement s = writer.prepareStatement("SELECT 1 FROM tickets WHERE run_id = ? AND ticket_id = ?")) {
                s.setString(1, c.runId());
                s.setString(2, c.ticketId());
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) throw new StoreException("run " + c.runId() + " has no ticket " + c.ticketId()
                            + "; `swarm status " + c.runId() + "` lists its tickets");
                }
            }
        }
        if (c.kind() != RunCommand.Kind.CANCEL) { // in the write transaction: of two racing decisions, one is recorded
            try (PreparedStatement s = writer.prepareStatement("SELECT id, kind, by_user, reason, created_at FROM run_commands "
                    + "WHERE run_id = ? AND ticket_id = ? AND applied_at IS NULL AND kind <> 'CANCEL' ORDER BY id LIMIT 1")) {
                s.setString(1, c.runId());
                s.setString(2, c.ticketId());
                try (ResultSet rs = s.executeQuery()) {
                    if (rs.next()) {
                        throw new StoreException.PendingDecision(new RunCommand(rs.getLong(1), c.runId(),
                                RunCommand.Kind.valueOf(rs.getString(2)), c.ticketId(), rs.getString(3), rs.getString(4), rs.getLong(5)));
                    }
                }
            }
        }
        try (PreparedStatement s = writer.prepareStatement("INSERT INTO run_commands (run_id, kind, ticket_id, by_user, reason, created_at) "
                + "VALUES (?, ?, ?, ?, ?, ?) RETURNING id")) {
            s.setString(1, c.runId());
            s.setString(2, c.kind().name());
            s.setString(3, c.ticketId());
            s.setString(4, c.by());
            s.setString(5, c.reason());
            s.setLong(6, now);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                op.result = new RunCommand(rs.getLong(1), c.runId(), c.kind(), c.ticketId(), c.by(), c.reason(), now);
            }
        }
    }

    private void doMarkApplied(MarkAppliedOp op, long now) throws SQLException {
        Claim claim = readClaim(op.runId);
        checkEpoch(op.runId, op.epoch, claim.epoch);
        try (PreparedStatement s = writer.prepareStatement("UPDATE run_commands SET applied_at = ? WHERE run_id = ? AND id = ? AND applied_at IS NULL")) {
            for (long id : op.ids) {
                s.setLong(1, now);
                s.setString(2, op.runId);
                s.setLong(3, id);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** {@code \u0000} in JSON text that is an escaped NUL, not an escaped backslash followed by {@code u0000}. */
    private static final java.util.regex.Pattern JSON_NUL = java.util.regex.Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\u0000");

    /**
     * Whether JSON text holds the escape of U+0000 ({@link #JSON_NUL}): the pattern, with its look-behind at every
     * position, is run only on text that holds {@code \u0000} at all, as {@link String#contains} finds at a fraction of
     * its cost (a new run's plan of 100,000 tickets is some tens of MB of JSON, scanned in the write transaction).
     */
    private static boolean jsonHoldsNul(String json) {
        return json.contains("\\u0000") && JSON_NUL.matcher(json).find();
    }

    /**
     * Refuses a request that carries the character U+0000, on a dialect whose text cannot hold it
     * ({@link Dialect#textHoldsNul}): every string a request writes is its run id, one of its own fields, or inside
     * the JSON of its events, from which the projection rows are made.
     */
    private void refuseNul(Op<?> op) {
        String where = switch (op) {
            case AppendOp a -> {
                String found = nulIn("the run id", a.runId);
                for (int i = 0; found == null && i < a.payloads.length; i++) {
                    if (jsonHoldsNul(a.payloads[i])) found = "event " + (i + 1) + " (" + Json.typeName(a.events.get(i)) + ")";
                }
                yield found;
            }
            case CreateOp c -> c.created.runId().indexOf('\0') >= 0 || jsonHoldsNul(c.payload) ? "the run or its plan" : null;
            case ClaimOp c -> nulIn("the run id", c.runId, "the owner", c.owner);
            case HeartbeatOp h -> nulIn("the run id", h.runId);
            case ReleaseOp r -> nulIn("the run id", r.runId);
            case SubmitOp s -> nulIn("the run id", s.command.runId(), "the ticket id", s.command.ticketId(), "the user", s.command.by(),
                    "the reason", s.command.reason());
            case MarkAppliedOp m -> nulIn("the run id", m.runId);
            case StopOp s -> null;
        };
        if (where != null) {
            throw new StoreException(where + " holds the character U+0000 (NUL), which " + description + " cannot store; "
                    + "nothing of this request was written. Remove it from where it came from (the spec, the agent's output or "
                    + "the command line)");
        }
    }

    /** The name of the first of {@code namesAndValues} (name, value, name, value...) whose value holds a NUL, or null. */
    private static String nulIn(String... namesAndValues) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (namesAndValues[i + 1] != null && namesAndValues[i + 1].indexOf('\0') >= 0) return namesAndValues[i];
        }
        return null;
    }

    private static void checkEpoch(String runId, long epoch, long current) {
        if (epoch < current) {
            throw new StoreException.Fenced("run " + runId + " was taken over by another coordinator (epoch " + current
                    + ", this one has " + epoch + "); this coordinator must stop");
        }
        if (epoch > current) {
            throw new StoreException.Fenced("run " + runId + " has epoch " + current + ", not " + epoch
                    + "; claim the run (claimRun) before writing to it");
        }
    }

    private static StoreException.UnknownRun unknownRun(String runId) {
        return new StoreException.UnknownRun("no run " + runId + "; `swarm runs` lists the runs");
    }

    // ---------------------------------------------------------------- reads (separate connections)

    @Override
    public Optional<RunView> run(String runId) {
        return read(c -> readRun(c, runId));
    }

    @Override
    public List<RunView> runs() {
        return read(c -> {
            List<RunView> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs ORDER BY no DESC");
                 ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(runView(rs));
            }
            return out;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One statement, so that the runs and the count are of one snapshot on either engine: the newest rows of the runs
     * table by its creation order ({@code no}, unique, so no two runs tie; read through its index {@code runs_no}), and a
     * {@code COUNT(*)} of the matching rows as an uncorrelated scalar subquery, which both engines evaluate once. No row
     * beyond {@code limit} is read into memory. With {@code states} the rows and the count are found through V7's index
     * {@code runs_state_no (state, no)} (on SQLite RunLookupTest checks the plan of {@link #listingQuery}, this very
     * statement), without making a {@link RunView} of a row not returned.
     */
    @Override
    public RunListing newestRuns(int limit, Set<RunState> states) {
        LeasedListing listing = newestRuns(limit, states, false);
        return new RunListing(listing.runs().stream().map(LeasedRun::run).toList(), listing.matching());
    }

    /**
     * {@inheritDoc}
     *
     * <p>The one statement of {@link #newestRuns}, with each row's lease columns ({@code claim_owner}, {@code claim_epoch},
     * {@code lease_expires_at}, the row {@link #lease} reads): each run and its lease are of one snapshot, and no lease is
     * read with a query of its own.
     */
    @Override
    public LeasedListing newestRunsLeased(int limit, Set<RunState> states) {
        return newestRuns(limit, states, true);
    }

    private LeasedListing newestRuns(int limit, Set<RunState> states, boolean leases) {
        RunStore.checkListing(limit, states);
        List<String> labels = states == null ? List.of() : states.stream().map(RunState::label).sorted().toList();
        return read(c -> {
            List<LeasedRun> out = new ArrayList<>();
            long matching = 0;
            try (PreparedStatement s = c.prepareStatement(listingQuery(labels.size(), leases))) {
                int i = 1;
                for (String label : labels) s.setString(i++, label); // the count's
                for (String label : labels) s.setString(i++, label); // the rows'
                s.setInt(i, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        RunLease lease = leases ? new RunLease(rs.getString(RUN_COLUMN_COUNT + 2), rs.getLong(RUN_COLUMN_COUNT + 3),
                                rs.getLong(RUN_COLUMN_COUNT + 4)) : null; // as lease(runId) reads them
                        out.add(new LeasedRun(runView(rs), lease));
                        matching = rs.getLong(RUN_COLUMN_COUNT + 1);
                    }
                }
            }
            return new LeasedListing(out, Math.toIntExact(matching)); // none returned: none matches, as limit is 1 or more
        });
    }

    /**
     * {@link #newestRuns}'s and {@link #newestRunsLeased}'s statement: the run columns ({@code RUN_COLUMNS}), the count of
     * the matching runs, and, when {@code leases}, {@code claim_owner, claim_epoch, lease_expires_at}. Its parameters: the
     * {@code states} state labels for the count, the same again for the rows (no {@code WHERE} when {@code states} is 0),
     * then the limit.
     */
    String listingQuery(int states, boolean leases) {
        String where = states == 0 ? "" : " WHERE state IN (" + String.join(", ", java.util.Collections.nCopies(states, "?")) + ")";
        return "SELECT " + RUN_COLUMNS + ", (SELECT COUNT(*) FROM runs" + where + ")"
                + (leases ? ", claim_owner, claim_epoch, lease_expires_at" : "") + " FROM runs" + where + " ORDER BY no DESC LIMIT ?";
    }

    /**
     * {@inheritDoc}
     *
     * <p>One statement: the ids in the range from {@code prefix} to its successor (the least string above every string
     * that starts with it, {@link #prefixSuccessor}), which is exactly the ids that start with it when strings compare by
     * code point: SQLite's {@code BINARY} collation (byte order of UTF-8, the same order) and, on PostgreSQL, the
     * {@code "C"} collation, whatever the database's (V7's index {@code runs_run_id_c} holds the ids in that order). No
     * character of the prefix is a wildcard, so {@code %} or {@code _} match only themselves. A prefix with a character no
     * run id can hold (NUL, an unpaired surrogate) matches nothing, without a query.
     */
    @Override
    public List<String> runIdsStartingWith(String prefix, int limit) {
        RunStore.checkPrefix(prefix, limit);
        if (prefix.indexOf('\0') >= 0 || !isWellFormed(prefix)) return List.of();
        String upper = prefixSuccessor(prefix);
        return read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(prefixQuery(upper != null))) {
                int i = 1;
                s.setString(i++, prefix);
                if (upper != null) s.setString(i++, upper);
                s.setInt(i, limit);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /**
     * {@link #runIdsStartingWith}'s statement; its parameters: the prefix, its successor when {@code bounded}, the limit.
     * {@code +no}: the matching rows are sorted, rather than found by a walk down {@code runs_no}, which would read
     * every run when fewer than the limit match.
     */
    String prefixQuery(boolean bounded) {
        String id = dialect.codePointOrder("run_id");
        return "SELECT run_id FROM runs WHERE " + id + " >= ?" + (bounded ? " AND " + id + " < ?" : "") + " ORDER BY +no DESC LIMIT ?";
    }

    /**
     * The least string, by code point, above every string that starts with {@code prefix}: its last code point that is
     * not U+10FFFF, plus one (U+D7FF goes to U+E000, past the surrogates), with what follows it dropped; null when every
     * code point is U+10FFFF (no string is above them all).
     */
    static String prefixSuccessor(String prefix) {
        int[] points = prefix.codePoints().toArray();
        for (int i = points.length - 1; i >= 0; i--) {
            int next = points[i] == 0xD7FF ? 0xE000 : points[i] + 1;
            if (next <= Character.MAX_CODE_POINT) return new String(points, 0, i) + Character.toString(next);
        }
        return null;
    }

    /**
     * How a stored JSON payload is damaged, in a few words for a user and without the parser's internals (its class
     * names, its reference chain): "JSON ends at column 201" (cut short), "invalid JSON at column 7" (not JSON), or
     * "unexpected JSON at column 40" (JSON, but not what Swarmflow writes there); the line is named too when it is not
     * the first. Columns count characters from 1, as Jackson's {@link com.fasterxml.jackson.core.JsonLocation} does.
     */
    static String damage(Exception e) {
        com.fasterxml.jackson.core.JsonProcessingException located = null;
        String what = e instanceof JsonProcessingException ? "unexpected JSON" : "a value Swarmflow does not accept";
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof com.fasterxml.jackson.core.io.JsonEOFException eof) {
                what = "JSON ends";
                located = eof;
                break;
            }
            if (t instanceof com.fasterxml.jackson.core.JsonParseException parse) {
                what = "invalid JSON";
                located = parse;
                break;
            }
            if (located == null && t instanceof JsonProcessingException j && j.getLocation() != null) located = j;
        }
        com.fasterxml.jackson.core.JsonLocation at = located == null ? null : located.getLocation();
        if (at == null || at.getColumnNr() < 1) return what;
        return what + (at.getLineNr() > 1 ? " at line " + at.getLineNr() + ", column " : " at column ") + at.getColumnNr();
    }

    /** Whether {@code s} has no unpaired surrogate (so it has a UTF-8 form the database can compare). */
    private static boolean isWellFormed(String s) {
        return s.codePoints().noneMatch(p -> p >= Character.MIN_SURROGATE && p <= Character.MAX_SURROGATE);
    }

    @Override
    public Plan plan(String runId) {
        Plan cached = plans.get(runId);
        if (cached != null) return cached;
        String payload = read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT payload FROM event_batches WHERE run_id = ? AND first_seq = 1")) {
                s.setString(1, runId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        if (payload == null) throw unknownRun(runId);
        Plan plan;
        try {
            List<RunEvent> first = Json.readEvents(payload);
            if (first.isEmpty() || !(first.getFirst() instanceof RunEvent.RunCreated created) || created.plan() == null) {
                throw new StoreException.Corrupt("run " + runId + " in " + description + " does not start with a run-created event; "
                        + "it cannot be resumed (start a new run)", null);
            }
            plan = created.plan();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new StoreException.Corrupt("the plan of run " + runId + " (event 1 in " + description + ") is damaged ("
                    + damage(e) + "): that run cannot be shown, reported or resumed; start a new run", e);
        }
        plans.put(runId, plan);
        return plan;
    }

    /**
     * SQLite's {@code PRAGMA quick_check} of the whole database: what it finds wrong (its first lines, one line), or empty
     * when it finds nothing. It reads every page once (measured: 0.3-0.4 s for a 77 MB database holding one run of
     * 100,000 tickets, warm cache, on a loaded 2-core VM), so it is for a command that lists, not for one that polls.
     * Empty on an engine without it (PostgreSQL: its damage shows as errors on the reads that meet it).
     *
     * @throws StoreException.Unavailable when the database cannot be read at all
     */
    public Optional<String> quickCheck() {
        if (!(dialect instanceof SqliteDialect)) return Optional.empty();
        Optional<String> found = quickCheckOnce(false);
        if (found.isEmpty()) return found;
        // confirmed on a connection of its own, in one read transaction, before it is called damage: a pooled connection's
        // view, or an immutable one's, may have mixed pages from before and after another swarm's write (review DWG F1)
        beforeConfirmingDamage.run();
        return quickCheckOnce(true);
    }

    /** The tickets of every run in the store, as their rows count them ({@code SUM(ticket_count)} of the runs table). */
    public long ticketCount() {
        return read(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(SUM(ticket_count), 0) FROM runs")) {
                return r.next() ? r.getLong(1) : 0L;
            }
        });
    }

    /** Runs in {@link #quickCheck} between a check that found damage and the one that confirms it: a test's way in. */
    volatile Runnable beforeConfirmingDamage = () -> {
    };

    /** One {@code PRAGMA quick_check(5)}: on a pooled reader, or ({@code fresh}) a new connection in an explicit read transaction. */
    private Optional<String> quickCheckOnce(boolean fresh) {
        SqlFunction<Optional<String>> check = c -> {
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("PRAGMA quick_check(5)")) {
                while (r.next()) found.add(r.getString(1));
            }
            return found.equals(List.of("ok")) ? Optional.<String>empty() : Optional.of(oneLine(String.join("; ", found)));
        };
        try {
            if (!fresh) return read(check);
            try (Connection c = dataSource.getConnection()) {
                dialect.configure(c, false);
                c.setAutoCommit(false);
                try {
                    return check.apply(c);
                } finally {
                    c.rollback();
                }
            } catch (SQLException e) {
                if (dialect.isDamage(e)) throw corrupt(e);
                if (dialect.isUnavailable(e)) throw new StoreException.Unavailable("cannot read " + description + ": " + e.getMessage(), e);
                throw new StoreException("cannot read " + description + ": " + e.getMessage(), e);
            }
        } catch (StoreException.Corrupt e) { // so damaged that the check itself stops (its header, its schema)
            return Optional.of(e.getCause() != null && e.getCause().getMessage() != null ? oneLine(e.getCause().getMessage())
                    : e.getMessage());
        }
    }

    /**
     * Why the rows of run {@code runId} cannot be read, or empty when they all can: reads every row of it (its tickets,
     * attempts, events, time marks and commands) and every column of each, as {@code swarm status}, {@code resume} and
     * {@code report} would, and catches the damage they would meet ({@link Dialect#isDamage}). SQLite reads them alone
     * ({@link #unreadableQuery}: one row back a table), not copied into Java values one column at a time, which took
     * {@code swarm runs --limit} of one run of 100,000 tickets to twice or more the time of a {@link #quickCheck} of the
     * whole database (docs/benchmarks.md, RunListingScale). For a few runs: those a listing cut by {@code --limit} shows,
     * or those {@link #quickCheck} found damage among.
     *
     * @throws StoreException.Unavailable when the database cannot be read for another reason
     */
    public Optional<String> unreadable(String runId) {
        try {
            read(c -> {
                for (String table : UNREADABLE_TABLES) {
                    List<String> columns = new ArrayList<>();
                    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table + " WHERE 0")) {
                        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) columns.add(r.getMetaData().getColumnName(i));
                    }
                    try (PreparedStatement ps = c.prepareStatement(unreadableQuery(table, columns))) {
                        ps.setString(1, runId);
                        try (ResultSet r = ps.executeQuery()) {
                            while (r.next()) r.getLong(1);
                        }
                    }
                }
                return null;
            });
            return Optional.empty();
        } catch (StoreException.Corrupt e) {
            return Optional.of(e.getCause() != null && e.getCause().getMessage() != null ? oneLine(e.getCause().getMessage())
                    : e.getMessage());
        }
    }

    /**
     * The tables holding a run's rows, by their {@code run_id} column, that {@link #unreadable} reads: searched on their
     * primary keys, but {@code run_commands} (approvals, rejections, cancels: few rows), scanned.
     */
    static final List<String> UNREADABLE_TABLES = List.of("tickets", "attempts", "event_batches", "time_marks", "run_commands");

    /**
     * {@link #unreadable}'s statement for {@code table} of {@code columns}: one row, the count of the run's rows and the
     * total length of each column as text ({@code length()} of a text reads all of it, overflow pages too; of a number,
     * its decimal form), so that SQLite decodes every column of every row of the run. Its parameter: the run id.
     */
    static String unreadableQuery(String table, List<String> columns) {
        StringBuilder sql = new StringBuilder("SELECT count(*)");
        for (String column : columns) sql.append(", total(length(\"").append(column).append("\"))");
        return sql.append(" FROM ").append(table).append(" WHERE run_id = ?").toString();
    }

    @Override
    public List<TicketView> tickets(String runId) {
        return read(c -> readTickets(c, runId));
    }

    @Override
    public List<AttemptView> attempts(String runId) {
        return read(c -> readAttempts(c, runId));
    }

    @Override
    public List<StoredEvent> events(String runId, long afterSeq, int limit) {
        if (limit <= 0) return List.of();
        return read(c -> {
            List<StoredEvent> out = new ArrayList<>();
            // start at the row holding afterSeq + 1 (found through the primary key), not at the run's first row
            try (PreparedStatement s = c.prepareStatement("SELECT first_seq, last_seq, at, payload FROM event_batches "
                    + "WHERE run_id = ? AND first_seq >= (SELECT COALESCE(MAX(first_seq), 0) FROM event_batches "
                    + "WHERE run_id = ? AND first_seq <= ?) AND last_seq > ? ORDER BY first_seq")) {
                s.setString(1, runId);
                s.setString(2, runId);
                s.setLong(3, afterSeq + 1);
                s.setLong(4, afterSeq);
                try (ResultSet rs = s.executeQuery()) {
                    while (out.size() < limit && rs.next()) {
                        long firstSeq = rs.getLong(1);
                        long lastSeq = rs.getLong(2);
                        List<RunEvent> events;
                        try {
                            events = Json.readEvents(rs.getString(4));
                        } catch (JsonProcessingException | IllegalArgumentException e) {
                            throw new StoreException.Corrupt("events " + firstSeq + ".." + lastSeq + " of run " + runId + " in " + description
                                    + " are damaged (" + damage(e) + "): that run cannot be resumed; start a new run", e);
                        }
                        if (events.size() != lastSeq - firstSeq + 1) {
                            throw new StoreException.Corrupt("events " + firstSeq + ".." + lastSeq + " of run " + runId + " in " + description
                                    + " hold " + events.size() + " events; that run cannot be resumed, start a new run", null);
                        }
                        long at = rs.getLong(3);
                        for (int i = 0; i < events.size() && out.size() < limit; i++) {
                            long seq = firstSeq + i;
                            if (seq > afterSeq) out.add(new StoredEvent(runId, seq, at, events.get(i)));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * Reads the {@code time_marks} rows of a run whose marks are complete ({@code runs.time_marks}, the seq they are
     * complete through, equals its {@code last_seq}: every event of it was appended by a store that keeps them); empty for
     * a run created before (not backfilled: the marks of its early sessions would have to be derived from all of its
     * events, by SQL in two dialects, a second definition of {@link TimeMarks}), for a run an older swarm appended to
     * (which keeps none), or no such run.
     *
     * @throws StoreException.Corrupt when a mark cannot be read
     */
    @Override
    public Optional<List<TimeMark>> timeMarks(String runId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT time_marks, last_seq FROM runs WHERE run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) <= 0 || rs.getLong(1) != rs.getLong(2)) return Optional.<List<TimeMark>>empty();
                }
            }
            List<TimeMark> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT seq, at, prev_at, payload FROM time_marks WHERE run_id = ? ORDER BY seq")) {
                s.setString(1, runId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        RunEvent event;
                        try {
                            event = Json.readEvent(rs.getString(4));
                        } catch (JsonProcessingException | IllegalArgumentException e) {
                            throw new StoreException.Corrupt("time mark " + seq + " of run " + runId + " in " + description
                                    + " cannot be read (" + e.getMessage() + "); start a new run", e);
                        }
                        out.add(new TimeMark(seq, rs.getLong(2), event, rs.getLong(3)));
                    }
                }
            }
            return Optional.of(out);
        });
    }

    @Override
    public List<RunCommand> pendingCommands(String runId) {
        return read(c -> {
            List<RunCommand> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT id, kind, ticket_id, by_user, reason, created_at FROM run_commands "
                    + "WHERE run_id = ? AND applied_at IS NULL ORDER BY id")) {
                s.setString(1, runId);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RunCommand(rs.getLong(1), runId, RunCommand.Kind.valueOf(rs.getString(2)), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getLong(6)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Optional<RunLease> lease(String runId) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT claim_owner, claim_epoch, lease_expires_at FROM runs WHERE run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? Optional.of(new RunLease(rs.getString(1), rs.getLong(2), rs.getLong(3))) : Optional.empty();
                }
            }
        });
    }

    /** End of an attempt's lease (epoch ms, store clock) while it runs; empty when finished or unknown. */
    public OptionalLong attemptLeaseExpiresAt(String runId, String ticketId, int attempt) {
        return read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT lease_expires_at FROM attempts WHERE run_id = ? AND ticket_id = ? AND attempt = ?")) {
                s.setString(1, runId);
                s.setString(2, ticketId);
                s.setInt(3, attempt);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) return OptionalLong.empty();
                    long v = rs.getLong(1);
                    return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
                }
            }
        });
    }

    private Optional<RunView> readRun(Connection c, String runId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM runs WHERE run_id = ?")) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(runView(rs)) : Optional.empty();
            }
        }
    }

    private List<TicketView> readTickets(Connection c, String runId) throws SQLException {
        List<TicketView> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT " + TICKET_COLUMNS + " FROM tickets WHERE run_id = ? ORDER BY idx")) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    int exit = rs.getInt(8);
                    Integer exitCode = rs.wasNull() ? null : exit;
                    Map<String, String> outputs;
                    try {
                        outputs = Json.readOutputs(rs.getString(10));
                    } catch (JsonProcessingException e) {
                        throw new StoreException.Corrupt("outputs of ticket " + rs.getString(2) + " of run " + runId + " in "
                                + description + " cannot be read; that run cannot be resumed, start a new run", e);
                    }
                    out.add(new TicketView(runId, rs.getString(2), rs.getInt(3), label(TicketState.class, rs.getString(4)),
                            rs.getInt(5), rs.getInt(6), rs.getInt(7), exitCode, rs.getString(9), outputs, rs.getString(11),
                            rs.getLong(12), rs.getLong(13), rs.getLong(14)));
                }
            }
        }
        return out;
    }

    private List<AttemptView> readAttempts(Connection c, String runId) throws SQLException {
        List<AttemptView> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT a.run_id, a.ticket_id, a.attempt, a.outcome, a.exit_code, a.reason, "
                + "a.started_at, a.finished_at, a.pid, a.start_ticks, a.output_bytes, a.coordinator, a.permanent FROM attempts a JOIN tickets t "
                + "ON t.run_id = a.run_id AND t.ticket_id = a.ticket_id WHERE a.run_id = ? ORDER BY t.idx, a.attempt")) {
            s.setString(1, runId);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    String outcome = rs.getString(4);
                    int exit = rs.getInt(5);
                    Integer exitCode = rs.wasNull() ? null : exit;
                    long bytes = rs.getLong(11);
                    Long outputBytes = rs.wasNull() ? null : bytes;
                    out.add(new AttemptView(runId, rs.getString(2), rs.getInt(3), outcome == null ? null : label(Outcome.class, outcome),
                            exitCode, rs.getString(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), outputBytes,
                            rs.getString(12), rs.getInt(13) != 0));
                }
            }
        }
        return out;
    }

    private static RunView runView(ResultSet rs) throws SQLException {
        return new RunView(rs.getString(1), rs.getString(2), rs.getString(3), label(RunState.class, rs.getString(4)),
                rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9), rs.getInt(10) != 0,
                rs.getInt(11), rs.getLong(12), rs.getString(13));
    }

    private static <E extends Enum<E>> E label(Class<E> type, String label) {
        return Enum.valueOf(type, label.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    private interface SqlFunction<T> {
        T apply(Connection c) throws SQLException;
    }

    private <T> T read(SqlFunction<T> f) {
        Connection c = idleReaders.poll();
        boolean reusable = false;
        try {
            if (c == null) {
                c = dataSource.getConnection();
                dialect.configure(c, false);
            }
            T result = f.apply(c);
            reusable = true;
            return result;
        } catch (SQLException e) {
            if (dialect.isDamage(e)) throw corrupt(e);
            if (dialect.isUnavailable(e)) throw new StoreException.Unavailable("cannot read " + description + ": " + e.getMessage(), e);
            throw new StoreException("cannot read " + description + ": " + e.getMessage(), e);
        } finally {
            if (c != null) {
                if (reusable && reuseReaders && !closed && idleReaders.size() < MAX_IDLE_READERS) idleReaders.push(c);
                else closeQuietly(c);
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing; nothing left to do with it
        }
    }

    // ---------------------------------------------------------------- writer requests

    /** A run's projection as the writer knows it. */
    private static final class RunEntry {
        final String runId;
        Projection projection;
        long claimEpoch;
        /** Requests applied to {@link #projection} in the current batch whose rows are not written yet. */
        final List<Accepted> unflushed = new ArrayList<>();
        /** Lease ends of attempts started in the current batch, by {@code ticket#attempt}. */
        final Map<String, Long> newLeases = new HashMap<>();
        /** The JSON array of this transaction's accepted events of the run, and its seq range and time. */
        final StringBuilder rowPayload = new StringBuilder();
        long rowFirstSeq;
        long rowLastSeq;
        long rowAt;

        RunEntry(String runId, Projection projection) {
            this.runId = runId;
            this.projection = projection;
        }
    }

    private record Accepted(List<RunEvent> events, long firstSeq, long at) {}

    /** An attempt row to write, with the end of its lease when it started in this transaction (else null). */
    private record AttemptRow(AttemptView attempt, Long leaseExpiresAt) {}

    /**
     * A column written as an array ({@link Dialect#setBasedWrites}): its name, its element type (a PostgreSQL type name,
     * for {@link Connection#createArrayOf} and the {@code ?::type[]} cast) and its value in a row; a null value is NULL.
     */
    private record ArrayColumn<T>(String name, String type, java.util.function.Function<T, Object> value) {}

    /**
     * What this store's coordinators do with a run ({@link #coordinations}).
     *
     * @param claims  how many {@link #claimRun} calls of it are under way
     * @param epoch   the epoch of its claim not released yet, or null
     * @param givenUp why its writes no longer wait for another connection's lock ({@link #stopWaitingForLocks}), or null
     */
    private record Coordination(int claims, Long epoch, String givenUp) {
        /** This, or null when no coordinator of the store works on the run any more (the map then drops it). */
        Coordination orNone() {
            return claims == 0 && epoch == null ? null : this;
        }
    }

    private abstract static sealed class Op<T> permits AppendOp, CreateOp, ClaimOp, HeartbeatOp, ReleaseOp, SubmitOp, MarkAppliedOp, StopOp {
        final CompletableFuture<T> future = new CompletableFuture<>();
        T result;
        StoreException error;

        int weight() {
            return 1;
        }

        void complete() {
            if (error != null) future.completeExceptionally(error);
            else future.complete(result);
        }
    }

    private static final class AppendOp extends Op<Appended> {
        final String runId;
        final long epoch;
        final List<RunEvent> events;
        final String[] payloads;

        AppendOp(String runId, long epoch, List<RunEvent> events, String[] payloads) {
            this.runId = runId;
            this.epoch = epoch;
            this.events = events;
            this.payloads = payloads;
        }

        @Override
        int weight() {
            return Math.max(1, events.size());
        }
    }

    private static final class CreateOp extends Op<RunView> {
        final RunEvent.RunCreated created;
        final String payload;

        CreateOp(RunEvent.RunCreated created, String payload) {
            this.created = created;
            this.payload = payload;
        }

        @Override
        int weight() {
            return Math.max(1, created.plan().tickets().size() / 4);
        }
    }

    private static final class ClaimOp extends Op<Long> {
        final String runId;
        final String owner;
        final long leaseMillis;

        ClaimOp(String runId, String owner, long leaseMillis) {
            this.runId = runId;
            this.owner = owner;
            this.leaseMillis = leaseMillis;
        }
    }

    private static final class HeartbeatOp extends Op<Void> {
        final String runId;
        final long epoch;
        final long leaseMillis;

        HeartbeatOp(String runId, long epoch, long leaseMillis) {
            this.runId = runId;
            this.epoch = epoch;
            this.leaseMillis = leaseMillis;
        }
    }

    private static final class ReleaseOp extends Op<Void> {
        final String runId;
        final long epoch;

        ReleaseOp(String runId, long epoch) {
            this.runId = runId;
            this.epoch = epoch;
        }
    }

    private static final class SubmitOp extends Op<RunCommand> {
        final RunCommand command;

        SubmitOp(RunCommand command) {
            this.command = command;
        }
    }

    private static final class MarkAppliedOp extends Op<Void> {
        final String runId;
        final long epoch;
        final List<Long> ids;

        MarkAppliedOp(String runId, long epoch, List<Long> ids) {
            this.runId = runId;
            this.epoch = epoch;
            this.ids = ids;
        }
    }

    private static final class StopOp extends Op<Void> {}
}
