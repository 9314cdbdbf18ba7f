package io.swarmflow.cli.view;

/** Human formatting of durations: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 1h02m}. */
public final class Durations {
    private Durations() {}

    public static String format(long millis) {
        if (millis < 0) return "-";
        if (millis < 1_000) return millis + "ms";
        if (millis < 60_000) return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        long s = millis / 1000;
        if (s < 3600) return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
