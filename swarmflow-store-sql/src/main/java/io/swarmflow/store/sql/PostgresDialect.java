package io.swarmflow.store.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * PostgreSQL: the store's tables live in one schema of the database (each connection's {@code search_path}); write
 * transactions run at {@code READ COMMITTED} and lock the row of each run they change ({@code SELECT ... FOR UPDATE})
 * before checking its epoch, lease or pending decisions, so writers in other processes serialize per run, and a
 * writer that waited for a lock reads the row as the other one committed it
 * (https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED). Commits wait for the WAL flush
 * ({@code synchronous_commit = on}).
 */
public final class PostgresDialect implements Dialect {
    /** How long a statement waits for another transaction's lock before failing, like SQLite's busy timeout. */
    public static final int LOCK_TIMEOUT_MILLIS = SqliteDialect.BUSY_TIMEOUT_MILLIS;
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** First key of the run-creation advisory lock ("swfl"); the second is the schema's hash. */
    private static final int CREATION_LOCK_CLASS = 0x7377666c;
    /** SQLSTATEs that mean the schema holds tables that are not (all) Swarmflow's: undefined table or column. */
    private static final Set<String> FOREIGN_SCHEMA = Set.of("42P01", "42703");

    private final String schema;
    private final int lockTimeoutMillis;

    /**
     * A dialect for the store's tables in {@code schema}; nothing is connected or created until the store opens.
     *
     * @param schema the schema holding the store's tables: lower-case letters, digits and {@code _}, starting with a
     *               letter or {@code _}, at most 63 characters (so it needs no quoting and names itself in messages)
     * @throws IllegalArgumentException otherwise, or when it starts with {@code pg_} (reserved by PostgreSQL)
     */
    public PostgresDialect(String schema) {
        this(schema, LOCK_TIMEOUT_MILLIS);
    }

