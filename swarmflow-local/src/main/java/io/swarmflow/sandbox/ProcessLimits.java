package io.swarmflow.sandbox;

/**
 * setrlimit(2) limits applied through prlimit(1) to the sandboxed process and everything it starts.
 * Every value 0 means unlimited (the option is not passed).
 *
 * @param cpuSeconds        RLIMIT_CPU, seconds of CPU time
 * @param addressSpaceBytes RLIMIT_AS, bytes
 * @param fileSizeBytes     RLIMIT_FSIZE, bytes
 * @param processes         RLIMIT_NPROC, processes of the user (not enforced by the kernel for root)
 */
public record ProcessLimits(long cpuSeconds, long addressSpaceBytes, long fileSizeBytes, long processes) {
    /** No limits at all. */
    public static final ProcessLimits NONE = new ProcessLimits(0, 0, 0, 0);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException when a limit is negative
     */
    public ProcessLimits {
        if (cpuSeconds < 0 || addressSpaceBytes < 0 || fileSizeBytes < 0 || processes < 0) {
            throw new IllegalArgumentException("process limits must not be negative");
        }
    }
}
