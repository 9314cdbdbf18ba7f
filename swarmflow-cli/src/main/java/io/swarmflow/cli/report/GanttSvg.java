package io.swarmflow.cli.report;

import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunView;

import java.util.List;

/**
 * Timeline of attempts as inline SVG: one row per ticket in plan order, one bar per attempt colored
 * by its outcome, a time axis relative to the start of the run. Running attempts extend to the
 * report time.
 */
final class GanttSvg {
    private static final int LABEL_W = 190, CHART_W = 960, ROW_H = 20, BAR_H = 12, AXIS_H = 24, PAD = 8;
    /** Candidate tick spacings, milliseconds; the smallest giving at most about 10 ticks wins. */
    private static final long[] STEPS = {
            1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
            900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000};

    private GanttSvg() {}

    /** Whether any attempt started; without one there is nothing to draw. */
    static boolean hasAttempts(RunReport report) {
        return report.rows().stream().anyMatch(r -> !r.attempts().isEmpty());
    }

    /** Tick spacing for a span, in milliseconds. */
    static long step(long spanMillis) {
        for (long s : STEPS) if (spanMillis / s <= 10) return s;
        long day = STEPS[STEPS.length - 1];
        return day * Math.max(1, spanMillis / (10 * day) + 1);
    }

    static String render(RunReport report) {
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
        long span = Math.max(1, t1 - t0);
        long step = step(span);
        double scale = (double) CHART_W / span;
        List<RunReport.Row> rows = report.rows();
        int height = AXIS_H + rows.size() * ROW_H + PAD;
        int width = LABEL_W + CHART_W + 40;

        StringBuilder sb = new StringBuilder(512 + rows.size() * 400);
        sb.append("<svg class=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"timeline of attempts\">\n");
        for (int i = 0; i < rows.size(); i++) {
            if (i % 2 == 1) {
                sb.append("<rect class=\"stripe\" x=\"0\" y=\"").append(AXIS_H + i * ROW_H).append("\" width=\"")
                        .append(width).append("\" height=\"").append(ROW_H).append("\"/>\n");
            }
        }
        sb.append("<g class=\"axis\">\n");
        for (long t = 0; t <= span; t += step) {
            double x = LABEL_W + t * scale;
            sb.append(String.format(java.util.Locale.ROOT, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                    x, AXIS_H - 4, x, height - PAD));
            sb.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", x, AXIS_H - 8))
                    .append(Html.offset(t)).append("</text>\n");
        }
        sb.append(String.format(java.util.Locale.ROOT, "<line class=\"baseline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                LABEL_W, AXIS_H - 4, LABEL_W + CHART_W, AXIS_H - 4));
        sb.append("</g>\n");
        if (run.finishedAtMillis() <= 0 && run.startedAtMillis() > 0 && now >= t0 && now <= t1) {
            double x = LABEL_W + (now - t0) * scale;
            sb.append(String.format(java.util.Locale.ROOT, "<line class=\"now\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>",
                    x, AXIS_H - 4, x, height - PAD)).append('\n');
        }
        for (int i = 0; i < rows.size(); i++) {
            RunReport.Row r = rows.get(i);
            int y = AXIS_H + i * ROW_H;
            sb.append("<a href=\"#t-").append(Html.esc(r.id())).append("\"><text class=\"label\" x=\"").append(PAD)
                    .append("\" y=\"").append(y + ROW_H / 2 + 4).append("\"><title>").append(Html.esc(r.id()))
                    .append("</title>").append(Html.esc(Html.shorten(r.id(), 26))).append("</text></a>\n");
            if (r.attempts().isEmpty()) {
                sb.append("<text class=\"idle\" x=\"").append(LABEL_W + 4).append("\" y=\"").append(y + ROW_H / 2 + 4)
                        .append("\">").append(Html.esc(r.view().state().label())).append("</text>\n");
            }
            for (AttemptView a : r.attempts()) {
                String outcome = a.outcome() == null ? "running" : a.outcome().label();
                // at least 2 px wide so that a short attempt shows, and still inside the axis
                double w = Math.max(2, (end(a, now) - a.startedAtMillis()) * scale);
                double x = Math.min(LABEL_W + (a.startedAtMillis() - t0) * scale, LABEL_W + CHART_W - w);
                Long dur = report.duration(a.startedAtMillis(), a.finishedAtMillis());
                String tip = r.id() + " · attempt " + a.attempt() + " · " + outcome + " · " + Html.duration(dur)
                        + (a.exitCode() == null ? "" : " · exit " + a.exitCode())
                        + (a.reason() == null ? "" : " · " + a.reason());
                sb.append(String.format(java.util.Locale.ROOT,
                                "<rect class=\"bar b-%s\" data-ticket=\"%s\" data-attempt=\"%d\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\">",
                                outcome, Html.esc(r.id()), a.attempt(), x, y + (ROW_H - BAR_H) / 2, w, BAR_H))
                        .append("<title>").append(Html.esc(tip)).append("</title></rect>\n");
            }
        }
        sb.append("</svg>");
        return sb.toString();
    }

    private static long end(AttemptView a, long now) {
        return a.finishedAtMillis() > 0 ? a.finishedAtMillis() : Math.max(a.startedAtMillis(), now);
    }
}
