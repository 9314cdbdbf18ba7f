package io.swarmflow.store;

import io.swarmflow.spec.Plan;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage of runs: an append-only event log per run plus projections updated in the same
 * transaction. Implementations must be safe for use from many threads; appends from one
 * coordinator are serialized by the store in the order they were submitted.
 *
 * <p>Fencing: every write from a coordinator carries its epoch (from {@link #claimRun}); a write
 * with an epoch lower than the run's current one fails with {@link StoreException.Fenced}. Events
 * about attempts are checked with {@link Projection#check}: a stale attempt number fails with
 * {@link StoreException.StaleAttempt} and writes nothing.
 */
public interface RunStore extends AutoCloseable {

    /**
     * Creates a run from its first event, atomically with all its ticket rows.
     *
     * @throws StoreException if the id exists
     */
    RunView createRun(RunEvent.RunCreated created);

    /**
     * Makes the caller the run's coordinator: bumps the epoch and takes a lease of
     * {@code leaseMillis} on the store clock. The caller then appends {@link RunEvent.RunStarted}.
     *
     * @param owner {@code host:pid} of the caller
     * @return the new epoch
     * @throws StoreException.RunLocked when another owner holds an unexpired lease
     * @throws StoreException.UnknownRun when there is no such run
     */
    long claimRun(String runId, String owner, long leaseMillis);

    /**
     * Renews the run lease and the lease of every running attempt of the run (the heartbeat).
     *
     * @throws StoreException.Fenced when {@code epoch} is no longer current
     */
    void heartbeat(String runId, long epoch, long leaseMillis);

    /** The run's current coordinator lease, or empty when there is no such run. */
    Optional<RunLease> lease(String runId);

    /** Gives the run lease up (orderly shutdown), so a resume need not wait for it to expire. */
    void releaseRun(String runId, long epoch);

    /**
     * Appends {@code events} atomically (all or none), updating the projections in the same
     * transaction. The returned future completes once the transaction is durable (fsync'ed) with its
     * {@link Appended acknowledgement}: the sequence number of the last event and the time the store recorded the
     * events at (one time for all of them, the one {@link #events} reads back), so a caller need not read them back;
     * or exceptionally with {@link StoreException.Fenced},
     * {@link StoreException.StaleAttempt} or another {@link StoreException}; in that case nothing
     * of {@code events} was written, and every later append with the same {@code epoch} fails with
     * {@link StoreException.EarlierAppendFailed}, whose cause is that first failure (a coordinator pipelines appends that
     * build on each other, so none may commit after a lost one); claiming the run again gives a fresh epoch. Appends may be
     * batched with others into one transaction (group commit).
     *
     * <p>One exception to "fsync'ed": a store may acknowledge a transaction that holds only
     * {@link RunEvent.AttemptProcessStarted} events once it survives a crash of this process, without
     * waiting for the disk. That event exists so that a resume can kill a process group left behind by a
     * dead coordinator, and no process outlives the machine; losing it to a power failure loses nothing
     * that matters. Order is kept: any later fsync'ed transaction makes it durable too.
     */
    CompletableFuture<Appended> appendRecorded(String runId, long epoch, List<RunEvent> events);

    /**
     * {@link #appendRecorded}, completing with the sequence number of the last event only (or exceptionally with the
     * very exception {@link #appendRecorded}'s future completes with).
     */
    default CompletableFuture<Long> append(String runId, long epoch, List<RunEvent> events) {
        CompletableFuture<Long> lastSeq = new CompletableFuture<>();
        appendRecorded(runId, epoch, events).whenComplete((appended, error) -> {
            if (error != null) lastSeq.completeExceptionally(error);
            else lastSeq.complete(appended.lastSeq());
        });
        return lastSeq;
    }

    /** The run, if it exists. */
    Optional<RunView> run(String runId);

    /** All runs, newest first. */
    List<RunView> runs();

    /**
     * The newest runs in {@code states}, in the order of {@link #runs()} (newest first), at most {@code limit} of them, and
     * how many runs are in those states in all: what a listing of the newest runs needs without reading every run. The
     * runs and the count are read together, so {@code matching} counts the runs returned (it is less than
     * {@code limit} only when they are all the matching runs). By default {@link #runs()} filtered; a store overrides it
     * with a query that reads only the runs returned and counts the rest.
     *
     * @param limit  the most runs to return, 1 or more; {@link Integer#MAX_VALUE} for all of them
     * @param states the run states to select, by the state recorded ({@link RunView#state}: a run whose coordinator was
     *               killed is {@link RunState#RUNNING}); null for every state; not empty
     * @return the runs, newest first, and the number of runs in {@code states}
     * @throws IllegalArgumentException when {@code limit} is below 1 or {@code states} is empty
     * @throws StoreException           when the store cannot be read
     */
    default RunListing newestRuns(int limit, Set<RunState> states) {
        checkListing(limit, states);
        List<RunView> matching = runs().stream().filter(r -> states == null || states.contains(r.state())).toList();
        return new RunListing(matching.subList(0, Math.min(limit, matching.size())), matching.size());
    }

    /**
     * What {@link #newestRuns} read.
     *
     * @param runs     the newest runs in the states asked for, newest first, at most the limit
     * @param matching how many runs are in those states in all, {@code runs} included ({@code >= runs.size()})
     */
    record RunListing(List<RunView> runs, int matching) {
        public RunListing {
            runs = List.copyOf(runs);
            if (matching < runs.size()) {
                throw new IllegalArgumentException("matching " + matching + " is below the " + runs.size() + " runs listed");
            }
        }
    }

    /**
     * {@link #newestRuns}, with each run's coordinator lease ({@link #lease}): what a listing that tells running runs from
     * stopped ones needs, without a read of the lease of each run. By default {@link #newestRuns}, then {@link #lease} of
     * each run returned, so a lease may be read after its run changed (a caller that sees a run running without a
     * lease reads the run again); a store overrides it with one query that reads each run and its lease together.
     *
     * @param limit  as for {@link #newestRuns}
     * @param states as for {@link #newestRuns}
     * @return the runs, newest first, each with its lease (null when the run went away before its lease was read), and
     *         the number of runs in {@code states}
     * @throws IllegalArgumentException when {@code limit} is below 1 or {@code states} is empty
     * @throws StoreException           when the store cannot be read
     */
    default LeasedListing newestRunsLeased(int limit, Set<RunState> states) {
        RunListing listing = newestRuns(limit, states);
        List<LeasedRun> runs = new java.util.ArrayList<>(listing.runs().size());
        for (RunView run : listing.runs()) runs.add(new LeasedRun(run, lease(run.runId()).orElse(null)));
        return new LeasedListing(runs, listing.matching());
    }

    /**
     * A run as {@link #newestRunsLeased} read it.
     *
     * @param run   the run
     * @param lease its coordinator lease as {@link #lease} reads it; null when there was none to read (the run was gone)
     */
    record LeasedRun(RunView run, RunLease lease) {
        public LeasedRun {
            java.util.Objects.requireNonNull(run, "run");
        }
    }

    /**
     * What {@link #newestRunsLeased} read.
     *
     * @param runs     the newest runs in the states asked for, newest first, at most the limit, each with its lease
     * @param matching how many runs are in those states in all, {@code runs} included ({@code >= runs.size()})
     */
    record LeasedListing(List<LeasedRun> runs, int matching) {
        public LeasedListing {
            runs = List.copyOf(runs);
            if (matching < runs.size()) {
                throw new IllegalArgumentException("matching " + matching + " is below the " + runs.size() + " runs listed");
            }
        }
    }

    /**
     * The ids of the runs whose id starts with {@code prefix} (compared as Unicode code points, case-sensitive, no
     * character special: {@code %} and {@code _} are themselves), newest first (the order of {@link #runs()}), at most
     * {@code limit} of them: what resolving an abbreviated run id needs ({@code limit} 2 tells one match from several)
     * without reading every run. By default {@link #runs()} filtered; a store overrides it with a query on its index of
     * run ids.
     *
     * @param prefix the start of the ids, at least one character; one holding a character a store cannot keep in an id
     *               (NUL, an unpaired surrogate) may match none
     * @param limit  the most ids to return, 1 or more; {@link Integer#MAX_VALUE} for all of them
     * @return the matching ids, newest first; empty when none matches
     * @throws IllegalArgumentException when {@code prefix} is empty or {@code limit} is below 1
     * @throws StoreException           when the store cannot be read
     */
    default List<String> runIdsStartingWith(String prefix, int limit) {
        checkPrefix(prefix, limit);
        return runs().stream().map(RunView::runId).filter(id -> id.startsWith(prefix)).limit(limit).toList();
    }

    /**
     * Checks {@link #runIdsStartingWith}'s arguments: for implementations that override it, not for callers.
     *
     * @throws IllegalArgumentException when {@code prefix} is null or empty or {@code limit} is below 1
     */
    static void checkPrefix(String prefix, int limit) {
        if (prefix == null || prefix.isEmpty()) {
            throw new IllegalArgumentException("a run id prefix needs at least one character (an empty one would match every run)");
        }
        if (limit < 1) throw new IllegalArgumentException("limit must be 1 or more (Integer.MAX_VALUE for every match), not " + limit);
    }

    /**
     * Checks {@link #newestRuns}'s arguments: for implementations that override it (a store in another package, such as
     * the SQL store, cannot reach a package-private helper), not for callers.
     *
     * @throws IllegalArgumentException when {@code limit} is below 1 or {@code states} is empty
     */
    static void checkListing(int limit, Set<RunState> states) {
        if (limit < 1) throw new IllegalArgumentException("limit must be 1 or more (Integer.MAX_VALUE for every run), not " + limit);
        if (states != null && states.isEmpty()) {
            throw new IllegalArgumentException("states must name at least one run state, or be null for every state");
        }
    }

    /** The plan a run executes (from its first event). @throws StoreException.UnknownRun */
    Plan plan(String runId);

    /** Ticket projections of a run, in plan order. */
    List<TicketView> tickets(String runId);

    /** Attempt projections of a run, by ticket then attempt. */
    List<AttemptView> attempts(String runId);

    /** Up to {@code limit} events with {@code seq > afterSeq}, in order. */
    List<StoredEvent> events(String runId, long afterSeq, int limit);

    /**
     * The run's {@link TimeMark}s, the events that say when it was executed and when its tickets waited at their approval
     * gates ({@link TimeMarks#kept}), in sequence order, kept in the same transactions as its events: a handful of rows,
     * whatever the size of the run. Empty (not an empty list) when this store did not keep them from the run's first
     * event (a run created before the store kept them; a store that keeps none, the default) or there is no such run:
     * then only its events ({@link #events}) say those times.
     *
     * @throws StoreException when the store cannot be read
     */
    default Optional<List<TimeMark>> timeMarks(String runId) {
        return Optional.empty();
    }

    /**
     * Puts a command in the run's inbox; returns it with its id.
     *
     * @throws StoreException.UnknownRun      when there is no such run
     * @throws StoreException.PendingDecision when the command approves or rejects a ticket that already has an
     *                                        approval or rejection pending; checked in the same transaction as the
     *                                        insert, so of two racing decisions exactly one is recorded
     * @throws StoreException                 when the run has no such ticket
     */
    RunCommand submitCommand(RunCommand command);

    /** Commands of the run not yet applied, oldest first. */
    List<RunCommand> pendingCommands(String runId);

    /**
     * Marks commands applied, in one transaction with nothing else; called by the coordinator after
     * the events the commands caused are durable.
     */
    void markCommandsApplied(String runId, long epoch, List<Long> commandIds);

    /**
     * Sends what the user should know about the store while it works for them (for example that another process holds
     * the database's write lock, so writes wait) to {@code sink}, until the returned handle is run: the notices about
     * writes to runs that have no sink of their own ({@link #noticesTo(String, java.util.function.Consumer)}), and about
     * writes to no run; of such sinks added and not yet removed, the latest gets each (a command's output). Called on
     * the store's own threads: {@code sink} must be fast and thread-safe. By default the store has nothing to say.
     *
     * @return removes {@code sink}; idempotent
     */
    default Runnable noticesTo(java.util.function.Consumer<String> sink) {
        return () -> {};
    }

    /**
     * {@link #noticesTo(java.util.function.Consumer)} for the notices about writes to run {@code runId} (a coordinator
     * adds the run's output while it executes): with several runs on one store (a server), each run's output says why
     * its own writes stall, and only those that do. Of the sinks added for the run and not yet removed, the latest
     * gets each. By default the same as {@link #noticesTo(java.util.function.Consumer)}.
     *
     * @return removes {@code sink}; idempotent
     */
    default Runnable noticesTo(String runId, java.util.function.Consumer<String> sink) {
        return noticesTo(sink);
    }

    /**
     * Makes this store's writes for run {@code runId} stop waiting for a lock that another connection holds on the
     * whole database (a {@code sqlite3} session in a transaction, a backup), for a coordinator whose user asked it to
     * stop (Ctrl-C): such a wait ends at the latest {@link #GIVEN_UP_LOCK_WAIT_MILLIS} after the store's writes began
     * waiting (an earlier write's wait, the one the coordinator was blocked in, counts), at once if they began earlier,
     * and the write fails with {@link StoreException.Unavailable} naming {@code why} and how long the writes waited in
     * all, with nothing of it written. Without this the coordinator, blocked in the write, would act on the stop only when the wait ends (up to
     * a minute). Writes of other runs wait as before. Holds until the run is released ({@link #releaseRun}: its coordinator is
     * done) or claimed again ({@link #claimRun}); asked of a run this store neither holds nor is claiming (a finished
     * run, a refused claim) it does nothing, so nothing is kept for the store's life.
     * Thread-safe; by default nothing (a store that never waits for such a lock).
     *
     * @param why what asked the run to stop, for the error (for example {@code SIGINT (Ctrl-C)})
     */
    default void stopWaitingForLocks(String runId, String why) {}

    /** See {@link #stopWaitingForLocks}: how long a write of a run asked to stop still waits for a lock, in milliseconds. */
    long GIVEN_UP_LOCK_WAIT_MILLIS = 2_000;

    /** Current time on the store clock, epoch milliseconds. */
    long now();

    @Override
    void close();
}
