package io.swarmflow.spec;

/** The directory an attempt works in ({@code workspace:} in the swarm spec). */
public enum WorkspaceMode {
    /** The repository's working tree, read-only inside the sandbox. */
    REPO,
    /** A writable directory shared by all tickets of the run (also {@code SWARM_SCRATCH}). */
    RUN,
    /** The ticket's own writable git worktree on branch {@code swarm/<run>/<ticket>}. */
    WORKTREE
}
