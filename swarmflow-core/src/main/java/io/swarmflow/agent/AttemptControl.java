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

    /**
     * Confirms that this attempt's coordinator still holds the run, renewing its lease (a durable write, as the coordinator's
     * heartbeat). An executor calls it right before a side effect outside the store that another attempt of the same
     * ticket would share, such as creating or committing the ticket's git worktree: the store's fencing (the epoch on
     * every append) refuses a superseded coordinator's events, but not what it does to files. A coordinator that stopped
     * for longer than its lease (a frozen process, {@code kill -STOP}) may have been taken over meanwhile, and a later
     * attempt may be working in that worktree now.
     *
     * <p>Once it returns, no other coordinator can claim the run before the lease it renewed expires: {@code leaseMillis}
     * of the engine from the store's clock at the renewal's write, unless this whole process stops for that long, or (an
     * owner id without start ticks, off Linux) the wall clock is stepped by more than a second, which lets a resume on
     * this host take a coordinator for gone. Any thread. Does nothing by default (a control without a run store to fence,
     * as in tests).
     *
     * @throws io.swarmflow.store.StoreException.Fenced when another coordinator took the run over, or this one has ended
     *                                                  and given its lease up: the executor must leave the shared state
     *                                                  alone and end the attempt
     * @throws io.swarmflow.store.StoreException        when the store cannot confirm it (unavailable): the executor must
     *                                                  leave the shared state alone and end the attempt, failed
     */
    default void confirmHeld() {}

    /** Reports the attempt's process (group leader) so it can be found after a crash. */
    void processStarted(long pid, long startTicks);

    /**
     * One line of output, for the live view ({@code stream} is {@code stdout} or {@code stderr}), that continues no other:
     * as {@link #logLine(String, String, boolean)} with {@code false}.
     */
    void logLine(String stream, String line);

    /**
     * One line of output, for the live view, told whether it continues the terminal line of the line of {@code stream}
     * passed on just before it: that line was ended by a lone CR (no LF after it), and this one is drawn over it, as a
     * terminal does, a progress bar's next state ({@code 10%\r20%\r} is {@code 10%} with {@code false}, then {@code 20%}
     * with {@code true}). By default the flag is dropped and
     * {@link #logLine(String, String)} called, for a control that shows every line alike; the engine's passes it on to
     * {@link io.swarmflow.engine.RunListener#onLogLine(String, int, String, String, boolean)}.
     *
     * @param stream      {@code stdout} or {@code stderr}
     * @param line        the line without its end
     * @param afterLoneCr whether {@code line} continues (is drawn over) the line of the same stream passed on before it
     */
    default void logLine(String stream, String line, boolean afterLoneCr) {
        logLine(stream, line);
    }

    /**
     * {@link #logLine(String, String, boolean)}, told also whether the next line of {@code stream} may continue (be drawn
     * over) {@code line}: {@code true} when a lone CR ended it, or CRs whose LF is not known yet; {@code false} when it
     * cannot be continued (ended by LF or CR LF, or the last of the stream). A live view that holds a progress bar's state
     * to print only its last need not hold a line told {@code false}. By default the flag is dropped and
     * {@link #logLine(String, String, boolean)} called; the engine's passes it on to
     * {@link io.swarmflow.engine.RunListener#onLogLine(String, int, String, String, boolean, boolean)}, and takes a line
     * given without it as one that may be continued.
     *
     * @param stream         {@code stdout} or {@code stderr}
     * @param line           the line without its end
     * @param afterLoneCr    whether {@code line} continues (is drawn over) the line of the same stream passed on before it
     * @param mayBeContinued whether the next line of {@code stream} may continue {@code line}
     */
    default void logLine(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
        logLine(stream, line, afterLoneCr);
    }

    /**
     * The attempt's log file of {@code stream} reached its cap (the ticket's {@code log-size}) inside a line: the line of
     * {@code stream} passed on next is the part of that line the cap kept, and the log file has no more of it (nor of any
     * later line the process writes to the stream). Not told when the cap fell on a line's end. Told at most once per
     * stream, before that line. Does nothing by default;
     * the engine's passes it on to {@link io.swarmflow.engine.RunListener#onLogCapped(String, int, String)}.
     *
     * @param stream {@code stdout} or {@code stderr}
     */
    default void logCapped(String stream) {}
}
