package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A resume, and a look at whether a run is executing, go by the exact parts of a coordinator's identity ({@link Owners}:
 * boot id, pid namespace, start ticks) where it carries them: a live coordinator is not taken for gone because the clock
 * was set since it started; one of another boot id is of an earlier boot only when it started before this boot; and
 * the process group of an attempt launched in another pid namespace is never looked for (nor killed) from here.
 */
class ExactCoordinatorOnResumeTest {
    static final long PID = 1L << 30; // no process has it (pids are below 2^22)
    static final String OTHER_BOOT = "9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9";

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
    Process child;

    @AfterEach
    void endTheChild() {
        if (child != null) child.destroyForcibly();
    }

    static String coordinator(long pid, long startMillis, String bootId, long pidns, long ticks) {
        return Owners.hostName() + ":" + pid + "@" + startMillis + "/1;boot=" + bootId + ";pidns=" + pidns + ";ticks=" + ticks;
    }

    /** The clock-step case: the run's lease holder lives (its start ticks match), though the clock moved an hour since. */
    @Test
    void aLiveCoordinatorWhoseStartMillisNoLongerMatchStillExecutesItsRun() throws Exception {
        child = new ProcessBuilder("cat").start();
        long ticks = Owners.startTicksOf(child.pid()).orElseThrow();
        long millis = child.info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        String live = coordinator(child.pid(), millis + 3_600_000, Owners.here().bootId(), Owners.here().pidNamespace(), ticks);
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        store.claimRun(run, live, 600_000);
        assertThat(service.isExecuting(run)).isTrue();

        child.destroyForcibly().waitFor();
        assertThat(service.isExecuting(run)).as("once it is gone").isFalse();
    }

    @Test
    void anAttemptLaunchedInAnotherPidNamespaceOfThisBootIsNotLookedForAndTheResumeSaysSo() throws Exception {
        String otherNamespace = coordinator(PID, System.currentTimeMillis(), Owners.here().bootId(),
                Owners.here().pidNamespace() + 1, 100);
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(otherNamespace);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        long ours = Owners.here().pidNamespace();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + Owners.shown(otherNamespace) + ", of pid namespace "
                + "pid:[" + (ours + 1) + "], not this process's pid:[" + ours + "] (another container of this host name, or one "
                + "restarted since; `lsns -t pid` on the host lists namespaces by that number): process group " + PID + " is not "
                + "looked for, so not stopped from here if it still runs (`kill -- -" + PID + "` in that pid namespace stops it)");
    }

    /**
     * Review R3, finding 2: another boot id with a start after this boot's may be another machine of this host name, whose
     * coordinator may live: its lease is waited out (not taken over at once), its group not looked for, and the resume
     * does not claim it started before this machine did.
     */
    @Test
    void anAttemptLaunchedUnderAnotherBootIdThatStartedAfterThisBootIsNotLookedForAndTheResumeSaysWhy() throws Exception {
        String elsewhere = coordinator(PID, System.currentTimeMillis(), OTHER_BOOT, Owners.here().pidNamespace(), 100);
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        store.claimRun(run, elsewhere, 600_000);
        assertThat(new RunService(store, ScriptedExecutor.allSucceed()).isExecuting(run)).as("its lease is waited out").isTrue();

        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        run = runLeftRunning(elsewhere);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + Owners.shown(elsewhere) + ", of another boot id than "
                + "this machine's but not known to have started before this machine last started (another machine with this host name, or a "
                + "clock set back since): process group " + PID + " is not looked for, so not stopped from here if it still runs "
                + "(`kill -- -" + PID + "` on the machine it ran on stops it)");
        assertThat(notices).noneMatch(n -> n.contains("which started before this machine last started"));
    }

    @Test
    void anAttemptLaunchedUnderAnotherBootIdBeforeThisBootIsOfAnEarlierBoot() throws Exception {
        long boot = Owners.bootMillis(Path.of("/proc/stat")).orElseThrow();
        String earlier = coordinator(PID, boot - 60_000, OTHER_BOOT, Owners.here().pidNamespace(), 100);
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(earlier);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + Owners.shown(earlier) + ", which started before this machine "
                + "last started: nothing of the attempt can still run after a restart, and process group " + PID + " is not looked for");
    }

    @Test
    void anAttemptLaunchedInThisBootAndPidNamespaceIsLookedFor() throws Exception {
        String here = coordinator(PID, System.currentTimeMillis(), Owners.here().bootId(), Owners.here().pidNamespace(), 100);
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(here);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).containsExactly("a#1");
    }

    @Test
    void anAttemptLaunchedOnAnotherMachineIsNamedShort() throws Exception {
        String elsewhere = "otherhost:7@1/1;boot=" + OTHER_BOOT + ";pidns=4026531836;ticks=100";
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(elsewhere);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(notices).anyMatch(n -> n.startsWith("attempt 1 of a ran under coordinator otherhost:7@1/1 of another machine; "));
        assertThat(notices).noneMatch(n -> n.contains(";boot="));
    }

    /** A run whose attempt a#1 runs a process recorded by {@code launcher}, left running, its lease (by it) expired. */
    private String runLeftRunning(String launcher) throws Exception {
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, launcher, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, launcher, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1), new RunEvent.AttemptProcessStarted("a", 1, PID, 1, launcher))).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(run).orElseThrow().expiresAtMillis() < store.now());
        return run;
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
