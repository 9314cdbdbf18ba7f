package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Process identity and process-group signals on Linux. A process is identified by its pid and its
 * start time in clock ticks since boot (field 22 of {@code /proc/PID/stat}, see proc(5)), so a pid
 * reused by an unrelated process is never signalled.
 */
public final class ProcessGroups {
    private ProcessGroups() {}

    /** The start time of {@code pid} in clock ticks since boot, or empty when no such process exists. */
    public static OptionalLong startTicks(long pid) {
        String[] f = statFields(pid);
        return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[19]));
    }

    /** The process group of {@code pid} (field 5 of {@code /proc/PID/stat}), or empty when gone. */
    public static OptionalLong processGroup(long pid) {
        String[] f = statFields(pid);
        return f == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[2]));
    }

    /**
     * Fields of {@code /proc/PID/stat} from field 3 (state) on: index {@code n - 3} holds field {@code n}.
     * The command name (field 2) may contain spaces and parentheses, hence the split after the last ')'.
     */
    private static String[] statFields(long pid) {
        try {
            String stat = readProc(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether process group {@code pgid} still has a live (not zombie) member. The usual answer, an empty
     * group, costs one kill(2) with signal 0 on the group ({@link Kill}: ESRCH); otherwise, or where kill(2)
     * cannot be called directly, every {@code /proc/PID/stat} is read ({@link #groupHasMembersByScan}), since
     * kill(2) also finds zombies that are not reaped yet (for ever where nothing reaps orphans, such as a
     * container whose PID 1 is this JVM). Callers use it to skip {@link #signalGroup} when the group is empty.
     */
    public static boolean groupHasMembers(long pgid) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to look at process group " + pgid);
        if (Kill.available() && Kill.kill(-pgid, 0) == Kill.ESRCH) return false;
        return groupHasMembersByScan(pgid);
    }

    /**
     * {@link #groupHasMembers} by reading every process's stat file: whether any live (not zombie) process
     * belongs to the group. Every process is read: pid order says nothing certain about which processes
     * are younger than the group's leader (a failed fork consumes a pid too, and the allocator wraps around).
     */
    static boolean groupHasMembersByScan(long pgid) {
        byte[] buf = new byte[STAT_BUFFER];
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path dir : procs) {
                if (pidOf(dir.getFileName().toString()) > 0 && liveMemberOf(dir.resolve("stat"), pgid, buf)) return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: assume there are members, the caller then signals the group
        }
    }

    /**
     * Reads a {@code /proc} file with {@link java.io.FileInputStream}, which reads into a native stack buffer;
     * NIO channels ({@link Files#readString}) allocate a temporary direct buffer per read on virtual threads,
     * page faults included, which made the group sweep the largest cost of an unsandboxed attempt.
     */
    private static String readProc(Path file) throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /** The pid a {@code /proc} entry names, or -1 for entries that are not processes ({@code self}, {@code sys}, ...). */
    private static long pidOf(String name) {
        if (name.isEmpty() || name.length() > 10) return -1;
        long pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }

    private static final Path PROC = Path.of("/proc");
    /** Fields 1 to 5 of a stat line fit: pid (at most 7 digits), comm (at most 64 bytes in parentheses), state, ppid, pgrp. */
    private static final int STAT_BUFFER = 256;

    /**
     * Reads fields 3 (state) and 5 (pgrp) of one stat file without decoding the whole line (plain
     * {@link java.io.FileInputStream}, see {@link #readProc}).
     */
    private static boolean liveMemberOf(Path stat, long pgid, byte[] buf) {
        int len = 0;
        try (java.io.FileInputStream in = new java.io.FileInputStream(stat.toFile())) {
            int n;
            while (len < buf.length && (n = in.read(buf, len, buf.length - len)) > 0) len += n;
        } catch (IOException e) {
            return false; // the process ended meanwhile
        }
        int close = -1;
        for (int k = len - 1; k >= 0; k--) {
            if (buf[k] == ')') {
                close = k;
                break;
            }
        }
        int i = close + 2; // field 3 starts here
        if (close < 0 || i >= len) return false;
        byte state = buf[i];
        if (state == 'Z' || state == 'X') return false;
        int k = i + 2; // field 4 (ppid)
        while (k < len && buf[k] != ' ') k++;
        k++; // field 5 (pgrp)
        if (k >= len) return false;
        long pgrp = 0;
        for (; k < len && buf[k] != ' '; k++) pgrp = pgrp * 10 + (buf[k] - '0');
        return k < len && pgrp == pgid;
    }


    /** The {@code kill} executable, looked up once. */
    private static final String KILL = Executables.find("kill").map(Path::toString).orElse("/bin/kill");

    /**
     * Sends {@code signal} (for example {@code TERM}, {@code KILL}) to every process of group {@code pgid},
     * atomically: kill(2) on the group ({@link Kill}), or {@code kill -s SIGNAL -- -PGID} where that is not
     * available or the signal name is not one {@link Kill} knows.
     *
     * @return true when at least one process was signalled
     */
    public static boolean signalGroup(long pgid, String signal) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to signal process group " + pgid);
        int number = Kill.number(signal);
        if (Kill.available() && number > 0) return Kill.kill(-pgid, number) == 0;
        return signalGroupByCommand(pgid, signal);
    }

    /** {@link #signalGroup} with {@code kill -s SIGNAL -- -PGID}, where kill(2) cannot be called directly. */
    static boolean signalGroupByCommand(long pgid, String signal) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to signal process group " + pgid);
        try {
            Process p = new ProcessBuilder(List.of(KILL, "-s", signal, "--", "-" + pgid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Sends {@code signal} to every live member of group {@code pgid} except those whose command name
     * ({@code /proc/PID/stat} field 2) is {@code exceptCommand} (kill(2) per process, or one
     * {@code kill -s SIGNAL PID...} where {@link Kill} is not available).
     * Used to give a sandboxed script its TERM without ending bubblewrap first: when bwrap's process
     * inside the sandbox (PID 1 of its PID namespace) dies, the kernel kills every process of the
     * namespace at once, which would leave a script's TERM trap no grace period. Not atomic like
     * {@link #signalGroup}; a process forked meanwhile is reached by the caller's final SIGKILL of the group.
     *
     * @return true when at least one process was signalled
     */
    public static boolean signalGroupExcept(long pgid, String signal, String exceptCommand) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to signal process group " + pgid);
        List<String> argv = new java.util.ArrayList<>(List.of(KILL, "-s", signal, "--"));
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path dir : procs) {
                long pid = pidOf(dir.getFileName().toString());
                if (pid <= 0) continue;
                String stat;
                try {
                    stat = readProc(dir.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open || close + 2 >= stat.length()) continue;
                String[] f = stat.substring(close + 2).split(" ");
                if (f.length < 3 || f[0].equals("Z") || f[0].equals("X") || Long.parseLong(f[2]) != pgid) continue;
                if (stat.substring(open + 1, close).equals(exceptCommand)) continue;
                argv.add(Long.toString(pid));
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (argv.size() == 4) return false;
        int number = Kill.number(signal);
        if (Kill.available() && number > 0) {
            boolean any = false;
            for (String pid : argv.subList(4, argv.size())) any |= Kill.kill(Long.parseLong(pid), number) == 0;
            return any;
        }
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return true; // kill exits non-zero when one of the processes ended meanwhile; the others were signalled
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Kills (SIGKILL) the process group led by {@code pid}, but only when {@code pid} still exists with
     * the same start time, that is, it is still the process that was recorded and not a reused pid.
     *
     * @param pid        the recorded group leader
     * @param startTicks its recorded start time in clock ticks since boot
     * @return true when the group was killed
     */
    public static boolean killOrphanGroup(long pid, long startTicks) {
        if (pid <= 1 || startTicks <= 0) return false;
        OptionalLong now = startTicks(pid);
        if (now.isEmpty() || now.getAsLong() != startTicks) return false;
        boolean killed = signalGroup(pid, "KILL");
        if (!killed) {
            // The recorded process left its group (it called setsid itself): kill it alone.
            killed = ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
        }
        return killed;
    }
}
