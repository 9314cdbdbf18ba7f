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
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether any live (not zombie) process belongs to process group {@code pgid}, by reading field 5
     * of every {@code /proc/PID/stat}. Much cheaper than starting a {@code kill} process, so callers use
     * it to skip {@link #signalGroup} when the group is already empty.
     */
    public static boolean groupHasMembers(long pgid) {
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, ProcessGroups::isPidDir)) {
            for (Path dir : procs) {
                if (liveMemberOf(dir.resolve("stat"), pgid)) return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: assume there are members, the caller then signals the group
        }
    }

    private static final Path PROC = Path.of("/proc");

    /** Reads fields 3 (state) and 5 (pgrp) of one stat file without splitting the whole line. */
    private static boolean liveMemberOf(Path stat, long pgid) {
        String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return false; // the process ended meanwhile
        }
        int i = line.lastIndexOf(')') + 2; // field 3 starts here
        if (i < 2 || i >= line.length()) return false;
        char state = line.charAt(i);
        if (state == 'Z' || state == 'X') return false;
        int ppidEnd = line.indexOf(' ', i + 2);
        int pgrpEnd = ppidEnd < 0 ? -1 : line.indexOf(' ', ppidEnd + 1);
        if (pgrpEnd < 0) return false;
        long pgrp = 0;
        for (int k = ppidEnd + 1; k < pgrpEnd; k++) pgrp = pgrp * 10 + (line.charAt(k) - '0');
        return pgrp == pgid;
    }

    private static boolean isPidDir(Path p) {
        String name = p.getFileName().toString();
        if (name.isEmpty()) return false;
        for (int i = 0; i < name.length(); i++) if (!Character.isDigit(name.charAt(i))) return false;
        return true;
    }

    /** The {@code kill} executable, looked up once. */
    private static final String KILL = Executables.find("kill").map(Path::toString).orElse("/bin/kill");

    /**
     * Sends {@code signal} (for example {@code TERM}, {@code KILL}) to every process of group {@code pgid},
     * atomically, via {@code kill -s SIGNAL -- -PGID}.
     *
     * @return true when at least one process was signalled
     */
    public static boolean signalGroup(long pgid, String signal) {
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
