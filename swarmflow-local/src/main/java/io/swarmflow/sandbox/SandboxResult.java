package io.swarmflow.sandbox;

/**
 * How a sandboxed process ended.
 *
 * @param termination     exited by itself, timed out, or cancelled
 * @param exitCode        exit code when {@link Termination#EXITED} (128 + n when killed by signal n), else null
 * @param durationMillis  wall-clock time from start to the end of the process, in milliseconds
 * @param stdoutBytes     bytes the process wrote to stdout (including bytes dropped past the cap)
 * @param stderrBytes     bytes the process wrote to stderr (including bytes dropped past the cap)
 * @param truncated       whether either stream went past the log cap
 * @param lastStderrLine  the last non-blank line written to stderr, or null; lines end at an LF or at a lone CR (as for
 *                        {@link LineListener#line}), so a progress bar's states before {@code \rerror: boom\n} are not in
 *                        it; its first 64 KiB (of bytes) when longer; past the log cap too
 * @param killedAfterGrace when timed out or cancelled: the process was still running when the grace period after TERM
 *                         ran out, and was killed (SIGKILL); false when it ended on the TERM, or was killed at once
 * @param escaped         processes the attempt started that left its process group and were still running after it,
 *                        found and ended (TERM, then KILL after the grace; what they started meanwhile, found by later
 *                        scans, KILLed at once) where neither bubblewrap nor a cgroup ends them, each as
 *                        "PID (COMMAND LINE)", the command line with {@link SandboxSpec#masked} replaced and cut to 200
 *                        characters; empty when none
 * @param escapedLeft     such processes still running when Swarmflow gave up ending them (they kept starting others
 *                        through every scan), named as {@code escaped}; empty when none
 * @param setIds          the set-user-id or set-group-id regular files found in the directories the attempt could
 *                        write once its processes had ended ({@link SetIdBits}): those whose bits were cleared, the
 *                        names of those with several hard links replaced by a copy without the bits or, when no copy
 *                        could be made, removed ({@link SetIdBits.Cleared#replaced()}), and those not changed (a hard
 *                        link that could neither be copied nor removed, a mount point, no safe way here) with the
 *                        directories that could not be checked; files in the run's shared scratch may be another
 *                        ticket's; {@link SetIdBits.Cleared#isEmpty() empty} when none
 */
public record SandboxResult(Termination termination, Integer exitCode, long durationMillis, long stdoutBytes,
                            long stderrBytes, boolean truncated, String lastStderrLine, boolean killedAfterGrace,
                            java.util.List<String> escaped, java.util.List<String> escapedLeft, SetIdBits.Cleared setIds) {
    /** Copies {@code escaped} and {@code escapedLeft}. */
    public SandboxResult {
        escaped = java.util.List.copyOf(escaped);
        escapedLeft = java.util.List.copyOf(escapedLeft);
        java.util.Objects.requireNonNull(setIds, "setIds");
    }

    /** A result with no set-uid files. */
    public SandboxResult(Termination termination, Integer exitCode, long durationMillis, long stdoutBytes,
                         long stderrBytes, boolean truncated, String lastStderrLine, boolean killedAfterGrace,
                         java.util.List<String> escaped, java.util.List<String> escapedLeft) {
        this(termination, exitCode, durationMillis, stdoutBytes, stderrBytes, truncated, lastStderrLine, killedAfterGrace,
                escaped, escapedLeft, SetIdBits.Cleared.NONE);
    }

    /** A result with no {@code escaped} processes. */
    public SandboxResult(Termination termination, Integer exitCode, long durationMillis, long stdoutBytes,
                         long stderrBytes, boolean truncated, String lastStderrLine, boolean killedAfterGrace) {
        this(termination, exitCode, durationMillis, stdoutBytes, stderrBytes, truncated, lastStderrLine, killedAfterGrace,
                java.util.List.of(), java.util.List.of(), SetIdBits.Cleared.NONE);
    }

    /** True when the process exited by itself with code 0. */
    public boolean succeeded() {
        return termination == Termination.EXITED && exitCode != null && exitCode == 0;
    }
}
