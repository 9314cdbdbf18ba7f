package io.swarmflow.engine;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * Coordinator identities, {@code host:pid@startMillis/n}, and the check that lets a resume take a
 * run over at once when its previous coordinator was a process on this host that no longer
 * exists (rather than waiting for its lease to expire). The start time guards against pid reuse.
 */
public final class Owners {
    private static final java.util.concurrent.atomic.AtomicLong COORDINATORS = new java.util.concurrent.atomic.AtomicLong();

    private Owners() {}

    /**
     * A new coordinator's identity: this process's ({@link #current}) and {@code /n}, a number no other coordinator of
     * this process has. A store lets a run's lease holder claim the run again while its lease runs; were two
     * coordinators of one process the same owner, the second would take a run the first still executes, and run its
     * running tickets again.
     */
    public static String coordinator() {
        return current() + "/" + COORDINATORS.incrementAndGet();
    }

    /** This process's identity. */
    public static String current() {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        return hostName() + ":" + self.pid() + "@" + start;
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    /**
     * True when {@code owner} ({@code host:pid@startMillis}, with or without the {@code /n} of {@link #coordinator}) names
     * a process of this machine (alive or not), by its host part: only then are the pids it recorded this machine's. False
     * for another machine's, for null, and for an owner without {@code :} and {@code @} in that order (its pid and start
     * are not parsed here). Two machines whose host names cannot be looked up both read as {@code localhost}.
     */
    public static boolean isOnThisHost(String owner) {
        if (owner == null) return false;
        int colon = owner.lastIndexOf(':');
        int at = owner.lastIndexOf('@');
        return colon >= 0 && at > colon && owner.substring(0, colon).equals(hostName());
    }

    /**
     * True when {@code owner} ({@code host:pid@startMillis}, with or without the {@code /n} of {@link #coordinator})
     * names a process on this host that is gone (or was replaced by another process with the same pid). False for
     * other hosts and for live processes.
     */
    public static boolean isDeadLocalProcess(String owner) {
        if (!isOnThisHost(owner)) return false;
        int colon = owner.lastIndexOf(':');
        int at = owner.lastIndexOf('@');
        long pid;
        long start;
        try {
            pid = Long.parseLong(owner.substring(colon + 1, at));
            int slash = owner.indexOf('/', at);
            start = Long.parseLong(slash < 0 ? owner.substring(at + 1) : owner.substring(at + 1, slash));
        } catch (NumberFormatException e) {
            return false;
        }
        if (pid == ProcessHandle.current().pid()) return false;
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        if (ph.isEmpty() || !ph.get().isAlive()) return true;
        long actual = ph.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        return start != 0 && actual != -1 && Math.abs(actual - start) > 1_000;
    }
}
