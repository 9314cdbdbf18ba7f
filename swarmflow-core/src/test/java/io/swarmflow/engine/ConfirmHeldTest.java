package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link AttemptControl#confirmHeld}: an executor asks it before touching what a later attempt of the ticket would share
 * (a worktree). The engine's renews the coordinator's lease, and is refused once another coordinator took the run over
 * while this one was stopped (the store's clock jumps past the lease here, as for a coordinator frozen that long).
 */
class ConfirmHeldTest {
    @TempDir
    Path stateDir;

    private static final long LEASE = 60_000;

    @Test
    void confirmingRenewsTheLeaseAndIsRefusedOnceAnotherCoordinatorTookTheRunOver() throws Exception {
        AtomicLong clock = new AtomicLong(1_000_000);
        InMemoryRunStore store = new InMemoryRunStore(clock::get);
        AtomicReference<String> run = new AtomicReference<>();
        AtomicReference<Long> renewedUntil = new AtomicReference<>();
        AtomicReference<Throwable> afterTakeover = new AtomicReference<>();
        ScriptedExecutor executor = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl control) throws InterruptedException {
                clock.addAndGet(LEASE / 2);
                control.confirmHeld();
                renewedUntil.set(store.lease(r.runId()).orElseThrow().expiresAtMillis());
                // this coordinator stops for longer than its lease; another one takes the run over
                clock.addAndGet(2 * LEASE);
                store.claimRun(r.runId(), "otherhost:2@2", LEASE);
                afterTakeover.set(catchThrowable(control::confirmHeld));
                return super.execute(r, control);
            }
        };
        RunService service = new RunService(store, executor);
        run.set(service.create(new TestPlans().ticket("a").build(), "spec.yaml"));
        EngineOptions options = EngineOptions.builder(stateDir).lease(LEASE, LEASE / 2).commandPollMillis(10)
                .gracePeriodMillis(100).seed(42).build();

        Throwable ended = catchThrowable(() -> service.engine(run.get(), options, RunListener.NONE).execute());

        assertThat(renewedUntil.get()).as("renewed from the clock's time of the confirmation")
                .isEqualTo(1_000_000 + LEASE / 2 + LEASE);
        assertThat(afterTakeover.get()).isInstanceOf(StoreException.Fenced.class);
        assertThat(ended).as("the coordinator learns it was taken over").isInstanceOf(StoreException.Fenced.class);
    }
}
