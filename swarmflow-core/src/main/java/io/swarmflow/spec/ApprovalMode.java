package io.swarmflow.spec;

/** Approval gate of a ticket ({@code approval:} in the swarm spec). */
public enum ApprovalMode {
    /** No gate. */
    NONE,
    /** The ticket waits in awaiting-approval until a person approves or rejects it. */
    BEFORE_RUN
}
