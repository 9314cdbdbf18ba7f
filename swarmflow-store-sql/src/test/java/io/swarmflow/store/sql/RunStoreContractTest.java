package io.swarmflow.store.sql;

import io.swarmflow.store.Appended;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.Projection;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.AttemptFinished;
import io.swarmflow.store.RunEvent.AttemptStarted;
import io.swarmflow.store.RunEvent.RunStarted;
import io.swarmflow.store.RunEvent.TicketReady;
import io.swarmflow.store.RunEvent.TicketRetryScheduled;
import io.swarmflow.store.RunEvent.TicketSucceeded;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The behaviour every {@link RunStore} must have; one subclass per engine runs it against the real
 * engine.
 */
abstract class RunStoreContractTest {
    private static final long LEASE = 60_000;

    /** The store under test; fresh and empty at the start of each test. */
    protected abstract RunStore store();

    /** Closes {@link #store()} and opens a new instance on the same data; it becomes {@link #store()}. */
    protected abstract RunStore reopen();

    /**
     * How far {@link RunStore#now()} may run ahead of the clock the next write's leases are computed from, in ms: 0
     * where both are this host's clock (SQLite). Where leases follow the server's clock, {@code now()} is this host's
     * clock plus an offset estimated from a round trip, off by up to half that round trip either way (RFC 5905 §8).
     */
    protected long clockEstimateSlackMillis() {
        return 0;
    }

    /** Creates a run with {@code tickets} tickets, claims it as {@code owner} and appends run-started; returns the epoch. */
    protected long startRun(String runId, int tickets) {
        store().createRun(TestPlans.created(runId, tickets));
        long epoch = store().claimRun(runId, "host:1", LEASE);
        append(runId, epoch, new RunStarted(epoch, "host:1", false));
        return epoch;
    }

    protected long append(String runId, long epoch, RunEvent... events) {
        return store().append(runId, epoch, List.of(events)).join();
    }

    protected static Throwable failure(CompletableFuture<?> f) {
        Throwable t = catchThrowable(f::join);
        return t instanceof CompletionException ce ? ce.getCause() : t;
    }

    /** Asserts the stored projections equal a replay of the stored events. */
    protected void assertReplayEquals(String runId) {
        List<StoredEvent> events = store().events(runId, 0, Integer.MAX_VALUE);
        Projection replayed = Projection.replay(events);
        assertThat(store().run(runId)).contains(replayed.run());
        assertThat(store().tickets(runId)).isEqualTo(replayed.tickets());
        Comparator<AttemptView> byTicketThenAttempt = Comparator
                .comparingInt((AttemptView a) -> replayed.ticket(a.ticketId()).index()).thenComparingInt(AttemptView::attempt);
        assertThat(store().attempts(runId)).isEqualTo(replayed.attempts().stream().sorted(byTicketThenAttempt).toList());
        assertThat(store().timeMarks(runId)).as("time marks").contains(io.swarmflow.store.TimeMarks.replay(events));
    }

