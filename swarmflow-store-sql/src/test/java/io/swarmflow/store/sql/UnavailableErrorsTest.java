package io.swarmflow.store.sql;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which SQL errors come from the environment (disk, permissions, I/O, connection) and become StoreException.Unavailable. */
class UnavailableErrorsTest {
    @Test
    void sqliteFullIoAndPermissionErrorsAreUnavailableAndConstraintErrorsAreNot() {
        SqliteDialect d = new SqliteDialect();
        assertThat(d.isUnavailable(new SQLiteException("full", SQLiteErrorCode.SQLITE_FULL))).isTrue();
        assertThat(d.isUnavailable(new SQLiteException("io", SQLiteErrorCode.SQLITE_IOERR_WRITE))).isTrue();
        assertThat(d.isUnavailable(new SQLiteException("ro", SQLiteErrorCode.SQLITE_READONLY))).isTrue();
        assertThat(d.isUnavailable(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY))).isTrue();
        assertThat(d.isUnavailable(new SQLiteException("constraint", SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY))).isFalse();
        assertThat(d.isUnavailable(new SQLiteException("error", SQLiteErrorCode.SQLITE_ERROR))).isFalse();
        // a batch's failure carries the SQLite error as its cause
        assertThat(d.isUnavailable(new BatchUpdateException("batch", new int[0], new SQLiteException("full", SQLiteErrorCode.SQLITE_FULL))))
                .isTrue();
        assertThat(d.isUnavailable(new SQLException("plain"))).isFalse();
    }

    @Test
    void postgresConnectionResourceAndSystemErrorsAreUnavailable() {
        PostgresDialect d = new PostgresDialect("swarmflow");
        assertThat(d.isUnavailable(new PSQLException("gone", PSQLState.CONNECTION_FAILURE))).isTrue(); // 08006
        assertThat(d.isUnavailable(new SQLException("disk full", "53100"))).isTrue();
        assertThat(d.isUnavailable(new SQLException("admin shutdown", "57P01"))).isTrue();
        assertThat(d.isUnavailable(new SQLException("io", "58030"))).isTrue();
        assertThat(d.isUnavailable(new SQLException("standby", "25006"))).isTrue();
        assertThat(d.isUnavailable(new SQLException("unique", "23505"))).isFalse();
        assertThat(d.isUnavailable(new SQLException("syntax", "42601"))).isFalse();
    }
}
