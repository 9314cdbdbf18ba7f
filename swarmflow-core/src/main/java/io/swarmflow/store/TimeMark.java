package io.swarmflow.store;

/**
 * One event of a run that says when it was executed or when a ticket waited at its approval gate, as a store keeps it
 * apart from the run's other events ({@link TimeMarks}), so that a reader of those times need not read every event.
 *
 * @param seq              the event's sequence number in the run, 1-based
 * @param atEpochMillis    the time the store recorded it at, epoch milliseconds
 * @param event            the event: one of those {@link TimeMarks#kept} selects
 * @param previousAtMillis for a {@link RunEvent.RunStarted}: the time of the run's event just before it (the last event
 *                         of a coordinator that stopped without recording an end), epoch milliseconds; 0 for other events
 */
public record TimeMark(long seq, long atEpochMillis, RunEvent event, long previousAtMillis) {

    /** The mark as the stored event it copies. */
    public StoredEvent stored(String runId) {
        return new StoredEvent(runId, seq, atEpochMillis, event);
    }
}
