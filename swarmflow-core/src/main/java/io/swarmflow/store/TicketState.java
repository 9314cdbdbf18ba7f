package io.swarmflow.store;

/** Lifecycle state of a ticket (see docs/architecture.md for the transitions). */
public enum TicketState {
    /** Waiting for its dependencies to become final; a cancelled ticket returns here on resume. */
    PENDING,
    /** Dependencies met and its {@code when} condition true; queued by priority for a free slot. */
    READY,
    /** Has an approval gate; waits for {@code swarm approve} (then ready) or {@code swarm reject} (then failed). */
    AWAITING_APPROVAL,
    /** An attempt is executing under the run's coordinator. */
    RUNNING,
    /** The last attempt failed or timed out with retries left; becomes ready again after the backoff delay. */
    RETRY_WAIT,
    /** An attempt succeeded; its outputs are recorded. Final. */
    SUCCEEDED,
    /** Out of attempts, rejected at its gate, or otherwise failed for good. Final. */
    FAILED,
    /** Never ran: a dependency failed or was skipped, its {@code when} was false, or fail-fast stopped it. Final. */
    SKIPPED,
    /** Stopped by cancelling the run; not final: {@code swarm resume} requeues it as pending. */
    CANCELLED;

    /** Succeeded, failed or skipped: the ticket will not run again in this run. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == SKIPPED;
    }

    /**
     * The state as said after a ticket's id: {@code is pending}, {@code is awaiting-approval}, {@code is waiting to retry},
     * {@code has succeeded}, {@code has failed}, {@code was skipped}, {@code was cancelled}.
     */
    public String phrase() {
        return switch (this) {
            case PENDING, READY, AWAITING_APPROVAL, RUNNING -> "is " + label();
            case RETRY_WAIT -> "is waiting to retry";
            case SUCCEEDED, FAILED -> "has " + label();
            case SKIPPED, CANCELLED -> "was " + label();
        };
    }

    /** Lower-case, dash-separated name used in the CLI and JSON ({@code awaiting-approval}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
