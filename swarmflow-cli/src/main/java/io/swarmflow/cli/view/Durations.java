package io.swarmflow.cli.view;

/** Human formatting of durations: {@code 850ms}, {@code 12.3s}, {@code 4m05s}, {@code 1h02m}. */
public final class Durations {
    private Durations() {}

    /**
     * The duration in the largest unit that keeps it short: milliseconds below a second, tenths of seconds below a minute
     * (as they round: 59,950 ms and more is a minute, {@code 1m00s}, not {@code 60.0s}), then minutes and seconds, then
     * hours and minutes (both cut, not rounded); {@code -} for a negative duration.
     *
     * @param millis the duration in milliseconds
     * @return the formatted duration
     */
    public static String format(long millis) {
        if (millis < 0) return "-";
        if (millis < 1_000) return millis + "ms";
        if (millis < 59_950) return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        long s = Math.max(60, millis / 1000); // 59,950..59,999 ms: the minute it rounds to
        if (s < 3600) return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
