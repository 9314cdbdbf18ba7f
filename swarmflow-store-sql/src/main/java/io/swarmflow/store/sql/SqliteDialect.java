package io.swarmflow.store.sql;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * SQLite: WAL journal so readers (also in other processes) never block the writer,
 * {@code synchronous=FULL} so a commit is on disk when it returns, a busy timeout instead of
 * immediate {@code SQLITE_BUSY}, and {@code BEGIN IMMEDIATE} so a write transaction takes the
 * write lock at its start rather than failing half-way.
 */
public final class SqliteDialect implements Dialect {
    /** How long a connection waits for another process's lock before failing, in milliseconds. */
    public static final int BUSY_TIMEOUT_MILLIS = 10_000;

    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Flyway's checksums of {@code db/migration/sqlite/V1__init.sql} and {@code V2__event_batches.sql}. A new
     * migration adds its entry here (SqliteMigrationTest says which value Flyway computes); a released one is never
     * edited.
     */
    @Override
    public java.util.Map<Integer, Integer> migrationChecksums() {
        return java.util.Map.of(1, 6780279, 2, -977663919);
    }

    @Override
    public void configure(Connection connection, boolean writer) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
            if (writer) {
                s.execute("PRAGMA journal_mode = WAL");
                s.execute("PRAGMA synchronous = FULL");
                s.execute("PRAGMA cache_size = -131072"); // 128 MiB
                s.execute("PRAGMA temp_store = MEMORY");
                s.execute("PRAGMA wal_autocheckpoint = 16384");
            } else {
                s.execute("PRAGMA query_only = 1");
            }
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

    @Override
    public boolean isCorruption(SQLException e) {
        return isDamage(e) || e instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_ERROR;
    }

    @Override
    public boolean isDamage(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode c = se.getResultCode();
            return c == SQLiteErrorCode.SQLITE_NOTADB || c.name().startsWith("SQLITE_CORRUPT");
        }
        return false;
    }
}
