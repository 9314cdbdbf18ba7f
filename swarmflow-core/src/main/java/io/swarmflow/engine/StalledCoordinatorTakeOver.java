package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcStat;
import io.swarmflow.store.RunLease;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * {@code swarm resume RUN --take-over}: ends the run's coordinator when it is a live process of this host that holds the
 * run without moving it: past its lease, stopped (by a Ctrl-Z, SIGSTOP, SIGTTOU or SIGTTIN; not a debugger's tracing stop)
 * or running (hung), so that the resume can take the run over. One stopped while its lease still runs is not taken over
 * (a Ctrl-Z and {@code bg} a moment later are not a stall): wait for the lease, or {@code kill -CONT} it. Only a coordinator {@link Owners#provablyAlive} proves (this host, this boot, this
 * pid namespace, the recorded pid with exactly the recorded start ticks) is signalled, and that proof is read again right
 * before each signal (and, where pidfds exist, after the process is pinned): a coordinator of another host, boot or pid
 * namespace, or one of an older swarm without start ticks, is never signalled; the lease decides for it as without
 * {@code --take-over}. Nor is one that does not have this state directory's database open ({@link #holds}, read from
 * {@code /proc/PID/fd}, and read again right before SIGTERM), or whose open files cannot be read: the lease of a copy of
 * a state directory, taken while its run was live, names the original's coordinator, alive and renewing its lease in the
 * original only; {@code --take-over} on the copy refuses, and leaves that coordinator and its run alone.
 * <p>
 * How it is ended ({@link #end}): SIGTERM (the coordinator then cancels its run as for a Ctrl-C: TERM to its attempts,
 * KILL after its own grace, and exits), followed by SIGCONT when it is stopped (a stopped process acts on a signal only
 * once continued); SIGKILL when it is still there after the grace; then a bounded wait until {@code /proc} no longer
 * shows it (a process in uninterruptible sleep, state {@code D}, does not die until the kernel call it waits in returns:
 * that is said, and nothing more is done).
 */
public final class StalledCoordinatorTakeOver {
    private StalledCoordinatorTakeOver() {}

    /** errno of kill(2) when the process is not this user's (asm-generic/errno-base.h). */
    public static final int EPERM = 1;
    /** errno of kill(2) when there is no such process (asm-generic/errno-base.h). */
    public static final int ESRCH = 3;

    /** How long {@link #end} waits for the process to be gone once SIGKILL was sent, in milliseconds. */
    public static final long KILL_WAIT_MILLIS = 10_000;
    /** How often {@link #end} reads {@code /proc/PID/stat} while it waits, in milliseconds. */
    static final long POLL_MILLIS = 100;

    /**
     * Sends a signal to one process.
     */
    @FunctionalInterface
    public interface Signaller {
        /**
         * Sends signal {@code name} ({@code TERM}, {@code CONT} or {@code KILL}) to process {@code pid}, only if
         * {@code stillTarget}, read right before (after pinning the process where that can be done), says it is still
         * the coordinator meant.
         *
         * @return 0 when sent; {@link #ESRCH} when the process is gone or {@code stillTarget} said no; {@link #EPERM}
         * when this user may not signal it; another errno otherwise
         */
        int signal(long pid, String name, BooleanSupplier stillTarget);
    }

    /** Waits, between two reads of {@code /proc}. */
    @FunctionalInterface
    public interface Pause {
        /** Waits {@code millis} milliseconds. */
        void pause(long millis) throws InterruptedException;
    }

    /**
     * The coordinator {@code --take-over} ends.
     *
     * @param runId        the run
     * @param owner        its identity, as the lease records it ({@link Owners#coordinator})
     * @param pid          its pid, in this process's pid namespace
     * @param stopped      whether it is stopped (state {@code T} or {@code t})
     * @param ranOutMillis how long ago its lease ran out, in milliseconds on the store's clock; negative while it still
     *                     runs (never, since {@link #target} requires it past its lease; kept for the message)
     */
    public record Target(String runId, String owner, long pid, boolean stopped, long ranOutMillis) {
        /** How it was: {@code stopped (Ctrl-Z or SIGSTOP); its lease ran out S s ago}, or {@code running, but its lease ...}. */
        public String condition() {
            String lease = ranOutMillis >= 0 ? "its lease ran out " + ranOutMillis / 1000 + " s ago"
                    : "its lease would have run out in " + (-ranOutMillis + 999) / 1000 + " s";
            return (stopped ? "stopped (Ctrl-Z or a signal such as SIGSTOP or SIGTTOU)" : "running, hung or starved") + "; " + lease;
        }
    }

    /**
     * The coordinator {@code --take-over} ends, if any: the holder of {@code lease} (read for run {@code runId}) when it is
     * provably alive here ({@link Owners#provablyAlive}) and past its lease, stopped or running (hung). Empty when there
     * is no lease, it was released, its holder is not proved alive here (gone, or of another host, boot or pid namespace:
     * the lease decides), its lease still runs (it renews it, or it was stopped only a moment ago: a Ctrl-Z and {@code bg}
     * are not a stall), or it is in a tracing stop ({@code t}: a debugger's).
     *
     * @param nowMillis the store's clock, epoch milliseconds
     */
    public static Optional<Target> target(String runId, Optional<RunLease> lease, long nowMillis) {
        return target(runId, lease, nowMillis, Owners::provablyAlive);
    }

    /**
     * {@link #target(String, Optional, long)}, and the coordinator found must have {@code database} (this state
     * directory's {@code swarm.db}) open ({@link #holds}): a copy of a state directory, taken while its run was live,
     * records the same lease holder, whose lease in the copy runs out since nobody renews it there, while the holder
     * goes on with the original; it is not this state directory's coordinator and is never signalled.
     *
     * @param database the state directory's database file, as this process opened it
     * @throws InvalidRequestException when the coordinator found does not have {@code database} open, or whether it has
     *                                 cannot be read ({@code /proc/PID/fd} of another user's process, or hidden); the
     *                                 message says so, that nothing was changed and how to go on
     */
    public static Optional<Target> target(String runId, Optional<RunLease> lease, long nowMillis, Path database) {
        return target(runId, lease, nowMillis, Owners::provablyAlive, pid -> holds(pid, database), database);
    }

    /** {@link #target(String, Optional, long, Path)} with how a holder is proved alive and how its open files are read given. */
    static Optional<Target> target(String runId, Optional<RunLease> lease, long nowMillis,
                                   java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive,
                                   LongFunction<Holding> holds, Path database) {
        Optional<Target> found = target(runId, lease, nowMillis, provablyAlive);
        if (found.isEmpty()) return found;
        Target t = found.get();
        Holding holding = holds.apply(t.pid());
        if (holding == Holding.OPEN) return found;
        String stop = "; it was not signalled, and nothing was changed. If it really is stalled on this state directory, stop it "
                + "yourself (`kill " + t.pid() + "`, and `kill -CONT " + t.pid() + "` when it is stopped), and then `swarm resume "
                + runId + "` continues the run";
        if (holding == Holding.NOT_OPEN) {
            // not stalled, and not this state directory's: say so as a plain resume does, neither `hung` nor `kill`
            StalledCoordinator elsewhere = new StalledCoordinator(runId, t.pid(), t.stopped(), t.ranOutMillis(), false, true);
            throw new InvalidRequestException("run " + runId + "'s coordinator " + elsewhere.condition() + "; --take-over ends "
                    + "only a coordinator that has this state directory's database (" + database + ") open, so it was not "
                    + "signalled, and nothing was changed: " + elsewhere.fix());
        }
        throw new InvalidRequestException("run " + runId + "'s coordinator, pid " + t.pid() + " (" + t.condition() + "), "
                + "cannot be shown to have this state directory's database (" + database + ") open: /proc/" + t.pid()
                + "/fd cannot be read by this user (another user's process, or /proc mounted with hidepid=), and a "
                + "coordinator of another state directory (a copy of this one) is never signalled" + stop);
    }

    /** Whether a process has a file open ({@link #holds}). */
    public enum Holding {
        /** One of its file descriptors is the file (the same device and inode). */
        OPEN,
        /** None of its file descriptors is the file. */
        NOT_OPEN,
        /** Its file descriptors, or the file, cannot be read (another user's process, {@code hidepid=}, not Linux). */
        UNKNOWN
    }

    /**
     * Whether process {@code pid} has {@code file} open: whether one of the links in {@code /proc/PID/fd} (proc(5))
     * leads to the same file, by device and inode ({@link java.nio.file.attribute.BasicFileAttributes#fileKey}, the
     * link followed as stat(2) follows it, to the open file itself whatever its path, also one renamed or deleted).
     * A path is not compared: a copy of the file has another inode.
     */
    public static Holding holds(long pid, Path file) {
        return holds(Path.of("/proc", Long.toString(pid), "fd"), file);
    }

    /** {@link #holds(long, Path)} with the process's {@code fd} directory given. */
    static Holding holds(Path fdDir, Path file) {
        Object key;
        try {
            key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (java.io.IOException | RuntimeException e) {
            return Holding.UNKNOWN;
        }
        if (key == null) return Holding.UNKNOWN; // no device and inode here: nothing to compare
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey())) return Holding.OPEN;
                } catch (java.io.IOException | RuntimeException e) {
                    // closed since it was listed: not the file (a file it holds stays open)
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return Holding.UNKNOWN; // gone, another user's (EACCES), or no /proc
        }
        return Holding.NOT_OPEN;
    }

    /** {@link #target(String, Optional, long)} with how a holder is proved alive given. */
    static Optional<Target> target(String runId, Optional<RunLease> lease, long nowMillis,
                                   java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive) {
        Optional<RunLease> held = lease.filter(l -> l.owner() != null && l.expiresAtMillis() > 0);
        if (held.isEmpty()) return Optional.empty();
        RunLease l = held.get();
        Optional<Owners.Alive> alive = provablyAlive.apply(l.owner());
        if (alive.isEmpty()) return Optional.empty();
        long ranOut = nowMillis - l.expiresAtMillis();
        if (ranOut < 0) return Optional.empty(); // renewing, or stopped for less than a lease: not stalled (yet)
        if (alive.get().traced()) return Optional.empty(); // a debugger holds it: not stalled, and SIGCONT does not continue it
        return Optional.of(new Target(runId, l.owner(), alive.get().pid(), alive.get().stopped(), ranOut));
    }

    /** The margin added to the coordinator's own grace, for its cancel to record its end after its KILL, in milliseconds. */
    public static final long OWN_GRACE_MARGIN_MILLIS = 2_000;
    /** The grace of {@code swarm run} and {@code swarm resume} when {@code --grace} is not given, in milliseconds. */
    static final long DEFAULT_GRACE_MILLIS = 5_000;

    /**
     * How long {@link #end} gives the coordinator after SIGTERM, in milliseconds: at least {@code resumeGraceMillis}, and
     * at least its own grace (the {@code --grace} on its command line, {@code /proc/PID/cmdline}; 5 s when it has none)
     * plus {@link #OWN_GRACE_MARGIN_MILLIS}, so that its own cancel (TERM to its attempts, KILL after its grace, the
     * cancel recorded) can finish before SIGKILL. Only {@code resumeGraceMillis} when the command line cannot be read.
     */
    public static long graceFor(Target target, long resumeGraceMillis) {
        List<String> args;
        try {
            String raw = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(target.pid()), "cmdline"),
                    java.nio.charset.StandardCharsets.UTF_8);
            args = List.of(raw.split("\0"));
        } catch (java.io.IOException | RuntimeException e) {
            return resumeGraceMillis;
        }
        return graceFor(args, resumeGraceMillis);
    }

    /** {@link #graceFor(Target, long)} with the coordinator's command line ({@code args}) given; empty: not readable. */
    static long graceFor(List<String> args, long resumeGraceMillis) {
        if (args.isEmpty() || args.size() == 1 && args.get(0).isEmpty()) return resumeGraceMillis;
        long own = DEFAULT_GRACE_MILLIS;
        for (int i = 0; i < args.size(); i++) {
            String value = args.get(i).startsWith("--grace=") ? args.get(i).substring("--grace=".length())
                    : args.get(i).equals("--grace") && i + 1 < args.size() ? args.get(i + 1) : null;
            if (value == null) continue;
            try {
                own = Math.max(0, Long.parseLong(value.trim())) * 1000;
            } catch (NumberFormatException e) {
                // not swarm's (it refuses such a --grace): keep the default
            }
        }
        return Math.max(resumeGraceMillis, own + OWN_GRACE_MARGIN_MILLIS);
    }

    /**
     * What {@link #end} did.
     *
     * @param target the coordinator
     * @param sent   the signals sent, in order ({@code SIGTERM}, {@code SIGCONT}, {@code SIGKILL})
     * @param killedAfterMillis the grace after which SIGKILL was sent, in milliseconds; -1 when it was not
     */
    public record Ended(Target target, List<String> sent, long killedAfterMillis, boolean interrupted) {
        /** One not interrupted. */
        public Ended(Target target, List<String> sent, long killedAfterMillis) {
            this(target, sent, killedAfterMillis, false);
        }

        /**
         * {@code ended coordinator pid N of run R (stopped (...); its lease ran out S s ago): SIGTERM, SIGCONT[, then
         * SIGKILL after G s]}; {@code ...: it ended by itself meanwhile} when it was gone before any signal; interrupted,
         * {@code signalled coordinator pid N of run R (...): SIGTERM, SIGCONT; interrupted before SIGKILL, it may still be
         * there} (or {@code interrupted before any signal: it was left as it is}).
         */
        public String message() {
            String signals = String.join(", ", killedAfterMillis < 0 ? sent : sent.subList(0, sent.size() - 1))
                    + (killedAfterMillis < 0 ? "" : ", then SIGKILL after " + killedAfterMillis / 1000 + " s");
            String head = " coordinator pid " + target.pid() + " of run " + target.runId() + " (" + target.condition() + "): ";
            if (interrupted) {
                return sent.isEmpty() ? "left" + head + "interrupted before any signal: it was left as it is"
                        : "signalled" + head + signals + "; interrupted before SIGKILL: it may still be there";
            }
            return "ended" + head + (sent.isEmpty() ? "it ended by itself meanwhile" : signals);
        }
    }

    /**
     * Ends {@code target}'s process (see the class comment) and returns once it is gone.
     *
     * @param graceMillis how long it is given after SIGTERM before SIGKILL, in milliseconds (0 or more)
     * @throws InvalidRequestException when it may not be signalled (another user's process, EPERM: nothing was sent), or
     *                                 it is still there {@link #KILL_WAIT_MILLIS} after SIGKILL (in uninterruptible sleep,
     *                                 say); the message says what was sent and how to go on
     * @throws InterruptedException    when interrupted while waiting
     */
    public static Ended end(Target target, long graceMillis, Signaller signaller) throws InterruptedException {
        return end(target, graceMillis, signaller, () -> false);
    }

    /**
     * {@link #end(Target, long, Signaller)}, stopping when {@code interrupted} says so (a Ctrl-C that the caller only
     * records): read before SIGTERM (then nothing is sent) and while the grace runs (then SIGKILL is not sent); the
     * {@link Ended} returned then says {@link Ended#interrupted}.
     */
    public static Ended end(Target target, long graceMillis, Signaller signaller, BooleanSupplier interrupted)
            throws InterruptedException {
        return end(target, graceMillis, signaller, interrupted, () -> true);
    }

    /**
     * {@link #end(Target, long, Signaller, BooleanSupplier)}, deciding again right before SIGTERM with
     * {@code stillStalled} (the lease read again: the same holder, not renewed since {@link #target}, still past it):
     * when it says no, nothing is sent and {@link InvalidRequestException} says so (nothing was changed).
     */
    public static Ended end(Target target, long graceMillis, Signaller signaller, BooleanSupplier interrupted,
                            BooleanSupplier stillStalled) throws InterruptedException {
        return end(target, graceMillis, signaller, Thread::sleep, Owners::provablyAlive, Owners::statOf, interrupted, stillStalled);
    }

    /**
     * Whether {@code target} is still to be taken over, read again from {@code lease} now ({@code nowMillis}, the store's
     * clock): the same holder, with the same expiry as when it was found ({@code expiresAtMillis}: not renewed since), and
     * {@link #target} still names it (provably alive, past its lease, not traced).
     */
    public static boolean stillStalled(Target target, long expiresAtMillis, Optional<RunLease> lease, long nowMillis) {
        return stillStalled(target, expiresAtMillis, lease, nowMillis, Owners::provablyAlive);
    }

    /**
     * {@link #stillStalled(Target, long, Optional, long)}, and it still has {@code database} open ({@link #holds}), as
     * {@link #target(String, Optional, long, Path)} required.
     */
    public static boolean stillStalled(Target target, long expiresAtMillis, Optional<RunLease> lease, long nowMillis,
                                       Path database) {
        return stillStalled(target, expiresAtMillis, lease, nowMillis, Owners::provablyAlive, pid -> holds(pid, database));
    }

    /** {@link #stillStalled(Target, long, Optional, long, Path)} with how a holder is proved alive and its open files read given. */
    static boolean stillStalled(Target target, long expiresAtMillis, Optional<RunLease> lease, long nowMillis,
                                java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive,
                                LongFunction<Holding> holds) {
        return stillStalled(target, expiresAtMillis, lease, nowMillis, provablyAlive)
                && holds.apply(target.pid()) == Holding.OPEN;
    }

    /** {@link #stillStalled(Target, long, Optional, long)} with how a holder is proved alive given. */
    static boolean stillStalled(Target target, long expiresAtMillis, Optional<RunLease> lease, long nowMillis,
                                java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive) {
        return lease.filter(l -> target.owner().equals(l.owner()) && l.expiresAtMillis() == expiresAtMillis).isPresent()
                && target(target.runId(), lease, nowMillis, provablyAlive).filter(t -> t.pid() == target.pid()).isPresent();
    }

    /**
     * {@link #end(Target, long, Signaller)} with how to wait ({@code pause}), how the target is proved alive
     * ({@code provablyAlive}) and how {@code /proc/PID/stat} is read ({@code statOf}, null when it cannot be: for the
     * state said when it will not die) given.
     */
    static Ended end(Target target, long graceMillis, Signaller signaller, Pause pause,
                     java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive,
                     LongFunction<ProcStat> statOf) throws InterruptedException {
        return end(target, graceMillis, signaller, pause, provablyAlive, statOf, () -> false, () -> true);
    }

    /** {@link #end(Target, long, Signaller, Pause, java.util.function.Function, LongFunction)}, stopping when {@code interrupted}. */
    static Ended end(Target target, long graceMillis, Signaller signaller, Pause pause,
                     java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive,
                     LongFunction<ProcStat> statOf, BooleanSupplier interrupted, BooleanSupplier stillStalled)
            throws InterruptedException {
        if (graceMillis < 0) throw new IllegalArgumentException("grace " + graceMillis + " ms");
        BooleanSupplier stillTarget = () -> provablyAlive.apply(target.owner()).filter(a -> a.pid() == target.pid()).isPresent();
        List<String> sent = new ArrayList<>();
        if (interrupted.getAsBoolean()) return new Ended(target, sent, -1, true);
        // decided again right before the first signal: continued and renewing since, or its lease taken by another
        boolean[] notStalled = {false};
        BooleanSupplier termTarget = () -> {
            if (!stillTarget.getAsBoolean()) return false;
            if (stillStalled.getAsBoolean()) return true;
            notStalled[0] = true;
            return false;
        };
        if (!send(target, "TERM", signaller, termTarget, sent)) {
            if (notStalled[0]) {
                throw new InvalidRequestException("run " + target.runId() + "'s coordinator (pid " + target.pid() + ") went on "
                        + "meanwhile (its lease renewed, or taken): it was not signalled; nothing was changed. `swarm status "
                        + target.runId() + "` says how it is");
            }
            return new Ended(target, sent, -1);
        }
        if (target.stopped() && !send(target, "CONT", signaller, stillTarget, sent)) return new Ended(target, sent, -1);
        BooleanSupplier goneOrInterrupted = () -> !stillTarget.getAsBoolean() || interrupted.getAsBoolean();
        if (waitGone(() -> !goneOrInterrupted.getAsBoolean(), graceMillis, pause)) {
            return new Ended(target, sent, -1, stillTarget.getAsBoolean());
        }
        if (!send(target, "KILL", signaller, stillTarget, sent)) return new Ended(target, sent, -1);
        if (waitGone(stillTarget, KILL_WAIT_MILLIS, pause)) return new Ended(target, sent, graceMillis);
        ProcStat stat = statOf.apply(target.pid());
        String state = stat == null ? null : stat.field(Owners.STATE_FIELD);
        throw new InvalidRequestException("run " + target.runId() + "'s coordinator (pid " + target.pid() + ") is still there "
                + KILL_WAIT_MILLIS / 1000 + " s after " + String.join(", ", sent) + (state == null ? "" : " (state " + state
                + ("D".equals(state) ? ": uninterruptible sleep, waiting in the kernel, on a hung NFS mount or device, say" : "")
                + ")") + "; the run is left as it is: once the process is gone (`ps -o pid,stat,wchan -p " + target.pid()
                + "` shows what it waits for), `swarm resume " + target.runId() + "` continues the run");
    }

    /**
     * Sends {@code name}; false when the process turned out gone (or another process has its pid).
     *
     * @throws InvalidRequestException on EPERM or another errno
     */
    private static boolean send(Target target, String name, Signaller signaller, BooleanSupplier stillTarget, List<String> sent) {
        int errno = signaller.signal(target.pid(), name, stillTarget);
        if (errno == 0) {
            sent.add("SIG" + name);
            return true;
        }
        if (errno == ESRCH) return false;
        String before = sent.isEmpty() ? "nothing was changed" : "sent before: " + String.join(", ", sent) + "; the run is left as it is";
        if (errno == EPERM) {
            throw new InvalidRequestException("run " + target.runId() + "'s coordinator (pid " + target.pid() + ") is another "
                    + "user's process: this user may not signal it (EPERM); " + before + ". Its user, or root, can end it with `kill "
                    + target.pid() + "`, and then `swarm resume " + target.runId() + "` continues the run");
        }
        throw new InvalidRequestException("could not send SIG" + name + " to run " + target.runId() + "'s coordinator (pid "
                + target.pid() + "): errno " + errno + "; " + before + ". End it with `kill " + target.pid() + "`, and then `swarm resume "
                + target.runId() + "` continues the run");
    }

    /** Polls until {@code stillTarget} says no, at most {@code millis}; true when it did. */
    private static boolean waitGone(BooleanSupplier stillTarget, long millis, Pause pause) throws InterruptedException {
        for (long waited = 0; ; waited += POLL_MILLIS) {
            if (!stillTarget.getAsBoolean()) return true;
            if (waited >= millis) return false;
            pause.pause(Math.min(POLL_MILLIS, millis - waited));
        }
    }
}
