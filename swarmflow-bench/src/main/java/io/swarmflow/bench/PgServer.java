package io.swarmflow.bench;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL server a benchmark runs against ({@code b1.pgUrl}): fresh schemas for the store, dropped afterwards,
 * the server's version and durability settings for the result table, WAL counters around a run
 * ({@code pg_stat_wal}, server-wide) and a sampler of what the store's writer session is waiting for
 * ({@code pg_stat_activity}).
 *
 * @param url a pgjdbc URL, for example {@value #DEFAULT_URL}
 */
record PgServer(String url) {
    /** The development machines' server (DESIGN.md): 127.0.0.1:5432, database {@code test}, trust auth. */
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&connectTimeout=5";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The server at {@code b1.pgUrl}, or at {@link #DEFAULT_URL}. */
    static PgServer fromProperties() {
        return new PgServer(System.getProperty("b1.pgUrl", DEFAULT_URL));
    }

    /** {@link #url} without the value of a {@code password} parameter, for tables and messages. */
    String redactedUrl() {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    /** {@link #url} with {@code ApplicationName} set, so that {@link #sampleWriter} finds the store's sessions. */
    String urlNamed(String applicationName) {
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + applicationName;
    }

    /** A new schema name, {@code swarm_bench_<16 hex digits>}, not created yet (the store creates it). */
    static String newSchema() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "swarm_bench_" + HexFormat.of().formatHex(b);
    }

    Connection connect() throws SQLException {
        try {
            return DriverManager.getConnection(url);
        } catch (SQLException e) {
            throw new SQLException("PostgreSQL at " + redactedUrl() + " cannot be reached (" + e.getMessage() + "); start it "
                    + "(`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or pass -Db1.pgUrl=jdbc:postgresql://...", e);
        }
    }

    /** Drops {@code schema} and everything in it; says so on stderr when it cannot. */
    void drop(String schema) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop the benchmark schema " + schema + " of " + redactedUrl() + ": " + e.getMessage()
                    + "; drop it with `DROP SCHEMA " + schema + " CASCADE`");
        }
    }

    /** The settings that decide what a commit costs and whether it is durable, as {@code name = value (source)}. */
    static final List<String> DURABILITY_SETTINGS = List.of("synchronous_commit", "fsync", "wal_sync_method", "full_page_writes",
            "commit_delay", "synchronous_standby_names", "wal_level", "shared_buffers");

    /** The server's version and {@link #DURABILITY_SETTINGS} as a new session of {@link #url} sees them. */
    String describe() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            StringBuilder out = new StringBuilder();
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                rs.next();
                out.append("PostgreSQL ").append(rs.getString(1)).append(" at ").append(redactedUrl()).append(":");
            }
            try (PreparedStatement p = c.prepareStatement("SELECT name, setting, unit, source FROM pg_settings WHERE name = ?")) {
                for (String name : DURABILITY_SETTINGS) {
                    p.setString(1, name);
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next()) continue;
                        String unit = rs.getString(3) == null ? "" : " × " + rs.getString(3);
                        out.append(' ').append(name).append(" = ").append(rs.getString(2).isEmpty() ? "''" : rs.getString(2))
                                .append(unit).append(" (").append(rs.getString(4)).append("),");
                    }
                }
            }
            out.setLength(out.length() - 1);
            return out.toString();
        }
    }

    /** Server-wide WAL counters ({@code pg_stat_wal}, PostgreSQL 14+): other sessions' writes count too. */
    record Wal(long records, long bytes, long writes, long syncs) {
        Wal minus(Wal o) {
            return new Wal(records - o.records, bytes - o.bytes, writes - o.writes, syncs - o.syncs);
        }
    }

    /** The current {@link Wal} counters, or null when the server has no {@code pg_stat_wal} (before 14). */
    Wal wal() {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT wal_records, wal_bytes, wal_write, wal_sync FROM pg_stat_wal")) {
            rs.next();
            return new Wal(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        } catch (SQLException e) {
            return null;
        }
    }

    /**
     * Rows written to each table of {@code schema} ({@code pg_stat_user_tables}: inserted, updated, of which HOT, and
     * live and dead tuples), once the sessions named {@code applicationName} have ended (a backend hands its counters to
     * the statistics system when it exits); waits up to 10 s for them to end.
     */
    List<String> tableStats(String schema, String applicationName) throws SQLException, InterruptedException {
        try (Connection c = connect()) {
            long deadline = System.nanoTime() + 10_000_000_000L;
            try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
                p.setString(1, applicationName);
                while (true) {
                    try (ResultSet rs = p.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) == 0 || System.nanoTime() > deadline) break;
                    }
                    Thread.sleep(20); // polling the server, with a deadline
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("SELECT pg_stat_clear_snapshot()");
            }
            List<String> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_live_tup, n_dead_tup, "
                    + "pg_total_relation_size(relid) FROM pg_stat_user_tables WHERE schemaname = ? ORDER BY relname")) {
                p.setString(1, schema);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(String.format("%s: %,d inserted, %,d updated (%,d HOT), %,d live, %,d dead, %.1f MB", rs.getString(1),
                                rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getLong(7) / 1e6));
                    }
                }
            }
            return out;
        }
    }

    /**
     * Samples, every {@code intervalMillis} on a connection and platform thread of its own, what the store's writer
     * session (of {@code applicationName}: the one whose last statement was a write) is doing: {@code state} and
     * {@code wait_event_type:wait_event} of {@code pg_stat_activity}. Stop it with {@link Sampler#stop}, which returns
     * the count of samples per kind, most frequent first.
     */
    Sampler sampleWriter(String applicationName, int intervalMillis) throws SQLException {
        return new Sampler(connect(), applicationName, intervalMillis);
    }

    /** See {@link #sampleWriter}. */
    static final class Sampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Map<String, Long> counts = new TreeMap<>();
        private final Thread thread;
        private SQLException failure;

        Sampler(Connection c, String applicationName, int intervalMillis) {
            thread = Thread.ofPlatform().name("b1-pg-sampler").daemon().start(() -> {
                try (c; PreparedStatement p = c.prepareStatement("SELECT state, coalesce(wait_event_type || ':' || wait_event, 'no wait event') "
                        + "FROM pg_stat_activity WHERE application_name = ? AND query ~ '^(BEGIN|INSERT|UPDATE|COMMIT|SET synchronous)'")) {
                    p.setString(1, applicationName);
                    long next = System.nanoTime();
                    while (running.get()) {
                        try (ResultSet rs = p.executeQuery()) {
                            while (rs.next()) counts.merge(rs.getString(1) + " / " + rs.getString(2), 1L, Long::sum);
                        }
                        next += intervalMillis * 1_000_000L;
                        long wait = next - System.nanoTime();
                        if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                        else next = System.nanoTime();
                    }
                } catch (SQLException e) {
                    failure = e;
                }
            });
        }

        /** Stops sampling; the counts per {@code state / wait event}, most frequent first. */
        Map<String, Long> stop() throws InterruptedException, SQLException {
            running.set(false);
            thread.join();
            if (failure != null) throw failure;
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
            sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            Map<String, Long> out = new LinkedHashMap<>();
            for (Map.Entry<String, Long> e : sorted) out.put(e.getKey(), e.getValue());
            return out;
        }
    }
}
