package io.swarmflow.store;

import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.store.RunEvent.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The projection of one run as a pure fold of its events: the single definition of how events
 * change {@link RunView}, {@link TicketView} and {@link AttemptView}. Stores apply it to keep their
 * tables; replaying all events through a fresh instance must give the same rows.
 *
 * <p>{@link #check} is the fencing rule: it rejects an event from a stale attempt (a number that is
 * not the ticket's current running attempt) and a second success of a ticket, before anything is
 * written. Not thread-safe; a store uses one instance per run from its writer thread.
 */
public final class Projection {
    private RunView run;
    private final Map<String, TicketView> tickets = new LinkedHashMap<>();
    private final Map<String, AttemptView> attempts = new LinkedHashMap<>();
    private final Set<String> dirtyTickets = new LinkedHashSet<>();
    private final Set<String> dirtyAttempts = new LinkedHashSet<>();
    private boolean runDirty;

    /** An empty projection, to be fed a {@link RunCreated} first. */
    public Projection() {}

    /** A projection resumed from stored rows (a store's cache after a restart). */
    public Projection(RunView run, List<TicketView> tickets, List<AttemptView> attempts) {
        this.run = run;
        for (TicketView t : tickets) this.tickets.put(t.ticketId(), t);
        for (AttemptView a : attempts) this.attempts.put(key(a.ticketId(), a.attempt()), a);
    }

    private static String key(String ticketId, int attempt) {
        return ticketId + '#' + attempt;
    }

    /** The run's row, or null before a {@link RunCreated} has been applied. */
    public RunView run() {
        return run;
    }

    /**
     * One ticket's row.
     *
     * @param id ticket id
     * @return the ticket's row, or null when the plan has no such ticket (or no run was created yet)
     */
    public TicketView ticket(String id) {
        return tickets.get(id);
    }

    /** A new mutable list of the tickets in plan (topological) order; empty before {@link RunCreated}. */
    public List<TicketView> tickets() {
        return new ArrayList<>(tickets.values());
    }

    /** Attempts in plan order of their tickets, then by attempt number (the order stores return them in). */
    public List<AttemptView> attempts() {
        List<AttemptView> list = new ArrayList<>(attempts.values());
        list.sort(java.util.Comparator.<AttemptView>comparingInt(a -> tickets.get(a.ticketId()).index())
                .thenComparingInt(AttemptView::attempt));
        return list;
    }

    /**
     * One attempt's row.
     *
     * @param ticketId ticket id
     * @param attempt  attempt number, 1-based
     * @return that attempt's row, or null when it was never started
     */
    public AttemptView attempt(String ticketId, int attempt) {
        return attempts.get(key(ticketId, attempt));
    }

    /** Ticket ids changed since the last {@link #clearDirty()}. */
    public Set<String> dirtyTickets() {
        return dirtyTickets;
    }

    /** Attempts ({@code ticket#attempt}) changed since the last {@link #clearDirty()}. */
    public Set<String> dirtyAttempts() {
        return dirtyAttempts;
    }

    /** Whether the run's row changed since the last {@link #clearDirty()}. */
    public boolean runDirty() {
        return runDirty;
    }

    /** Forgets what changed, after the store has written the changed rows. */
    public void clearDirty() {
        dirtyTickets.clear();
        dirtyAttempts.clear();
        runDirty = false;
    }

    /**
     * Throws if applying {@code e} would break fencing or exactly-once completion; changes nothing.
     *
     * @throws StoreException.StaleAttempt for a stale attempt number or a repeated success
     */
    public void check(RunEvent e) {
        if (e instanceof RunCreated) {
            if (run != null) throw new StoreException("run " + run.runId() + " already exists");
            return;
        }
        if (run == null) throw new StoreException("first event of a run must be run-created, got " + e);
        String id = e.ticketId();
        if (id == null) return;
        TicketView t = tickets.get(id);
        if (t == null) throw new StoreException("run " + run.runId() + " has no ticket " + id);
        switch (e) {
            case AttemptStarted s -> {
                if (s.attempt() != t.attempt() + 1) {
                    throw new StoreException.StaleAttempt("ticket " + id + ": attempt " + s.attempt() + " cannot start after attempt " + t.attempt());
                }
                if (t.state() != TicketState.READY) {
                    throw new StoreException.StaleAttempt("ticket " + id + " " + t.state().phrase() + ", not ready: attempt "
                            + s.attempt() + " cannot start");
                }
            }
            case AttemptProcessStarted p -> requireRunning(t, p.attempt());
            case AttemptFinished f -> requireRunning(t, f.attempt());
            case TicketSucceeded s -> {
                if (t.state() == TicketState.SUCCEEDED) {
                    throw new StoreException.StaleAttempt("ticket " + id + " already succeeded (attempt " + t.attempt() + ")");
                }
                if (s.attempt() != t.attempt()) {
                    throw new StoreException.StaleAttempt("ticket " + id + ": success of attempt " + s.attempt() + " but the current attempt is " + t.attempt());
                }
            }
            default -> {
                // other ticket events carry no attempt number
            }
        }
    }

    private void requireRunning(TicketView t, int attempt) {
        AttemptView a = attempts.get(key(t.ticketId(), attempt));
        if (attempt != t.attempt() || a == null || !a.isRunning()) {
            throw new StoreException.StaleAttempt("ticket " + t.ticketId() + ": attempt " + attempt
                    + " is not the running attempt (current " + t.attempt() + ")");
        }
    }

    /** Applies {@code e}, stored at {@code at} (epoch ms). Call {@link #check} first. */
    public void apply(RunEvent e, long seq, long at) {
        switch (e) {
            case RunCreated c -> {
                run = new RunView(c.runId(), c.plan().name(), c.specPath(), RunState.CREATED, at, 0, 0, 0, null,
                        false, c.plan().tickets().size(), seq, RunView.descriptionLine(c.plan().description()));
                int i = 0;
                for (PlannedTicket pt : c.plan().tickets()) {
                    putTicket(new TicketView(c.runId(), pt.id(), i++, TicketState.PENDING, 0, 0, 0, null, null,
                            Map.of(), null, 0, 0, 0));
                }
            }
            case RunStarted s -> run = new RunView(run.runId(), run.name(), run.specPath(), RunState.RUNNING,
                    run.createdAtMillis(), run.startedAtMillis() == 0 ? at : run.startedAtMillis(), 0, s.epoch(),
                    s.owner(), false, run.ticketCount(), run.lastSeq(), run.description());
            case RunCancelRequested r -> run = new RunView(run.runId(), run.name(), run.specPath(), run.state(),
                    run.createdAtMillis(), run.startedAtMillis(), run.finishedAtMillis(), run.epoch(), run.owner(),
                    true, run.ticketCount(), run.lastSeq(), run.description());
            case RunFinished f -> run = new RunView(run.runId(), run.name(), run.specPath(), f.state(),
                    run.createdAtMillis(), run.startedAtMillis(), at, run.epoch(), run.owner(), run.cancelRequested(),
                    run.ticketCount(), run.lastSeq(), run.description());
            case TicketReady r -> ticketState(r.ticketId(), TicketState.READY, null, 0);
            case TicketAwaitingApproval a -> ticketState(a.ticketId(), TicketState.AWAITING_APPROVAL, null, 0);
            case ApprovalGranted g -> {
                TicketView t = tickets.get(g.ticketId());
                putTicket(new TicketView(t.runId(), t.ticketId(), t.index(), TicketState.READY, t.attempt(), t.failures(),
                        t.leaseExpiries(), t.exitCode(), null, t.outputs(), g.by(), t.startedAtMillis(), 0, 0));
            }
            case ApprovalRejected r -> ticketState(r.ticketId(), TicketState.FAILED, r.failureReason(), at);
            case AttemptStarted s -> {
                TicketView t = tickets.get(s.ticketId());
                putTicket(new TicketView(t.runId(), t.ticketId(), t.index(), TicketState.RUNNING, s.attempt(), t.failures(),
                        t.leaseExpiries(), t.exitCode(), null, t.outputs(), t.approvedBy(),
                        t.startedAtMillis() == 0 ? at : t.startedAtMillis(), 0, 0));
                putAttempt(new AttemptView(run.runId(), s.ticketId(), s.attempt(), null, null, null, at, 0, 0, 0, null));
            }
            case AttemptProcessStarted p -> {
                AttemptView a = attempts.get(key(p.ticketId(), p.attempt()));
                putAttempt(new AttemptView(a.runId(), a.ticketId(), a.attempt(), null, null, null, a.startedAtMillis(), 0,
                        p.pid(), p.startTicks(), null, p.coordinator()));
            }
            case AttemptFinished f -> {
                AttemptView a = attempts.get(key(f.ticketId(), f.attempt()));
                putAttempt(new AttemptView(a.runId(), a.ticketId(), a.attempt(), f.outcome(), f.exitCode(), f.reason(),
                        a.startedAtMillis(), at, a.pid(), a.startTicks(), f.outputBytes(), a.coordinator(), f.permanent()));
                TicketView t = tickets.get(f.ticketId());
                boolean failure = f.outcome() == Outcome.FAILED || f.outcome() == Outcome.TIMED_OUT;
                boolean lost = f.outcome() == Outcome.LEASE_EXPIRED;
                putTicket(new TicketView(t.runId(), t.ticketId(), t.index(), t.state(), t.attempt(),
                        t.failures() + (failure ? 1 : 0), t.leaseExpiries() + (lost ? 1 : 0), f.exitCode(), f.reason(),
                        f.outcome() == Outcome.SUCCEEDED ? f.outputs() : Map.of(), t.approvedBy(), t.startedAtMillis(), 0, 0));
            }
            case TicketRetryScheduled r -> {
                TicketView t = tickets.get(r.ticketId());
                putTicket(new TicketView(t.runId(), t.ticketId(), t.index(), TicketState.RETRY_WAIT, t.attempt(), t.failures(),
                        t.leaseExpiries(), t.exitCode(), t.reason(), t.outputs(), t.approvedBy(), t.startedAtMillis(), 0,
                        r.notBeforeEpochMillis()));
            }
            case TicketSucceeded s -> ticketState(s.ticketId(), TicketState.SUCCEEDED, null, at);
            case TicketFailed f -> ticketState(f.ticketId(), TicketState.FAILED, f.reason(), at);
            case TicketSkipped s -> ticketState(s.ticketId(), TicketState.SKIPPED, s.reason(), at);
            case TicketCancelled c -> ticketState(c.ticketId(), TicketState.CANCELLED, c.reason(), at);
            case TicketRequeued r -> ticketState(r.ticketId(), TicketState.PENDING, null, 0);
        }
        run = new RunView(run.runId(), run.name(), run.specPath(), run.state(), run.createdAtMillis(), run.startedAtMillis(),
                run.finishedAtMillis(), run.epoch(), run.owner(), run.cancelRequested(), run.ticketCount(), seq, run.description());
        runDirty = true;
    }

    /**
     * Sets state, reason and finish time; the reason is kept from the previous view when {@code reason} is null and the state is final.
     * A cancelled ticket has a finish time too (when it stopped), cleared again if a resume requeues it.
     */
    private void ticketState(String id, TicketState state, String reason, long finishedAt) {
        TicketView t = tickets.get(id);
        String r = reason != null ? reason : (state == TicketState.SUCCEEDED || state == TicketState.PENDING || state == TicketState.READY
                || state == TicketState.AWAITING_APPROVAL ? null : t.reason());
        putTicket(new TicketView(t.runId(), t.ticketId(), t.index(), state, t.attempt(), t.failures(), t.leaseExpiries(),
                t.exitCode(), r, t.outputs(), t.approvedBy(), t.startedAtMillis(),
                state.isFinal() || state == TicketState.CANCELLED ? finishedAt : 0, 0));
    }

    private void putTicket(TicketView t) {
        tickets.put(t.ticketId(), t);
        dirtyTickets.add(t.ticketId());
    }

    private void putAttempt(AttemptView a) {
        String k = key(a.ticketId(), a.attempt());
        attempts.put(k, a);
        dirtyAttempts.add(k);
    }

    /** Replays {@code events} into a fresh projection (for verification and recovery). */
    public static Projection replay(List<StoredEvent> events) {
        Projection p = new Projection();
        for (StoredEvent se : events) {
            p.check(se.event());
            p.apply(se.event(), se.seq(), se.atEpochMillis());
        }
        return p;
    }

    /** Helper for stores: attempts keyed by {@code ticket#attempt} for a dirty key. */
    public AttemptView attemptByKey(String key) {
        return attempts.get(key);
    }

    /** Counts tickets by state, in enum order. */
    public Map<TicketState, Integer> counts() {
        Map<TicketState, Integer> m = new HashMap<>();
        for (TicketView t : tickets.values()) m.merge(t.state(), 1, Integer::sum);
        return m;
    }
}
