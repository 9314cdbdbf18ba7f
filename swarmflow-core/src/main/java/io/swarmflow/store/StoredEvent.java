package io.swarmflow.store;

/**
 * An event as stored.
 *
 * @param runId         run
 * @param seq           1-based sequence number, gap-free per run
 * @param atEpochMillis store clock time of the append, in milliseconds since the epoch
 * @param event         the event
 */
public record StoredEvent(String runId, long seq, long atEpochMillis, RunEvent event) {}
