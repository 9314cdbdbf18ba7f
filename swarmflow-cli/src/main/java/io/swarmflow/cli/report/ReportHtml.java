package io.swarmflow.cli.report;

import io.swarmflow.cli.view.Durations;
import io.swarmflow.cli.view.Printable;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.util.Map;
import java.util.TreeMap;

import static io.swarmflow.cli.report.Html.esc;

/**
 * Renders {@code report.html}: one self-contained file (inline CSS and SVG, no script, no external
 * resource, which its Content-Security-Policy also forbids). Titles, reasons, the run name and the spec's description take their direction
 * from their first strong character ({@code dir="auto"}, {@code <bdi>}), so right-to-left text reads as written. Every piece of text that comes from the spec, the agents or the logs goes through
 * {@link Html#esc}.
 */
final class ReportHtml {
    /** Output values longer than this are folded into a {@code <details>} element. */
    static final int FOLD_OUTPUT_CHARS = 2_000;
    /**
     * One-line output values longer than this (about three lines of the outputs column) show their first three lines,
     * the whole value one click away in a scroll box, so that a long JSON value does not make a tall, narrow row.
     */
    static final int CLAMP_OUTPUT_CHARS = 150;
    /** Characters of a clamped value put in its preview: more than three lines of the column hold. */
    private static final int PREVIEW_CHARS = 400;
    /**
     * Characters of a reason the ticket table and the failures show (about four lines of the reason column), as the
     * terminal's one-line views do ({@link Printable#REASON_CHARS}); the log tail below a failure shows stderr's last line.
     */
    static final int REASON_CHARS = Printable.REASON_CHARS;

    private static final String CSS = """
            :root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--soft:#f8fafc}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#f3f4f6}
            main{max-width:1320px;margin:0 auto;padding:20px}
            header,section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin-bottom:16px}
            h1{font-size:22px;margin:0 12px 0 0;display:inline;vertical-align:middle;word-break:break-all}
            h2{font-size:17px;margin:0 0 12px}
            .description{margin:10px 0 0;white-space:pre-wrap;overflow-wrap:anywhere;max-width:100ch}
            h3{font-size:14px;margin:18px 0 6px;overflow-wrap:anywhere}
            a{color:#1d4ed8;text-decoration:none} a:hover{text-decoration:underline}
            .muted{color:var(--muted)} .small{font-size:12px}
            .meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:6px 24px;margin:14px 0}
            .meta .lbl{display:block;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
            .meta code{word-break:break-all}
            .badge{display:inline-block;padding:1px 9px;border-radius:999px;font-size:12px;font-weight:600;border:1px solid;white-space:nowrap;vertical-align:middle}
            .chips{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0}
            .progress{display:flex;height:8px;border-radius:4px;overflow:hidden;background:var(--line);margin:10px 0 4px}
            .progress span{border:0}
            nav{margin-top:10px;font-size:13px} nav a{margin-right:16px}
            .s-succeeded{background:#dcfce7;color:#166534;border-color:#86efac}
            .s-failed{background:#fee2e2;color:#991b1b;border-color:#fca5a5}
            .s-skipped{background:#f3f4f6;color:#4b5563;border-color:#d1d5db}
            .s-cancelled{background:#e5e7eb;color:#374151;border-color:#9ca3af}
            .s-retry-wait,.s-awaiting-approval{background:#fef3c7;color:#92400e;border-color:#fcd34d}
            .s-running,.s-created{background:#dbeafe;color:#1e40af;border-color:#93c5fd}
            .s-pending,.s-ready{background:#fff;color:#475569;border-color:#cbd5e1}
            .progress .s-succeeded{background:#16a34a} .progress .s-failed{background:#dc2626}
            .progress .s-skipped,.progress .s-cancelled{background:#9ca3af} .progress .s-running{background:#2563eb}
            .progress .s-retry-wait,.progress .s-awaiting-approval{background:#f59e0b} .progress .s-pending,.progress .s-ready{background:#e5e7eb}
            table{border-collapse:collapse;width:100%}
            th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
            td{overflow-wrap:anywhere} td.ticket{min-width:12em}
            @media screen and (max-width:900px){.tablewrap{overflow-x:auto}}
            th{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:#fff;position:sticky;top:0}
            td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.failed td:first-child{box-shadow:inset 3px 0 0 #dc2626}
            tr:target td{background:#fffbeb}
            .tid{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;word-break:break-all}
            .reason{min-width:120px;max-width:320px;overflow-wrap:anywhere}
            pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
            pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:4px 0;overflow:auto;max-height:420px;white-space:pre}
            td pre{max-width:460px;max-height:220px;white-space:pre-wrap;overflow-wrap:anywhere}
            .out{margin-bottom:4px;max-width:360px} .out .k{font-size:11px;color:var(--muted);margin-right:6px}
            .out code{overflow-wrap:anywhere}
            @media screen{td.outputs{min-width:220px}}
            .out summary{cursor:pointer}
            .out .clamp{display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:3;line-clamp:3;overflow:hidden;margin-top:2px}
            .out[open] .clamp{display:none}
            .scroll{overflow:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
            .legend{display:flex;flex-wrap:wrap;gap:14px;font-size:12px;color:var(--muted);margin:0 0 8px}
            .legend i{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-2px}
            svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:12px;fill:#1f2937}
            .dag .edge{fill:none;stroke:#94a3b8;stroke-width:1.3}
            .dag .node rect{stroke-width:1.5}
            .dag .node text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
            .dag .node:hover rect{stroke-width:2.5}
            .n-succeeded rect{fill:#dcfce7;stroke:#16a34a} .n-failed rect{fill:#fee2e2;stroke:#dc2626}
            .n-skipped rect{fill:#f3f4f6;stroke:#9ca3af} .n-cancelled rect{fill:#e5e7eb;stroke:#6b7280}
            .n-retry-wait rect,.n-awaiting-approval rect{fill:#fef3c7;stroke:#d97706}
            .n-running rect{fill:#dbeafe;stroke:#2563eb} .n-pending rect,.n-ready rect{fill:#fff;stroke:#94a3b8;stroke-dasharray:4 3}
            .gantt .stripe{fill:#f8fafc} .gantt .tick{stroke:#e5e7eb} .gantt .baseline{stroke:#9ca3af} .gantt .axis text{fill:#6b7280;font-size:11px}
            .gantt .now{stroke:#2563eb;stroke-dasharray:4 3} .gantt .idle{fill:#4b5563;font-size:11px;font-style:italic}
            .gantt .idle,.gantt .gap text{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
            .gantt .axis-again text{fill:#6b7280;font-size:11px} .gantt .baseline-again{stroke:#9ca3af}
            .gantt .gap rect{fill:#64748b;fill-opacity:.16} .gantt .gap text{fill:#334155;font-size:11px}
            .gantt .label{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:11.5px}
            svg.gantt{display:block;width:100%;min-width:600px} .gantt .plot{width:calc(100% - {gantt-inset}px);overflow:visible} .gantt .plot svg{display:block}
            .b-succeeded{fill:#16a34a} .b-failed{fill:#dc2626} .b-timed-out{fill:#7f1d1d} .b-cancelled{fill:#9ca3af}
            .b-lease-expired{fill:#f59e0b} .b-running{fill:#2563eb} .b-awaiting-approval{fill:#fde68a;stroke:#d97706;stroke-dasharray:3 2}
.dag-all summary{cursor:pointer;margin:8px 0}
            .note{margin:10px 0;padding:8px 12px;border-radius:6px;background:var(--soft);border:1px solid var(--line)}
            .failure{border-top:1px solid var(--line);padding-top:4px} .failure:first-of-type{border-top:0;padding-top:0} .failure:first-of-type h3{margin-top:0}
            footer{color:var(--muted);font-size:12px;text-align:center;padding:4px 0 16px}
            .small,.meta,.failure{overflow-wrap:anywhere}
            @media print{
            body{background:#fff;font-size:11px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
            main{max-width:none;padding:0}
            header,section{border:0;border-radius:0;padding:0;margin:0 0 14px}
            nav{display:none}
            a{color:inherit}
            th{position:static}
            tr,.failure h3,.legend{break-inside:avoid}
            .scroll{overflow:visible;border:0}
            .scroll svg.dag{display:block;max-width:100%;height:auto}
            pre,td pre{white-space:pre-wrap;overflow-wrap:anywhere;overflow:visible;max-height:none;max-width:none}
            .out::details-content{content-visibility:visible;display:block}
            .out .clamp{display:none}
            }
            """.replace("{gantt-inset}", String.valueOf(GanttSvg.LABEL_W + GanttSvg.RIGHT_W));

