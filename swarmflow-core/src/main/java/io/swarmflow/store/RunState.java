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

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
