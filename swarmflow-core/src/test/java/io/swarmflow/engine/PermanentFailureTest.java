package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.When;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A permanent failure ({@link AttemptResult#failedForGood}) is not retried, neither at once nor on a resume. */
class PermanentFailureTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }

    Map<String, TicketView> tickets(String runId) {
        return store.tickets(runId).stream().collect(Collectors.toMap(TicketView::ticketId, t -> t));
    }

    @Test
    void aPermanentFailureIsNotRetriedWhileANormalOneIs() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("refused")
                ? AttemptResult.failedForGood(null, "not started: refused")
                : a < 3 ? AttemptResult.failed(1, "flaky") : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans()
                .ticket("refused", When.SUCCESS, 3, ApprovalMode.NONE, "noop", 0)
                .ticket("flaky", When.SUCCESS, 3, ApprovalMode.NONE, "noop", 0).build(), "spec.yaml");

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);

        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("refused").state()).isEqualTo(TicketState.FAILED);
        assertThat(t.get("refused").attempt()).isEqualTo(1);
        assertThat(t.get("refused").reason()).isEqualTo("not started: refused (no retry: it would fail the same way)");
        assertThat(exec.started).filteredOn(s -> s.startsWith("refused#")).containsExactly("refused#1");
        // a normal failure still retries
        assertThat(t.get("flaky").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(t.get("flaky").attempt()).isEqualTo(3);
        assertThat(store.attempts(run)).extracting(a -> a.ticketId() + "#" + a.attempt() + " " + a.permanent())
                .containsExactlyInAnyOrder("refused#1 true", "flaky#1 false", "flaky#2 false", "flaky#3 false");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aPermanentFailureWithoutRetriesLeftSaysNothingOfRetries() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.failedForGood(null, "not started: refused"));
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("refused").build(), "spec.yaml");

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);
        assertThat(tickets(run).get("refused").reason()).isEqualTo("not started: refused");
        // the reason cannot tell it from an ordinary failure with retries: 0; the attempt and its event can
        assertThat(store.attempts(run)).extracting(AttemptView::permanent).containsExactly(true);
        assertThat(finishedEvents(run)).extracting(RunEvent.AttemptFinished::permanent).containsExactly(true);
    }

    @Test
    void aPermanentFailureAfterAnOrdinaryOneEndsTheRetriesAndOnlyItsAttemptIsMarked() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> a == 1
                ? AttemptResult.failed(1, "exited with code 1")
                : AttemptResult.failedForGood(null, "not started: refused"));
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("refused", When.SUCCESS, 3, ApprovalMode.NONE, "noop", 0).build(),
                "spec.yaml");

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);

        TicketView t = tickets(run).get("refused");
        assertThat(t.state()).isEqualTo(TicketState.FAILED);
        assertThat(t.attempt()).as("two of its four attempts ran").isEqualTo(2);
        assertThat(t.reason()).isEqualTo("not started: refused (after 2 attempts) (no retry: it would fail the same way)");
        assertThat(exec.started).containsExactly("refused#1", "refused#2");
        assertThat(store.attempts(run)).extracting(a -> a.attempt() + " " + a.outcome() + " " + a.permanent())
                .containsExactly("1 " + Outcome.FAILED + " false", "2 " + Outcome.FAILED + " true");
        assertThat(finishedEvents(run)).extracting(RunEvent.AttemptFinished::permanent).containsExactly(false, true);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void onlyAPermanentFailureIsMarkedPermanent() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("refused")
                ? AttemptResult.failedForGood(null, "not started: refused")
                : t.equals("failing") ? AttemptResult.failed(2, "exited with code 2") : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("refused").ticket("failing").ticket("ok").build(), "spec.yaml");

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);

        assertThat(store.attempts(run)).extracting(a -> a.ticketId() + " " + a.permanent())
                .containsExactlyInAnyOrder("refused true", "failing false", "ok false");
    }

    private List<RunEvent.AttemptFinished> finishedEvents(String run) {
        return store.events(run, 0, Integer.MAX_VALUE).stream().map(StoredEvent::event)
                .filter(e -> e instanceof RunEvent.AttemptFinished).map(e -> (RunEvent.AttemptFinished) e).toList();
    }

    @Test
    void aPermanentFailureWhileTheRunIsCancelledIsNotRetriedOnResume() throws Exception {
        // a normal failure while the run is being cancelled is cancelled "to retry on resume"; a permanent one fails for
        // good at once, recorded with its attempt's end, so the resume does not start it again
        CountDownLatch startedOnce = new CountDownLatch(1);
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                started.add(r.ticket().id() + "#" + r.attempt());
                CountDownLatch cancelled = new CountDownLatch(1);
                c.onCancel(cancelled::countDown);
                startedOnce.countDown();
                cancelled.await();
                return AttemptResult.failedForGood(null, "not started: refused");
            }
        };
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("refused", When.SUCCESS, 3, ApprovalMode.NONE, "noop", 0).build(),
                "spec.yaml");
        RunEngine engine = service.engine(run, options(), null);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> first = pool.submit(engine::execute);
            startedOnce.await();
            engine.cancel("test");
            RunState end = first.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(tickets(run).get("refused").state()).isEqualTo(TicketState.FAILED);
            assertThat(tickets(run).get("refused").reason()).isEqualTo("not started: refused (no retry: it would fail the same way)");
            assertThat(end).isIn(RunState.FAILED, RunState.CANCELLED);
        } finally {
            pool.shutdownNow();
        }

        RunState resumed = service.engine(run, options(), null).execute();

        assertThat(exec.started).containsExactly("refused#1");
        assertThat(tickets(run).get("refused").state()).isEqualTo(TicketState.FAILED);
        assertThat(store.attempts(run)).extracting(a -> a.outcome()).containsExactly(Outcome.FAILED);
        assertThat(resumed).isIn(RunState.FAILED, RunState.CANCELLED);
    }
}
