package io.swarmflow.agent;

/**
 * The engine's side of a running attempt, handed to the executor. Thread-safe.
 */
public interface AttemptControl {
    /** True once the attempt must stop (run cancelled). */
    boolean isCancelled();

    /**
     * Registers an action run once when the attempt is cancelled (immediately if it already is).
     * Process agents send TERM to the process group, then KILL after {@link #gracePeriodMillis()}.
     */
    void onCancel(Runnable action);

    /**
     * Registers an action run once when the attempt must stop at once (immediately if it already must): the user
     * interrupted the cancellation itself (a second Ctrl-C). Process agents then send KILL to the process group
     * without waiting out the grace period. Always follows {@link #onCancel}'s action.
     */
    void onKill(Runnable action);

    /**
     * Grace between TERM and KILL, in milliseconds: 0 sends KILL right after TERM; negative means none was given, and the
     * executor uses its own.
     */
    long gracePeriodMillis();

    /** Reports the attempt's process (group leader) so it can be found after a crash. */
    void processStarted(long pid, long startTicks);

    /** One line of output, for the live view ({@code stream} is {@code stdout} or {@code stderr}). */
    void logLine(String stream, String line);
}
