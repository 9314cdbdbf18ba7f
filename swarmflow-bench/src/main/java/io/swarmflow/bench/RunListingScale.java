package io.swarmflow.bench;

import io.swarmflow.engine.RunService;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * What {@code swarm runs --limit N [--state S]} and {@code swarm status} (the latest run) read from a state directory of
 * many runs: every run's row, filtered and cut in Java ({@code RunStore.runs()}, the same-run baseline), against the
 * store's limited query ({@code RunStore.newestRuns}, which reads the rows returned and counts the others); and
 * {@code RunService.observeAll()} as it was (every run listed, then a lease query per run: what {@code swarm runs} read
 * before) against {@code observeNewest} and today's {@code observeAll} ({@code RunStore.newestRunsLeased}: the runs and
 * their leases in one query); and a run-id prefix resolved as {@code RunService.resolveRunId} did (every run read, its id
 * tested) against today's ({@code RunStore.runIdsStartingWith}), for a unique prefix, an ambiguous one and one that
 * matches nothing. Each pair is checked to give the same answer before it is timed.
 *
 * <p>On each store of {@code listing.store}, one after the other in the same JVM: one SQLite state directory, or the
 * PostgreSQL store ({@link SqlRunStore#openPostgres}) in a fresh schema of the server at {@code listing.pgUrl}, dropped
 * after it; with {@code listing.runs} runs of one ticket, created concurrently (group commit); every tenth one recorded
 * as failed, the others left created; ids {@code run-000000} on, plus one run {@code unique-run}. Then, rep by rep,
 * alternating which goes first, each pair. ms, median of the reps (min-max), after one warm-up rep; one table a store,
 * its ratios against the same store's baseline only.
 *
 * <p>Then, on SQLite only, a state directory of one run of {@code listing.hugeTickets} tickets (created, none run):
 * {@code swarm runs} against {@code swarm runs --limit} {@code listing.limit}, run in this JVM
 * ({@link io.swarmflow.cli.SwarmCli#execute}), rep by rep alternating which goes first: the listing is one row either
 * way, what differs is how each looks for damaged pages ({@code RunsDamage}: {@code PRAGMA quick_check} of the whole
 * database without a limit, every row of each listed run with one).
 *
 * <p>System properties: {@code listing.runs} (20000), {@code listing.limit} (20), {@code listing.reps} (5),
 * {@code listing.hugeTickets} (100000, 0 leaves the huge run out),
 * {@code listing.store} (comma list of {@code sqlite} and {@code postgres}, {@code sqlite}), {@code listing.pgUrl}
 * (a pgjdbc URL, {@link PgServer#DEFAULT_URL}), {@code bench.tmp}, {@code bench.out}.
 */
public final class RunListingScale {
    private RunListingScale() {}

    public static void main(String[] args) throws Exception {
        int runs = BenchSupport.intProp("listing.runs", 20_000);
        int limit = BenchSupport.intProp("listing.limit", 20);
        int reps = BenchSupport.intProp("listing.reps", 5);
        if (runs < 1 || limit < 1 || reps < 1) throw new IllegalArgumentException("-Dlisting.runs, .limit and .reps must be at least 1");
        EnumSet<BenchStore> stores = BenchStore.parse("listing.store", System.getProperty("listing.store", "sqlite"));
        PgServer pg = stores.contains(BenchStore.POSTGRES) ? new PgServer(System.getProperty("listing.pgUrl", PgServer.DEFAULT_URL)) : null;
        String pgSettings = null;
        if (pg != null) {
            try {
                pgSettings = pg.describe(); // fails at once, saying how, when the server is down
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("-Dlisting.pgUrl=" + pg.redactedUrl() + ": " + e.getMessage()
                        + " (-Dlisting.pgUrl=jdbc:postgresql://... names another server)", e);
            }
        }
        StringBuilder out = new StringBuilder(BenchSupport.header("listing and looking up runs among " + runs + " runs (and "
                + UNIQUE_ID + "): every run read (RunStore.runs) or a lease query per run, against the store's queries "
                + "(RunStore.newestRuns, newestRunsLeased, runIdsStartingWith)"));
        int hugeTickets = BenchSupport.intProp("listing.hugeTickets", 100_000);
        if (hugeTickets > 0) out.append(hugeRun(hugeTickets, limit, reps));
        for (BenchStore kind : stores) {
            Path dir = BenchSupport.tempDir("listing-");
            String schema = kind == BenchStore.POSTGRES ? PgServer.newSchema() : null;
            try (SqlRunStore store = kind == BenchStore.SQLITE ? SqlRunStore.openSqlite(dir) : SqlRunStore.openPostgres(pg.url(), schema)) {
                String where = kind == BenchStore.SQLITE ? "SQLite, one state directory"
                        : pgSettings + "; SqlRunStore.openPostgres in a fresh schema (dropped after it)";
                out.append(measure(store, dir, where, runs, limit, reps));
            } finally {
                if (schema != null) pg.drop(schema);
                BenchSupport.deleteTree(dir);
            }
        }
        BenchSupport.report(out.toString());
    }

    /** {@code swarm runs} and {@code swarm runs --limit limit} of a state directory holding one run of {@code tickets}. */
    private static String hugeRun(int tickets, int limit, int reps) throws Exception {
        Path dir = BenchSupport.tempDir("listing-huge-");
        try {
            try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
                store.createRun(new RunEvent.RunCreated("huge-run", B1Throughput.noopPlan(tickets, 1, dir), "listing.yaml"));
            }
            java.nio.file.Files.createDirectories(dir.resolve("runs").resolve("huge-run"));
            System.out.printf(Locale.ROOT, "one run of %d tickets created%n", tickets);
            java.io.PrintStream discard = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
            String state = "--state-dir=" + dir;
            Supplier<Integer> all = () -> io.swarmflow.cli.SwarmCli.execute(new String[] {"runs", state}, discard, discard) == 0 ? 1 : 0;
            Supplier<Integer> limited = () -> io.swarmflow.cli.SwarmCli.execute(new String[] {"runs", "--limit", Integer.toString(limit), state},
                    discard, discard) == 0 ? 1 : 0;
            double[] a = new double[reps];
            double[] l = new double[reps];
            for (int rep = -1; rep < reps; rep++) {
                boolean allFirst = rep % 2 == 0;
                double first = time(allFirst ? all : limited);
                double second = time(allFirst ? limited : all);
                if (rep < 0) continue;
                a[rep] = allFirst ? first : second;
                l[rep] = allFirst ? second : first;
            }
            return "SQLite, one state directory holding one run of " + tickets + " tickets (created, none run); `swarm runs` "
                    + "in this JVM; ms, median of " + reps + " reps (min-max) after a warm-up rep.\n\n"
                    + "| what | `swarm runs` | `swarm runs --limit " + limit + "` | limit / all |\n|---|---|---|---:|\n"
                    + String.format(Locale.ROOT, "| one run of %d tickets | %s | %s | %.2f |%n%n", tickets, cell(a), cell(l),
                    BenchSupport.median(l) / BenchSupport.median(a));
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** The table of one store, {@code where} it is, filled with {@code runs} runs first; the pairs timed as the class says. */
    private static String measure(SqlRunStore store, Path dir, String where, int runs, int limit, int reps) throws Exception {
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, w -> { }))) {
            fill(store, runs, dir);
            System.out.printf(Locale.ROOT, "%s: %d runs created%n", where, runs);
            RunService service = new RunService(store, executor);
            Set<RunState> failed = EnumSet.of(RunState.FAILED);
            String ambiguous = "run-01234"; // run-012340 to run-012349
            List<String> names = List.of("newest " + limit + " runs", "newest " + limit + " failed runs",
                    "newest " + limit + " runs observed (with leases)", "latest run", "every run observed (with leases)",
                    "run-id prefix, unique (" + UNIQUE_PREFIX + ")", "run-id prefix, ambiguous (" + ambiguous + ", 10 runs)",
                    "run-id prefix, no match (nomatch)");
            List<Supplier<Integer>> before = List.of(
                    () -> count(store.runs(), null, limit),
                    () -> count(store.runs(), failed, limit),
                    () -> observeTheOldWay(store, service).subList(0, limit).size(),
                    () -> store.runs().subList(0, 1).size(),
                    () -> observeTheOldWay(store, service).size(),
                    () -> resolveTheOldWay(store, UNIQUE_PREFIX),
                    () -> resolveTheOldWay(store, ambiguous),
                    () -> resolveTheOldWay(store, "nomatch"));
            List<Supplier<Integer>> after = List.of(
                    () -> store.newestRuns(limit, null).matching(),
                    () -> store.newestRuns(limit, failed).matching(),
                    () -> service.observeNewest(limit, null).matching(),
                    () -> service.latestRun().isPresent() ? 1 : 0,
                    () -> service.observeAll().size(),
                    () -> resolve(service, UNIQUE_PREFIX),
                    () -> resolve(service, ambiguous),
                    () -> resolve(service, "nomatch"));
            for (int k = 0; k < names.size(); k++) {
                if (k >= 3 && !before.get(k).get().equals(after.get(k).get())) { // 0-2 answer different counts
                    throw new IllegalStateException(names.get(k) + ": the old and the new way disagree");
                }
            }
            if (!observeTheOldWay(store, service).equals(service.observeAll())) {
                throw new IllegalStateException("observeAll differs from the old way's observations");
            }
            double[][] b = new double[names.size()][reps];
            double[][] a = new double[names.size()][reps];
            for (int rep = -1; rep < reps; rep++) {
                for (int k = 0; k < names.size(); k++) {
                    boolean beforeFirst = rep % 2 == 0;
                    double first = time(beforeFirst ? before.get(k) : after.get(k));
                    double second = time(beforeFirst ? after.get(k) : before.get(k));
                    if (rep < 0) continue;
                    b[k][rep] = beforeFirst ? first : second;
                    a[k][rep] = beforeFirst ? second : first;
                }
                if (rep >= 0) System.out.printf(Locale.ROOT, "  rep %d done%n", rep + 1);
            }
            StringBuilder out = new StringBuilder(where).append(", every tenth run failed; ms, median of ").append(reps)
                    .append(" reps (min-max) after a warm-up rep.\n\n");
            out.append("| what | before: every run read, or a lease query per run | the store's query | query / before |\n|---|---|---|---:|\n");
            for (int k = 0; k < names.size(); k++) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f |%n", names.get(k), cell(b[k]), cell(a[k]),
                        BenchSupport.median(a[k]) / BenchSupport.median(b[k])));
            }
            return out.append('\n').toString();
        }
    }

    /** The id of the one run whose id starts with {@link #UNIQUE_PREFIX}: every other id starts with {@code run-}. */
    private static final String UNIQUE_ID = "unique-run";
    private static final String UNIQUE_PREFIX = "uniq";

    /**
     * What {@code RunService.observeAll} did before {@code RunStore.newestRunsLeased}: every run listed
     * ({@code newestRuns(Integer.MAX_VALUE, null)}), then one lease query per run (what {@code isExecuting} reads, and its
     * holder), and a run that looks stopped read again.
     */
    private static List<RunService.Observed> observeTheOldWay(SqlRunStore store, RunService service) {
        List<RunService.Observed> out = new ArrayList<>();
        for (RunView listed : store.newestRuns(Integer.MAX_VALUE, null).runs()) {
            io.swarmflow.store.RunLease lease = store.lease(listed.runId()).orElse(null);
            String owner = lease == null ? null : lease.owner();
            boolean leased = owner != null && lease.expiresAtMillis() > store.now() && !io.swarmflow.engine.Owners.isDeadLocalProcess(owner);
            RunService.Observed seen = new RunService.Observed(listed, leased && (listed.state() == RunState.RUNNING
                    || listed.state() == RunState.CREATED), owner);
            if (seen.stopped()) {
                RunView again = store.run(listed.runId()).orElse(listed);
                seen = new RunService.Observed(again, leased && (again.state() == RunState.RUNNING || again.state() == RunState.CREATED), owner);
            }
            out.add(seen);
        }
        return out;
    }

    /**
     * What {@code RunService.resolveRunId} did before {@code RunStore.runIdsStartingWith}: the id itself, else every run
     * read and its id tested; how many ids matched, 1 when none did (the error, still an answer).
     */
    private static int resolveTheOldWay(SqlRunStore store, String given) {
        if (store.run(given).isPresent()) return 1;
        List<String> matches = store.runs().stream().map(RunView::runId).filter(id -> id.startsWith(given)).toList();
        return Math.max(1, matches.size());
    }

    /** {@code RunService.resolveRunId}: how many ids matched (the ambiguous error's count), 1 when one or none did. */
    private static int resolve(RunService service, String given) {
        try {
            service.resolveRunId(given);
            return 1;
        } catch (io.swarmflow.engine.InvalidRequestException e) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("is the start of (\\d+) runs").matcher(e.getMessage());
            return m.find() ? Integer.parseInt(m.group(1)) : 1;
        }
    }

    /** {@code runs} in {@code states} (null: all), cut to {@code limit}, as {@code swarm runs} did: how many matched. */
    private static int count(List<RunView> runs, Set<RunState> states, int limit) {
        List<RunView> matching = runs.stream().filter(r -> states == null || states.contains(r.state())).toList();
        return matching.subList(0, Math.min(limit, matching.size())).isEmpty() ? 0 : matching.size();
    }

    private static double time(Supplier<Integer> work) {
        long t0 = System.nanoTime();
        if (work.get() < 1) throw new IllegalStateException("nothing listed");
        return (System.nanoTime() - t0) / 1e6;
    }

    /** Creates {@code runs} runs of one ticket, 16 at a time (group commit); every tenth one recorded as failed. */
    private static void fill(SqlRunStore store, int runs, Path dir) throws Exception {
        Plan plan = B1Throughput.noopPlan(1, 1, dir);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                String id = String.format(Locale.ROOT, "run-%06d", i);
                boolean fail = i % 10 == 0;
                done.add(pool.submit(() -> {
                    store.createRun(new RunEvent.RunCreated(id, plan, "listing.yaml"));
                    if (fail) {
                        long epoch = store.claimRun(id, "bench:1", 60_000);
                        store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, "bench:1", false),
                                new RunEvent.RunFinished(RunState.FAILED))).join();
                        store.releaseRun(id, epoch);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            store.createRun(new RunEvent.RunCreated(UNIQUE_ID, plan, "listing.yaml"));
        } finally {
            pool.shutdown();
        }
    }

    private static String cell(double[] xs) {
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", BenchSupport.median(xs), BenchSupport.min(xs), BenchSupport.max(xs));
    }
}
