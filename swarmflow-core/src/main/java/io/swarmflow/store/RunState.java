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

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
