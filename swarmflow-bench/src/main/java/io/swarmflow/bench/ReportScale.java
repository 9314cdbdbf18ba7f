package io.swarmflow.bench;

import io.swarmflow.cli.report.ReportProbe;
import io.swarmflow.cli.report.RunReport;
import io.swarmflow.engine.EngineOptions;
import io.swarmflow.engine.RunListener;
import io.swarmflow.engine.RunService;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The run report of large runs (docs/report.md, "Size and speed"): for each count in {@code report.tickets}, a run of
 * that many {@code noop} tickets (duration 0) in layers ({@code report.layers}, each ticket of a layer needing one to three
 * of the layer before, as {@code DagScaleMeasure}'s plans) is executed on a durable SQLite store in a fresh state
 * directory; then, rep by rep in the same JVM, the report is built from the store as {@code swarm report} builds it:
 *
 * <ul>
 *   <li>baseline: reading the run's projections from the store ({@link RunService#requireRun}, {@link RunService#plan},
 *       {@link RunService#tickets}, {@link RunService#attempts}), what any report needs before it writes a byte;</li>
 *   <li>{@link RunReport#writeAll}: report.json and report.html, the figure the docs quote;</li>
 *   <li>report.json alone ({@link RunReport#writeJson}) and report.html alone ({@link RunReport#writeHtml}) of the same
 *       {@link RunReport}, and the DAG alone when the plan is drawn ticket by ticket;</li>
 *   <li>with {@code report.chromium} (a Chromium binary, such as {@code /usr/bin/chromium}): the wall time of
 *       {@code chromium --headless --dump-dom} on report.html, against the same command on an empty page in the same rep
 *       (browser start), alternating which goes first.</li>
 * </ul>
 *
 * <p>One warm-up rep first, whose {@code writeAll} is given as "first in the JVM" (the counts are measured in the order
 * given, so only the first count's is a cold JVM's). Times in ms, median of the reps (min-max); sizes in MB (10^6 bytes).
 *
 * <p>System properties: {@code report.tickets} (comma list, 400,1000,2000,100000), {@code report.layers} (12; 1 makes
 * the tickets independent), {@code report.reps} (5), {@code report.concurrency} (engine concurrency of the runs, 1024),
 * {@code report.chromium} (path of a Chromium binary; none: not measured), {@code bench.tmp}, {@code bench.out}.
 */
public final class ReportScale {
    private ReportScale() {}

    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        for (String c : System.getProperty("report.tickets", "400,1000,2000,100000").split(",")) counts.add(Integer.parseInt(c.strip()));
        int layers = BenchSupport.intProp("report.layers", 12);
        int reps = BenchSupport.intProp("report.reps", 5);
        int concurrency = BenchSupport.intProp("report.concurrency", 1024);
        String chromium = System.getProperty("report.chromium", "");
        if (reps < 1 || layers < 1) throw new IllegalArgumentException("-Dreport.reps and -Dreport.layers must be at least 1");
        if (!chromium.isEmpty() && !Files.isExecutable(Path.of(chromium))) {
            throw new IllegalArgumentException("-Dreport.chromium=" + chromium + ": not an executable file; give the path of a "
                    + "Chromium binary (such as /usr/bin/chromium), or leave the property out");
        }
        StringBuilder out = new StringBuilder(BenchSupport.header("Run report: time to write it and its size, against reading "
                + "the run from the store"));
        out.append("Layered plans of noop tickets (").append(layers).append(" layers, each ticket needing one to three of the "
                + "layer before), executed on SQLite; ms, median of ").append(reps).append(" reps (min-max) after a warm-up rep; "
                + "MB = 10^6 bytes.\n\n");
        out.append("| tickets | read the run's projections (baseline) | writeAll (report.json + report.html) | writeAll / read "
                + "| report.json alone | report.html alone | the DAG alone | writeAll, first in the JVM | report.html MB "
                + "| report.json MB | the DAG MB |").append(chromium.isEmpty() ? "" : " chromium --dump-dom of report.html "
                + "| of an empty page | report.html / empty page |").append('\n');
        out.append("|---:|---|---|---:|---|---|---|---:|---:|---:|---:|").append(chromium.isEmpty() ? "" : "---|---|---:|").append('\n');
        List<String> warnings = new ArrayList<>();
        for (int n : counts) {
            Path dir = BenchSupport.tempDir("report-scale-");
            try (SqlRunStore store = SqlRunStore.openSqlite(dir);
                 LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
                RunService service = new RunService(store, executor);
                String id = service.create(layeredPlan(n, layers, concurrency, dir), "bench");
                RunState s = service.engine(id, EngineOptions.builder(dir).build(), RunListener.NONE).execute();
                if (s != RunState.SUCCEEDED) throw new IllegalStateException("run " + id + " of " + n + " tickets ended " + s);
                Path runDir = Files.createDirectories(dir.resolve("report"));
                Path blank = Files.writeString(dir.resolve("blank.html"), "<!doctype html><title>blank</title>");
                double[] read = new double[reps], all = new double[reps], json = new double[reps], html = new double[reps],
                        dag = new double[reps], page = new double[reps], empty = new double[reps];
                double first = 0;
                long dagChars = -1;
                for (int r = -1; r < reps; r++) {
                    long t0 = System.nanoTime();
                    RunView run = service.requireRun(id);
                    Plan plan = service.plan(id);
                    List<TicketView> tickets = service.tickets(id);
                    List<AttemptView> attempts = service.attempts(id);
                    long t1 = System.nanoTime();
                    RunReport.writeAll(run, plan, tickets, attempts, runDir);
                    long t2 = System.nanoTime();
                    RunReport report = RunReport.of(run, plan, tickets, attempts, runDir);
                    long t3 = System.nanoTime();
                    report.writeJson(dir.resolve("alone.json"));
                    long t4 = System.nanoTime();
                    report.writeHtml(dir.resolve("alone.html"));
                    long t5 = System.nanoTime();
                    if (n <= ReportProbe.dagMaxTickets()) dagChars = ReportProbe.dag(report).length();
                    long t6 = System.nanoTime();
                    if (tickets.size() != n || attempts.size() != n) {
                        throw new IllegalStateException("read " + tickets.size() + " tickets and " + attempts.size() + " attempts of " + n);
                    }
                    if (r < 0) {
                        first = (t2 - t1) / 1e6;
                        continue;
                    }
                    read[r] = (t1 - t0) / 1e6;
                    all[r] = (t2 - t1) / 1e6;
                    json[r] = (t4 - t3) / 1e6;
                    html[r] = (t5 - t4) / 1e6;
                    dag[r] = (t6 - t5) / 1e6;
                    if (!chromium.isEmpty()) {
                        boolean pageFirst = r % 2 == 0;
                        if (pageFirst) page[r] = dumpDom(chromium, runDir.resolve("report.html"));
                        empty[r] = dumpDom(chromium, blank);
                        if (!pageFirst) page[r] = dumpDom(chromium, runDir.resolve("report.html"));
                    }
                    System.out.printf(Locale.ROOT, "  %d tickets, rep %d: read %.0f ms, writeAll %.0f ms, json %.0f ms, html %.0f ms%s%n",
                            n, r + 1, read[r], all[r], json[r], html[r], chromium.isEmpty() ? ""
                                    : String.format(Locale.ROOT, ", chromium %.0f ms (empty page %.0f ms)", page[r], empty[r]));
                }
                double readM = BenchSupport.median(read);
                double allM = BenchSupport.median(all);
                out.append(String.format(Locale.ROOT, "| %,d | %s | %s | %.1f | %s | %s | %s | %.0f | %.1f | %.1f | %s |", n, cell(read),
                        cell(all), allM / readM, cell(json), cell(html), dagChars < 0 ? "not drawn" : cell(dag), first,
                        Files.size(runDir.resolve("report.html")) / 1e6, Files.size(runDir.resolve("report.json")) / 1e6,
                        dagChars < 0 ? "—" : String.format(Locale.ROOT, "%.1f", dagChars / 1e6)));
                if (!chromium.isEmpty()) {
                    out.append(String.format(Locale.ROOT, " %s | %s | %.1f |", cell(page), cell(empty),
                            BenchSupport.median(page) / BenchSupport.median(empty)));
                }
                out.append('\n');
            } finally {
                BenchSupport.deleteTree(dir);
            }
        }
        out.append("\nread = RunService.requireRun, plan, tickets and attempts of the run on its SQLite store (what `swarm report` "
                + "reads); writeAll = RunReport.writeAll (report.json, then report.html); the DAG alone = DagSvg.render of the "
                + "report's rows (drawn only for plans of at most ").append(ReportProbe.dagMaxTickets())
                .append(" tickets; beyond that, for a plan without matrix tickets, a note replaces it).")
                .append(chromium.isEmpty() ? "" : " chromium = `" + chromium + " --headless --no-sandbox --disable-gpu --dump-dom "
                        + "file://...`, wall time of the process, output discarded.").append('\n');
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    private static String cell(double[] xs) {
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", BenchSupport.median(xs), BenchSupport.min(xs), BenchSupport.max(xs));
    }

    /**
     * {@code tickets} noop tickets in {@code layers} layers, ticket {@code i} in layer {@code i * layers / tickets}, each
     * of a layer after the first needing one to three tickets of the layer before (drawn with {@code new Random(tickets)}).
     */
    static Plan layeredPlan(int tickets, int layers, int concurrency, Path dir) {
        Random rnd = new Random(tickets);
        List<PlannedTicket> list = new ArrayList<>(tickets);
        List<List<String>> byLayer = new ArrayList<>();
        for (int i = 0; i < tickets; i++) {
            int l = Math.min(layers - 1, (int) ((long) i * layers / tickets));
            while (byLayer.size() <= l) byLayer.add(new ArrayList<>());
            String id = String.format(Locale.ROOT, "ticket-%d-%05d", l, i);
            List<String> needs = new ArrayList<>();
            if (l > 0) {
                List<String> prev = byLayer.get(l - 1);
                int k = 1 + rnd.nextInt(3);
                for (int j = 0; j < k; j++) {
                    String d = prev.get(rnd.nextInt(prev.size()));
                    if (!needs.contains(d)) needs.add(d);
                }
            }
            byLayer.get(l).add(id);
            list.add(BenchSupport.ticket(id, needs, "noop", "", 0));
        }
        Map<String, AgentProfile> agents = Map.of("noop", BenchSupport.profile("noop", "noop", SandboxPolicy.OFF));
        return BenchSupport.plan("report-scale", concurrency, agents, list, dir);
    }

    /** Wall time, ms, of {@code chromium --headless --dump-dom} on {@code page}, its output discarded. */
    private static double dumpDom(String chromium, Path page) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                page.toUri().toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(chromium + " did not open " + page + " within 10 minutes");
        }
        if (p.exitValue() != 0) throw new IllegalStateException(chromium + " --dump-dom " + page + " exited with " + p.exitValue());
        return (System.nanoTime() - t0) / 1e6;
    }
}
