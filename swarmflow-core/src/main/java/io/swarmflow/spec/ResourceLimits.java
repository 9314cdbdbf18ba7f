package io.swarmflow.spec;

/**
 * Resource limits applied to every process of an attempt (setrlimit(2) through prlimit(1)).
 *
 * @param cpuSeconds       RLIMIT_CPU in seconds of CPU time; 0 means unlimited
 * @param addressSpaceBytes RLIMIT_AS in bytes; 0 means unlimited
 * @param fileSizeBytes    RLIMIT_FSIZE in bytes; 0 means unlimited
 * @param processes        RLIMIT_NPROC (processes of the user); 0 means unlimited
 * @param logBytes         cap on each captured stream (stdout, stderr) per attempt, in bytes;
 *                         output past it is dropped and a truncation marker is written; 0 means unlimited
 * @param tmpBytes         size in bytes of each of the sandbox's own tmpfs mounts ({@code /tmp}, which holds the
 *                         attempt's {@code HOME}, and {@code /dev/shm}): RAM that neither RLIMIT_AS nor RLIMIT_FSIZE
 *                         counts; 0 means the kernel's default, half of the host's RAM each
 */
public record ResourceLimits(long cpuSeconds, long addressSpaceBytes, long fileSizeBytes, int processes, long logBytes,
                             long tmpBytes) {
    /**
     * Defaults: 1 h CPU, 8 GiB address space, 1 GiB per file, 1024 processes, 10 MiB of log per stream, 1 GiB for each of
     * {@code /tmp} and {@code /dev/shm}.
     */
    public static final ResourceLimits DEFAULTS =
            new ResourceLimits(3600, 8L << 30, 1L << 30, 1024, 10L << 20, 1L << 30);

    /**
     * Checks the limits.
     *
     * @throws IllegalArgumentException when a limit is negative
     */
    public ResourceLimits {
        if (cpuSeconds < 0 || addressSpaceBytes < 0 || fileSizeBytes < 0 || processes < 0 || logBytes < 0
                || tmpBytes < 0) {
            throw new IllegalArgumentException("resource limits must not be negative");
        }
    }
}
