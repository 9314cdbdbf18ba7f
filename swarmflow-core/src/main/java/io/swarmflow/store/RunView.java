package io.swarmflow.store;

/**
 * Projection of a run.
 *
 * @param runId           run id
 * @param name            swarm name
 * @param specPath        spec file as given when the run was created
 * @param state           run state
 * @param createdAtMillis store time of creation, epoch milliseconds
 * @param startedAtMillis first start, epoch milliseconds, or 0
 * @param finishedAtMillis end, epoch milliseconds, or 0 while not finished
 * @param epoch           fencing epoch of the current (or last) coordinator, 0 before the first start
 * @param owner           {@code host:pid} of the current (or last) coordinator, or null
 * @param cancelRequested whether a cancel was requested since the last start
 * @param ticketCount     number of tickets in the plan
 * @param lastSeq         sequence number of the last event
 */
public record RunView(String runId, String name, String specPath, RunState state, long createdAtMillis,
                      long startedAtMillis, long finishedAtMillis, long epoch, String owner,
                      boolean cancelRequested, int ticketCount, long lastSeq) {}
