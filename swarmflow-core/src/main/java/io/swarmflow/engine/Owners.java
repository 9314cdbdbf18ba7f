package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcMounts;
import io.swarmflow.files.proc.ProcStat;

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
 * <p>
 * Since the wall clock can be stepped, and {@code startMillis} (the JVM's start, which Linux computes as {@code btime}
 * plus the process's start ticks, both read on the clock of the moment) moves with it, a coordinator's identity
 * ({@link #coordinator}) carries, where Linux tells them, what does not: {@code host:pid@startMillis/n;boot=BOOT_ID;
 * pidns=INODE;ticks=TICKS;timens=TIME_INODE}, with
 * <ul>
 *   <li>{@code BOOT_ID} the content of {@code /proc/sys/kernel/random/boot_id} (a UUID the kernel draws at each boot,
 *       see random(4)), which tells this boot from any other without any clock;</li>
 *   <li>{@code INODE} the inode number of the coordinator's pid namespace, from the link {@code /proc/self/ns/pid}
 *       ({@code pid:[INODE]}, see namespaces(7)): its pid names a process only in that namespace, and a container of
 *       the same host name has another (an inode number may be given again to a namespace made after that one ended;
 *       {@code ProcessGroups} still takes a process recorded before this namespace's init started for gone);</li>
 *   <li>{@code TICKS} its start in clock ticks after the boot, field 22 of {@code /proc/PID/stat} (proc(5),
 *       {@link ProcStat}), as the coordinator read it. Linux shows that field in the reader's time namespace (since
 *       Linux 5.6 it adds the reader's boottime offset, see time_namespaces(7)), so a reader in a time namespace with
 *       another offset reads other ticks for the same process: equal ticks prove the same process; other ticks prove
 *       another process only to a reader of the same pid namespace and the same time namespace;</li>
 *   <li>{@code TIME_INODE} the inode number of the coordinator's time namespace, from the link {@code /proc/self/ns/time}
 *       ({@code time:[INODE]}, see time_namespaces(7)): a reader whose own is the same reads the coordinator's ticks as
 *       the coordinator did. A kernel without time namespaces (before Linux 5.6, or built without them) has no such link
 *       and no offsets: there every reader reads the same ticks.</li>
 * </ul>
 * Each part is left out when it cannot be read (off Linux, say). The identity is the durable carrier (a lease's owner,
 * an attempt's {@code coordinator} column), so no migration is needed; the parts follow the {@code /n} and contain
 * neither {@code ':'} nor {@code '@'} nor {@code '/'}, so every reader of {@code host:pid@startMillis} (the last
 * {@code ':'} and {@code '@'}, and the start up to the next {@code '/'}), this version's and earlier ones', parses
 * the same host, pid and start as before; a reader skips a part whose name it does not know, so a later version may
 * add some. An identity without them (recorded before, or where they are unknown) goes by the wall-clock rules as it
 * did; one with start ticks whose ticks cannot be compared with a reader's (see {@link #isDeadLocalProcess}) is never
 * taken for gone while a process has its pid: its lease is waited out.
 * <p>
 * The other way round, a lease that ran out does not prove its holder gone: a coordinator stopped (Ctrl-Z, SIGSTOP) or
 * hung renews nothing, and goes on once it continues. {@link #provablyAlive} tells such a holder by the same exact parts
 * (this boot, this pid namespace, equal start ticks), and whether it is stopped; without that proof the lease decides.
 */
public final class Owners {
    private static final java.util.concurrent.atomic.AtomicLong COORDINATORS = new java.util.concurrent.atomic.AtomicLong();

    private Owners() {}

    /**
     * A new coordinator's identity: this process's ({@link #current}) and {@code /n}, a number no other coordinator of
     * this process has. A store lets a run's lease holder claim the run again while its lease runs; were two
     * coordinators of one process the same owner, the second would take a run the first still executes, and run its
     * running tickets again. Followed by the exact parts of the class comment that can be read
     * ({@code host:pid@startMillis/n;boot=BOOT_ID;pidns=INODE;ticks=TICKS;timens=TIME_INODE} on Linux 5.6 and later).
     */
    public static String coordinator() {
        return current() + "/" + COORDINATORS.incrementAndGet() + exactParts();
    }

    /**
     * The {@code ;boot=...;pidns=...;ticks=...;timens=...} of this process's coordinators (see the class comment): each
     * part that can be read, in that order; empty when none can.
     */
    private static String exactParts() {
        String parts = exactParts;
        if (parts == null) {
            Here here = here();
            OptionalLong ticks = startTicksOf(ProcessHandle.current().pid());
            StringBuilder b = new StringBuilder();
            if (here.bootId() != null) b.append(";boot=").append(here.bootId());
            if (here.pidNamespace() > 0) b.append(";pidns=").append(here.pidNamespace());
            if (ticks.isPresent()) b.append(";ticks=").append(ticks.getAsLong());
            if (here.timeNamespace() > 0) b.append(";timens=").append(here.timeNamespace());
            exactParts = parts = b.toString();
        }
        return parts;
    }

    private static volatile String exactParts;

    /**
     * {@code owner} as a message to a person shows it: {@code host:pid@startMillis/n}, without the exact parts of the
     * class comment (identifiers nobody acts on); cut at the first {@code ';'} after its last {@code '@'}
     * ({@link io.swarmflow.store.RunLease#shown}). An owner without them is shown whole, null as {@code null}.
     */
    public static String shown(String owner) {
        return io.swarmflow.store.RunLease.shown(owner);
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
     * other hosts and for live processes. With the exact parts of the class comment: a coordinator of another boot id is
     * gone when it also started before this boot ({@link #isOfAnEarlierBoot}); with another boot id and a later start it
     * may be a live one of another machine with this host name, and is not taken for gone (its lease is waited out); one
     * of another pid namespace is not taken for gone either (its pid cannot be looked up here); in this boot, a live
     * process with its pid and the recorded start ticks is the coordinator, however the wall clock was set meanwhile, and
     * one with other ticks is another process (the pid was reused) when this process shares the coordinator's pid
     * namespace and time namespace (both recorded), or runs on a kernel without time namespaces. Other ticks that cannot
     * be compared so (another time namespace, or one not recorded, as by an older swarm; ticks that cannot be read) leave
     * a live process with its pid taken for the coordinator: the lease is waited out rather than a live coordinator's run
     * taken over. The wall clock decides when the start ticks cannot be used: an identity without start ticks or
     * without a boot id (recorded without those exact parts, by an older swarm or where they could not be read), or a
     * reader that cannot read this machine's boot id. Then the process with its pid is taken for another when its start
     * differs from {@code startMillis} by more than a second, so a step of the wall clock by more than that after such a
     * coordinator started makes it read as gone. A pid that {@code /proc} does not show where it hides other users'
     * processes ({@code hidepid=}) but that exists all the same ({@link #hiddenButThere}: kill(1) with signal 0 answers
     * EPERM) is not taken for gone: its lease is waited out.
     */
    public static boolean isDeadLocalProcess(String owner) {
        return isDeadLocalProcess(owner, here(), Owners::startTicksOf);
    }

    /**
     * {@link #isDeadLocalProcess(String)} with this machine's boot id and namespaces given ({@code here}), and how the
     * start ticks of a live pid are read ({@code ticksOf}: empty when it cannot be read); this boot's start read from
     * {@code /proc/stat} ({@link #isDeadLocalProcess(String, Here, OptionalLong, java.util.function.LongFunction)}).
     */
    static boolean isDeadLocalProcess(String owner, Here here, java.util.function.LongFunction<OptionalLong> ticksOf) {
        return isDeadLocalProcess(owner, here, currentBootMillis(), ticksOf);
    }

    /**
     * {@link #isDeadLocalProcess(String)} with this machine's boot id and this process's namespaces ({@code here}), this
     * boot's start ({@code bootMillis}, epoch milliseconds, empty when unknown) and how the start ticks of a live pid are
     * read ({@code ticksOf}: empty when it cannot be read) given. With the exact parts of the class comment: a boot id
     * other than this boot's reads as dead only when the recorded {@code startMillis} is also before this boot's start
     * (less {@link #BOOT_SLACK_MILLIS}: the process ended with its boot); with a later or unknown start it reads as not
     * dead (a live coordinator of another machine with this host name sharing the state, or a clock set back on the
     * earlier boot: the lease is waited out); a pid namespace other than this process's reads as not dead (its pid is not
     * one to look up here: the lease is waited out). In this boot, with start ticks recorded, a live pid reads as
     * <ul>
     *   <li>alive when its process has the recorded ticks, whatever the wall clock did;</li>
     *   <li>dead (another process has its pid) when it has other ticks and they compare ({@link #ticksCompare}): the same
     *       pid namespace and the same time namespace on both sides, or a kernel without time namespaces;</li>
     *   <li>alive otherwise: other ticks that do not compare (a reader in another time namespace reads other ticks for
     *       the same process), or ticks that cannot be read. This is the safe side: a live coordinator is never taken
     *       over nor its attempts' process groups killed; a dead one whose pid another process took holds its run until
     *       its lease runs out (the claim says until when).</li>
     * </ul>
     * An identity without start ticks or boot id (older, or where they could not be read), or a {@code here} without a
     * boot id, goes by the rule of the recorded {@code startMillis} (a second of slack).
     */
    static boolean isDeadLocalProcess(String owner, Here here, OptionalLong bootMillis,
                                      java.util.function.LongFunction<OptionalLong> ticksOf) {
        return isDeadLocalProcess(owner, here, bootMillis, ticksOf, Owners::hiddenButThere);
    }

    /**
     * {@link #isDeadLocalProcess(String, Here, OptionalLong, java.util.function.LongFunction)} with how a pid that
     * {@code /proc} does not show is told to exist all the same ({@code hiddenButThere}, {@link #hiddenButThere}) given:
     * such a pid is not taken for gone.
     */
    static boolean isDeadLocalProcess(String owner, Here here, OptionalLong bootMillis,
                                      java.util.function.LongFunction<OptionalLong> ticksOf,
                                      java.util.function.LongPredicate hiddenButThere) {
        if (!isOnThisHost(owner)) return false;
        int colon = owner.lastIndexOf(':');
        int at = owner.lastIndexOf('@');
        long pid;
        long start;
        try {
            pid = Long.parseLong(owner.substring(colon + 1, at));
            start = Long.parseLong(owner.substring(at + 1, startEnd(owner, at)));
        } catch (NumberFormatException e) {
            return false;
        }
        Exact exact = Exact.of(owner);
        boolean bootsKnown = exact.bootId() != null && here.bootId() != null;
        if (bootsKnown && !exact.bootId().equals(here.bootId())) {
            // gone with its boot if it started before this one; else maybe another machine of this host name: wait
            return isOfAnEarlierBoot(owner, bootMillis);
        }
        if (exact.pidNamespace() > 0 && here.pidNamespace() > 0 && exact.pidNamespace() != here.pidNamespace()) {
            return false; // its pid is another namespace's: cannot tell here
        }
        if (pid == ProcessHandle.current().pid()) return false;
        Optional<ProcessHandle> ph = ProcessHandle.of(pid);
        // a /proc mounted with hidepid= shows no other user's process: one it does not show may still be there
        if (ph.isEmpty() || !ph.get().isAlive()) return !hiddenButThere.test(pid);
        if (bootsKnown && exact.startTicks() >= 0) {
            OptionalLong actualTicks = ticksOf.apply(pid);
            if (actualTicks.isPresent() && actualTicks.getAsLong() == exact.startTicks()) {
                // the same process; a zombie (Z, X) has ended and only waits for its parent, as provablyAlive says
                ProcStat stat = statOf(pid);
                String state = stat == null ? null : stat.field(STATE_FIELD);
                return state != null && !state.isEmpty() && "ZXx".indexOf(state.charAt(0)) >= 0;
            }
            if (!ph.get().isAlive()) return true;
            // read as the coordinator read its own: other ticks are another process's
            if (actualTicks.isPresent() && ticksCompare(exact, here)) return true;
            // Linux shows them in the reader's time namespace, which may be offset from the coordinator's; and the wall
            // clock, which no time namespace moves, may have been stepped since: nothing tells a live coordinator from a
            // new process, so its lease is waited out
            return false;
        }
        long actual = ph.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        return start != 0 && actual != -1 && Math.abs(actual - start) > 1_000;
    }

    /**
     * A coordinator process of this host that is provably alive ({@link #provablyAlive}).
     *
     * @param pid     its pid, in this process's pid namespace
     * @param stopped whether it is stopped ({@code T} or {@code t}, field 3 of {@code /proc/PID/stat}, see proc(5)): by
     *                a Ctrl-Z (SIGTSTP), a SIGSTOP, or a debugger; false when it runs, sleeps or waits on the disk
     * @param traced  whether it is in a tracing stop ({@code t}: strace, gdb, jhsdb attached with ptrace): a debugger's,
     *                not stalled, and SIGCONT does not let it go on; {@code --take-over} leaves it alone
     * @param background whether it is not the foreground job of its controlling terminal ({@link #isBackgroundOfATerminal}):
     *                a stopped job of an interactive shell always looks so (the shell takes the terminal back whatever
     *                stopped it); {@code fg} or {@code bg} there, or {@code kill -CONT}, lets it go on
     */
    public record Alive(long pid, boolean stopped, boolean background, boolean traced) {
        /** A process not in a tracing stop. */
        public Alive(long pid, boolean stopped, boolean background) {
            this(pid, stopped, background, false);
        }

        /** A process that is not a background job of a terminal, nor in a tracing stop. */
        public Alive(long pid, boolean stopped) {
            this(pid, stopped, false);
        }
    }

    /** Fields 5, 7 and 8 of {@code /proc/PID/stat} (proc(5)): the process group, the controlling terminal, its foreground group. */
    static final int PGRP_FIELD = 5;
    static final int TTY_NR_FIELD = 7;
    static final int TPGID_FIELD = 8;

    /**
     * Whether {@code stat} (a {@code /proc/PID/stat}) shows a process with a controlling terminal ({@code tty_nr}, field 7,
     * not 0) whose process group ({@code pgrp}, field 5) is not the terminal's foreground group ({@code tpgid}, field 8):
     * a background job of that terminal (started with {@code &}, or put there by a Ctrl-Z). False when a field is missing
     * or not a number.
     */
    static boolean isBackgroundOfATerminal(ProcStat stat) {
        try {
            long tty = Long.parseLong(stat.field(TTY_NR_FIELD));
            long pgrp = Long.parseLong(stat.field(PGRP_FIELD));
            long tpgid = Long.parseLong(stat.field(TPGID_FIELD));
            return tty != 0 && pgrp != tpgid;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The process {@code owner} ({@code host:pid@startMillis/n} with the exact parts of the class comment) names, when it
     * can be proved alive here: for a lease holder whose lease ran out, to tell a coordinator that cannot renew it (killed,
     * crashed) from one that is alive and does not (stopped by a Ctrl-Z or SIGSTOP, hung, or starved of CPU). Proved only
     * when the owner is of this host, carries this boot's id and this process's pid namespace (both known here), and a
     * process with its pid has exactly the recorded start ticks (field 22 of {@code /proc/PID/stat}): the rule by which
     * {@link #isDeadLocalProcess} says alive with proof. Empty when anything of that is not so or cannot be read (another
     * host, boot or pid namespace, an owner without the exact parts, other ticks, no such process), for a zombie
     * (state {@code Z}, {@code X} or {@code x}: it ended and only waits for its parent), and for this very process (a
     * coordinator of this process that holds a run here is not one of another process to wait for). Callers then keep
     * to the lease alone.
     */
    public static Optional<Alive> provablyAlive(String owner) {
        return provablyAlive(owner, here(), ProcessHandle.current().pid(), Owners::statOf);
    }

    /**
     * {@link #provablyAlive(String)} with this machine's boot id and this process's namespaces ({@code here}), this
     * process's pid ({@code self}) and how {@code /proc/PID/stat} of a pid is read ({@code statOf}: null when there is no
     * such process or it cannot be read) given.
     */
    static Optional<Alive> provablyAlive(String owner, Here here, long self,
                                         java.util.function.LongFunction<ProcStat> statOf) {
        if (!isOnThisHost(owner)) return Optional.empty();
        long pid;
        try {
            pid = Long.parseLong(owner.substring(owner.lastIndexOf(':') + 1, owner.lastIndexOf('@')));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        Exact exact = Exact.of(owner);
        if (exact.bootId() == null || !exact.bootId().equals(here.bootId())) return Optional.empty();
        if (exact.pidNamespace() <= 0 || exact.pidNamespace() != here.pidNamespace()) return Optional.empty();
        if (exact.startTicks() < 0 || pid <= 0 || pid == self) return Optional.empty();
        // ticks read here carry this time namespace's offset, the recorded ones the coordinator's: equal ones prove nothing
        if (isOfAnotherTimeNamespace(owner, here.timeNamespace())) return Optional.empty();
        ProcStat stat = statOf.apply(pid);
        if (stat == null || stat.pid() != pid) return Optional.empty();
        OptionalLong ticks = stat.startTicks();
        if (ticks.isEmpty() || ticks.getAsLong() != exact.startTicks()) return Optional.empty();
        String state = stat.field(STATE_FIELD);
        if (state == null || state.isEmpty()) return Optional.empty();
        return switch (state.charAt(0)) {
            case 'Z', 'X', 'x' -> Optional.empty(); // ended: a zombie waits only for its parent to reap it
            case 'T' -> Optional.of(new Alive(pid, true, isBackgroundOfATerminal(stat)));
            case 't' -> Optional.of(new Alive(pid, true, isBackgroundOfATerminal(stat), true)); // a debugger's (ptrace)
            default -> Optional.of(new Alive(pid, false, isBackgroundOfATerminal(stat)));
        };
    }

    /** Whether {@code /proc} hides other users' processes ({@code hidepid=}): {@link ProcMounts#HIDES_PIDS}. Read once. */
    static final boolean PROC_HIDES_PIDS = ProcMounts.HIDES_PIDS;

    /** {@link ProcMounts#hidesPids(java.util.List)}. */
    static boolean procHidesPids(java.util.List<String> mountinfo) {
        return ProcMounts.hidesPids(mountinfo);
    }

    /**
     * Whether process {@code pid}, which {@code /proc} does not show (or lets read), exists all the same: only where
     * {@code /proc} hides other users' processes ({@link #PROC_HIDES_PIDS}), where its directory is there but cannot be
     * read ({@code hidepid=1}), or {@code kill -0 PID} says "Operation not permitted" (EPERM: it exists, another user's;
     * {@code hidepid=2}). False everywhere else, at no cost. Where {@code kill} cannot be run (not installed), true:
     * whether it exists cannot be told, and a pid that cannot be told gone is not taken for gone.
     */
    static boolean hiddenButThere(long pid) {
        return hiddenButThere(pid, PROC_HIDES_PIDS, "kill");
    }

    /** {@link #hiddenButThere(long)} with whether {@code /proc} hides pids and the {@code kill} program given. */
    static boolean hiddenButThere(long pid, boolean procHidesPids, String kill) {
        if (!procHidesPids || pid <= 0) return false;
        if (Files.exists(Path.of("/proc", Long.toString(pid)), java.nio.file.LinkOption.NOFOLLOW_LINKS)) return true;
        try {
            ProcessBuilder pb = new ProcessBuilder(kill, "-0", Long.toString(pid)).redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor() != 0 && said.contains("not permitted");
        } catch (IOException e) {
            return true; // kill(1) cannot be run: cannot tell, so not gone (its lease is waited out)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // cannot tell: not gone
        }
    }

    /** Field 3 of {@code /proc/PID/stat} (proc(5)): the process's state, one character. */
    static final int STATE_FIELD = 3;

    /** {@code /proc/PID/stat} of {@code pid}, parsed ({@link ProcStat#parse}); null when there is no such process or it cannot be read. */
    static ProcStat statOf(long pid) {
        try {
            return ProcStat.parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether start ticks read here compare with those {@code exact} recorded (both of this boot): the coordinator read its
     * own in the pid namespace and time namespace this process is in (both recorded, both known here, and equal), or this
     * kernel has no time namespaces ({@link #NO_TIME_NAMESPACES}, so no reader's ticks are offset) and the pid namespaces
     * are the same. Then a process with the recorded pid and other ticks is another one.
     */
    static boolean ticksCompare(Exact exact, Here here) {
        boolean samePidNamespace = exact.pidNamespace() > 0 && exact.pidNamespace() == here.pidNamespace();
        boolean sameTimeNamespace = exact.timeNamespace() > 0 && exact.timeNamespace() == here.timeNamespace();
        boolean noTimeNamespaces = here.timeNamespace() == NO_TIME_NAMESPACES && exact.timeNamespace() <= 0;
        return samePidNamespace && (sameTimeNamespace || noTimeNamespaces);
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
     * earlier boot reads as of this one. Those limits hold only for an owner without a boot id (see the class comment):
     * one that carries it, while this boot's can be read, is of this boot exactly when the two are equal. A boot id other
     * than this boot's does not tell an earlier boot of this machine from another machine of the same host name (which
     * has its own): such a coordinator is not of this boot (its pids are left alone), and {@link #isOfAnEarlierBoot} says
     * whether it started before this boot.
     */
    public static boolean isOfThisBoot(String owner) {
        return isOfThisBoot(owner, currentBootMillis(), here().bootId());
    }

    /**
     * True only when it can be told that {@code owner} started before the current boot (less {@link #BOOT_SLACK_MILLIS}):
     * its start and the boot's are both known. Not the negation of {@link #isOfThisBoot}, which is false as well when either
     * is not known: a caller tells the two apart to say which it is.
     */
    public static boolean isOfAnEarlierBoot(String owner) {
        return isOfAnEarlierBoot(owner, currentBootMillis(), here().bootId());
    }

    /**
     * {@link #isOfAnEarlierBoot(String)} with the current boot's start (epoch milliseconds; empty when unknown) and boot id
     * (null when unknown) given: false when {@code owner} carries this boot's id (no clock involved); otherwise by the
     * starts. Another boot id alone does not say "earlier": a machine of the same host name has another boot id too, and
     * its coordinators are then said to be of an earlier boot only when they started before this boot.
     */
    static boolean isOfAnEarlierBoot(String owner, OptionalLong bootMillis, String bootId) {
        String recorded = Exact.of(owner).bootId();
        if (recorded != null && recorded.equals(bootId)) return false;
        return isOfAnEarlierBoot(owner, bootMillis);
    }

    /**
     * True only when it can be told that {@code owner} carries a boot id other than this boot's (both known): it is of
     * an earlier boot of this machine or of another machine with the same host name. False for null, for an owner
     * without one, and when this boot's cannot be read.
     */
    static boolean isOfAnotherBootId(String owner) {
        return isOfAnotherBootId(owner, here().bootId());
    }

    /** {@link #isOfAnotherBootId(String)} with this boot's id given (null when unknown). */
    static boolean isOfAnotherBootId(String owner, String bootId) {
        String recorded = Exact.of(owner).bootId();
        return recorded != null && bootId != null && !recorded.equals(bootId);
    }

    /** {@link #isOfAnEarlierBoot(String)} by the starts alone: the current boot's given (epoch milliseconds; empty when unknown). */
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
     * {@link #isOfThisBoot(String)} with the current boot's start (epoch milliseconds; empty when unknown) and boot id (null
     * when unknown) given: when {@code owner} carries a boot id and {@code bootId} is known, true exactly when they are
     * equal (no clock involved); otherwise by the starts.
     */
    static boolean isOfThisBoot(String owner, OptionalLong bootMillis, String bootId) {
        String recorded = Exact.of(owner).bootId();
        if (recorded != null && bootId != null) return recorded.equals(bootId);
        return isOfThisBoot(owner, bootMillis);
    }

    /**
     * {@link #isOfThisBoot(String)} by the starts alone: the current boot's, in milliseconds since the epoch, given
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
        try {
            long start = Long.parseLong(owner.substring(at + 1, startEnd(owner, at)));
            return start > 0 ? OptionalLong.of(start) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * True only when it can be told that {@code owner} recorded its pids in another pid namespace than this process's: it
     * carries a {@code pidns} (see the class comment) and this process's can be read, and the two differ. Its pids then
     * name nothing here, or an unrelated process (another container of the same host name, or one restarted since): they
     * are not looked up, let alone killed. False for null and for an owner without it.
     */
    public static boolean isOfAnotherPidNamespace(String owner) {
        return isOfAnotherPidNamespace(owner, here().pidNamespace());
    }

    /** {@link #isOfAnotherPidNamespace(String)} with this process's pid namespace inode given (0 when unknown). */
    static boolean isOfAnotherPidNamespace(String owner, long pidNamespace) {
        long recorded = Exact.of(owner).pidNamespace();
        return recorded > 0 && pidNamespace > 0 && recorded != pidNamespace;
    }

    /**
     * For a person looking for the container an {@code owner} of another pid namespace ({@link #isOfAnotherPidNamespace})
     * ran in: its pid namespace and this process's, as {@code /proc/PID/ns/pid} and {@code lsns -t pid} (its NS column)
     * show them, {@code "pid:[RECORDED], not this process's pid:[THIS]"}; {@code ?} for an inode that is not known.
     */
    static String pidNamespacesShown(String owner) {
        return pidNamespacesShown(owner, here().pidNamespace());
    }

    /** {@link #pidNamespacesShown(String)} with this process's pid namespace inode given (0 when unknown). */
    static String pidNamespacesShown(String owner, long pidNamespace) {
        long recorded = Exact.of(owner).pidNamespace();
        return "pid:[" + (recorded > 0 ? recorded : "?") + "], not this process's pid:[" + (pidNamespace > 0 ? pidNamespace : "?") + "]";
    }

    /**
     * Whether {@code owner} (with the exact parts of the class comment) recorded a time namespace ({@code ;timens=}) other
     * than this process's, both known: the start ticks it and the processes it launched recorded (field 22 of
     * {@code /proc/PID/stat}, which Linux shows with the reader's boottime offset, see time_namespaces(7)) do not compare
     * with ticks read here, so whether a process read here is one of them cannot be told by its start ticks. False when
     * either is unknown (an owner recorded without it, by an older swarm) or the kernel has no time namespaces.
     */
    public static boolean isOfAnotherTimeNamespace(String owner) {
        return isOfAnotherTimeNamespace(owner, here().timeNamespace());
    }

    /**
     * The inode of the time namespace {@code owner} recorded ({@code ;timens=}, the link {@code /proc/self/ns/time} of
     * the coordinator), in which it read the start ticks it recorded; 0 when it recorded none (an older swarm, a kernel
     * without time namespaces) or {@code owner} is null. For {@code ProcessGroups}, which compares recorded ticks only
     * with ticks of the same namespace.
     */
    public static long timeNamespaceOf(String owner) {
        return Exact.of(owner).timeNamespace();
    }

    /**
     * {@link #isOfAnotherTimeNamespace(String)} with this process's time namespace inode given (0 when unknown,
     * {@link #NO_TIME_NAMESPACES} without time namespaces).
     */
    static boolean isOfAnotherTimeNamespace(String owner, long timeNamespace) {
        long recorded = Exact.of(owner).timeNamespace();
        return recorded > 0 && timeNamespace > 0 && recorded != timeNamespace;
    }

    /**
     * For a person: the time namespace {@code owner} recorded and this process's, as {@code /proc/PID/ns/time} and
     * {@code lsns -t time} show them, {@code "time:[RECORDED], not this process's time:[THIS]"}; {@code ?} for one not known.
     */
    public static String timeNamespacesShown(String owner) {
        return timeNamespacesShown(owner, here().timeNamespace());
    }

    /** {@link #timeNamespacesShown(String)} with this process's time namespace inode given. */
    static String timeNamespacesShown(String owner, long timeNamespace) {
        long recorded = Exact.of(owner).timeNamespace();
        return "time:[" + (recorded > 0 ? recorded : "?") + "], not this process's time:[" + (timeNamespace > 0 ? timeNamespace : "?") + "]";
    }

    /** Where the start of {@code owner}'s {@code @startMillis} ends: at the first {@code '/'} or {@code ';'} after {@code at}. */
    private static int startEnd(String owner, int at) {
        int end = owner.length();
        int slash = owner.indexOf('/', at);
        if (slash >= 0) end = slash;
        int semi = owner.indexOf(';', at);
        if (semi >= 0 && semi < end) end = semi;
        return end;
    }

    /**
     * {@link Here#timeNamespace} on a kernel without time namespaces: {@code /proc/self/ns/time} does not exist while
     * {@code /proc/self/ns/pid} reads, so no process of this boot has a boottime offset.
     */
    static final long NO_TIME_NAMESPACES = -1;

    /**
     * This machine's boot id and this process's pid and time namespace inodes, as the exact parts of the class comment
     * record them.
     *
     * @param bootId        the boot id (a lower-case UUID), null when unknown
     * @param pidNamespace  the pid namespace's inode number, 0 when unknown
     * @param timeNamespace the time namespace's inode number; {@link #NO_TIME_NAMESPACES} when this kernel has none, 0
     *                      when unknown
     */
    record Here(String bootId, long pidNamespace, long timeNamespace) {
        static final Here UNKNOWN = new Here(null, 0, 0);

        /** A {@link Here} whose time namespace is unknown. */
        Here(String bootId, long pidNamespace) {
            this(bootId, pidNamespace, 0);
        }
    }

    /** Where Linux says which boot this is, see random(4). */
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    /** This process's pid namespace, a link {@code pid:[INODE]}, see namespaces(7). */
    private static final Path PID_NAMESPACE = Path.of("/proc/self/ns/pid");
    /** This process's time namespace, a link {@code time:[INODE]}, see time_namespaces(7); absent before Linux 5.6. */
    private static final Path TIME_NAMESPACE = Path.of("/proc/self/ns/time");

    /** {@link Here} of this process, read once per process (none of it changes while it runs). */
    static Here here() {
        Here h = here;
        if (h == null) {
            long pidNamespace = pidNamespace(PID_NAMESPACE);
            here = h = new Here(bootId(BOOT_ID), pidNamespace, timeNamespace(TIME_NAMESPACE, pidNamespace));
        }
        return h;
    }

    private static volatile Here here;

    /** The boot id in {@code file} (a {@code boot_id}): a UUID, lower-cased; null when it cannot be read or is not one. */
    static String bootId(Path file) {
        try {
            String id = Files.readString(file, java.nio.charset.StandardCharsets.US_ASCII).strip().toLowerCase(java.util.Locale.ROOT);
            return isBootId(id) ? id : null;
        } catch (IOException | RuntimeException e) {
            return null; // off Linux, or an unreadable /proc
        }
    }

    /** Whether {@code s} has the shape of a UUID ({@code 8-4-4-4-12} lower-case hex digits), as a boot id has. */
    private static boolean isBootId(String s) {
        if (s.length() != 36) return false;
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        }
        return true;
    }

    /** The inode of the pid namespace {@code link} (a {@code /proc/PID/ns/pid}) points to ({@code pid:[INODE]}); 0 when unknown. */
    static long pidNamespace(Path link) {
        try {
            return pidNamespaceInode(Files.readSymbolicLink(link).toString());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The inode in a namespace link's target {@code pid:[INODE]}; 0 when it is not of that shape or not positive. */
    static long pidNamespaceInode(String target) {
        return namespaceInode("pid", target);
    }

    /**
     * The inode of the time namespace {@code link} (a {@code /proc/PID/ns/time}) points to ({@code time:[INODE]});
     * {@link #NO_TIME_NAMESPACES} when there is no such link while the pid namespace link beside it was read
     * ({@code pidNamespace} positive: the kernel has no time namespaces); 0 when unknown.
     */
    static long timeNamespace(Path link, long pidNamespace) {
        try {
            return namespaceInode("time", Files.readSymbolicLink(link).toString());
        } catch (java.nio.file.NoSuchFileException e) {
            return pidNamespace > 0 ? NO_TIME_NAMESPACES : 0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The inode in a namespace link's target {@code TYPE:[INODE]} of {@code type}; 0 when it is not of that shape or not positive. */
    static long namespaceInode(String type, String target) {
        String prefix = type + ":[";
        if (!target.startsWith(prefix) || !target.endsWith("]")) return 0;
        try {
            long inode = Long.parseLong(target.substring(prefix.length(), target.length() - 1));
            return inode > 0 ? inode : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The start of process {@code pid} in clock ticks after the boot ({@link ProcStat#startTicks}); empty when unreadable. */
    static OptionalLong startTicksOf(long pid) {
        ProcStat stat = statOf(pid);
        return stat == null ? OptionalLong.empty() : stat.startTicks();
    }

    /**
     * The exact parts an owner id carries after its {@code /n} ({@code ;boot=...;pidns=...;ticks=...;timens=...}, see the
     * class comment), in any order; a part that is absent or malformed is unknown. Parts of other names are skipped (a
     * later version may add some).
     *
     * @param bootId        the boot id, null when unknown
     * @param pidNamespace  the pid namespace inode, 0 when unknown
     * @param startTicks    the start in clock ticks after the boot, -1 when unknown
     * @param timeNamespace the time namespace inode, 0 when unknown (recorded by a swarm before this part, or on a kernel
     *                      without time namespaces)
     */
    record Exact(String bootId, long pidNamespace, long startTicks, long timeNamespace) {
        static final Exact NONE = new Exact(null, 0, -1, 0);

        /** Exact parts without a time namespace. */
        Exact(String bootId, long pidNamespace, long startTicks) {
            this(bootId, pidNamespace, startTicks, 0);
        }

        /** The exact parts of {@code owner}; {@link #NONE} for null or an owner without them. */
        static Exact of(String owner) {
            if (owner == null) return NONE;
            int at = owner.lastIndexOf('@');
            int semi = at < 0 ? -1 : owner.indexOf(';', at);
            if (semi < 0) return NONE;
            String bootId = null;
            long pidNamespace = 0;
            long startTicks = -1;
            long timeNamespace = 0;
            for (String part : owner.substring(semi + 1).split(";")) {
                int eq = part.indexOf('=');
                if (eq < 0) continue;
                String name = part.substring(0, eq);
                String value = part.substring(eq + 1);
                switch (name) {
                    case "boot" -> bootId = isBootId(value) ? value : null;
                    case "pidns" -> pidNamespace = positive(value, 0);
                    case "ticks" -> startTicks = value.equals("0") ? 0 : positive(value, -1);
                    case "timens" -> timeNamespace = positive(value, 0);
                    default -> { }
                }
            }
            return new Exact(bootId, pidNamespace, startTicks, timeNamespace);
        }

        private static long positive(String value, long unknown) {
            try {
                long n = Long.parseLong(value);
                return n > 0 ? n : unknown;
            } catch (NumberFormatException e) {
                return unknown;
            }
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
