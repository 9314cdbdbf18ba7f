package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;

/**
 * Observes a run while a coordinator executes it (live progress view, logs). Implementations must be fast and
 * thread-safe. Default methods do nothing.
 *
 * <p>What it hears of the run was recorded: {@link #onEvent} gets an event only once the append that holds it is durable,
 * once, in the order of the run's event log, and never an event whose append failed (a coordinator stopped by the store,
 * say while another process holds the database locked, leaves unheard what it did but could not record). When
 * {@link RunEngine#execute()} returns, the listener has heard every event of the run up to its {@link RunEvent.RunFinished};
 * when it throws, every event recorded before the failure, and those of its appends then in flight that became durable
 * while it stopped its attempts. Events and the coordinator's notices come from the scheduler
 * thread (the caller of {@code execute()}), never from the store's writer.
 */
public interface RunListener {
    /**
     * An event of the run, now durable. An attempt's {@link RunEvent.AttemptStarted} is heard before its
     * {@link #onLogLine}s (the attempt starts once it is durable, and what it prints before it is heard waits for it).
     *
     * @param atEpochMillis when the store recorded the event, milliseconds since the epoch: the store's clock, the time in
     *                      the run's event log ({@link io.swarmflow.store.StoredEvent#atEpochMillis()}) from which
     *                      {@code swarm status} and reports take their times and durations, so the live view's agree with
     *                      theirs (the store acknowledges each append with it: {@link io.swarmflow.store.Appended});
     *                      the same for every event of one append
     */
    default void onEvent(RunEvent event, long atEpochMillis) {}

    /**
     * A line an attempt printed; {@code stream} is {@code stdout} or {@code stderr}. Called at once, from the attempt's
     * thread (output is not recorded in the event log), but for the lines printed before the listener heard the attempt's
     * {@link RunEvent.AttemptStarted}: those come right after it, in order, from the thread that tells events.
     */
    default void onLogLine(String ticketId, int attempt, String stream, String line) {}

    /**
     * {@link #onLogLine(String, int, String, String)}, told also whether {@code line} continues the terminal line of the
     * line of the same attempt and {@code stream} heard just before it: that one was ended by a lone CR (no LF after it)
     * and this one is drawn over it, as a terminal does, a progress bar's next state
     * ({@link io.swarmflow.agent.AttemptControl#logLine(String, String, boolean)}). The lines of one terminal line thus come
     * as a first with {@code false}, then each of its later states with {@code true}. The engine calls this method; by
     * default it calls {@link #onLogLine(String, int, String, String)}, so a listener that shows every line alike
     * implements that one alone.
     *
     * @param afterLoneCr whether {@code line} continues the line of the same attempt and stream heard before it
     */
    default void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr) {
        onLogLine(ticketId, attempt, stream, line);
    }

    /**
     * {@link #onLogLine(String, int, String, String, boolean)}, told also whether the next line of the same attempt and
     * {@code stream} may continue {@code line} ({@link io.swarmflow.agent.AttemptControl#logLine(String, String, boolean, boolean)}):
     * {@code false} when it cannot (ended by LF, say), so that a view holding a progress bar's state until it knows
     * whether the next draws over it can print such a line at once. The engine calls this method; by default it calls
     * {@link #onLogLine(String, int, String, String, boolean)}.
     *
     * @param afterLoneCr    whether {@code line} continues the line of the same attempt and stream heard before it
     * @param mayBeContinued whether the next line of the same attempt and stream may continue {@code line}
     */
    default void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
        onLogLine(ticketId, attempt, stream, line, afterLoneCr);
    }

    /**
     * The attempt's log file of {@code stream} reached its cap (the ticket's {@code log-size}) inside a line: the line of
     * the same attempt and {@code stream} heard next is the part of that line the cap kept, which the log file has no
     * more of ({@code swarm logs} cannot show it whole). Not heard when the cap fell on a line's end. Heard at most once per attempt and stream, in order with its lines
     * ({@link io.swarmflow.agent.AttemptControl#logCapped(String)}). Does nothing by default.
     *
     * @param stream {@code stdout} or {@code stderr}
     */
    default void onLogCapped(String ticketId, int attempt, String stream) {}

    /**
     * Something the user should know that is not an event (e.g. sandbox degraded, waiting for approval). The
     * coordinator's own notices come after the events it made before them were heard (or failed to be recorded: the
     * notice is heard all the same); the store's notices about this run's writes (the database locked by another process)
     * come at once, from the store's threads.
     */
    default void onNotice(String message) {}

    /** A listener that ignores everything; used when none is given. */
    RunListener NONE = new RunListener() {};
}
