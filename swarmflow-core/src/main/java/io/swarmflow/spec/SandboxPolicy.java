package io.swarmflow.spec;

/** How strictly the sandbox is applied ({@code sandbox:} of a profile or of {@code defaults}). */
public enum SandboxPolicy {
    /** bubblewrap must be available; the run fails before starting otherwise. */
    REQUIRED,
    /** bubblewrap when installed; otherwise warn once and run with resource limits only (the default). */
    BEST_EFFORT,
    /** No isolation beyond environment scrubbing and resource limits. */
    OFF
}
