package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 * plus {@value #LAUNCHER_ROOM} while the launcher is inside, as the launcher thread, and threads the JVM may
 * create for the start, count too; lowered to the limit as soon as they are out)
 * (Documentation/admin-guide/cgroup-v1/pids.rst: a fork past the limit fails with EAGAIN). After the
 * attempt, {@link Group#close()} removes the cgroup at once when it is empty (the kernel refuses to remove one
 * that holds a task or a cgroup), and else sets {@code pids.max} to 0, kills whatever is still in the cgroup or in
 * cgroups created below it (including processes that left the attempt's process group with {@code setsid})
 * and removes them.
 *
 * <p>Not available (see {@link #problem()}) where there is no cgroup v1 {@code pids} hierarchy (a host with
 * cgroup v2 only, whose domain cgroups do not take single threads) or it is not writable (usually: not root).
 * The attempts' cgroups are {@code <mount><this process's pids cgroup>/swarmflow-<pid namespace>-<pid>-<start
 * ticks>-<n>}; those left by a Swarmflow process of the same pid namespace that died are emptied (SIGKILL) and
 * removed when the next one starts. Those of another pid namespace (another container sharing the hierarchy)
 * are never touched: their process ids mean nothing here.
 * The system property {@code swarm.cgroups=off} turns this off.
 */
final class PidsCgroup {
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path OWN_CGROUP = Path.of("/proc/self/cgroup");
    private static final String PREFIX = "swarmflow-";
    /**
     * Tasks of this JVM that may be in a group during a start: the launcher thread, and threads the start may
     * create (the JDK's process reaper when none is idle); the rest is spare for what a {@link ProcessBuilder}
     * start needs on other JDKs.
     */
    static final long LAUNCHER_ROOM = 4;
    /** The largest {@code pids.max} the kernel takes as a number (PID_MAX_LIMIT, include/linux/threads.h); above: {@code max}. */
    static final long PID_MAX_LIMIT = 4_194_304;
    /** How long {@link Group#close()} waits in all for the killed processes to go. */
    static final long CLOSE_WAIT_MILLIS = 1000;
    /** Groups of this process that {@link Group#close()} could not remove in time: tried again at each {@link #create}. */
    private static final java.util.Queue<Path> LEFT_OVER = new java.util.concurrent.ConcurrentLinkedQueue<>();

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

    /** Whether the system property {@code swarm.cgroups=off} turns the per-attempt cgroups off. */
    static boolean turnedOff() {
        return "off".equals(System.getProperty("swarm.cgroups"));
    }

    /** Finds the hierarchy and removes stale groups; {@link #get()} does it once per process. Package-private for tests. */
    static PidsCgroup open() throws Unavailable {
        if (turnedOff()) throw new Unavailable("the system property swarm.cgroups=off turns it off");
        Path parent;
        try {
            String own = ownPath(Files.readAllLines(OWN_CGROUP, StandardCharsets.UTF_8))
                    .orElseThrow(() -> new Unavailable("this process has no pids cgroup (/proc/self/cgroup)"));
            // in a cgroup namespace, a cgroup outside it reads as /../x: its directory is not under the mount
            if (!own.startsWith("/") || List.of(own.split("/")).contains("..")) {
                throw new Unavailable("this process's pids cgroup " + own + " is outside its cgroup namespace (/proc/self/cgroup)");
            }
            parent = ownDirectory(Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8), own)
                    .orElseThrow(() -> new Unavailable("there is no cgroup v1 pids hierarchy mounted that holds this process's "
                            + "pids cgroup " + own + " (/proc/self/mountinfo)"));
        } catch (IOException e) {
            throw new Unavailable("cannot read the cgroups of this process: " + e);
        }
        if (!Files.isRegularFile(parent.resolve("tasks"))) throw new Unavailable(parent + " is not a cgroup (it has no tasks file)");
        if (!Files.isWritable(parent)) throw new Unavailable(parent + " is not writable");
        PidsCgroup cgroups = at(parent);
        cgroups.removeStale();
        return cgroups;
    }

    /** The groups of this process under {@code parent}, without looking for stale ones. Package-private for tests. */
    static PidsCgroup at(Path parent) throws Unavailable {
        // without it another Swarmflow could not tell this process from one that reused its id, and would remove live groups
        long ticks = ProcessGroups.startTicks(SELF).orElseThrow(() -> new Unavailable("cannot read this process's start time (/proc/self/stat)"));
        return new PidsCgroup(parent, PREFIX + pidNamespace() + "-" + SELF + "-" + ticks + "-");
    }

    /** The inode of this process's pid namespace, from the link {@code /proc/self/ns/pid} ({@code pid:[INODE]}; namespaces(7)). */
    static String pidNamespace() throws Unavailable {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return link.substring(link.indexOf('[') + 1, link.lastIndexOf(']'));
        } catch (IOException | RuntimeException e) {
            throw new Unavailable("cannot read this process's pid namespace (/proc/self/ns/pid): " + e);
        }
    }

    /**
     * The directory of this process's cgroup in the cgroup v1 {@code pids} hierarchy: of the mounts of that
     * hierarchy in {@code mountinfo} (proc(5): field 4 is the mount's root within the hierarchy, field 5 its mount
     * point), one whose root holds {@code ownPath}, joined with the rest of the path. In a container the hierarchy
     * is often mounted from the container's own cgroup (root {@code /docker/ID}), which is also the start of its
     * processes' paths.
     *
     * @param ownPath this process's path in the hierarchy ({@link #ownPath}), starting with {@code /}
     */
    static Optional<Path> ownDirectory(List<String> mountinfo, String ownPath) {
        for (String line : mountinfo) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] after = line.substring(dash + 3).split(" ");
            String[] before = line.substring(0, dash).split(" ");
            if (after.length < 3 || before.length < 5 || !after[0].equals("cgroup")) continue;
            if (!List.of(after[2].split(",")).contains("pids")) continue;
            String root = unescape(before[3]);
            String rest;
            if (root.equals("/")) rest = ownPath;
            else if (ownPath.equals(root)) rest = "/";
            else if (ownPath.startsWith(root + "/")) rest = ownPath.substring(root.length());
            else continue;
            Path mount = Path.of(unescape(before[4]));
            return Optional.of(rest.equals("/") ? mount : mount.resolve(rest.substring(1)));
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

    /**
     * Empties and removes the attempts' cgroups of Swarmflow processes of this pid namespace that are no longer
     * alive (the process is gone, or its id now belongs to a process that started at another time).
     */
    void removeStale() {
        String namespace;
        try {
            namespace = pidNamespace();
        } catch (Unavailable e) {
            return;
        }
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
            for (Path dir : dirs) {
                String[] f = dir.getFileName().toString().substring(PREFIX.length()).split("-");
                if (f.length != 4 || !f[0].equals(namespace)) continue; // another namespace's, or not ours at all
                try {
                    long pid = Long.parseLong(f[1]);
                    long ticks = Long.parseLong(f[2]);
                    OptionalLong alive = ProcessGroups.startTicks(pid);
                    if (alive.isPresent() && alive.getAsLong() == ticks) continue; // its Swarmflow process still runs
                } catch (NumberFormatException e) {
                    continue;
                }
                stale.add(dir);
            }
        } catch (IOException | DirectoryIteratorException ignored) {
            // nothing to clean, or not readable: the new groups do not depend on it
        }
        for (Path dir : stale) new Group(dir, 0).close();
    }

    /**
     * Creates the cgroup of one attempt.
     *
     * @param maxProcesses {@code pids.max}: processes and threads at once, at least 1
     * @throws IOException when the cgroup cannot be created or limited (nothing is left behind)
     */
    Group create(long maxProcesses) throws IOException {
        retryLeftOver();
        Path dir = parent.resolve(namePrefix + next.incrementAndGet());
        Files.createDirectory(dir);
        Group g = new Group(dir, Math.max(1, maxProcesses));
        try {
            // room for the launcher thread and a thread the start may create; lowered once they are out (startInside)
            write(dir.resolve("pids.max"), pidsMax(g.max + LAUNCHER_ROOM));
        } catch (IOException e) {
            g.close();
            throw e;
        }
        return g;
    }

    /** One more try, without waiting, at the groups {@link Group#close()} could not remove. */
    private static void retryLeftOver() {
        for (int n = LEFT_OVER.size(); n > 0; n--) {
            Path dir = LEFT_OVER.poll();
            if (dir == null) return;
            if (!Group.removeTree(dir, System.nanoTime())) LEFT_OVER.add(dir);
        }
    }

    /** Writes a cgroup file that must exist: never creates one (outside a cgroup hierarchy that would enforce nothing). */
    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static void writeIfThere(Path file, String text) {
        try {
            write(file, text);
        } catch (IOException ignored) {
            // gone, or the root of a hierarchy (no pids.max): killing still works
        }
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
        write(group.dir.resolve("tasks"), tid);
        T process = null;
        try {
            process = start.call();
            return process;
        } finally {
            try {
                write(parent.resolve("tasks"), tid);
                // threads the start created (a reaper, say) were born in the group: they belong with the JVM
                moveOut(group.dir, process == null ? -1 : process.pid());
                write(group.dir.resolve("pids.max"), pidsMax(group.max));
            } catch (IOException e) {
                if (process != null) Sandbox.stopUnwatched(process);
                throw new IOException("cannot move the launcher thread " + tid + " out of " + group.dir + ", or set its limit: " + e, e);
            }
        }
    }

    /** The cgroup that holds the attempts' cgroups (this process's own pids cgroup). */
    Path parent() {
        return parent;
    }

    /** The text for {@code pids.max}: {@code limit}, or {@code max} above what the kernel takes as a number. */
    static String pidsMax(long limit) {
        return limit > PID_MAX_LIMIT ? "max" : Long.toString(limit);
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
        String tid = THREAD_ID.get();
        if (tid == null) {
            String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            tid = link.substring(link.lastIndexOf('/') + 1);
            // a platform thread keeps its kernel thread, and so its id, for life; a virtual thread has none to keep
            if (!Thread.currentThread().isVirtual()) THREAD_ID.set(tid);
        }
        return tid;
    }

    /** {@link #threadId()} of each platform thread that asked, read once (the launchers start every attempt). */
    private static final ThreadLocal<String> THREAD_ID = new ThreadLocal<>();

    private static final long SELF = ProcessHandle.current().pid();

    /** Moves this process's threads in the cgroup {@code dir} to the cgroup that holds it (its parent directory). */
    private static void moveOut(Path dir) {
        moveOut(dir, -1);
    }

    /** {@link #moveOut(Path)}, knowing that {@code child} (a process just started in {@code dir}, or -1) is not one of this process's threads. */
    private static void moveOut(Path dir, long child) {
        String skip = Long.toString(child);
        for (String tid : Group.tasks(dir)) {
            if (tid.equals(skip) || !Files.exists(Path.of("/proc/self/task", tid))) continue;
            try {
                write(dir.getParent().resolve("tasks"), tid);
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
            return tasks(dir);
        }

        private static List<String> tasks(Path dir) {
            try {
                return Files.readAllLines(dir.resolve("tasks")).stream().map(String::strip).filter(t -> !t.isEmpty()).toList();
            } catch (IOException e) {
                return List.of();
            }
        }

        /** The process ids in the group now ({@code cgroup.procs}); empty once the group is gone. */
        List<Long> processes() {
            return processes(dir);
        }

        private static List<Long> processes(Path dir) {
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
         * The process ids in the group and in the cgroups created below it now ({@code cgroup.procs} of each), this JVM
         * excepted (one of its threads is there during a start); empty once the group is gone. For the TERM that starts a
         * stop's grace period ({@link SandboxProcess}): it reaches what left the attempt's process group too.
         */
        List<Long> processesBelow() {
            List<Long> pids = new ArrayList<>();
            for (Path d : deepestFirst(dir)) {
                for (long pid : processes(d)) if (pid != SELF) pids.add(pid);
            }
            return pids;
        }

        /**
         * Removes the group at once when it holds no task and no cgroup below it (the usual end of an attempt: one
         * rmdir(2), which the kernel refuses otherwise). Else sets {@code pids.max} to 0 (so nothing in it can fork any more, and a killed process id cannot come
         * back in), SIGKILLs every process still in the group and in cgroups created below it, waits up to
         * {@value #CLOSE_WAIT_MILLIS} ms in all for them to go, and removes the cgroups, deepest first. Only a
         * process whose main thread is in a group (or has ended, leaving other threads there) is killed: a
         * process with only some threads there and a live main thread elsewhere is this JVM (see
         * {@link #startInside}; its threads are moved out) or not the attempt's. A group that cannot be removed
         * in time (a process in uninterruptible sleep) is tried again at the next {@link #create}, and by the
         * next Swarmflow process. Not interruptible: an interrupt meanwhile is kept for the caller. Calling it
         * again after it removed the group does nothing.
         */
        @Override
        public void close() {
            // Usually the attempt's processes are gone and it made no cgroup below: then rmdir(2) alone removes the
            // group (the kernel refuses, EBUSY, while a task or a cgroup below is left, and then the full sweep runs:
            // limit to 0, kill, remove). One system call instead of a listing, a stat per control file and reads.
            if (removed) return; // an attempt closes it twice (at its end, then after its result): once is enough
            if (removeIfEmpty(dir) || removeTree(dir, System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000)) removed = true;
            else LEFT_OVER.add(dir);
        }

        /** Set once {@link #close()} removed the group: a cgroup's name is not reused, so it stays gone. */
        private volatile boolean removed;

        /**
         * Removes {@code dir} if it holds no task and no cgroup (rmdir(2) of a cgroup: EBUSY otherwise), or finds it
         * gone; whether it is gone now.
         */
        static boolean removeIfEmpty(Path dir) {
            // File.delete: remove(3), whose unlink(2) of a directory fails (EISDIR) before its rmdir(2); without the stat and
            // the exception of Files.deleteIfExists (which cost twice the rmdir)
            return dir.toFile().delete() || !Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }

        /** Empties and removes {@code top} and the cgroups below it until {@code deadline} ({@link System#nanoTime()}); whether it is gone. */
        private static boolean removeTree(Path top, long deadline) {
            boolean interrupted = false;
            Set<Path> limited = new java.util.HashSet<>();
            try {
                for (int round = 0; ; round++) {
                    List<Path> tree = deepestFirst(top);
                    if (tree.isEmpty()) return true;
                    for (Path dir : tree) {
                        if (limited.add(dir)) writeIfThere(dir.resolve("pids.max"), "0");
                    }
                    for (Path dir : tree) killMembers(dir);
                    for (Path dir : tree) {
                        if (!processes(dir).isEmpty()) continue;
                        try {
                            Files.deleteIfExists(dir);
                        } catch (IOException busy) {
                            // a process that was just killed is still exiting, or a cgroup below is: next round
                        }
                    }
                    if (!Files.exists(top)) return true;
                    if (System.nanoTime() - deadline >= 0) return false;
                    if (Thread.interrupted()) interrupted = true; // else parkNanos would not wait
                    // most processes are gone within microseconds of SIGKILL: poll fast first, then back off
                    LockSupport.parkNanos(round < 20 ? 50_000 : round < 40 ? 1_000_000 : 5_000_000);
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /** SIGKILLs the processes of the cgroup {@code dir} whose main thread is in it, or ended; moves this JVM's threads out. */
        private static void killMembers(Path dir) {
            List<Long> left = processes(dir);
            if (left.isEmpty()) return;
            for (long pid : left) {
                if (pid == SELF) {
                    moveOut(dir); // never this JVM: one of its threads is still in the group
                } else if (Kill.available()) {
                    // checked once the process is pinned: a pid freed and reused since the listing is not signalled
                    Kill.killPinned(pid, Kill.number("KILL"), () -> isMember(dir, pid));
                } else if (isMember(dir, pid)) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }

        /**
         * Whether {@code pid} belongs to the cgroup {@code dir}: its main thread is there, or has ended while other
         * threads of it are there. A process with only some threads there and its main thread elsewhere does not.
         */
        private static boolean isMember(Path dir, long pid) {
            String id = Long.toString(pid);
            return tasks(dir).contains(id) || (ProcessGroups.mainThreadEnded(pid) && processes(dir).contains(pid));
        }

        /** {@code top} and the cgroups below it, each after those below it; empty when {@code top} is gone. */
        private static List<Path> deepestFirst(Path top) {
            List<Path> out = new ArrayList<>();
            if (!Files.isDirectory(top)) return out;
            for (Path child : children(top)) out.addAll(deepestFirst(child));
            out.add(top);
            return out;
        }

        /** The cgroups directly below {@code dir}. */
        private static List<Path> children(Path dir) {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, Files::isDirectory)) {
                entries.forEach(children::add);
            } catch (IOException | DirectoryIteratorException e) {
                // gone
            }
            return children;
        }
    }
}
