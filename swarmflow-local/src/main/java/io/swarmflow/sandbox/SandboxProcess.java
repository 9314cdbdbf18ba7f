package io.swarmflow.sandbox;

import io.swarmflow.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process started by {@link Sandbox#start}: the leader of its own session and process group.
 * {@link #waitFor()} blocks until it ends, enforcing the spec's wall-clock timeout;
 * {@link #cancel()} may be called from any thread.
 */
public final class SandboxProcess {
    /** @param cgroup the attempt's cgroup holding its process limit ({@link PidsCgroup}), or null */
    record Started(Process process, long startTicks, PidsCgroup.Group cgroup) {}

    /**
     * What {@link Sandbox} built to start the process.
     *
     * @param argv           the argv started
     * @param bubblewrapPath the bubblewrap executable the process runs under, or null when it runs without
     * @param maskedFiles    the files bubblewrap mounts {@code /dev/null} over, in argv order; empty without bubblewrap
     */
    record Launch(List<String> argv, String bubblewrapPath, List<Path> maskedFiles) {}

    /**
     * Platform threads that copy output, kept for reuse. Not virtual threads: a blocking read of a pipe
     * opened outside {@link ProcessBuilder} (see {@link PosixSpawn}) holds its carrier thread on JDK 25,
     * and two pumps per process would stop every other virtual thread on a 2-core machine.
     */
    private static final ExecutorService PUMPS = PosixSpawn.cachedDaemonPool("swarm-output-");

    private final Process process;
    private final long startTicks;
    /** The attempt's cgroup, emptied and removed when it ends, or null. */
    private final PidsCgroup.Group cgroup;
    private final SandboxSpec spec;
    private final List<String> commandLine;
    /** The bubblewrap executable the process runs under, or null. */
    private final String bubblewrapPath;
    private final List<Path> maskedFiles;
    private final Path privateHome;
    private final PrivateHomes homes;
    /** Set when a process that escaped the group may still use the private HOME: it is then not reused. */
    private boolean homeMayBeInUse;
    private final OutputPump out;
    private final OutputPump err;
    private final Future<?> outPump;
    private final Future<?> errPump;
    private final CompletableFuture<Void> cancelRequest = new CompletableFuture<>();
    private final CompletableFuture<Void> killRequest = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();

    SandboxProcess(Started s, Launch launch, SandboxSpec spec, LineListener listener, LineListener stdoutLines,
                   Path privateHome, PrivateHomes homes) {
        this.process = s.process();
        this.startTicks = s.startTicks();
        this.cgroup = s.cgroup();
        this.spec = spec;
        this.commandLine = launch.argv();
        this.bubblewrapPath = launch.bubblewrapPath();
        this.maskedFiles = launch.maskedFiles();
        this.privateHome = privateHome;
        this.homes = homes;
        this.out = new OutputPump(MaskingInputStream.wrap(process.getInputStream(), spec.masked()), spec.stdoutLog(),
                spec.logCapBytes(), "stdout", listener, stdoutLines, false);
        this.err = new OutputPump(MaskingInputStream.wrap(process.getErrorStream(), spec.masked()), spec.stderrLog(),
                spec.logCapBytes(), "stderr", listener, true);
        this.outPump = PUMPS.submit(out);
        this.errPump = PUMPS.submit(err);
    }

    /** Process id of the group leader (also the process group id and session id). */
    public long pid() {
        return process.pid();
    }

    /** Start time of the group leader in clock ticks since boot ({@code /proc/PID/stat} field 22), 0 if unknown. */
    public long startTicks() {
        return startTicks;
    }

    /** The attempt's cgroup holding its process limit, or null (for tests). */
    PidsCgroup.Group cgroup() {
        return cgroup;
    }

    /** The argv that was started. */
    public List<String> commandLine() {
        return commandLine;
    }

    /**
     * The files this launch's bubblewrap mounts {@code /dev/null} over ({@code --ro-bind /dev/null FILE}: the host's Unix
     * sockets and credential files the sandbox would otherwise show), as given to it; empty without bubblewrap. One
     * deleted between the building of the argv and bubblewrap's mounts makes bubblewrap fail before the command starts
     * ({@code bwrap: Can't create file at FILE: Read-only file system}, or {@code Can't mkdir parents for FILE} when its
     * directory went too).
     */
    public List<Path> maskedFiles() {
        return maskedFiles;
    }

    /** Whether the process runs inside bubblewrap. */
    public boolean usesBubblewrap() {
        return bubblewrapPath != null;
    }

    /**
     * Asks the process group to stop: SIGTERM, then SIGKILL after the spec's grace. Returns at once;
     * the signals are sent by the thread in {@link #waitFor()}. The result is then {@link Termination#CANCELLED}
     * unless the process had already exited.
     */
    public void cancel() {
        cancelRequest.complete(null);
    }

    /** Like {@link #cancel}, but the group gets KILL at once, also during a grace period already under way. Thread-safe. */
    public void kill() {
        killRequest.complete(null);
        cancelRequest.complete(null);
    }

    /**
     * Waits until the process ends, stopping its group on timeout or cancellation, then kills whatever
     * is left of the group (background children) and waits briefly for the output to be written.
     *
     * @throws InterruptedException if interrupted; the process group is killed first
     */
    public SandboxResult waitFor() throws InterruptedException {
        boolean ended = false;
        try {
            SandboxResult result = awaitEnd();
            ended = true;
            return result;
        } finally {
            // whatever happened (an interrupt during the grace, say): what is left in the attempt's cgroup goes
            if (cgroup != null) cgroup.close();
            // and without bubblewrap, what left the group (and the cgroup, which a root ticket can leave), found as at the
            // end (Escapees), at once: not named, there is no result to name it in
            if (!ended && bubblewrapPath == null) endEscapeesNow();
            // and no file it left set-uid stays so on the host, also when the wait ended early (not named then)
            // (once: not again when awaitEnd walked them already and the drain's wait was then interrupted)
            if (!ended && !setIdsWalked) clearSetIds();
            // a HOME goes to another attempt only when no process of this one can still be using it
            if (ended && !homeMayBeInUse) homes.release(privateHome); else homes.discard(privateHome);
        }
    }

    /** Kills at once what left the group of an attempt whose wait ended early (interrupted), found as {@link Escapees} does. */
    private void endEscapeesNow() {
        try {
            long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
            Escapees.endAll(pid(), startTicks, Escapees.markers(spec.env()), elapsedMillis > Escapees.EVERY_PID_AFTER_MILLIS, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // no grace was waited for: the KILLs were sent
        } catch (RuntimeException e) {
            // the error that ended the wait is the one to report
        }
    }

    private SandboxResult awaitEnd() throws InterruptedException {
        Termination termination = Termination.EXITED;
        CompletableFuture<Object> endOrCancel = CompletableFuture.anyOf(process.onExit(), cancelRequest);
        try {
            if (spec.timeout().isZero()) {
                endOrCancel.get();
            } else {
                long left = spec.timeout().toNanos() - (System.nanoTime() - startNanos);
                endOrCancel.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            termination = Termination.TIMED_OUT;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for process " + pid() + " failed", e);
        } catch (InterruptedException e) {
            stop("KILL", 0);
            throw e;
        }
        if (termination == Termination.EXITED && process.isAlive()) termination = Termination.CANCELLED;
        if (termination != Termination.EXITED) stop("TERM", spec.grace().toMillis());
        process.waitFor();
        long durationMillis = (System.nanoTime() - startNanos) / 1_000_000;
        // Background children the script left behind must not outlive the attempt: sweep the group. Under
        // bubblewrap it is usually empty by now (with --unshare-pid the kernel kills every process of the namespace
        // when its init exits, before bwrap, the group leader we waited for, can exit), but not when the outer bwrap
        // died before its sandboxed child had set --die-with-parent's PR_SET_PDEATHSIG (a TERM meant for setsid or
        // prlimit that reached bwrap, just exec'd, in the first milliseconds): that child and the script run on, in
        // this group, holding the pipes the drain below waits on. One kill(2), whether the group is empty or holds only
        // a zombie (bubblewrap's process inside the sandbox, waiting for the system's init to reap it).
        ProcessGroups.killLeftovers(pid());
        // What left the group (setsid) but not the attempt's cgroup goes too, before the pipes are drained.
        if (cgroup != null) cgroup.close();
        // Without bubblewrap's PID namespace nothing else ends what left the group: found by the attempt's environment,
        // ended, and named in the result (Escapees; its cost per attempt: docs/sandbox.md). Also where the attempt has a
        // cgroup: without bubblewrap a root ticket can write the hierarchy and move a process out of it
        List<String> escaped = List.of();
        List<String> escapedLeft = List.of();
        if (bubblewrapPath == null) {
            // after a stop, what the scan finds gets a grace of its own (bounded) when little of the stop's is left: one a
            // TERM trap started during the grace, which the stop's TERM did not reach, can clean up too
            long ownGrace = graceDeadline == null ? 0 : Math.min(spec.grace().toMillis(), Escapees.OWN_GRACE_MAX_MILLIS);
            Escapees.Ended ended = Escapees.endAll(pid(), startTicks, Escapees.markers(spec.env()),
                    durationMillis > Escapees.EVERY_PID_AFTER_MILLIS, graceLeftMillis(), ownGrace, Escapees.ROUNDS);
            escaped = ended.ended().stream().map(f -> f.describe(spec.masked())).toList();
            escapedLeft = ended.left().stream().map(f -> f.describe(spec.masked())).toList();
        }
        // Its processes have ended: no file it left set-uid in the directories it could write stays so on the host, where
        // bubblewrap's nosuid mounts no longer hold (SetIdBits; one walk of those directories)
        SetIdBits.Cleared setIds = clearSetIds();
        long drain = Math.max(1000, spec.grace().toMillis());
        long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drain);
        boolean drained = awaitPump(outPump, drainUntil) & awaitPump(errPump, drainUntil);
        if (!drained) {
            // a process that escaped the group holds a pipe: what it writes from now on is not this attempt's,
            // and it still knows the HOME, which must then not go to another attempt
            out.detach();
            err.detach();
            homeMayBeInUse = true;
        }
        Integer exit = termination == Termination.EXITED ? process.exitValue() : null;
        return new SandboxResult(termination, exit, durationMillis, out.total(), err.total(),
                out.truncated() || err.truncated(), err.lastLine(), killedAfterGrace, escaped, escapedLeft, setIds);
    }

    /** Set once {@link #clearSetIds} has walked the attempt's writable directories: one walk per attempt. */
    private boolean setIdsWalked;

    /** How many times {@link #clearSetIds} walked (for tests: once per attempt). */
    private volatile int setIdWalks;

    int setIdWalks() {
        return setIdWalks;
    }

    /** {@link SetIdBits#clear} of {@link #writableDirs}, remembered as done. */
    private SetIdBits.Cleared clearSetIds() {
        setIdWalks++;
        try {
            return SetIdBits.clear(writableDirs());
        } finally {
            setIdsWalked = true;
        }
    }

    /** The directories the attempt could write: the workspace when writable, and the spec's writable directories. */
    private List<Path> writableDirs() {
        List<Path> dirs = new java.util.ArrayList<>(spec.writableDirs());
        if (spec.workspaceWritable()) dirs.addFirst(spec.workspace());
        return dirs;
    }

    /**
     * Waits for a pump until {@code deadline} ({@link System#nanoTime()}); a pump still reading after it is
     * left to finish. Returns whether it finished.
     */
    private static boolean awaitPump(Future<?> pump, long deadline) throws InterruptedException {
        try {
            pump.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false; // output still arriving from a background process that escaped the group
        } catch (ExecutionException e) {
            return true; // the pump failed (reported in the log); it reads no more
        }
    }

    /** Set by {@link #stop} when the process outlived the grace period after TERM and got KILL. */
    private boolean killedAfterGrace;

    /** How often the group is looked at while its members use the rest of the grace. */
    private static final long GROUP_POLL_MILLIS = 20;

    /**
     * The processes of the attempt that are not in its process group, whose TERM {@link #stop} sends itself (the group's
     * TERM misses them): what left the group ({@code setsid}, a daemon's double fork). Where the attempt has a cgroup,
     * what it holds; else under bubblewrap, the processes of its PID namespace (the descendants of the outer bwrap: a
     * process orphaned in the namespace goes to its init, bwrap's, never outside); else those {@link Escapees} finds by
     * the attempt's environment, also in addition to the cgroup's without bubblewrap (a root ticket can leave the
     * cgroup). bwrap's own processes are left out (by name, as {@link ProcessGroups#signalGroupExcept}): were its init to
     * die, the kernel would kill the whole namespace at once. Empty when nothing can be read; a process started
     * meanwhile is missed here and gets the KILL at the end of the grace.
     */
    private List<Escapees.Found> outsideTheGroup() {
        java.util.Map<Long, Escapees.Found> found = new java.util.LinkedHashMap<>();
        try {
            String spared = bubblewrapPath == null ? null : commandName(bubblewrapPath);
            List<Long> listed;
            if (cgroup != null) listed = cgroup.processesBelow();
            // descendants() reads /proc too: one of another PID namespace would name other processes by these numbers
            else if (bubblewrapPath != null && Escapees.PROC_PROBLEM == null) {
                listed = ProcessHandle.of(pid()).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid).toList();
            } else listed = List.of();
            for (Escapees.Found f : members(listed, pid(), ProcessHandle.current().pid(), spared, MEMBERSHIP_HOST, memberCheck())) {
                found.put(f.pid(), f);
                listedOutside.add(f);
            }
            if (bubblewrapPath == null) {
                long elapsedMillis = (System.nanoTime() - startNanos) / 1_000_000;
                for (Escapees.Found f : Escapees.find(pid(), startTicks, Escapees.markers(spec.env()),
                        elapsedMillis > Escapees.EVERY_PID_AFTER_MILLIS)) {
                    found.putIfAbsent(f.pid(), f);
                }
            }
        } catch (RuntimeException e) {
            // /proc or the cgroup unreadable: these get the KILL at the end of the grace, as the group's members that ignore TERM
        }
        // the group's members got the group's TERM: a second one would run a TERM trap twice
        found.values().removeIf(f -> ProcessGroups.processGroup(f.pid()).orElse(pid()) == pid());
        return List.copyOf(found.values());
    }

    /**
     * What {@link #members} reads of a process, by path: replaceable in tests. Read by path, each answer is of whatever
     * process has the pid now; {@link #signalOutside} asks again once the process is pinned.
     */
    interface Membership {
        /** The start time of the live process {@code pid} (clock ticks since boot), or -1 when gone or a zombie. */
        long startTicks(long pid);

        /** Its command name ({@code /proc/PID/stat} field 2), or null. */
        String command(long pid);
    }

    /** {@link Membership} of the host's {@code /proc}. */
    private static final Membership MEMBERSHIP_HOST = new Membership() {
        @Override
        public long startTicks(long pid) {
            return Escapees.liveStartTicks(Path.of("/proc", Long.toString(pid)));
        }

        @Override
        public String command(long pid) {
            return ProcessGroups.command(pid);
        }
    };

    /**
     * Of the pids {@code listed} (the attempt's cgroup's, or the descendants of its group leader {@code leader}), those
     * that are still the attempt's: not the leader, not this JVM ({@code self}), not one of bwrap's ({@code spared}, a
     * command name, or null), live, and a member now ({@code member}: in the attempt's cgroup, or a descendant of the
     * leader). A pid freed and handed out again after the listing reads another process's start time: the membership,
     * read after the start time, is then that process's too, and it is left out. The start time kept is checked again,
     * with the membership, once the process is pinned ({@link #signalOutside}).
     */
    static List<Escapees.Found> members(List<Long> listed, long leader, long self, String spared, Membership proc,
                                        java.util.function.LongPredicate member) {
        List<Escapees.Found> found = new java.util.ArrayList<>();
        for (long p : listed) {
            if (p == leader || p == self) continue;
            long ticks = proc.startTicks(p);
            if (ticks < 0 || (spared != null && spared.equals(proc.command(p)))) continue;
            // after the start time: a pid handed out again in between is another process's by now, not a member
            if (!member.test(p) || proc.startTicks(p) != ticks) continue;
            found.add(new Escapees.Found(p, ticks, ""));
        }
        return found;
    }

    /**
     * Whether process {@code pid} is now one of the attempt's: a member of its cgroup (or of one below it), by the cgroup
     * file of the process; else under bubblewrap, a descendant of the group leader (its parents read up to it); else
     * (what {@link Escapees} found by the environment) no proof beyond the start time.
     */
    private java.util.function.LongPredicate memberCheck() {
        if (cgroup != null) {
            String name = cgroup.dir().getFileName().toString();
            return p -> inCgroup(p, name);
        }
        if (bubblewrapPath != null) return p -> descendantOf(p, pid());
        return p -> true;
    }

    /** Whether a line of {@code /proc/PID/cgroup} of {@code pid} names the cgroup {@code name} or one below it. */
    static boolean inCgroup(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                if (cgroupLineNames(line, name)) return true;
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return false;
    }

    /** Whether the {@code /proc/PID/cgroup} line {@code line} ({@code ID:controllers:path}) has {@code name} in its path. */
    static boolean cgroupLineNames(String line, String name) {
        String[] f = line.split(":", 3);
        return f.length == 3 && java.util.Arrays.asList(f[2].strip().split("/")).contains(name);
    }

    /** Whether {@code pid} descends from {@code ancestor}: its parent, or its parent's, ..., up to 64 levels. */
    private static boolean descendantOf(long pid, long ancestor) {
        java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
        for (int level = 0; level < 64 && h.isPresent(); level++) {
            h = h.get().parent();
            if (h.isPresent() && h.get().pid() == ancestor) return true;
        }
        return false;
    }

    /**
     * Sends {@code signal} to {@code f}, found by {@link #outsideTheGroup}, only while, once pinned ({@link Kill#killPinned}),
     * it is still that process (same start time) and still one of the attempt's ({@link #memberCheck}); nothing where
     * {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM}).
     */
    private void signalOutside(Escapees.Found f, String signal) {
        if (!listedOutside.contains(f)) {
            Escapees.signal(f, signal); // found by its environment, read through its pinned /proc directory
            return;
        }
        if (Escapees.PROC_PROBLEM != null) return;
        java.util.function.LongPredicate member = memberCheck();
        Kill.signalProcess(f.pid(), signal, () -> pinnedStillTarget(f, MEMBERSHIP_HOST, member));
    }

    /** The check {@link #signalOutside} runs once {@code f} is pinned: same start time, and a member. */
    static boolean pinnedStillTarget(Escapees.Found f, Membership proc, java.util.function.LongPredicate member) {
        return proc.startTicks(f.pid()) == f.startTicks() && member.test(f.pid());
    }

    /** Those of {@link #outsideTheGroup} listed from the cgroup or the descendants: signalled only while still members. */
    private final java.util.Set<Escapees.Found> listedOutside = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** The processes outside the group that got the stop's TERM ({@link #outsideTheGroup}); they share the grace. */
    private List<Escapees.Found> termedOutside = List.of();

    /**
     * When the grace period of a stop that began with TERM ends ({@link System#nanoTime()}), or null when there was no
     * such stop: what {@link Escapees#endAll} gives the processes it finds is then what is left of it, not a second grace.
     */
    private Long graceDeadline;

    /** The grace left to {@link Escapees#endAll} after the attempt's process ended, in milliseconds. */
    private long graceLeftMillis() {
        if (graceDeadline == null) return spec.grace().toMillis();
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(graceDeadline - System.nanoTime()));
    }

    private void stop(String firstSignal, long graceMillis) throws InterruptedException {
        if ("KILL".equals(firstSignal)) {
            ProcessGroups.signalGroup(pid(), firstSignal);
        } else {
            // every process of the attempt gets the TERM, not only its group's: a process that left the group (setsid, a
            // daemon) cleans up within the same grace, and a script waiting for it (the grace trap's `wait`) ends with it
            boolean group = bubblewrapPath != null
                    // the script first, bwrap spared: bwrap's death would end the PID namespace, and with it the grace
                    ? ProcessGroups.signalGroupExcept(pid(), firstSignal, commandName(bubblewrapPath))
                    : ProcessGroups.signalGroup(pid(), firstSignal);
            termedOutside = outsideTheGroup();
            if (bubblewrapPath != null && !group && termedOutside.isEmpty()) {
                // nobody but bwrap yet (the first milliseconds): the script has not started, so no grace is owed, and
                // a TERM now would reach nobody while the script, started later, runs until the grace's KILL
                firstSignal = "KILL";
                ProcessGroups.signalGroup(pid(), firstSignal);
            }
            for (Escapees.Found f : termedOutside) signalOutside(f, firstSignal);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        if (!"KILL".equals(firstSignal)) graceDeadline = deadline;
        try {
            if (!"KILL".equals(firstSignal)) {
                if (!endsWithin(graceMillis)) {
                    killedAfterGrace = !killRequest.isDone(); // not when a second Ctrl-C cut the grace short
                    ProcessGroups.signalGroup(pid(), "KILL");
                } else if (bubblewrapPath == null) {
                    // the script ended at once (a shell in `wait` dies of TERM), but members that got the same TERM
                    // (a child cleaning up), and the processes outside the group that got it, keep the rest of the grace
                    // before the sweep; under bubblewrap the script's end ends the PID namespace, and them with it
                    while ((ProcessGroups.groupHasMembers(pid()) || termedOutside.stream().anyMatch(Escapees::stillRunning))
                            && System.nanoTime() < deadline && !killRequest.isDone()) {
                        Thread.sleep(GROUP_POLL_MILLIS);
                    }
                }
            }
        } catch (InterruptedException e) {
            ProcessGroups.signalGroup(pid(), "KILL"); // no grace left for members that ignore TERM
            for (Escapees.Found f : termedOutside) signalOutside(f, "KILL");
            throw e;
        } finally {
            process.destroyForcibly();
        }
    }

    /** Waits up to {@code graceMillis} for the process to end; false on timeout or when {@link #kill} cuts the grace short. */
    private boolean endsWithin(long graceMillis) throws InterruptedException {
        if (killRequest.isDone()) return !process.isAlive();
        try {
            CompletableFuture.anyOf(process.onExit(), killRequest).get(graceMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for process " + pid() + " failed", e);
        }
        return !process.isAlive();
    }

    /**
     * The kernel's name of the processes of the executable at {@code path}: its file name cut to 15 bytes,
     * like {@code /proc/PID/stat}'s field 2 (TASK_COMM_LEN 16, proc(5)).
     */
    static String commandName(String path) {
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.length() > 15 ? name.substring(0, 15) : name;
    }

    static void deleteTree(Path dir) {
        if (dir == null) return;
        try {
            Files.deleteIfExists(dir); // the usual case: the attempt left its private HOME empty
            return;
        } catch (IOException notEmpty) {
            // walk it below
        }
        try {
            FileTrees.delete(dir);
        } catch (IOException ignored) {
            // best effort: a private temporary HOME
        }
    }
}
