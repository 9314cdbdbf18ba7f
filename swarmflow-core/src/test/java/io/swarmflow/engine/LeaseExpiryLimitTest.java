package io.swarmflow.engine;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docs/architecture.md: an attempt lost to a dead coordinator does not consume {@code retries.max}, but a ticket that
 * loses more than 10 attempts that way fails ("lost N attempts to coordinator crashes").
 */
class LeaseExpiryLimitTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    EngineOptions options(int maxLeaseExpiries) {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42)
                .maxLeaseExpiries(maxLeaseExpiries).build();
    }

    /** docs/architecture.md: lease 15 s renewed every 5 s, inbox read every 200 ms, grace 5 s, at most 10 attempts lost. */
    @Test
    void theDocumentedDefaults() {
        EngineOptions o = EngineOptions.builder(stateDir).build();
        assertThat(o.maxLeaseExpiries()).isEqualTo(10);
        assertThat(o.leaseMillis()).isEqualTo(15_000);
        assertThat(o.heartbeatMillis()).isEqualTo(5_000);
        assertThat(o.commandPollMillis()).isEqualTo(200);
        assertThat(o.gracePeriodMillis()).isEqualTo(5_000);
    }

    @Test
    void aTicketThatLosesMoreAttemptsThanTheLimitFailsAndOneAtTheLimitRunsAgain() throws Exception {
        String atLimit = runWithCoordinatorsThatDied(3);
        String overLimit = runWithCoordinatorsThatDied(3);

        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        assertThat(service.engine(atLimit, options(3), null).execute()).isEqualTo(RunState.SUCCEEDED);
        TicketView a = ticket(atLimit);
        assertThat(a.leaseExpiries()).isEqualTo(3);
        assertThat(a.failures()).isZero();
        assertThat(a.attempt()).isEqualTo(4);

        assertThat(service.engine(overLimit, options(2), null).execute()).isEqualTo(RunState.FAILED);
        TicketView b = ticket(overLimit);
        assertThat(b.state()).isEqualTo(TicketState.FAILED);
        assertThat(b.reason()).isEqualTo("lost 3 attempts to coordinator crashes");
        assertThat(b.attempt()).isEqualTo(3);
        assertThat(EngineInvariants.check(store, atLimit, true)).isEmpty();
        assertThat(EngineInvariants.check(store, overLimit, true)).isEmpty();
    }

    /** A run of one ticket whose {@code deaths} coordinators each died while an attempt of it was running. */
    private String runWithCoordinatorsThatDied(int deaths) throws Exception {
        RunService creator = new RunService(store, ScriptedExecutor.allSucceed());
        String run = creator.create(new TestPlans().ticket("a").build(), "spec.yaml");
        for (int n = 1; n <= deaths; n++) {
            String owner = "otherhost:" + n + "@1";
            long epoch = store.claimRun(run, owner, 1);
            List<RunEvent> events = n == 1
                    ? List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                    new RunEvent.AttemptStarted("a", 1, 1))
                    : List.of(new RunEvent.RunStarted(epoch, owner, true),
                    new RunEvent.AttemptFinished("a", n - 1, Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()),
                    new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", n, 1));
            store.append(run, epoch, events).join();
            await().atMost(Duration.ofSeconds(5)).until(() -> RunEngineTest.leaseExpired(store, run));
        }
        return run;
    }

    private TicketView ticket(String run) {
        return store.tickets(run).stream().filter(t -> t.ticketId().equals("a")).findFirst().orElseThrow();
    }
}
