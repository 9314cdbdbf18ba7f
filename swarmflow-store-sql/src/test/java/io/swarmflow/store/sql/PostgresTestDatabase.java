package io.swarmflow.store.sql;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * The PostgreSQL server the tests use: {@code SWARM_TEST_POSTGRES_URL}, by default the development machines' one
 * (127.0.0.1:5432, database {@code test}, user {@code postgres}, trust auth; DESIGN.md). Each test works in a schema
 * of its own with a random name, dropped afterwards, so runs in parallel or on a shared server never collide.
 *
 * <p>When the server cannot be reached the tests are skipped, saying why; under {@code CI=true} they fail instead,
 * so CI cannot pass without running them ({@code .ci/run} starts the server).
 */
final class PostgresTestDatabase {
    static final String URL = System.getenv().getOrDefault("SWARM_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=5");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static volatile String unreachable;
    private static volatile boolean checked;

    private PostgresTestDatabase() {}

    /** Skips the calling test (fails it under {@code CI=true}) when the server cannot be reached. */
    static void assumeReachable() {
        if (!checked) {
            synchronized (PostgresTestDatabase.class) {
                if (!checked) {
                    try (Connection c = DriverManager.getConnection(URL)) {
                        unreachable = c.isValid(5) ? null : "PostgreSQL at " + SqlRunStore.redact(URL) + " does not answer";
                    } catch (SQLException e) {
                        unreachable = "PostgreSQL at " + SqlRunStore.redact(URL) + " cannot be reached (" + e.getMessage()
                                + "); start it (`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) "
                                + "or set SWARM_TEST_POSTGRES_URL";
                    }
                    checked = true;
                }
            }
        }
        if (unreachable == null) return;
        if ("true".equals(System.getenv("CI"))) Assertions.fail(unreachable + "; under CI=true these tests must run");
        Assumptions.abort(unreachable);
    }

    /** A new schema name, {@code swarm_test_<16 hex digits>}, not created yet (the store creates it). */
    static String newSchema() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "swarm_test_" + HexFormat.of().formatHex(b);
    }

    /** Runs {@code sql} on a connection of its own whose search path is {@code schema}. */
    static void execute(String schema, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            for (String q : sql) s.execute(q);
        }
    }

    /** Drops {@code schema} and everything in it, if it exists. */
    static void drop(String schema) {
        if (schema == null || unreachable != null) return;
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop the test schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
