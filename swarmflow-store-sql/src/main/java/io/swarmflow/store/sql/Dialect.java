package io.swarmflow.store.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * What differs between the SQL engines {@link SqlRunStore} runs on, in the spirit of
 * db-scheduler's {@code JdbcCustomization}: everything else is plain SQL shared by all engines
 * ({@code INSERT ... ON CONFLICT}, {@code UPDATE}, {@code RETURNING}).
 */
public interface Dialect {

    /** Short engine name; the Flyway migrations live in {@code db/migration/<name>}. */
    String name();

    /** Flyway location of this engine's migrations. */
    default String migrationLocation() {
        return "classpath:db/migration/" + name();
    }

    /**
     * Flyway's checksum of each migration this build ships in {@link #migrationLocation}, by version (the
     * {@code checksum} column of {@code flyway_schema_history}: a CRC32 of the file's lines, computed by Flyway).
     * When a database's history holds exactly these, opening it skips Flyway (see {@code SqlRunStore}); the
     * default, no entries, always runs Flyway. A test compares each dialect's map with what Flyway computes, so a
     * new or edited migration cannot go unnoticed.
     */
    default java.util.Map<Integer, Integer> migrationChecksums() {
        return java.util.Map.of();
    }

    /**
     * Applies per-connection settings that the connection source cannot (pragmas, session
     * parameters). Writes nothing to the database: see {@link #configureDatabase}.
     *
     * @param writer true for the single writer connection, false for read connections
     */
    void configure(Connection connection, boolean writer) throws SQLException;

    /**
     * Makes the settings this store needs that the database keeps itself, not the connection (SQLite's journal mode),
     * on the writer connection after {@link #configure}. {@link SqlRunStore} calls it only once the schema is known to
     * be one this swarm may write ({@link SqlRunStore#refuseNewerSchema}), so that a database it refuses is left as it
     * was. None by default.
     *
     * @param writer the writer connection, configured
     */
    default void configureDatabase(Connection writer) throws SQLException {
    }

    /**
     * Statements that make the writer connection's next commits wait for the disk again (the default
     * after {@link #configure}), run after commits made with {@link #unsyncedCommits}.
     */
    default java.util.List<String> syncCommits() {
        return java.util.List.of();
    }

    /**
     * Statements that make the writer connection's next commits survive a crash of this process
     * without waiting for the disk, and keep their order with later commits (see
     * {@link io.swarmflow.store.RunStore#append} for when {@link SqlRunStore} uses them). Asked once,
     * after {@link #configure}. Empty when the engine, or this database's configuration, cannot: every
     * commit is then fully durable.
     *
     * @param writer the configured writer connection
     */
    default java.util.List<String> unsyncedCommits(Connection writer) throws SQLException {
        return java.util.List.of();
    }

    /**
     * The schema that holds the store's tables and Flyway's history, for Flyway to create and migrate; null for the
     * connection's own (SQLite has one per file). {@link #configure} makes it the connection's default.
     */
    default String schema() {
        return null;
    }

    /**
     * Statement starting a write transaction. Together with {@link #lockRowSuffix} and {@link #lockRunCreation} it
     * must make write transactions of several stores on the same database serialize per run: SQLite's takes the
     * database write lock at once, PostgreSQL's relies on row locks.
     */
    String beginWrite();

    /**
     * Statement run first in a write transaction that creates a run, so that two stores creating runs at once do not
     * pick the same creation number ({@code runs.no}) or both find a run id free; null where {@link #beginWrite}
     * already holds the database write lock. Taken before any row lock of the transaction, so it cannot be part of
     * a lock cycle with them.
     */
    default String lockRunCreation() {
        return null;
    }

    /**
     * Suffix of the {@code SELECT} that reads a run row inside a write transaction before changing
     * it ({@code " FOR UPDATE"} where row locks exist; empty where the transaction already holds the
     * database write lock).
     */
    String lockRowSuffix();

    /**
     * Whether the store writes the projection rows a transaction changes (and the tickets of a new run, where
     * {@link #bulkInsert} does not) one statement per
     * table, binding each column as an array ({@code unnest(?::text[], ?::bigint[], ...)}), rather than one statement per
     * row sent in a JDBC batch. Only for engines with array parameters and {@code unnest}, where the server's time per
     * statement, not per row, is what costs (PostgreSQL: docs/benchmarks.md, "B1 on PostgreSQL"). False by default.
     */
    default boolean setBasedWrites() {
        return false;
    }

    /**
     * Inserts a new run's rows into {@code table} with the engine's bulk load, as part of the writer's current transaction
     * (they commit or roll back with it), and returns true; or returns false, having sent nothing, where the engine or
     * the connection has none: the store then inserts them by statement. For the tickets of a new run, the one write of
     * that many rows at once (PostgreSQL: docs/benchmarks.md, "B1 on PostgreSQL"). None by default.
     *
     * @param writer  the writer connection, in a transaction
     * @param table   the table, unquoted
     * @param columns its columns, unquoted, in the order of each row's values
     * @param rows    each row's values: {@link String} (without U+0000, see {@link #textHoldsNul}), {@link Integer},
     *                {@link Long} or null
     * @throws SQLException as the insert statements would (a duplicate key, a lost connection...)
     */
    default boolean bulkInsert(Connection writer, String table, java.util.List<String> columns, java.util.List<Object[]> rows)
            throws SQLException {
        return false;
    }

