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
 * <p>System properties: {@code b1.tickets} (100000), {@code b1.concurrency} (comma list, 1024),
 * {@code b1.reps} (3), {@code b1.warmup} (tickets of the warm-up runs, 10000), {@code bench.tmp} (where
 * state directories go), {@code bench.out} (results file), {@code b1.only} (sql|mem|raw: profile one kind, no table).
 */
public final class B1Throughput {
    private B1Throughput() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("b1.tickets", 100_000);
        int reps = BenchSupport.intProp("b1.reps", 3);
        int warmup = BenchSupport.intProp("b1.warmup", 10_000);
        String only = System.getProperty("b1.only", "");
        int[] concurrencies = Arrays.stream(System.getProperty("b1.concurrency", "1024").split(","))
                .map(String::strip).mapToInt(Integer::parseInt).toArray();

        List<String> warnings = new ArrayList<>();
        StringBuilder out = new StringBuilder(BenchSupport.header("B1 engine throughput: " + tickets
                + " independent noop tickets (duration 0), median of " + reps));
        out.append("| concurrency | SQLite engine (tickets/s) | in-memory engine (tickets/s) | raw SQLite append, no engine (tickets/s) "
                + "| SQLite / in-memory | SQLite engine / raw append | create run, SQLite (ms) | SQLite engine runs (tickets/s) | target 20,000/s |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
        for (int c : concurrencies) {
            // warm-up: JIT the engine, the projection, JSON and the store on a smaller run of each kind
            for (int w = 0; w < 2; w++) {
                if (only.isEmpty() || only.equals("sql")) sqlEngine(warmup, c, warnings);
                if (only.isEmpty() || only.equals("mem")) memEngine(warmup, c, warnings);
                if (only.isEmpty() || only.equals("raw")) rawAppend(warmup, c);
            }
            if (!only.isEmpty()) { // profiling mode: one kind only, no table
                for (int r = 0; r < reps; r++) {
                    double v = switch (only) {
                        case "sql" -> tickets / (sqlEngine(tickets, c, warnings).executeNanos() / 1e9);
                        case "mem" -> tickets / (memEngine(tickets, c, warnings).executeNanos() / 1e9);
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
            for (int r = 0; r < reps; r++) {
                BenchSupport.Timed t = sqlEngine(tickets, c, warnings);
                sql[r] = tickets / (t.executeNanos() / 1e9);
                create[r] = t.createNanos() / 1e6;
                mem[r] = tickets / (memEngine(tickets, c, warnings).executeNanos() / 1e9);
                raw[r] = tickets / (rawAppend(tickets, c) / 1e9);
                System.out.printf("  c=%d rep %d: sqlite %.0f/s, memory %.0f/s, raw append %.0f/s, create %.0f ms%n",
                        c, r + 1, sql[r], mem[r], raw[r], create[r]);
            }
            double s = BenchSupport.median(sql);
            double m = BenchSupport.median(mem);
            double a = BenchSupport.median(raw);
            StringBuilder runs = new StringBuilder();
            for (double x : sql) runs.append(runs.isEmpty() ? "" : ", ").append(String.format("%,.0f", x));
            out.append(String.format("| %d | %,.0f | %,.0f | %,.0f | %.2f | %.2f | %,.0f | %s | %s |%n", c, s, m, a, s / m, s / a,
                    BenchSupport.median(create), runs, s >= 20_000 ? "met" : "NOT met"));
        }
        out.append("\nTickets/s = tickets / wall time of RunEngine.execute() (claim, RunStarted, every ticket, RunFinished durable); "
                + "creating the run (RunCreated with the plan + ticket rows) is timed separately. Raw append = the same events "
                + "(RunStarted, TicketReady, AttemptStarted, AttemptFinished, TicketSucceeded per ticket, RunFinished) appended "
                + "with SqlRunStore.append in batches of `concurrency` without waiting between them.\n");
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    static Plan noopPlan(int tickets, int concurrency, Path dir) {
        List<PlannedTicket> list = new ArrayList<>(tickets);
        for (int i = 0; i < tickets; i++) list.add(BenchSupport.ticket("t" + i, List.of(), "noop", "", 0));
        Map<String, AgentProfile> agents = Map.of("noop", BenchSupport.profile("noop", "noop", SandboxPolicy.OFF));
        return BenchSupport.plan("b1", concurrency, agents, list, dir);
    }

    static BenchSupport.Timed sqlEngine(int tickets, int concurrency, List<String> warnings) throws Exception {
        Path dir = BenchSupport.tempDir("b1-sql-");
        try (SqlRunStore store = SqlRunStore.openSqlite(dir);
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            return BenchSupport.runPlan(store, executor, noopPlan(tickets, concurrency, dir), dir);
        } finally {
            BenchSupport.deleteTree(dir);
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

    /** The store alone: the events the engine writes for this plan, appended in batches of {@code concurrency}; nanoseconds. */
    static long rawAppend(int tickets, int concurrency) {
        Path dir = BenchSupport.tempDir("b1-raw-");
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
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
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }
}
