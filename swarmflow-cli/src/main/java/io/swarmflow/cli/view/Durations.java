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

    /**
     * A resumed run's duration as {@code swarm status}'s header, the end of {@code swarm resume} and report.html say it,
     * e.g. {@code 20.0s running over 1h00m (resumed once)}: the time its coordinators ran it ({@link RunTimes#runningMillis}),
     * then the time from its start to its end (or to now), which counts the time it stood stopped.
     *
     * @param runningMillis the sum of its sessions, milliseconds
     * @param spanMillis    its end (or now) minus its start, milliseconds
     * @param resumes       how many times it was resumed, 1 or more
     */
    public static String runningOver(long runningMillis, long spanMillis, int resumes) {
        return format(runningMillis) + " running over " + format(spanMillis) + " (" + resumed(resumes) + ")";
    }

    /** {@code resumed once}, {@code resumed 3 times}. */
    public static String resumed(int resumes) {
        return resumes <= 1 ? "resumed once" : "resumed " + resumes + " times";
    }

    /**
     * The duration of a resumed run whose sessions were not read (a caller that has no store: every command reads a
     * resumed run's events): {@code 1h00m from its start, resumed (the time it stood stopped included)}.
     */
    public static String sinceStartResumed(long spanMillis) {
        return format(spanMillis) + " from its start, resumed (the time it stood stopped included; `swarm status` gives the time it ran)";
    }

    /** The same as {@link #runningOver} in a DURATION cell of {@code swarm runs}: {@code 20.0s (over 1h00m)}; see {@link #OVER_NOTE}. */
    public static String runningOverCell(long runningMillis, long spanMillis) {
        return format(runningMillis) + " (over " + format(spanMillis) + ")";
    }

    /** What "(over ...)" in a ticket's DURATION cell means, said under the ticket table that shows one. */
    public static final String TICKET_OVER_NOTE = "(over D): a ticket a resume of the run cut in two: the time it spent while "
            + "the run was executed, over D from its first start to its end, which counts the time before the resume when nothing ran it";

    /** What "(over ...)" in a DURATION cell of {@code swarm runs} means, said under the table that shows one. */
    public static final String OVER_NOTE = "(over D): a resumed run: the time its coordinators ran it, over D from its start to its "
            + "end (or now), which counts the time before each resume when nothing ran it";

    /**
     * A stopped run's duration as {@code swarm status}'s header and report.html say it, e.g. {@code last event recorded
     * 174ms after the start}: the time from its start to the run's last recorded event, not how long it ran (its coordinator
     * may have gone on for long after it, recording nothing, until it was killed). {@code swarm runs} shows
     * {@link #lastEventCell}.
     *
     * @param millis the time from the run's start to its last event, in milliseconds
     */
    public static String toLastEvent(long millis) {
        return toLastEvent(format(millis));
    }

    /** {@link #toLastEvent(long)} for a duration already formatted (report.html's, an em dash for none). */
    public static String toLastEvent(String duration) {
        return "last event recorded " + duration + " after the start";
    }

    /**
     * The same in a DURATION cell of {@code swarm runs}, e.g. {@code 174ms (last event)}; its note under the table says
     * what it is ({@link #LAST_EVENT_NOTE}).
     */
    public static String lastEventCell(long millis) {
        return format(millis) + " (last event)";
    }

    /** What "(last event)" in a DURATION cell means, said under the table that shows one. */
    public static final String LAST_EVENT_NOTE = "(last event): the time from its start to the run's last recorded event, not how long it ran";

    /**
     * Why a run recorded as running has no coordinator ({@code RunService.Observed#stopped}), as {@code status},
     * {@code runs}, {@code logs}, {@code cancel} and report.html say it: nothing recorded tells a killed coordinator from
     * one interrupted while the database could not record its stop.
     */
    public static final String COORDINATOR_STOPPED = "its coordinator stopped without recording an end (killed, crashed, or "
            + "the database could not be written)";
}
