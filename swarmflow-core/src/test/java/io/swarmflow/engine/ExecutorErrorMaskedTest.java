package io.swarmflow.engine;

import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executor that throws (an {@link Error}, or an exception its own handling let through) fails the attempt with
 * {@code executor error: ...}, masked with the ticket's secrets like an executor's own results: what the run stores
 * (the ticket's and the attempt's reason, the events status and report read) holds {@code ***}, never the secret.
 * The surefire configuration sets SWARM_TEST_SECRET.
 */
class ExecutorErrorMaskedTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    @Test
    void anExecutorErrorQuotingASecretIsStoredMasked() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).hasSizeGreaterThan(8);
        ScriptedExecutor executor = new ScriptedExecutor((ticket, attempt) -> {
            if (ticket.equals("own")) throw new AssertionError("agent crashed holding " + secret);
            throw new IllegalStateException("the other saw " + secret + " too");
        });
        RunService service = new RunService(store, executor);
        String run = service.create(new TestPlans().ticketWithEnv("own", Map.of("TOKEN", "${{ env.SWARM_TEST_SECRET }}"))
                .ticketWithEnv("other", Map.of()).build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).build();

        assertThat(service.engine(run, options, RunListener.NONE).execute()).isEqualTo(RunState.FAILED);

        Map<String, TicketView> tickets = new java.util.HashMap<>();
        for (TicketView t : store.tickets(run)) tickets.put(t.ticketId(), t);
        assertThat(tickets.get("own").state()).isEqualTo(TicketState.FAILED);
        assertThat(tickets.get("own").reason()).isEqualTo("executor error: java.lang.AssertionError: agent crashed holding ***");
        assertThat(tickets.get("other").reason())
                .isEqualTo("executor error: java.lang.IllegalStateException: the other saw *** too");
        assertThat(store.attempts(run)).extracting(AttemptView::reason).hasSize(2).allMatch(r -> r.contains("***"));
        assertThat(store.events(run, 0, 10_000)).extracting(StoredEvent::event).extracting(Object::toString)
                .noneMatch(e -> e.contains(secret));
    }
}
