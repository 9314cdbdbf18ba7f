package io.swarmflow.cli.report;

import io.swarmflow.cli.view.Printable;
import io.swarmflow.cli.view.RunTimes;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunView;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * Timeline of attempts as inline SVG: one row per ticket in plan order, one bar per attempt colored
 * by its outcome, a time axis relative to the start of the run. Running attempts extend to the
 * report time. A ticket's time at its approval gate, from the gate being reached to the decision
 * ({@link RunTimes.ApprovalWait}, from the run's events), is a segment of its own ({@code b-awaiting-approval}).
 */
final class GanttSvg {
    /**
     * Widths in pixels: the label column, the plot where CSS does not size it, the margin right of the plot (for half of
     * the last axis label). ReportHtml's {@code .gantt .plot} rule leaves LABEL_W + RIGHT_W to the rest.
     */
    static final int LABEL_W = 190, PLOT_W = 960, RIGHT_W = 40;
    private static final int ROW_H = 20, BAR_H = 12, AXIS_H = 24, PAD = 8;
    /**
     * Rows between two time axes: the axis is drawn again above every 40th row (about 800 px), so that a bar far down a
     * long timeline can be read against time (an SVG cannot keep its axis in view as the page scrolls).
     */
    static final int AXIS_EVERY = 40;
    private static final java.time.format.DateTimeFormatter CLOCK =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC);
    /** The narrowest bar, percent of the plot: 2 px on a 500 px plot, so that a short attempt shows. */
    private static final double MIN_BAR_PCT = 0.4;
    /** Characters of the reason after the state of a ticket that made no attempt (skipped, rejected): what fits the plot. */
    private static final int IDLE_REASON_CHARS = 120;
    /** Candidate tick spacings, milliseconds; the smallest giving at most about 10 ticks wins. */
    private static final long[] STEPS = {
            1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
            900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};

    private GanttSvg() {}

    /** Whether any attempt started or any ticket waited at its approval gate; without one there is nothing to draw. */
    static boolean hasAttempts(RunReport report) {
        return report.rows().stream().anyMatch(r -> !r.attempts().isEmpty()) || !report.times().approvalWaits().isEmpty();
    }

    /** Tick spacing for a span, in milliseconds. */
    static long step(long spanMillis) {
        for (long s : STEPS) if (spanMillis / s <= 10) return s;
        long day = STEPS[STEPS.length - 1];
        return day * Math.max(1, spanMillis / (10 * day) + 1);
    }

    /**
     * The timeline as an SVG as wide as its container: labels and row stripes in pixels, the plot in an SVG inside a
     * {@code foreignObject} whose width CSS sets to what the labels leave ({@code .gantt .plot} in ReportHtml), with
     * every time as a percentage of that width. Text keeps its size at any width. Where CSS does not size a
     * {@code foreignObject}, the plot is {@code PLOT_W} pixels wide. One row for each of {@code rows} (of the report's
     * rows, in their order); the axis spans the attempts of all the report's rows.
     */
    static String render(RunReport report, List<RunReport.Row> rows) {
        RunView run = report.run();
        long now = report.measuredUntilMillis();
        long t0 = Long.MAX_VALUE, t1 = Long.MIN_VALUE;
        if (run.startedAtMillis() > 0) {
            t0 = run.startedAtMillis();
            t1 = run.finishedAtMillis() > 0 ? run.finishedAtMillis() : Math.max(t0, now);
        }
        for (RunReport.Row r : report.rows()) {
            for (AttemptView a : r.attempts()) {
                t0 = Math.min(t0, a.startedAtMillis());
                t1 = Math.max(t1, end(a, now));
            }
        }
        Map<String, List<RunTimes.ApprovalWait>> waits = new HashMap<>();
        for (RunTimes.ApprovalWait w : report.times().approvalWaits()) {
            waits.computeIfAbsent(w.ticketId(), k -> new ArrayList<>()).add(w);
            t0 = Math.min(t0, w.fromMillis());
            t1 = Math.max(t1, end(w, now));
        }
        long span = Math.max(1, t1 - t0);
        long step = step(span);
        double scale = 100.0 / span; // percent of the plot's width per millisecond
        int height = (rows.isEmpty() ? AXIS_H : rowY(rows.size() - 1) + ROW_H) + PAD;

        StringBuilder sb = new StringBuilder(512 + rows.size() * 400);
        sb.append("<svg class=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(LABEL_W + PLOT_W + RIGHT_W)
                .append("\" height=\"").append(height).append("\" role=\"img\" aria-label=\"timeline of attempts\">\n");
        for (int i = 0; i < rows.size(); i++) {
            if (i % 2 == 1) {
                sb.append("<rect class=\"stripe\" x=\"0\" y=\"").append(rowY(i)).append("\" width=\"100%\" height=\"")
                        .append(ROW_H).append("\"/>\n");
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            RunReport.Row r = rows.get(i);
            sb.append("<a href=\"#t-").append(Html.esc(r.id())).append("\"><text class=\"label\" x=\"").append(PAD)
                    .append("\" y=\"").append(rowY(i) + ROW_H / 2 + 4).append("\"><title>").append(Html.esc(r.id()))
                    .append("</title>").append(Html.esc(Html.shorten(r.id(), 26))).append("</text></a>\n");
        }
        // Chromium sizes a foreignObject by CSS, not a nested svg. Overflow visible: the first and last axis labels
        // stick out of the plot by half their width.
        sb.append("<foreignObject class=\"plot\" x=\"").append(LABEL_W).append("\" y=\"0\" width=\"").append(PLOT_W)
                .append("\" height=\"").append(height).append("\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100%\" height=\"")
                .append(height).append("\" overflow=\"visible\">\n<g class=\"axis\">\n");
        for (long t = 0; t <= span; t += step) {
            String x = pct(t * scale);
            sb.append("<line class=\"tick\" x1=\"").append(x).append("\" y1=\"").append(AXIS_H - 4).append("\" x2=\"").append(x)
                    .append("\" y2=\"").append(height - PAD).append("\"/>");
            sb.append("<text x=\"").append(x).append("\" y=\"").append(AXIS_H - 8).append("\" text-anchor=\"middle\">")
                    .append(Html.offset(t)).append("</text>\n");
        }
        sb.append("<line class=\"baseline\" x1=\"0\" y1=\"").append(AXIS_H - 4).append("\" x2=\"100%\" y2=\"").append(AXIS_H - 4)
                .append("\"/>\n</g>\n");
        // the axis again above every AXIS_EVERY-th row, its labels and line of their own class (the first axis stays the one)
        for (int i = AXIS_EVERY; i < rows.size(); i += AXIS_EVERY) {
            int base = rowY(i) - 4;
            sb.append("<g class=\"axis-again\">");
            for (long t = 0; t <= span; t += step) {
                sb.append("<text x=\"").append(pct(t * scale)).append("\" y=\"").append(base - 4).append("\" text-anchor=\"middle\">")
                        .append(Html.offset(t)).append("</text>");
            }
            sb.append("<line class=\"baseline-again\" x1=\"0\" y1=\"").append(base).append("\" x2=\"100%\" y2=\"").append(base)
                    .append("\"/></g>\n");
        }
        gaps(sb, report, rows.size(), t0, scale, height);
        if (run.finishedAtMillis() <= 0 && run.startedAtMillis() > 0 && now >= t0 && now <= t1) {
            String x = pct((now - t0) * scale);
            sb.append("<line class=\"now\" x1=\"").append(x).append("\" y1=\"").append(AXIS_H - 4).append("\" x2=\"").append(x)
                    .append("\" y2=\"").append(height - PAD).append("\"/>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            RunReport.Row r = rows.get(i);
            int y = rowY(i);
            for (RunTimes.ApprovalWait wait : waits.getOrDefault(r.id(), List.of())) {
                double w = Math.max(MIN_BAR_PCT, (end(wait, now) - wait.fromMillis()) * scale);
                double x = Math.min((wait.fromMillis() - t0) * scale, 100 - w);
                String tip = r.id() + " · awaiting approval · " + Html.duration(end(wait, now) - wait.fromMillis())
                        + " · " + (wait.endedBy() == null ? "still waiting" : Printable.shorten(Printable.of(wait.endedBy()), IDLE_REASON_CHARS));
                sb.append("<rect class=\"bar b-awaiting-approval\" data-ticket=\"").append(Html.esc(r.id()))
                        .append("\" x=\"").append(pct(x)).append("\" y=\"").append(y + (ROW_H - BAR_H) / 2).append("\" width=\"")
                        .append(pct(w)).append("\" height=\"").append(BAR_H).append("\" rx=\"2\"><title>").append(Html.esc(tip))
                        .append("</title></rect>\n");
            }
            for (AttemptView a : r.attempts()) {
                String outcome = a.outcome() == null ? "running" : a.outcome().label();
                // wide enough to show on a narrow plot, and still inside the axis
                // an attempt lost with its coordinator is recorded as finished by the resume, after the stop: it ran
                // at most to the last event of its coordinator's session
                long stoppedAt = report.times().lostAttemptEndMillis(a);
                boolean lost = stoppedAt > 0;
                long barEnd = lost ? stoppedAt : end(a, now);
                double w = Math.max(MIN_BAR_PCT, (barEnd - a.startedAtMillis()) * scale);
                double x = Math.min((a.startedAtMillis() - t0) * scale, 100 - w);
                Long dur = report.duration(a.startedAtMillis(), a.finishedAtMillis());
                String tip = r.id() + " · attempt " + a.attempt() + " · " + outcome + " · "
                        + (lost ? "at least " + Html.duration(barEnd - a.startedAtMillis()) + " (its coordinator stopped; the resume "
                        + "recorded the loss " + Html.duration(a.finishedAtMillis() - a.startedAtMillis()) + " after its start)"
                        : Html.duration(dur))
                        + (a.exitCode() == null ? "" : " · exit " + a.exitCode())
                        + (a.reason() == null ? "" : " · " + shortReason(a.reason()));
                sb.append("<rect class=\"bar b-").append(outcome).append("\" data-ticket=\"").append(Html.esc(r.id()))
                        .append("\" data-attempt=\"").append(a.attempt()).append("\" x=\"").append(pct(x)).append("\" y=\"")
                        .append(y + (ROW_H - BAR_H) / 2).append("\" width=\"").append(pct(w)).append("\" height=\"").append(BAR_H)
                        .append("\" rx=\"2\"><title>").append(Html.esc(tip)).append("</title></rect>\n");
            }
            if (r.attempts().isEmpty()) {
                // a ticket without attempts says why: "failed" alone for one rejected at its gate told nothing. Drawn after
                // (over) its approval wait's segment, which covered it, with a halo (CSS) that keeps it readable there
                String idle = r.view().state().label();
                if (r.view().reason() != null) {
                    idle += ": " + Printable.shorten(Printable.of(r.view().reason()), IDLE_REASON_CHARS);
                }
                sb.append("<text class=\"idle\" x=\"4\" y=\"").append(y + ROW_H / 2 + 4)
                        .append("\">").append(Html.esc(idle)).append("</text>\n");
            }
        }
        sb.append("</svg></foreignObject>\n</svg>");
        return sb.toString();
    }

    /** Top of row {@code i}, pixels: below the axis, and below the axes drawn again above every {@link #AXIS_EVERY}-th row. */
    static int rowY(int i) {
        return AXIS_H + i * ROW_H + i / AXIS_EVERY * AXIS_H;
    }

    /**
     * The times the run stood stopped between two of its sessions (a cancel or a stopped coordinator, then a resume), as
     * shaded bands across the rows, labelled with how the earlier session ended and the times (UTC) below each axis:
     * {@code cancelled 03:05:59 → resumed 03:06:25}. How it ended is what its events recorded ({@link RunTimes.Ending}): a
     * cancel says "cancelled"; a coordinator that stopped without recording an end, "stopped (last event)" (the session
     * then ends at its last recorded event).
     */
    private static void gaps(StringBuilder sb, RunReport report, int rowCount, long t0, double scale, int height) {
        List<RunTimes.Session> sessions = report.times().sessions();
        for (int k = 1; k < sessions.size(); k++) {
            RunTimes.Session before = sessions.get(k - 1);
            long from = before.endMillis(), to = sessions.get(k).startMillis();
            if (from <= 0 || to <= from) continue;
            String ended = howEnded(before);
            String label = ended + " " + CLOCK.format(java.time.Instant.ofEpochMilli(from)) + " → resumed "
                    + CLOCK.format(java.time.Instant.ofEpochMilli(to));
            String tip = label + " (UTC): the run stood " + (ended.equals("cancelled") ? "cancelled" : "stopped") + " for "
                    + Html.duration(to - from) + ", nothing ran";
            double x = (from - t0) * scale, w = (to - from) * scale;
            sb.append("<g class=\"gap\"><rect x=\"").append(pct(x)).append("\" y=\"").append(AXIS_H - 4).append("\" width=\"")
                    .append(pct(w)).append("\" height=\"").append(height - PAD - (AXIS_H - 4)).append("\"><title>")
                    .append(Html.esc(tip)).append("</title></rect>");
            // the label below each axis: centred on the band, or from its edge near either end of the plot
            double mid = x + w / 2;
            String anchor = mid < 20 ? "start" : mid > 80 ? "end" : "middle";
            String at = pct(anchor.equals("start") ? x : anchor.equals("end") ? x + w : mid);
            for (int i = 0; i < Math.max(1, rowCount); i += AXIS_EVERY) {
                sb.append("<text x=\"").append(at).append("\" dx=\"").append(anchor.equals("start") ? 3 : anchor.equals("end") ? -3 : 0)
                        .append("\" y=\"").append(rowY(i) + 13).append("\" text-anchor=\"").append(anchor).append("\">")
                        .append(Html.esc(label)).append("</text>");
            }
            sb.append("</g>\n");
        }
    }

    /** {@code cancelled}, {@code stopped (last event)} or {@code ended}: how {@code session}, which a resume followed, ended. */
    private static String howEnded(RunTimes.Session session) {
        return switch (session.ending()) {
            case CANCELLED -> "cancelled";
            case STOPPED -> "stopped (last event)";
            case ENDED, OPEN -> "ended";
        };
    }

    private static String pct(double percent) {
        return String.format(Locale.ROOT, "%.3f%%", percent);
    }

    /** Where a wait's segment ends: its decision, or {@code now} while it still waits. */
    private static long end(RunTimes.ApprovalWait w, long now) {
        return w.toMillis() > 0 ? w.toMillis() : Math.max(w.fromMillis(), now);
    }

    private static long end(AttemptView a, long now) {
        return a.finishedAtMillis() > 0 ? a.finishedAtMillis() : Math.max(a.startedAtMillis(), now);
    }

    /** A reason for a bar's hover text: at most {@link ReportHtml#REASON_CHARS}, as the ticket table shows it. */
    private static String shortReason(String reason) {
        return io.swarmflow.cli.view.Printable.cutReason(reason, "in report.json");
    }
}