    /** A dialect whose connections wait {@code lockTimeoutMillis} for another session's lock (tests use a short one). */
    PostgresDialect(String schema, int lockTimeoutMillis) {
        if (schema == null || !SCHEMA.matcher(schema).matches() || schema.startsWith("pg_")) {
            throw new IllegalArgumentException("invalid PostgreSQL schema name " + (schema == null ? "null" : "'" + schema + "'")
                    + ": use lower-case letters, digits and _, starting with a letter or _ (not pg_), at most 63 characters, "
                    + "for example swarm");
        }
        this.schema = schema;
        this.lockTimeoutMillis = lockTimeoutMillis;
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public String schema() {
        return schema;
    }

    /**
     * Flyway's checksum of {@code db/migration/postgresql/V1__init.sql}, {@code V2__attempt_output_bytes.sql},
     * {@code V3__run_description.sql}, {@code V4__projection_fillfactor.sql}, {@code V5__time_marks.sql},
     * {@code V6__attempt_coordinator.sql}, {@code V7__runs_state_index.sql} and {@code V8__attempt_permanent.sql}. A new
     * migration adds its entry here (PostgresMigrationTest says which value Flyway computes); a released one is never edited.
     */
    @Override
    public Map<Integer, Integer> migrationChecksums() {
        return Map.of(1, -1278886645, 2, 32585942, 3, 323925154, 4, 243344126, 5, -449436776, 6, -1383284515, 7, 1837934629, 8, 1757022846);
    }

    /** {@code column COLLATE "C"}: byte order, whatever the database's collation (V7's index runs_run_id_c holds run ids so). */
    @Override
    public String codePointOrder(String column) {
        return column + " COLLATE \"C\"";
    }

    /**
     * Sets the schema and a lock timeout, and for the writer durable commits, generic plans
     * ({@code plan_cache_mode = force_generic_plan}, https://www.postgresql.org/docs/current/runtime-config-query.html#GUC-PLAN-CACHE-MODE)
     * and lz4 compression of large stored values where the server has it ({@code default_toast_compression});
     * read connections are read-only, like SQLite's {@code query_only}.
     */
    @Override
    public void configure(Connection connection, boolean writer) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET search_path TO " + schema);
            s.execute("SET lock_timeout = " + lockTimeoutMillis);
            if (writer) {
                s.execute("SET synchronous_commit = on");
                // the set-based writes join unnest(arrays) to tickets by key: planned for the arrays' real length (a custom
                // plan, which pgjdbc's first executions of a statement always get), a batch of a thousand rows hashes the
                // whole table; the generic plan looks each row up in the primary key, at any length and table size
                s.execute("SET plan_cache_mode = force_generic_plan");
                // an event row's payload past 2 kB is compressed as it is stored: by lz4 at about twice the speed of the
                // default pglz (a new run's plan of 100,000 tickets is some tens of MB of JSON); reading either is transparent
                if (offersLz4(s)) s.execute("SET default_toast_compression = lz4");
            } else {
                s.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            }
        }
    }

    /**
     * Whether the server compresses stored values with lz4 on request: {@code default_toast_compression} (PostgreSQL 14+)
     * lists it when the server was built with it (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-DEFAULT-TOAST-COMPRESSION).
     */
    private static boolean offersLz4(Statement s) throws SQLException {
        try (java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                + "AND 'lz4' = ANY(enumvals)")) {
            return rs.next();
        }
    }

    @Override
    public List<String> syncCommits() {
        return List.of("SET synchronous_commit = on");
    }

    /**
     * {@code synchronous_commit = off}: the commit returns before its WAL is flushed, so it survives a crash of this
     * process (the server has it) but may be lost if the server crashes, never out of order: WAL is replayed in
     * order, and the next commit that waits for the flush covers it
     * (https://www.postgresql.org/docs/current/wal-async-commit.html).
     */
    @Override
    public List<String> unsyncedCommits(Connection writer) {
        return List.of("SET synchronous_commit = off");
    }

    /**
     * Yes: PostgreSQL executes one statement per row at some microseconds of its one backend each, about five per ticket
     * otherwise; one {@code UPDATE ... FROM unnest(...)} or {@code INSERT ... SELECT FROM unnest(...)} per table and
     * transaction costs it less per row (https://www.postgresql.org/docs/current/functions-array.html, {@code unnest}).
     */
    @Override
    public boolean setBasedWrites() {
        return true;
    }

    /**
     * {@code COPY table (columns) FROM STDIN}, text format, through pgjdbc's {@link org.postgresql.copy.CopyManager}
     * (https://www.postgresql.org/docs/current/sql-copy.html): one statement whose rows the server parses as a stream
     * and writes several per heap page and WAL record, where {@code INSERT ... SELECT FROM unnest(arrays)} first parsed
     * one array literal per column and then inserted row by row. It honours the table's fill factor as an insert does.
     * False, sending nothing, when {@code writer} is not a pgjdbc connection ({@link Connection#isWrapperFor}).
     */
    @Override
    public boolean bulkInsert(Connection writer, String table, List<String> columns, List<Object[]> rows) throws SQLException {
        if (!writer.isWrapperFor(org.postgresql.PGConnection.class)) return false;
        org.postgresql.copy.CopyIn copy = writer.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                .copyIn("COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN");
        try {
            StringBuilder text = new StringBuilder(COPY_CHUNK_CHARS + 4096);
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    if (i > 0) text.append('\t');
                    appendCopyText(text, row[i]);
                }
                text.append('\n');
                if (text.length() >= COPY_CHUNK_CHARS) {
                    byte[] bytes = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    copy.writeToCopy(bytes, 0, bytes.length);
                    text.setLength(0);
                }
            }
            byte[] bytes = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length > 0) copy.writeToCopy(bytes, 0, bytes.length);
            copy.endCopy();
        } catch (SQLException | RuntimeException e) {
            if (copy.isActive()) {
                try {
                    copy.cancelCopy(); // the connection back out of COPY; the transaction is aborted and rolled back
                } catch (SQLException cancel) {
                    e.addSuppressed(cancel);
                }
            }
            throw e;
        }
        return true;
    }

    /** How many characters of COPY text {@link #bulkInsert} sends at a time. */
    private static final int COPY_CHUNK_CHARS = 1 << 16;

    /**
     * One value in COPY's text format: {@code \N} for null; in text, backslash, newline, carriage return and tab (the
     * delimiter) escaped with a backslash, everything else as is (the connection's encoding is UTF-8).
     */
    static void appendCopyText(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
        } else if (value instanceof String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(c);
                }
            }
        } else if (value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else {
            throw new IllegalArgumentException("COPY value of type " + value.getClass().getName() + ": expected String, Integer, Long or null");
        }
    }

    @Override
    public String beginWrite() {
        return "BEGIN ISOLATION LEVEL READ COMMITTED";
    }

    /**
     * {@code clock_timestamp()}, the server's time when the statement runs, not {@code now()}, which is the
     * transaction's start (https://www.postgresql.org/docs/current/functions-datetime.html#FUNCTIONS-DATETIME-CURRENT).
     */
    @Override
    public String clockQuery() {
        return "SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
    }

    @Override
    public String lockRowSuffix() {
        return " FOR UPDATE";
    }

    /**
     * A transaction-level advisory lock for this schema (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS):
     * released at the commit or rollback. Schemas whose hashes collide only share the lock.
     */
    @Override
    public String lockRunCreation() {
        return "SELECT pg_advisory_xact_lock(" + CREATION_LOCK_CLASS + ", hashtext('" + schema + "'))";
    }

    /** PostgreSQL's {@code text} cannot hold U+0000 (https://www.postgresql.org/docs/current/datatype-character.html). */
    @Override
    public boolean textHoldsNul() {
        return false;
    }

    /**
     * SQLSTATE class {@code 08} (connection exception) or {@code 57P01}..{@code 57P03} (the server shut down, crashed or
     * is starting), on {@code e} or what it wraps (a batch's next exception).
     */
    @Override
    public boolean isConnectionLost(SQLException e) {
        return hasState(e, "08") || hasState(e, "57P01") || hasState(e, "57P02") || hasState(e, "57P03");
    }

    /** Whether {@code e}, or an exception it wraps or chains (a batch's next exception), has a SQLSTATE starting with {@code prefix}. */
    private static boolean hasState(SQLException e, String prefix) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.ArrayDeque<Throwable> todo = new java.util.ArrayDeque<>(List.of(e));
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (!seen.add(t)) continue;
            if (t instanceof SQLException se) {
                if (se.getSQLState() != null && se.getSQLState().startsWith(prefix)) return true;
                if (se.getNextException() != null) todo.push(se.getNextException());
            }
            if (t.getCause() != null) todo.push(t.getCause());
        }
        return false;
    }

    /**
     * SQLSTATE {@code 40P01} deadlock_detected: PostgreSQL rolled back this transaction to break a lock cycle with
     * another one (two stores whose batches lock the same runs in opposite orders).
     */
    @Override
    public boolean isRetryable(SQLException e) {
        return hasState(e, "40P01");
    }

    /**
     * SQLSTATE {@code 55P03} lock_not_available: a statement waited {@code lock_timeout} for a lock another session
     * holds (a run's row, the run-creation lock, or a whole table: a migration's {@code ALTER TABLE}, a
     * {@code VACUUM FULL}, a {@code psql} session in a transaction); the server rolled nothing back by itself, but the
     * transaction is aborted (https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT).
     * Deadlocks are found first ({@code deadlock_timeout}, 1 s by default, is shorter) and are {@link #isRetryable}.
     */
    @Override
    public boolean isLockedByAnother(SQLException e) {
        return hasState(e, "55P03");
    }

    /** Names the schema and how to find the sessions that hold the locks. */
    @Override
    public String lockWaitNotice(String description, long waitedMillis, long boundMillis) {
        return description + " is locked: another session holds a lock the store's writes need (another swarm's "
                + "transaction, a migration, a `psql` session in a transaction; " + lockHolderHint(description) + "). "
                + "Nothing can be recorded meanwhile: writes wait and go on once it is released, for up to " + boundMillis / 1000
                + " s in all (" + (waitedMillis + 500) / 1000 + " s so far); then the write fails: a run stops, and `swarm resume` "
                + "continues it, and another command fails, changing nothing";
    }

    /** The sessions that block others, from {@code pg_blocking_pids} (PostgreSQL 9.6+). */
    @Override
    public String lockHolderHint(String description) {
        return "`SELECT pid, usename, state, query FROM pg_stat_activity WHERE pid IN (SELECT unnest(pg_blocking_pids(pid)) "
                + "FROM pg_stat_activity)` lists them";
    }

    /**
     * The locks are another session's, on rows or tables of the schema: "the database schema ... is no longer locked"
     * would say the schema itself was.
     */
    @Override
    public String lockReleasedNotice(String description, long waitedMillis) {
        return "the other session released the locks the store's writes waited for in " + description + " (after "
                + (waitedMillis + 500) / 1000 + " s); writes go on";
    }

    @Override
    public boolean isCorruption(SQLException e) {
        return isDamage(e) || FOREIGN_SCHEMA.contains(e.getSQLState());
    }

    /**
     * SQLSTATE classes 08 connection exception, 53 insufficient resources (disk full, out of memory, too many
     * connections), 57 operator intervention (shutdown, a {@code statement_timeout}), 58 system error (I/O), 25006
     * read-only transaction (a standby) and 55P03 lock not available (past the store's lock wait) (https://www.postgresql.org/docs/current/errcodes-appendix.html); or no SQLSTATE at all, as pgjdbc reports
     * some I/O failures.
     */
    @Override
    public boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        if (state == null) return e.getCause() instanceof java.io.IOException;
        return state.startsWith("08") || state.startsWith("53") || state.startsWith("57") || state.startsWith("58")
                || state.equals("25006") || state.equals("55P03");
    }

    /** SQLSTATE {@code 53100} disk_full: the server's disk, not this host's. */
    @Override
    public String diskFull(String description, SQLException e) {
        if (!"53100".equals(e.getSQLState())) return null;
        String m = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s*\\R\\s*", " ").strip();
        return "the disk is full: the database server of " + description + " has no room left on the disk that holds its "
                + "data (SQLSTATE 53100: " + m + ")";
    }

    /** SQLSTATE {@code XX001} data_corrupted or {@code XX002} index_corrupted (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
    @Override
    public boolean isDamage(SQLException e) {
        String state = e.getSQLState();
        return "XX001".equals(state) || "XX002".equals(state);
    }
}
