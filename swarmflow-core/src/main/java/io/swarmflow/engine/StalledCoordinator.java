package io.swarmflow.engine;

import io.swarmflow.store.RunLease;

import java.util.Optional;

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
 */
public record StalledCoordinator(String runId, long pid, boolean stopped, long ranOutMillis, boolean background) {

    /** One that is not a background job of a terminal. */
    public StalledCoordinator(String runId, long pid, boolean stopped, long ranOutMillis) {
        this(runId, pid, stopped, ranOutMillis, false);
    }

    /**
     * The stalled coordinator of {@code lease} (as read for run {@code runId}): its holder's lease ran out before
     * {@code nowMillis} (the store's clock) without being released, and its process is provably alive on this host.
     * Empty otherwise: no lease, released, not run out, or a holder not proved alive here (which the lease alone goes by).
     */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis) {
        return of(runId, lease, nowMillis, Owners::provablyAlive);
    }

    /** {@link #of(String, Optional, long)} with how a holder is proved alive ({@link Owners#provablyAlive}) given. */
    static Optional<StalledCoordinator> of(String runId, Optional<RunLease> lease, long nowMillis,
                                           java.util.function.Function<String, Optional<Owners.Alive>> provablyAlive) {
        return lease.filter(l -> l.owner() != null && l.expiresAtMillis() > 0 && l.expiresAtMillis() <= nowMillis)
                .flatMap(l -> provablyAlive.apply(l.owner())
                        .map(a -> new StalledCoordinator(runId, a.pid(), a.stopped(), nowMillis - l.expiresAtMillis(),
                                a.background())));
    }

    /**
     * What is the matter with it, after "its coordinator": {@code (pid N) is alive but stopped (Ctrl-Z or SIGSTOP) and has
     * not renewed its lease, which ran out S s ago}; a job its terminal's shell holds stopped (any stopped job of an
     * interactive shell looks so: the cause is not known), {@code (pid N) is alive but stopped, a job its terminal's shell
     * holds stopped, and ...}; or, running, {@code (pid N) is alive but has not renewed its lease, which ran out S s ago (hung, or the machine
     * is overloaded)}.
     */
    public String condition() {
        long seconds = ranOutMillis / 1000;
        return "(pid " + pid + ") is alive but " + (stopped
                ? (background ? "stopped, a job its terminal's shell holds stopped," : "stopped (Ctrl-Z or SIGSTOP)") + " and has not renewed its lease, which ran out " + seconds + " s ago"
                : "has not renewed its lease, which ran out " + seconds + " s ago (hung, or the machine is overloaded)");
    }

    /**
     * What the user can do: stopped, let it go on with {@code kill -CONT N} (or {@code fg} in its terminal), or end it with
     * {@code kill N; kill -CONT N} (a stopped JVM acts on SIGTERM only once continued) and then {@code swarm resume RUN};
     * a job its shell holds stopped, {@code fg} (or {@code bg}) in that terminal, or {@code kill -CONT N} (a background
     * job stops again at a write only with {@code stty tostop}); running, wait, or end it and resume. Each followed by
     * {@code  (unattended: `swarm resume RUN --take-over` ends it and resumes)}.
     */
    public String fix() {
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
