package io.swarmflow.store;

/** Lifecycle state of a run. */
public enum RunState {
    /** Created, not started yet. */
    CREATED,
    /** A coordinator is (or was, until it crashed) executing it. */
    RUNNING,
    /** Every ticket succeeded. */
    SUCCEEDED,
    /** Every ticket is final and at least one failed or was skipped because of a failure. */
    FAILED,
    /** Stopped by the user; {@code swarm resume} continues it. */
    CANCELLED;

    /**
     * Whether the run ended on its own: succeeded or failed. A cancelled run is not finished, since
     * {@code swarm resume} continues it.
     *
     * @return true for {@link #SUCCEEDED} and {@link #FAILED}
     */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED;
    }

    /**
     * The state as said of a run that is in it already, after the run's id: {@code has already succeeded},
     * {@code has already failed}, {@code was already cancelled}, {@code is already running}, {@code has not started yet}.
     */
    public String already() {
        return switch (this) {
            case CREATED -> "has not started yet";
            case RUNNING -> "is already running";
            case SUCCEEDED, FAILED -> "has already " + label();
            case CANCELLED -> "was already cancelled";
        };
    }

    /** Lower-case name used in the CLI and JSON ({@code succeeded}). */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
