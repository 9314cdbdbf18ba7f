package io.swarmflow.store.memory;

import io.swarmflow.spec.Plan;
import io.swarmflow.store.Appended;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Projection;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketView;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * A {@link RunStore} in memory, with the same fencing and projection rules as the SQL store
 * (both use {@link Projection}). Not durable: for tests and as a benchmark baseline. All methods
 * are synchronized; appends complete before returning.
 */
public final class InMemoryRunStore implements RunStore {
    private final Map<String, Projection> projections = new HashMap<>();
    private final Map<String, List<StoredEvent>> events = new HashMap<>();
    private final Map<String, List<io.swarmflow.store.TimeMark>> marks = new HashMap<>();
    private final Map<String, Plan> plans = new HashMap<>();
    private final Map<String, long[]> leases = new HashMap<>(); // epoch, leaseUntil
    private final Map<String, String> owners = new HashMap<>();
    private final List<RunCommand> commands = new ArrayList<>();
    private final List<Long> applied = new ArrayList<>();
    /**
     * {@code run#epoch} of coordinators with a failed append, to that first failure: their later appends fail too (as in
     * the SQL store), with {@link StoreException.EarlierAppendFailed} carrying it.
     */
    private final Map<String, StoreException> poisoned = new HashMap<>();
    private final LongSupplier clock;

    /** A store whose clock is {@link System#currentTimeMillis()}. */
    public InMemoryRunStore() {
        this(System::currentTimeMillis);
    }

