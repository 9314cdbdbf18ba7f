package io.swarmflow.bench;

import io.swarmflow.local.LocalExecutor;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * B2, DAG overhead on real workflows: every WfCommons trace in the bench-data directory replayed as
 * {@code noop} tickets (duration = recorded runtime x scale, in whole milliseconds) on the durable
 * SQLite store, at several concurrencies. Compares the measured makespan (wall time of
 * {@code RunEngine.execute()}) with the lower bound max(critical path, work / concurrency) and with
 * a zero-overhead simulation of the same greedy list scheduler computed in the same run. Each case is
 * also run on the in-memory store right after, to separate the engine's own overhead from the cost
 * of the durable commits.
 *
 * <p>The scale is chosen per trace so that its lower bound at concurrency {@code b2.scaleAt} is
 * {@code targetMillis}. System properties: {@code bench.data} (default: {@code ../shared/bench-data/wfcommons}
 * from the repository root, found by walking up from the working directory), {@code b2.concurrency}
 * (4,16,64), {@code b2.targetMillis} (2000), {@code b2.scaleAt} (16), {@code b2.traces} (comma list of name
 * prefixes; default all), {@code b2.reps} (1).
 */
public final class B2Dag {
    private B2Dag() {}

    public static void main(String[] args) throws Exception {
        Path data = dataDir(args);
        int[] concurrencies = Arrays.stream(System.getProperty("b2.concurrency", "4,16,64").split(","))
                .map(String::strip).mapToInt(Integer::parseInt).toArray();
        long targetMillis = BenchSupport.intProp("b2.targetMillis", 2000);
        int scaleAt = BenchSupport.intProp("b2.scaleAt", 16);
        int reps = BenchSupport.intProp("b2.reps", 1);
        String filter = System.getProperty("b2.traces", "");
        List<Path> files;
        try (Stream<Path> s = Files.list(data)) {
            files = s.filter(p -> p.getFileName().toString().matches(".*\\.json(\\.gz)?"))
                    .filter(p -> filter.isEmpty() || Arrays.stream(filter.split(",")).anyMatch(f -> p.getFileName().toString().startsWith(f)))
                    .sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalStateException("no WfCommons traces (*.json, *.json.gz) in " + data);
        List<WfTrace> traces = new ArrayList<>();
        for (Path f : files) traces.add(WfTrace.read(f));
        traces.sort((a, b) -> Integer.compare(a.size(), b.size()));

        List<String> warnings = new ArrayList<>();
        // warm-up: the largest trace at the middle concurrency, once, not reported
        WfTrace big = traces.getLast();
        run(big, durations(big, scale(big, 500, scaleAt)), concurrencies[concurrencies.length / 2], warnings);

        // fixed cost of a run (claim, plan load, RunStarted, RunFinished durable) measured on a 1-ticket plan of duration 0
        WfTrace one = new WfTrace("one", List.of("one"), new double[]{0}, new int[][]{{}});
        double[] fixedRuns = new double[5];
        for (int r = 0; r < fixedRuns.length; r++) fixedRuns[r] = run(one, new long[]{0}, 1, warnings) / 1e6;
        double fixed = BenchSupport.median(fixedRuns);

        StringBuilder out = new StringBuilder(BenchSupport.header("B2 WfCommons DAGs as noop tickets on durable SQLite ("
                + traces.size() + " traces from " + data + ")"));
        out.append("| trace | tickets | edges | scale (ms per trace-s) | concurrency | critical path (ms) | work / c (ms) | lower bound (ms) "
                + "| simulated (ms) | measured (ms) | measured / lower bound | measured / simulated | overhead per ticket (us) "
                + "| overhead per ticket without the fixed run cost (us) | in-memory store: measured (ms) | in-memory: overhead per ticket (us) "
                + "| energy lower bound (ms) | measured / energy bound |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double worstLb = 0;
        double worstOverhead = 0;
        List<Double> lbRatios = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        List<Double> nets = new ArrayList<>();
        List<Double> memOverheads = new ArrayList<>();
        List<Double> energyRatios = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (WfTrace t : traces) {
            double scale = scale(t, targetMillis, scaleAt);
            long[] d = durations(t, scale);
            long cp = WfTrace.criticalPath(d, t.needs());
            long work = Arrays.stream(d).sum();
            for (int c : concurrencies) {
                double lb = Math.max(cp, (double) work / c);
                long sim = WfTrace.simulate(d, t.needs(), c);
                long energy = WfTrace.energyBound(d, t.needs(), c);
                double[] ms = new double[reps];
                double[] mem = new double[reps];
                for (int r = 0; r < reps; r++) {
                    ms[r] = run(t, d, c, warnings, true) / 1e6;
                    mem[r] = run(t, d, c, warnings, false) / 1e6;
                }
                double m = BenchSupport.median(ms);
                double mm = BenchSupport.median(mem);
                double memOverheadUs = (mm - sim) * 1000.0 / t.size();
                memOverheads.add(memOverheadUs);
                double overheadUs = (m - sim) * 1000.0 / t.size();
                worstLb = Math.max(worstLb, m / lb);
                worstOverhead = Math.max(worstOverhead, overheadUs);
                lbRatios.add(m / lb);
                overheads.add(overheadUs);
                double netUs = (m - sim - fixed) * 1000.0 / t.size();
                nets.add(netUs);
                out.append(String.format(Locale.ROOT, "| %s | %d | %d | %.4f | %d | %d | %.0f | %.0f | %d | %.0f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %d | %.3f |%n",
                        t.name(), t.size(), t.edges(), scale, c, cp, (double) work / c, lb, sim, m, m / lb, m / sim, overheadUs, netUs,
                        mm, memOverheadUs, energy, m / energy));
                energyRatios.add(m / energy);
                if (energy > 1.10 * lb) unreachable.add(t.name() + " at " + c + String.format(Locale.ROOT, " (%.2fx)", energy / lb));
                System.out.printf("  %s c=%d: measured %.0f ms, simulated %d ms, lower bound %.0f ms%n", t.name(), c, m, sim, lb);
            }
        }
        double[] lbs = lbRatios.stream().mapToDouble(Double::doubleValue).toArray();
        double[] ovs = overheads.stream().mapToDouble(Double::doubleValue).toArray();
        out.append(String.format(Locale.ROOT, "%nmeasured / lower bound: median %.3f, worst %.3f (target <= 1.10: %s). "
                        + "Overhead per ticket vs simulation: median %.0f us, worst %.0f us (target < 100 us: %s).%n",
                BenchSupport.median(lbs), worstLb, worstLb <= 1.10 ? "met" : "NOT met in every case",
                BenchSupport.median(ovs), worstOverhead, worstOverhead < 100 ? "met" : "NOT met in every case"));
        out.append(String.format(Locale.ROOT, "Fixed cost of a run (1 ticket of 0 ms: claim, plan load, RunStarted, RunFinished durable): "
                + "median %.1f ms of %d runs; without it the overhead per ticket is median %.0f us, worst %.0f us.%n",
                fixed, fixedRuns.length, BenchSupport.median(nets.stream().mapToDouble(Double::doubleValue).toArray()),
                nets.stream().mapToDouble(Double::doubleValue).max().orElse(0)));
        double[] energies = energyRatios.stream().mapToDouble(Double::doubleValue).toArray();
        out.append(String.format(Locale.ROOT, "Against the energy lower bound (no schedule can beat it): measured median %.3f, worst %.3f; "
                        + "%d of %d cases within 1.10. Cases where even that bound is above 1.10 x max(critical path, work / c), "
                        + "so that no scheduler can meet the target: %s.%n",
                BenchSupport.median(energies), Arrays.stream(energies).max().orElse(0),
                Arrays.stream(energies).filter(x -> x <= 1.10).count(), energies.length,
                unreachable.isEmpty() ? "none" : String.join(", ", unreachable)));
        double[] memOvs = memOverheads.stream().mapToDouble(Double::doubleValue).toArray();
        out.append(String.format(Locale.ROOT, "Same plans on the in-memory store (the engine without durable commits), same run: overhead per ticket "
                        + "median %.0f us, worst %.0f us.%n", BenchSupport.median(memOvs), Arrays.stream(memOvs).max().orElse(0)));
        out.append("Measured = wall time of RunEngine.execute() on a fresh SQLite state directory (claim, plan load, every ticket, "
                + "RunFinished durable), median of " + reps + "; simulated = same greedy list scheduler (longest path of work first, then plan order, among ready "
                + "tickets, same concurrency) with zero overhead on the same millisecond durations. Scale per trace: lower bound "
                + "at concurrency " + scaleAt + " = " + targetMillis + " ms.\n");
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    /** Milliseconds of benchmark per second of trace runtime, so that the lower bound at {@code c} is {@code targetMillis}. */
    static double scale(WfTrace t, long targetMillis, int c) {
        long[] micro = new long[t.size()];
        for (int i = 0; i < micro.length; i++) micro[i] = Math.round(t.seconds()[i] * 1e6);
        double cpSeconds = WfTrace.criticalPath(micro, t.needs()) / 1e6;
        double workSeconds = Arrays.stream(t.seconds()).sum();
        return targetMillis / Math.max(cpSeconds, workSeconds / c);
    }

    static long[] durations(WfTrace t, double scale) {
        long[] d = new long[t.size()];
        for (int i = 0; i < d.length; i++) d[i] = Math.round(t.seconds()[i] * scale);
        return d;
    }

    static long run(WfTrace t, long[] durations, int concurrency, List<String> warnings) throws Exception {
        return run(t, durations, concurrency, warnings, true);
    }

    /** One run of the trace on SQLite ({@code durable}) or on the in-memory store; nanoseconds of RunEngine.execute(). */
    static long run(WfTrace t, long[] durations, int concurrency, List<String> warnings, boolean durable) throws Exception {
        Path dir = BenchSupport.tempDir("b2-");
        try (RunStore store = durable ? SqlRunStore.openSqlite(dir) : new InMemoryRunStore();
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            List<PlannedTicket> tickets = new ArrayList<>(t.size());
            List<String> ids = new ArrayList<>(t.size());
            for (int i = 0; i < t.size(); i++) {
                String id = String.format("t%05d", i); // ticket ids: [a-z0-9][a-z0-9-_]{0,62}; plan order = topological order
                ids.add(id);
                List<String> needs = new ArrayList<>(t.needs()[i].length);
                for (int p : t.needs()[i]) needs.add(ids.get(p));
                tickets.add(BenchSupport.ticket(id, needs, "noop", "", durations[i]));
            }
            Map<String, AgentProfile> agents = Map.of("noop", BenchSupport.profile("noop", "noop", SandboxPolicy.OFF));
            Plan plan = BenchSupport.plan("b2-" + t.name(), concurrency, agents, tickets, dir);
            return BenchSupport.runPlan(store, executor, plan, dir).executeNanos();
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    static Path dataDir(String[] args) {
        if (args.length > 0) return Path.of(args[0]);
        String prop = System.getProperty("bench.data");
        if (prop != null) return Path.of(prop);
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("mvnw")) && Files.isDirectory(d.resolve("swarmflow-core"))) {
                return d.resolve("../shared/bench-data/wfcommons").normalize();
            }
        }
        throw new IllegalStateException("cannot find the repository root; pass the WfCommons directory as the first argument or -Dbench.data=DIR");
    }
}
