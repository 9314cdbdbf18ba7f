package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds and ends the processes an attempt started that left its process group ({@code setsid}, a daemon's double fork)
 * where bubblewrap's PID namespace does not end them: whenever there is no bubblewrap, with a per-attempt cgroup too
 * (a root ticket can move a process out of it). Such a process is one of this user's, started no earlier than the attempt's first
 * process, whose environment (as it was at its exec, {@code /proc/PID/environ}) still holds the attempt's marker
 * entries ({@code SWARM_RUN_ID}, {@code SWARM_TICKET_ID}, {@code SWARM_ATTEMPT} and {@code SWARM_SCRATCH}, see
 * {@link #markers}). One that cleared its environment ({@code env -i}) or runs as another user (sudo) is not found.
 *
 * <p>Cost: one read of {@code /proc/sys/kernel/ns_last_pid}, then a stat file only for the processes whose ids were
 * handed out since the attempt's first process (pids are handed out in order, and wrap around once the namespace's
 * pid_max is reached: a short attempt sees few of them), looked up one by one when they are at most
 * {@link #PROBED_PIDS}, else by one listing of {@code /proc}; after an attempt of more than
 * {@link #EVERY_PID_AFTER_MILLIS}, in which the ids may have wrapped around more than once, every process's. An
 * environment is read only for a process of this user started since the attempt's first. Measured: docs/benchmarks.md,
 * "The escaped-process scan".
 */
final class Escapees {
    private Escapees() {
    }

    /** The environment entries that mark an attempt's processes, when the attempt's environment has them all. */
    static final List<String> MARKERS = List.of("SWARM_RUN_ID", "SWARM_TICKET_ID", "SWARM_ATTEMPT");

    /**
     * The entry naming the attempt's run's shared directory ({@code <state>/runs/<run>/scratch}, absolute), a marker too
     * when the attempt's environment has it: the ids alone are the same for two state directories' copies of a run.
     */
    static final String SCRATCH = "SWARM_SCRATCH";

    /**
     * The encoding in which the JVM hands a child process its environment ({@code sun.jnu.encoding}; UTF-8 when that is
     * not a charset this JVM knows), so the one the markers are compared in: a character it cannot encode is handed on,
     * and compared, as the same replacement byte.
     */
    static final java.nio.charset.Charset ENVIRONMENT_CHARSET = environmentCharset();

    private static java.nio.charset.Charset environmentCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** How long an attempt may last before every process is looked at, not only the pids handed out after its own. */
    static final long EVERY_PID_AFTER_MILLIS = 10_000;

    private static final Path PROC = Path.of("/proc");
    private static final Path LAST_PID = Path.of("/proc/sys/kernel/ns_last_pid");
    /**
     * The longest environment read, in bytes: all an attempt's launch can hand over ({@code SpecLoader.MAX_LAUNCH_BYTES},
     * the script and the environment together) and room for what its shell adds. The marker entries need not come first:
     * bash passes its children its variables in its own order, so granted values of hundreds of KiB can stand before
     * them. Only what the file holds is read (no buffer of this size for a small environment).
     */
    private static final int MAX_ENVIRON = io.swarmflow.spec.SpecLoader.MAX_LAUNCH_BYTES + 256 * 1024;
    private static final int MAX_COMMAND_LINE = 200;
    private static final long POLL_MILLIS = 20;

    /** A process found: its id, start time (clock ticks since boot) and command line (its first 4096 bytes). */
    record Found(long pid, long startTicks, String commandLine) {
        /**
         * "PID (COMMAND LINE)", as the warning names it: the command line with {@code masked} replaced, then cut to 200
         * characters (cut first, a secret across the cut would keep its first characters).
         */
        String describe(java.util.Collection<String> masked) {
            String line = MaskingInputStream.mask(commandLine, masked);
            return pid + " (" + (line.length() > MAX_COMMAND_LINE ? line.substring(0, MAX_COMMAND_LINE) + "..." : line) + ")";
        }
    }

    /**
     * The marker entries of {@code env} ("NAME=VALUE" in the bytes {@code /proc/PID/environ} holds them in, those the
     * JVM handed the attempt's first process: {@link #ENVIRONMENT_CHARSET}; compared byte for byte), or an empty list
     * when {@code env} lacks one of {@link #MARKERS}: such an attempt's processes cannot be told from others.
     *
     * <p>{@link #SCRATCH} is one of them when {@code env} has it. The run, ticket and attempt ids are the same for the
     * attempts of two Swarmflows over two state directories holding the same run (a state directory copied, or two
     * resumed from one backup): by them alone one Swarmflow's end of an attempt would end the other's live attempt. The
     * run's scratch directory is its state directory's, so no other state directory's attempt holds the same entry.
     * Every attempt {@code LocalExecutor} starts has it (and a spec cannot set it: {@code SpecReader.SWARM_ENV}); an
     * environment without it is a {@link Sandbox} run directly (tests, benchmarks), which has no state directory to be
     * told apart by, and its processes are found by the three ids as before. What must never scan without it, the
     * lookup after a lost coordinator ({@link ProcessGroups#killOrphanEscapees}), refuses an {@code env} without it.
     */
    static List<byte[]> markers(Map<String, String> env) {
        List<byte[]> entries = new ArrayList<>(MARKERS.size() + 1);
        for (String name : MARKERS) {
            String value = env.get(name);
            if (value == null) return List.of();
            entries.add((name + "=" + value).getBytes(ENVIRONMENT_CHARSET));
        }
        String scratch = env.get(SCRATCH);
        if (scratch != null) entries.add((SCRATCH + "=" + scratch).getBytes(ENVIRONMENT_CHARSET));
        return entries;
    }

    /**
     * The live processes of this user started at or after {@code leaderStartTicks} whose environment holds every entry
     * of {@code markers}, the group leader {@code leaderPid} excepted.
     *
     * {@code leaderStartTicks} as this process read them ({@link ProcessGroups#TIME_NAMESPACE}); see
     * {@link #find(long, long, long, List, boolean)} for ticks another process recorded.
     *
     * @param everyPid look at every process, not only those whose ids were handed out after {@code leaderPid}
     */
    static List<Found> find(long leaderPid, long leaderStartTicks, List<byte[]> markers, boolean everyPid) {
        return find(leaderPid, leaderStartTicks, ProcessGroups.TIME_NAMESPACE, markers, everyPid);
    }

    /**
     * {@link #find(long, long, List, boolean)} with {@code leaderStartTicks} read in the time namespace whose inode is
     * {@code ticksTimeNamespace} (0 when not known): nothing is found when that is another one than this process's
     * ({@link ProcessGroups#ticksIncomparable}), since the ticks read here carry another offset than those and "started at
     * or after the leader" cannot be told.
     */
    static List<Found> find(long leaderPid, long leaderStartTicks, long ticksTimeNamespace, List<byte[]> markers,
                            boolean everyPid) {
        // a /proc of another PID namespace names other processes by these numbers: signalling them would hit others
        if (markers.isEmpty() || leaderStartTicks <= 0 || PROC_PROBLEM != null) return List.of();
        if (ProcessGroups.ticksIncomparable(ticksTimeNamespace) != null) return List.of();
        long last = everyPid ? -1 : lastPid();
        List<Found> found = new ArrayList<>(0);
        if (last >= leaderPid && last - leaderPid <= PROBED_PIDS) {
            // the usual short attempt: the few ids handed out since are looked up one by one, without listing /proc
            for (long pid = leaderPid + 1; pid <= last; pid++) look(PROC.resolve(Long.toString(pid)), pid, leaderStartTicks, markers, found);
            return found;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path dir : procs) {
                long pid = ProcessGroups.pidOf(dir.getFileName().toString());
                if (pid <= 0 || pid == leaderPid || (last >= 0 && !handedOutAfter(pid, leaderPid, last))) continue;
                look(dir, pid, leaderStartTicks, markers, found);
            }
        } catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing found, as before this check
        }
        return found;
    }

    /**
     * Why {@code /proc} cannot tell this process's escapees, or null when it can: its {@code self} is not this process's
     * own pid ({@link ProcessHandle#pid()}, getpid(2)), as where {@code /proc} was mounted for another PID namespace (a
     * container sharing the host's {@code /proc}, or one mounted before an unshare), so its numbers name other processes
     * than kill(2) would reach; or it cannot be read at all. Looked at once per process.
     */
    static final String PROC_PROBLEM = procProblem(PROC, ProcessHandle.current().pid());

    /** {@link #PROC_PROBLEM} of the {@code /proc} at {@code proc} for the process whose own pid is {@code ownPid}. */
    static String procProblem(Path proc, long ownPid) {
        String self;
        try {
            self = Files.readSymbolicLink(proc.resolve("self")).toString();
        } catch (IOException | RuntimeException e) {
            return proc + "/self cannot be read (" + e.getMessage() + ")";
        }
        if (self.equals(Long.toString(ownPid))) return null;
        return proc + " belongs to another PID namespace (" + proc + "/self is " + self + ", but this process is " + ownPid + ")";
    }

    /** Up to how many pids handed out since the leader's are looked up one by one rather than by listing {@code /proc}. */
    private static final int PROBED_PIDS = 64;

    /**
     * Adds the process of {@code dir} to {@code found} when it is one of the attempt's (see {@link #find}). Not a thread
     * that is not its process's first: threads take their ids from the same sequence as processes, and
     * {@code /proc/TID} answers for each though {@code /proc} does not list it, so a process of several threads would be
     * named once per thread whose id was probed.
     */
    private static void look(Path dir, long pid, long leaderStartTicks, List<byte[]> markers, List<Found> found) {
        // the cheap filter first, by path, as before (most processes started before the attempt: one read each); what is
        // kept is read again below through the directory opened once, so a pid handed out again in between lends nothing
        if (liveStartTicks(dir) < leaderStartTicks) return;
        try (ProcDir d = ProcDir.open(dir)) {
            Found f = identify(pid, d, leaderStartTicks, markers, UID);
            if (f != null) found.add(f);
        } catch (IOException | RuntimeException e) {
            // gone meanwhile, or not readable: not one of the attempt's that this user can end
        }
    }

    /**
     * One process's {@code /proc} directory, opened once: every file is read relative to it (openat(2)), so all of them
     * are the same process's. A directory of {@code /proc} opened for a pid stays that process's: once it has ended, its
     * files cannot be opened through it, even when its pid is handed out again. Read by path one after the other, the
     * stat (its start time, the identity kept) could be one process's and the environment another's that got the pid
     * in between.
     */
    interface ProcDir extends AutoCloseable {
        /** Up to {@code max} bytes of the file {@code name} of the directory. */
        byte[] read(String name, int max) throws IOException;

        @Override
        void close() throws IOException;

        /** {@code dir} opened as a directory, its files read through it. */
        static ProcDir open(Path dir) throws IOException {
            java.nio.file.DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
            if (!(stream instanceof java.nio.file.SecureDirectoryStream<Path> secure)) {
                stream.close();
                throw new IOException("cannot open " + dir + " as a directory to read relative to (no openat here)");
            }
            return new ProcDir() {
                @Override
                public byte[] read(String name, int max) throws IOException {
                    try (java.nio.channels.SeekableByteChannel ch = secure.newByteChannel(Path.of(name),
                            java.util.Set.of(java.nio.file.StandardOpenOption.READ, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                        return java.nio.channels.Channels.newInputStream(ch).readNBytes(max);
                    }
                }

                @Override
                public void close() throws IOException {
                    secure.close();
                }
            };
        }
    }

    /**
     * The process of {@code dir} (named {@code pid} by the listing) as {@link #find} takes it, or null: live, started at or
     * after {@code leaderStartTicks}, its effective uid {@code uid} ({@code Uid:} in its status), its environment holding
     * every one of {@code markers}, and its own process's first thread ({@code Tgid} is {@code pid}). Every file is read
     * through {@code dir}, so the start time kept is the start time of the process whose environment was read.
     *
     * @throws IOException when a file cannot be read (the process ended meanwhile)
     */
    static Found identify(long pid, ProcDir dir, long leaderStartTicks, List<byte[]> markers, long uid) throws IOException {
        long start = startTicksOfStat(new String(dir.read("stat", 1024), StandardCharsets.UTF_8));
        if (start < 0 || start < leaderStartTicks || uid < 0) return null;
        String status = new String(dir.read("status", 4096), StandardCharsets.UTF_8);
        if (statusField(status, "Uid:", 1) != uid || statusField(status, "Tgid:", 0) != pid) return null;
        if (!holdsAll(dir.read("environ", MAX_ENVIRON), markers)) return null;
        String line = new String(dir.read("cmdline", 4096), StandardCharsets.UTF_8).replace('\0', ' ').strip();
        if (line.isEmpty()) line = "[" + new String(dir.read("comm", 64), StandardCharsets.UTF_8).strip() + "]";
        return new Found(pid, start, line);
    }

    /** Field {@code index} (from 0) of the line of {@code status} (a {@code /proc/PID/status}) starting with {@code name}; -1 if none. */
    private static long statusField(String status, String name, int index) {
        for (String line : status.split("\n")) {
            if (!line.startsWith(name)) continue;
            String[] f = line.substring(name.length()).strip().split("\\s+");
            try {
                return f.length > index ? Long.parseLong(f[index]) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * What {@link #endAll} did: the processes it found and ended, and those still running when it gave up (found
     * again by a last scan after {@link #ROUNDS} rounds, or at the deadline {@link #AFTER_GRACE_MILLIS} past the grace);
     * both empty when the attempt left nothing behind.
     */
    record Ended(List<Found> ended, List<Found> left) {
        Ended {
            ended = List.copyOf(ended);
            left = List.copyOf(left);
        }
    }

    /**
     * How many scans {@link #endAll} ends what it finds before it gives up: a process can start another while it is
     * being ended (a TERM trap's {@code setsid -f}, a loop that ignores TERM), which only a later scan finds.
     */
    static final int ROUNDS = 8;

    /** How long {@link #endAll} waits for the processes of one round it KILLed to be gone before it scans again. */
    private static final long KILLED_GONE_MILLIS = 2_000;

    /**
     * How long {@link #endAll} may take past the grace period, in all: its rounds after the first scan's grace (each
     * waiting up to {@link #KILLED_GONE_MILLIS} for what it KILLed) stop once the grace plus this is over, which without
     * it could add up to 16 s. What then still runs is what the last scan finds, named as {@link Ended#left}.
     */
    static final long AFTER_GRACE_MILLIS = 4_000;

    /** What {@link #endAll} does to the host, replaceable in tests: scans, signals, and the clock. */
    interface Host {
        /** The attempt's processes found now ({@link #find}, filtered). */
        List<Found> scan();

        /** Sends {@code signal} (TERM, STOP, KILL) to {@code f} while it is still the process found. */
        void signal(Found f, String signal);

        /** Whether {@code f} still runs (same pid and start time, not a zombie). */
        boolean running(Found f);

        /** {@link System#nanoTime()}. */
        long nanoTime();

        /** {@link Thread#sleep(long)}. */
        void sleep(long millis) throws InterruptedException;
    }

    /** The host as it is: {@code /proc}, kill(2), the system clock. */
    private record RealHost(java.util.function.Supplier<List<Found>> scanner) implements Host {
        @Override
        public List<Found> scan() {
            return scanner.get();
        }

        @Override
        public void signal(Found f, String signal) {
            Escapees.signal(f, signal);
        }

        @Override
        public boolean running(Found f) {
            return stillRunning(f);
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long millis) throws InterruptedException {
            Thread.sleep(millis);
        }
    }

    /**
     * Ends every process {@link #find} finds, and what those start meanwhile: the first scan's processes get TERM, up
     * to {@code graceMillis} to end, then KILL ({@link #end}); then, as long as a new scan finds any (the children
     * they started during the grace, or while being killed), up to {@link #ROUNDS} scans in all, those are stopped
     * (SIGSTOP, so they start nothing more) and KILLed at once: the attempt's grace is over. All of it within
     * {@code graceMillis} plus {@link #AFTER_GRACE_MILLIS}: no round starts after that. Whatever a last scan still finds is
     * returned as {@link Ended#left}, for the warning to name.
     *
     * @throws InterruptedException when interrupted while waiting; the processes of the current round have been KILLed
     */
    static Ended endAll(long leaderPid, long leaderStartTicks, List<byte[]> markers, boolean everyPid, long graceMillis)
            throws InterruptedException {
        return endAll(leaderPid, leaderStartTicks, markers, everyPid, graceMillis, ROUNDS);
    }

    /** {@link #endAll(long, long, List, boolean, long)} with at most {@code rounds} rounds (at least one). */
    static Ended endAll(long leaderPid, long leaderStartTicks, List<byte[]> markers, boolean everyPid, long graceMillis,
                        int rounds) throws InterruptedException {
        return endAll(leaderPid, leaderStartTicks, markers, everyPid, graceMillis, rounds, f -> true);
    }

    /**
     * {@link #endAll(long, long, List, boolean, long, int)} of only the processes found that {@code eligible} accepts
     * (those of the attempt's own group left to the group's rule, say).
     */
    static Ended endAll(long leaderPid, long leaderStartTicks, List<byte[]> markers, boolean everyPid, long graceMillis,
                        int rounds, java.util.function.Predicate<Found> eligible) throws InterruptedException {
        return endAll(leaderPid, leaderStartTicks, ProcessGroups.TIME_NAMESPACE, markers, everyPid, graceMillis, rounds, eligible);
    }

    /**
     * {@link #endAll(long, long, List, boolean, long, int, java.util.function.Predicate)} with {@code leaderStartTicks} read
     * in time namespace {@code ticksTimeNamespace} ({@link #find(long, long, long, List, boolean)}: nothing is found, so
     * nothing ended, when it is another one than this process's).
     */
    static Ended endAll(long leaderPid, long leaderStartTicks, long ticksTimeNamespace, List<byte[]> markers, boolean everyPid,
                        long graceMillis, int rounds, java.util.function.Predicate<Found> eligible) throws InterruptedException {
        return endAll(new RealHost(() -> find(leaderPid, leaderStartTicks, ticksTimeNamespace, markers, everyPid).stream()
                .filter(eligible).toList()), graceMillis, rounds);
    }

    /**
     * {@link #endAll(long, long, List, boolean, long, int)} on the host, the first scan's processes given a grace of
     * their own, {@code ownGraceMillis}, as {@link #endAll(Host, long, long, int)} does.
     */
    static Ended endAll(long leaderPid, long leaderStartTicks, List<byte[]> markers, boolean everyPid, long graceMillis,
                        long ownGraceMillis, int rounds) throws InterruptedException {
        return endAll(new RealHost(() -> find(leaderPid, leaderStartTicks, markers, everyPid)), graceMillis, ownGraceMillis, rounds);
    }

    /**
     * The longest grace of their own that the processes of {@link #endAll}'s first scan may get
     * ({@link #endAll(Host, long, long, int)}'s {@code ownGraceMillis}) when what is left of the attempt's grace is less:
     * half of {@link #AFTER_GRACE_MILLIS}, so that the rounds after it still have time within that bound.
     */
    static final long OWN_GRACE_MAX_MILLIS = AFTER_GRACE_MILLIS / 2;

    /** {@link #endAll(long, long, List, boolean, long, int)} on {@code host}. */
    static Ended endAll(Host host, long graceMillis, int rounds) throws InterruptedException {
        return endAll(host, graceMillis, 0, rounds);
    }

    /**
     * {@link #endAll(Host, long, int)}, the first scan's processes given at least {@code ownGraceMillis} between their
     * TERM and their KILL (at most {@link #OWN_GRACE_MAX_MILLIS}) when {@code graceMillis}, what is left of the attempt's
     * grace, is less: a process found only at the attempt's end (one a TERM trap started during the grace, which the
     * stop's TERM did not reach) gets a grace of its own to clean up, not a KILL right after its TERM. The whole still
     * ends within {@code graceMillis} plus {@link #AFTER_GRACE_MILLIS}, counted from the call. 0 (as for an interrupted
     * wait, or a stopped coordinator's orphans) gives none.
     *
     * @throws IllegalArgumentException when {@code ownGraceMillis} is negative
     */
    static Ended endAll(Host host, long graceMillis, long ownGraceMillis, int rounds) throws InterruptedException {
        if (ownGraceMillis < 0) throw new IllegalArgumentException("ownGraceMillis must be 0 or more, not " + ownGraceMillis);
        long deadline = host.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis + AFTER_GRACE_MILLIS);
        List<Found> found = host.scan();
        if (found.isEmpty()) return new Ended(List.of(), List.of());
        java.util.LinkedHashMap<Long, Found> ended = new java.util.LinkedHashMap<>();
        for (Found f : found) ended.put(f.pid(), f);
        end(host, found, Math.max(graceMillis, Math.min(ownGraceMillis, OWN_GRACE_MAX_MILLIS)));
        awaitGone(host, found, deadline);
        for (int round = 1; round < rounds && host.nanoTime() < deadline; round++) {
            found = host.scan();
            if (found.isEmpty()) return new Ended(List.copyOf(ended.values()), List.of());
            for (Found f : found) {
                ended.putIfAbsent(f.pid(), f);
                host.signal(f, "STOP");
            }
            for (Found f : found) host.signal(f, "KILL");
            awaitGone(host, found, deadline);
        }
        List<Found> left = host.scan();
        List<Found> gone = new ArrayList<>(ended.values());
        gone.removeIf(f -> left.stream().anyMatch(l -> l.pid() == f.pid() && l.startTicks() == f.startTicks()));
        return new Ended(gone, left);
    }

    /**
     * Waits up to {@link #KILLED_GONE_MILLIS}, and not past {@code deadline} ({@link Host#nanoTime()}), for the KILLed
     * {@code found} to be gone, so the next scan does not find them again (a process is torn down after its KILL is
     * delivered, an uninterruptible sleep delays that).
     */
    private static void awaitGone(Host host, List<Found> found, long deadline) throws InterruptedException {
        long until = Math.min(deadline, host.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILLED_GONE_MILLIS));
        List<Found> left = new ArrayList<>(found);
        while (true) {
            left.removeIf(f -> !host.running(f));
            if (left.isEmpty() || host.nanoTime() - until >= 0) return;
            host.sleep(POLL_MILLIS);
        }
    }

    /**
     * Sends TERM to each of {@code found}, waits up to {@code graceMillis} for them to end, then KILLs those left. A
     * process is signalled only while it is still the one found (same start time), so a reused pid is spared. What
     * they start meanwhile is not ended: {@link #endAll} scans again for that.
     */
    static void end(List<Found> found, long graceMillis) throws InterruptedException {
        end(new RealHost(List::of), found, graceMillis);
    }

    private static void end(Host host, List<Found> found, long graceMillis) throws InterruptedException {
        if (found.isEmpty()) return;
        for (Found f : found) host.signal(f, "TERM");
        long deadline = host.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        List<Found> left = new ArrayList<>(found);
        try {
            while (true) {
                left.removeIf(f -> !host.running(f));
                if (left.isEmpty() || host.nanoTime() - deadline >= 0) break;
                host.sleep(POLL_MILLIS);
            }
        } finally {
            // also when interrupted: no grace left then
            for (Found f : left) host.signal(f, "KILL");
        }
    }

    /**
     * Sends {@code signal} to {@code f} while it is still the process found ({@link #stillRunning}); nothing where
     * {@code /proc} is another PID namespace's ({@link #PROC_PROBLEM}): neither the pid nor its start time could then be
     * told to be {@code f}'s, and kill(2) here would reach whatever process has that number in this namespace.
     */
    static void signal(Found f, String signal) {
        signal(f, signal, PROC_PROBLEM);
    }

    /** {@link #signal(Found, String)} with {@link #PROC_PROBLEM} given ({@code procProblem}, null: none). */
    static void signal(Found f, String signal, String procProblem) {
        if (procProblem != null) return;
        if (Kill.available()) {
            Kill.killPinned(f.pid(), Kill.number(signal), () -> stillRunning(f));
        } else if (!"STOP".equals(signal)) { // ProcessHandle cannot stop a process: it is KILLed next anyway
            ProcessHandle.of(f.pid()).filter(h -> stillRunning(f))
                    .ifPresent(h -> { if ("KILL".equals(signal)) h.destroyForcibly(); else h.destroy(); });
        }
    }

    /**
     * Whether {@code f} still runs: same pid and start time, not a zombie. False where {@code /proc} is another PID
     * namespace's ({@link #PROC_PROBLEM}): what it shows for the pid is another process.
     */
    static boolean stillRunning(Found f) {
        if (PROC_PROBLEM != null) return false;
        return liveStartTicks(PROC.resolve(Long.toString(f.pid()))) == f.startTicks();
    }

    /**
     * Whether {@code pid} was handed out after {@code leader} and up to {@code last}, the last pid handed out: the ids
     * of a PID namespace are handed out in increasing order, wrapping around to low ids after its pid_max.
     */
    static boolean handedOutAfter(long pid, long leader, long last) {
        return leader <= last ? pid > leader && pid <= last : pid > leader || pid <= last;
    }

    /** The last pid handed out in this PID namespace, or -1 when that cannot be read (every process is then looked at). */
    private static long lastPid() {
        try {
            return Long.parseLong(read(LAST_PID, 32).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The start time of a live (not zombie) process from its stat file (field 22), or -1 when gone or a zombie. */
    static long liveStartTicks(Path dir) {
        try {
            return startTicksOfStat(read(dir.resolve("stat"), 1024));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The start time (field 22) in the text of a {@code /proc/PID/stat}, or -1 for a zombie or what does not parse. */
    static long startTicksOfStat(String line) {
        try {
            int close = line.lastIndexOf(')');
            if (close < 0 || close + 2 >= line.length()) return -1;
            String[] fields = line.substring(close + 2).split(" ", 21);
            if (fields.length < 21 || fields[0].equals("Z") || fields[0].equals("X")) return -1;
            return Long.parseLong(fields[19]);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** This process's effective uid ({@code Uid:} in {@code /proc/self/status}); -1 when unknown. */
    private static final long UID = Sandbox.uid();

    /** Whether the NUL-separated entries of {@code env} hold every one of {@code markers}. */
    /**
     * The value of variable {@code name} in the environment process {@code pid} started with ({@code /proc/PID/environ},
     * decoded as {@link #ENVIRONMENT_CHARSET}); empty when it has none or the file cannot be read (gone, another user's).
     */
    static java.util.Optional<String> environmentValue(long pid, String name) {
        byte[] env;
        try (ProcDir d = ProcDir.open(PROC.resolve(Long.toString(pid)))) {
            env = d.read("environ", MAX_ENVIRON);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
        byte[] prefix = (name + "=").getBytes(ENVIRONMENT_CHARSET);
        int start = 0;
        while (start < env.length) {
            int end = start;
            while (end < env.length && env[end] != 0) end++;
            if (end - start >= prefix.length
                    && java.util.Arrays.equals(env, start, start + prefix.length, prefix, 0, prefix.length)) {
                return java.util.Optional.of(new String(env, start + prefix.length, end - start - prefix.length, ENVIRONMENT_CHARSET));
            }
            start = end + 1;
        }
        return java.util.Optional.empty();
    }

    private static boolean holdsAll(byte[] env, List<byte[]> markers) {
        int held = 0;
        for (byte[] marker : markers) {
            if (holds(env, marker)) held++;
        }
        return held == markers.size();
    }

    private static boolean holds(byte[] env, byte[] entry) {
        for (int start = 0; start < env.length; ) {
            int end = start;
            while (end < env.length && env[end] != 0) end++;
            if (end - start == entry.length && java.util.Arrays.equals(env, start, end, entry, 0, entry.length)) return true;
            start = end + 1;
        }
        return false;
    }

    /** Up to {@code max} bytes of a {@code /proc} file, through a native stack buffer (see {@link ProcessGroups}). */
    private static String read(Path file, int max) throws IOException {
        try (java.io.FileInputStream in = new java.io.FileInputStream(file.toFile())) {
            return new String(in.readNBytes(max), StandardCharsets.UTF_8);
        }
    }
}
