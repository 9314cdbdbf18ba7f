package io.swarmflow.bench;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.view.RunTimes;
import io.swarmflow.engine.EngineOptions;
import io.swarmflow.engine.RunListener;
import io.swarmflow.engine.RunService;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.sql.SqlRunStore;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code swarm runs} and {@code swarm status RUN} cost for a resumed run against a run of the same size never
 * resumed: a resumed run's sessions (its time running, {@link RunTimes}) used to be read from all of its events, so
 * those commands slowed down in proportion to the run's size.
 *
 * <p>Two SQLite state directories, each with one run of {@code reads.tickets} independent {@code noop} tickets (duration
 * 0) executed by the engine: the baseline run, started once; and the resumed run, whose first coordinator
 * ({@code otherhost:1@1}) started it and was cancelled before any ticket ran, and which the engine then resumed and
 * executed to the end (epoch 2, two sessions). Then, rep by rep in the same JVM and alternating which run goes first:
 * {@code swarm runs} and {@code swarm status RUN} in-process ({@link SwarmCli#execute}, output discarded) in each state
 * directory, and {@link RunTimes#readIfResumed} alone (the sessions those commands compute: a resumed run's from the
 * store, the baseline's from its projection). ms, median of the reps
 * (min-max), after one warm-up rep; the ratio resumed / baseline says what the resume costs.
 *
 * <p>System properties: {@code reads.tickets} (100000), {@code reads.reps} (5), {@code reads.concurrency} (1024),
 * {@code bench.tmp}, {@code bench.out}.
 */
public final class RunTimesScale {
    private RunTimesScale() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("reads.tickets", 100_000);
        int reps = BenchSupport.intProp("reads.reps", 5);
        int concurrency = BenchSupport.intProp("reads.concurrency", 1024);
        if (tickets < 1 || reps < 1) throw new IllegalArgumentException("-Dreads.tickets and -Dreads.reps must be at least 1");
        Path baseDir = BenchSupport.tempDir("reads-base-");
        Path resDir = BenchSupport.tempDir("reads-resumed-");
        try {
            String base = build(baseDir, tickets, concurrency, false);
            String resumed = build(resDir, tickets, concurrency, true);
            PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
            double[][] b = new double[3][reps];
            double[][] r = new double[3][reps];
            for (int rep = -1; rep < reps; rep++) {
                boolean baseFirst = rep % 2 == 0;
                double[] first = measure(baseFirst ? baseDir : resDir, baseFirst ? base : resumed, discard);
                double[] second = measure(baseFirst ? resDir : baseDir, baseFirst ? resumed : base, discard);
                if (rep < 0) continue;
                double[] bs = baseFirst ? first : second, rs = baseFirst ? second : first;
                for (int k = 0; k < 3; k++) {
                    b[k][rep] = bs[k];
                    r[k][rep] = rs[k];
                }
                System.out.printf(Locale.ROOT, "  rep %d: runs %.1f / %.1f ms, status %.1f / %.1f ms, RunTimes.readIfResumed %.1f / %.1f ms (baseline / resumed)%n",
                        rep + 1, bs[0], rs[0], bs[1], rs[1], bs[2], rs[2]);
            }
            StringBuilder out = new StringBuilder(BenchSupport.header("swarm runs and swarm status RUN of a resumed run against "
                    + "a run never resumed, " + tickets + " noop tickets each"));
            out.append("SQLite, one run per state directory; ms, median of ").append(reps).append(" reps (min-max) after a warm-up rep.\n\n");
            out.append("| what | never resumed (baseline) | resumed once | resumed / baseline |\n|---|---|---|---:|\n");
            String[] names = {"`swarm runs`", "`swarm status RUN`", "`RunTimes.readIfResumed`"};
            for (int k = 0; k < 3; k++) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f |%n", names[k], cell(b[k]), cell(r[k]),
                        BenchSupport.median(r[k]) / BenchSupport.median(b[k])));
            }
            BenchSupport.report(out.toString());
        } finally {
            BenchSupport.deleteTree(baseDir);
            BenchSupport.deleteTree(resDir);
        }
    }

    private static String cell(double[] xs) {
        return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", BenchSupport.median(xs), BenchSupport.min(xs), BenchSupport.max(xs));
    }

    /** {@code swarm runs}, {@code swarm status RUN} and {@link RunTimes#readIfResumed} of run {@code id} in {@code stateDir}, in ms. */
    private static double[] measure(Path stateDir, String id, PrintStream discard) {
        String state = "--state-dir=" + stateDir;
        long t0 = System.nanoTime();
        check(SwarmCli.execute(new String[] {"runs", state}, discard, discard), "runs");
        long t1 = System.nanoTime();
        check(SwarmCli.execute(new String[] {"status", id, state}, discard, discard), "status");
        long t2 = System.nanoTime();
        long t3, t4;
        try (SqlRunStore store = SqlRunStore.openSqlite(stateDir)) {
            RunService service = new RunService(store, null);
            t3 = System.nanoTime();
            if (RunTimes.readIfResumed(service, service.requireRun(id)).sessions().isEmpty()) throw new IllegalStateException("run " + id + " has no session");
            t4 = System.nanoTime();
        }
        return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6, (t4 - t3) / 1e6};
    }

    private static void check(int code, String command) {
        if (code != 0) throw new IllegalStateException("swarm " + command + " exited " + code);
    }

    /**
     * A state directory with one run of {@code tickets} noop tickets executed to the end; when {@code resumed}, a first
     * coordinator started it and was cancelled before any ticket ran, and the engine resumed it.
     */
    private static String build(Path dir, int tickets, int concurrency, boolean resumed) throws Exception {
        Files.createDirectories(dir.resolve("runs"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        List<String> warnings = new ArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(dir);
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, warnings::add))) {
            RunService service = new RunService(store, executor);
            String id = service.create(B1Throughput.noopPlan(tickets, concurrency, dir), "bench");
            if (resumed) {
                long first = store.claimRun(id, "otherhost:1@1", 60_000);
                store.append(id, first, List.of(new RunEvent.RunStarted(first, "otherhost:1@1", false),
                        new RunEvent.RunFinished(RunState.CANCELLED))).join();
                store.releaseRun(id, first);
            }
            RunState s = service.engine(id, EngineOptions.builder(dir).build(), RunListener.NONE).execute();
            if (s != RunState.SUCCEEDED) throw new IllegalStateException("run " + id + " of " + tickets + " tickets ended " + s);
            long epoch = service.requireRun(id).epoch();
            if (epoch != (resumed ? 2 : 1)) throw new IllegalStateException("run " + id + " has epoch " + epoch);
            Files.createDirectories(dir.resolve("runs").resolve(id));
            return id;
        }
    }
}
