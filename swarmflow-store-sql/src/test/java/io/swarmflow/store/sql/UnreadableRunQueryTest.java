package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SqlRunStore#unreadable}, the damage check of each run {@code swarm runs --limit} lists, reads a run's rows inside
 * SQLite: each table searched by the run id ({@code EXPLAIN QUERY PLAN}; run_commands, a few rows, scanned), one row back a table however many rows the
 * run has. It used to fetch every row and column into Java, so that {@code swarm runs --limit 20} of one run of 100,000
 * tickets took 2.6 times as long as {@code swarm runs} (docs/benchmarks.md, RunListingScale).
 */
class UnreadableRunQueryTest {
    private static final int TICKETS = 300;

    @TempDir
    Path dir;

    @Test
    void eachTableOfARunIsSearchedByItsIdAndReadInsideSqliteOneRowBack() throws Exception {
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            store.createRun(TestPlans.created("r1", TICKETS));
            store.createRun(TestPlans.created("r2", 3));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false))).join();
            assertThat(store.unreadable("r1")).isEmpty();
        }
        try (Connection c = SqliteDialect.dataSource(dir.resolve("swarm.db")).getConnection()) {
            for (String table : SqlRunStore.UNREADABLE_TABLES) {
                List<String> columns = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table + " WHERE 0")) {
                    for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) columns.add(r.getMetaData().getColumnName(i));
                }
                String sql = SqlRunStore.unreadableQuery(table, columns);
                StringBuilder plan = new StringBuilder();
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                    ps.setString(1, "r1");
                    try (ResultSet r = ps.executeQuery()) {
                        while (r.next()) plan.append(r.getString(4)).append('\n');
                    }
                }
                if (table.equals("run_commands")) {
                    // approvals, rejections and cancels: few rows, and no index of their run ids but the pending ones'
                    assertThat(plan.toString()).as(table).startsWith("SCAN run_commands");
                } else {
                    assertThat(plan.toString()).as(table).containsPattern("SEARCH " + table + " USING .*\\(run_id=\\?")
                            .doesNotContain("SCAN " + table);
                }
                assertThat(sql).as("every column of %s read", table).contains(columns.stream().map(col -> "\"" + col + "\"").toList());
                int rows = 0;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, "r1");
                    try (ResultSet r = ps.executeQuery()) {
                        while (r.next()) {
                            rows++;
                            if (table.equals("tickets")) assertThat(r.getLong(1)).as("the run's tickets, counted").isEqualTo(TICKETS);
                        }
                    }
                }
                assertThat(rows).as("rows back from %s", table).isEqualTo(1);
            }
        }
    }
}
