package io.swarmflow.store;

/** Lifecycle state of a ticket (see docs/architecture.md for the transitions). */
public enum TicketState {
    PENDING, READY, AWAITING_APPROVAL, RUNNING, RETRY_WAIT, SUCCEEDED, FAILED, SKIPPED, CANCELLED;

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
