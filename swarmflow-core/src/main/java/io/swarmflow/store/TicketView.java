package io.swarmflow.store;

import java.util.Map;

/**
 * Projection of a ticket.
 *
 * @param runId           run id
 * @param ticketId        ticket id
 * @param index           position in the plan (topological order)
 * @param state           current state
 * @param attempt         number of the current or last attempt; 0 before the first
 * @param failures        attempts that failed or timed out (these consume {@code retries.max})
 * @param leaseExpiries   attempts lost to a dead coordinator (these do not consume retries)
 * @param exitCode        exit code of the last finished attempt, or null
 * @param reason          failure, skip or cancel reason of the ticket, or null
 * @param outputs         outputs of the succeeded attempt (empty otherwise)
 * @param approvedBy      who approved the gate, or null
 * @param startedAtMillis start of the first attempt, epoch milliseconds, or 0
 * @param finishedAtMillis when it reached a final state, epoch milliseconds, or 0
 * @param retryAtMillis   while in retry-wait: earliest next attempt, epoch milliseconds; else 0
 */
public record TicketView(String runId, String ticketId, int index, TicketState state, int attempt, int failures,
                         int leaseExpiries, Integer exitCode, String reason, Map<String, String> outputs,
                         String approvedBy, long startedAtMillis, long finishedAtMillis, long retryAtMillis) {
    /** Copies {@code outputs}, which must not be null or hold nulls; the other components are stored as given. */
    public TicketView {
        outputs = Map.copyOf(outputs);
    }
}
