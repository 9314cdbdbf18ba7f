package io.swarmflow.engine;

import io.swarmflow.agent.Executor;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunLease;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one entry point of every surface (CLI today; API later): create, execute, resume, cancel,
 * approve, reject and query runs. Holds no logic of presentation; validates requests before
 * anything is written.
 */
public final class RunService {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RunStore store;
    private final Executor executor;
    /** Where the runs are stored, as named in errors ({@code the state directory /x/.swarm}). */
    private final String where;
    /** The file the store keeps its runs in, or {@code null}: a lease holder that does not have it open is of another state directory. */
    private final java.nio.file.Path database;

    /**
     * A service whose errors name the store as {@code this state directory}.
     *
     * @param store    where runs are kept
     * @param executor where attempts run
     */
    public RunService(RunStore store, Executor executor) {
        this(store, executor, "this state directory");
    }

    /**
     * A service whose errors for an unknown run say where the runs were looked for.
     *
     * @param store    where runs are kept
     * @param executor where attempts run
     * @param where where {@code store} keeps its runs, as errors name it: {@code the state directory /x/.swarm}; an
     *              unknown run id is answered with it, and how to look elsewhere
     */
    public RunService(RunStore store, Executor executor, String where) {
        this(store, executor, where, null);
    }

    /**
     * A service whose errors for an unknown run say where the runs were looked for, and which tells a coordinator of a
     * copy of this state directory from one of its own ({@link StalledCoordinator#elsewhere}).
     *
     * @param store    where runs are kept
     * @param executor where attempts run
     * @param where    as {@link #RunService(RunStore, Executor, String)}
     * @param database the file {@code store} keeps its runs in (a SQLite state directory's {@code swarm.db}), or {@code null}
     *                 when it is not a file: a lease holder is then never told to be of another state directory
     */
    public RunService(RunStore store, Executor executor, String where, java.nio.file.Path database) {
        this.store = store;
        this.executor = executor;
        this.where = where;
        this.database = database;
    }

    /** The store this service reads and writes. */
    public RunStore store() {
        return store;
    }

    /** A new run id: {@code yyyyMMdd-HHmmss-xxxx} (local time, 4 random base-36 characters). */
    public static String newRunId() {
        StringBuilder sb = new StringBuilder(LocalDateTime.now().format(ID_TIME)).append('-');
        for (int i = 0; i < 4; i++) sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        return sb.toString();
    }

    /**
     * Persists a new run of {@code plan} after the executor's preflight checks pass. The stored plan records which
     * variables of swarm's environment it reads are set and not empty now ({@link Plan#filledEnvironment}: the names
     * only), which {@link #resumeProblems} checks.
     *
     * @return the run id
     * @throws PreflightException when the plan cannot run here; nothing is persisted then
     */
    public String create(Plan plan, String specPath) throws PreflightException {
        List<String> problems = executor.preflight(plan);
        if (!problems.isEmpty()) throw new PreflightException(problems);
        String id = newRunId();
        // which of the run's secrets are not empty now (a bit per name, nothing of the value): what a resume checks
        java.util.Set<String> filled = new java.util.HashSet<>();
        for (String name : RunEngine.environmentReaders(plan).keySet()) {
            String value = System.getenv(name);
            if (value != null && !value.isEmpty()) filled.add(name);
        }
        store.createRun(new RunEvent.RunCreated(id, plan.withFilledEnvironment(filled), specPath));
        return id;
    }

    /**
     * {@code plan} (the stored plan of {@code runId}) with only the tickets that may still run: not succeeded, failed or
     * skipped ({@link io.swarmflow.store.TicketState#isFinal}; a cancelled one runs again on resume), their needs of
     * finished tickets dropped. What a resume checks (the executor's preflight, the operator's floor).
     */
    public Plan remaining(String runId, Plan plan) {
        java.util.Set<String> finished = new java.util.HashSet<>();
        for (TicketView t : tickets(runId)) if (t.state().isFinal()) finished.add(t.ticketId());
        List<io.swarmflow.spec.PlannedTicket> tickets = plan.tickets().stream().filter(t -> !finished.contains(t.id()))
                .map(t -> new io.swarmflow.spec.PlannedTicket(t.id(), t.title(), t.needs().stream().filter(n -> !finished.contains(n)).toList(),
                        t.agent(), t.run(), t.env(), t.timeoutMillis(), t.retries(), t.priority(), t.when(), t.approval(),
                        t.workspace(), t.network(), t.outputs(), t.matrix(), t.group(), t.durationMillis()))
                .toList();
        return new Plan(plan.name(), plan.description(), plan.concurrency(), plan.vars(), plan.repo(), plan.specDir(),
                plan.agents(), tickets, plan.specDigest(), plan.filledEnvironment());
    }

