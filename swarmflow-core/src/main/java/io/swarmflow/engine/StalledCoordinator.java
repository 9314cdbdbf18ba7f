package io.swarmflow.engine;

import io.swarmflow.store.RunLease;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A run's coordinator whose lease ran out while its process provably lives on this host ({@link Owners#provablyAlive}):
 * stopped by a Ctrl-Z or SIGSTOP, or running but not renewing its lease (hung, or starved on an overloaded machine). It
 * is not gone: continued, it goes on with the run. So it still holds the run ({@link RunService#isExecuting}), and a
 * resume refuses to take the run from it ({@link RunEngine#claim}) rather than run the run's tickets beside it.
 *
 * @param runId         the run
 * @param pid           the coordinator's pid (in this process's pid namespace)
 * @param stopped       whether its process is stopped (state {@code T}), rather than running or sleeping
 * @param ranOutMillis  how long ago its lease ran out, in milliseconds on the store's clock (0 or more)
 * @param background    whether it is a background job of its controlling terminal ({@link Owners.Alive#background}):
 *                      a job its shell holds stopped: {@code fg} or {@code bg} there lets it go on
 * @param elsewhere     whether its process provably does not have this state directory's database open
 *                      ({@link StalledCoordinatorTakeOver#holds} said {@code NOT_OPEN}): it is the coordinator of another
 *                      state directory, of which this one is a copy taken while the run was live. Its lease here ran out
 *                      because nobody renews it here, not because it is stopped or hung; it goes on with the run there,
 *                      in the same repository and worktrees, so this state directory must not take the run from it
 *                      either, but ending it would end a healthy run
 */
public record StalledCoordinator(String runId, long pid, boolean stopped, long ranOutMillis, boolean background,
                                 boolean elsewhere) {

    /** One that is not a background job of a terminal. */
    public StalledCoordinator(String runId, long pid, boolean stopped, long ranOutMillis) {
        this(runId, pid, stopped, ranOutMillis, false, false);
    }

    /** One that has this state directory's database open, or of which that cannot be told. */
    public StalledCoordinator(String runId, long pid, boolean stopped, long ranOutMillis, boolean background) {
        this(runId, pid, stopped, ranOutMillis, background, false);
    }

    /**
     * The stalled coordinator of {@code lease} (as read for run {@code runId}): its holder's lease ran out before
     * {@code nowMillis} (the store's clock) without being released, and its process is provably alive on this host.
     * Empty otherwise: no lease, released, not run out, or a holder not proved alive here (which the lease alone goes by).
     */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis) {
        return of(runId, lease, nowMillis, Owners::provablyAlive);
    }

    /**
     * {@link #of(String, Optional, long)}, and whether the holder has {@code database} (this state directory's database
     * file; {@code null} when the store is not a file) open: {@link #elsewhere} when it provably has not.
     */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis, Path database) {
        return of(runId, lease, nowMillis, Owners::provablyAlive, database == null ? pid -> StalledCoordinatorTakeOver.Holding.UNKNOWN
                : pid -> StalledCoordinatorTakeOver.holds(pid, database));
    }

    /** {@link #of(String, Optional, long)} with how a holder is proved alive ({@link Owners#provablyAlive}) given. */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis,
                                           java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive) {
        return of(runId, lease, nowMillis, provablyAlive, pid -> StalledCoordinatorTakeOver.Holding.UNKNOWN);
    }

    /** {@link #of(String, Optional, long, Path)} with how a holder is proved alive and how its open files are read given. */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis,
                                           java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive,
                                           LongFunction<StalledCoordinatorTakeOver.Holding> holds) {
        return lease.filter(l -> l.owner() != null && l.expiresAtMillis() > 0 && l.expiresAtMillis() <= nowMillis)
                .flatMap(l -> provablyAlive.apply(l.owner())
                        .map(a -> new StalledCoordinator(runId, a.pid(), a.stopped(), nowMillis - l.expiresAtMillis(),
                                a.background(), holds.apply(a.pid()) == StalledCoordinatorTakeOver.Holding.NOT_OPEN)));
    }

    /**
     * What is the matter with it, after "its coordinator": {@code (pid N) is alive but stopped (Ctrl-Z or SIGSTOP) and has
     * not renewed its lease, which ran out S s ago}; a job its terminal's shell holds stopped (any stopped job of an
     * interactive shell looks so: the cause is not known), {@code (pid N) is alive but stopped, a job its terminal's shell
     * holds stopped, and ...}; or, running, {@code (pid N) is alive but has not renewed its lease, which ran out S s ago (hung, or the machine
     * is overloaded)}; {@link #elsewhere}, {@code (pid N) is alive but does not have this state directory's database open: it
     * is the coordinator of another state directory (...), and its lease here ran out S s ago because nobody renews it here}.
     */
    public String condition() {
        long seconds = ranOutMillis / 1000;
        if (elsewhere) {
            return "(pid " + pid + ") is alive but does not have this state directory's database open: it is the coordinator "
                    + "of another state directory (is this one a copy of a live state directory?), and its lease here ran out "
                    + seconds + " s ago because nobody renews it here";
        }
        return "(pid " + pid + ") is alive but " + (stopped
                ? (background ? "stopped, a job its terminal's shell holds stopped," : "stopped (Ctrl-Z or SIGSTOP)") + " and has not renewed its lease, which ran out " + seconds + " s ago"
                : "has not renewed its lease, which ran out " + seconds + " s ago (hung, or the machine is overloaded)");
    }

    /**
     * What the user can do: stopped, let it go on with {@code kill -CONT N} (or {@code fg} in its terminal), or end it with
     * {@code kill N; kill -CONT N} (a stopped JVM acts on SIGTERM only once continued) and then {@code swarm resume RUN};
     * a job its shell holds stopped, {@code fg} (or {@code bg}) in that terminal, or {@code kill -CONT N} (a background
     * job stops again at a write only with {@code stty tostop}); running, wait, or end it and resume. Each followed by
     * {@code  (unattended: `swarm resume RUN --take-over` ends it and resumes)}. One {@link #elsewhere}: neither, since it is
     * not stalled; and not a resume here, before or after its end: the run is the other state directory's.
     */
    public String fix() {
        if (elsewhere) {
            return "it goes on with the run in the other state directory, on the same repository, worktrees and branches, so "
                    + "neither end it (its run there is not stalled) nor run the run here, beside it or after it (the copy's "
                    + "tickets would run again on the branches the original's made): follow and decide the run in the state "
                    + "directory it uses (`ls -l /proc/" + pid + "/fd | grep swarm.db` shows which)";
        }
        String end = "end it with " + endCommand() + " and then `swarm resume " + runId + "` (unattended: `swarm resume " + runId
                + " --take-over` ends it and resumes)";
        if (!stopped) return "wait, or " + end;
        if (background) {
            return "let it go on with `fg` (or `bg`) in its terminal, or `kill -CONT " + pid + "` (with `stty tostop` set on the "
                    + "terminal, a background job stops again at its next write to it), or " + end;
        }
        return "let it go on with `kill -CONT " + pid + "` (or `fg` in its terminal), or " + end;
    }

    /**
     * The command that ends it: {@code `kill N`} while it runs; stopped, {@code `kill N; kill -CONT N`}, since a stopped
     * JVM acts on the SIGTERM it handles only once continued (plain {@code kill N} leaves it stopped).
     */
    public String endCommand() {
        return stopped ? "`kill " + pid + "; kill -CONT " + pid + "`" : "`kill " + pid + "`";
    }

    /** Why {@code swarm resume} refuses: {@code run R's coordinator } {@link #condition}{@code : }{@link #fix}{@code ; nothing was changed}. */
    public String refusal() {
        return "run " + runId + "'s coordinator " + condition() + ": " + fix() + "; nothing was changed";
    }
}