    /** The progress bar fills from the left as a run goes: done, then under way, then not started. */
    private static final java.util.List<TicketState> PROGRESS_ORDER = java.util.List.of(TicketState.SUCCEEDED,
            TicketState.FAILED, TicketState.SKIPPED, TicketState.CANCELLED, TicketState.RUNNING, TicketState.RETRY_WAIT,
            TicketState.AWAITING_APPROVAL, TicketState.READY, TicketState.PENDING);

    /**
     * Tickets the ticket table and the timeline show at most: a page of 100,000 rows took Chromium two minutes to
     * open. Above it they show those that did not succeed first, then the first that did, and say so; report.json
     * holds every ticket. (The DAG has its own limit, {@link DagSvg#MAX_TICKETS}.)
     */
    static final int MAX_ROWS = 2_000;
    /** Failed tickets shown with their log tail at most; the others are counted, and the ticket table lists them. */
    static final int MAX_FAILURES = 200;
    /**
     * Dependencies a ticket table row names at most (a matrix ticket all of whose expansions it needs counts as one,
     * {@code build ×1000}); the rest are counted. Each row of a test matrix of 1,000 needing a build matrix of 1,000 made
     * the page 39 MB (1M links) and took Chromium 200 s to open. report.json lists every dependency.
     */
    static final int MAX_NEEDS = 20;

    private ReportHtml() {}

    /**
     * The rows the table and the timeline show, in plan order: all of them up to {@link #MAX_ROWS}, else every row
     * that did not succeed (up to that many) and the first rows that did, to that many in all.
     */
    static java.util.List<RunReport.Row> shownRows(RunReport report) {
        java.util.List<RunReport.Row> rows = report.rows();
        if (rows.size() <= MAX_ROWS) return rows;
        boolean[] shown = new boolean[rows.size()];
        int count = 0;
        for (int i = 0; i < rows.size() && count < MAX_ROWS; i++) {
            if (rows.get(i).view().state() != TicketState.SUCCEEDED) {
                shown[i] = true;
                count++;
            }
        }
        for (int i = 0; i < rows.size() && count < MAX_ROWS; i++) {
            if (!shown[i]) {
                shown[i] = true;
                count++;
            }
        }
        java.util.List<RunReport.Row> result = new java.util.ArrayList<>(MAX_ROWS);
        for (int i = 0; i < rows.size(); i++) if (shown[i]) result.add(rows.get(i));
        return result;
    }

