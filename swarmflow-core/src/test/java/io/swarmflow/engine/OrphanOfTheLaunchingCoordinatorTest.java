package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume goes by the coordinator that launched an attempt's process (recorded with it) to tell whether its pid is of
 * this machine, not by the run's last lease holder: the two differ when a coordinator died inside its own recovery of an
 * earlier coordinator's attempts. An attempt recorded before the launching coordinator was goes by the last lease holder.
 */
class OrphanOfTheLaunchingCoordinatorTest {
    /** A dead process of this host and of its current boot (it started now): a pid no process has (pids are below 2^22). */
    static final String HERE_DEAD = Owners.hostName() + ":" + (1L << 30) + "@" + System.currentTimeMillis() + "/1";
    static final String ELSEWHERE = "otherhost:7@1/1";
    static final long PID = 1L << 30;

    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();
    final List<String> notices = new CopyOnWriteArrayList<>();
    final RunListener listener = new RunListener() {
        @Override
        public void onNotice(String message) {
            notices.add(message);
        }
    };

    @Test
    void anAttemptLaunchedHereIsLookedForThoughTheLastLeaseHolderWasOfAnotherMachine() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(ELSEWHERE, HERE_DEAD);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).containsExactly("a#1");
        assertThat(notices).noneMatch(n -> n.contains("of another machine"));
    }

    @Test
    void anAttemptLaunchedElsewhereIsNotLookedForThoughTheLastLeaseHolderWasOfThisMachine() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(HERE_DEAD, ELSEWHERE);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + ELSEWHERE + " of another machine; if its process group "
                + PID + " still runs there, it is not stopped from here (`kill -- -" + PID + "` on that machine stops it)");
    }

    /**
     * A coordinator of this machine that started before the machine last started (a minute before {@code btime} of
     * {@code /proc/stat}) ran in an earlier boot: nothing of its attempt can still run, and the pid it recorded may be an
     * unrelated group's now. The resume does not look for it (the executor would kill by the pid), and says why; the same
     * for an attempt that does not record its coordinator, by the last lease holder.
     */
    @Test
    void anAttemptLaunchedBeforeTheMachineLastStartedIsNotLookedFor() throws Exception {
        String earlier = Owners.hostName() + ":" + PID + "@" + (Owners.bootMillis(Path.of("/proc/stat")).orElseThrow() - 60_000) + "/1";
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(ELSEWHERE, earlier);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        String run2 = runLeftRunning(earlier, null);
        assertThat(new RunService(store, exec).engine(run2, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).filteredOn(n -> n.equals("attempt 1 of a ran under coordinator " + earlier + ", which started "
                + "before this machine last started: nothing of the attempt can still run after a "
                + "restart, and process group " + PID + " is not looked for")).hasSize(2);
        assertThat(notices).noneMatch(n -> n.contains("of another machine"));
    }

    /** A coordinator of this machine whose start is not known: not looked for, and the notice does not claim it cannot run. */
    @Test
    void anAttemptWhoseCoordinatorsStartIsNotKnownIsNotLookedForAndTheNoticeSaysHowToStopIt() throws Exception {
        String unknown = Owners.hostName() + ":" + PID + "@x/1";
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(ELSEWHERE, unknown);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + unknown + ", whose start or this machine's is "
                + "not known: process group " + PID + " is not looked for, so not stopped if it still runs (`kill -- -" + PID
                + "` stops it)");
        assertThat(notices).noneMatch(n -> n.contains("can still run"));
    }

    @Test
    void anAttemptNotRecordingItsCoordinatorGoesByTheLastLeaseHolder() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String here = runLeftRunning(HERE_DEAD, null);
        assertThat(new RunService(store, exec).engine(here, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).containsExactly("a#1");

        ScriptedExecutor exec2 = ScriptedExecutor.allSucceed();
        String elsewhere = runLeftRunning(ELSEWHERE, null);
        assertThat(new RunService(store, exec2).engine(elsewhere, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec2.orphansLookedFor).isEmpty();
        assertThat(notices).anyMatch(n -> n.startsWith("attempt 1 of a ran under coordinator " + ELSEWHERE + " of another machine"));
    }

    @Test
    void aCoordinatorRecordsItselfWithTheProcessOfEachAttemptItLaunches() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(java.util.Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl control) throws InterruptedException {
                control.processStarted(4242, 99);
                return super.execute(r, control);
            }
        };
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        assertThat(service.engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        List<RunEvent> events = store.events(run, 0, 1000).stream().map(StoredEvent::event).toList();
        String owner = events.stream().filter(e -> e instanceof RunEvent.RunStarted).map(e -> ((RunEvent.RunStarted) e).owner())
                .findFirst().orElseThrow();
        assertThat(owner).isNotNull();
        assertThat(events).contains(new RunEvent.AttemptProcessStarted("a", 1, 4242, 99, owner));
        AttemptView attempt = store.attempts(run).getFirst();
        assertThat(attempt.coordinator()).isEqualTo(owner);
        assertThat(attempt.pid()).isEqualTo(4242);
    }

    /**
     * A run whose attempt a#1 runs a process recorded by {@code launcher} (null: not recorded, as before the field was),
     * left running, with the run's lease last held by {@code lastHolder}, now expired.
     */
    private String runLeftRunning(String lastHolder, String launcher) throws Exception {
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, lastHolder, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, lastHolder, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1), new RunEvent.AttemptProcessStarted("a", 1, PID, 1, launcher))).join();
        // (not RunEngineTest.leaseExpired: its probe claims the run, and so becomes the lease's owner)
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(run).orElseThrow().expiresAtMillis() < store.now());
        return run;
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