    /**
     * What stops a resume of {@code runId} here, one message per problem; empty when it may go on. The executor's
     * preflight problems of the tickets that may still run (not succeeded, failed or skipped): what a finished ticket
     * needed (its repository, bubblewrap) it no longer does. And every variable of swarm's environment that the plan
     * reads ({@code ${{ env.NAME }}} in the {@code env:} of any ticket, finished ones included, of {@code defaults} or of
     * an agent profile: the run's secrets, {@link RunEngine#environmentReaders}) that this process does not have: a
     * ticket still to run would fail without it, and every attempt masks the run's secrets by their values, which a
     * finished ticket may have passed on to one still to run (through {@code $SWARM_SCRATCH}, a file, an output); and
     * so every such variable that is empty here but was not when the run was created ({@link Plan#filledEnvironment}),
     * since an empty value masks nothing. (Another value than the run's cannot be told: nothing of it is stored.)
     *
     * @param runId the run; it must exist
     * @param plan  the run's stored plan
     * @return the problems, each a sentence that names what is missing and how to fix it; not null
     */
    public List<String> resumeProblems(String runId, Plan plan) {
        Plan remaining = remaining(runId, plan);
        List<String> problems = new java.util.ArrayList<>(executor.preflight(remaining));
        // what the tickets still to run read from swarm's environment (${{ env.NAME }}) must be set in this process too
        Set<String> named = new java.util.HashSet<>();
        for (io.swarmflow.spec.PlannedTicket t : remaining.tickets()) {
            List<String> unset = io.swarmflow.spec.Templates.environmentNames(t.env().values()).stream()
                    .filter(name -> System.getenv(name) == null).toList();
            if (!unset.isEmpty()) {
                named.addAll(unset);
                problems.add("ticket " + t.id() + " reads " + String.join(", ", unset) + " from swarm's environment ("
                        + references(unset) + " in its env:), which " + (unset.size() == 1 ? "is" : "are") + " not set here; export "
                        + (unset.size() == 1 ? "it" : "them") + " and resume again");
            }
        }
        // and so must every other one the plan reads (a finished ticket's, a profile's): the masking needs its value
        for (java.util.Map.Entry<String, List<String>> e : RunEngine.environmentReaders(plan).entrySet()) {
            String name = e.getKey();
            String value = System.getenv(name);
            if (value != null && value.isEmpty() && plan.filledEnvironment().contains(name)) {
                problems.add(name + " (" + references(List.of(name)) + " in the env: of " + String.join(", ", e.getValue())
                        + ") is empty here, and was not when the run was created. Every attempt of the run masks the values the "
                        + "plan reads from swarm's environment, and an empty one masks nothing: what a finished ticket passed on "
                        + "(through $SWARM_SCRATCH, a file, an output) would be printed unmasked; export " + name
                        + " with the value the run was started with and resume again");
                continue;
            }
            if (named.contains(name) || value != null) continue;
            problems.add(name + " (" + references(List.of(name)) + " in the env: of " + String.join(", ", e.getValue())
                    + ") is not set here. No ticket still to run reads it, but every attempt of the run masks the values the "
                    + "plan reads from swarm's environment, and a finished ticket may have passed this one on to a ticket still "
                    + "to run (through $SWARM_SCRATCH, a file, an output), which would then print it unmasked; export " + name
                    + " with the value the run was started with and resume again");
        }
        return problems;
    }

    /** <code>${{ env.A }}, ${{ env.B }}</code> for the names {@code A, B}. */
    private static String references(List<String> names) {
        return String.join(", ", names.stream().map(n -> "${{ env." + n + " }}").toList());
    }

    /** An engine to execute (or resume) the run; call {@link RunEngine#execute()}. */
    public RunEngine engine(String runId, EngineOptions options, RunListener listener) {
        requireRun(runId);
        return new RunEngine(store, executor, options, listener, runId);
    }

    /**
     * Checks that a run can be resumed: it exists and its plan is readable.
     *
     * @throws InvalidRequestException when it does not exist
     * @throws StoreException.Corrupt  when its stored state cannot be read
     */
    public RunView requireRun(String runId) {
        return store.run(runId).orElseThrow(() -> new InvalidRequestException(
                "no run '" + runId + "' in " + where + "; `swarm runs` lists the runs there (a run kept in another state "
                        + "directory needs --state-dir DIR or SWARM_STATE_DIR)"));
    }

