package io.swarmflow.sandbox;

/** How strictly a launch is isolated. Mirrors the spec's sandbox policy without depending on it. */
public enum Isolation {
    /** bubblewrap must be usable; {@link Sandbox#start} throws {@link SandboxException} otherwise. */
    REQUIRED,
    /** bubblewrap when usable; otherwise warn once and run with resource limits only. */
    BEST_EFFORT,
    /** No bubblewrap: environment scrubbing, own process group and resource limits only. */
    OFF
}
