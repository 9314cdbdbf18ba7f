package io.swarmflow.engine;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.When;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/architecture.md's "Ticket lifecycle" against the engine: every change of a ticket's state that runs with gates
 * (approved, rejected), retries, failures, skips, {@code when} conditions, fail-fast, a cancel and a resume make is an
 * arrow of the diagram. (The diagram had a gated ticket pass through {@code ready} before its gate, which it never does,
 * and no arrow for fail-fast's skips.)
 */
class TicketLifecycleDocTest {
    private static final Path ARCHITECTURE = Path.of("..", "docs", "architecture.md");

    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }

    /** The diagram's arrows, {@code from -> to}, each line read as {@code STATES --label--> STATE --label--> STATE...}. */
    static Set<String> documentedTransitions() throws Exception {
        String doc = Files.readString(ARCHITECTURE);
        int section = doc.indexOf("## Ticket lifecycle");
        assertThat(section).as("the section in %s", ARCHITECTURE).isNotNegative();
        int start = doc.indexOf("```", section) + 3;
        String diagram = doc.substring(start, doc.indexOf("```", start));
        Set<String> labels = new TreeSet<>();
        for (TicketState s : TicketState.values()) labels.add(s.label());
        Set<String> arrows = new TreeSet<>();
        for (String line : diagram.lines().filter(l -> !l.isBlank()).toList()) {
            List<List<String>> steps = new ArrayList<>(); // the states of each step; a step naming no state is passed over
            for (String piece : line.split("\\s*--[^>]*?-->\\s*")) {
                List<String> states = Arrays.stream(piece.split(",")).map(p -> p.strip().split("\\s+")[0])
                        .filter(labels::contains).toList();
                if (!states.isEmpty()) steps.add(states);
            }
            for (int i = 0; i + 1 < steps.size(); i++) {
                for (String from : steps.get(i)) for (String to : steps.get(i + 1)) arrows.add(from + " -> " + to);
            }
        }
        return arrows;
    }

    /** The state each event puts its ticket in, as {@code Projection} applies it; null for an event that changes none. */
    private static TicketState stateAfter(RunEvent e) {
        return switch (e) {
            case RunEvent.TicketReady r -> TicketState.READY;
            case RunEvent.TicketAwaitingApproval a -> TicketState.AWAITING_APPROVAL;
            case RunEvent.ApprovalGranted g -> TicketState.READY;
            case RunEvent.ApprovalRejected r -> TicketState.FAILED;
            case RunEvent.AttemptStarted s -> TicketState.RUNNING;
            case RunEvent.TicketRetryScheduled r -> TicketState.RETRY_WAIT;
            case RunEvent.TicketSucceeded s -> TicketState.SUCCEEDED;
            case RunEvent.TicketFailed f -> TicketState.FAILED;
            case RunEvent.TicketSkipped s -> TicketState.SKIPPED;
            case RunEvent.TicketCancelled c -> TicketState.CANCELLED;
            case RunEvent.TicketRequeued r -> TicketState.PENDING;
            default -> null;
        };
    }

    /** Every change of a ticket's state in the run's events, {@code from -> to}. */
    private Set<String> observedTransitions(String runId) {
        Map<String, TicketState> state = new HashMap<>();
        for (TicketView t : store.tickets(runId)) state.put(t.ticketId(), TicketState.PENDING);
        Set<String> seen = new TreeSet<>();
        for (StoredEvent stored : store.events(runId, 0, 1_000_000)) {
            TicketState to = stateAfter(stored.event());
            if (to == null) continue;
            TicketState from = state.put(stored.event().ticketId(), to);
            if (from != to) seen.add(from.label() + " -> " + to.label());
        }
        return seen;
    }

    @Test
    void everyStateChangeOfTheEngineIsAnArrowOfTheDiagram() throws Exception {
        Set<String> observed = new TreeSet<>();

        // retries, a failure, skips, when conditions, an approved gate
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("flaky") && a == 1 || t.equals("lint")
                ? AttemptResult.failed(1, null) : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans()
                .ticket("flaky", When.SUCCESS, 1, ApprovalMode.NONE, "noop", 0)
                .ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0, "flaky")
                .ticket("lint")
                .ticket("after-lint", "lint")
                .ticket("on-lint-failure", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "lint")
                .ticket("on-flaky-failure", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "flaky")
                .ticket("always", When.ALWAYS, 0, ApprovalMode.NONE, "noop", 0, "after-lint")
                .build(), "spec.yaml");
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> service.engine(run, options(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> state(run, "gate") == TicketState.AWAITING_APPROVAL);
            service.approve(run, "gate", "ana");
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(RunState.FAILED);
        }
        observed.addAll(observedTransitions(run));

        // fail-fast after a rejected gate: a running attempt is stopped, waiting tickets are skipped
        CountDownLatch end = new CountDownLatch(1);
        ScriptedExecutor stoppable = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                if (!r.ticket().id().equals("long") || r.attempt() > 1) return super.execute(r, c);
                c.onCancel(end::countDown); // attempt 1 of "long" runs until it is stopped
                end.await();
                return new AttemptResult(Outcome.CANCELLED, null, "cancelled", Map.of());
            }
        };
        RunService failFast = new RunService(store, stoppable);
        String ff = failFast.create(new TestPlans()
                .ticket("merge", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("other-gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("long").ticket("after-long", "long")
                .ticket("notify", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "merge").build(), "spec.yaml");
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> failFast.engine(ff, options().toBuilder().failFast(true).build(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> state(ff, "merge") == TicketState.AWAITING_APPROVAL
                    && state(ff, "other-gate") == TicketState.AWAITING_APPROVAL && state(ff, "long") == TicketState.RUNNING);
            failFast.reject(ff, "merge", "bob", "not now");
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(RunState.FAILED);
        } finally {
            end.countDown();
        }
        observed.addAll(observedTransitions(ff));

        // a cancel while a ticket runs, then a resume
        CountDownLatch stop = new CountDownLatch(1);
        ScriptedExecutor cancellable = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                if (!r.ticket().id().equals("long") || r.attempt() > 1) return super.execute(r, c);
                c.onCancel(stop::countDown);
                stop.await();
                return new AttemptResult(Outcome.CANCELLED, null, "cancelled", Map.of());
            }
        };
        RunService cancelling = new RunService(store, cancellable);
        String cr = cancelling.create(new TestPlans().ticket("long").ticket("after", "long").build(), "spec.yaml");
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            RunEngine engine = cancelling.engine(cr, options(), null);
            Future<RunState> f = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(10)).until(() -> state(cr, "long") == TicketState.RUNNING);
            engine.cancel("test");
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(RunState.CANCELLED);
        } finally {
            stop.countDown();
        }
        assertThat(cancelling.engine(cr, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        observed.addAll(observedTransitions(cr));

        // the scenarios make what they are meant to
        assertThat(observed).contains("pending -> awaiting-approval", "awaiting-approval -> ready", "awaiting-approval -> failed",
                "running -> retry-wait", "retry-wait -> ready", "pending -> skipped", "running -> skipped",
                "awaiting-approval -> skipped", "running -> cancelled", "cancelled -> pending");
        assertThat(documentedTransitions()).as("the arrows of the diagram in %s", ARCHITECTURE).containsAll(observed);
    }

    private TicketState state(String run, String ticket) {
        return store.tickets(run).stream().filter(t -> t.ticketId().equals(ticket)).findFirst().orElseThrow().state();
    }

    @Test
    void theDiagramIsReadAsArrows() throws Exception {
        // a reader that found nothing would let any diagram pass
        assertThat(documentedTransitions()).contains("running -> succeeded", "ready -> running");
    }
}
