package io.swarmflow.cli.view;

import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Plain-text tables for {@code status}, {@code runs} and the end-of-run summary. */
public final class Tables {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private Tables() {}

    /**
     * Characters of a run's name the terminal views show (`swarm runs`, the run's line of `swarm status`, `swarm status RUN
     * TICKET`, `swarm validate`): a spec's {@code name} has no length limit, and one of 340,000 characters made every row of
     * `swarm runs` that wide. {@code --json}, report.json and report.html have the name whole.
     */
    public static final int NAME_CHARS = 60;

    /** {@code name} cut to {@link #NAME_CHARS} characters with an ellipsis ({@link Printable#shorten}); not yet escaped. */
    public static String name(String name) {
        return Printable.shorten(name, NAME_CHARS);
    }

    public static String time(long epochMillis) {
        return epochMillis == 0 ? "-" : WHEN.format(Instant.ofEpochMilli(epochMillis));
    }

    /** Left-aligned columns separated by two spaces; the last column is not padded. */
    public static void print(PrintStream out, List<String> header, List<List<String>> rows) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) w[i] = header.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < w.length; i++) w[i] = Math.max(w[i], Printable.of(r.get(i)).length());
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        for (List<String> r : rows) all.add(r.stream().map(Printable::of).toList());
        StringBuilder sb = new StringBuilder();
        for (List<String> r : all) {
            for (int i = 0; i < w.length; i++) {
                String cell = r.get(i);
                sb.append(cell);
                if (i < w.length - 1) sb.append(" ".repeat(w[i] - cell.length() + 2));
            }
            sb.append('\n');
        }
        out.print(sb);
    }

    /** Counts by state, in lifecycle order, e.g. {@code succeeded 10, failed 1}. */
    public static String counts(List<TicketView> tickets) {
        Map<TicketState, Integer> m = new EnumMap<>(TicketState.class);
        for (TicketView t : tickets) m.merge(t.state(), 1, Integer::sum);
        StringBuilder sb = new StringBuilder();
        m.forEach((s, c) -> sb.append(sb.isEmpty() ? "" : ", ").append(s.label()).append(' ').append(c));
        return sb.toString();
    }

    /** Run header lines. */
    public static void runHeader(PrintStream out, RunView run, List<TicketView> tickets) {
        runHeader(out, run, tickets, 0, null);
    }

    /** Lines of a spec's description that {@code swarm status} shows under the run's first line; it counts the others. */
    static final int DESCRIPTION_LINES = 5;

    /**
     * Run header lines; {@code stoppedAtMillis} is, for a run recorded as running whose coordinator stopped, the time
     * of its last event, else 0: the header then gives the time from the start to that event
     * ({@link Durations#toLastEvent}), which does not grow with the clock, rather than a duration. A stopped run in which
     * no ticket started (it stopped at an approval gate, say) has none: up to its last event it would be a meaningless
     * "0ms"; the header says that no ticket started instead. {@code description} is the spec's (null when it
     * has none), shown under the first line: its first {@link #DESCRIPTION_LINES} lines, control characters visible.
     */
    public static void runHeader(PrintStream out, RunView run, List<TicketView> tickets, long stoppedAtMillis, String description) {
        runHeader(out, run, tickets, stoppedAtMillis, description, RunTimes.NONE);
    }

    /**
     * {@link #runHeader(PrintStream, RunView, List, long, String)} with the run's sessions: a resumed run's duration is
     * then the time it ran over the time from its start ({@link Durations#runningOver}), not a bare time from its start
     * that counts the time it stood stopped. Without them ({@link RunTimes#NONE}), a run never resumed (epoch 1) has its
     * one session from its projection, and a resumed one says that its time from the start counts the stop
     * ({@link Durations#sinceStartResumed}).
     */
    public static void runHeader(PrintStream out, RunView run, List<TicketView> tickets, long stoppedAtMillis, String description,
                                 RunTimes times) {
        runHeader(out, run, tickets, stoppedAtMillis, description, times, System.currentTimeMillis());
    }

    /**
     * A start this long after the creation (epoch milliseconds) is shown in the header: below it, created and started are
     * the same second or nearly, and the duration reads from the creation well enough.
     */
    static final long STARTED_SHOWN_AFTER_MILLIS = 1_000;

    /**
     * {@link #runHeader(PrintStream, RunView, List, long, String, RunTimes)} with {@code nowMillis} (epoch milliseconds)
     * as the present for a run that is running: the duration of a run not finished nor stopped ends there, so that a
     * caller that also prints the ticket table up to the same {@code now} shows no ticket longer than its run. The time
     * line says {@code started} when the run started {@link #STARTED_SHOWN_AFTER_MILLIS} or more after it was created
     * (storing a large plan takes seconds): the duration counts from the start, and created → finished would not match it.
     */
    public static void runHeader(PrintStream out, RunView run, List<TicketView> tickets, long stoppedAtMillis, String description,
                                 RunTimes times, long nowMillis) {
        long end = run.finishedAtMillis() != 0 ? run.finishedAtMillis()
                : stoppedAtMillis != 0 ? stoppedAtMillis : nowMillis;
        String duration = run.startedAtMillis() == 0 ? "" : runDuration(run, times, end);
        out.println("run " + run.runId() + " (" + Printable.of(name(run.name())) + "): " + run.state().label()
                + (stoppedAtMillis != 0 && run.finishedAtMillis() == 0
                ? " (stopped)" + (noneStarted(tickets) ? ", before any ticket started"
                : duration.isEmpty() ? "" : ", " + Durations.toLastEvent(end - run.startedAtMillis()))
                : duration.isEmpty() ? "" : ", " + duration));
        if (description != null) {
            List<String> lines = description.strip().lines().toList();
            for (String line : lines.subList(0, Math.min(lines.size(), DESCRIPTION_LINES))) {
                out.println("  " + Printable.of(Printable.cutReason(line))); // a line of 64 KiB would fill the screen
            }
            if (lines.size() > DESCRIPTION_LINES) {
                out.println("  … (" + (lines.size() - DESCRIPTION_LINES) + " more lines of the description; report.html shows it whole)");
            }
        }
        out.println("  spec " + io.swarmflow.spec.SpecError.printable(run.specPath()) + ", created " + time(run.createdAtMillis())
                + (run.startedAtMillis() != 0 && run.startedAtMillis() - run.createdAtMillis() >= STARTED_SHOWN_AFTER_MILLIS
                ? ", started " + time(run.startedAtMillis()) : "")
                + (run.finishedAtMillis() != 0 ? ", finished " + time(run.finishedAtMillis()) : ""));
        out.println("  tickets: " + tickets.size() + " (" + counts(tickets) + ")");
    }

    /**
     * A started run's duration up to {@code end} (its end, or now) as {@link #runHeader} says it: {@code 20.0s}, or for a
     * resumed run {@code 20.0s running over 1h00m (resumed once)} ({@link Durations#runningOver}), or, when its sessions are
     * not known, {@link Durations#sinceStartResumed}.
     */
    public static String runDuration(RunView run, RunTimes times, long end) {
        RunTimes t = times.known() || run.epoch() > 1 ? times : RunTimes.single(run);
        long span = end - run.startedAtMillis();
        if (!t.known()) return Durations.sinceStartResumed(span);
        if (t.resumes() == 0) return Durations.format(span);
        return Durations.runningOver(t.runningMillis(end), span, t.resumes());
    }

    /** Whether none of {@code tickets} has started an attempt. */
    public static boolean noneStarted(List<TicketView> tickets) {
        return tickets.stream().allMatch(t -> t.attempt() == 0);
    }

    /** The ticket table of {@code status} and of the summary. */
    public static void tickets(PrintStream out, List<TicketView> tickets) {
        tickets(out, tickets, System.currentTimeMillis());
    }

    /** {@link #tickets(PrintStream, List, long, String)} with {@code RUN} for the run's id in the note on cut reasons. */
    public static void tickets(PrintStream out, List<TicketView> tickets, long now) {
        tickets(out, tickets, now, "RUN");
    }

    /**
     * Characters of a reason in the REASON column of the ticket table, narrower than a line's
     * {@link Printable#REASON_CHARS}; a longer one is cut with {@code …} ({@link Printable#shortenReason}: a closing
     * {@code (no retry: ...)} stays after it), and a note under the table says where it is whole.
     */
    public static final int REASON_CELL_CHARS = 100;

    /** Tickets whose cut reasons the note under the ticket table names; it counts the others. */
    static final int CUT_NAMED = 5;

    /**
     * The ticket table; the duration of a ticket that started and has not finished (running, or waiting to retry) ends at
     * {@code now}: the run's end for a run that ended, the time of the run's last event when its coordinator stopped, else
     * the current time (as report.json measures it). A reason longer than {@link #REASON_CELL_CHARS} is cut, and a line
     * under the table names the ticket and the {@code swarm status RUN TICKET} (of run {@code runId}) that shows it whole.
     */
    public static void tickets(PrintStream out, List<TicketView> tickets, long now, String runId) {
        tickets(out, tickets, now, runId, false);
    }

    /**
     * {@link #tickets(PrintStream, List, long, String)}; {@code stopped}: the run's coordinator stopped and {@code now} is
     * the time of its last event, so the duration of a ticket that had not finished is only up to that event, not how
     * long it ran: its cell says so ({@link Durations#lastEventCell}, explained under the table).
     */
    public static void tickets(PrintStream out, List<TicketView> tickets, long now, String runId, boolean stopped) {
        tickets(out, tickets, now, runId, stopped, RunTimes.NONE);
    }

    /**
     * {@link #tickets(PrintStream, List, long, String, boolean)} with the run's sessions: a ticket the run's stop and resume
     * cut in two (cancelled mid-attempt, run again after the resume) has the time it spent while the run was executed,
     * over its span ({@link RunTimes#spanCell}, explained under the table), not a bare span that counts the stop.
     */
    public static void tickets(PrintStream out, List<TicketView> tickets, long now, String runId, boolean stopped, RunTimes times) {
        tickets(out, tickets, now, runId, stopped, times, Retries.NONE);
    }

    /**
     * When a ticket waiting to retry retries, as the REASON cell of the ticket table says it before the reason:
     * {@code retry 2 of 3 at 2026-12-07 03:13:02} while a coordinator executes the run, else {@code retry 2 of 3 when the
     * run is resumed} (a stopped or cancelled run retries nothing until {@code swarm resume}); the same as
     * {@code swarm status RUN TICKET} and the live view say it.
     *
     * @param policies  each ticket's retry policy, by ticket id, from the run's plan ({@code of 3} is left out for a
     *                  ticket without one)
     * @param executing a coordinator executes the run now
     */
    public record Retries(Map<String, io.swarmflow.spec.RetryPolicy> policies, boolean executing) {
        /** No retry time in the table: the tables of the tests that do not show one. */
        public static final Retries NONE = new Retries(null, false);

        /** The start of the REASON cell of {@code t}: when it retries and a separator, or "" when it is not waiting to retry. */
        String cellPrefix(TicketView t) {
            if (policies == null || t.state() != TicketState.RETRY_WAIT) return "";
            io.swarmflow.spec.RetryPolicy policy = policies.get(t.ticketId());
            int retry = t.failures(); // as the live view counts retries: a lost attempt (lease expired) consumes none
            String which = "retry " + retry + (policy != null && retry >= 1 && retry <= policy.max() ? " of " + policy.max() : "");
            String when = executing && t.retryAtMillis() != 0 ? " at " + time(t.retryAtMillis())
                    : executing ? "" : " when the run is resumed";
            return which + when + (t.reason() == null ? "" : "; ");
        }
    }

    /**
     * {@link #tickets(PrintStream, List, long, String, boolean, RunTimes)}; the REASON cell of a ticket waiting to retry
     * begins with when it retries ({@link Retries}).
     */
    public static void tickets(PrintStream out, List<TicketView> tickets, long now, String runId, boolean stopped, RunTimes times,
                               Retries retries) {
        List<TicketView> cut = table(out, tickets, now, stopped, times, retries);
        String note = cutNote(cut, runId);
        if (note != null) out.println(note);
        if (stopped && tickets.stream().anyMatch(t -> t.startedAtMillis() != 0 && t.finishedAtMillis() == 0)) {
            out.println(Durations.LAST_EVENT_NOTE);
        }
        if (tickets.stream().anyMatch(t -> t.startedAtMillis() != 0
                && times.stoppedWithin(t.startedAtMillis(), t.finishedAtMillis() != 0 ? t.finishedAtMillis() : now) > 0)) {
            out.println(Durations.TICKET_OVER_NOTE);
        }
    }

    /** Prints the ticket table; returns the tickets whose reasons it cut. */
    private static List<TicketView> table(PrintStream out, List<TicketView> tickets, long now, boolean stopped, RunTimes times,
                                          Retries retries) {
        List<List<String>> rows = new ArrayList<>();
        List<TicketView> cut = new ArrayList<>();
        for (TicketView t : tickets) {
            long end = t.finishedAtMillis() != 0 ? t.finishedAtMillis() : now;
            String duration = t.startedAtMillis() == 0 || end == 0 ? "-"
                    : stopped && t.finishedAtMillis() == 0 ? Durations.lastEventCell(end - t.startedAtMillis())
                    : times.spanCell(t.startedAtMillis(), end);
            String reason = t.reason() == null ? "" : t.reason();
            if (reason.length() > REASON_CELL_CHARS) cut.add(t);
            rows.add(List.of(t.ticketId(), t.state().label(), Integer.toString(t.attempt()), duration,
                    t.exitCode() == null ? "-" : t.exitCode().toString(),
                    retries.cellPrefix(t) + Printable.shortenReason(reason, REASON_CELL_CHARS)));
        }
        print(out, List.of("TICKET", "STATE", "ATTEMPTS", "DURATION", "EXIT", "REASON"), rows);
        return cut;
    }

    /**
     * The line under the ticket table when it cut reasons, as {@link Printable#cutReason(String, String)} says where a
     * cut reason is whole: {@code (build's reason is cut at 100 of its 4512 characters: `swarm status R build` shows it
     * whole)}, or for several {@code (the reasons of a, b and 2 more are cut at 100 characters: `swarm status R TICKET`
     * shows one whole)}; null when none was cut.
     */
    static String cutNote(List<TicketView> cut, String runId) {
        if (cut.isEmpty()) return null;
        if (cut.size() == 1) {
            TicketView t = cut.getFirst();
            return Printable.of("(" + t.ticketId() + "'s reason is cut at " + REASON_CELL_CHARS + " of its " + t.reason().length()
                    + " characters: `swarm status " + runId + " " + t.ticketId() + "` shows it whole)");
        }
        List<String> ids = cut.stream().map(TicketView::ticketId).toList();
        String named = cut.size() <= CUT_NAMED
                ? String.join(", ", ids.subList(0, ids.size() - 1)) + " and " + ids.getLast()
                : String.join(", ", ids.subList(0, CUT_NAMED)) + " and " + (ids.size() - CUT_NAMED) + " more";
        return Printable.of("(the reasons of " + named + " are cut at " + REASON_CELL_CHARS + " characters: `swarm status "
                + runId + " TICKET` shows one whole)");
    }

    /** Rows of the table that {@code swarm run} and {@code swarm resume} print at the end; {@code swarm status} prints all. */
    public static final int SUMMARY_ROWS = 50;

    /**
     * The end-of-run ticket table: every ticket for a run of up to {@link #SUMMARY_ROWS}; else the tickets that did not
     * succeed (up to that many, in plan order), then one line counting the others by state and naming the command that
     * lists them all, as 20,000 rows would bury the failures. Durations as {@link #tickets(PrintStream, List, long)}.
     */
    public static void summary(PrintStream out, List<TicketView> tickets, String runId, long now) {
        summary(out, tickets, runId, now, RunTimes.NONE);
    }

    /**
     * {@link #summary(PrintStream, List, String, long)} with the run's sessions: a ticket its stop and resume cut in two
     * has the time it spent while the run was executed, over its span ({@code 18.0s (over 1h00m)}), as in
     * {@link #tickets(PrintStream, List, long, String, boolean, RunTimes)}.
     */
    public static void summary(PrintStream out, List<TicketView> tickets, String runId, long now, RunTimes times) {
        summary(out, tickets, runId, now, times, Retries.NONE);
    }

    /**
     * {@link #summary(PrintStream, List, String, long, RunTimes)}; the REASON cell of a ticket waiting to retry begins with
     * when it retries ({@link Retries}).
     */
    public static void summary(PrintStream out, List<TicketView> tickets, String runId, long now, RunTimes times, Retries retries) {
        if (tickets.size() <= SUMMARY_ROWS) {
            tickets(out, tickets, now, runId, false, times, retries);
            return;
        }
        List<TicketView> shown = tickets.stream().filter(t -> t.state() != TicketState.SUCCEEDED).limit(SUMMARY_ROWS).toList();
        List<TicketView> cut = shown.isEmpty() ? List.of() : table(out, shown, now, false, times, retries);
        Map<TicketState, Integer> rest = new EnumMap<>(TicketState.class);
        java.util.Set<TicketView> listed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        listed.addAll(shown);
        for (TicketView t : tickets) if (!listed.contains(t)) rest.merge(t.state(), 1, Integer::sum);
        List<String> counts = new ArrayList<>();
        rest.forEach((state, count) -> counts.add(count + " " + state.label()));
        int others = tickets.size() - shown.size();
        out.println((shown.isEmpty() ? "" : "… and ") + others + (shown.isEmpty() ? " tickets" : " more") + ": "
                + String.join(", ", counts) + "; `swarm status " + runId + "` lists every ticket");
        String note = cutNote(cut, runId);
        if (note != null) out.println(note);
        if (shown.stream().anyMatch(t -> t.startedAtMillis() != 0
                && times.stoppedWithin(t.startedAtMillis(), t.finishedAtMillis() != 0 ? t.finishedAtMillis() : now) > 0)) {
            out.println(Durations.TICKET_OVER_NOTE);
        }
    }

    public static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
