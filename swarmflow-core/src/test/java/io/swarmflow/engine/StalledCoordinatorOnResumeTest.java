package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Review R2, F2: a run whose coordinator, a live process of this host, was stopped (Ctrl-Z, SIGSTOP) or hung past its
 * lease still has that coordinator: continued, it goes on with the run. A resume refuses to take the run over (changing
 * nothing) and says what to do, the run is still executing ({@link RunService#isExecuting}); once that process is gone,
 * the resume takes the run as before. The coordinator is a real process (its identity the one it would record).
 */
class StalledCoordinatorOnResumeTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();
    Process child;

    @AfterEach
    void endTheChild() throws Exception {
        if (child != null) {
            OwnersProvablyAliveTest.signal("CONT", child.pid());
            child.destroyForcibly();
        }
    }

    /** The identity a coordinator in {@code process} records ({@link Owners#coordinator}), with its real start ticks. */
    static String coordinatorOf(Process process) {
        Owners.Here here = Owners.here();
        return Owners.hostName() + ":" + process.pid() + "@" + process.info().startInstant().orElseThrow().toEpochMilli()
                + "/1;boot=" + here.bootId() + ";pidns=" + here.pidNamespace() + ";ticks="
                + Owners.startTicksOf(process.pid()).orElseThrow() + (here.timeNamespace() > 0 ? ";timens=" + here.timeNamespace() : "");
    }

    @Test
    void aStoppedCoordinatorPastItsLeaseIsNotTakenOverAndTheResumeSaysHowToGoOn() throws Exception {
        child = new ProcessBuilder("cat").start();
        String owner = coordinatorOf(child);
        String run = runLeftRunning(owner);
        OwnersProvablyAliveTest.signal("STOP", child.pid());
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        await().atMost(Duration.ofSeconds(10)).until(() -> service.stalled(run).map(StalledCoordinator::stopped).orElse(false));
        long epoch = store.lease(run).orElseThrow().epoch();

        assertThat(service.isExecuting(run)).as("its coordinator still holds it").isTrue();
        assertThat(service.observe(run).stopped()).isFalse();
        RunEngine engine = service.engine(run, options(), new RunListener() {});
        assertThatThrownBy(engine::execute).isInstanceOf(StoreException.RunLocked.class)
                .hasMessageMatching("run " + run + "'s coordinator \\(pid " + child.pid() + "\\) is alive but stopped \\(Ctrl-Z or "
                        + "SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago: let it go on with `kill -CONT "
                        + child.pid() + "` \\(or `fg` in its terminal\\), or end it with `kill " + child.pid() + "; kill -CONT " + child.pid() + "` and then "
                        + "`swarm resume " + run + "` \\(unattended: `swarm resume " + run + " --take-over` ends it and resumes\\); nothing was changed");
        assertThat(store.lease(run).orElseThrow().owner()).as("nothing was changed").isEqualTo(owner);
        assertThat(store.lease(run).orElseThrow().epoch()).isEqualTo(epoch);
        assertThat(store.run(run).orElseThrow().state()).isEqualTo(RunState.RUNNING);

        OwnersProvablyAliveTest.signal("CONT", child.pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> service.stalled(run).map(s -> !s.stopped()).orElse(false));
        assertThatThrownBy(service.engine(run, options(), new RunListener() {})::execute).isInstanceOf(StoreException.RunLocked.class)
                .hasMessageMatching("run " + run + "'s coordinator \\(pid " + child.pid() + "\\) is alive but has not renewed its "
                        + "lease, which ran out \\d+ s ago \\(hung, or the machine is overloaded\\): wait, or end it with `kill "
                        + child.pid() + "` and then `swarm resume " + run + "` \\(unattended: `swarm resume " + run + " --take-over` ends it and resumes\\); nothing was changed");

        child.destroyForcibly().waitFor();
        assertThat(service.stalled(run)).isEmpty();
        assertThat(service.isExecuting(run)).isFalse();
        assertThat(service.engine(run, options(), new RunListener() {}).execute()).isEqualTo(RunState.SUCCEEDED);
    }

    /** A run that {@code owner} claimed with a lease of a millisecond and started, ticket a running; its lease ran out. */
    private String runLeftRunning(String owner) throws Exception {
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, owner, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1))).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(run).orElseThrow().expiresAtMillis() < store.now());
        return run;
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