    /**
     * The id of the run that {@code given} names: a run's id, or the start of exactly one run's id, as git takes an
     * abbreviated commit ({@code swarm status 20261205-0901} while no other run started in that minute).
     *
     * @throws InvalidRequestException when no run's id is or starts with {@code given}, or several start with it (the
     *                                 message lists up to 5 of them)
     */
    public String resolveRunId(String given) {
        if (store.run(given).isPresent()) return given;
        // two ids tell one match from several; only then are all the matching ids read, for the message
        List<String> matches = given.isEmpty() ? List.of() : store.runIdsStartingWith(given, 2);
        if (matches.size() == 1) return matches.getFirst();
        if (matches.isEmpty()) requireRun(given); // throws: no such run
        // read again: runs deleted in between (swarm clean) may leave one, which the prefix now names, or none
        matches = store.runIdsStartingWith(given, Integer.MAX_VALUE);
        if (matches.size() == 1) return matches.getFirst();
        if (matches.isEmpty()) requireRun(given); // throws: no such run
        throw new InvalidRequestException("'" + given + "' is the start of " + matches.size() + " runs' ids ("
                + String.join(", ", matches.subList(0, Math.min(5, matches.size()))) + (matches.size() > 5 ? ", ..." : "")
                + ") in " + where + "; give more of the id (`swarm runs` lists them)");
    }

    /** The most recent run, if any. */
    public Optional<RunView> latestRun() {
        return store.newestRuns(1, null).runs().stream().findFirst();
    }

    /** Approves a ticket in awaiting-approval. The live coordinator applies it within its poll period; otherwise the next resume does. */
    public RunCommand approve(String runId, String ticketId, String by) {
        requireAwaiting(runId, ticketId);
        return submitDecision(new RunCommand(0, runId, RunCommand.Kind.APPROVE, ticketId, by, null, 0));
    }

