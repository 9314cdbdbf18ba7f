package io.swarmflow.store;

/** How an attempt ended. */
public enum Outcome {
    /** The agent reported success; its outputs are recorded and the ticket succeeds. */
    SUCCEEDED,
    /** The agent reported failure (non-zero exit code, error). */
    FAILED,
    /** The attempt ran past the ticket's timeout and was killed; a failure reason. */
    TIMED_OUT,
    /** Stopped by cancellation. */
    CANCELLED,
    /** Its coordinator died while it ran; detected on resume. Does not consume the retry budget. */
    LEASE_EXPIRED;

    /** Lower-case, dash-separated name used in the CLI and JSON ({@code lease-expired}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
