package io.swarmflow.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Coordinator identities, {@code host:pid@startMillis/n}, and the check that lets a resume take a
 * run over at once when its previous coordinator was a process on this host that no longer
 * exists (rather than waiting for its lease to expire). The start time guards against pid reuse, and tells whether
 * the process ran before this machine last started ({@link #isOfThisBoot}).
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

    /** Where Linux says when this machine started: the {@code btime} line of {@code /proc/stat}, see proc(5). */
    private static final Path PROC_STAT = Path.of("/proc/stat");

    /** How far the start of a process of this boot may read before {@code btime}, in milliseconds: its rounding. */
    static final long BOOT_SLACK_MILLIS = 1_000;

    /**
     * True when {@code owner} ({@code host:pid@startMillis}, with or without the {@code /n} of {@link #coordinator}) started
     * after this machine last booted, so the pids it recorded may name processes running now: its {@code startMillis} (the
     * JVM's start on this machine's clock, which Linux computes as {@code btime} plus the process's start ticks) is at or
     * after the current boot's {@code btime} (the {@code btime} line of {@code /proc/stat}, seconds since the epoch, see
     * proc(5)) less {@link #BOOT_SLACK_MILLIS}. False when it started before: a coordinator of an earlier boot, and every
     * process it launched, ended with that boot, so a pid it recorded names, if anything, an unrelated process of this boot.
     * <p>
     * False as well when it cannot be told (the owner is null, has no {@code @startMillis}, or a start that is not a
     * positive number; {@code /proc/stat} cannot be read or has no {@code btime}, as off Linux): callers kill, or report as
     * still running, only what this answers true for. Host names are not compared ({@link #isOnThisHost} does that). A
     * step of the clock after the boot moves {@code btime} too: forward, a coordinator of this boot may read as of an
     * earlier one (its processes are then left alone); backward by more than the time between the two boots, one of an
     * earlier boot reads as of this one.
     */
    public static boolean isOfThisBoot(String owner) {
        return isOfThisBoot(owner, currentBootMillis());
    }

    /**
     * True only when it can be told that {@code owner} started before the current boot (less {@link #BOOT_SLACK_MILLIS}):
     * its start and the boot's are both known. Not the negation of {@link #isOfThisBoot}, which is false as well when either
     * is not known: a caller tells the two apart to say which it is.
     */
    public static boolean isOfAnEarlierBoot(String owner) {
        return isOfAnEarlierBoot(owner, currentBootMillis());
    }

    /** {@link #isOfAnEarlierBoot(String)} with the current boot's start given (epoch milliseconds; empty when unknown). */
    static boolean isOfAnEarlierBoot(String owner, OptionalLong bootMillis) {
        OptionalLong start = startMillis(owner);
        return start.isPresent() && bootMillis.isPresent() && start.getAsLong() < bootMillis.getAsLong() - BOOT_SLACK_MILLIS;
    }

    /** The current boot's start, read from {@code /proc/stat} once per process (empty when unknown). */
    private static OptionalLong currentBootMillis() {
        OptionalLong boot = bootMillis;
        if (boot == null) bootMillis = boot = bootMillis(PROC_STAT);
        return boot;
    }

    private static volatile OptionalLong bootMillis;

    /**
     * {@link #isOfThisBoot(String)} with the current boot's start, in milliseconds since the epoch, given
     * ({@code bootMillis}, empty when unknown).
     */
    static boolean isOfThisBoot(String owner, OptionalLong bootMillis) {
        OptionalLong start = startMillis(owner);
        return start.isPresent() && bootMillis.isPresent() && start.getAsLong() >= bootMillis.getAsLong() - BOOT_SLACK_MILLIS;
    }

    /** The start in {@code owner} ({@code host:pid@startMillis[/n]}), epoch milliseconds; empty when absent or not positive. */
    private static OptionalLong startMillis(String owner) {
        if (owner == null) return OptionalLong.empty();
        int at = owner.lastIndexOf('@');
        if (at < 0) return OptionalLong.empty();
        int slash = owner.indexOf('/', at);
        try {
            long start = Long.parseLong(slash < 0 ? owner.substring(at + 1) : owner.substring(at + 1, slash));
            return start > 0 ? OptionalLong.of(start) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The start of the current boot in milliseconds since the epoch, from the {@code btime} line ({@code btime SECONDS})
     * of {@code procStat} (a {@code /proc/stat}); empty when it cannot be read or has no such line.
     */
    static OptionalLong bootMillis(Path procStat) {
        try {
            for (String line : Files.readAllLines(procStat, java.nio.charset.StandardCharsets.US_ASCII)) {
                if (line.startsWith("btime ")) {
                    long seconds = Long.parseLong(line.substring(6).strip());
                    return seconds > 0 ? OptionalLong.of(seconds * 1000) : OptionalLong.empty();
                }
            }
        } catch (IOException | RuntimeException e) {
            // off Linux, or an unreadable /proc: unknown
        }
        return OptionalLong.empty();
    }
}
