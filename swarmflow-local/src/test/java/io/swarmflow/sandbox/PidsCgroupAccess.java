package io.swarmflow.sandbox;

/** Lets tests outside this package ask whether per-attempt pids cgroups work here. */
public final class PidsCgroupAccess {
    private PidsCgroupAccess() {}

    public static boolean usable() {
        return PidsCgroup.get().isPresent();
    }
}
