package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.agent.Executor;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.Templates;
import io.swarmflow.spec.When;
import io.swarmflow.store.Appended;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.*;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator of one run: a single scheduler thread (the caller of {@link #execute()}) makes
 * every decision and appends every event; attempts run on virtual threads and report back through
 * a queue. No locks on the hot path.
 *
 * <p>The plan lives in memory as arrays (dependency counters, adjacency lists); a finished ticket
 * decrements its dependents' counters in O(out-degree). Ready tickets wait in a priority queue per agent profile
 * (higher {@code priority} first, then plan order) and are dispatched while global and per-profile
 * slots are free. An attempt's process is launched only once its {@link AttemptStarted} event is
 * durable, so after a crash every attempt that may have run is on record. Among equal priorities,
 * the ticket with the most work behind it starts first ({@link #compareReady}).
 *
 * <p>Retry policy: failures and timeouts consume {@code retries.max}, but a {@linkplain AttemptResult#permanent permanent}
 * failure (one every attempt would end in) is not retried: the ticket fails at once, recorded in the same append as the
 * attempt's end, so a resume does not retry it either; attempts lost to a dead
 * coordinator ({@code lease-expired}) do not. A ticket fails once more than {@link EngineOptions#maxLeaseExpiries()}
 * of its attempts were lost while their process ran ({@link AttemptProcessStarted} on record): a crash loop. An
 * attempt with no process on record is not counted: its coordinator stopped before launching it (a start that became
 * durable only after the coordinator abandoned it) or, a {@code noop} one, it runs none; either way it did nothing that
 * could bring a coordinator down, so coordinators stopped again and again before a launch never fail the ticket. (Nor
 * does an attempt whose coordinator died between its process's start and the record of it: a crash loop is not that quick.)
 */
public final class RunEngine {
    private final RunStore store;
    private final Executor executor;
    private final EngineOptions options;
    private final RunListener listener;
    /**
     * Whether anyone hears events and notices ({@link RunListener#NONE} hears nothing): only then is what the listener
     * hears kept until it is durable ({@link #told}, {@link #untold}), and an attempt's output until its start was heard.
     */
    private final boolean telling;
    private final String runId;
    private final String owner;
    private final LinkedBlockingQueue<Signal> inbox = new LinkedBlockingQueue<>();
    private final SplittableRandom random;

    // plan as arrays
    private Plan plan;
    private PlannedTicket[] tickets;
    /** The run's secrets: the values of all {@code ${{ env.NAME }}} the plan reads, 8 bytes or longer ({@link #secrets(Plan)}). */
    private java.util.Set<String> secrets = java.util.Set.of();
    private int n;
    private int[][] needs;
    private int[][] dependents;
    /** Longest path from each ticket to a sink, in ticket weights (see {@link #compareReady}). */
    private long[] downstream;
    private int[] profileOf;
    private int[] profileLimit;
    private String[] profileNames;
    private final Map<String, Integer> indexOf = new HashMap<>();

    // live state
    private TicketState[] state;
    private int[] remaining;
    private boolean[] failedPath;
    /** For a skipped ticket, what first stopped its chain ("build failed"), named in its dependents' skip reasons. */
    private String[] skipCause;
    private int[] attempt;
    private int[] failures;
    /**
     * Attempts of each ticket lost to a dead coordinator while their process ran (its start recorded): what
     * {@link EngineOptions#maxLeaseExpiries()} limits. Rebuilt from the attempts on record ({@link #recover}).
     */
    private int[] crashLosses;
    private boolean[] approved;
    private Map<String, String>[] outputs;
    private int[] runningPerProfile;
    private int running;
    private int finalCount;
    /**
     * Ready tickets, one queue per agent profile ({@link #compareReady} order): dispatch looks only at the heads of the
     * profiles with a free slot, so tickets waiting for a busy profile cost nothing (one queue for all had every dispatch
     * take out and put back each of them: quadratic in a run of many tickets on a profile with a small limit).
     */
    private PriorityQueue<Integer>[] ready;
    private final PriorityQueue<long[]> retryTimers = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    private final Map<Integer, Control> controls = new HashMap<>();
    private final List<RunEvent> pending = new ArrayList<>();
    /** What the listener hears of {@link #pending} and the notices given since, in order; heard once the next flush is durable. */
    private List<Told> told = new ArrayList<>();
    /**
     * Appends submitted and not yet told to the listener, in the order submitted, which is the store's order: each is told
     * once it is durable and every earlier one was told. Only when {@link #telling}.
     */
    private final ArrayDeque<Untold> untold = new ArrayDeque<>();
    private final List<Launch> launches = new ArrayList<>();
    private final List<Long> appliedCommands = new ArrayList<>();
    /** Commands whose events were submitted but which are not marked applied in the store yet. */
    private final java.util.Set<Long> unmarkedCommands = new java.util.LinkedHashSet<>();
    /** Every command this coordinator handled (applied or ignored), pending in the store or not. */
    private final java.util.Set<Long> handledCommands = new java.util.HashSet<>();
    /** Store time when this coordinator took the run; a cancel requested before it is not for it. */
    private long claimedAtMillis;
    /** The run as read by {@link #claim}, once it ran. */
    private RunView claimed;
    /**
     * The lease holder before {@link #claim} (null when none was recorded). {@link #recover} takes the pid of an attempt
     * left running to be of this coordinator's machine only when the attempt does not record the coordinator that launched
     * it ({@link AttemptView#coordinator()}: attempts recorded before it was); not exact then when that coordinator died
     * inside its own recovery of an earlier coordinator's attempts (before it recorded them lost), as those are the earlier
     * one's, maybe of another machine.
     */
    private String previousOwner;
    private long epoch;
    /**
     * {@link System#nanoTime} just before this coordinator's lease was last taken or renewed with success (the claim, a
     * heartbeat, {@link Control#confirmHeld}): the lease holds at least {@code leaseMillis} from then, a monotonic clock
     * that runs on while the process is stopped.
     */
    private volatile long leaseRenewedNanos;
    /** Guards {@link #leaseGivenUp} and {@link Control#confirmHeld}'s renewal, so none renews a lease given up. */
    private final Object leaseGuard = new Object();
    /** Set once this coordinator ends and gives its lease up; guarded by {@link #leaseGuard}. */
    private boolean leaseGivenUp;
    private boolean cancelling;
    private String failFastBy;
    private boolean waitingNoticeShown;
    /** Whether {@link #tell} met an append that failed: none after it can be recorded. */
    private boolean appendFailed;

    private sealed interface Signal {}

    private record Done(int index, int attempt, AttemptResult result) implements Signal {}

    private record ProcessStarted(int index, int attempt, long pid, long startTicks) implements Signal {}

    private record StoreFailed(Throwable error) implements Signal {}

    private record CancelRequested(String by, boolean now) implements Signal {}

    private record CommandsDurable(List<Long> ids) implements Signal {}

    /** An append of this coordinator is durable: the listener can hear it ({@link #tell}). */
    private record AppendDurable() implements Signal {}

    private static final AppendDurable APPEND_DURABLE = new AppendDurable();

    /** What the listener hears: an event, or a notice given after the events before it. */
    private sealed interface Told {}

    private record Heard(RunEvent event) implements Told {}

    private record Notice(String message) implements Told {}

    /** Right after an attempt's {@link AttemptStarted}: the listener hears the attempt's output from then on. */
    private record OutputFollows(Control control) implements Told {}

    /** One append and what the listener hears of it, once {@code durable} completed with when it was recorded. */
    private record Untold(List<Told> told, CompletableFuture<Appended> durable) {}

    private record Launch(int index, int attempt, Control control) {}

    /**
     * How many lines an attempt's output may hold back while the listener has not heard its start yet (the scheduler
     * thread waiting for the store, up to a minute on a locked database); the rest is counted and said in a notice, not
     * kept in memory. The attempt's log files have every line.
     */
    static final int MAX_HELD_LINES = 1_000;

    /**
     * A coordinator for one run; nothing happens until {@link #execute()}. The owner recorded with the run's lease is
     * this coordinator ({@link Owners#coordinator}: {@code host:pid@startMillis/n}), and backoff jitter is seeded from {@link EngineOptions#seed()}.
     *
     * @param store    where events go
     * @param executor where attempts run
     * @param options  coordinator options
     * @param listener progress observer
     * @param runId    an existing run (created by {@link RunService#create})
     */
    public RunEngine(RunStore store, Executor executor, EngineOptions options, RunListener listener, String runId) {
        this.store = store;
        this.executor = executor;
        this.options = options;
        this.listener = listener == null ? RunListener.NONE : listener;
        this.telling = this.listener != RunListener.NONE;
        this.runId = runId;
        this.owner = Owners.coordinator();
        this.random = options.seed() == 0 ? new SplittableRandom() : new SplittableRandom(options.seed());
    }

    /**
     * Asks the coordinator to stop: running attempts get TERM, then KILL after the grace period. Thread-safe. A
     * coordinator blocked in a write that waits for another process's database lock stops waiting within seconds
     * ({@link RunStore#stopWaitingForLocks}) and ends with {@link StoreException.Unavailable}, the run left for a resume.
     */
    public void cancel(String by) {
        store.stopWaitingForLocks(runId, by);
        inbox.add(new CancelRequested(by, false));
    }

    /**
     * Like {@link #cancel}, but running attempts are killed at once (KILL, no grace period): for a user who does not
     * want to wait for a cancellation under way. Thread-safe.
     */
    public void cancelNow(String by) {
        store.stopWaitingForLocks(runId, by);
        inbox.add(new CancelRequested(by, true));
    }

    /**
     * Claims the run and executes it until every ticket is final or the run is cancelled.
     * A run whose coordinator died is taken over (its running attempts are recorded as
     * lease-expired and retried). A finished run is returned as is, with nothing written.
     *
     * @return the run's state at the end: succeeded, failed or cancelled
     * @throws StoreException.RunLocked if a live coordinator holds the run
     * @throws StoreException.Fenced    if another coordinator took the run over meanwhile
     * @throws StoreException           the first failure of an append of this coordinator (never the refusal of a later
     *                                  append because of it, {@link StoreException.EarlierAppendFailed})
     */
    public RunState execute() throws InterruptedException {
        claim();
        RunView view = claimed;
        if (view.state().isFinished()) return view.state();
        boolean resumed = view.startedAtMillis() != 0;
        // what the store has to say while it works for this run (the database locked by another process) is the run's to show
        Runnable storeNoticesBack = store.noticesTo(runId, listener::onNotice);
        try {
            load();
            Path runDir = runDir();
            executor.prepareRun(runId, plan, runDir);
            emit(new RunStarted(epoch, owner, resumed));
            try {
                recover();
                // what a lost attempt left is the executor's to mend only now: a process of it still running was killed above
                if (executor instanceof AfterRecovery hook) hook.afterRecovery(runId, plan, runDir);
                return loop();
            } catch (RuntimeException | InterruptedException | Error e) {
                // a store error (fenced, I/O) or an interrupt ends this coordinator: its attempts must not outlive it
                tellWhatFailed();
                stopAllAttempts();
                tellOnTheWayOut();
                throw e;
            }
        } finally {
            // an attempt thread that outlived the coordinator's wait for it must not renew the lease given up here
            synchronized (leaseGuard) {
                leaseGivenUp = true;
            }
            try {
                store.releaseRun(runId, epoch);
            } catch (StoreException ignored) {
                // fenced: someone else owns it now; nothing to release
            } finally {
                storeNoticesBack.run();
            }
        }
    }

    /**
     * What an {@link Executor} that implements it does once a coordinator has taken up its run, after {@link
     * Executor#prepareRun}: mend what the attempts that earlier coordinators left (killed, crashed) may have changed, such
     * as the files of a worktree. {@link #execute()} calls it on its own thread after it has recorded each attempt left
     * running as lost and asked the executor to end each one's process group ({@link Executor#killOrphan}, for those it
     * looks for: launched on this host, in this boot and pid namespace), and before any new attempt starts: what is mended
     * then is no longer changed by such a process. It is called on every execution, the first too (nothing left then).
     */
    public interface AfterRecovery {
        /**
         * @param runId  the run
         * @param plan   its stored plan
         * @param runDir its directory ({@code <stateDir>/runs/<runId>}), as {@link Executor#prepareRun} got it
         * @throws RuntimeException to end the coordinator as a failure of {@link #execute()} does (its attempts stopped)
         */
        void afterRecovery(String runId, Plan plan, Path runDir);
    }

    /**
     * Claims the run for this coordinator ahead of {@link #execute()} (which claims it itself when this was not called),
     * so that a caller can tell the user the run goes on only once no other coordinator can take it: of two resumes at
     * once, the one whose claim fails has said nothing yet. A finished run is not claimed. Once this returns,
     * {@link #execute()} must follow: it releases the claim when it ends.
     *
     * @throws StoreException.RunLocked if a live coordinator holds the run: its lease runs, or ran out while its process
     *                                  provably lives on this host (stopped by a Ctrl-Z or SIGSTOP, or hung)
     */
    public void claim() {
        if (claimed != null) return;
        RunView view = store.run(runId).orElseThrow(() -> new StoreException.UnknownRun("no run " + runId));
        if (!view.state().isFinished()) {
            // who held the run last: what recover goes by for an attempt that does not record its launching coordinator
            Optional<io.swarmflow.store.RunLease> lease = store.lease(runId);
            previousOwner = lease.map(io.swarmflow.store.RunLease::owner).orElse(null);
            takeOverIfOwnerDead(lease);
            claimedAtMillis = store.now();
            long claiming = System.nanoTime();
            epoch = store.claimRun(runId, owner, options.leaseMillis());
            leaseRenewedNanos = claiming;
        }
        claimed = view;
    }

    /**
     * Gives back the run that {@link #claim} took, without executing it (nothing was written but the claim): for a caller
     * that was stopped in between (a Ctrl-C). Another coordinator may then take the run at once; when the store cannot be
     * written ({@link StoreException.Unavailable}), once the lease runs out (or at once on this host, its owner dead).
     * Throws nothing of the store's: the run was not started either way, which is what the caller says.
     */
    public void release() {
        if (claimed == null || claimed.state().isFinished()) return;
        try {
            store.releaseRun(runId, epoch);
        } catch (StoreException.Fenced ignored) {
            // someone else owns it now; nothing to release
        } catch (StoreException.Unavailable ignored) {
            // the release is a courtesy: the lease runs out on its own, and this process is about to end
        }
    }

    /**
     * A previous coordinator on this host that no longer exists cannot renew its lease: release it now rather than wait.
     * One whose lease ran out while its process provably lives on this host ({@link StalledCoordinator}: stopped by a
     * Ctrl-Z or SIGSTOP, or hung) is not taken over: continued, it would go on with the run beside this coordinator.
     *
     * @throws StoreException.RunLocked saying so ({@link StalledCoordinator#refusal}), when the holder is such a one
     */
    private void takeOverIfOwnerDead(Optional<io.swarmflow.store.RunLease> current) {
        Optional<StalledCoordinator> stalled = StalledCoordinator.of(runId, current, store.now());
        if (stalled.isPresent()) throw new StoreException.RunLocked(stalled.get().refusal());
        current.ifPresent(lease -> {
            if (lease.owner() != null && lease.expiresAtMillis() > 0 && Owners.isDeadLocalProcess(lease.owner())) {
                store.releaseRun(runId, lease.epoch());
            }
        });
    }

    private Path runDir() {
        return options.stateDir().resolve("runs").resolve(runId);
    }

    @SuppressWarnings("unchecked")
    private void load() {
        plan = store.plan(runId);
        List<PlannedTicket> list = plan.tickets();
        n = list.size();
        tickets = list.toArray(new PlannedTicket[0]);
        secrets = secrets(plan);
        for (int i = 0; i < n; i++) indexOf.put(tickets[i].id(), i);
        needs = new int[n][];
        int[] outDegree = new int[n];
        for (int i = 0; i < n; i++) {
            List<String> ns = tickets[i].needs();
            needs[i] = new int[ns.size()];
            for (int k = 0; k < ns.size(); k++) {
                int d = indexOf.get(ns.get(k));
                needs[i][k] = d;
                outDegree[d]++;
            }
        }
        dependents = new int[n][];
        for (int i = 0; i < n; i++) dependents[i] = new int[outDegree[i]];
        int[] fill = new int[n];
        for (int i = 0; i < n; i++) for (int d : needs[i]) dependents[d][fill[d]++] = i;
        downstream = new long[n];
        for (int i = n - 1; i >= 0; i--) { // plan order is topological: dependents come later
            long longest = 0;
            for (int d : dependents[i]) longest = Math.max(longest, downstream[d]);
            downstream[i] = Math.max(1, tickets[i].durationMillis()) + longest;
        }

        Map<String, Integer> profileIndex = new HashMap<>();
        List<String> names = new ArrayList<>();
        profileOf = new int[n];
        for (int i = 0; i < n; i++) {
            Integer p = profileIndex.get(tickets[i].agent());
            if (p == null) {
                p = names.size();
                profileIndex.put(tickets[i].agent(), p);
                names.add(tickets[i].agent());
            }
            profileOf[i] = p;
        }
        profileNames = names.toArray(new String[0]);
        profileLimit = new int[profileNames.length];
        for (int p = 0; p < profileNames.length; p++) {
            AgentProfile prof = plan.agents().get(profileNames[p]);
            profileLimit[p] = prof.concurrency() <= 0 ? Integer.MAX_VALUE : prof.concurrency();
        }
        runningPerProfile = new int[profileNames.length];
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        PriorityQueue<Integer>[] queues = new PriorityQueue[profileNames.length];
        for (int p = 0; p < queues.length; p++) queues[p] = new PriorityQueue<>(this::compareReady);
        ready = queues;

        state = new TicketState[n];
        remaining = new int[n];
        failedPath = new boolean[n];
        skipCause = new String[n];
        attempt = new int[n];
        failures = new int[n];
        crashLosses = new int[n];
        approved = new boolean[n];
        @SuppressWarnings({"unchecked", "rawtypes"}) // no generic array creation in Java
        Map<String, String>[] none = new Map[n];
        outputs = none;
    }

    /** Rebuilds the in-memory state from the projections and repairs what a crash or cancel left. */
    private void recover() {
        List<TicketView> views = store.tickets(runId);
        Map<String, AttemptView> runningAttempts = new HashMap<>();
        for (AttemptView a : store.attempts(runId)) {
            if (a.isRunning()) runningAttempts.put(a.ticketId(), a);
            else if (a.outcome() == Outcome.LEASE_EXPIRED && a.pid() != 0) crashLosses[indexOf.get(a.ticketId())]++;
        }
        for (TicketView t : views) {
            int i = indexOf.get(t.ticketId());
            state[i] = t.state();
            attempt[i] = t.attempt();
            failures[i] = t.failures();
            approved[i] = t.approvedBy() != null;
            outputs[i] = t.outputs();
        }
        // failure paths and dependency counters, in topological order
        for (int i = 0; i < n; i++) {
            int notFinal = 0;
            boolean depFailed = false;
            for (int d : needs[i]) {
                if (!state[d].isFinal()) notFinal++;
                depFailed |= failedPath[d];
            }
            remaining[i] = notFinal;
            if (state[i] == TicketState.FAILED) failedPath[i] = true;
            if (state[i] == TicketState.SKIPPED) {
                String reason = views.get(viewIndex(views, i)).reason();
                failedPath[i] = depFailed || (reason != null && reason.startsWith("fail-fast"));
                skipCause[i] = reason != null && reason.startsWith("fail-fast") ? reason : causeOfSkip(i);
            }
            if (state[i].isFinal()) finalCount++;
        }
        long now = store.now();
        java.util.Set<String> decidedByAPerson = new java.util.HashSet<>();
        if (options.autoApprove()) {
            for (RunCommand c : store.pendingCommands(runId)) {
                if (c.kind() != RunCommand.Kind.CANCEL) decidedByAPerson.add(c.ticketId());
            }
        }
        String lostForGood = null; // a ticket that failed here, which starts fail-fast once every ticket is recovered
        for (int i = 0; i < n; i++) {
            switch (state[i]) {
                case RUNNING -> {
                    AttemptView a = runningAttempts.get(tickets[i].id());
                    String launcher = a == null ? null : launcher(a);
                    if (a != null && Owners.isOnThisHost(launcher) && Owners.isOfThisBoot(launcher)
                            && !Owners.isOfAnotherPidNamespace(launcher) && !Owners.isOfAnotherTimeNamespace(launcher)) {
                        boolean killed = executor.killOrphan(a, runDir());
                        if (killed) notice("killed orphaned process group " + a.pid() + " of " + tickets[i].id());
                    } else if (a != null && a.pid() != 0 && Owners.isOnThisHost(launcher) && Owners.isOfThisBoot(launcher)
                            && !Owners.isOfAnotherPidNamespace(launcher)) {
                        // another time namespace: the recorded start ticks do not compare with those read here (D3 F5)
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under coordinator " + Owners.shown(launcher)
                                + ", of time namespace " + Owners.timeNamespacesShown(launcher) + ": Linux shows start times with "
                                + "the reader's offset, so whether process group " + a.pid() + " is still the attempt's cannot be "
                                + "told from here; it is not looked for, so not stopped if it still runs (`kill -- -" + a.pid()
                                + "` stops it, once you know it is the attempt's); processes it started outside that group "
                                + "(setsid, a daemon) are not looked for either (`grep -lzx SWARM_RUN_ID=" + runId
                                + " /proc/*/environ` finds what holds this run's id)");
                    } else if (a != null && a.pid() != 0 && Owners.isOnThisHost(launcher) && Owners.isOfThisBoot(launcher)) {
                        // its pid is of another pid namespace (a container of the same host name): it names nothing of it here
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under coordinator " + Owners.shown(launcher)
                                + ", of pid namespace " + Owners.pidNamespacesShown(launcher) + " (another container of this "
                                + "host name, or one restarted since; `lsns -t pid` on the host lists namespaces by that number): "
                                + "process group " + a.pid() + " is not looked for, so not stopped from here if "
                                + "it still runs (`kill -- -" + a.pid() + "` in that pid namespace stops it)");
                    } else if (a != null && a.pid() != 0 && Owners.isOnThisHost(launcher) && Owners.isOfAnEarlierBoot(launcher)) {
                        // a pid of an earlier boot may name an unrelated process now
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under coordinator " + Owners.shown(launcher)
                                + ", which started before this machine last started: nothing of the attempt "
                                + "can still run after a restart, and process group " + a.pid() + " is not looked for");
                    } else if (a != null && a.pid() != 0 && Owners.isOnThisHost(launcher) && Owners.isOfAnotherBootId(launcher)) {
                        // another boot id, yet no start before this boot's: maybe a live machine of the same host name (or a clock set back)
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under coordinator " + Owners.shown(launcher)
                                + ", of another boot id than this machine's but not known to have started before this machine last started "
                                + "(another machine with this host name, or a clock set back since): process group " + a.pid()
                                + " is not looked for, so not stopped from here if it still runs (`kill -- -" + a.pid()
                                + "` on the machine it ran on stops it)");
                    } else if (a != null && a.pid() != 0 && Owners.isOnThisHost(launcher)) {
                        // when it or this boot started is not known, the pid may be of another boot: not killed, but it may run
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under coordinator " + Owners.shown(launcher)
                                + ", whose start or this machine's is not known: process group " + a.pid() + " is not looked for, "
                                + "so not stopped if it still runs (`kill -- -" + a.pid() + "` stops it)");
                    } else if (a != null && a.pid() != 0) {
                        // a pid of another host names nothing here: looking it up could stop an unrelated process
                        notice("attempt " + a.attempt() + " of " + tickets[i].id() + " ran under " + (launcher == null ? "a coordinator not on record"
                                : "coordinator " + Owners.shown(launcher) + " of another machine") + "; if its process group " + a.pid()
                                + " still runs there, it is not stopped from here (`kill -- -" + a.pid() + "` on that machine stops it)");
                    }
                    // only an attempt whose process ran can have brought its coordinator down: one without a process on
                    // record was abandoned before its launch by a coordinator that stopped first (or runs none: noop)
                    boolean processRan = a != null && a.pid() != 0;
                    if (processRan) crashLosses[i]++;
                    emit(new AttemptFinished(tickets[i].id(), attempt[i], Outcome.LEASE_EXPIRED, null,
                            "lease expired: the coordinator that ran attempt " + attempt[i] + " stopped" + (processRan ? ""
                                    : "; no process of it was recorded, so it does not count as lost to a crash"), Map.of()));
                    if (crashLosses[i] > options.maxLeaseExpiries()) {
                        finish(i, TicketState.FAILED, "lost " + crashLosses[i] + " attempts to coordinator crashes");
                        if (lostForGood == null) lostForGood = tickets[i].id();
                    } else {
                        emit(new TicketReady(tickets[i].id()));
                        state[i] = TicketState.READY;
                        ready[profileOf[i]].add(i);
                    }
                }
                case CANCELLED -> {
                    emit(new TicketRequeued(tickets[i].id(), "run resumed"));
                    state[i] = TicketState.PENDING;
                    if (remaining[i] == 0) evaluate(i);
                }
                case PENDING -> {
                    if (remaining[i] == 0) evaluate(i);
                }
                case READY -> ready[profileOf[i]].add(i);
                case RETRY_WAIT -> {
                    TicketView t = views.get(viewIndex(views, i));
                    retryTimers.add(new long[]{Math.max(now, t.retryAtMillis()), i});
                }
                case AWAITING_APPROVAL -> {
                    // a person's decision recorded while no coordinator ran (a rejection above all) is applied by
                    // pollCommands, not overridden by --auto-approve
                    if (options.autoApprove() && !decidedByAPerson.contains(tickets[i].id())) approve(i, "auto-approve", 0);
                }
                default -> {
                    // final states need nothing
                }
            }
        }
        if (options.failFast() && lostForGood == null) {
            // resumed with --fail-fast after a ticket had already failed for good: the run stops as if it failed now
            long first = Long.MAX_VALUE;
            for (TicketView t : views) {
                if (t.state() == TicketState.FAILED && t.finishedAtMillis() < first) {
                    first = t.finishedAtMillis();
                    lostForGood = t.ticketId();
                }
            }
        }
        if (lostForGood != null && options.failFast()) startFailFast(lostForGood);
    }

    private static int viewIndex(List<TicketView> views, int i) {
        TicketView t = views.get(i);
        if (t.index() == i) return i;
        for (int k = 0; k < views.size(); k++) if (views.get(k).index() == i) return k;
        throw new IllegalStateException("ticket index " + i + " missing from projection");
    }

    private RunState loop() throws InterruptedException {
        long nextHeartbeat = System.currentTimeMillis() + options.heartbeatMillis();
        long nextPoll = 0;
        List<Signal> batch = new ArrayList<>();
        // a cancel asked before the run executed (a Ctrl-C while the CLI claimed it) stops it before any ticket starts
        inbox.drainTo(batch);
        handleAll(batch);
        while (true) {
            long now = System.currentTimeMillis();
            if (now >= nextPoll) {
                pollCommands();
                nextPoll = now + options.commandPollMillis();
            }
            if (now >= nextHeartbeat) {
                long renewing = System.nanoTime();
                store.heartbeat(runId, epoch, options.leaseMillis());
                leaseRenewedNanos = renewing;
                nextHeartbeat = now + options.heartbeatMillis();
            }
            if (!cancelling) fireRetryTimers(store.now());
            if (!cancelling) dispatch();
            flush();

            if (running == 0) { // an attempt dispatched counts as running from then on, launched or not
                if (finalCount == n) return end(anyFailure() ? RunState.FAILED : RunState.SUCCEEDED);
                if (cancelling) return end(RunState.CANCELLED);
                if (!waitingNoticeShown && retryTimers.isEmpty() && noneReady()) { // noneReady() walks the queues: last
                    waitingNoticeShown = true;
                    notice(waitingNotice());
                }
            }

            long wait = Math.min(nextPoll, nextHeartbeat) - System.currentTimeMillis();
            if (!retryTimers.isEmpty() && !cancelling) wait = Math.min(wait, retryTimers.peek()[0] - store.now());
            Signal first = inbox.poll(Math.max(1, wait), TimeUnit.MILLISECONDS);
            if (first == null) continue;
            batch.clear();
            batch.add(first);
            inbox.drainTo(batch);
            handleAll(batch);
        }
    }

    /** Handles the signals of {@code batch} in order. */
    private void handleAll(List<Signal> batch) throws InterruptedException {
        for (int k = 0; k < batch.size(); k++) {
            try {
                handle(batch.get(k));
            } catch (RuntimeException | InterruptedException | Error e) {
                // what this batch still held goes back for stopAllAttempts: an attempt's Done among it, dropped, had
                // the coordinator wait for that attempt until the grace period and 5 s more were over
                inbox.addAll(batch.subList(k + 1, batch.size()));
                throw e;
            }
        }
    }

    /** Most tickets {@link #waitingNotice} names. */
    static final int WAITING_NAMED = 10;

    /**
     * What the run waits for once nothing else can go on: the tickets awaiting approval (the first {@value #WAITING_NAMED},
     * and how many more) and the commands that decide them, with the ticket's id when there is one.
     */
    private String waitingNotice() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) if (state[i] == TicketState.AWAITING_APPROVAL) ids.add(tickets[i].id());
        String named = String.join(", ", ids.subList(0, Math.min(WAITING_NAMED, ids.size())))
                + (ids.size() > WAITING_NAMED ? " and " + (ids.size() - WAITING_NAMED) + " more (`swarm status " + runId
                + " --state awaiting-approval` lists them)" : "");
        String ticket = ids.size() == 1 ? ids.get(0) : "TICKET...";
        return "nothing else can run until a decision; waiting for approval: " + named + " (`swarm approve " + runId + " " + ticket
                + "`, or `swarm reject " + runId + " " + ticket + " --reason TEXT`)";
    }

    private boolean anyFailure() {
        for (int i = 0; i < n; i++) if (failedPath[i]) return true;
        return false;
    }

    private RunState end(RunState result) throws InterruptedException {
        emit(new RunFinished(result));
        awaitDurable(flush());
        // every append so far is durable (appends are ordered): the listener hears all of it before the caller reports the run
        for (Untold u : untold) awaitDurable(u.durable());
        tell();
        // every append so far is durable (appends are ordered): mark what they applied, or a resume would apply it again
        if (!unmarkedCommands.isEmpty()) store.markCommandsApplied(runId, epoch, new ArrayList<>(unmarkedCommands));
        return result;
    }

    private void handle(Signal s) throws InterruptedException {
        switch (s) {
            case Done d -> onDone(d);
            case ProcessStarted p -> {
                if (attempt[p.index()] == p.attempt() && state[p.index()] == TicketState.RUNNING) {
                    emit(new AttemptProcessStarted(tickets[p.index()].id(), p.attempt(), p.pid(), p.startTicks(), owner));
                }
            }
            case StoreFailed f -> {
                Throwable error = firstFailure(f.error());
                if (error instanceof StoreException se) throw se;
                throw new StoreException("appending events failed: " + error.getMessage(), error);
            }
            case CancelRequested c -> {
                startCancel(c.by());
                if (c.now()) for (Control control : controls.values()) control.kill();
            }
            case CommandsDurable c -> {
                store.markCommandsApplied(runId, epoch, c.ids());
                c.ids().forEach(unmarkedCommands::remove);
            }
            case AppendDurable ignored -> tell();
        }
    }

    /**
     * Stops every attempt and waits, up to the grace period and 5 s more, for those launched to end, and for the appends
     * in flight to be durable or fail, so the listener hears what they record ({@link #tellOnTheWayOut}).
     */
    private void stopAllAttempts() {
        for (Control c : controls.values()) {
            // an attempt whose start is not durable yet is never launched, though it may become durable: nothing would
            // wait for it
            c.abandon();
            c.cancel();
        }
        // the process groups are stopped by the executor; wait for the attempts that were launched (the others report
        // nothing) so none outlives the coordinator
        long deadline = System.currentTimeMillis() + options.gracePeriodMillis() + 5_000;
        boolean interrupted = Thread.interrupted();
        while ((controls.values().stream().anyMatch(Control::launched) || untold.stream().anyMatch(u -> !u.durable().isDone()))
                && System.currentTimeMillis() < deadline) {
            try {
                Signal s = inbox.poll(100, TimeUnit.MILLISECONDS);
                if (s instanceof Done d) controls.remove(d.index());
                if (s instanceof CancelRequested c && c.now()) for (Control control : controls.values()) control.kill();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void startCancel(String by) {
        if (cancelling) return;
        cancelling = true;
        emit(new RunCancelRequested(by));
        notice(running == 0 ? "cancelling: no attempt is running" : "cancelling: stopping " + running
                + " running attempt" + (running == 1 ? "" : "s") + ": TERM, then KILL after "
                + (options.gracePeriodMillis() % 1000 == 0 ? options.gracePeriodMillis() / 1000 + "s" : options.gracePeriodMillis() + "ms"));
        for (Control c : controls.values()) c.cancel();
    }

    private void pollCommands() {
        List<RunCommand> commands = store.pendingCommands(runId);
        for (RunCommand c : commands) {
            // a command this coordinator handled stays pending in the store until its events are durable and it is
            // marked applied: read again meanwhile, it must not be handled twice
            if (!handledCommands.add(c.id())) continue;
            switch (c.kind()) {
                case CANCEL -> {
                    if (c.createdAtMillis() < claimedAtMillis) {
                        notice("ignored a cancel requested by " + c.by() + " before this coordinator took the run");
                    } else {
                        startCancel("swarm cancel (" + c.by() + ")");
                    }
                }
                case APPROVE, REJECT -> {
                    Integer i = indexOf.get(c.ticketId());
                    if (i != null && state[i] != TicketState.AWAITING_APPROVAL && c.createdAtMillis() < claimedAtMillis) {
                        // made before this coordinator took the run, on a gate then waiting (approve and reject refuse
                        // others): a previous coordinator applied it but stopped before marking it applied, or another
                        // decision reached the gate first, which the deciding command reported; either way, nothing to say
                    } else if (i == null || state[i] != TicketState.AWAITING_APPROVAL) {
                        notice("ignored " + c.kind().name().toLowerCase() + " of " + c.ticketId()
                                + ": it is not awaiting approval");
                    } else if (c.kind() == RunCommand.Kind.APPROVE) {
                        approve(i, c.by(), c.id());
                    } else {
                        emit(new ApprovalRejected(tickets[i].id(), c.by(), c.reason(), c.id()));
                        state[i] = TicketState.FAILED;
                        markFinal(i, true);
                        if (options.failFast() && failFastBy == null) startFailFast(tickets[i].id());
                    }
                }
            }
            appliedCommands.add(c.id());
        }
    }

    private void approve(int i, String by, long command) {
        emit(new ApprovalGranted(tickets[i].id(), by, command));
        approved[i] = true;
        state[i] = TicketState.READY;
        ready[profileOf[i]].add(i);
        waitingNoticeShown = false;
    }

    private void fireRetryTimers(long now) {
        while (!retryTimers.isEmpty() && retryTimers.peek()[0] <= now) {
            int i = (int) retryTimers.poll()[1];
            if (state[i] != TicketState.RETRY_WAIT) continue;
            emit(new TicketReady(tickets[i].id()));
            state[i] = TicketState.READY;
            ready[profileOf[i]].add(i);
        }
    }

    /**
     * Dispatch order among ready tickets: higher {@code priority} first; among equal priorities the
     * ticket with the longest path of work still behind it first (critical-path list scheduling,
     * "highest level first": Adam, Chandy and Dickson, CACM 17(12), 1974; Airflow's
     * {@code weight_rule=downstream} is the summing variant); then plan order. A ticket weighs its
     * known duration ({@code noop}) in milliseconds, or 1 when its duration is unknown, so in a plan
     * of shell tickets the longest chain of dependents starts first.
     */
    private int compareReady(int a, int b) {
        int c = Integer.compare(tickets[b].priority(), tickets[a].priority());
        if (c != 0) return c;
        c = Long.compare(downstream[b], downstream[a]);
        return c != 0 ? c : Integer.compare(a, b);
    }

    private void dispatch() {
        while (running < plan.concurrency()) {
            int best = -1;
            for (int p = 0; p < ready.length; p++) {
                if (runningPerProfile[p] >= profileLimit[p]) continue;
                PriorityQueue<Integer> q = ready[p];
                while (!q.isEmpty() && state[q.peek()] != TicketState.READY) q.poll(); // settled meanwhile (fail-fast)
                if (!q.isEmpty() && (best < 0 || compareReady(q.peek(), best) < 0)) best = q.peek();
            }
            if (best < 0) return;
            int i = ready[profileOf[best]].poll();
            int p = profileOf[i];
            int a = ++attempt[i];
            state[i] = TicketState.RUNNING;
            running++;
            runningPerProfile[p]++;
            emit(new AttemptStarted(tickets[i].id(), a, options.leaseMillis()));
            Control control = new Control(i, a);
            if (telling) told.add(new OutputFollows(control));
            controls.put(i, control);
            launches.add(new Launch(i, a, control));
        }
    }

    /** Whether no ticket is ready (queued entries of tickets settled meanwhile do not count). */
    private boolean noneReady() {
        for (PriorityQueue<Integer> q : ready) {
            for (int i : q) if (state[i] == TicketState.READY) return false;
        }
        return true;
    }

    /** Appends what this iteration decided; launches attempts once their start is durable. */
    private CompletableFuture<Appended> flush() {
        if (pending.isEmpty()) {
            if (!appliedCommands.isEmpty()) { // commands that changed nothing (ignored): no event to wait for
                store.markCommandsApplied(runId, epoch, new ArrayList<>(appliedCommands));
                appliedCommands.clear();
            }
            return CompletableFuture.completedFuture(null);
        }
        List<RunEvent> events = new ArrayList<>(pending);
        pending.clear();
        CompletableFuture<Appended> f = store.appendRecorded(runId, epoch, events);
        List<Launch> toLaunch = launches.isEmpty() ? List.of() : new ArrayList<>(launches);
        launches.clear();
        List<Long> commands = appliedCommands.isEmpty() ? List.of() : new ArrayList<>(appliedCommands);
        unmarkedCommands.addAll(appliedCommands);
        appliedCommands.clear();
        if (telling) {
            // before whenComplete: a store may have completed f already, and the scheduler tells it on APPEND_DURABLE
            untold.add(new Untold(told, f));
            told = new ArrayList<>();
        }
        f.whenComplete((appended, error) -> {
            if (error != null) {
                inbox.add(new StoreFailed(error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null ? ce.getCause() : error));
                return;
            }
            // runs on the store's writer thread: only start virtual threads and enqueue, never block nor run the
            // listener. The attempts start now, whatever the scheduler is doing (a heartbeat waiting for the database
            // held them back when it started them): the listener hears their output once it heard their start (Control)
            if (telling) inbox.add(APPEND_DURABLE);
            for (Launch l : toLaunch) if (l.control().launch()) launch(l);
            if (!commands.isEmpty()) inbox.add(new CommandsDurable(commands));
        });
        return f;
    }

    private static void awaitDurable(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable error = firstFailure(e.getCause());
            if (error instanceof StoreException se) throw se;
            throw new StoreException("appending events failed: " + error, error);
        }
    }

    /**
     * What a failed append ends this coordinator with: {@code error}, or for a refusal because an earlier append of this
     * coordinator failed ({@link StoreException.EarlierAppendFailed}), that first failure, which says what went wrong
     * (the refusal only that something did) and is what the caller tells (a full disk: exit 4 and resume).
     */
    private static Throwable firstFailure(Throwable error) {
        return error instanceof StoreException.EarlierAppendFailed r ? r.firstFailure() : error;
    }

    private void runAttempt(Launch l) {
        PlannedTicket t = tickets[l.index()];
        AttemptResult result;
        try {
            AttemptResult notHeld = unlessLeaseHeld(l);
            if (notHeld != null) {
                inbox.add(new Done(l.index(), l.attempt(), notHeld));
                return;
            }
            Map<String, String> env = new HashMap<>();
            for (Map.Entry<String, String> e : t.env().entrySet()) env.put(e.getKey(), render(t, e.getValue()));
            List<String> unset = unsetEnvironment(t);
            if (!unset.isEmpty()) {
                // this process's environment does not change, so another attempt would fail the same way; a resume checks
                // these variables before it starts (RunService.resumeProblems), and does not run a failed ticket again
                inbox.add(new Done(l.index(), l.attempt(), AttemptResult.failedForGood(null, "environment variable"
                        + (unset.size() == 1 ? " " : "s ") + String.join(", ", unset) + (unset.size() == 1 ? " is" : " are")
                        + " not set in this swarm process, and the ticket's env: passes "
                        + (unset.size() == 1 ? "it" : "them") + " with ${{ env.NAME }}; export "
                        + (unset.size() == 1 ? "it" : "them") + " and run the spec again")));
                return;
            }
            AttemptRequest request = new AttemptRequest(runId, plan, t, plan.profileOf(t), l.attempt(),
                    render(t, t.run()), env, runDir(), secretsOf(t));
            result = executor.execute(request, l.control());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = new AttemptResult(Outcome.CANCELLED, null, "interrupted", Map.of());
        } catch (RuntimeException | Error e) {
            result = executorError(t, e);
        }
        inbox.add(new Done(l.index(), l.attempt(), result));
    }

    /**
     * Null when the attempt may be launched as far as this coordinator's lease goes; else its end, not launched. The
     * attempt's start is durable, but this coordinator may have been stopped since (a frozen process, {@code kill -STOP})
     * for longer than its lease, and another taken the run over and started a newer attempt of the ticket: the store
     * refuses this coordinator's later events (fencing), but a process launched now would run beside that attempt. When
     * more than two thirds of the lease have passed since it was last renewed ({@link #leaseRenewedNanos}; not in a
     * coordinator whose heartbeats keep their period, by default a third of the lease; one configured with a heartbeat
     * above two thirds of the lease, or whose loop is held up, pays the write), the attempt renews it first ({@link Control#confirmHeld}, a durable write):
     * taken over, it ends cancelled (its end is refused anyway); the store failing, it ends failed, saying so.
     */
    private AttemptResult unlessLeaseHeld(Launch l) {
        if (System.nanoTime() - leaseRenewedNanos <= options.leaseMillis() * 2 / 3 * 1_000_000) return null;
        try {
            l.control().confirmHeld();
            return null;
        } catch (StoreException.Fenced e) {
            return new AttemptResult(Outcome.CANCELLED, null, "not launched: this coordinator no longer holds the run ("
                    + e.getMessage() + ")", Map.of());
        } catch (StoreException e) {
            return AttemptResult.failed(null, "not launched: this coordinator's lease of the run was not renewed for two "
                    + "thirds of its length, and renewing it now failed: " + e.getMessage());
        }
    }

    /**
     * The failure of an attempt of {@code t} whose executor threw {@code e} (an {@link Error}, or an exception its own
     * handling let through): {@code executor error: } and {@code e}, masked with the ticket's secrets
     * ({@link #secretsOf}, {@link AttemptResult#masked}) as an executor masks its own results, since the message can
     * quote what the ticket was handed. When the secrets cannot be read (the error was theirs), only the class of
     * {@code e} is told, never its message unmasked.
     */
    private AttemptResult executorError(PlannedTicket t, Throwable e) {
        AttemptResult failed = AttemptResult.failed(null, "executor error: " + e);
        try {
            return failed.masked(secretsOf(t));
        } catch (RuntimeException | Error again) {
            return AttemptResult.failed(null, "executor error: " + e.getClass().getName());
        }
    }

    /**
     * Renders a ticket's {@code run} or {@code env} value in one pass ({@link Templates#renderRunTime}): the
     * plan's vars, the ticket's matrix values, outputs of dependencies (empty when missing), the run id, and
     * {@code env.NAME} from this process's environment (read now, never stored: {@link #unsetEnvironment} fails the
     * attempt first when one is missing).
     * Plans stored by earlier versions hold vars and matrix values already substituted (escaped), which this
     * renders the same way.
     */
    private String render(PlannedTicket t, String text) {
        return Templates.renderRunTime(text, plan.vars(), t.matrix(), expr -> {
            if (expr.equals("run.id")) return runId;
            if (expr.startsWith("env.")) return System.getenv(expr.substring("env.".length()));
            if (!expr.startsWith("tickets.")) return null;
            int dot = expr.indexOf(".outputs.");
            if (dot < 0) return null;
            Integer d = indexOf.get(expr.substring("tickets.".length(), dot));
            if (d == null || outputs[d] == null) return null;
            return outputs[d].get(expr.substring(dot + ".outputs.".length()));
        });
    }

    /**
     * The variables the ticket's {@code env:} reads from this process's environment ({@code ${{ env.NAME }}}, checked
     * when the spec was loaded) that are not set here: a run resumed from another shell. Sorted; empty when all are set.
     */
    private static List<String> unsetEnvironment(PlannedTicket t) {
        return Templates.environmentNames(t.env().values()).stream().filter(name -> System.getenv(name) == null).toList();
    }

    /**
     * Shortest secret, in UTF-8 bytes, masked in the output of tickets other than the one handed it: short values that a
     * spec reads from the environment ({@code true}, {@code main}, {@code 8080}, {@code root}) are seldom secrets and
     * common in every ticket's output, where masking them would corrupt lines and JSON outputs ({@code {"ok": ***}}).
     * GitLab requires the same minimum of a masked CI/CD variable (docs.gitlab.com, "Mask a CI/CD variable": at least
     * 8 characters).
     */
    static final int RUN_WIDE_SECRET_MIN_BYTES = 8;

    /**
     * The values the plan's {@code env:} entries read from this process's environment ({@code ${{ env.NAME }}}) in
     * any ticket or agent profile, at least {@value #RUN_WIDE_SECRET_MIN_BYTES} bytes long, and each line of those
     * values of as many bytes ({@link #withLines}): secrets, kept out of the output of every attempt of the run, not
     * only of the ticket that is handed one, since a value can travel to another ticket (through {@code $SWARM_SCRATCH},
     * a file in the repository, an output). Read once per run (or resume); variables not set here are left out.
     *
     * @return an unmodifiable set, empty when the plan reads none
     */
    private static java.util.Set<String> secrets(Plan plan) {
        return withLines(environmentReaders(plan).keySet().stream().map(System::getenv)
                .filter(java.util.Objects::nonNull).toList(), RUN_WIDE_SECRET_MIN_BYTES);
    }

    /**
     * The variables of swarm's environment whose values are the run's secrets ({@link #secrets(Plan)}): each name that an
     * {@code env:} entry of a ticket (its {@code defaults} included, which the plan has merged into it) or of an agent
     * profile reads with <code>${{ env.NAME }}</code>, with who reads it: {@code ticket ID} in plan order, then
     * {@code agent profile NAME} by name. What a resume needs set ({@link RunService#resumeProblems}).
     *
     * @return names in sorted order, each with one or more readers; empty when the plan reads none
     */
    static java.util.SortedMap<String, List<String>> environmentReaders(Plan plan) {
        java.util.SortedMap<String, List<String>> readers = new java.util.TreeMap<>();
        for (PlannedTicket t : plan.tickets()) {
            for (String name : Templates.environmentNames(t.env().values())) {
                readers.computeIfAbsent(name, k -> new ArrayList<>()).add("ticket " + t.id());
            }
        }
        for (io.swarmflow.spec.AgentProfile p : new java.util.TreeMap<>(plan.agents()).values()) {
            for (String name : Templates.environmentNames(p.env().values())) {
                readers.computeIfAbsent(name, k -> new ArrayList<>()).add("agent profile " + p.name());
            }
        }
        return readers;
    }

    /**
     * {@code values} of at least {@code minBytes} UTF-8 bytes and, for each value of more than one line, each of its lines
     * of at least {@code minBytes} bytes (without its line break, {@code \n} or {@code \r\n}) as a secret of its own,
     * as GitHub Actions masks a multi-line secret: the lines of a private key, a certificate or a kubeconfig are
     * printed one by one (a line of one quoted in an error), where the value as a whole never shows.
     *
     * @param values   the values; none null
     * @param minBytes the fewest UTF-8 bytes of a value or line kept
     * @return an unmodifiable set of the values and lines kept
     */
    static java.util.Set<String> withLines(java.util.Collection<String> values, int minBytes) {
        java.util.Set<String> kept = new java.util.HashSet<>();
        for (String v : values) {
            if (longEnough(v, minBytes)) kept.add(v);
            if (v.indexOf('\n') < 0) continue;
            for (String line : v.split("\r?\n")) if (!line.isBlank() && longEnough(line, minBytes)) kept.add(line);
        }
        return java.util.Set.copyOf(kept);
    }

    private static boolean longEnough(String s, int minBytes) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= minBytes;
    }

    /**
     * The secrets masked in one attempt's output: the run's ({@link #secrets(Plan)}) and, whatever their length (down
     * to the masking's own minimum), the values the ticket's own {@code env:} reads from the environment and each line
     * of those ({@link #withLines}). The run's set itself when the ticket reads none (no copy).
     */
    private java.util.Set<String> secretsOf(PlannedTicket t) {
        List<String> own = withLines(Templates.environmentNames(t.env().values()).stream().map(System::getenv)
                .filter(java.util.Objects::nonNull).toList(), 1).stream().filter(v -> !secrets.contains(v)).toList();
        if (own.isEmpty()) return secrets;
        java.util.Set<String> all = new java.util.HashSet<>(secrets);
        all.addAll(own);
        return java.util.Set.copyOf(all);
    }

    private void onDone(Done d) {
        int i = d.index();
        Control c = controls.get(i);
        if (c == null || c.attempt != d.attempt() || attempt[i] != d.attempt() || state[i] != TicketState.RUNNING) {
            return; // stale report (fencing): the attempt was already settled
        }
        controls.remove(i);
        running--;
        runningPerProfile[profileOf[i]]--;
        AttemptResult r = d.result();
        Outcome outcome = r.outcome() == Outcome.LEASE_EXPIRED ? Outcome.FAILED : r.outcome();
        String id = tickets[i].id();
        emit(new AttemptFinished(id, d.attempt(), outcome, r.exitCode(), r.reason(), r.outputs(), r.outputBytes(),
                r.permanent()));
        switch (outcome) {
            case SUCCEEDED -> {
                outputs[i] = r.outputs();
                emit(new TicketSucceeded(id, d.attempt()));
                state[i] = TicketState.SUCCEEDED;
                markFinal(i, false);
            }
            case CANCELLED -> {
                // fail-fast stops only when: success tickets; a cleanup or handler stopped here was stopped by a cancel
                if (failFastBy != null && tickets[i].when() == When.SUCCESS) {
                    finish(i, TicketState.SKIPPED, "fail-fast: " + failFastBy + " failed");
                } else {
                    emit(new TicketCancelled(id, "cancelled while running"));
                    state[i] = TicketState.CANCELLED;
                }
            }
            case FAILED, TIMED_OUT -> {
                failures[i]++;
                int retriesLeft = tickets[i].retries().max() - (failures[i] - 1);
                // fail-fast stops the run's normal work: an attempt that failed as it was being stopped (its exit beat
                // the TERM) gets no retry, as one that was stopped would not
                boolean stoppedByFailFast = failFastBy != null && tickets[i].when() == When.SUCCESS;
                // a permanent failure (refused before its process started) would end the same way on every attempt: it
                // fails for good now, in the same append as its attempt's end, so a resume does not retry it either
                boolean permanent = r.permanent();
                if (retriesLeft > 0 && !cancelling && !stoppedByFailFast && !permanent) {
                    long delay = tickets[i].retries().delayMillis(failures[i], random);
                    long at = store.now() + delay;
                    emit(new TicketRetryScheduled(id, at));
                    state[i] = TicketState.RETRY_WAIT;
                    retryTimers.add(new long[]{at, i});
                } else if (cancelling && !stoppedByFailFast && !permanent && retriesLeft > 0) {
                    emit(new TicketCancelled(id, "failed while the run was being cancelled; will retry on resume"));
                    state[i] = TicketState.CANCELLED;
                } else {
                    String reason = (r.reason() != null ? r.reason()
                            : outcome == Outcome.TIMED_OUT ? "timed out"
                            : r.exitCode() != null ? "exited with code " + r.exitCode() : "failed")
                            + (failures[i] > 1 ? " (after " + failures[i] + " attempts)" : "")
                            + (stoppedByFailFast && retriesLeft > 0 ? " (no retry: fail-fast after " + failFastBy + " failed)"
                            : permanent && retriesLeft > 0 ? " (no retry: it would fail the same way)" : "");
                    finish(i, TicketState.FAILED, reason);
                    if (options.failFast() && failFastBy == null) startFailFast(id);
                }
            }
            case LEASE_EXPIRED -> throw new IllegalStateException("unreachable");
        }
    }

    /**
     * Stops the run's normal work after {@code failedId} failed for good: running {@code when: success}
     * attempts are stopped and every other {@code when: success} ticket is skipped. Failure handlers
     * ({@code when: failure}) and {@code when: always} tickets (cleanup) still run: this is when they are for.
     */
    private void startFailFast(String failedId) {
        failFastBy = failedId;
        notice("fail-fast: " + failedId + " failed; stopping the run (failure and always handlers still run)");
        for (Control c : controls.values()) {
            if (tickets[c.index].when() == When.SUCCESS) c.cancel();
        }
        for (int i = 0; i < n; i++) {
            if (!state[i].isFinal() && state[i] != TicketState.RUNNING && tickets[i].when() == When.SUCCESS) {
                finish(i, TicketState.SKIPPED, "fail-fast: " + failedId + " failed");
            }
        }
    }

    /** Records a final state (failed or skipped) and propagates it. */
    private void finish(int i, TicketState s, String reason) {
        String id = tickets[i].id();
        switch (s) {
            case FAILED -> emit(new TicketFailed(id, reason));
            case SKIPPED -> {
                emit(new TicketSkipped(id, reason));
                skipCause[i] = reason;
            }
            default -> throw new IllegalArgumentException(s.toString());
        }
        boolean wasFinal = state[i].isFinal();
        state[i] = s;
        if (!wasFinal) markFinal(i, s == TicketState.FAILED || reason.startsWith("fail-fast") || dependencyFailed(i));
    }

    private boolean dependencyFailed(int i) {
        for (int d : needs[i]) if (failedPath[d]) return true;
        return false;
    }

    /** Counts {@code i} final and evaluates dependents whose dependencies are now all final (worklist, no recursion). */
    private void markFinal(int first, boolean firstFailedPath) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        failedPath[first] = firstFailedPath;
        finalCount++;
        work.add(first);
        while (!work.isEmpty()) {
            int i = work.poll();
            for (int d : dependents[i]) {
                if (--remaining[d] == 0 && state[d] == TicketState.PENDING) {
                    if (evaluateOrSkip(d)) work.add(d);
                }
            }
        }
    }

    /** Evaluates a pending ticket whose dependencies are all final; propagates through {@link #markFinal}. */
    private void evaluate(int i) {
        if (evaluateOrSkip(i)) {
            // evaluateOrSkip already counted it final; propagate to dependents
            ArrayDeque<Integer> work = new ArrayDeque<>();
            work.add(i);
            while (!work.isEmpty()) {
                int k = work.poll();
                for (int d : dependents[k]) {
                    if (--remaining[d] == 0 && state[d] == TicketState.PENDING && evaluateOrSkip(d)) work.add(d);
                }
            }
        }
    }

    /**
     * Applies the {@code when} condition to ticket {@code i} (all dependencies final). Either skips
     * it (returns true: it became final, caller propagates) or makes it ready / awaiting approval.
     */
    private boolean evaluateOrSkip(int i) {
        PlannedTicket t = tickets[i];
        if (failFastBy != null && t.when() == When.SUCCESS) {
            skip(i, "fail-fast: " + failFastBy + " failed", true);
            return true;
        }
        int notSucceeded = stoppedBy(i);
        boolean anyFailedPath = false;
        for (int d : needs[i]) anyFailedPath |= failedPath[d];
        boolean run = switch (t.when()) {
            case SUCCESS -> notSucceeded < 0;
            case FAILURE -> anyFailedPath;
            case ALWAYS -> true;
        };
        if (!run) {
            String reason = t.when() == When.FAILURE
                    ? "no dependency failed (when: failure)"
                    : "dependency " + tickets[notSucceeded].id() + (state[notSucceeded] == TicketState.FAILED ? " failed"
                    : " was skipped (" + skipCause[notSucceeded] + ")");
            skipCause[i] = causeOfSkip(i);
            skip(i, reason, anyFailedPath);
            return true;
        }
        if (t.approval() == ApprovalMode.BEFORE_RUN && !approved[i]) {
            if (options.autoApprove()) {
                approve(i, "auto-approve", 0);
            } else {
                emit(new TicketAwaitingApproval(t.id()));
                state[i] = TicketState.AWAITING_APPROVAL;
                waitingNoticeShown = false;
            }
        } else {
            emit(new TicketReady(t.id()));
            state[i] = TicketState.READY;
            ready[profileOf[i]].add(i);
        }
        return false;
    }

    /**
     * The coordinator that launched attempt {@code a}'s process, whose machine its pid is of: the one it records
     * ({@link AttemptView#coordinator()}), or, for an attempt recorded before that was, the run's lease holder before
     * {@link #claim} ({@link #previousOwner}), null when neither is recorded.
     */
    private String launcher(AttemptView a) {
        return a.coordinator() != null ? a.coordinator() : previousOwner;
    }

    /**
     * What first stopped the chain that skips ticket {@code i}, whose dependencies are all final: its condition
     * ({@code when: failure} with no failure), or the first dependency that did not succeed: its failure, or what
     * skipped it in turn. Also rebuilds it on resume, from the same states.
     */
    private String causeOfSkip(int i) {
        if (tickets[i].when() == When.FAILURE) return "no dependency of " + tickets[i].id() + " failed";
        int d = stoppedBy(i);
        if (d < 0) return "skipped"; // not reached: a when: success ticket is skipped only for a dependency that did not succeed
        return state[d] == TicketState.FAILED ? tickets[d].id() + " failed" : skipCause[d];
    }

    /**
     * The dependency of ticket {@code i} (all final) that a skip of {@code i} names: the first that did not succeed and is
     * on a failure's path (failed, or skipped because of a failure), else the first that did not succeed (skipped for
     * another reason: a {@code when: failure} handler with nothing to handle); -1 when all succeeded. A failure is what
     * a user looks for, whatever the order of {@code needs}.
     */
    private int stoppedBy(int i) {
        int first = -1;
        for (int d : needs[i]) {
            if (state[d] == TicketState.SUCCEEDED) continue;
            if (failedPath[d]) return d;
            if (first < 0) first = d;
        }
        return first;
    }

    private void skip(int i, String reason, boolean fp) {
        if (skipCause[i] == null) skipCause[i] = reason;
        emit(new TicketSkipped(tickets[i].id(), reason));
        state[i] = TicketState.SKIPPED;
        failedPath[i] = fp;
        finalCount++;
    }

    private void emit(RunEvent e) {
        pending.add(e);
        if (telling) told.add(new Heard(e));
    }

    /**
     * Tells the listener {@code message} after the events this coordinator made before it, which it hears once they are
     * durable ({@link RunListener}): at once when it has heard them all.
     */
    private void notice(String message) {
        if (!told.isEmpty()) told.add(new Notice(message));
        else if (!untold.isEmpty()) untold.peekLast().told().add(new Notice(message));
        else listener.onNotice(message);
    }

    /**
     * Tells the listener what the appends durable so far hold, oldest first, stopping at the first one not done yet; after
     * each attempt's start, the output it printed meanwhile, and lets the rest of it through: an attempt's output never
     * comes before its start. A failed append (whose attempts never started) tells only its notices (its failure ends the
     * coordinator: {@link StoreFailed}, {@link #tellOnTheWayOut}). Each event comes with the time the store recorded it
     * at, which the store acknowledged the append with ({@link Appended#atEpochMillis()}): nothing is read back.
     */
    private void tell() {
        while (!untold.isEmpty() && untold.peekFirst().durable().isDone()) {
            Untold u = untold.pollFirst();
            boolean recorded = !u.durable().isCompletedExceptionally();
            if (!recorded) appendFailed = true;
            long at = recorded ? u.durable().join().atEpochMillis() : 0;
            for (Told t : u.told()) {
                switch (t) {
                    case Heard h -> {
                        if (recorded) listener.onEvent(h.event(), at);
                    }
                    case Notice n -> listener.onNotice(n.message());
                    case OutputFollows o -> {
                        if (recorded) o.control().startHeard();
                    }
                }
            }
        }
    }

    /**
     * As the coordinator ends on an error, before {@link #stopAllAttempts} waits for its attempts: once an append is known
     * to have failed (told by {@link #tell}, which needs the appends before it done), every later one fails too
     * ({@link RunStore#append}), so the notices after it wait for nothing and the listener hears them now, not once the
     * attempts ended (up to the grace period and 5 s more): a Ctrl-C's "cancelling: ..." while another process holds the
     * database locked.
     */
    private void tellWhatFailed() {
        tell();
        if (!appendFailed) return;
        tellOnTheWayOut();
    }

    /**
     * As the coordinator ends on an error, once {@link #stopAllAttempts} waited for the appends in flight: the listener
     * hears what was recorded, and the notices of the rest without its events (an append that failed wrote nothing, and
     * every later one fails too; one still not durable after that wait is not known to be recorded).
     */
    private void tellOnTheWayOut() {
        tell();
        for (Untold u : untold) for (Told t : u.told()) if (t instanceof Notice n) listener.onNotice(n.message());
        untold.clear();
        for (Told t : told) if (t instanceof Notice n) listener.onNotice(n.message());
        told = new ArrayList<>();
    }

    private void launch(Launch l) {
        Thread.ofVirtual().name("attempt-" + tickets[l.index()].id()).start(() -> runAttempt(l));
    }

    /**
     * Where an attempt is in its launch: its start not durable yet, launched once it was (from the append's completion),
     * or abandoned by a coordinator that stopped first ({@link #stopAllAttempts}), never to be launched.
     */
    private enum Launching { AWAITING_START, LAUNCHED, ABANDONED }

    /**
     * Actions to run when something happens once (an attempt is cancelled, or killed), registered from any thread before or
     * after it happens: each runs exactly once, by the thread that fires the trigger or, registered after that, by the one
     * that registers it. One registered while the trigger fires is run by whichever of the two claims it first.
     */
    static final class Trigger {
        private final AtomicBoolean fired = new AtomicBoolean();
        private final List<Once> actions = new CopyOnWriteArrayList<>();

        /** An action and whether some thread claimed it to run. */
        private record Once(Runnable action, AtomicBoolean claimed) {
            void run() {
                if (claimed.compareAndSet(false, true)) action.run();
            }
        }

        /** Runs the actions registered so far, on this thread; those registered later run as they are. Once: later calls do nothing. */
        void fire() {
            if (!fired.compareAndSet(false, true)) return;
            for (Once o : actions) o.run();
        }

        /** Whether {@link #fire} was called. */
        boolean fired() {
            return fired.get();
        }

        /** Registers {@code action}; runs it at once, on this thread, if this fired already (unless the firing thread did). */
        void onFire(Runnable action) {
            Once once = new Once(action, new AtomicBoolean());
            actions.add(once);
            // fired after the add: the firing thread may see it or not, so it is claimed by whichever comes first
            if (fired.get()) once.run();
        }
    }

    /** The engine's handle on one attempt, given to the executor. */
    private final class Control implements AttemptControl {
        private final int index;
        private final int attempt;
        private final AtomicReference<Launching> launching = new AtomicReference<>(Launching.AWAITING_START);
        private final Trigger cancelled = new Trigger();
        private final Trigger killed = new Trigger();

        Control(int index, int attempt) {
            this.index = index;
            this.attempt = attempt;
        }

        /** Whether the attempt may be launched now that its start is durable: once, and not after {@link #abandon}. */
        boolean launch() {
            return launching.compareAndSet(Launching.AWAITING_START, Launching.LAUNCHED);
        }

        /** The coordinator stops: the attempt is never launched if it was not yet. */
        void abandon() {
            launching.compareAndSet(Launching.AWAITING_START, Launching.ABANDONED);
        }

        /** Whether the attempt was launched: its thread runs or ran. */
        boolean launched() {
            return launching.get() == Launching.LAUNCHED;
        }

        void cancel() {
            cancelled.fire();
        }

        /** Cancels, then runs the kill actions: the attempt stops without a grace period. Engine thread only. */
        void kill() {
            cancel();
            killed.fire();
        }

        @Override
        public void onKill(Runnable action) {
            killed.onFire(action);
        }

        @Override
        public boolean isCancelled() {
            return cancelled.fired();
        }

        @Override
        public void onCancel(Runnable action) {
            cancelled.onFire(action);
        }

        @Override
        public long gracePeriodMillis() {
            return options.gracePeriodMillis();
        }

        @Override
        public void confirmHeld() {
            synchronized (leaseGuard) {
                if (leaseGivenUp) {
                    throw new StoreException.Fenced("run " + runId + ": its coordinator (epoch " + epoch + ") has ended and "
                            + "given its lease up");
                }
                long renewing = System.nanoTime();
                store.heartbeat(runId, epoch, options.leaseMillis());
                leaseRenewedNanos = renewing;
            }
        }

        @Override
        public void processStarted(long pid, long startTicks) {
            inbox.add(new ProcessStarted(index, attempt, pid, startTicks));
        }

        /** With a listener, the lines printed before the listener heard the attempt's start; null once it did. */
        private List<HeldLine> heldLines = telling ? new ArrayList<>() : null;
        /** Lines printed while {@link #heldLines} was full: not shown live (the attempt's log has them). */
        private long heldOver;
        /**
         * The streams of the lines left out of {@link #heldLines} whose next line is not yet passed on: that line comes
         * told it continues nothing, for the line it would continue was not heard (the one heard before it is another).
         */
        private final java.util.Set<String> leftOut = new java.util.HashSet<>();

        /** The listener heard the attempt's start: it hears the lines held so far, then each as it comes. Engine thread only. */
        void startHeard() {
            synchronized (this) { // a line printed meanwhile waits, and comes after these
                if (heldLines == null) return;
                int lastLine = heldLines.size() - 1;
                while (lastLine >= 0 && heldLines.get(lastLine).line() == null) lastLine--;
                // a cap is told only when a held line of its stream follows it, the line it tells of: when that line
                // was left out (the held lines overflowed), no line the listener hears is the part the cap kept
                boolean[] capFollowed = new boolean[heldLines.size()];
                java.util.Set<String> lineAfter = new java.util.HashSet<>();
                for (int i = heldLines.size() - 1; i >= 0; i--) {
                    HeldLine l = heldLines.get(i);
                    if (l.line() != null) lineAfter.add(l.stream());
                    else capFollowed[i] = lineAfter.contains(l.stream());
                }
                for (int i = 0; i < heldLines.size(); i++) {
                    HeldLine l = heldLines.get(i);
                    if (l.line() == null) {
                        if (capFollowed[i]) listener.onLogCapped(tickets[index].id(), attempt, l.stream());
                        continue;
                    }
                    // lines not shown live came after the last held one: no line the listener hears continues it, so it
                    // need not wait for one, and is heard (and shown) before the notice that says of them
                    boolean last = i == lastLine;
                    listener.onLogLine(tickets[index].id(), attempt, l.stream(), l.line(), l.afterLoneCr(),
                            l.mayBeContinued() && !(last && heldOver > 0));
                }
                heldLines = null;
                if (heldOver > 0) {
                    listener.onNotice(tickets[index].id() + ": " + heldOver + " more line" + (heldOver == 1 ? "" : "s")
                            + " printed before its start was recorded " + (heldOver == 1 ? "is" : "are") + " not shown live; `swarm logs "
                            + runId + " " + tickets[index].id() + "` has " + (heldOver == 1 ? "it" : "them"));
                }
            }
        }

        @Override
        public void logLine(String stream, String line) {
            logLine(stream, line, false);
        }

        /** A line not told whether the next may continue it: it may (a view then holds it as it would a bar's state). */
        @Override
        public void logLine(String stream, String line, boolean afterLoneCr) {
            logLine(stream, line, afterLoneCr, true);
        }

        @Override
        public void logLine(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
            boolean continues = afterLoneCr;
            if (telling) {
                synchronized (this) {
                    if (heldLines != null) {
                        if (heldLines.size() < MAX_HELD_LINES) {
                            heldLines.add(new HeldLine(stream, line, afterLoneCr, mayBeContinued));
                        } else {
                            heldOver++;
                            leftOut.add(stream);
                        }
                        return;
                    }
                    if (leftOut.remove(stream)) continues = false;
                }
            }
            listener.onLogLine(tickets[index].id(), attempt, stream, line, continues, mayBeContinued);
        }

        @Override
        public void logCapped(String stream) {
            if (telling) {
                synchronized (this) {
                    if (heldLines != null) {
                        // told in order with the held lines; when they overflowed, so did the line it tells of, and
                        // in the last slot the line cannot fit: startHeard tells it only when its line was held after it
                        if (heldLines.size() < MAX_HELD_LINES - 1) heldLines.add(new HeldLine(stream, null, false, false));
                        return;
                    }
                }
            }
            listener.onLogCapped(tickets[index].id(), attempt, stream);
        }

        /**
         * A line printed before the listener heard its attempt's start, as {@link #logLine(String, String, boolean, boolean)}
         * got it; with {@code line} null, {@link #logCapped(String)} for {@code stream}.
         */
        private record HeldLine(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {}
    }
}