    /** The note above a table or timeline that shows {@code shown} of the report's rows, or "" when it shows all. */
    private static String partial(RunReport report, java.util.List<RunReport.Row> shown, String what) {
        int all = report.rows().size();
        if (shown.size() == all) return "";
        long notSucceeded = shown.stream().filter(r -> r.view().state() != TicketState.SUCCEEDED).count();
        return "<p class=\"muted small\">" + what + " " + shown.size() + " of the run's " + all + " tickets: "
                + (notSucceeded == shown.size() ? "the first " + shown.size() + " of those that did not succeed"
                : (notSucceeded == 0 ? "" : "the " + notSucceeded + " that did not succeed and ") + "the first "
                + (shown.size() - notSucceeded) + " that succeeded")
                + ", in plan order. report.json, and <code>swarm status " + esc(report.run().runId()) + "</code>, list every ticket.</p>\n";
    }

    static String render(RunReport report) {
        RunView run = report.run();
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // the page needs nothing but its inline CSS: should text ever escape Html.esc, no script runs and nothing is fetched
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
                .append("<title>").append(esc(run.name())).append(" · ").append(esc(run.runId()))
                .append(" · Swarmflow report</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        header(sb, report);
        java.util.List<RunReport.Row> shown = shownRows(report);
        failures(sb, report);
        dag(sb, report);
        timeline(sb, report, shown);
        tickets(sb, report, shown);
        sb.append("<footer>Generated by Swarmflow at ").append(Html.time(report.generatedAtMillis()))
                .append(" · report.json holds the same data</footer>\n</main>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void header(StringBuilder sb, RunReport report) {
        RunView run = report.run();
        Map<TicketState, Integer> counts = report.counts();
        int total = report.rows().size();
        sb.append("<header>\n<div><h1 dir=\"auto\">").append(esc(run.name())).append("</h1>");
        sb.append("<span class=\"badge s-").append(run.state().label()).append("\" id=\"run-state\">")
                .append(run.state().label()).append("</span>");
        if (report.stoppedAtMillis() > 0 && run.finishedAtMillis() <= 0) {
            // recorded as running, yet no coordinator executes it: "running" alone read as live (`swarm runs` says "(stopped)")
            sb.append(" <span class=\"badge s-cancelled\" id=\"run-stopped\" title=\"" + esc(Durations.COORDINATOR_STOPPED)
                    + "; swarm resume " + esc(run.runId()) + " continues it\">stopped</span>");
        } else if (run.cancelRequested() && run.state() == io.swarmflow.store.RunState.RUNNING) {
            sb.append(" <span class=\"badge s-cancelled\">cancel requested</span>");
        }
        sb.append("</div>\n");
        if (report.description() != null) {
            sb.append("<p class=\"description\" dir=\"auto\">").append(esc(report.description())).append("</p>\n");
        }
        sb.append("<div class=\"meta\">\n");
        meta(sb, "Run", "<code>" + esc(run.runId()) + "</code>");
        meta(sb, "Spec", "<code>" + esc(run.specPath()) + "</code>");
        boolean stopped = report.stoppedAtMillis() > 0 && run.finishedAtMillis() <= 0;
        // up to the last event of a run stopped before any ticket started (at an approval gate, say), a duration is a meaningless 0ms
        boolean noneStarted = report.rows().stream().allMatch(r -> r.view().attempt() == 0);
        Long duration = report.duration(run.startedAtMillis(), run.finishedAtMillis());
        // a stopped run's duration is not known: its coordinator went on, recording nothing, until it was killed
        meta(sb, "Duration", stopped && noneStarted ? "none <span class=\"muted\">(its coordinator stopped before any ticket started)</span>"
                : stopped && duration != null ? "not known <span class=\"muted\">(its coordinator stopped; "
                + esc(io.swarmflow.cli.view.Durations.toLastEvent(Html.duration(duration))) + ")</span>"
                // a resumed run: the time it ran, over the time from its start, as swarm status says it
                : esc(duration == null ? Html.duration(null)
                        : io.swarmflow.cli.view.Tables.runDuration(run, report.times(), run.startedAtMillis() + duration))
                + (run.startedAtMillis() > 0 && run.finishedAtMillis() <= 0 ? " <span class=\"muted\">(so far)</span>" : ""));
        meta(sb, "Created", Html.time(run.createdAtMillis()));
        meta(sb, "Started", run.startedAtMillis() > 0 ? Html.time(run.startedAtMillis()) : "not started");
        boolean cancelled = run.state() == io.swarmflow.store.RunState.CANCELLED;
        meta(sb, cancelled ? "Cancelled" : "Finished", run.finishedAtMillis() > 0 ? Html.time(run.finishedAtMillis())
                : report.stoppedAtMillis() > 0 ? "not finished: " + esc(Durations.COORDINATOR_STOPPED) + ", some time after its last "
                        + "recorded event (" + Html.time(report.stoppedAtMillis()) + "); <code>swarm resume " + esc(run.runId()) + "</code> continues it"
                : "in progress");
        sb.append("</div>\n");
        if (cancelled) {
            // neither a failure nor a success: say what stopped it and how to go on
            long open = report.rows().stream().filter(r -> !r.view().state().isFinal()).count();
            sb.append("<p class=\"note\" id=\"run-note\">Cancelled before it finished: ").append(open)
                    .append(open == 1 ? " ticket was" : " tickets were").append(" stopped or never started. <code>swarm resume ")
                    .append(esc(run.runId())).append("</code> continues the run.</p>\n");
        }
        java.util.List<String> gates = run.state().isFinished() ? java.util.List.of() : report.rows().stream()
                .filter(r -> r.view().state() == TicketState.AWAITING_APPROVAL).map(RunReport.Row::id).toList();
        if (!gates.isEmpty()) {
            // what the run waits for, and the command that lets it go on
            String gate = gates.size() == 1 ? esc(gates.getFirst()) : "TICKET...";
            sb.append("<p class=\"note\" id=\"approval-note\">").append(gates.size() == 1 ? "<code>" + esc(gates.getFirst()) + "</code> awaits"
                            : gates.size() + " tickets await").append(" approval: <code>swarm approve ").append(esc(run.runId())).append(' ')
                    .append(gate).append("</code> approves, <code>swarm reject ").append(esc(run.runId())).append(' ').append(gate)
                    .append(" --reason TEXT</code> rejects").append(stopped || run.state() == io.swarmflow.store.RunState.CANCELLED
                            ? "; <code>swarm resume " + esc(run.runId()) + "</code> then applies the decision" : "").append(".</p>\n");
        }
        if (total > 0) {
            sb.append("<div class=\"progress\" title=\"tickets by state\">");
            for (TicketState state : PROGRESS_ORDER) {
                int count = counts.get(state);
                if (count > 0) {
                    sb.append("<span class=\"s-").append(state.label()).append("\" style=\"flex:").append(count)
                            .append("\" title=\"").append(count).append(' ').append(state.label()).append("\"></span>");
                }
            }
            sb.append("</div>\n");
        }
        sb.append("<div class=\"chips\" id=\"counts\"><span class=\"badge s-pending\">").append(total)
                .append(total == 1 ? " ticket" : " tickets").append("</span>");
        for (Map.Entry<TicketState, Integer> e : counts.entrySet()) {
            if (e.getValue() > 0) {
                sb.append("<span class=\"badge s-").append(e.getKey().label()).append("\">").append(e.getValue())
                        .append(' ').append(e.getKey().label()).append("</span>");
            }
        }
        sb.append("</div>\n<nav><a href=\"#failures\">Failures (").append(report.failures().size())
                .append(")</a><a href=\"#dag\">DAG</a><a href=\"#timeline\">Timeline</a><a href=\"#tickets\">Tickets</a></nav>\n</header>\n");
    }

    private static void meta(StringBuilder sb, String label, String html) {
        sb.append("<div><span class=\"lbl\">").append(label).append("</span>").append(html).append("</div>\n");
    }

    private static void failures(StringBuilder sb, RunReport report) {
        sb.append("<section id=\"failures\">\n<h2>Failures</h2>\n");
        if (report.failures().isEmpty()) {
            sb.append("<p class=\"muted\">No ticket failed.</p>\n</section>\n");
            return;
        }
        Map<String, RunReport.Row> byId = new java.util.HashMap<>();
        for (RunReport.Row r : report.rows()) byId.putIfAbsent(r.id(), r);
        int total = report.failures().size();
        if (total > MAX_FAILURES) {
            sb.append("<p class=\"muted small\">").append(total).append(" tickets failed; the first ").append(MAX_FAILURES)
                    .append(" are shown with their log tail. The ticket table lists the others, report.json has every tail.</p>\n");
        }
        for (RunReport.Failure f : report.failures().subList(0, Math.min(total, MAX_FAILURES))) {
            RunReport.Row row = byId.get(f.ticketId());
            TicketView v = row.view();
            sb.append("<div class=\"failure\" id=\"f-").append(esc(f.ticketId())).append("\">\n<h3><a class=\"tid\" href=\"#t-")
                    .append(esc(f.ticketId())).append("\">").append(esc(f.ticketId())).append("</a>");
            // a title left to its default is the id, already shown
            if (row.title() != null && !row.title().isEmpty() && !row.title().equals(f.ticketId())) sb.append(" — ").append(reason(row.title(), true));
            sb.append("</h3>\n<div class=\"small\">");
            sb.append(f.attempt() > 0 ? "attempt " + f.attempt() : "no attempt");
            if (v.exitCode() != null) sb.append(" · exit code ").append(v.exitCode());
            if (v.reason() != null) sb.append(" · ").append(reason(v.reason(), true));
            sb.append("</div>\n");
            if (f.tail().isEmpty()) {
                // a ticket that never ran (a rejected gate) has no attempt whose log could be empty
                if (f.attempt() > 0) sb.append("<p class=\"muted small\">No log output captured for this attempt.</p>\n");
            } else {
                logTail(sb, f.logFile(), f.tail());
                if (f.stdoutFile() != null) logTail(sb, f.stdoutFile(), f.stdoutTail());
            }
            sb.append("</div>\n");
        }
        sb.append("</section>\n");
    }

    /** A log's file name (relative to the run directory) and its tail, as a {@code pre} block. */
    private static void logTail(StringBuilder sb, String file, LogTail tail) {
        sb.append("<div class=\"muted small\">").append(tail.truncated() ? "last " + tail.lines().size() + " lines of " : "")
                .append("<code>").append(esc(file)).append("</code></div>\n<pre class=\"log\">");
        StringBuilder text = new StringBuilder();
        for (String line : tail.lines()) text.append(esc(line)).append('\n');
        sb.append(pre(text.toString())).append("</pre>\n");
    }

    private static void tickets(StringBuilder sb, RunReport report, java.util.List<RunReport.Row> shown) {
        sb.append("<section id=\"tickets\">\n<h2>Tickets</h2>\n").append(partial(report, shown, "This table shows"))
                .append("<div class=\"tablewrap\"><table>\n<thead><tr><th>#</th><th>Ticket</th><th>State</th>"
                + "<th>Agent</th><th>Attempts</th><th>Duration</th><th>Exit</th><th>Reason</th><th>Outputs</th></tr></thead>\n<tbody>\n");
        Map<RunReport.Row, Integer> position = new java.util.IdentityHashMap<>(); // its number among all the run's rows
        for (RunReport.Row r : report.rows()) position.put(r, position.size() + 1);
        java.util.Set<String> shownIds = new java.util.HashSet<>(); // a need's row the table leaves out gets no link
        for (RunReport.Row r : shown) shownIds.add(r.id());
        Map<String, String> groupOf = new java.util.HashMap<>(); // a ticket's spec ticket, and the tickets of each
        Map<String, java.util.List<String>> groupIds = new java.util.HashMap<>();
        for (RunReport.Row r : report.rows()) {
            groupOf.put(r.id(), r.group());
            groupIds.computeIfAbsent(r.group(), k -> new java.util.ArrayList<>()).add(r.id());
        }
        for (RunReport.Row r : shown) {
            TicketView v = r.view();
            String state = v.state().label();
            sb.append("<tr id=\"t-").append(esc(r.id())).append("\" class=\"").append(state).append("\">");
            sb.append("<td class=\"num muted\">").append(position.get(r)).append("</td>");
            sb.append("<td class=\"ticket\"><div class=\"tid\">").append(esc(r.id())).append("</div>");
            if (r.title() != null && !r.title().isEmpty() && !r.title().equals(r.id())) sb.append("<div class=\"title\" dir=\"auto\">").append(reason(r.title(), false)).append("</div>");
            if (!r.needs().isEmpty()) needs(sb, r, groupOf, groupIds, shownIds);
            sb.append("</td><td><span class=\"badge s-").append(state).append("\">").append(state).append("</span>");
            if (v.approvedBy() != null) sb.append("<div class=\"small muted\">approved by ").append(esc(v.approvedBy())).append("</div>");
            if (v.retryAtMillis() > 0) {
                // a run that ended (cancelled) retries nothing until it is resumed: then at once, or at the time if later
                // so does a stopped one (its coordinator killed): nothing retries it until a resume
                sb.append("<div class=\"small muted\">").append(report.run().finishedAtMillis() == 0 && report.stoppedAtMillis() == 0 ? "retry at "
                        : "retries when the run is resumed, not before ").append(Html.time(v.retryAtMillis())).append("</div>");
            }
            sb.append("</td><td class=\"small\">").append(esc(r.agent())).append("</td>");
            int attempts = Math.max(v.attempt(), r.attempts().size());
            sb.append("<td class=\"num\">").append(attempts);
            if (v.failures() > 0) sb.append(" <span class=\"small muted\">(").append(v.failures()).append(" failed)</span>");
            Long ticketDuration = report.duration(v.startedAtMillis(), v.finishedAtMillis());
            // a ticket the run's stop and resume cut in two: the time it spent while the run was executed, over its span
            sb.append("</td><td class=\"num\">").append(esc(ticketDuration == null ? Html.duration(null)
                    : report.times().spanCell(v.startedAtMillis(), v.startedAtMillis() + ticketDuration)));
            // one a stopped coordinator left unfinished (running, waiting to retry): up to the run's last event, as status says
            if (toLastEvent(report, v)) sb.append(" <span class=\"small muted\">(last event)</span>");
            sb.append("</td><td class=\"num\">").append(v.exitCode() == null ? "" : v.exitCode().toString())
                    .append("</td><td class=\"reason small\" dir=\"auto\">").append(reason(v.reason(), false)).append("</td><td class=\"outputs\">");
            outputs(sb, v.outputs());
            sb.append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table></div>\n");
        if (shown.stream().anyMatch(r -> r.view().startedAtMillis() > 0 && report.times().stoppedWithin(r.view().startedAtMillis(),
                r.view().startedAtMillis() + report.duration(r.view().startedAtMillis(), r.view().finishedAtMillis())) > 0)) {
            sb.append("<p class=\"muted small\" id=\"over-note\">").append(esc(io.swarmflow.cli.view.Durations.TICKET_OVER_NOTE))
                    .append("</p>\n");
        }
        if (shown.stream().anyMatch(r -> toLastEvent(report, r.view()))) {
            sb.append("<p class=\"muted small\" id=\"last-event-note\">").append(esc(io.swarmflow.cli.view.Durations.LAST_EVENT_NOTE))
                    .append("</p>\n");
        }
        sb.append("</section>\n");
    }

    /**
     * The "needs" line of {@code r}'s row: a matrix ticket all of whose expansions (more than one) it needs is named once,
     * {@code build ×1000}, linked to its first expansion's row; any other dependency by its id, linked to its row. At most
     * {@link #MAX_NEEDS} of these, then {@code … and N more} (N tickets; report.json lists them all). A dependency whose
     * row the table leaves out is named without a link.
     */
    private static void needs(StringBuilder sb, RunReport.Row r, Map<String, String> groupOf,
                              Map<String, java.util.List<String>> groupIds, java.util.Set<String> shownIds) {
        Map<String, Integer> needed = new java.util.HashMap<>(); // how many of each spec ticket's tickets r needs
        for (String need : new java.util.LinkedHashSet<>(r.needs())) {
            String g = groupOf.get(need);
            if (g != null) needed.merge(g, 1, Integer::sum);
        }
        java.util.Set<String> named = new java.util.HashSet<>();
        int entries = 0, more = 0;
        sb.append("<div class=\"small muted\">needs ");
        for (String need : r.needs()) {
            String g = groupOf.get(need);
            java.util.List<String> ids = g == null ? null : groupIds.get(g);
            boolean whole = ids != null && ids.size() > 1 && needed.get(g) == ids.size();
            if (!named.add(whole ? "g:" + g : "t:" + need)) continue; // a group or ticket named already
            if (entries == MAX_NEEDS) {
                more += whole ? ids.size() : 1;
                continue;
            }
            if (entries++ > 0) sb.append(", ");
            String target = whole ? ids.getFirst() : need;
            String text = esc(whole ? g + " ×" + ids.size() : need);
            String tip = whole ? "all " + ids.size() + " tickets of the matrix ticket " + esc(g) + "; report.json lists them" : null;
            if (shownIds.contains(target)) {
                sb.append("<a href=\"#t-").append(esc(target)).append('"');
                if (tip != null) sb.append(" title=\"").append(tip).append('"');
                sb.append('>').append(text).append("</a>");
            } else { // no dead link
                sb.append("<span title=\"").append(tip == null ? "" : tip + "; ").append("not in this table: see report.json\">")
                        .append(text).append("</span>");
            }
        }
        if (more > 0) sb.append(", <span title=\"report.json lists every dependency\">… and ").append(more).append(" more</span>");
        sb.append("</div>");
    }

    /**
     * Whether the Duration cell of {@code v} ends at the last event of a run whose coordinator stopped: the ticket had
     * started and not finished (running, waiting to retry), so the cell is not how long it ran, and says "(last event)".
     */
    private static boolean toLastEvent(RunReport report, TicketView v) {
        return report.stoppedAtMillis() > 0 && report.run().finishedAtMillis() <= 0 && v.startedAtMillis() > 0 && v.finishedAtMillis() <= 0;
    }

    /**
     * A ticket's reason (or title: the ticket table and the failure headings cut titles the same way), escaped, at most
     * {@link #REASON_CHARS} of it: a longer one is cut (never inside a surrogate pair), ends with {@code " …"} and is
     * followed by its length. {@code isolated} puts the text in a {@code <bdi>}
     * (where it stands in a line of other text), the length note after it. Null becomes the empty string.
     */
    static String reason(String reason, boolean isolated) {
        if (reason == null) return "";
        boolean cut = reason.length() > REASON_CHARS;
        String text = esc(Printable.cutReason(reason));
        if (isolated) text = "<bdi>" + text + "</bdi>";
        return cut ? text + " <span class=\"muted\">(" + reason.length() + " characters, all in report.json)</span>" : text;
    }

    /**
     * The content of a {@code <pre>} element: HTML drops a line break right after {@code <pre>}, so one the text starts
     * with (an empty first log line, an output value that begins with one) is written twice.
     */
    static String pre(String escaped) {
        return escaped.startsWith("\n") || escaped.startsWith("\r") ? "\n" + escaped : escaped;
    }

    private static void outputs(StringBuilder sb, Map<String, String> outputs) {
        for (Map.Entry<String, String> e : new TreeMap<>(outputs).entrySet()) {
            String k = e.getKey(), value = e.getValue() == null ? "" : e.getValue();
            if (value.isEmpty()) {
                sb.append("<div class=\"out\"><span class=\"k\">").append(esc(k)).append("</span><span class=\"muted small\">(empty)</span></div>");
            } else if (value.indexOf('\n') < 0 && !k.equals("diffstat") && value.length() > CLAMP_OUTPUT_CHARS) {
                sb.append("<details class=\"out\"><summary><span class=\"k\">").append(esc(k)).append("</span><span class=\"muted small\">")
                        .append(value.length()).append(" characters</span><code class=\"clamp\">")
                        .append(esc(value.substring(0, Printable.cutBefore(value, Math.min(value.length(), PREVIEW_CHARS))))).append("</code></summary><pre>")
                        .append(pre(esc(value))).append("</pre></details>");
            } else if (value.length() > FOLD_OUTPUT_CHARS) {
                sb.append("<details class=\"out\"><summary><span class=\"k\">").append(esc(k)).append("</span>")
                        .append(value.length()).append(" characters</summary><pre>").append(pre(esc(value))).append("</pre></details>");
            } else if (k.equals("diffstat") || value.indexOf('\n') >= 0) {
                sb.append("<div class=\"out\"><span class=\"k\">").append(esc(k)).append("</span><pre>").append(pre(esc(value)))
                        .append("</pre></div>");
            } else {
                sb.append("<div class=\"out\"><span class=\"k\">").append(esc(k)).append("</span><code>").append(esc(value))
                        .append("</code></div>");
            }
        }
    }

    private static void dag(StringBuilder sb, RunReport report) {
        sb.append("<section id=\"dag\">\n<h2>DAG</h2>\n");
        int n = report.rows().size();
        if (n == 0) {
            sb.append("<p class=\"muted\">The plan has no tickets.</p>\n");
        } else if (n > DagSvg.MAX_TICKETS) {
            Grouped g = grouped(report.rows());
            if (g.rows().size() > DagSvg.MAX_TICKETS) {
                sb.append("<p class=\"muted\">The plan has ").append(n).append(" tickets (").append(g.rows().size())
                        .append(" in the spec); the graph is drawn for at most ").append(DagSvg.MAX_TICKETS)
                        .append(". Each ticket's dependencies are listed in the ticket table.</p>\n");
            } else if (DagSvg.tooManyEdges(g.rows())) {
                sb.append("<p class=\"note\" id=\"dag-dense\">The plan has ").append(n).append(" tickets, more than the ")
                        .append(DagSvg.MAX_TICKETS).append(" the graph draws one by one, and drawn as the ").append(g.rows().size())
                        .append(" tickets of its spec the graph would have ").append(thousands(DagSvg.edges(g.rows())))
                        .append(" arrows, more than the ").append(thousands(DagSvg.MAX_EDGES)).append(" a report draws. The ")
                        .append("<a href=\"#tickets\">ticket table</a> lists each ticket's dependencies.</p>\n");
            } else if (DagSvg.tooWide(g.rows())) { // even the spec's tickets wrap into a wall: a note, that drawing folded
                sb.append("<p class=\"note\" id=\"dag-wide\">The plan has ").append(n).append(" tickets, more than the ")
                        .append(DagSvg.MAX_TICKETS).append(" the graph draws one by one, and drawn as the ").append(g.rows().size())
                        .append(" tickets of its spec the graph is ")
                        .append(thousands(DagSvg.width(g.rows())))
                        .append(" px wide, its columns wrapped into several each. The <a href=\"#tickets\">ticket table</a> ")
                        .append("lists each ticket's dependencies, each a link to its row.</p>\n");
                sb.append("<details class=\"dag-all\"><summary>Draw the spec's ").append(g.rows().size())
                        .append(" tickets anyway</summary>");
                legend(sb);
                sb.append("<div class=\"scroll\">").append(DagSvg.render(g.rows(), g.labels(), g.tips())).append("</div></details>\n");
            } else {
                legend(sb);
                sb.append("<p class=\"muted small\">The plan has ").append(n).append(" tickets, more than the ")
                        .append(DagSvg.MAX_TICKETS).append(" the graph draws one by one: each box is a ticket of the spec, ")
                        .append("a matrix ticket standing for all its expansions (×count), colored by the state that needs ")
                        .append("attention first among them (hover a box for its counts).</p>\n");
                sb.append("<div class=\"scroll\">").append(DagSvg.render(g.rows(), g.labels(), g.tips())).append("</div>\n");
            }
        } else if (DagSvg.tooWide(report.rows()) || DagSvg.tooManyEdges(report.rows())) {
            wide(sb, report);
        } else {
            legend(sb);
            sb.append("<div class=\"scroll\">").append(DagSvg.render(report.rows())).append("</div>\n");
            sb.append("<p class=\"muted small\">Columns are layers: a ticket sits one column right of its deepest dependency. Click a ticket for its row.</p>\n");
        }
        sb.append("</section>\n");
    }

    /**
     * The DAG of a plan whose drawing is too wide to follow ({@link DagSvg#tooWide}) or has too many arrows
     * ({@link DagSvg#tooManyEdges}): the graph of its spec's tickets when its matrix tickets make that one narrow and
     * sparse enough, else a note pointing at the ticket table; the drawing of every ticket folded below either, unless it
     * has too many arrows (then a note says it is left out).
     */
    private static void wide(StringBuilder sb, RunReport report) {
        java.util.List<RunReport.Row> rows = report.rows();
        long edges = DagSvg.edges(rows);
        boolean dense = edges > DagSvg.MAX_EDGES;
        String why;
        if (DagSvg.tooWide(rows)) {
            int[] sizes = DagSvg.layerSizes(rows);
            int widest = java.util.Arrays.stream(sizes).max().orElse(0);
            why = "The plan's " + rows.size() + " tickets stand in " + sizes.length + (sizes.length == 1 ? " column" : " columns")
                    + " of up to " + widest + ": drawn one by one, the graph is " + thousands(DagSvg.width(rows))
                    + " px wide, its columns wrapped into several each, and the arrows between them merge into a band nobody can follow";
        } else {
            why = "The plan's " + rows.size() + " tickets have " + thousands(edges) + " dependencies between them: drawn one by one, "
                    + "the graph would have as many arrows, more than the " + thousands(DagSvg.MAX_EDGES) + " a report draws";
        }
        Grouped g = grouped(rows);
        boolean spec = g.rows().size() < rows.size() && !DagSvg.tooWide(g.rows()) && !DagSvg.tooManyEdges(g.rows());
        if (spec) legend(sb);
        if (spec) {
            sb.append("<p class=\"muted small\" id=\"dag-wide\">").append(why).append(". So each box is a ticket of the spec, ")
                    .append("a matrix ticket standing for all its expansions (×count), colored by the state that needs ")
                    .append("attention first among them (hover a box for its counts).</p>\n");
            sb.append("<div class=\"scroll\">").append(DagSvg.render(g.rows(), g.labels(), g.tips())).append("</div>\n");
        } else {
            sb.append("<p class=\"note\" id=\"dag-wide\">").append(why).append(". The <a href=\"#tickets\">ticket table</a> ")
                    .append("lists each ticket's dependencies, each a link to its row.</p>\n");
        }
        if (dense) { // folded or not, its arrows would be megabytes of report.html
            if (spec || DagSvg.tooWide(rows)) { // else the note above said it
                sb.append("<p class=\"muted small\" id=\"dag-dense\">The drawing of all ").append(rows.size())
                        .append(" tickets is left out: its ").append(thousands(edges)).append(" arrows are more than the ")
                        .append(thousands(DagSvg.MAX_EDGES)).append(" a report draws.")
                        .append(spec ? " The <a href=\"#tickets\">ticket table</a> lists each ticket's dependencies." : "")
                        .append("</p>\n");
            }
            return;
        }
        sb.append("<details class=\"dag-all\"><summary>Draw all ").append(rows.size()).append(" tickets anyway</summary>");
        if (!spec) legend(sb);
        sb.append("<div class=\"scroll\">").append(DagSvg.render(rows)).append("</div></details>\n");
    }

    /** {@code n} with thousands separators: {@code 160,400}. */
    private static String thousands(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    private static void legend(StringBuilder sb) {
        sb.append("<div class=\"legend\">");
        for (TicketState s : TicketState.values()) {
            sb.append("<span><i class=\"s-").append(s.label()).append("\" style=\"border:1px solid\"></i>").append(s.label()).append("</span>");
        }
        sb.append("</div>\n");
    }

    /** The DAG of a plan's spec tickets: one row per matrix group (or plain ticket), with a box label and hover text each. */
    record Grouped(java.util.List<RunReport.Row> rows, Map<String, String> labels, Map<String, String> tips) {}

    /** States in the order a group's box takes them: the first one any of its tickets is in. */
    private static final java.util.List<TicketState> ATTENTION = java.util.List.of(TicketState.FAILED, TicketState.RUNNING,
            TicketState.RETRY_WAIT, TicketState.AWAITING_APPROVAL, TicketState.READY, TicketState.PENDING, TicketState.CANCELLED,
            TicketState.SKIPPED, TicketState.SUCCEEDED);

    /**
     * {@code rows} grouped by the spec ticket they come from ({@link RunReport.Row#group()}), in plan order: each group
     * is one row, with the id of its first ticket, the dependencies of all its tickets (as the ids of the groups they
     * fall in, its own left out), and the state that comes first in {@link #ATTENTION} among its tickets.
     */
    static Grouped grouped(java.util.List<RunReport.Row> rows) {
        Map<String, java.util.List<RunReport.Row>> groups = new java.util.LinkedHashMap<>();
        Map<String, String> groupOf = new java.util.HashMap<>();
        for (RunReport.Row r : rows) {
            groups.computeIfAbsent(r.group(), k -> new java.util.ArrayList<>()).add(r);
            groupOf.put(r.id(), r.group());
        }
        java.util.List<RunReport.Row> result = new java.util.ArrayList<>(groups.size());
        Map<String, String> labels = new java.util.HashMap<>();
        Map<String, String> tips = new java.util.HashMap<>();
        for (Map.Entry<String, java.util.List<RunReport.Row>> e : groups.entrySet()) {
            java.util.List<RunReport.Row> members = e.getValue();
            RunReport.Row first = members.getFirst();
            java.util.Set<String> needs = new java.util.LinkedHashSet<>();
            Map<TicketState, Integer> counts = new java.util.EnumMap<>(TicketState.class);
            for (RunReport.Row m : members) {
                counts.merge(m.view().state(), 1, Integer::sum);
                for (String need : m.needs()) {
                    String g = groupOf.get(need);
                    if (g != null && !g.equals(e.getKey())) needs.add(groups.get(g).getFirst().id());
                }
            }
            TicketState state = ATTENTION.stream().filter(counts::containsKey).findFirst().orElse(first.view().state());
            TicketView v = first.view();
            TicketView shown = new TicketView(v.runId(), v.ticketId(), v.index(), state, v.attempt(), v.failures(), v.leaseExpiries(),
                    v.exitCode(), v.reason(), v.outputs(), v.approvedBy(), v.startedAtMillis(), v.finishedAtMillis(), v.retryAtMillis());
            result.add(new RunReport.Row(first.id(), first.title(), first.agent(), java.util.List.copyOf(needs), shown, java.util.List.of(),
                    e.getKey()));
            java.util.List<String> parts = new java.util.ArrayList<>();
            counts.forEach((s, c) -> parts.add(c + " " + s.label()));
            String suffix = " ×" + members.size();
            labels.put(first.id(), members.size() == 1 ? first.id()
                    : Html.shorten(e.getKey(), Math.max(4, DagSvg.LABEL_CHARS - suffix.length())) + suffix);
            tips.put(first.id(), e.getKey() + (members.size() == 1 ? "" : " (matrix, " + members.size() + " tickets)") + ": "
                    + String.join(", ", parts));
        }
        return new Grouped(result, labels, tips);
    }

    private static void timeline(StringBuilder sb, RunReport report, java.util.List<RunReport.Row> shown) {
        sb.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
        if (!GanttSvg.hasAttempts(report)) {
            sb.append("<p class=\"muted\">No attempt has started yet.</p>\n</section>\n");
            return;
        }
        sb.append("<div class=\"legend\">");
        for (String o : new String[] {"succeeded", "failed", "timed-out", "cancelled", "lease-expired", "running"}) {
            sb.append("<span><svg width=\"12\" height=\"12\"><rect class=\"b-").append(o)
                    .append("\" width=\"12\" height=\"12\" rx=\"2\"/></svg> ").append(o).append("</span>");
        }
        // the time a ticket stood at its approval gate, from the gate being reached to the decision
        sb.append("<span><svg width=\"12\" height=\"12\"><rect class=\"b-awaiting-approval\" width=\"12\" height=\"12\" rx=\"2\"/>")
                .append("</svg> awaiting approval</span>");
        sb.append("</div>\n").append(partial(report, shown, "The timeline shows")).append("<div class=\"scroll\">")
                .append(GanttSvg.render(report, shown)).append("</div>\n");
        RunView run = report.run();
        sb.append("<p class=\"muted small\">One row per ticket, one bar per attempt; time since ")
                .append(run.startedAtMillis() > 0 ? "the run started (" + Html.time(run.startedAtMillis()) + ")" : "the first attempt")
                .append(". A dashed amber segment is the time a ticket waited at its approval gate.")
                .append(report.times().sessions().size() > 1 ? " A grey band is a time the run stood cancelled or stopped, up to its resume (times in UTC)." : "")
                .append(shown.size() > GanttSvg.AXIS_EVERY ? " The time axis is repeated every " + GanttSvg.AXIS_EVERY + " rows." : "")
                .append(" Hover a bar for its details.</p>\n");
        sb.append("</section>\n");
    }
}
