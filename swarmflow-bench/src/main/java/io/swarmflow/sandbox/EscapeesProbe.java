package io.swarmflow.sandbox;

import java.util.List;
import java.util.Map;

/**
 * The benchmarks' way into the package-private {@link Escapees} (the escaped-process scan that an attempt without
 * bubblewrap and without a pids cgroup runs at its end): the same class and methods that {@code SandboxProcess} calls,
 * reached from swarmflow-bench by sharing the package on the class path. Not part of the product; the product has no
 * switch that turns the scan off, so {@code EscapeesScan} times it directly.
 */
public final class EscapeesProbe {
    private EscapeesProbe() {
    }

    /** {@link Escapees#EVERY_PID_AFTER_MILLIS}: after an attempt this long (ms), every process is looked at. */
    public static final long EVERY_PID_AFTER_MILLIS = Escapees.EVERY_PID_AFTER_MILLIS;

    /**
     * Runs the scan as {@code SandboxProcess} does at an attempt's end: {@code Escapees.find(leaderPid, leaderStartTicks,
     * Escapees.markers(env), everyPid)}.
     *
     * @param leaderStartTicks the attempt's first process's start time, clock ticks since boot ({@link ProcessGroups#startTicks})
     * @param env the attempt's environment (it must hold SWARM_RUN_ID, SWARM_TICKET_ID and SWARM_ATTEMPT, or nothing is
     *            found; and SWARM_SCRATCH, as every attempt's does, which the processes found must then hold too)
     * @return the pids found (processes of this user, started since the attempt's first one, holding its markers)
     */
    public static List<Long> find(long leaderPid, long leaderStartTicks, Map<String, String> env, boolean everyPid) {
        return Escapees.find(leaderPid, leaderStartTicks, Escapees.markers(env), everyPid).stream().map(Escapees.Found::pid).toList();
    }

    /** Ends what {@link #find} finds (TERM, then KILL after {@code graceMillis}), as the attempt's end does. */
    public static void end(long leaderPid, long leaderStartTicks, Map<String, String> env, boolean everyPid, long graceMillis)
            throws InterruptedException {
        Escapees.end(Escapees.find(leaderPid, leaderStartTicks, Escapees.markers(env), everyPid), graceMillis);
    }
}