    /**
     * A store with a given clock, for tests that control time (leases, retry backoff).
     *
     * @param clock the store clock, epoch milliseconds
     */
    public InMemoryRunStore(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public synchronized RunView createRun(RunEvent.RunCreated created) {
        if (projections.containsKey(created.runId())) throw new StoreException("run " + created.runId() + " exists");
        Projection p = new Projection();
        p.check(created);
        long at = clock.getAsLong();
        p.apply(created, 1, at);
        projections.put(created.runId(), p);
        events.put(created.runId(), new ArrayList<>(List.of(new StoredEvent(created.runId(), 1, at, created))));
        plans.put(created.runId(), created.plan());
        marks.put(created.runId(), new ArrayList<>());
        leases.put(created.runId(), new long[]{0, 0});
        return p.run();
    }

    private Projection projection(String runId) {
        Projection p = projections.get(runId);
        if (p == null) throw new StoreException.UnknownRun("no run " + runId);
        return p;
    }

    @Override
    public synchronized long claimRun(String runId, String owner, long leaseMillis) {
        projection(runId);
        long[] l = leases.get(runId);
        long now = clock.getAsLong();
        String current = owners.get(runId);
        if (current != null && !current.equals(owner) && l[1] > now) {
            throw new StoreException.RunLocked("run " + runId + " is held by " + io.swarmflow.store.RunLease.shown(current) + " until " + l[1]);
        }
        l[0]++;
        l[1] = now + leaseMillis;
        owners.put(runId, owner);
        return l[0];
    }

    private void fence(String runId, long epoch) {
        long[] l = leases.get(runId);
        if (l == null) throw new StoreException.UnknownRun("no run " + runId);
        if (l[0] != epoch) throw new StoreException.Fenced("run " + runId + ": epoch " + epoch + " superseded by " + l[0]);
    }

    @Override
    public synchronized void heartbeat(String runId, long epoch, long leaseMillis) {
        fence(runId, epoch);
        leases.get(runId)[1] = clock.getAsLong() + leaseMillis;
    }

    @Override
    public synchronized Optional<io.swarmflow.store.RunLease> lease(String runId) {
        long[] l = leases.get(runId);
        return l == null ? Optional.empty() : Optional.of(new io.swarmflow.store.RunLease(owners.get(runId), l[0], l[1]));
    }

    @Override
    public synchronized void releaseRun(String runId, long epoch) {
        long[] l = leases.get(runId);
        if (l != null && l[0] == epoch) {
            l[1] = 0;
            owners.remove(runId);
        }
    }

    @Override
    public synchronized CompletableFuture<Appended> appendRecorded(String runId, long epoch, List<RunEvent> batch) {
        try {
            fence(runId, epoch);
            StoreException firstFailure = poisoned.get(runId + '#' + epoch);
            if (firstFailure != null) throw new StoreException.EarlierAppendFailed(runId, epoch, firstFailure);
            Projection p = projection(runId);
            long at = clock.getAsLong(); // the one reading of the append: its events' time and its acknowledgement's
            long first = p.run().lastSeq();
            long seq = first;
            List<StoredEvent> log = events.get(runId);
            long previousAt = log.getLast().atEpochMillis();
            List<io.swarmflow.store.TimeMark> kept = new ArrayList<>();
            try {
                for (RunEvent e : batch) {
                    p.check(e);
                    if (io.swarmflow.store.TimeMarks.kept(p, e)) {
                        kept.add(new io.swarmflow.store.TimeMark(seq + 1, at, e, e instanceof RunEvent.RunStarted ? previousAt : 0));
                    }
                    p.apply(e, ++seq, at);
                    previousAt = at;
                }
            } catch (StoreException e) {
                // a rejected request changes nothing: rebuild the projection from the stored events
                if (seq > first) {
                    Projection restored = Projection.replay(events.get(runId));
                    restored.clearDirty();
                    projections.put(runId, restored);
                }
                throw e;
            }
            seq = first;
            for (RunEvent e : batch) log.add(new StoredEvent(runId, ++seq, at, e));
            marks.get(runId).addAll(kept);
            p.clearDirty();
            return CompletableFuture.completedFuture(new Appended(seq, at));
        } catch (StoreException e) {
            if (projections.containsKey(runId) && !(e instanceof StoreException.EarlierAppendFailed)) poisoned.putIfAbsent(runId + '#' + epoch, e);
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public synchronized Optional<RunView> run(String runId) {
        Projection p = projections.get(runId);
        return p == null ? Optional.empty() : Optional.of(p.run());
    }

    @Override
    public synchronized List<RunView> runs() {
        List<RunView> list = new ArrayList<>();
        for (Projection p : projections.values()) list.add(p.run());
        list.sort(Comparator.comparingLong(RunView::createdAtMillis).reversed().thenComparing(RunView::runId, Comparator.reverseOrder()));
        return list;
    }

    @Override
    public synchronized Plan plan(String runId) {
        projection(runId);
        return plans.get(runId);
    }

    @Override
    public synchronized List<TicketView> tickets(String runId) {
        return projection(runId).tickets();
    }

    @Override
    public synchronized List<AttemptView> attempts(String runId) {
        return projection(runId).attempts();
    }

    /** Kept from each run's first event, as {@link io.swarmflow.store.TimeMarks} selects them; empty for an unknown run. */
    @Override
    public synchronized Optional<List<io.swarmflow.store.TimeMark>> timeMarks(String runId) {
        List<io.swarmflow.store.TimeMark> list = marks.get(runId);
        return list == null ? Optional.empty() : Optional.of(List.copyOf(list));
    }

    @Override
    public synchronized List<StoredEvent> events(String runId, long afterSeq, int limit) {
        return slice(events.getOrDefault(runId, List.of()), afterSeq, limit);
    }

    /**
     * The events of {@code log} with a seq above {@code afterSeq}, at most {@code limit} of them, read by index: a run's
     * log holds seqs 1, 2, 3... in order, with no gap (run-created is 1; an append adds its events after the last one,
     * all or none), so the event of seq {@code n} is at index {@code n - 1}. Reads only the events it returns.
     *
     * @param log      a run's events, seq {@code i + 1} at index {@code i}
     * @param afterSeq the seq to start after; 0 or less for the first event
     * @param limit    the most events returned; 0 or less for none
     * @return a new list, empty past the end
     * @throws IllegalStateException when {@code log} does not hold seq {@code i + 1} at index {@code i}
     */
    static List<StoredEvent> slice(List<StoredEvent> log, long afterSeq, int limit) {
        int size = log.size();
        int from = (int) Math.clamp(afterSeq, 0, size);
        int to = (int) Math.min(size, (long) from + Math.max(0, limit));
        List<StoredEvent> out = new ArrayList<>(log.subList(from, to));
        if (!out.isEmpty() && out.getFirst().seq() != from + 1) {
            throw new IllegalStateException("event log of run " + out.getFirst().runId() + " holds seq " + out.getFirst().seq()
                    + " at index " + from + ", where seq " + (from + 1) + " was expected: its seqs are not 1, 2, 3... in order");
        }
        return out;
    }

    @Override
    public synchronized RunCommand submitCommand(RunCommand c) {
        projection(c.runId());
        if (c.kind() != RunCommand.Kind.CANCEL) {
            for (RunCommand p : pendingCommands(c.runId())) {
                if (p.kind() != RunCommand.Kind.CANCEL && p.ticketId().equals(c.ticketId())) throw new StoreException.PendingDecision(p);
            }
        }
        RunCommand stored = new RunCommand(commands.size() + 1L, c.runId(), c.kind(), c.ticketId(), c.by(), c.reason(), clock.getAsLong());
        commands.add(stored);
        return stored;
    }

    @Override
    public synchronized List<RunCommand> pendingCommands(String runId) {
        return commands.stream().filter(c -> c.runId().equals(runId) && !applied.contains(c.id())).toList();
    }

    @Override
    public synchronized void markCommandsApplied(String runId, long epoch, List<Long> ids) {
        fence(runId, epoch);
        applied.addAll(ids);
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public void close() {}
}