    /**
     * The events that say when a run was executed and when its tickets waited at their gates are kept apart
     * ({@link io.swarmflow.store.TimeMarks}), in the same transactions, so that a resumed or gated run's times are read
     * without reading all of its events: its starts (a resume's with the time of the event before it, the last of the
     * coordinator that stopped), its ends, and its gates' waits; an ungated ticket's events are not kept.
     */
    @Test
    void aRunKeepsTheEventsThatSayItsSessionsAndGateWaitsApart() {
        long epoch = startRun("r1", 4);
        append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE));
        append("r1", epoch, new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of()), new TicketSucceeded("t0", 1),
                new RunEvent.TicketAwaitingApproval("t1"), new RunEvent.TicketAwaitingApproval("t2"),
                new RunEvent.TicketAwaitingApproval("t3"));
        long lastOfStopped = append("r1", epoch, new RunEvent.ApprovalGranted("t1", "ann"));
        store().releaseRun("r1", epoch); // the coordinator stopped without an end (released: no lease to wait out)
        long second = store().claimRun("r1", "host:2", LEASE);
        append("r1", second, new RunStarted(second, "host:2", true), new RunEvent.TicketFailed("t1", "gone"));
        append("r1", second, new RunEvent.TicketCancelled("t2", "cancelled"), new RunEvent.ApprovalRejected("t3", "bob", "no"),
                new RunEvent.TicketFailed("t3", "rejected"), new RunEvent.RunFinished(RunState.FAILED));

        List<StoredEvent> events = store().events("r1", 0, Integer.MAX_VALUE);
        long stoppedAt = events.get((int) lastOfStopped - 1).atEpochMillis();
        List<io.swarmflow.store.TimeMark> marks = store().timeMarks("r1").orElseThrow();
        assertThat(marks).extracting(m -> m.event().getClass().getSimpleName() + (m.event().ticketId() == null ? "" : " " + m.event().ticketId()))
                .containsExactly("RunStarted", "TicketAwaitingApproval t1", "TicketAwaitingApproval t2", "TicketAwaitingApproval t3",
                        "ApprovalGranted t1", "RunStarted", "TicketCancelled t2", "ApprovalRejected t3", "RunFinished");
        assertThat(marks.get(5).previousAtMillis()).as("the resume's start: the time of the stopped coordinator's last event")
                .isEqualTo(stoppedAt);
        assertThat(marks.get(0).previousAtMillis()).isEqualTo(events.getFirst().atEpochMillis());
        for (io.swarmflow.store.TimeMark m : marks) {
            StoredEvent e = events.get((int) m.seq() - 1);
            assertThat(m.stored("r1")).isEqualTo(e);
            if (!(m.event() instanceof RunStarted)) assertThat(m.previousAtMillis()).isZero();
        }
        assertReplayEquals("r1");
        assertThat(reopen().timeMarks("r1")).contains(marks);
        assertThat(store().timeMarks("nope")).isEmpty();
    }

    /** A rejected append keeps none of its events' time marks, and the accepted ones around it keep theirs. */
    @Test
    void aRejectedAppendKeepsNoTimeMark() {
        long epoch = startRun("r1", 2);
        CompletableFuture<Long> ok = store().append("r1", epoch, List.of(new RunEvent.TicketAwaitingApproval("t0")));
        CompletableFuture<Long> bad = store().append("r1", epoch, List.of(new RunEvent.TicketAwaitingApproval("t1"),
                new AttemptStarted("t1", 1, LEASE))); // t1 is not ready: stale
        assertThat(ok.join()).isEqualTo(3);
        assertThat(failure(bad)).isInstanceOf(StoreException.StaleAttempt.class);
        assertThat(store().timeMarks("r1").orElseThrow()).extracting(io.swarmflow.store.TimeMark::seq).containsExactly(2L, 3L);
        assertReplayEquals("r1");
    }

    /** {@code swarm runs} shows it from the runs table, without reading each run's plan. */
    @Test
    void aRunKeepsTheFirstLineOfItsDescriptionInItsRow() {
        store().createRun(TestPlans.created("r1", 1, " \tNightly build of the site\t\r\nIt also checks the links.\n"));
        store().createRun(TestPlans.created("r2", 1, "\nthe first line is empty"));
        store().createRun(TestPlans.created("r3", 1, ""));

        assertThat(store().run("r1").orElseThrow().description()).isEqualTo("Nightly build of the site");
        assertThat(store().runs()).extracting(RunView::runId, RunView::description)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("r3", null), org.assertj.core.groups.Tuple.tuple("r2", null),
                        org.assertj.core.groups.Tuple.tuple("r1", "Nightly build of the site"));
        long epoch = store().claimRun("r1", "host:1", LEASE);
        append("r1", epoch, new RunStarted(epoch, "host:1", false));
        assertThat(store().run("r1").orElseThrow().description()).as("kept by later events").isEqualTo("Nightly build of the site");
        assertReplayEquals("r1");
        assertThat(reopen().run("r1").orElseThrow().description()).isEqualTo("Nightly build of the site");
    }

    /**
     * The free text of ticket and attempt rows (reasons, outputs) is stored as given, whatever it holds: quotes,
     * backslashes, braces and commas, the words NULL and null, nothing at all, spaces at its ends, non-ASCII; and no text
     * stays null. The SQL stores write a transaction's rows of a table either one by one or, with
     * {@link Dialect#setBasedWrites}, as arrays, whose text form has to quote such values.
     */
    @Test
    void freeTextInTicketAndAttemptRowsIsStoredAsGiven() {
        List<String> texts = java.util.Arrays.asList("NULL", "null", "", " spaced\t", "a \"quoted\", {braced} back\\slash\\",
                "naïve ☃ 日本語 \uD83D\uDE80", "{}", "line\nbreak", null);
        int n = texts.size();
        long epoch = startRun("r1", 2 * n);
        List<RunEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String text = texts.get(i);
            String failed = "t" + i; // its reasons hold the text
            events.add(new TicketReady(failed));
            events.add(new AttemptStarted(failed, 1, LEASE));
            events.add(new AttemptFinished(failed, 1, Outcome.FAILED, i % 2 == 0 ? null : i, text, Map.of(), text == null ? null : (long) i));
            events.add(new RunEvent.TicketFailed(failed, text));
            String succeeded = "t" + (n + i); // its output holds the text
            events.add(new TicketReady(succeeded));
            events.add(new AttemptStarted(succeeded, 1, LEASE));
            events.add(new AttemptFinished(succeeded, 1, Outcome.SUCCEEDED, 0, null, text == null ? Map.of() : Map.of("out", text)));
            events.add(new TicketSucceeded(succeeded, 1));
        }
        store().append("r1", epoch, events).join();

        List<TicketView> tickets = store().tickets("r1");
        assertThat(tickets.subList(0, n)).extracting(TicketView::reason).containsExactlyElementsOf(texts);
        assertThat(tickets.subList(n, 2 * n)).extracting(t -> t.outputs().get("out")).containsExactlyElementsOf(texts);
        assertThat(store().attempts("r1").subList(0, n)).extracting(AttemptView::reason).containsExactlyElementsOf(texts);
        assertReplayEquals("r1");
    }

    @Test
    void createdRunCanBeReadBack() {
        RunEvent.RunCreated created = TestPlans.created("r1", 3);
        RunView view = store().createRun(created);

        assertThat(view.runId()).isEqualTo("r1");
        assertThat(view.state()).isEqualTo(RunState.CREATED);
        assertThat(view.ticketCount()).isEqualTo(3);
        assertThat(view.lastSeq()).isEqualTo(1);
        assertThat(store().run("r1")).contains(view);
        assertThat(store().plan("r1")).isEqualTo(created.plan());
        assertThat(store().tickets("r1")).extracting(TicketView::ticketId).containsExactly("t0", "t1", "t2");
        assertThat(store().tickets("r1")).extracting(TicketView::state).containsOnly(TicketState.PENDING);
        assertThat(store().events("r1", 0, 10)).singleElement().satisfies(e -> {
            assertThat(e.seq()).isEqualTo(1);
            assertThat(e.event()).isEqualTo(created);
        });
        assertThat(store().run("nope")).isEmpty();
        assertThatThrownBy(() -> store().plan("nope")).isInstanceOf(StoreException.UnknownRun.class);
    }

    @Test
    void runsAreListedNewestFirst() {
        store().createRun(TestPlans.created("a", 1));
        store().createRun(TestPlans.created("b", 1));
        store().createRun(TestPlans.created("c", 1));
        assertThat(store().runs()).extracting(RunView::runId).containsExactly("c", "b", "a");
    }

    @Test
    void duplicateRunIdIsRejectedAndChangesNothing() {
        store().createRun(TestPlans.created("r1", 2));
        assertThatThrownBy(() -> store().createRun(TestPlans.created("r1", 5))).isInstanceOf(StoreException.class)
                .hasMessageContaining("r1 already exists");
        assertThat(store().tickets("r1")).hasSize(2);
        assertThat(store().events("r1", 0, 10)).hasSize(1);
    }

    @Test
    void appendUpdatesProjectionsAndReturnsTheLastSeq() {
        long epoch = startRun("r1", 2);
        long seq = append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE));
        assertThat(seq).isEqualTo(4);
        seq = append("r1", epoch, new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of("answer", "42")),
                new TicketSucceeded("t0", 1));
        assertThat(seq).isEqualTo(6);

        TicketView t0 = store().tickets("r1").getFirst();
        assertThat(t0.state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(t0.attempt()).isEqualTo(1);
        assertThat(t0.exitCode()).isZero();
        assertThat(t0.outputs()).containsEntry("answer", "42");
        assertThat(t0.finishedAtMillis()).isPositive();
        assertThat(store().attempts("r1")).singleElement().satisfies(a -> {
            assertThat(a.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(a.isRunning()).isFalse();
        });
        RunView run = store().run("r1").orElseThrow();
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        assertThat(run.epoch()).isEqualTo(epoch);
        assertThat(run.owner()).isEqualTo("host:1");
        assertThat(run.lastSeq()).isEqualTo(6);
        List<StoredEvent> events = store().events("r1", 0, 100);
        assertThat(events).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events).allSatisfy(e -> assertThat(e.atEpochMillis()).isBetween(run.createdAtMillis(), store().now()));
        assertReplayEquals("r1");
    }

    /**
     * An append's acknowledgement carries where its events are in the log and the time they were recorded at: the one
     * {@link RunStore#events} reads back for each of them, so a coordinator need not read them back (the live view's
     * times). Appends submitted together (a group commit) and one of another run among them, each with its own events.
     */
    @Test
    void anAppendIsAcknowledgedWithTheTimeEachOfItsEventsWasRecordedAt() {
        long epoch = startRun("r1", 3);
        long other = startRun("r2", 1);
        List<List<RunEvent>> batches = List.of(
                List.of(new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE)),
                List.of(new TicketReady("t1")),
                List.of(new TicketReady("t2"), new AttemptStarted("t1", 1, LEASE), new AttemptStarted("t2", 1, LEASE)),
                List.of(new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of()), new TicketSucceeded("t0", 1)));
        List<CompletableFuture<Appended>> acks = new ArrayList<>();
        CompletableFuture<Appended> otherAck = null;
        for (List<RunEvent> batch : batches) {
            acks.add(store().appendRecorded("r1", epoch, batch)); // not waited for: they may share a transaction
            if (otherAck == null) otherAck = store().appendRecorded("r2", other, List.of(new TicketReady("t0")));
        }

        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        List<StoredEvent> log = store().events("r1", 2, 100); // after run-created and run-started
        assertThat(log).hasSize(batches.stream().mapToInt(List::size).sum());
        int at = 0;
        for (int i = 0; i < batches.size(); i++) {
            Appended ack = acks.get(i).join();
            List<StoredEvent> own = log.subList(at, at + batches.get(i).size());
            at += batches.get(i).size();
            assertThat(ack.lastSeq()).as("append %d's last seq", i).isEqualTo(own.getLast().seq());
            assertThat(own).as("append %d's events", i).extracting(StoredEvent::event).isEqualTo(batches.get(i));
            assertThat(own).as("append %d's events' times", i).extracting(StoredEvent::atEpochMillis)
                    .containsOnly(ack.atEpochMillis());
        }
        Appended ack = otherAck.join();
        assertThat(store().events("r2", 2, 100)).singleElement().satisfies(e -> {
            assertThat(e.seq()).isEqualTo(ack.lastSeq()).isEqualTo(3);
            assertThat(e.atEpochMillis()).isEqualTo(ack.atEpochMillis());
        });
        // and append, its last seq
        assertThat(store().append("r1", epoch, List.of(new AttemptFinished("t1", 1, Outcome.SUCCEEDED, 0, null, Map.of()),
                new TicketSucceeded("t1", 1))).join()).isEqualTo(log.getLast().seq() + 2);
    }

    @Test
    void staleAttemptIsRejectedAndNothingIsWritten() {
        long epoch = startRun("r1", 1);
        append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE),
                new AttemptFinished("t0", 1, Outcome.FAILED, 1, "exit 1", Map.of()),
                new TicketRetryScheduled("t0", 0), new TicketReady("t0"), new AttemptStarted("t0", 2, LEASE));
        List<StoredEvent> before = store().events("r1", 0, 100);
        List<TicketView> ticketsBefore = store().tickets("r1");

        Throwable t = failure(store().append("r1", epoch, List.of(
                new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of()), new TicketSucceeded("t0", 1))));

        assertThat(t).isInstanceOf(StoreException.StaleAttempt.class).hasMessageContaining("t0");
        assertThat(store().events("r1", 0, 100)).isEqualTo(before);
        assertThat(store().tickets("r1")).isEqualTo(ticketsBefore);
        // a coordinator that had an append rejected may have pipelined appends that assumed it: refused until it claims again
        assertThat(failure(store().append("r1", epoch, List.of(new AttemptFinished("t0", 2, Outcome.SUCCEEDED, 0, null, Map.of())))))
                .isInstanceOf(StoreException.EarlierAppendFailed.class).hasMessageContaining("earlier append").hasCause(t);
        store().releaseRun("r1", epoch);
        long again = store().claimRun("r1", "host:1", LEASE);
        // the current attempt then completes normally, with the next sequence number
        assertThat(append("r1", again, new AttemptFinished("t0", 2, Outcome.SUCCEEDED, 0, null, Map.of()),
                new TicketSucceeded("t0", 2))).isEqualTo(before.getLast().seq() + 2);
        assertReplayEquals("r1");
    }

    @Test
    void secondSuccessOfATicketIsRejected() {
        long epoch = startRun("r1", 1);
        append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE),
                new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of()), new TicketSucceeded("t0", 1));
        long last = store().run("r1").orElseThrow().lastSeq();

        assertThat(failure(store().append("r1", epoch, List.of(new TicketSucceeded("t0", 1)))))
                .isInstanceOf(StoreException.StaleAttempt.class).hasMessageContaining("already succeeded");
        assertThat(store().run("r1").orElseThrow().lastSeq()).isEqualTo(last);
    }

    @Test
    void writeWithALowerEpochIsFenced() {
        long first = startRun("r1", 1);
        store().releaseRun("r1", first);
        long second = store().claimRun("r1", "host:2", LEASE);
        assertThat(second).isGreaterThan(first);

        assertThat(failure(store().append("r1", first, List.of(new TicketReady("t0")))))
                .isInstanceOf(StoreException.Fenced.class).hasMessageContaining("r1");
        assertThatThrownBy(() -> store().heartbeat("r1", first, LEASE)).isInstanceOf(StoreException.Fenced.class);
        assertThat(store().tickets("r1").getFirst().state()).isEqualTo(TicketState.PENDING);
        assertThat(append("r1", second, new RunStarted(second, "host:2", true), new TicketReady("t0"))).isEqualTo(4);
    }

    @Test
    void rejectedRequestDoesNotAffectOtherRunsOfTheBatchButStopsItsCoordinator() {
        long epoch = startRun("r1", 3);
        long other = startRun("r2", 3);
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        futures.add(store().append("r1", epoch, List.of(new TicketReady("t0"))));
        futures.add(store().append("r2", other, List.of(new TicketReady("t0"))));
        // valid first event, stale second one: the whole request must be dropped, including t1's ready
        futures.add(store().append("r1", epoch, List.of(new TicketReady("t1"), new AttemptFinished("t1", 7, Outcome.FAILED, 1, null, Map.of()))));
        futures.add(store().append("r1", epoch - 1, List.of(new TicketReady("t2"))));
        futures.add(store().append("r2", other, List.of(new AttemptStarted("t0", 1, LEASE))));
        futures.add(store().append("r1", epoch, List.of(new AttemptStarted("t0", 1, LEASE))));

        assertThat(futures.get(0).join()).isEqualTo(3);
        assertThat(futures.get(1).join()).isEqualTo(3);
        assertThat(failure(futures.get(2))).isInstanceOf(StoreException.StaleAttempt.class);
        assertThat(failure(futures.get(3))).isInstanceOf(StoreException.Fenced.class);
        assertThat(futures.get(4).join()).isEqualTo(4);
        // r1's coordinator lost an append: what it sent after it (which may depend on it) is refused
        // not as a takeover: with the lost append's failure as the cause
        assertThat(failure(futures.get(5))).isInstanceOf(StoreException.EarlierAppendFailed.class)
                .hasCause(failure(futures.get(2)));
        assertThat(store().tickets("r1")).extracting(TicketView::state)
                .containsExactly(TicketState.READY, TicketState.PENDING, TicketState.PENDING);
        assertThat(store().tickets("r2")).extracting(TicketView::state)
                .containsExactly(TicketState.RUNNING, TicketState.PENDING, TicketState.PENDING);
        assertReplayEquals("r1");
        assertReplayEquals("r2");
        reopen();
        assertThat(store().tickets("r1")).extracting(TicketView::state)
                .containsExactly(TicketState.READY, TicketState.PENDING, TicketState.PENDING);
    }

    @Test
    void claimIsRefusedWhileAnotherOwnerHoldsAnUnexpiredLease() {
        store().createRun(TestPlans.created("r1", 1));
        long epoch = store().claimRun("r1", "alpha:11", LEASE);
        assertThat(epoch).isEqualTo(1);

        assertThatThrownBy(() -> store().claimRun("r1", "beta:22", LEASE))
                .isInstanceOf(StoreException.RunLocked.class)
                .hasMessageContaining("alpha:11").hasMessageContaining("until").hasMessageContaining("swarm cancel");
        assertThatThrownBy(() -> store().claimRun("nope", "beta:22", LEASE)).isInstanceOf(StoreException.UnknownRun.class);
    }

    @Test
    void claimSucceedsOnceTheLeaseExpired() {
        store().createRun(TestPlans.created("r1", 1));
        store().claimRun("r1", "alpha:11", 50);
        long end = store().now() + 50 + clockEstimateSlackMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> store().now() > end);

        assertThat(store().claimRun("r1", "beta:22", LEASE)).isEqualTo(2);
    }

    @Test
    void releasedRunCanBeClaimedAtOnce() {
        store().createRun(TestPlans.created("r1", 1));
        long epoch = store().claimRun("r1", "alpha:11", LEASE);
        store().releaseRun("r1", epoch);
        assertThat(store().claimRun("r1", "beta:22", LEASE)).isEqualTo(epoch + 1);
    }

    @Test
    void commandsWaitInTheInboxUntilApplied() {
        long epoch = startRun("r1", 2);
        RunCommand approve = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.APPROVE, "t1", "ann@box", null, 0));
        RunCommand cancel = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.CANCEL, null, "bob@box", "enough", 0));
        assertThat(approve.id()).isPositive();
        assertThat(cancel.id()).isGreaterThan(approve.id());
        assertThat(approve.createdAtMillis()).isPositive();
        assertThat(store().pendingCommands("r1")).containsExactly(approve, cancel);

        assertThatThrownBy(() -> store().markCommandsApplied("r1", epoch + 1, List.of(approve.id())))
                .isInstanceOf(StoreException.Fenced.class);
        store().markCommandsApplied("r1", epoch, List.of(approve.id()));
        assertThat(store().pendingCommands("r1")).containsExactly(cancel);

        assertThatThrownBy(() -> store().submitCommand(new RunCommand(0, "nope", RunCommand.Kind.CANCEL, null, "x", null, 0)))
                .isInstanceOf(StoreException.UnknownRun.class);
        assertThatThrownBy(() -> store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.APPROVE, "t9", "x", null, 0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("t9");
        assertThat(store().pendingCommands("r1")).containsExactly(cancel);
    }

    @Test
    void aSecondDecisionOnATicketIsRefusedWhileTheFirstIsPending() {
        long epoch = startRun("r1", 2);
        RunCommand first = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.APPROVE, "t1", "ann", null, 0));
        for (RunCommand.Kind kind : List.of(RunCommand.Kind.APPROVE, RunCommand.Kind.REJECT)) {
            Throwable refused = catchThrowable(() -> store().submitCommand(new RunCommand(0, "r1", kind, "t1", "bob", "no", 0)));
            assertThat(refused).isInstanceOf(StoreException.PendingDecision.class);
            assertThat(((StoreException.PendingDecision) refused).earlier()).isEqualTo(first);
        }
        // another ticket, and a cancel, are not decisions on this gate
        RunCommand other = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.REJECT, "t0", "bob", "no", 0));
        RunCommand cancel = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.CANCEL, null, "bob", null, 0));
        assertThat(store().pendingCommands("r1")).containsExactly(first, other, cancel);
        // once applied, the gate may be decided again (the engine ignores a decision on a settled gate)
        store().markCommandsApplied("r1", epoch, List.of(first.id()));
        RunCommand later = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.REJECT, "t1", "carol", "late", 0));
        assertThat(store().pendingCommands("r1")).containsExactly(other, cancel, later);
    }

    @Test
    void pagesMayStartInTheMiddleOfOneAppendOfManyEvents() {
        long epoch = startRun("r1", 25);
        List<RunEvent> ready = new ArrayList<>();
        for (int i = 0; i < 25; i++) ready.add(new TicketReady("t" + i));
        store().append("r1", epoch, ready).join();
        List<Long> seqs = new ArrayList<>();
        long after = 0;
        List<StoredEvent> page;
        while (!(page = store().events("r1", after, 7)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(7);
            page.forEach(e -> seqs.add(e.seq()));
            after = page.getLast().seq();
        }
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 27).boxed().toList());
        assertThat(store().events("r1", 13, 2)).extracting(e -> ((TicketReady) e.event()).ticketId()).containsExactly("t11", "t12");
    }

    @Test
    void eventsArePaged() {
        long epoch = startRun("r1", 25);
        for (int i = 0; i < 25; i++) append("r1", epoch, new TicketReady("t" + i));
        // 1 created + 1 started + 25 ready = 27 events
        List<Long> seqs = new ArrayList<>();
        long after = 0;
        List<StoredEvent> page;
        int pages = 0;
        while (!(page = store().events("r1", after, 10)).isEmpty()) {
            assertThat(page.size()).isLessThanOrEqualTo(10);
            page.forEach(e -> seqs.add(e.seq()));
            after = page.getLast().seq();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seqs).hasSize(27).isSorted().first().isEqualTo(1L);
        assertThat(seqs.getLast()).isEqualTo(27L);
        assertThat(store().events("r1", 27, 10)).isEmpty();
    }

    @Test
    void reopeningKeepsEverything() {
        long epoch = startRun("r1", 3);
        append("r1", epoch, new TicketReady("t0"), new AttemptStarted("t0", 1, LEASE));
        RunCommand cmd = store().submitCommand(new RunCommand(0, "r1", RunCommand.Kind.CANCEL, null, "ann", null, 0));
        RunView run = store().run("r1").orElseThrow();
        List<TicketView> tickets = store().tickets("r1");
        List<AttemptView> attempts = store().attempts("r1");
        List<StoredEvent> events = store().events("r1", 0, 100);

        reopen();

        assertThat(store().run("r1")).contains(run);
        assertThat(store().tickets("r1")).isEqualTo(tickets);
        assertThat(store().attempts("r1")).isEqualTo(attempts);
        assertThat(store().events("r1", 0, 100)).isEqualTo(events);
        assertThat(store().pendingCommands("r1")).containsExactly(cmd);
        assertThat(store().plan("r1")).isEqualTo(TestPlans.chain("swarm-r1", 3));
        // the reopened writer continues the run where it was, with the same epoch
        assertThat(append("r1", epoch, new AttemptFinished("t0", 1, Outcome.SUCCEEDED, 0, null, Map.of()),
                new TicketSucceeded("t0", 1))).isEqualTo(run.lastSeq() + 2);
        assertThat(failure(store().append("r1", epoch, List.of(new AttemptStarted("t0", 1, LEASE)))))
                .isInstanceOf(StoreException.StaleAttempt.class);
        assertReplayEquals("r1");
    }
}
