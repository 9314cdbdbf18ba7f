package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Creating a run on PostgreSQL: its tickets go in with one {@code COPY} ({@link PostgresDialect#bulkInsert}), in the same
 * transaction as the run's row and first event, so a run is created whole or not at all.
 */
class PostgresRunCreationTest {
    private String schema;

    @BeforeEach
    void newSchema() {
        PostgresTestDatabase.assumeReachable();
        schema = PostgresTestDatabase.newSchema();
    }

    @AfterEach
    void dropSchema() {
        PostgresTestDatabase.drop(schema);
    }

    /** The PostgreSQL dialect, recording the tables and row counts of its bulk inserts. */
    private static Dialect recording(PostgresDialect real, List<String> bulkInserts) {
        return (Dialect) Proxy.newProxyInstance(Dialect.class.getClassLoader(), new Class<?>[]{Dialect.class}, (proxy, method, args) -> {
            try {
                Object result = method.invoke(real, args);
                if (method.getName().equals("bulkInsert")) bulkInserts.add(args[1] + " " + ((List<?>) args[3]).size() + " " + result);
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    private SqlRunStore open(List<String> bulkInserts) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(PostgresTestDatabase.URL);
        return new SqlRunStore(recording(new PostgresDialect(schema), bulkInserts), ds, "schema " + schema, "start a new run");
    }

    @Test
    void aNewRunsTicketsGoInWithOneBulkInsertAndReadBackAsPlanned() {
        List<String> bulkInserts = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = open(bulkInserts)) {
            store.createRun(TestPlans.created("r1", 1_000));
            assertThat(bulkInserts).containsExactly("tickets 1000 true");
            List<TicketView> tickets = store.tickets("r1");
            assertThat(tickets).hasSize(1_000);
            for (int i = 0; i < 1_000; i++) {
                TicketView t = tickets.get(i);
                assertThat(t.ticketId()).isEqualTo("t" + i);
                assertThat(t.index()).isEqualTo(i);
                assertThat(t.runId()).isEqualTo("r1");
            }
            assertThat(store.run("r1").orElseThrow().ticketCount()).isEqualTo(1_000);
        }
        // as another store reads them from the tables
        try (SqlRunStore again = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
            assertThat(again.tickets("r1")).extracting(TicketView::ticketId).startsWith("t0", "t1", "t2").hasSize(1_000);
            assertThat(again.events("r1", 0, 10)).singleElement().satisfies(e -> assertThat(e.event()).isInstanceOf(RunEvent.RunCreated.class));
        }
    }

    /**
     * The bulk insert fails part way (a row in its way: the 501st ticket's key is taken): the whole creation is rolled
     * back, the run's row and first event included, and nothing of it is left; once the row is gone it is created whole.
     */
    @Test
    void aCreationWhoseTicketsFailPartWayLeavesNothingOfTheRun() throws Exception {
        List<String> bulkInserts = new CopyOnWriteArrayList<>();
        try (SqlRunStore store = open(bulkInserts)) {
            store.createRun(TestPlans.created("other", 1));
            PostgresTestDatabase.execute(schema, "INSERT INTO tickets (run_id, ticket_id, idx, state, attempt, failures, lease_expiries, "
                    + "started_at, finished_at, retry_at) VALUES ('r1', 't500', 500, 'stray', 0, 0, 0, 0, 0, 0)");
            assertThatThrownBy(() -> store.createRun(TestPlans.created("r1", 1_000))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("duplicate key").hasMessageContaining("nothing of these writes was recorded");
            assertThat(store.run("r1")).isEmpty();
            assertThat(count("SELECT count(*) FROM runs WHERE run_id = 'r1'")).isZero();
            assertThat(count("SELECT count(*) FROM tickets WHERE run_id = 'r1'")).as("only the stray row").isEqualTo(1);
            assertThat(count("SELECT count(*) FROM event_batches WHERE run_id = 'r1'")).isZero();

            PostgresTestDatabase.execute(schema, "DELETE FROM tickets WHERE run_id = 'r1'");
            store.createRun(TestPlans.created("r1", 1_000));
            assertThat(store.tickets("r1")).hasSize(1_000);
            assertThat(count("SELECT count(*) FROM tickets WHERE run_id = 'r1'")).isEqualTo(1_000);
            assertThat(store.runs()).extracting(r -> r.runId()).containsExactly("r1", "other");
        }
    }

    /**
     * {@link PostgresDialect#bulkInsert} stores each value as given, in COPY's text format: tabs, line ends, backslashes,
     * a line that is COPY's end-of-data marker, the text {@code \N} (not a null), non-ASCII, empty text, nulls, ints and
     * longs at their limits; and its rows go with the transaction (rolled back here, none left).
     */
    @Test
    void aBulkInsertStoresEveryValueAsGivenAndRollsBackWithItsTransaction() throws Exception {
        PostgresTestDatabase.execute("public", "CREATE SCHEMA " + schema, "CREATE TABLE " + schema + ".t (n int4, s text, l int8)");
        List<String> texts = Arrays.asList("tab\there", "line\nbreak", "cr\rlf\r\n", "back\\slash\\", "\\.", "\\N", "\\", "naïve ☃ 日本語 \uD83D\uDE80",
                "", " spaced ", "NULL", null);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) rows.add(new Object[]{i, texts.get(i), i % 2 == 0 ? Long.MAX_VALUE - i : Long.MIN_VALUE + i});
        rows.add(new Object[]{Integer.MIN_VALUE, null, null});
        // more rows than one chunk of COPY text
        for (int i = 0; i < 20_000; i++) rows.add(new Object[]{Integer.MAX_VALUE, "row " + i + "\t\\", (long) i});
        PostgresDialect dialect = new PostgresDialect(schema);
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL)) {
            dialect.configure(c, true);
            c.setAutoCommit(false);
            assertThat(dialect.bulkInsert(c, "t", List.of("n", "s", "l"), rows)).isTrue();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT n, s, l FROM t")) {
                List<Object[]> read = new ArrayList<>();
                while (rs.next()) read.add(new Object[]{rs.getObject(1), rs.getObject(2), rs.getObject(3)});
                assertThat(read).hasSize(rows.size());
                for (int i = 0; i < rows.size(); i++) assertThat(read.get(i)).as("row %d", i).containsExactly(rows.get(i));
            }
            c.rollback();
        }
        assertThat(count("SELECT count(*) FROM t")).isZero();
        assertThatThrownBy(() -> PostgresDialect.appendCopyText(new StringBuilder(), 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Double").hasMessageContaining("expected String, Integer, Long or null");
    }

    /**
     * The writer stores large values (a new run's plan, in its first event row) compressed with lz4 where the server
     * offers it ({@code default_toast_compression}, PostgreSQL 14+ built with lz4), else with the server's default.
     */
    @Test
    void aNewRunsPlanIsStoredCompressedWithLz4WhereTheServerHasIt() throws Exception {
        boolean lz4;
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")) {
            lz4 = rs.next();
        }
        try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
            store.createRun(TestPlans.created("r1", 1_000));
            try (Statement s = store.writerConnectionForTests().createStatement(); ResultSet rs = s.executeQuery("SHOW default_toast_compression")) {
                rs.next();
                if (lz4) assertThat(rs.getString(1)).isEqualTo("lz4");
            }
            try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_column_compression(payload), length(payload) FROM " + schema
                         + ".event_batches WHERE run_id = 'r1'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(2)).as("large enough to be compressed").isGreaterThan(100_000);
                if (lz4) assertThat(rs.getString(1)).isEqualTo("lz4");
                else assertThat(rs.getString(1)).isEqualTo("pglz");
            }
            assertThat(store.plan("r1").tickets()).hasSize(1_000);
        }
    }

    private long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + schema);
            try (ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
