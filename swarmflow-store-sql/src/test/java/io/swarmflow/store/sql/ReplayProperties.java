package io.swarmflow.store.sql;

import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.Projection;
import io.swarmflow.store.TimeMarks;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.*;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoredEvent;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events are the truth: for a random plan and a random valid event sequence appended in random
 * batch sizes (with resumes and approval gates), replaying the stored events gives exactly the stored run, ticket and
 * attempt rows and time marks ({@link TimeMarks}),
 * also after reopening the store. One subclass per engine (the engines write the rows differently:
 * {@link Dialect#setBasedWrites}).
 */
abstract class ReplayProperties {
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** The store under test, open; the same one for all tries of the container. */
    abstract SqlRunStore store();

    /** Closes {@link #store()} and opens it again on the same data; the new one becomes {@link #store()}. */
    abstract void reopen();

    @Property(tries = 60)
    void replayingStoredEventsRebuildsTheStoredProjections(@ForAll @IntRange(min = 1, max = 12) int tickets,
                                                           @ForAll long seed) {
        Random random = new Random(seed);
        SqlRunStore store = store();
        String runId = "run-" + RUNS.incrementAndGet();
        store.createRun(TestPlans.created(runId, tickets));
        long epoch = store.claimRun(runId, "prop:1", 60_000);
        List<RunEvent> events = randomRun(random, epoch, tickets);

        List<CompletableFuture<Long>> futures = new ArrayList<>();
        for (int i = 0; i < events.size(); ) {
            int n = Math.min(events.size() - i, 1 + random.nextInt(6));
            futures.add(store.append(runId, epoch, events.subList(i, i + n)));
            i += n;
        }
        assertThat(futures.getLast().join()).isEqualTo(1 + events.size());

        assertStoredEqualsReplay(store, runId);
        reopen();
        assertStoredEqualsReplay(store(), runId);
    }

    private static void assertStoredEqualsReplay(SqlRunStore store, String runId) {
        List<StoredEvent> stored = store.events(runId, 0, Integer.MAX_VALUE);
        Projection replayed = Projection.replay(stored);
        assertThat(store.run(runId)).contains(replayed.run());
        assertThat(store.tickets(runId)).isEqualTo(replayed.tickets());
        Comparator<AttemptView> order = Comparator
                .comparingInt((AttemptView a) -> replayed.ticket(a.ticketId()).index()).thenComparingInt(AttemptView::attempt);
        assertThat(store.attempts(runId)).isEqualTo(replayed.attempts().stream().sorted(order).toList());
        assertThat(store.timeMarks(runId)).as("time marks kept as the events were appended").contains(TimeMarks.replay(stored));
    }

    /** run-started, then each ticket's own valid life, interleaved at random, then maybe run-finished. */
    private static List<RunEvent> randomRun(Random random, long epoch, int tickets) {
        List<Deque<RunEvent>> lives = new ArrayList<>();
        for (int i = 0; i < tickets; i++) lives.add(new ArrayDeque<>(life(random, "t" + i)));
        List<RunEvent> out = new ArrayList<>();
        out.add(new RunStarted(epoch, "prop:1", false));
        while (!lives.isEmpty()) {
            int pick = random.nextInt(lives.size());
            out.add(lives.get(pick).poll());
            if (lives.get(pick).isEmpty()) lives.remove(pick);
            if (random.nextInt(40) == 0) out.add(new RunCancelRequested("ann@box"));
            if (random.nextInt(30) == 0) { // a resume: after a cancel, or after a coordinator that stopped without an end
                if (random.nextBoolean()) out.add(new RunFinished(RunState.CANCELLED));
                out.add(new RunStarted(epoch, "prop:1", true));
            }
        }
        if (random.nextBoolean()) out.add(new RunFinished(random.nextBoolean() ? RunState.SUCCEEDED : RunState.FAILED));
        return out;
    }

    private static List<RunEvent> life(Random random, String id) {
        List<RunEvent> e = new ArrayList<>();
        if (random.nextInt(5) == 0) {
            e.add(new TicketAwaitingApproval(id));
            switch (random.nextInt(8)) { // what ends the wait: a decision, or the ticket ending at its gate
                case 0, 1 -> {
                    e.add(new ApprovalRejected(id, "bob", random.nextBoolean() ? "not now" : null));
                    if (random.nextBoolean()) e.add(new TicketFailed(id, "rejected"));
                    return e;
                }
                case 2 -> {
                    e.add(new TicketCancelled(id, "cancelled"));
                    return e;
                }
                case 3 -> {
                    e.add(new TicketSkipped(id, "dependency failed"));
                    return e;
                }
                case 4 -> {
                    e.add(new TicketFailed(id, "failed at its gate"));
                    return e;
                }
                default -> {}
            }
            e.add(new ApprovalGranted(id, "ann"));
        } else if (random.nextInt(6) == 0) {
            e.add(new TicketSkipped(id, "dependency failed"));
            return e;
        } else {
            e.add(new TicketReady(id));
        }
        int attempt = 0;
        int failures = random.nextInt(3);
        for (int f = 0; f < failures; f++) {
            attempt++;
            e.add(new AttemptStarted(id, attempt, 30_000));
            if (random.nextBoolean()) e.add(new AttemptProcessStarted(id, attempt, 1000 + random.nextInt(50_000), random.nextInt(1 << 20),
                    coordinator(random)));
            Outcome o = List.of(Outcome.FAILED, Outcome.TIMED_OUT, Outcome.LEASE_EXPIRED, Outcome.CANCELLED).get(random.nextInt(4));
            e.add(new AttemptFinished(id, attempt, o, o == Outcome.FAILED ? 1 + random.nextInt(3) : null, o.label(), Map.of(),
                    outputBytes(random)));
            if (o == Outcome.CANCELLED) {
                e.add(new TicketCancelled(id, "cancelled"));
                e.add(new TicketRequeued(id, "resume"));
            } else {
                e.add(new TicketRetryScheduled(id, 1_000_000L + random.nextInt(1000)));
            }
            e.add(new TicketReady(id));
        }
        attempt++;
        e.add(new AttemptStarted(id, attempt, 30_000));
        if (random.nextInt(4) == 0) {
            e.add(new AttemptFinished(id, attempt, Outcome.FAILED, 2, "exit 2", Map.of()));
            e.add(new TicketFailed(id, "exit 2 after " + attempt + " attempts"));
        } else if (random.nextInt(6) == 0) { // refused before its process started: no retry (AttemptFinished.permanent)
            e.add(new AttemptFinished(id, attempt, Outcome.FAILED, null, "not started: refused", Map.of(), null, true));
            e.add(new TicketFailed(id, "not started: refused (no retry: it would fail the same way)"));
        } else {
            Map<String, String> outputs = random.nextBoolean() ? Map.of() : Map.of("out", "v" + random.nextInt(100));
            e.add(new AttemptFinished(id, attempt, Outcome.SUCCEEDED, 0, null, outputs, outputBytes(random)));
            e.add(new TicketSucceeded(id, attempt));
        }
        return e;
    }

    /** The coordinator that launched a process: none (recorded before it was), or one of two machines'. */
    private static String coordinator(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> null;
            case 1 -> "host-a:" + (1 + random.nextInt(1 << 22)) + "@1700000000000/1";
            default -> "host-b:" + (1 + random.nextInt(1 << 22)) + "@1700000000000/" + (1 + random.nextInt(4));
        };
    }

    /** A count of output bytes as an attempt's end records it: unknown (null), none, or up to several GiB. */
    private static Long outputBytes(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> null;
            case 1 -> 0L;
            default -> random.nextLong(1L << 33);
        };
    }
}
