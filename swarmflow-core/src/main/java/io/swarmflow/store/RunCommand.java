package io.swarmflow.store;

/**
 * A request from outside the coordinator (another terminal, the API) to change a run: approve,
 * reject or cancel. Commands go to an inbox; the run's coordinator turns them into events, so
 * each run keeps a single writer. A command for a run with no live coordinator is applied when the
 * run is resumed.
 *
 * @param id        store-assigned id (0 before it is stored)
 * @param runId     run
 * @param kind      what to do
 * @param ticketId  ticket for approve/reject, null for cancel
 * @param by        who asked ({@code user@host})
 * @param reason    free text (required for reject)
 * @param createdAtMillis store time, epoch milliseconds
 */
public record RunCommand(long id, String runId, Kind kind, String ticketId, String by, String reason, long createdAtMillis) {
    /** What a command asks the coordinator to do. */
    public enum Kind {
        /** Pass the ticket's approval gate: the ticket becomes ready. */
        APPROVE,
        /** Refuse the ticket's approval gate: the ticket fails with {@code reason}. */
        REJECT,
        /** Stop the run: running attempts are terminated and the run is recorded cancelled. */
        CANCEL
    }
}
