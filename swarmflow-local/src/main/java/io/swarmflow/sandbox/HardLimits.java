package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far this process may set a child's resource limits: setrlimit(2) lets a process lower a hard limit, and raise
 * one only with {@code CAP_SYS_RESOURCE}. prlimit(1) sets the soft and the hard limit together, so a ticket's limit
 * above this process's hard limit fails the launch ({@code prlimit: failed to set the CPU resource limit: Operation
 * not permitted}) where that capability is missing: an ordinary user under a lower {@code ulimit -H}, or root in a
 * container without the capability. {@link #clamp} brings such a limit down to the hard limit.
 *
 * <p>Read from {@code /proc/self/limits} and the {@code CapEff} line of {@code /proc/self/status} (proc(5));
 * {@code CAP_SYS_RESOURCE} is capability 24 (linux/capability.h).
 *
 * @param hard     this process's hard limits, 0 where unlimited
 * @param canRaise whether this process has {@code CAP_SYS_RESOURCE} (then nothing is clamped)
 */
record HardLimits(ProcessLimits hard, boolean canRaise) {
    /** Nothing to clamp: no hard limit, or the capability to raise it. */
    static final HardLimits NONE = new HardLimits(ProcessLimits.NONE, true);

    private static final int CAP_SYS_RESOURCE = 24;
    private static final Pattern LIMIT_LINE = Pattern.compile("^(Max [a-z ]+?)\\s{2,}(\\S+)\\s+(\\S+)");
    private static final Pattern CAP_EFF = Pattern.compile("(?m)^CapEff:\\s*([0-9a-fA-F]+)\\s*$");
    private static volatile HardLimits current;

    /** This process's, read once; {@link #NONE} where {@code /proc} cannot be read (nothing is clamped then). */
    static HardLimits current() {
        HardLimits c = current;
        if (c == null) {
            try {
                c = parse(Files.readString(Path.of("/proc/self/limits")), Files.readString(Path.of("/proc/self/status")));
            } catch (IOException | RuntimeException e) {
                c = NONE;
            }
            current = c;
        }
        return c;
    }

    /**
     * Parses the text of {@code /proc/self/limits} and {@code /proc/self/status}.
     *
     * @throws IllegalArgumentException when a limit of the four Swarmflow sets is missing or not a number, or
     *                                  {@code CapEff} is missing
     */
    static HardLimits parse(String limits, String status) {
        long cpu = -1;
        long as = -1;
        long fsize = -1;
        long nproc = -1;
        for (String line : limits.split("\n")) {
            Matcher m = LIMIT_LINE.matcher(line);
            if (!m.find()) continue;
            String hard = m.group(3);
            long value = hard.equals("unlimited") ? 0 : Long.parseLong(hard);
            switch (m.group(1)) {
                case "Max cpu time" -> cpu = value;
                case "Max address space" -> as = value;
                case "Max file size" -> fsize = value;
                case "Max processes" -> nproc = value;
                default -> {
                    // other limits are not set by Swarmflow
                }
            }
        }
        if (cpu < 0 || as < 0 || fsize < 0 || nproc < 0) throw new IllegalArgumentException("limits missing in: " + limits);
        Matcher cap = CAP_EFF.matcher(status);
        if (!cap.find()) throw new IllegalArgumentException("no CapEff line in: " + status);
        boolean canRaise = new java.math.BigInteger(cap.group(1), 16).testBit(CAP_SYS_RESOURCE);
        return new HardLimits(new ProcessLimits(cpu, as, fsize, nproc), canRaise);
    }

    /** {@code wanted}, with each limit above this process's hard limit brought down to it (unless {@link #canRaise}). */
    ProcessLimits clamp(ProcessLimits wanted) {
        if (canRaise) return wanted;
        return new ProcessLimits(min(wanted.cpuSeconds(), hard.cpuSeconds()), min(wanted.addressSpaceBytes(), hard.addressSpaceBytes()),
                min(wanted.fileSizeBytes(), hard.fileSizeBytes()), min(wanted.processes(), hard.processes()));
    }

    /**
     * What {@link #clamp} changes in {@code wanted}, one text per limit, named as in the spec's {@code limits}, such as
     * {@code cpu-time 3600 s -> 1800 s (ulimit -Ht)}; empty when it changes nothing.
     */
    List<String> clamped(ProcessLimits wanted) {
        ProcessLimits got = clamp(wanted);
        List<String> changes = new ArrayList<>();
        if (got.cpuSeconds() != wanted.cpuSeconds()) {
            changes.add("cpu-time " + wanted.cpuSeconds() + " s -> " + got.cpuSeconds() + " s (ulimit -Ht)");
        }
        if (got.addressSpaceBytes() != wanted.addressSpaceBytes()) {
            changes.add("address-space " + wanted.addressSpaceBytes() + " bytes -> " + got.addressSpaceBytes() + " bytes (ulimit -Hv, in KiB)");
        }
        if (got.fileSizeBytes() != wanted.fileSizeBytes()) {
            changes.add("file-size " + wanted.fileSizeBytes() + " bytes -> " + got.fileSizeBytes() + " bytes (ulimit -Hf, in KiB)");
        }
        if (got.processes() != wanted.processes()) {
            changes.add("processes " + wanted.processes() + " -> " + got.processes() + " (ulimit -Hu)");
        }
        return changes;
    }

    /**
     * The hard CPU-time limit to set under a soft one of {@code softSeconds} (already {@link #clamp clamped}): one second
     * above it, so that the kernel first sends SIGXCPU at the soft limit (a process killed by it says what it hit: exit
     * code 152), and SIGKILL a second later to a process that catches or ignores SIGXCPU. With equal limits the kernel
     * sends SIGKILL at once, which looks like any other kill. Never above this process's hard limit unless it may raise
     * it: then both are that limit.
     */
    long cpuHardFor(long softSeconds) {
        return canRaise || hard.cpuSeconds() == 0 ? softSeconds + 1 : Math.min(softSeconds + 1, hard.cpuSeconds());
    }

    /** The lower of a wanted limit and a hard one, where 0 means unlimited (a wanted 0 stays: it passes no limit). */
    private static long min(long wanted, long hard) {
        return hard > 0 && wanted > hard ? hard : wanted;
    }
}
