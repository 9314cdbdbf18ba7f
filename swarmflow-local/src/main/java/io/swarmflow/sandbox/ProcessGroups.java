package io.swarmflow.sandbox;

import io.swarmflow.files.proc.ProcMounts;
import io.swarmflow.files.proc.ProcStat;

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

    /**
     * Whether the main thread of {@code pid} has ended while the process still has other threads: its state
     * (field 3 of {@code /proc/PID/stat}) is {@code Z} or {@code X}. False when the process is gone.
     */
    static boolean mainThreadEnded(long pid) {
        String[] f = statFields(pid);
        return f != null && (f[0].equals("Z") || f[0].equals("X"));
    }

    /** The kernel's name of {@code pid}'s command ({@code /proc/PID/stat} field 2, at most 15 bytes), or null when gone. */
    static String command(long pid) {
        Stat stat = stat(PROC.resolve(Long.toString(pid)));
        return stat == null ? null : stat.command();
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
        Stat stat = stat(PROC.resolve(Long.toString(pid)));
        return stat == null ? null : stat.fields();
    }

    /** One {@code /proc/PID/stat}: the command name (field 2) and fields 3 on ({@link #statFields}). */
    record Stat(long pid, String command, String[] fields) {
        boolean liveMemberOf(long pgid) {
            return fields.length > 2 && !fields[0].equals("Z") && !fields[0].equals("X") && Long.parseLong(fields[2]) == pgid;
        }
    }

    /**
     * The stat of the process whose {@code /proc} directory is {@code dir} (parsed by {@link ProcStat}, which the engine's
     * coordinator identities share), or null when it is gone or unreadable.
     */
    static Stat stat(Path dir) {
        try {
            ProcStat parsed = ProcStat.parse(readProc(dir.resolve("stat")));
            return parsed == null ? null : new Stat(parsed.pid(), parsed.command(), parsed.fields());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The live (not zombie) processes of group {@code pgid}, from every process's stat file. Every process
     * is read: pid order says nothing certain about which processes are younger than the group's leader
     * (a failed fork consumes a pid too, and the allocator wraps around).
     *
     * @throws IOException when {@code /proc} cannot be listed
     */
    private static List<Stat> liveMembers(long pgid) throws IOException {
        SCANS.increment();
        List<Stat> members = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path dir : procs) {
                if (pidOf(dir.getFileName().toString()) <= 0) continue;
                Stat stat = stat(dir);
                if (stat != null && stat.liveMemberOf(pgid)) members.add(stat);
            }
        }
        return members;
    }

    /**
     * Whether process group {@code pgid} still has a live (not zombie) member. The usual answer, an empty
     * group, costs one kill(2) with signal 0 on the group ({@link Kill}: ESRCH); otherwise, or where kill(2)
     * cannot be called directly, every {@code /proc/PID/stat} is read ({@link #groupHasMembersByScan}), since
     * kill(2) also finds zombies that are not reaped yet (for ever where nothing reaps orphans, such as a
     * container whose PID 1 is this JVM). Where {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM})
     * it is not read: true unless kill(2) answers ESRCH. Callers use it to skip {@link #signalGroup} when the group is empty.
     */
    public static boolean groupHasMembers(long pgid) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to look at process group " + pgid);
        if (Kill.available() && Kill.kill(-pgid, 0) == Kill.ESRCH) return false;
        // a /proc of another PID namespace shows others' processes: kill(2) found some, or cannot be asked; say yes
        if (Escapees.PROC_PROBLEM != null) return true;
        return groupHasMembersByScan(pgid);
    }

    /** How many times every process's stat file was read ({@link #liveMembers}): for tests of what a call costs. */
    static final java.util.concurrent.atomic.LongAdder SCANS = new java.util.concurrent.atomic.LongAdder();

    /**
     * Sends SIGKILL to whatever is left of group {@code pgid} once its leader has ended: with kill(2) ({@link Kill}) one
     * call on the group, without looking at its members first (a zombie ignores the signal, an empty group answers ESRCH);
     * where kill(2) cannot be called directly, {@code kill -s KILL -- -PGID} only when a scan of {@code /proc} finds a live
     * member ({@link #groupHasMembers}), since that costs a process.
     * <p>
     * Why not {@link #groupHasMembers} first: a group whose leader was reaped often still holds a zombie no one has reaped
     * yet (bubblewrap's process inside the sandbox, run with {@code --unshare-pid}, is left to the system's init when the
     * outer bwrap exits, and an init that reaps lazily keeps it for a while), so the kill(2) probe found a member and every
     * attempt then read every process's stat file: 3.3 ms of CPU per sandboxed attempt on a machine with 110 processes
     * (docs/benchmarks.md, B3). The group id cannot name another group meanwhile: Linux does not hand out a pid that is
     * still some process's group id, zombies included.
     *
     * @param pgid the group, greater than 1
     * @return true when kill(2) reached at least one process, zombies included, or the {@code kill} command ran and
     *     succeeded
     * @throws IllegalArgumentException for {@code pgid <= 1}
     */
    public static boolean killLeftovers(long pgid) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to signal process group " + pgid);
        if (Kill.available()) return Kill.kill(-pgid, Kill.number("KILL")) == 0;
        return (Escapees.PROC_PROBLEM != null || groupHasMembersByScan(pgid)) && signalGroupByCommand(pgid, "KILL");
    }

    /** {@link #groupHasMembers} by reading every process's stat file ({@link #liveMembers}). */
    static boolean groupHasMembersByScan(long pgid) {
        try {
            return !liveMembers(pgid).isEmpty();
        } catch (IOException e) {
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
    static long pidOf(String name) {
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

    /** The {@code kill} executable, looked up once ({@link Kill#COMMAND}). */
    private static final String KILL = Kill.COMMAND;

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
        return killCommand(signal, List.of("-" + pgid));
    }

    /**
     * Runs {@code kill -s SIGNAL -- TARGET...}; true when it exited 0 (every target signalled), or, with
     * several targets, when it ran at all: kill(1) exits non-zero when one of them ended meanwhile.
     */
    private static boolean killCommand(String signal, List<String> targets) {
        List<String> argv = new java.util.ArrayList<>(List.of(KILL, "-s", signal, "--"));
        argv.addAll(targets);
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0 || targets.size() > 1;
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
     * {@link #signalGroup}; a process forked meanwhile is reached by the caller's final SIGKILL of the group. A member
     * is signalled only while it is still the one the scan found (its pid not handed out again since). Where
     * {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM}) nothing is read from it: the whole group
     * gets the signal, {@code exceptCommand}'s processes too (see {@link #signalGroupExcept(long, String, String, String)}).
     *
     * @return true when at least one process was signalled
     */
    public static boolean signalGroupExcept(long pgid, String signal, String exceptCommand) {
        return signalGroupExcept(pgid, signal, exceptCommand, Escapees.PROC_PROBLEM);
    }

    /**
     * {@link #signalGroupExcept(long, String, String)} with {@code procProblem} ({@link Escapees#PROC_PROBLEM}) given.
     * When it is not null, {@code /proc} names the processes of another PID namespace by these numbers: a scan of it
     * would pick unrelated processes whose recorded group happens to be {@code pgid}, and kill(2) here would then hit
     * yet other ones. So nothing is read from {@code /proc}: the whole group gets {@code signal} at once
     * ({@link #signalGroup}, kill(2) on the group, which the kernel resolves in this namespace), {@code exceptCommand}'s
     * processes included (under bubblewrap that ends the sandbox at once, and with it the grace period). Otherwise each
     * member is signalled only while it is still the member found (pinned, {@link Kill#killPinned}, then its stat read
     * again: same start time, same group, not a zombie), so a member that ended after the scan and whose pid was handed
     * out again is spared.
     */
    static boolean signalGroupExcept(long pgid, String signal, String exceptCommand, String procProblem) {
        if (pgid <= 1) throw new IllegalArgumentException("refusing to signal process group " + pgid);
        if (procProblem != null) return signalGroup(pgid, signal);
        List<Stat> members;
        try {
            members = liveMembers(pgid).stream().filter(m -> !m.command().equals(exceptCommand)).toList();
        } catch (IOException e) {
            return false;
        }
        if (members.isEmpty()) return false;
        int number = Kill.number(signal);
        if (Kill.available() && number > 0) {
            boolean any = false;
            for (Stat m : members) any |= Kill.killPinned(m.pid(), number, () -> stillMember(m, pgid)) == 0;
            return any;
        }
        return killCommand(signal, members.stream().filter(m -> stillMember(m, pgid)).map(m -> String.valueOf(m.pid())).toList());
    }

    /**
     * Whether the process {@code found} names (as a scan read it) is still that process, a live member of group
     * {@code pgid}: its stat, read again, has the same start time (field 22) and group, and it is not a zombie. A pid
     * handed out again after the scan reads another start time.
     */
    static boolean stillMember(Stat found, long pgid) {
        Stat now = stat(PROC.resolve(Long.toString(found.pid())));
        return now != null && now.liveMemberOf(pgid) && sameStart(found, now);
    }

    private static boolean sameStart(Stat a, Stat b) {
        return a.fields().length >= 20 && b.fields().length >= 20 && a.fields()[19].equals(b.fields()[19]);
    }

    /**
     * Whether the process group led by {@code pid} has something {@link #killOrphanGroup} kills, checked without
     * signalling anything ({@link #recordedGroupAlive}, the rule both use): the recorded leader, {@code pid} with the
     * start time {@code startTicks}, still runs (its state is not {@code Z} or {@code X}, or it is but its main thread
     * alone ended: field 20 of {@code /proc/PID/stat}, its thread count, is above 1); or it is a zombie (it exited and is
     * not reaped yet) whose group still has a live member ({@link #groupHasMembers}); or it was reaped, no process has its
     * pid, and the group it led still has a live member that started no earlier than it ({@link #reapedLeadersGroupAlive}:
     * every {@code /proc/PID/stat} is read for field 5, the group). Linux does not give a pid to a new process while a
     * process group of that id has members, so, within the boot the leader was recorded in, such a group is the recorded
     * leader's, unless, after the leader was reaped, the pid space wrapped around ({@code /proc/sys/kernel/pid_max}
     * processes later) and a process that got the pid led a group of its own and was reaped in turn while that group runs
     * on. Across a reboot that rule is worthless (start ticks count from each boot, and any group whose leader exited
     * could have the pid as its id), and this method cannot tell: the caller must know that the attempt was recorded in
     * the current boot (the engine and {@code swarm status} go by {@code Owners.isOfThisBoot} of the coordinator that
     * launched it). A process recorded as started before this pid namespace's init (a container restarted since) reads
     * as gone too. A pid that another process has now (another start time) reads as gone. Read-only: reads
     * {@code /proc}, and at most sends signal 0.
     *
     * @param pid        the recorded group leader
     * @param startTicks its recorded start time in clock ticks since the current boot, as read in this process's time
     *                   namespace ({@link #TIME_NAMESPACE}; the overload with {@code ticksTimeNamespace} for ticks a
     *                   coordinator of another one may have recorded)
     * @return false as well for {@code pid <= 1} or {@code startTicks <= 0} (nothing recorded), and when it cannot be
     *         told ({@link #orphanGroupUncheckable} not null: {@code /proc} of another PID namespace, a pid it hides, a
     *         process of another time namespace): a caller that reports must ask {@link #orphanGroupUncheckable} first,
     *         not say that the group no longer runs
     */
    public static boolean orphanGroupAlive(long pid, long startTicks) {
        return orphanGroupAlive(pid, startTicks, TIME_NAMESPACE);
    }

    /**
     * {@link #orphanGroupAlive(long, long)} with {@code startTicks} as read in the time namespace whose inode is
     * {@code ticksTimeNamespace} (the launching coordinator's, as it recorded it; 0 when not recorded): false when that is
     * another one than this process's ({@link #ticksIncomparable}), which {@link #orphanGroupUncheckable(long, long, long)}
     * then names.
     */
    public static boolean orphanGroupAlive(long pid, long startTicks, long ticksTimeNamespace) {
        return recordedGroupAlive(pid, startTicks, ticksTimeNamespace);
    }

    /**
     * Kills (SIGKILL) the process group led by {@code pid} when it has something to kill by the rule of
     * {@link #orphanGroupAlive} ({@link #recordedGroupAlive}): the recorded leader, the same process (pid and start
     * time, not a reused pid), still runs, or is a zombie whose group has a live member, or was reaped while its group
     * still has one. A zombie leader alone in its group, and a pid another process has now, are left as they are. When the
     * leader was reaped and a live member of its group started before it (not one of the processes the group started,
     * so possibly not the attempt's), only the members that started at or after it are killed, each by its pid
     * ({@link #killReapedLeadersGroup}); otherwise the whole group at once (kill(2) on the group). As for
     * {@link #orphanGroupAlive}, the caller must know the attempt was recorded in the current boot.
     *
     * @param pid        the recorded group leader
     * @param startTicks its recorded start time in clock ticks since the current boot, as read in this process's time
     *                   namespace ({@link #TIME_NAMESPACE}; the overload with {@code ticksTimeNamespace} for ticks a
     *                   coordinator of another one may have recorded)
     * @return true when the group (or, when the leader left it, the leader; or the members that started at or after the
     *         reaped leader) was signalled
     */
    public static boolean killOrphanGroup(long pid, long startTicks) {
        return killOrphanGroup(pid, startTicks, w -> {});
    }

    /**
     * {@link #killOrphanGroup(long, long)}, saying in {@code warnings} when it signals nothing because {@code /proc} does
     * not show this process's PID namespace ({@link Escapees#PROC_PROBLEM}): its numbers would name other processes
     * than kill(2) reaches here, so the group is neither checked nor killed (review D2 F11).
     *
     * @param warnings gets one line naming the pid and the problem then; nothing otherwise
     * @return as {@link #killOrphanGroup(long, long)}; false when {@code /proc} is another namespace's
     */
    public static boolean killOrphanGroup(long pid, long startTicks, java.util.function.Consumer<String> warnings) {
        return killOrphanGroup(pid, startTicks, TIME_NAMESPACE, warnings);
    }

    /**
     * {@link #killOrphanGroup(long, long, java.util.function.Consumer)} with {@code startTicks} as read in the time
     * namespace whose inode is {@code ticksTimeNamespace} (the launching coordinator's; 0 when not recorded): when that is
     * another one than this process's ({@link #ticksIncomparable}) nothing is signalled and {@code warnings} gets the
     * reason ({@link #orphanUnseen}).
     */
    public static boolean killOrphanGroup(long pid, long startTicks, long ticksTimeNamespace,
                                          java.util.function.Consumer<String> warnings) {
        return killOrphanGroup(pid, startTicks, ticksTimeNamespace, warnings, Escapees.PROC_PROBLEM);
    }

    /** {@link #killOrphanGroup(long, long, java.util.function.Consumer)} with {@code procProblem} given (null: none). */
    static boolean killOrphanGroup(long pid, long startTicks, java.util.function.Consumer<String> warnings, String procProblem) {
        return killOrphanGroup(pid, startTicks, TIME_NAMESPACE, warnings, procProblem);
    }

    /** {@link #killOrphanGroup(long, long, long, java.util.function.Consumer)} with {@code procProblem} given (null: none). */
    static boolean killOrphanGroup(long pid, long startTicks, long ticksTimeNamespace, java.util.function.Consumer<String> warnings,
                                   String procProblem) {
        if (pid <= 1 || startTicks <= 0) return false;
        if (procProblem != null) {
            warnings.accept(orphanUncheckable(pid, procProblem));
            return false;
        }
        String unseen = orphanGroupUncheckable(pid, startTicks, ticksTimeNamespace, null);
        if (unseen != null) {
            warnings.accept(orphanUnseen(pid, unseen));
            return false;
        }
        if (!recordedGroupAlive(pid, startTicks, ticksTimeNamespace)) return false;
        if (statFields(pid) == null) return killReapedLeadersGroup(pid, startTicks, ticksTimeNamespace);
        boolean killed = signalGroup(pid, "KILL");
        if (!killed) {
            // The recorded process left its group (it called setsid itself): kill it alone.
            killed = ProcessHandle.of(pid).map(ProcessHandle::destroyForcibly).orElse(false);
        }
        return killed;
    }

    /** The warning that the process group {@code pid} left by a stopped coordinator was neither checked nor killed. */
    static String orphanUncheckable(long pid, String problem) {
        return "the process group " + pid + " of an attempt left running by its stopped coordinator was neither checked nor "
                + "killed: " + problem + ", so its numbers name other processes than kill(2) would reach; if it still runs, "
                + "end it yourself where /proc is mounted for its own PID namespace";
    }

    /**
     * The warning that the process group {@code pid} left by a stopped coordinator was not killed because whether it is
     * still the attempt's cannot be told here ({@code why}: {@link #orphanGroupUncheckable}).
     */
    static String orphanUnseen(long pid, String why) {
        return "the process group " + pid + " of an attempt left running by its stopped coordinator was not killed: " + why
                + "; if it still runs and is the attempt's, end it yourself (`kill -KILL -- -" + pid + "`, as its user or root)";
    }

    /**
     * Why this process cannot tell whether the process group an attempt's leader {@code pid} (recorded start
     * {@code startTicks}, clock ticks since boot as its coordinator read them) led still runs, or null when it can
     * ({@link #orphanGroupAlive} then answers). Not null:
     * <ul>
     *   <li>when {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM});</li>
     *   <li>when {@code /proc} does not show the pid (or, with its leader gone, the group) that kill(2) with signal 0
     *       answers EPERM for: it exists, but is hidden ({@code /proc} mounted with {@code hidepid=}, another user's
     *       process), so its being invisible proves nothing;</li>
     *   <li>when a process with the pid shows other start ticks and runs in another time namespace than this process
     *       ({@code /proc/PID/ns/time} against {@code /proc/self/ns/time}): Linux shows field 22 in the reader's time
     *       namespace, so the attempt's own leader, started in its coordinator's, reads with another offset here, and
     *       other ticks prove nothing.</li>
     * </ul>
     * Read-only: reads {@code /proc} and sends at most signal 0.
     *
     * @return one line saying why, for a message after "cannot tell whether it still runs: "; null when it can be told
     */
    public static String orphanGroupUncheckable(long pid, long startTicks) {
        return orphanGroupUncheckable(pid, startTicks, TIME_NAMESPACE);
    }

    /**
     * {@link #orphanGroupUncheckable(long, long)} with {@code startTicks} as read in the time namespace whose inode is
     * {@code ticksTimeNamespace} (the launching coordinator's; 0 when not recorded): not null as well when that is another
     * one than this process's ({@link #ticksIncomparable}).
     */
    public static String orphanGroupUncheckable(long pid, long startTicks, long ticksTimeNamespace) {
        return orphanGroupUncheckable(pid, startTicks, ticksTimeNamespace, Escapees.PROC_PROBLEM);
    }

    private static String orphanGroupUncheckable(long pid, long startTicks, long ticksTimeNamespace, String procProblem) {
        if (pid <= 1 || startTicks <= 0) return null;
        if (procProblem != null) return procProblem;
        String incomparable = ticksIncomparable(ticksTimeNamespace);
        if (incomparable != null) return incomparable;
        String[] f = statFields(pid);
        OptionalLong seen = f == null || f.length < 20 ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(f[19]));
        int leaderProbe = seen.isPresent() ? -1 : Kill.exists(pid); // without JNA, kill(1): hidepid is told there too
        int groupProbe = seen.isPresent() ? -1 : Kill.exists(-pid);
        String pidTime = seen.isPresent() ? timeNamespace(PROC.resolve(Long.toString(pid))) : null;
        return uncheckable(pid, startTicks, seen, leaderProbe, groupProbe, timeNamespace(PROC.resolve("self")), pidTime,
                ProcMounts.HIDES_PIDS);
    }

    /**
     * The decision of {@link #orphanGroupUncheckable(long, long)} on what was read: {@code seenTicks} the start ticks
     * {@code /proc/PID/stat} shows (empty when it shows no such process), {@code leaderProbe} and {@code groupProbe} the
     * errno of kill(2) with signal 0 on the pid and on the group (0 when reached, -1 when not asked), {@code ownTimeNs}
     * and {@code pidTimeNs} the targets of this process's and the pid's {@code ns/time} links (null when unknown).
     */
    static String uncheckable(long pid, long startTicks, OptionalLong seenTicks, int leaderProbe, int groupProbe,
                              String ownTimeNs, String pidTimeNs) {
        return uncheckable(pid, startTicks, seenTicks, leaderProbe, groupProbe, ownTimeNs, pidTimeNs, false);
    }

    /**
     * {@link #uncheckable(long, long, OptionalLong, int, int, String, String)} with {@code procHidesPids} given
     * ({@link ProcMounts#HIDES_PIDS}): where {@code /proc} hides other users' processes and it does not show the pid, a
     * probe that could not answer (-1: no kill(2) through JNA, and {@code kill(1)}, {@link Kill#COMMAND}, missing or
     * failing) leaves it unknown whether the pid or its group exists: cannot be told, never gone.
     */
    static String uncheckable(long pid, long startTicks, OptionalLong seenTicks, int leaderProbe, int groupProbe,
                              String ownTimeNs, String pidTimeNs, boolean procHidesPids) {
        if (seenTicks.isEmpty() && (leaderProbe == Kill.EPERM || groupProbe == Kill.EPERM)) {
            return (leaderProbe == Kill.EPERM ? "process " + pid : "a process of group " + pid) + " exists (kill(2) answers "
                    + "EPERM: another user's) but /proc does not show it (mounted with hidepid=), so whether it is the attempt's "
                    + "cannot be told";
        }
        if (seenTicks.isEmpty() && procHidesPids && (leaderProbe == -1 || groupProbe == -1)
                && leaderProbe != 0 && groupProbe != 0) {
            return "/proc does not show process " + pid + " (mounted with hidepid=: it hides other users' processes) and "
                    + "neither kill(2) nor kill(1) (" + Kill.COMMAND + ") could be asked whether it or its group exists, so "
                    + "whether it still runs cannot be told";
        }
        if (seenTicks.isPresent() && seenTicks.getAsLong() != startTicks && ownTimeNs != null && pidTimeNs != null
                && !ownTimeNs.equals(pidTimeNs)) {
            return "process " + pid + " runs in another time namespace (" + pidTimeNs + ") than this one (" + ownTimeNs
                    + "), where its start time (field 22 of /proc/" + pid + "/stat) reads with another offset, so it cannot "
                    + "be compared with the recorded one";
        }
        return null;
    }

    /**
     * The inode of this process's time namespace ({@code /proc/self/ns/time}, {@code time:[INODE]}, see
     * time_namespaces(7)), 0 when it cannot be read (a kernel without time namespaces). Read once: a process never moves
     * to another time namespace itself (setns(2) and unshare(2) change its children's).
     */
    public static final long TIME_NAMESPACE = inode(timeNamespace(PROC.resolve("self")));

    /** The number in a namespace link's target {@code time:[INODE]}, or 0 for null or another shape. */
    static long inode(String link) {
        if (link == null || !link.startsWith("time:[") || !link.endsWith("]")) return 0;
        try {
            return Long.parseLong(link.substring(6, link.length() - 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Why start ticks read in the time namespace whose inode is {@code ticksTimeNamespace} (as the coordinator that
     * recorded them was in) cannot be compared with those this process reads, or null when they can: Linux shows field 22
     * of {@code /proc/PID/stat} with the <em>reader's</em> time namespace offset, so ticks read in another namespace than
     * this one prove nothing, equal or not. The one rule every comparison of recorded ticks here goes by
     * ({@link #recordedGroupAlive}, {@link #reapedLeadersGroupAlive}, {@link #killReapedLeadersGroup},
     * {@link Escapees#find(long, long, long, List, boolean)}), so that none can forget it. Null as well when either
     * namespace is unknown (0: recorded by an older swarm, or a kernel without time namespaces), as before the
     * namespace was recorded.
     */
    static String ticksIncomparable(long ticksTimeNamespace) {
        return ticksIncomparable(ticksTimeNamespace, TIME_NAMESPACE);
    }

    /** {@link #ticksIncomparable(long)} with this process's time namespace inode given ({@code own}, 0 when unknown). */
    static String ticksIncomparable(long ticksTimeNamespace, long own) {
        if (ticksTimeNamespace <= 0 || own <= 0 || ticksTimeNamespace == own) return null;
        return "the start time on record was read in time namespace time:[" + ticksTimeNamespace + "], not this process's time:["
                + own + "], and Linux shows start times (field 22 of /proc/PID/stat) with the reader's offset, so the recorded "
                + "one cannot be compared with those read here";
    }

    /** The target of {@code dir}'s {@code ns/time} link ({@code time:[INODE]}), or null when it cannot be read. */
    private static String timeNamespace(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("ns").resolve("time")).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * What {@link #killOrphanEscapees} did: the pids of the processes it ended, and of those still running after its last
     * scan (they kept starting others); both empty when it found nothing. {@code otherScratch}: the pids of processes
     * that hold the attempt's ids but another {@code SWARM_SCRATCH} than those looked for, left alone (another state
     * directory's attempt, or this one's launched with the state directory named by another path; review DPROC F3).
     */
    public record OrphanEscapees(List<Long> ended, List<Long> left, List<Long> otherScratch) {
        /** What was ended and left, with no process of another scratch directory found. */
        public OrphanEscapees(List<Long> ended, List<Long> left) {
            this(ended, left, List.of());
        }

        /** Copies both lists. */
        public OrphanEscapees {
            ended = List.copyOf(ended);
            left = List.copyOf(left);
        }
    }

    /**
     * Ends the processes an attempt whose coordinator died left outside its process group ({@code setsid}, a daemon),
     * which neither {@link #killOrphanGroup} nor (without bubblewrap's {@code --die-with-parent}, as an ordinary user
     * without a cgroup) anything else ends: this user's processes started no earlier than the attempt's first, whose
     * environment holds the attempt's {@code SWARM_RUN_ID}, {@code SWARM_TICKET_ID}, {@code SWARM_ATTEMPT} and
     * {@code SWARM_SCRATCH} as {@code env} gives them, the way an attempt's own end finds them ({@code Escapees}; the
     * scratch directory tells this state directory's attempt from another's with the same ids; looked for as given and with
     * its symbolic links resolved, {@link #scratchSpellings}), except the members of group
     * {@code pid}, which {@link #killOrphanGroup} kills or spares: each gets TERM and at once KILL (no grace, as for the
     * group), what they start meanwhile too, scan after scan. As for
     * {@link #killOrphanGroup}, the caller must know the attempt was recorded in the current boot and pid namespace.
     *
     * @param pid        the attempt's recorded group leader (its first process)
     * @param startTicks its recorded start time in clock ticks since the current boot; 0 (nothing recorded) looks for nothing
     * @param env        the attempt's marker entries by name, each value exactly as the attempt's first process got it
     *                   ({@code SWARM_SCRATCH}: the absolute path its launch gave); one of the ids missing looks for nothing
     * @throws IllegalArgumentException when {@code env} has no {@code SWARM_SCRATCH}: by the ids alone another state
     *                                  directory's live attempt of the same run would be ended
     * @throws InterruptedException when interrupted; the processes of the current scan have been KILLed
     */
    public static OrphanEscapees killOrphanEscapees(long pid, long startTicks, java.util.Map<String, String> env)
            throws InterruptedException {
        return killOrphanEscapees(pid, startTicks, TIME_NAMESPACE, env);
    }

    /**
     * {@link #killOrphanEscapees(long, long, java.util.Map)} with {@code startTicks} as read in the time namespace whose
     * inode is {@code ticksTimeNamespace} (the launching coordinator's; 0 when not recorded): when that is another one than
     * this process's ({@link #ticksIncomparable}) nothing is looked for (which processes started after the attempt's first
     * cannot be told), and both lists are empty.
     *
     * @throws IllegalArgumentException as {@link #killOrphanEscapees(long, long, java.util.Map)}
     * @throws InterruptedException as {@link #killOrphanEscapees(long, long, java.util.Map)}
     */
    public static OrphanEscapees killOrphanEscapees(long pid, long startTicks, long ticksTimeNamespace,
                                                    java.util.Map<String, String> env) throws InterruptedException {
        if (env.get(Escapees.SCRATCH) == null) {
            throw new IllegalArgumentException("no " + Escapees.SCRATCH + " to tell the attempt's processes from another "
                    + "state directory's by");
        }
        if (pid <= 1 || startTicks <= 0) return new OrphanEscapees(List.of(), List.of());
        List<Long> ended = new java.util.ArrayList<>();
        List<Long> left = new java.util.ArrayList<>();
        List<String> spellings = scratchSpellings(env.get(Escapees.SCRATCH));
        for (String scratch : spellings) endSpelled(pid, startTicks, ticksTimeNamespace, env, scratch, ended, left);
        // by the ids alone, to say what was left alone for its other scratch directory (not signalled)
        java.util.Map<String, String> ids = new java.util.HashMap<>(env);
        ids.remove(Escapees.SCRATCH);
        List<byte[]> idMarkers = Escapees.markers(ids);
        List<Long> other = idMarkers.isEmpty() ? List.of()
                : othersWithTheIds(pid, startTicks, ticksTimeNamespace, idMarkers, ended, left);
        // one of them whose SWARM_SCRATCH is this very directory spelled otherwise (the attempt launched with the state
        // directory named through a symbolic link, the resume naming it by its physical path) is this attempt's: ended
        List<String> more = sameDirectorySpellings(other, env.get(Escapees.SCRATCH), spellings);
        if (!more.isEmpty()) {
            for (String scratch : more) endSpelled(pid, startTicks, ticksTimeNamespace, env, scratch, ended, left);
            other = othersWithTheIds(pid, startTicks, ticksTimeNamespace, idMarkers, ended, left);
        }
        return new OrphanEscapees(List.copyOf(ended), List.copyOf(left), other);
    }

    /** Ends the processes holding {@code env}'s ids and {@code scratch} as their {@code SWARM_SCRATCH}, outside group {@code pid}. */
    private static void endSpelled(long pid, long startTicks, long ticksTimeNamespace, java.util.Map<String, String> env, String scratch,
                                   List<Long> ended, List<Long> left) throws InterruptedException {
        java.util.Map<String, String> spelled = new java.util.HashMap<>(env);
        spelled.put(Escapees.SCRATCH, scratch);
        // the members of the recorded group hold the same variables: they are the group's rule's, killed or spared by
        // it (its leader's identity), and not named as escaped while they die
        Escapees.Ended e = Escapees.endAll(pid, startTicks, ticksTimeNamespace, Escapees.markers(spelled), true, 0, Escapees.ROUNDS,
                f -> processGroup(f.pid()).orElse(pid) != pid);
        e.ended().forEach(f -> { if (!ended.contains(f.pid())) ended.add(f.pid()); });
        e.left().forEach(f -> { if (!left.contains(f.pid())) left.add(f.pid()); });
    }

    /** The pids of the processes outside group {@code pid} holding {@code idMarkers} that are neither ended nor left. */
    private static List<Long> othersWithTheIds(long pid, long startTicks, long ticksTimeNamespace, List<byte[]> idMarkers,
                                               List<Long> ended, List<Long> left) {
        return Escapees.find(pid, startTicks, ticksTimeNamespace, idMarkers, true).stream().map(Escapees.Found::pid)
                .filter(p -> processGroup(p).orElse(pid) != pid && !ended.contains(p) && !left.contains(p)).toList();
    }

    /**
     * The {@code SWARM_SCRATCH} values of processes {@code pids} that are not among {@code known} but name the same
     * directory as {@code scratch} ({@link Files#isSameFile}: the same device and inode, both existing), each once. A
     * process whose environment cannot be read, or whose value names another directory or nothing, adds nothing.
     */
    static List<String> sameDirectorySpellings(List<Long> pids, String scratch, List<String> known) {
        java.util.LinkedHashSet<String> more = new java.util.LinkedHashSet<>();
        for (long p : pids) {
            java.util.Optional<String> theirs = Escapees.environmentValue(p, Escapees.SCRATCH);
            if (theirs.isEmpty() || known.contains(theirs.get()) || more.contains(theirs.get())) continue;
            try {
                if (Files.isSameFile(Path.of(theirs.get()), Path.of(scratch))) more.add(theirs.get());
            } catch (IOException | RuntimeException e) {
                // not there, not readable, or not a path: another directory for all that can be told
            }
        }
        return List.copyOf(more);
    }

    /**
     * The spellings of the scratch directory {@code scratch} (an attempt's {@code SWARM_SCRATCH}) that {@link
     * #killOrphanEscapees} looks for: as given, then with its symbolic links resolved ({@link Path#toRealPath}; of its
     * nearest existing ancestor when it does not exist), when that differs: an attempt launched with the state directory
     * named by its physical path (a relative {@code --state-dir}, the default {@code .swarm}: the working directory is
     * physical) is found by a resume that names it through a symbolic link (review DPROC F3). The reverse, an attempt
     * launched through a link and a resume by the physical path, is found afterwards among the processes with the
     * attempt's ids ({@link #sameDirectorySpellings}): the link cannot be told from the physical path beforehand.
     */
    static List<String> scratchSpellings(String scratch) {
        java.util.LinkedHashSet<String> spellings = new java.util.LinkedHashSet<>();
        spellings.add(scratch);
        Path given = Path.of(scratch);
        for (Path existing = given; existing != null; existing = existing.getParent()) {
            try {
                spellings.add(existing.toRealPath().resolve(existing.relativize(given)).toString());
                break;
            } catch (IOException | RuntimeException e) {
                // not there (or not readable): its parent then
            }
        }
        return List.copyOf(spellings);
    }

    /**
     * Whether group {@code pgid}, whose leader (started at {@code startTicks}) no process has the pid of any more, still has
     * a live member that started at or after it, as every process its group started did (one that started earlier is not
     * counted). False when {@code /proc} cannot be listed (nothing is taken for the recorded group then).
     */
    static boolean reapedLeadersGroupAlive(long pgid, long startTicks) {
        return reapedLeadersGroupAlive(pgid, startTicks, TIME_NAMESPACE);
    }

    /**
     * {@link #reapedLeadersGroupAlive(long, long)} with {@code startTicks} read in time namespace {@code ticksTimeNamespace}:
     * false when they cannot be compared with the ticks read here ({@link #ticksIncomparable}).
     */
    static boolean reapedLeadersGroupAlive(long pgid, long startTicks, long ticksTimeNamespace) {
        if (ticksIncomparable(ticksTimeNamespace) != null) return false;
        try {
            for (Stat m : liveMembers(pgid)) {
                if (m.fields().length >= 20 && Long.parseLong(m.fields()[19]) >= startTicks) return true;
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Kills group {@code pgid}, whose leader (started at {@code startTicks}, as read in time namespace
     * {@code ticksTimeNamespace}: nothing when that is not comparable here, {@link #ticksIncomparable}) was reaped: the whole group at once when every
     * live member started at or after it, else only those members (SIGKILL to each, while it is still the member found:
     * {@link #stillMember}; a process one of them forks meanwhile escapes).
     *
     * @return true when at least one process was signalled
     */
    static boolean killReapedLeadersGroup(long pgid, long startTicks, long ticksTimeNamespace) {
        if (Escapees.PROC_PROBLEM != null) return false; // its members' numbers are another namespace's (review D2 F11)
        if (ticksIncomparable(ticksTimeNamespace) != null) return false; // "started at or after it" cannot be told
        List<Stat> later = new java.util.ArrayList<>();
        boolean earlier = false;
        try {
            for (Stat m : liveMembers(pgid)) {
                if (m.fields().length >= 20 && Long.parseLong(m.fields()[19]) >= startTicks) later.add(m);
                else earlier = true;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        if (later.isEmpty()) return false;
        if (!earlier) return signalGroup(pgid, "KILL");
        // each member only while it is still the one found (a pid handed out again after the scan is spared)
        if (Kill.available() && Kill.number("KILL") > 0) {
            boolean any = false;
            for (Stat m : later) any |= Kill.killPinned(m.pid(), Kill.number("KILL"), () -> stillMember(m, pgid)) == 0;
            return any;
        }
        return killCommand("KILL", later.stream().filter(m -> stillMember(m, pgid)).map(m -> String.valueOf(m.pid())).toList());
    }

    /**
     * The rule of {@link #orphanGroupAlive} and {@link #killOrphanGroup}: whether the recorded group has something to kill.
     * A process recorded as started before this pid namespace's init (pid 1) ran in another pid namespace, where its pid
     * means nothing here: a container restarted without a host reboot keeps the host name and the boot time
     * ({@code Owners.isOfThisBoot}), but its pids start again; so nothing is taken for it (review R4).
     */
    private static boolean recordedGroupAlive(long pid, long startTicks, long ticksTimeNamespace) {
        return recordedGroupAlive(pid, startTicks, ticksTimeNamespace, startTicks(1));
    }

    /** {@link #recordedGroupAlive(long, long, long)} of ticks read here, the start of this pid namespace's init given. */
    static boolean recordedGroupAlive(long pid, long startTicks, OptionalLong namespaceStart) {
        return recordedGroupAlive(pid, startTicks, TIME_NAMESPACE, namespaceStart);
    }

    /**
     * {@link #recordedGroupAlive(long, long, long)} with the start of this pid namespace's init given
     * ({@code startTicks(1)}). False when {@code startTicks} were read in another time namespace ({@link #ticksIncomparable}).
     */
    static boolean recordedGroupAlive(long pid, long startTicks, long ticksTimeNamespace, OptionalLong namespaceStart) {
        if (pid <= 1 || startTicks <= 0 || Escapees.PROC_PROBLEM != null) return false;
        // nothing to take for it: cannot tell (another time namespace's ticks included)
        if (orphanGroupUncheckable(pid, startTicks, ticksTimeNamespace, null) != null) return false;
        if (namespaceStart.isPresent() && startTicks < namespaceStart.getAsLong()) return false;
        String[] f = statFields(pid);
        if (f == null) return reapedLeadersGroupAlive(pid, startTicks, ticksTimeNamespace);
        if (f.length < 20 || Long.parseLong(f[19]) != startTicks) return false;
        if (!f[0].equals("Z") && !f[0].equals("X")) return true;
        if (f.length > 17 && Long.parseLong(f[17]) > 1) return true; // its main thread ended, another thread runs
        return groupHasMembers(pid);
    }
}
