package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;

/**
 * Observes a run while a coordinator executes it (live progress view, logs). Called from the
 * scheduler thread for events and from attempt threads for log lines: implementations must be
 * fast and thread-safe. Default methods do nothing.
 */
public interface RunListener {
    /** An event the coordinator just submitted for appending (durable shortly after). */
    default void onEvent(RunEvent event, long atEpochMillis) {}

    /** A line an attempt printed; {@code stream} is {@code stdout} or {@code stderr}. */
    default void onLogLine(String ticketId, int attempt, String stream, String line) {}

    /** Something the user should know that is not an event (e.g. sandbox degraded, waiting for approval). */
    default void onNotice(String message) {}

    /** A listener that ignores everything; used when none is given. */
    RunListener NONE = new RunListener() {};
}
