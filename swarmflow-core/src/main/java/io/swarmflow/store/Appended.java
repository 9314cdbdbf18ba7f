package io.swarmflow.store;

/**
 * The acknowledgement of a durable append ({@link RunStore#appendRecorded}): where its events are in the run's log and
 * when the store recorded them.
 *
 * @param lastSeq       the sequence number of the append's last event (1-based, gap-free per run, as
 *                      {@link StoredEvent#seq()}); its first event's is {@code lastSeq - events + 1}. For an append of no
 *                      events, the run's last sequence number then
 * @param atEpochMillis when the store recorded the append, on the store clock, in milliseconds since the epoch: the
 *                      very value {@link RunStore#events} reads back as {@link StoredEvent#atEpochMillis()} for each of
 *                      its events. Every event of one append has this one time (one clock reading per transaction: the
 *                      appends committed in one transaction, a group commit, share it too)
 */
public record Appended(long lastSeq, long atEpochMillis) {}