    /**
     * {@code column}, a text column, as an expression that compares by Unicode code point (the byte order of UTF-8), for a
     * range of strings that start with a prefix. By default the column itself (SQLite's {@code BINARY} collation).
     */
    default String codePointOrder(String column) {
        return column;
    }

    /**
     * Whether text columns and parameters can hold the character U+0000 (NUL). Where they cannot, the store refuses
     * a request carrying one by itself, rather than letting the statement fail the whole write batch.
     */
    default boolean textHoldsNul() {
        return true;
    }

    /**
     * Whether {@code e}, from a statement of the writer, means its connection to the database is gone (so a
     * transaction not yet committed was rolled back by the server), and a new connection may work. Never for an
     * embedded engine.
     */
    default boolean isConnectionLost(SQLException e) {
        return false;
    }

    /**
     * Whether {@code e}, from a statement of the writer's transaction before its commit, means the server rolled the
     * transaction back for a reason that trying once more may not meet (a deadlock with another store's transaction).
     */
    default boolean isRetryable(SQLException e) {
        return false;
    }

    /**
     * Whether {@code e}, from a statement of the writer's transaction before its commit, means another connection (in
     * this process or another) held the database's write lock for longer than the writer waits for it in one try: nothing of the
     * transaction was done, and the whole transaction may be tried again once the lock is released (SQLite: the
     * database's write lock; PostgreSQL: any lock past {@code lock_timeout}; deadlocks are {@link #isRetryable}).
     */
    default boolean isLockedByAnother(SQLException e) {
        return false;
    }

    /**
     * How long a write waits for the lock of {@link #isLockedByAnother} before the store says so
     * ({@link #lockWaitNotice}), in milliseconds: a lock held for less is ordinary contention.
     */
    default long lockWaitNoticeAfterMillis() {
        return 0;
    }

    /**
     * What the store tells the user once a write has waited {@code waitedMillis} for the lock another connection holds
     * ({@link #isLockedByAnother}) and goes on waiting, for up to {@code boundMillis} in all.
     *
     * @param description what the database is (a file path)
     */
    default String lockWaitNotice(String description, long waitedMillis, long boundMillis) {
        return description + " is locked by another connection: writes wait for it (" + waitedMillis / 1000 + " s so far, at most "
                + boundMillis / 1000 + " s in all)";
    }

    /**
     * How to find who holds the lock of {@link #isLockedByAnother} (a command to run), for the error of a write that
     * stopped waiting for it; null when there is nothing to say.
     *
     * @param description what the database is (a file path, a schema and URL)
     */
    default String lockHolderHint(String description) {
        return null;
    }

    /**
     * What the store tells those it told of the wait ({@link #lockWaitNotice}) once a write got through after waiting
     * {@code waitedMillis} in all for the lock another connection held.
     *
     * @param description what the database is (a file path, a schema and URL)
     */
    default String lockReleasedNotice(String description, long waitedMillis) {
        return description + " is no longer locked (after " + (waitedMillis + 500) / 1000 + " s); writes go on";
    }

    /**
     * A query whose one row and column is the database server's current time in epoch milliseconds, where the store's
     * clock is the server's (several hosts share the database, and leases must expire by one clock whatever their
     * clocks say); null where it is this host's (an embedded engine). {@link SqlRunStore} sends it in the same
     * round trip as {@link #beginWrite}, so that every write transaction's lease decisions and event times use it.
     */
    default String clockQuery() {
        return null;
    }

    /** Whether {@code e}, from opening the database, means the database is damaged or not a database at all. */
    boolean isCorruption(SQLException e);

    /**
     * Whether {@code e}, from a statement on a database that opened, means the database is damaged (a page that
     * cannot be read), rather than a failing statement.
     */
    boolean isDamage(SQLException e);

    /**
     * Whether {@code e} comes from the environment rather than from the statement: the disk is full, a file is not
     * writable, an I/O error, the database is busy past its timeout, the connection was lost. Such an error becomes a
     * {@link io.swarmflow.store.StoreException.Unavailable}.
     */
    boolean isUnavailable(SQLException e);

    /**
     * What to tell the user when {@code e} means the database could not grow (the disk holding it is full), or null when
     * it does not mean that: then {@code e}'s own text is said. The text names where the space ran out, and is followed by
     * what the write lost (nothing: the transaction was rolled back). Null by default.
     *
     * @param description what the database is (a file path, a schema and URL)
     */
    default String diskFull(String description, SQLException e) {
        return null;
    }
}
