package io.swarmflow.bench;

import io.swarmflow.engine.RunService;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.sql.SqlRunStore;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code swarm cancel}'s check for a pending cancel ({@link RunService#cancel}) and the lookup of the command that
 * decided a gate ({@link RunService#decidingCommand}, {@code swarm approve} and {@code swarm reject}) cost on a large
 * resumed run, from the store's time marks against the scan of the run's events that both did before (the same-run
 * baseline: the same store, seen through a view that hides its time marks, as for a run recorded before migration V5).
 *
 * <p>One SQLite state directory with one run of {@code lookup.tickets} {@code noop} tickets: a first coordinator
 * ({@code otherhost:1@1}) started it and a cancel was asked, which it never applied; a second one ({@code otherhost:2@2},
 * which keeps its lease) resumed it and recorded every ticket's attempt (ready, started, finished, succeeded: 4 events a
 * ticket), so the old cancel is older than its start and does not count. Then, rep by rep, alternating which goes first:
 * {@code cancel} (the command's submission itself skipped, so that every rep asks the same) and
 * {@code decidingCommand} of an approval of a ticket no decision reached, after the second start (a scan to the last
 * event), each from the marks and from the events. ms, median of the reps (min-max), after one warm-up rep.
 *
 * <p>System properties: {@code lookup.tickets} (100000), {@code lookup.reps} (5), {@code bench.tmp}, {@code bench.out}.
 */
public final class CommandLookupScale {
    private CommandLookupScale() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("lookup.tickets", 100_000);
        int reps = BenchSupport.intProp("lookup.reps", 5);
        if (tickets < 1 || reps < 1) throw new IllegalArgumentException("-Dlookup.tickets and -Dlookup.reps must be at least 1");
        Path dir = BenchSupport.tempDir("lookup-");
        try (SqlRunStore store = SqlRunStore.openSqlite(dir)) {
            String id = store.createRun(new RunEvent.RunCreated("lookup", B1Throughput.noopPlan(tickets, 1024, dir), "bench")).runId();
            long e1 = store.claimRun(id, "otherhost:1@1", 3_600_000);
            store.append(id, e1, List.of(new RunEvent.RunStarted(e1, "otherhost:1@1", false))).join();
            store.submitCommand(new RunCommand(0, id, RunCommand.Kind.CANCEL, null, "bench", null, 0));
            store.releaseRun(id, e1);
            Thread.sleep(2); // the resume starts after the cancel was asked
            long e2 = store.claimRun(id, "otherhost:2@2", 3_600_000);
            store.append(id, e2, List.of(new RunEvent.RunStarted(e2, "otherhost:2@2", true))).join();
            long afterStart = store.run(id).orElseThrow().lastSeq();
            List<RunEvent> batch = new ArrayList<>();
            for (int i = 0; i < tickets; i++) {
                String t = "t" + i;
                batch.add(new RunEvent.TicketReady(t));
                batch.add(new RunEvent.AttemptStarted(t, 1, 3_600_000));
                batch.add(new RunEvent.AttemptFinished(t, 1, Outcome.SUCCEEDED, 0, null, Map.of(), 0L));
                batch.add(new RunEvent.TicketSucceeded(t, 1));
                if (batch.size() >= 4_096 || i == tickets - 1) {
                    store.append(id, e2, batch).join();
                    batch = new ArrayList<>();
                }
            }
            if (store.timeMarks(id).isEmpty()) throw new IllegalStateException("run " + id + " has no time marks");
            RunService withMarks = new RunService(view(store, true), null);
            RunService withoutMarks = new RunService(view(store, false), null);
            RunCommand approval = new RunCommand(Long.MAX_VALUE, id, RunCommand.Kind.APPROVE, "t0", "bench", null, 0);
            double[][] marks = new double[2][reps];
            double[][] events = new double[2][reps];
            for (int rep = -1; rep < reps; rep++) {
                boolean marksFirst = rep % 2 == 0;
                double[] first = measure(marksFirst ? withMarks : withoutMarks, id, approval, afterStart);
                double[] second = measure(marksFirst ? withoutMarks : withMarks, id, approval, afterStart);
                if (rep < 0) continue;
                double[] m = marksFirst ? first : second, ev = marksFirst ? second : first;
                for (int k = 0; k < 2; k++) {
                    marks[k][rep] = m[k];
                    events[k][rep] = ev[k];
                }
                System.out.printf(Locale.ROOT, "  rep %d: cancel %.2f / %.2f ms, decidingCommand %.2f / %.2f ms (events / marks)%n",
                        rep + 1, ev[0], m[0], ev[1], m[1]);
            }
            StringBuilder out = new StringBuilder(BenchSupport.header("swarm cancel's pending-cancel check and the deciding-command "
                    + "lookup on a resumed run of " + tickets + " noop tickets (" + (afterStart + 4L * tickets) + " events)"));
            out.append("SQLite; ms, median of ").append(reps).append(" reps (min-max) after a warm-up rep.\n\n");
            out.append("| what | from the events (before) | from the time marks | marks / events |\n|---|---|---|---:|\n");
            String[] names = {"`RunService.cancel` (submission skipped)", "`RunService.decidingCommand`, no decision"};
            for (int k = 0; k < 2; k++) {
                out.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f |%n", names[k], cell(events[k]), cell(marks[k]),
                        BenchSupport.median(marks[k]) / BenchSupport.median(events[k])));
            }
            BenchSupport.report(out.toString());
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** {@code cancel} and {@code decidingCommand}, in ms; each checked to give the answer it must. */
    private static double[] measure(RunService service, String id, RunCommand approval, long afterStart) {
        long t0 = System.nanoTime();
        RunCommand c = service.cancel(id, "bench");
        long t1 = System.nanoTime();
        Optional<Long> decided = service.decidingCommand(approval, afterStart);
        long t2 = System.nanoTime();
        if (c.id() != 0) throw new IllegalStateException("the cancel was submitted: " + c);
        if (decided.isPresent()) throw new IllegalStateException("decided by " + decided.get());
        return new double[] {(t1 - t0) / 1e6, (t2 - t1) / 1e6};
    }

    /**
     * {@code store} with {@code submitCommand} returning its argument unrecorded (every rep's cancel asks the same), and,
     * unless {@code withMarks}, without its time marks, as for a run recorded before they were kept.
     */
    private static RunStore view(RunStore store, boolean withMarks) {
        return (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("timeMarks") && !withMarks) return Optional.empty();
                    if (method.getName().equals("submitCommand")) return args[0];
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String cell(double[] xs) {
        return String.format(Locale.ROOT, "%.2f (%.2f-%.2f)", BenchSupport.median(xs), BenchSupport.min(xs), BenchSupport.max(xs));
    }
}
