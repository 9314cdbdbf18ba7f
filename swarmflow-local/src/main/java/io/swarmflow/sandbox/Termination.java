package io.swarmflow.sandbox;

/** Why a sandboxed process ended. */
public enum Termination {
    /** It exited by itself (any exit code). */
    EXITED,
    /** It ran past its wall-clock timeout and its process group was stopped. */
    TIMED_OUT,
    /** {@link SandboxProcess#cancel()} stopped its process group. */
    CANCELLED
}
