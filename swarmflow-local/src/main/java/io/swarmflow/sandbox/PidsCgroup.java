package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process-count limit that also holds for root: one cgroup per attempt in the cgroup v1 {@code pids}
 * hierarchy, with {@code pids.max} set to the attempt's process limit. The kernel does not apply
 * RLIMIT_NPROC (the {@code prlimit --nproc} of {@link Sandbox#commandLine}) to root, so without this a
 * ticket run by root could fork until the host runs out of process ids.
 *
 * <p>How a process gets into the cgroup without a race and without one more exec: cgroup v1 places threads,
 * not only processes ({@code tasks} takes thread ids, Documentation/admin-guide/cgroup-v1/cgroups.rst §2.2),
 * and a child starts in the cgroup of the thread that forked it. {@link #startInside} moves the calling
 * (launcher) thread into the attempt's cgroup, starts the process, and moves the thread back; from its
 * first instruction the process and everything it starts count against {@code pids.max} (set to the limit
 * plus two while the launcher is inside, as the launcher thread, and a thread the JVM may create for the
 * start, count too; lowered to the limit as soon as they are out)
 * (Documentation/admin-guide/cgroup-v1/pids.rst: a fork past the limit fails with EAGAIN). After the
 * attempt, {@link Group#close()} kills whatever is still in the cgroup (including processes that left the
 * attempt's process group with {@code setsid}) and removes it.
 *
 * <p>Not available (see {@link #problem()}) where there is no cgroup v1 {@code pids} hierarchy (a host with
 * cgroup v2 only, whose domain cgroups do not take single threads) or it is not writable (usually: not root).
 * The attempts' cgroups are {@code <mount><this process's pids cgroup>/swarmflow-<pid>-<start ticks>-<n>};
 * those left by a Swarmflow process that died are emptied (SIGKILL) and removed when the next one starts.
 * The system property {@code swarm.cgroups=off} turns this off.
 */
final class PidsCgroup {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path OWN_CGROUP = Path.of("/proc/self/cgroup");
    private static final String PREFIX = "swarmflow-";
    /** Tasks of this JVM that may be in a group during a start: the launcher thread, and one thread it creates. */
    private static final long LAUNCHER_ROOM = 2;

    private final Path parent;
    private final String namePrefix;
    private final AtomicLong next = new AtomicLong();

    private PidsCgroup(Path parent, String namePrefix) {
        this.parent = parent;
        this.namePrefix = namePrefix;
    }

    private static final Object INIT_LOCK = new Object();
    private static volatile Optional<PidsCgroup> instance;
    private static volatile String problem;

    /** The hierarchy of this host, or empty (and {@link #problem()} says why). Looked up once per process. */
    static Optional<PidsCgroup> get() {
        Optional<PidsCgroup> found = instance;
        if (found != null) return found;
        synchronized (INIT_LOCK) {
            if (instance == null) {
                try {
                    instance = Optional.of(open());
                } catch (Unavailable e) {
                    problem = e.getMessage();
                    instance = Optional.empty();
                }
            }
            return instance;
        }
    }

    /** Why there is no per-attempt process limit for root here, or null when there is one. */
    static String problem() {
        get();
        return problem;
    }

    static final class Unavailable extends Exception {
        Unavailable(String message) {
            super(message);
        }
    }

    /** Finds the hierarchy and removes stale groups; {@link #get()} does it once per process. Package-private for tests. */
    static PidsCgroup open() throws Unavailable {
        if ("off".equals(System.getProperty("swarm.cgroups"))) throw new Unavailable("the system property swarm.cgroups=off turns it off");
        Path mount;
        String own;
        try {
            mount = pidsMount(Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8))
                    .orElseThrow(() -> new Unavailable("there is no cgroup v1 pids hierarchy (/proc/self/mountinfo)"));
            own = ownPath(Files.readAllLines(OWN_CGROUP, StandardCharsets.UTF_8))
                    .orElseThrow(() -> new Unavailable("this process has no pids cgroup (/proc/self/cgroup)"));
        } catch (IOException e) {
            throw new Unavailable("cannot read the cgroups of this process: " + e);
        }
        Path parent = own.equals("/") ? mount : mount.resolve(own.substring(1));
        if (!Files.isWritable(parent)) throw new Unavailable(parent + " is not writable");
        long self = ProcessHandle.current().pid();
        long ticks = ProcessGroups.startTicks(self).orElse(0);
        PidsCgroup cgroups = new PidsCgroup(parent, PREFIX + self + "-" + ticks + "-");
        cgroups.removeStale();
        return cgroups;
    }

    /** The mount point of the cgroup v1 hierarchy with the {@code pids} controller, from mountinfo lines (proc(5)). */
    static Optional<Path> pidsMount(List<String> mountinfo) {
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] after = line.substring(dash + 3).split(" ");
            if (after.length < 3 || !after[0].equals("cgroup")) continue;
            for (String option : after[2].split(",")) {
                if (option.equals("pids")) return Optional.of(Path.of(unescape(line.substring(0, dash).split(" ")[4])));
            }
        }
        return Optional.empty();
    }

    /** This process's path in the {@code pids} hierarchy, from {@code /proc/self/cgroup} lines ({@code ID:controllers:path}). */
    static Optional<String> ownPath(List<String> cgroupLines) {
        for (String line : cgroupLines) {
            String[] f = line.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains("pids")) return Optional.of(f[2]);
        }
        return Optional.empty();
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String field) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    b.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException ignored) {
                    // not an escape
                }
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Empties and removes the attempts' cgroups of Swarmflow processes that are no longer alive. */
    private void removeStale() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                String[] f = dir.getFileName().toString().substring(PREFIX.length()).split("-");
                if (f.length != 3) continue;
                try {
                    long pid = Long.parseLong(f[0]);
                    long ticks = Long.parseLong(f[1]);
                    OptionalLong alive = ProcessGroups.startTicks(pid);
                    if (alive.isPresent() && alive.getAsLong() == ticks) continue; // its Swarmflow process still runs
                } catch (NumberFormatException e) {
                    continue;
                }
                new Group(dir, 0).close();
            }
        } catch (IOException ignored) {
            // nothing to clean, or not readable: the new groups do not depend on it
        }
    }

    /**
     * Creates the cgroup of one attempt.
     *
     * @param maxProcesses {@code pids.max}: processes and threads at once, at least 1
     * @throws IOException when the cgroup cannot be created or limited (nothing is left behind)
     */
    Group create(long maxProcesses) throws IOException {
        Path dir = parent.resolve(namePrefix + next.incrementAndGet());
        Files.createDirectory(dir);
        Group g = new Group(dir, Math.max(1, maxProcesses));
        try {
            // room for the launcher thread and a thread the start may create; lowered once they are out (startInside)
            Files.writeString(dir.resolve("pids.max"), Long.toString(g.max + LAUNCHER_ROOM));
        } catch (IOException e) {
            g.close();
            throw e;
        }
        return g;
    }

    /**
     * Runs {@code start} (which starts one process) with the calling thread in {@code group}, so the process
     * starts inside it; the thread is moved back before this returns. Call it on a platform thread that
     * does nothing else meanwhile (a virtual thread could change carriers in between).
     *
     * @throws IOException when the thread cannot be moved into the group (the process is not started) or back, or
     *                     the limit cannot be lowered to its value (the process is started, then killed)
     */
    <T extends Process> T startInside(Group group, Callable<T> start) throws Exception {
        if (Thread.currentThread().isVirtual()) throw new IllegalStateException("startInside needs a platform thread");
        String tid = threadId();
        Files.writeString(group.dir.resolve("tasks"), tid);
        T process = null;
        try {
            process = start.call();
            return process;
        } finally {
            try {
                Files.writeString(parent.resolve("tasks"), tid);
                // threads the start created (a reaper, say) were born in the group: they belong with the JVM
                moveOut(group);
                Files.writeString(group.dir.resolve("pids.max"), Long.toString(group.max));
            } catch (IOException e) {
                if (process != null) {
                    ProcessGroups.signalGroup(process.pid(), "KILL");
                    process.destroyForcibly();
                }
                throw new IOException("cannot move the launcher thread " + tid + " out of " + group.dir + ", or set its limit: " + e, e);
            }
        }
    }

    /** Whether this process's real user id is 0 ({@code /proc/self/status}, line {@code Uid:}; proc(5)). */
    static boolean realUidIsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
                if (line.startsWith("Uid:")) return line.substring(4).strip().split("\\s+")[0].equals("0");
            }
        } catch (IOException e) {
            // no /proc: not Linux as this code knows it
        }
        return false;
    }

    /** The calling thread's id (gettid(2)), from the link {@code /proc/thread-self} ({@code PID/task/TID}). */
    static String threadId() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return link.substring(link.lastIndexOf('/') + 1);
    }

    private static final long SELF = ProcessHandle.current().pid();

    /** Moves this process's threads in {@code group} to the cgroup that holds the group (its parent directory). */
    private static void moveOut(Group group) {
        for (String tid : group.tasks()) {
            if (!Files.exists(Path.of("/proc/self/task", tid))) continue;
            try {
                Files.writeString(group.dir.getParent().resolve("tasks"), tid);
            } catch (IOException ignored) {
                // the thread just ended
            }
        }
    }

    /** One attempt's cgroup. */
    static final class Group implements AutoCloseable {
        private final Path dir;
        private final long max;

        private Group(Path dir, long max) {
            this.dir = dir;
            this.max = max;
        }

        Path dir() {
            return dir;
        }

        /** The thread ids in the group now ({@code tasks}); empty once the group is gone. */
        List<String> tasks() {
            try {
                return Files.readAllLines(dir.resolve("tasks")).stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
            } catch (IOException e) {
                return List.of();
            }
        }

        /** The process ids in the group now ({@code cgroup.procs}); empty once the group is gone. */
        List<Long> processes() {
            List<Long> pids = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    if (!line.isBlank()) pids.add(Long.parseLong(line.strip()));
                }
            } catch (IOException | NumberFormatException e) {
                // gone
            }
            return pids;
        }

        /**
         * SIGKILLs every process still in the group, waits up to about a second for them to go, and removes the
         * group. A group that cannot be removed (a process in uninterruptible sleep) is left, to be removed by the
         * next Swarmflow process.
         */
        @Override
        public void close() {
            for (int round = 0; round < 100; round++) {
                List<Long> left = processes();
                if (left.isEmpty()) {
                    try {
                        Files.deleteIfExists(dir);
                        return;
                    } catch (IOException busy) {
                        // a process that was just killed is still exiting: try again
                    }
                } else {
                    for (long pid : left) {
                        if (pid == SELF) {
                            // never this JVM: one of its threads is still in the group (see startInside); move it out
                            moveOut(this);
                            continue;
                        }
                        if (Kill.available()) Kill.kill(pid, Kill.number("KILL"));
                        else ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
                try {
                    Thread.sleep(round < 10 ? 1 : 10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
