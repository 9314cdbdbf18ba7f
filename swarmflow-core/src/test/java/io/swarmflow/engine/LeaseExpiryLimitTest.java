package io.swarmflow.engine;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * docs/architecture.md: an attempt lost to a dead coordinator does not consume {@code retries.max}, but a ticket that
 * loses more than 10 attempts that way fails ("lost N attempts to coordinator crashes"), counting only the attempts whose
 * process start was recorded.
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
        String atLimit = runWithCoordinatorsThatDied(true, true, true);
        // an attempt whose process never started (its coordinator stopped first) is lost but not counted
        String overLimit = runWithCoordinatorsThatDied(true, false, true, true);

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
        assertThat(b.leaseExpiries()).isEqualTo(4);
        assertThat(b.attempt()).isEqualTo(4);
        assertThat(EngineInvariants.check(store, atLimit, true)).isEmpty();
        assertThat(EngineInvariants.check(store, overLimit, true)).isEmpty();
    }

    /**
     * Attempts lost with no process on record (their coordinators stopped before launching them) cannot be what brought
     * the coordinators down: however many, they never fail the ticket.
     */
    @Test
    void attemptsLostBeforeTheirProcessStartedNeverFailTheTicket() throws Exception {
        String run = runWithCoordinatorsThatDied(false, false, false, false);

        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        assertThat(service.engine(run, options(1), null).execute()).isEqualTo(RunState.SUCCEEDED);
        TicketView a = ticket(run);
        assertThat(a.state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(a.leaseExpiries()).isEqualTo(4);
        assertThat(a.attempt()).isEqualTo(5);
        assertThat(store.attempts(run).get(3).reason()).isEqualTo("lease expired: the coordinator that ran attempt 4 stopped; "
                + "no process of it was recorded, so it does not count as lost to a crash");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    /**
     * Coordinators stopped by their store again and again, each after its attempt's start became durable but before it
     * launched the attempt (it abandons it: {@code EngineStopTest}): the ticket never ran, and a resume runs it, however
     * low the limit.
     */
    @Test
    void aTicketWhoseCoordinatorsStopBeforeLaunchingItRunsOnResume() throws Exception {
        RunService creator = new RunService(store, ScriptedExecutor.allSucceed());
        String run = creator.create(new TestPlans().ticket("a").build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(stateDir).lease(60_000, 30_000).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).maxLeaseExpiries(1).build();
        for (int stop = 1; stop <= 3; stop++) {
            CompletableFuture<Long> held = new CompletableFuture<>(); // the attempt's start is durable once its coordinator stopped
            RunStore failing = FirstStartHeld.until(store, held, method -> {
                if (method.equals("pendingCommands")) {
                    throw new StoreException.Unavailable("could not read the run's commands: connection reset", null);
                }
            });
            ScriptedExecutor exec = ScriptedExecutor.allSucceed();
            RunEngine engine = new RunService(failing, exec).engine(run, options, null);
            assertThat(catchThrowable(engine::execute)).as("coordinator %d", stop).isInstanceOf(StoreException.Unavailable.class);
            held.complete(0L);
            int attempt = stop;
            await().atMost(Duration.ofSeconds(5)).until(() -> store.attempts(run).stream()
                    .anyMatch(v -> v.attempt() == attempt && v.isRunning()));
            assertThat(exec.started).as("coordinator %d launched nothing", stop).isEmpty();
        }

        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        assertThat(new RunService(store, exec).engine(run, options, null).execute()).isEqualTo(RunState.SUCCEEDED);
        TicketView a = ticket(run);
        assertThat(a.leaseExpiries()).isEqualTo(3);
        assertThat(a.attempt()).isEqualTo(4);
        assertThat(exec.started).containsExactly("a#4");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    /**
     * A run of one ticket whose coordinators each died while an attempt of it was running, one per element of
     * {@code processStarted}: whether that attempt's process start was recorded.
     */
    private String runWithCoordinatorsThatDied(boolean... processStarted) throws Exception {
        RunService creator = new RunService(store, ScriptedExecutor.allSucceed());
        String run = creator.create(new TestPlans().ticket("a").build(), "spec.yaml");
        for (int n = 1; n <= processStarted.length; n++) {
            String owner = "otherhost:" + n + "@1";
            long epoch = store.claimRun(run, owner, 1);
            List<RunEvent> events = new ArrayList<>(n == 1
                    ? List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                    new RunEvent.AttemptStarted("a", 1, 1))
                    : List.of(new RunEvent.RunStarted(epoch, owner, true),
                    new RunEvent.AttemptFinished("a", n - 1, Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()),
                    new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", n, 1)));
            // its process started (a pid no process has: pids are below 2^22)
            if (processStarted[n - 1]) events.add(new RunEvent.AttemptProcessStarted("a", n, 1L << 30, 1));
            store.append(run, epoch, events).join();
            await().atMost(Duration.ofSeconds(5)).until(() -> RunEngineTest.leaseExpired(store, run));
        }
        return run;
    }

    private TicketView ticket(String run) {
        return store.tickets(run).stream().filter(t -> t.ticketId().equals("a")).findFirst().orElseThrow();
    }
}
