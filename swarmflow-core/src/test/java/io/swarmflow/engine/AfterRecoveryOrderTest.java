package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.swarmflow.engine.ExactCoordinatorOnResumeTest.PID;
import static io.swarmflow.engine.ExactCoordinatorOnResumeTest.coordinator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An executor that mends on a resume what lost attempts left (the local one: a worktree's {@code .git}) does it once the
 * coordinator has ended the processes those attempts left running ({@link RunEngine.AfterRecovery}): before, such a
 * process could change it again after the mend.
 */
class AfterRecoveryOrderTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    /** Records, in order, what the engine asked of it. */
    static final class Recording extends ScriptedExecutor implements RunEngine.AfterRecovery {
        final List<String> calls = new CopyOnWriteArrayList<>();

        Recording() {
            super((t, a) -> AttemptResult.succeeded(java.util.Map.of()));
        }

        @Override
        public void prepareRun(String runId, Plan plan, Path runDir) {
            calls.add("prepareRun");
        }

        @Override
        public boolean killOrphan(AttemptView attempt) {
            calls.add("killOrphan " + attempt.ticketId() + "#" + attempt.attempt());
            return super.killOrphan(attempt);
        }

        /** The engine's call, with the run's directory (where the local executor finds the attempt's scratch directory). */
        @Override
        public boolean killOrphan(AttemptView attempt, Path runDir) {
            calls.add("killOrphan " + attempt.ticketId() + "#" + attempt.attempt() + " in " + runDir);
            return super.killOrphan(attempt);
        }

        @Override
        public void afterRecovery(String runId, Plan plan, Path runDir) {
            calls.add("afterRecovery " + runId + " " + plan.tickets().size() + " " + runDir);
        }

        @Override
        public AttemptResult execute(AttemptRequest r, AttemptControl control) throws InterruptedException {
            calls.add("execute " + r.ticket().id() + "#" + r.attempt());
            return super.execute(r, control);
        }
    }

    @Test
    void aResumeMendsOnlyOnceTheLeftoverProcessesAreKilledAndBeforeAnyNewAttempt() throws Exception {
        String here = coordinator(PID, System.currentTimeMillis(), Owners.here().bootId(), Owners.here().pidNamespace(), 100);
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, here, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, here, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1), new RunEvent.AttemptProcessStarted("a", 1, PID, 1, here))).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(run).orElseThrow().expiresAtMillis() < store.now());
        Recording exec = new Recording();

        assertThat(new RunService(store, exec).engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);

        assertThat(exec.calls).containsExactly("prepareRun", "killOrphan a#1 in " + stateDir.resolve("runs").resolve(run),
                "afterRecovery " + run + " 1 " + stateDir.resolve("runs").resolve(run), "execute a#2");
    }

    @Test
    void aFirstExecutionCallsItToo() throws Exception {
        Recording exec = new Recording();
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);

        assertThat(exec.calls).containsExactly("prepareRun", "afterRecovery " + run + " 1 " + stateDir.resolve("runs").resolve(run),
                "execute a#1");
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