    /** Rejects a ticket in awaiting-approval; it fails with {@code reason}. */
    public RunCommand reject(String runId, String ticketId, String by, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new InvalidRequestException("a rejection needs a reason: --reason \"...\"");
        }
        requireAwaiting(runId, ticketId);
        return submitDecision(new RunCommand(0, runId, RunCommand.Kind.REJECT, ticketId, by, reason, 0));
    }

    /**
     * Asks the run's live coordinator to stop.
     *
     * @throws InvalidRequestException when the run is finished or cancelled, no coordinator is executing it, or a cancel is
     *                                 already under way or pending
     */
    public RunCommand cancel(String runId, String by) {
        RunView run = requireRun(runId);
        if (run.state().isFinished() || run.state() == io.swarmflow.store.RunState.CANCELLED) {
            throw new InvalidRequestException("run " + runId + " " + run.state().already() + "; nothing to cancel");
        }
        if (!isExecuting(runId)) {
            throw new InvalidRequestException("run " + runId + " is not executing (" + (run.state() == io.swarmflow.store.RunState.CREATED
                    ? "it never started" : "its coordinator stopped") + "); nothing to cancel: it stays as it is until `swarm resume "
                    + runId + "`");
        }
        if (run.cancelRequested()) {
            throw new InvalidRequestException("run " + runId + " is already being cancelled: its coordinator applied an earlier "
                    + "cancel and is stopping the running attempts (TERM, then KILL after the grace period); nothing was changed");
        }
        Optional<RunCommand> pending = pendingCancel(run);
        if (pending.isPresent()) {
            throw new InvalidRequestException("a cancel of run " + runId + " is already requested (by " + pending.get().by()
                    + ") and pending: the run's coordinator applies it within a second; nothing was changed");
        }
        return store.submitCommand(new RunCommand(0, runId, RunCommand.Kind.CANCEL, null, by, null, 0));
    }

    /**
     * The latest cancel of {@code run} not applied yet that its current coordinator will apply: one made before that
     * coordinator started is ignored by it ({@code RunEngine} drops cancels older than its claim), so it does not count.
     * From the run's time marks ({@link RunStore#timeMarks}: its last {@code RunStarted}, without reading its other
     * events) when the store kept them; otherwise reads the run's events backwards from the last, 1,000 at a time, until
     * its last start or the cancel's time. The same result either way unless the store's clock (its event times) stepped back after that start.
     */
    Optional<RunCommand> pendingCancel(RunView run) {
        List<RunCommand> cancels = store.pendingCommands(run.runId()).stream().filter(c -> c.kind() == RunCommand.Kind.CANCEL).toList();
        if (cancels.isEmpty()) return Optional.empty();
        RunCommand latest = cancels.getLast();
        Optional<io.swarmflow.store.TimeMark> lastStart = store.timeMarks(run.runId())
                .flatMap(marks -> marks.reversed().stream().filter(m -> m.event() instanceof RunEvent.RunStarted).findFirst());
        if (lastStart.isPresent()) { // a run that never started has a handful of events: the scan below reads them
            return lastStart.get().atEpochMillis() <= latest.createdAtMillis() ? Optional.of(latest) : Optional.empty();
        }
        for (long after = run.lastSeq(); after > 0; ) {
            long from = Math.max(0, after - 1000);
            List<StoredEvent> page = store.events(run.runId(), from, (int) (after - from));
            for (int i = page.size() - 1; i >= 0; i--) {
                StoredEvent e = page.get(i);
                if (e.event() instanceof RunEvent.RunStarted) {
                    return e.atEpochMillis() <= latest.createdAtMillis() ? Optional.of(latest) : Optional.empty();
                }
                if (e.atEpochMillis() < latest.createdAtMillis()) return Optional.of(latest); // started before the cancel
            }
            after = from;
        }
        return Optional.empty();
    }

    /**
     * Removes the run's git worktrees and, with {@code deleteBranches}, its branches ({@link Executor#cleanRun}).
     * Its events, logs and report stay. Without {@code force}, refuses (changing nothing) when that would delete work
     * the run did not record: changes never committed in a worktree ({@link Executor#uncommittedWork}) and, with
     * {@code deleteBranches}, commits on its branches that no succeeded attempt recorded ({@link Executor#unrecordedBranchWork}):
     * made by hand, or by an attempt that failed or whose end a stopped coordinator did not record (kept on a
     * {@code .before-attempt-N} branch when the ticket ran again).
     *
     * @param runDir the run's directory in the state directory ({@code runs/<run>})
     * @return what was removed or kept, and what could not be removed
     * @throws InvalidRequestException when there is no such run, a coordinator executes it now, cleaning would delete
     *                                 work without {@code force}, (with {@code deleteBranches}) a branch is checked out
     *                                 in another working tree, or git cannot tell whether cleaning would delete work
     */
    public Executor.Cleaned clean(String runId, java.nio.file.Path runDir, boolean deleteBranches, boolean force) {
        requireRun(runId);
        if (isExecuting(runId)) {
            throw new InvalidRequestException("run " + runId + " is executing; wait for it to end, or `swarm cancel " + runId
                    + "` first");
        }
        Plan plan = store.plan(runId);
        try {
            checkBeforeClean(runId, runDir, plan, deleteBranches, force);
        } catch (io.swarmflow.agent.WorkspaceException e) {
            throw new InvalidRequestException(e.getMessage() + "; nothing was cleaned: repair that (git status in the repository "
                    + "or worktree says what is wrong) and run `swarm clean " + runId + (deleteBranches ? " --branches" : "") + "` again"
                    + (force ? "" : ", or add --force to delete without this check"));
        }
        return executor.cleanRun(runId, plan, runDir, deleteBranches);
    }

    /** The refusals of {@link #clean}; throws {@link io.swarmflow.agent.WorkspaceException} when git cannot tell. */
    private void checkBeforeClean(String runId, java.nio.file.Path runDir, Plan plan, boolean deleteBranches, boolean force) {
        if (deleteBranches) {
            List<String> inUse = executor.branchesInUse(runId, plan, runDir);
            if (!inUse.isEmpty()) {
                throw InvalidRequestException.listing("run " + runId + " has branches checked out in other working "
                        + "trees, which git cannot delete:", inUse, "switch those working trees to another branch "
                        + "(git switch BRANCH there) first, or clean without --branches; nothing was cleaned");
            }
        }
        if (!force) {
            List<String> dirty = executor.uncommittedWork(runId, plan, runDir);
            if (!dirty.isEmpty()) {
                throw InvalidRequestException.listing("run " + runId + " has worktrees with changes that were never "
                        + "committed, which cleaning would delete:", dirty, "look at them (commit them, or copy what you want to "
                        + "keep) first, or `swarm clean " + runId + " --force` to delete them anyway");
            }
            if (deleteBranches) {
                java.util.Map<String, String> recorded = new java.util.HashMap<>();
                for (TicketView t : store.tickets(runId)) {
                    String commit = t.outputs().get("commit");
                    if (commit != null) recorded.put(t.ticketId(), commit);
                }
                List<String> moved = executor.unrecordedBranchWork(runId, plan, runDir, recorded);
                if (!moved.isEmpty()) {
                    throw InvalidRequestException.listing("run " + runId + " has branches with commits the run did "
                            + "not record, which deleting them would lose:", moved, "merge or copy them elsewhere first (git branch "
                            + "NEW BRANCH), clean without --branches, or `swarm clean " + runId + " --branches --force` to delete "
                            + "them anyway; nothing was cleaned");
                }
            }
        }
    }

    /**
     * The error for a ticket id the run does not have; for the id of a matrix ticket, it names the
     * expansions to use instead ({@code test} → {@code test-linux, test-mac}); for a mistyped one, the nearest id
     * ({@link io.swarmflow.spec.Names#nearest}); else the run's first {@link #LISTED_TICKETS} ticket ids, in plan order.
     */
    public InvalidRequestException noSuchTicket(String runId, String ticketId) {
        List<io.swarmflow.spec.PlannedTicket> planned = store.plan(runId).tickets();
        List<String> expansions = planned.stream().filter(t -> t.group().equals(ticketId) && !t.id().equals(ticketId))
                .map(io.swarmflow.spec.PlannedTicket::id).toList();
        if (!expansions.isEmpty()) {
            return new InvalidRequestException("run " + runId + " has no ticket '" + ticketId + "'; it is a matrix ticket, "
                    + "expanded to " + String.join(", ", expansions) + "; name one of those");
        }
        // a mistyped id (deploi for deploy), or a matrix ticket's (deplyo for the deploy of deploy-eu, deploy-us)
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (io.swarmflow.spec.PlannedTicket t : planned) {
            names.add(t.id());
            names.add(t.group());
        }
        String meant = io.swarmflow.spec.Names.nearest(ticketId, names);
        if (meant != null) {
            return new InvalidRequestException("run " + runId + " has no ticket '" + ticketId + "'; did you mean '" + meant
                    + "'? `swarm status " + runId + "` lists its tickets");
        }
        // nothing near: a few ids show what the run's tickets are called
        List<String> ids = planned.stream().map(io.swarmflow.spec.PlannedTicket::id).toList();
        String some = String.join(", ", ids.subList(0, Math.min(LISTED_TICKETS, ids.size())));
        return new InvalidRequestException("run " + runId + " has no ticket '" + ticketId + "'; "
                + (ids.size() <= LISTED_TICKETS ? "its tickets are " + some + "; `swarm status " + runId + "` lists them"
                : "its tickets include " + some + " and " + (ids.size() - LISTED_TICKETS) + " more; `swarm status " + runId
                + "` lists them all"));
    }

    /** How many of a run's ticket ids {@link #noSuchTicket} names when none is near the one given. */
    static final int LISTED_TICKETS = 5;

    /**
     * A run as recorded, and whether a coordinator executes it.
     *
     * @param executing  a live coordinator holds the run's lease, and the run is created or running
     * @param leaseOwner the coordinator the run's lease names ({@code host:pid@startMillis/n}), live or not, as read before
     *                   the run; null when none is recorded: the one that held the run last, whose machine {@code swarm
     *                   status} takes the pid of an attempt not recording its own coordinator to be of
     */
    public record Observed(RunView run, boolean executing, String leaseOwner) {
        /**
         * Recorded as running, yet no coordinator executes it, and needs a resume: its coordinator was killed or crashed, or
         * stopped when the store could not record its end (a Ctrl-C while another process held the database locked);
         * nothing recorded tells which.
         */
        public boolean stopped() {
            return run.state() == io.swarmflow.store.RunState.RUNNING && !executing;
        }
    }

    /**
     * Reads the lease first, then the run: a run seen as running with no live lease is then really stopped. (The
     * other order can show a run whose coordinator recorded its end and released the lease between the two reads
     * as running yet stopped.)
     *
     * @throws InvalidRequestException when there is no such run
     */
    public Observed observe(String runId) {
        Optional<RunLease> lease = store.lease(runId);
        return observed(requireRun(runId), isLive(lease), owner(lease));
    }

    private static Observed observed(RunView run, boolean leased, String leaseOwner) {
        return new Observed(run, leased && (run.state() == io.swarmflow.store.RunState.RUNNING
                || run.state() == io.swarmflow.store.RunState.CREATED), leaseOwner);
    }

    private static String owner(Optional<RunLease> lease) {
        return lease.map(RunLease::owner).orElse(null);
    }

    /**
     * Every run, newest first, each as {@link #observe} sees it, with the runs and their leases read once (in one
     * listing, {@link RunStore#newestRunsLeased}) rather than listed and then read one by one. A store may read the leases
     * after the runs (the default); so a run the listing shows as running whose lease no coordinator holds is read again,
     * after its lease as {@link #observe} does, as its coordinator may have recorded its end and released the lease in
     * between: only a run that still looks stopped then is stopped.
     */
    public List<Observed> observeAll() {
        return observeNewest(Integer.MAX_VALUE, null).runs();
    }

    /**
     * The newest runs in {@code states}, at most {@code limit} of them, newest first, each as {@link #observeAll} sees it,
     * and how many runs are in those states in all ({@link RunStore#newestRunsLeased}: only the runs returned are read,
     * and only their leases, with them). A run listed as running that is read again (see {@link #observeAll}) and found in a state not
     * in {@code states} (its coordinator recorded its end in between) is left out, and not counted. When that leaves
     * fewer than {@code limit} runs while older ones match, the store is asked again, for as many more as were left out
     * (three listings at most), each listing observed afresh, and the list cut to {@code limit}:
     * it is short of {@code limit} while older runs match only when runs keep ending faster than they are listed.
     *
     * @param limit  the most runs, 1 or more; {@link Integer#MAX_VALUE} for all
     * @param states the recorded run states to select, null for every state; not empty
     * @throws IllegalArgumentException when {@code limit} is below 1 or {@code states} is empty
     */
    public Observations observeNewest(int limit, Set<RunState> states) {
        int asked = limit;
        for (int listings = 1; ; listings++) {
            RunStore.LeasedListing listing = store.newestRunsLeased(asked, states);
            List<Observed> kept = new ArrayList<>();
            int left = 0;
            for (RunStore.LeasedRun leasedRun : listing.runs()) {
                RunView listed = leasedRun.run();
                Optional<RunLease> lease = Optional.ofNullable(leasedRun.lease());
                boolean leased = isLive(lease);
                Observed seen = observed(listed, leased, owner(lease));
                if (seen.stopped()) seen = observed(store.run(listed.runId()).orElse(listed), leased, owner(lease));
                if (states == null || states.contains(seen.run().state())) kept.add(seen);
                else left++;
            }
            boolean olderMatch = listing.matching() > listing.runs().size();
            if (kept.size() >= limit || !olderMatch || listings == MOST_LISTINGS) {
                return new Observations(List.copyOf(kept.subList(0, Math.min(limit, kept.size()))), listing.matching() - left);
            }
            asked = (int) Math.min(Integer.MAX_VALUE, (long) asked + left);
        }
    }

    /** How many times {@link #observeNewest} lists the runs at most, when runs it listed end before they are read again. */
    static final int MOST_LISTINGS = 3;

    /**
     * What {@link #observeNewest} saw.
     *
     * @param runs     the runs, newest first
     * @param matching how many runs are in the states asked for, {@code runs} included
     */
    public record Observations(List<Observed> runs, int matching) {}

    /**
     * Whether a coordinator holds the run now: an unexpired lease whose holder is not a dead process on this host, or a
     * lease that ran out (not released) whose holder is provably alive on this host ({@link #stalled}: stopped by a Ctrl-Z
     * or SIGSTOP, or hung; continued, it goes on with the run).
     */
    public boolean isExecuting(String runId) {
        return isLive(store.lease(runId));
    }

    /**
     * The run's coordinator when its lease ran out but its process provably lives on this host ({@link StalledCoordinator}):
     * it still holds the run, and does not act on it until it goes on. Empty when the lease is held and renewed, released,
     * or its holder is not proved alive here (gone, of another host, boot or pid namespace, or of an older swarm).
     */
    public Optional<StalledCoordinator> stalled(String runId) {
        return StalledCoordinator.of(runId, store.lease(runId), store.now(), database);
    }

    /**
     * Whether {@code lease} is held now: unexpired, by a holder that is not a dead process on this host; or run out, by a
     * holder provably alive on this host ({@link StalledCoordinator}).
     */
    private boolean isLive(Optional<RunLease> lease) {
        long now = store.now();
        return lease.filter(l -> l.owner() != null && l.expiresAtMillis() > now
                && !Owners.isDeadLocalProcess(l.owner())).isPresent()
                || StalledCoordinator.of(null, lease, now).isPresent();
    }

    private void requireAwaiting(String runId, String ticketId) {
        RunView run = requireRun(runId);
        if (run.state().isFinished()) {
            throw new InvalidRequestException("run " + runId + " " + run.state().already() + "; its gates can no longer be decided");
        }
        TicketView t = store.tickets(runId).stream().filter(v -> v.ticketId().equals(ticketId)).findFirst()
                .orElseThrow(() -> noSuchTicket(runId, ticketId));
        if (t.state() != TicketState.AWAITING_APPROVAL) {
            // whether waiting helps: a ticket without a gate never waits at one; one still pending reaches its gate later
            boolean gated = store.plan(runId).tickets().stream().anyMatch(p -> p.id().equals(ticketId)
                    && p.approval() == io.swarmflow.spec.ApprovalMode.BEFORE_RUN);
            if (!gated) {
                throw new InvalidRequestException("ticket " + ticketId + " has no approval gate (its spec has no `approval: "
                        + "before-run`), so there is nothing to approve or reject; only tickets waiting at an approval gate can be approved or rejected");
            }
            if (t.state() == TicketState.PENDING) {
                throw new InvalidRequestException("ticket " + ticketId + " is pending: it waits at its approval gate once its "
                        + "dependencies are done, and can be approved or rejected then (`swarm status " + runId + " " + ticketId
                        + "` shows when it waits)");
            }
            throw new InvalidRequestException("ticket " + ticketId + " " + t.state().phrase()
                    + "; it is not awaiting approval, and only tickets waiting at an approval gate can be approved or rejected");
        }
    }

    /**
     * Refuses a second decision on a gate while an earlier one is still pending (recorded, not yet applied: the run is not
     * executing, or its coordinator has not read it yet): the same decision again would be a duplicate, the opposite one a
     * contradiction of a decision already recorded. The coordinator applies pending decisions in order, so only the first
     * could take effect.
     */
    private RunCommand submitDecision(RunCommand decision) {
        try {
            return store.submitCommand(decision);
        } catch (StoreException.PendingDecision e) {
            throw alreadyPending(e.earlier(), decision.kind());
        }
    }

    /**
     * Checks, without recording anything, that a decision on the ticket could be submitted now: the run is not finished,
     * the ticket waits at its approval gate, and no approval or rejection of it is pending. (One may still be recorded by
     * someone else before this caller submits its own; {@link #approve} and {@link #reject} refuse it then.)
     *
     * @param kind APPROVE or REJECT, for the message
     * @throws InvalidRequestException saying which of these fails
     */
    public void requireDecidable(String runId, String ticketId, RunCommand.Kind kind) {
        requireAwaiting(runId, ticketId);
        for (RunCommand c : store.pendingCommands(runId)) {
            if (ticketId.equals(c.ticketId()) && c.kind() != RunCommand.Kind.CANCEL) throw alreadyPending(c, kind);
        }
    }

    /** The refusal of a decision of {@code kind} (APPROVE or REJECT) on a gate that has {@code earlier} pending. */
    private InvalidRequestException alreadyPending(RunCommand earlier, RunCommand.Kind kind) {
        String runId = earlier.runId();
        String what = earlier.kind() == RunCommand.Kind.APPROVE ? "an approval" : "a rejection";
        return new InvalidRequestException("not " + (kind == RunCommand.Kind.APPROVE ? "approved" : "rejected") + ": "
                + earlier.ticketId() + " already has " + what + " pending (by " + earlier.by()
                + (earlier.reason() == null ? "" : ": " + earlier.reason()) + "), "
                + (isExecuting(runId) ? "which the run's coordinator applies within a second"
                : "which `swarm resume " + runId + "` applies")
                + (earlier.kind() == kind ? "" : "; a recorded decision cannot be withdrawn") + "; nothing was changed");
    }

    /** Whether {@code command} is still waiting for the run's coordinator to apply it (or ignore it). */
    public boolean isPending(RunCommand command) {
        return store.pendingCommands(command.runId()).stream().anyMatch(c -> c.id() == command.id());
    }

    /**
     * Whether the approval or rejection {@code command} took effect: an {@code ApprovalGranted} or
     * {@code ApprovalRejected} event carries its id. Reads the run's events after {@code afterSeq} (the run's
     * last event when the command was submitted), 1,000 at a time.
     */
    public boolean tookEffect(RunCommand command, long afterSeq) {
        return decidingCommand(command, afterSeq).orElse(-1L) == command.id();
    }

    /**
     * The id of the approval or rejection command whose {@code ApprovalGranted} or {@code ApprovalRejected} event first
     * decided {@code command}'s ticket after {@code afterSeq}: {@code command}'s own id when it took effect, another's
     * when another decision reached the gate first, {@code 0} for an automatic approval ({@code --auto-approve}), and
     * empty when no decision did (the ticket was skipped or cancelled at its gate, or is still waiting). From the run's
     * time marks ({@link RunStore#timeMarks}, which keep every decision of a ticket at its gate) when the store kept
     * them and more than {@link #DECISION_SCAN_EVENTS} events came after {@code afterSeq}; otherwise reads the run's
     * events after {@code afterSeq}, 1,000 at a time (what {@code swarm approve} mostly meets: it asks right after its
     * decision, a few events later, while a run of many gates keeps two marks per gate). The same result either way for
     * a ticket that stood at its gate at {@code afterSeq} or later (as the ticket of a decision the store accepted did): a
     * ticket leaves its gate only by a decision, a cancel, a skip or a failure, and never comes back to it.
     */
    public java.util.Optional<Long> decidingCommand(RunCommand command, long afterSeq) {
        long after = store.run(command.runId()).map(r -> r.lastSeq() - afterSeq).orElse(0L);
        java.util.Optional<List<io.swarmflow.store.TimeMark>> marks = after > DECISION_SCAN_EVENTS
                ? store.timeMarks(command.runId()) : java.util.Optional.empty();
        if (marks.isPresent()) {
            for (io.swarmflow.store.TimeMark m : marks.get()) {
                if (m.seq() <= afterSeq) continue;
                java.util.Optional<Long> decided = decision(m.event(), command.ticketId());
                if (decided.isPresent()) return decided;
            }
            return java.util.Optional.empty();
        }
        long seq = afterSeq;
        while (true) {
            List<io.swarmflow.store.StoredEvent> page = store.events(command.runId(), seq, 1000);
            if (page.isEmpty()) return java.util.Optional.empty();
            for (io.swarmflow.store.StoredEvent e : page) {
                java.util.Optional<Long> decided = decision(e.event(), command.ticketId());
                if (decided.isPresent()) return decided;
                seq = e.seq();
            }
        }
    }

    /**
     * Up to this many events after {@code afterSeq}, {@link #decidingCommand} reads them rather than the run's time
     * marks: one page of the event scan, fewer rows than all the marks of a run with many gates (two per gate).
     */
    static final long DECISION_SCAN_EVENTS = 1_000;

    /** The command id an approval or rejection of {@code ticketId} carries; empty for any other event. */
    private static java.util.Optional<Long> decision(RunEvent e, String ticketId) {
        if (e instanceof RunEvent.ApprovalGranted g && g.ticketId().equals(ticketId)) return java.util.Optional.of(g.command());
        if (e instanceof RunEvent.ApprovalRejected r && r.ticketId().equals(ticketId)) return java.util.Optional.of(r.command());
        return java.util.Optional.empty();
    }

    /**
     * The tickets of a run, as last projected.
     *
     * @param runId run id
     * @return the run's tickets in plan order; for an unknown run, an empty list or
     *         {@link StoreException.UnknownRun}, depending on the store
     */
    public List<TicketView> tickets(String runId) {
        return store.tickets(runId);
    }

    /**
     * The attempts of a run, as last projected.
     *
     * @param runId run id
     * @return the run's attempts, by ticket in plan order then attempt number; for an unknown run, an empty list or
     *         {@link StoreException.UnknownRun}, depending on the store
     */
    public List<AttemptView> attempts(String runId) {
        return store.attempts(runId);
    }

    /**
     * One page of a run's event log, for following a run or exporting it.
     *
     * @param runId    run id
     * @param afterSeq return events with a sequence number above this; 0 for the first page
     * @param limit    at most this many events
     * @return the events in sequence order; empty when there are no more
     */
    public List<StoredEvent> events(String runId, long afterSeq, int limit) {
        return store.events(runId, afterSeq, limit);
    }

    /**
     * The run's time marks ({@link RunStore#timeMarks}): the events that say when it was executed and when its tickets
     * waited at their gates, without reading the others; empty when the store did not keep them for this run.
     *
     * @throws io.swarmflow.store.StoreException when the store cannot be read
     */
    public java.util.Optional<List<io.swarmflow.store.TimeMark>> timeMarks(String runId) {
        return store.timeMarks(runId);
    }

    /** Every run in the store, newest first. */
    public List<RunView> runs() {
        return store.runs();
    }

    /**
     * The plan of a run.
     *
     * @param runId run id
     * @return the plan the run executes, as recorded when it was created
     * @throws StoreException.UnknownRun when there is no such run
     */
    public Plan plan(String runId) {
        return store.plan(runId);
    }
}
