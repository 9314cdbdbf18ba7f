package io.swarmflow.store;

/**
 * Projection of one attempt.
 *
 * @param runId            run id
 * @param ticketId         ticket id
 * @param attempt          fencing number (1-based)
 * @param outcome          how it ended, or null while running
 * @param exitCode         process exit code, or null
 * @param reason           failure reason, or null
 * @param startedAtMillis  start, epoch milliseconds
 * @param finishedAtMillis end, epoch milliseconds, or 0 while running
 * @param pid              process id of its process (group leader), or 0 when it has none
 * @param startTicks       the process's start time in clock ticks since boot ({@code /proc/PID/stat} field 22), or 0
 * @param outputBytes      bytes its process wrote to stdout and stderr together, or null while running or when
 *                         unknown ({@link RunEvent.AttemptFinished#outputBytes()})
 * @param coordinator      the coordinator that launched its process ({@link RunEvent.AttemptProcessStarted#coordinator()}),
 *                         whose machine {@code pid} is of; null when no process is on record, or it was recorded before
 *                         the launching coordinator was
 * @param permanent        whether it failed in a way every attempt would, so its ticket got no retry
 *                         ({@link RunEvent.AttemptFinished#permanent()}); false while it runs, for every other end, and for
 *                         an attempt recorded before the flag was
 */
public record AttemptView(String runId, String ticketId, int attempt, Outcome outcome, Integer exitCode,
                          String reason, long startedAtMillis, long finishedAtMillis, long pid, long startTicks,
                          Long outputBytes, String coordinator, boolean permanent) {
    /** An attempt that is not {@linkplain #permanent permanent}. */
    public AttemptView(String runId, String ticketId, int attempt, Outcome outcome, Integer exitCode, String reason,
                       long startedAtMillis, long finishedAtMillis, long pid, long startTicks, Long outputBytes,
                       String coordinator) {
        this(runId, ticketId, attempt, outcome, exitCode, reason, startedAtMillis, finishedAtMillis, pid, startTicks, outputBytes,
                coordinator, false);
    }

    /** An attempt without a launching coordinator on record, not {@linkplain #permanent permanent}. */
    public AttemptView(String runId, String ticketId, int attempt, Outcome outcome, Integer exitCode, String reason,
                       long startedAtMillis, long finishedAtMillis, long pid, long startTicks, Long outputBytes) {
        this(runId, ticketId, attempt, outcome, exitCode, reason, startedAtMillis, finishedAtMillis, pid, startTicks, outputBytes,
                null, false);
    }

    /** Whether the attempt has not ended yet ({@code outcome} is null), or its coordinator died before recording the end. */
    public boolean isRunning() {
        return outcome == null;
    }
}
