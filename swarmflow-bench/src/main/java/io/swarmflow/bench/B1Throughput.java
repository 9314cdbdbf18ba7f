package io.swarmflow.bench;

import io.swarmflow.local.LocalExecutor;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * B1, engine throughput: {@code tickets} independent {@code noop} tickets of duration 0 at each
 * concurrency in {@code concurrency}, on the durable SQLite store (fresh state directory per run),
 * against two baselines measured in the same process: the same plan on {@link InMemoryRunStore}
 * (engine without durability) and a raw {@link SqlRunStore} append of the same events without the
 * engine (store cost, pipelined so group commit batches as much as it can).
 *
 * <p>With {@code postgres} in {@code b1.store}, the same on the PostgreSQL store ({@link SqlRunStore#openPostgres}, a fresh
 * schema per run, dropped after it), against the SQLite engine, the in-memory engine and the raw PostgreSQL append of
 * the same events, all measured rep by rep in the same process; with the server's version and durability settings, and
 * per run the store's write transactions and the server's WAL flushes.
 *
 * <p>System properties: {@code b1.tickets} (100000), {@code b1.concurrency} (comma list, 1024),
 * {@code b1.reps} (3), {@code b1.warmup} (tickets of the warm-up runs, 10000), {@code b1.store} (comma list of
 * {@code sqlite} and {@code postgres}, {@code sqlite}), {@code b1.pgUrl} (a pgjdbc URL, {@link PgServer#DEFAULT_URL}),
 * {@code bench.tmp} (where state directories go), {@code bench.out} (results file), {@code b1.only}
 * (sql|mem|raw|pg|pgraw: profile one kind, no table), {@code b1.pgSample} (with {@code b1.only=pg}: every that many ms,
 * sample what the store's writer session waits for in {@code pg_stat_activity}, and print the rows each table got and
 * the server's WAL over each run).
 */
public final class B1Throughput {
    private B1Throughput() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("b1.tickets", 100_000);
        int reps = BenchSupport.intProp("b1.reps", 3);
        int warmup = BenchSupport.intProp("b1.warmup", 10_000);
        String only = System.getProperty("b1.only", "");
        java.util.EnumSet<BenchStore> stores = BenchStore.parse("b1.store", System.getProperty("b1.store", "sqlite"));
        int[] concurrencies = Arrays.stream(System.getProperty("b1.concurrency", "1024").split(","))
                .map(String::strip).mapToInt(Integer::parseInt).toArray();
        PgServer pg = stores.contains(BenchStore.POSTGRES) || only.startsWith("pg") ? PgServer.fromProperties() : null;
        String pgSettings = pg == null ? null : pg.describe(); // fails at once, saying how, when the server is down

        List<String> warnings = new ArrayList<>();
        StringBuilder out = new StringBuilder(BenchSupport.header("B1 engine throughput: " + tickets
                + " independent noop tickets (duration 0), median of " + reps));
        StringBuilder sqliteTable = new StringBuilder();
        sqliteTable.append("| concurrency | SQLite engine (tickets/s) | in-memory engine (tickets/s) | raw SQLite append, no engine (tickets/s) "
                + "| SQLite / in-memory | SQLite engine / raw append | create run, SQLite (ms) | SQLite engine runs (tickets/s) | target 20,000/s |\n");
        sqliteTable.append("|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        StringBuilder pgTable = new StringBuilder();
        pgTable.append("| concurrency | PostgreSQL engine (tickets/s) | SQLite engine (tickets/s) | in-memory engine (tickets/s) "
                + "| raw PostgreSQL append, no engine (tickets/s) | PostgreSQL / SQLite | PostgreSQL engine / raw PostgreSQL append "
                + "| PostgreSQL / in-memory | create run, PostgreSQL (ms) | PostgreSQL engine runs (tickets/s) "
                + "| raw PostgreSQL append runs (tickets/s) | write transactions per run: PostgreSQL, SQLite | WAL flushes per PostgreSQL run (server-wide) |\n");
        pgTable.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|\n");
        for (int c : concurrencies) {
            // warm-up: JIT the engine, the projection, JSON and the store on a smaller run of each kind
            for (int w = 0; w < 2; w++) {
                if (only.isEmpty() || only.equals("sql")) sqlEngine(warmup, c, warnings);
                if (only.isEmpty() || only.equals("mem")) memEngine(warmup, c, warnings);
                if (only.isEmpty() || only.equals("raw")) rawAppend(warmup, c);
                if (pg != null && (only.isEmpty() || only.equals("pg"))) pgEngine(pg, warmup, c, warnings, 0);
                if (pg != null && (only.isEmpty() || only.equals("pgraw"))) pgRawAppend(pg, warmup, c);
            }
            if (!only.isEmpty()) { // profiling mode: one kind only, no table
                int sample = BenchSupport.intProp("b1.pgSample", 0);
                for (int r = 0; r < reps; r++) {
                    double v = switch (only) {
                        case "sql" -> tickets / (sqlEngine(tickets, c, warnings).executeNanos() / 1e9);
                        case "mem" -> tickets / (memEngine(tickets, c, warnings).executeNanos() / 1e9);
                        case "pg" -> tickets / (pgEngine(pg, tickets, c, warnings, sample).timed().executeNanos() / 1e9);
                        case "pgraw" -> tickets / (pgRawAppend(pg, tickets, c) / 1e9);
                        default -> tickets / (rawAppend(tickets, c) / 1e9);
                    };
                    System.out.printf("  c=%d %s rep %d: %.0f tickets/s%n", c, only, r + 1, v);
                }
                continue;
            }
            double[] sql = new double[reps];
            double[] mem = new double[reps];
            double[] raw = new double[reps];
            double[] create = new double[reps];
            double[] pgs = new double[reps];
            double[] pgRaw = new double[reps];
            double[] pgCreate = new double[reps];
            long[] pgCommits = new long[reps];
            long[] sqlCommits = new long[reps];
            long[] walSyncs = new long[reps];
            for (int r = 0; r < reps; r++) {
                Counted sq = sqlEngineCounted(tickets, c, warnings);
                BenchSupport.Timed t = sq.timed();
                sql[r] = tickets / (t.executeNanos() / 1e9);
                create[r] = t.createNanos() / 1e6;
                sqlCommits[r] = sq.commits();
                if (pg != null) {
                    Counted p = pgEngine(pg, tickets, c, warnings, 0);
                    pgs[r] = tickets / (p.timed().executeNanos() / 1e9);
                    pgCreate[r] = p.timed().createNanos() / 1e6;
                    pgCommits[r] = p.commits();
                    walSyncs[r] = p.walSyncs();
                }
                mem[r] = tickets / (memEngine(tickets, c, warnings).executeNanos() / 1e9);
                raw[r] = tickets / (rawAppend(tickets, c) / 1e9);
                if (pg != null) pgRaw[r] = tickets / (pgRawAppend(pg, tickets, c) / 1e9);
                System.out.printf("  c=%d rep %d: sqlite %.0f/s, memory %.0f/s, raw append %.0f/s, create %.0f ms%s%n",
                        c, r + 1, sql[r], mem[r], raw[r], create[r], pg == null ? "" : String.format(
                                "; postgres %.0f/s, raw postgres append %.0f/s, create %.0f ms, %d transactions (sqlite %d), %d WAL flushes",
                                pgs[r], pgRaw[r], pgCreate[r], pgCommits[r], sqlCommits[r], walSyncs[r]));
            }
            double s = BenchSupport.median(sql);
            double m = BenchSupport.median(mem);
            double a = BenchSupport.median(raw);
            sqliteTable.append(String.format("| %d | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %,.0f | %s | %s |%n", c, s, m, a, s / m, s / a,
                    BenchSupport.median(create), list(sql), s >= 20_000 ? "met" : "NOT met"));
            if (pg != null) {
                double p = BenchSupport.median(pgs);
                double pa = BenchSupport.median(pgRaw);
                pgTable.append(String.format("| %d | %,.0f | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %.3f | %,.0f | %s | %s | %s | %s |%n",
                        c, p, s, m, pa, p / s, p / pa, p / m, BenchSupport.median(pgCreate), list(pgs), list(pgRaw),
                        listPairs(pgCommits, sqlCommits), walSyncs[0] < 0 ? "n/a" : listLongs(walSyncs)));
            }
        }
        if (only.isEmpty()) {
            if (stores.contains(BenchStore.SQLITE)) {
                out.append(sqliteTable);
                out.append("\nTickets/s = tickets / wall time of RunEngine.execute() (claim, RunStarted, every ticket, RunFinished durable); "
                        + "creating the run (RunCreated with the plan + ticket rows) is timed separately. Raw append = the same events "
                        + "(RunStarted, TicketReady, AttemptStarted, AttemptFinished, TicketSucceeded per ticket, RunFinished) appended "
                        + "with SqlRunStore.append in batches of `concurrency` without waiting between them.\n");
            }
            if (pg != null) {
                out.append(stores.contains(BenchStore.SQLITE) ? "\n" : "").append(pgSettings).append("; the store's writer session sets "
                        + "synchronous_commit = on (PostgresDialect.configure), so each commit waits for its WAL flush.\n\n");
                out.append(pgTable);
                out.append("\nPostgreSQL: the same plan on SqlRunStore.openPostgres in a fresh schema per run (dropped after it), run rep by "
                        + "rep with the SQLite engine, in-memory engine, raw SQLite append and raw PostgreSQL append (the same events, "
                        + "appended in batches of `concurrency` without waiting). Write transactions = the store's commitCounts "
                        + "(create, claim and execute); WAL flushes = pg_stat_wal.wal_sync over the run (create and execute), "
                        + "counting every session of the server.\n");
            }
        }
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    private static String list(double[] xs) {
        StringBuilder runs = new StringBuilder();
        for (double x : xs) runs.append(runs.isEmpty() ? "" : ", ").append(String.format("%,.0f", x));
        return runs.toString();
    }

    private static String listLongs(long[] xs) {
        StringBuilder runs = new StringBuilder();
        for (long x : xs) runs.append(runs.isEmpty() ? "" : ", ").append(String.format("%,d", x));
        return runs.toString();
    }

    private static String listPairs(long[] xs, long[] ys) {
        StringBuilder runs = new StringBuilder();
        for (int i = 0; i < xs.length; i++) runs.append(runs.isEmpty() ? "" : ", ").append(String.format("%,d / %,d", xs[i], ys[i]));
        return runs.toString();
    }

    /** An engine run with the store's write transactions ({@link SqlRunStore#commitCounts}) and the server's WAL flushes (-1: unknown). */
    record Counted(BenchSupport.Timed timed, long commits, long walSyncs) {}

    static Plan noopPlan(int tickets, int concurrency, Path dir) {
        List<PlannedTicket> list = new ArrayList<>(tickets);
        for (int i = 0; i < tickets; i++) list.add(BenchSupport.ticket("t" + i, List.of(), "noop", "", 0));
        Map<String, AgentProfile> agents = Map.of("noop", BenchSupport.profile("noop", "noop", SandboxPolicy.OFF));
        return BenchSupport.plan("b1", concurrency, agents, list, dir);
    }

    static BenchSupport.Timed sqlEngine(int tickets, int concurrency, List<String> warnings) throws Exception {
        return sqlEngineCounted(tickets, concurrency, warnings).timed();
    }

    static Counted sqlEngineCounted(int tickets, int concurrency, List<String> warnings) throws Exception {
        Path dir = BenchSupport.tempDir("b1-sql-");
        try (SqlRunStore store = SqlRunStore.openSqlite(dir);
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            BenchSupport.Timed t = BenchSupport.runPlan(store, executor, noopPlan(tickets, concurrency, dir), dir);
            SqlRunStore.CommitCounts n = store.commitCounts();
            return new Counted(t, n.synced() + n.unsynced(), -1);
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /**
     * The engine on the PostgreSQL store in a fresh schema, dropped after the run; with {@code sampleMillis} &gt; 0,
     * prints what the writer session waited for ({@link PgServer#sampleWriter}).
     */
    static Counted pgEngine(PgServer pg, int tickets, int concurrency, List<String> warnings, int sampleMillis) throws Exception {
        Path dir = BenchSupport.tempDir("b1-pg-");
        String schema = PgServer.newSchema();
        try (SqlRunStore store = SqlRunStore.openPostgres(pg.urlNamed(schema), schema);
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            PgServer.Sampler sampler = sampleMillis > 0 ? pg.sampleWriter(schema, sampleMillis) : null;
            PgServer.Wal before = pg.wal();
            BenchSupport.Timed t = BenchSupport.runPlan(store, executor, noopPlan(tickets, concurrency, dir), dir);
            PgServer.Wal after = pg.wal();
            if (sampler != null) {
                Map<String, Long> counts = sampler.stop();
                long all = counts.values().stream().mapToLong(Long::longValue).sum();
                System.out.printf("  writer session, %d samples every %d ms (state / wait event):%n", all, sampleMillis);
                counts.forEach((k, v) -> System.out.printf("    %5.1f%%  %s%n", 100.0 * v / all, k));
            }
            SqlRunStore.CommitCounts n = store.commitCounts();
            if (sampler != null && before != null) {
                PgServer.Wal d = after.minus(before);
                System.out.printf("  %d transactions; server-wide WAL over the run: %d records, %.1f MB, %d writes, %d flushes%n",
                        n.synced() + n.unsynced(), d.records(), d.bytes() / 1e6, d.writes(), d.syncs());
            }
            return new Counted(t, n.synced() + n.unsynced(), before == null || after == null ? -1 : after.syncs() - before.syncs());
        } finally {
            try {
                if (sampleMillis > 0) {
                    for (String line : pg.tableStats(schema, schema)) System.out.println("  " + line);
                }
            } finally {
                pg.drop(schema);
                BenchSupport.deleteTree(dir);
            }
        }
    }

    static BenchSupport.Timed memEngine(int tickets, int concurrency, List<String> warnings) throws Exception {
        Path dir = BenchSupport.tempDir("b1-mem-");
        try (RunStore store = new InMemoryRunStore();
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            return BenchSupport.runPlan(store, executor, noopPlan(tickets, concurrency, dir), dir);
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** The SQLite store alone: the events the engine writes for this plan, appended in batches of {@code concurrency}; nanoseconds. */
    static long rawAppend(int tickets, int concurrency) {
        Path dir = BenchSupport.tempDir("b1-raw-");
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            return rawAppend(store, tickets, concurrency, dir);
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** {@link #rawAppend(int, int)} on the PostgreSQL store, in a fresh schema dropped afterwards; nanoseconds. */
    static long pgRawAppend(PgServer pg, int tickets, int concurrency) {
        Path dir = BenchSupport.tempDir("b1-pgraw-");
        String schema = PgServer.newSchema();
        try (SqlRunStore store = SqlRunStore.openPostgres(pg.urlNamed(schema), schema)) {
            return rawAppend(store, tickets, concurrency, dir);
        } finally {
            pg.drop(schema);
            BenchSupport.deleteTree(dir);
        }
    }

    /** The events the engine writes for a plan of {@code tickets}, appended to {@code store} in batches of {@code concurrency}; nanoseconds. */
    private static long rawAppend(SqlRunStore store, int tickets, int concurrency, Path dir) {
        String runId = "raw-" + System.nanoTime();
        store.createRun(new RunEvent.RunCreated(runId, noopPlan(tickets, concurrency, dir), "bench"));
        long start = System.nanoTime();
        long epoch = store.claimRun(runId, "bench:" + ProcessHandle.current().pid(), 15_000);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        List<RunEvent> first = new ArrayList<>(tickets + 1);
        first.add(new RunEvent.RunStarted(epoch, "bench", false));
        for (int i = 0; i < tickets; i++) first.add(new RunEvent.TicketReady("t" + i));
        futures.add(store.append(runId, epoch, first));
        for (int lo = 0; lo < tickets; lo += concurrency) {
            int hi = Math.min(tickets, lo + concurrency);
            List<RunEvent> started = new ArrayList<>(hi - lo);
            List<RunEvent> done = new ArrayList<>(2 * (hi - lo));
            for (int i = lo; i < hi; i++) {
                started.add(new RunEvent.AttemptStarted("t" + i, 1, 15_000));
                done.add(new RunEvent.AttemptFinished("t" + i, 1, Outcome.SUCCEEDED, null, null, Map.of()));
                done.add(new RunEvent.TicketSucceeded("t" + i, 1));
            }
            futures.add(store.append(runId, epoch, started));
            futures.add(store.append(runId, epoch, done));
        }
        futures.add(store.append(runId, epoch, List.of(new RunEvent.RunFinished(io.swarmflow.store.RunState.SUCCEEDED))));
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).join();
        return System.nanoTime() - start;
    }
}
