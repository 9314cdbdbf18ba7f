package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcStat;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.swarmflow.engine.TimeNamespaceIds.BOOT;
import static io.swarmflow.engine.TimeNamespaceIds.OTHER_TIMENS;
import static io.swarmflow.engine.TimeNamespaceIds.PIDNS;
import static io.swarmflow.engine.TimeNamespaceIds.TICKS;
import static io.swarmflow.engine.TimeNamespaceIds.TIMENS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D3 F5: Linux shows a process's start ticks (field 22 of {@code /proc/PID/stat}) with the reader's time namespace
 * offset, so ticks a coordinator recorded compare with ticks read here only when both are read in one time namespace.
 * {@link Owners#isDeadLocalProcess} went by that for the coordinator; now {@link Owners#provablyAlive} does too (equal
 * ticks across two offsets are a coincidence, not a proof), and a resume does not look for (nor kill) the process group
 * of an attempt whose coordinator recorded another time namespace: it says it cannot tell.
 */
class TimeNamespaceConsistencyTest {
    static final long PID = 1L << 30; // no process has it (pids are below 2^22)

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

    static String owner(long pid, String boot, long pidns, long ticks, long timens) {
        return Owners.hostName() + ":" + pid + "@" + System.currentTimeMillis() + "/1" + TimeNamespaceIds.parts(boot, pidns, ticks, timens);
    }

    @Test
    void equalTicksReadInAnotherTimeNamespaceProveNothing() {
        ProcStat stat = OwnersProvablyAliveTest.stat(4242, 'T', TICKS);
        String recorded = owner(4242, BOOT, PIDNS, TICKS, TIMENS);

        assertThat(Owners.provablyAlive(recorded, new Owners.Here(BOOT, PIDNS, OTHER_TIMENS), 7, OwnersProvablyAliveTest.only(stat)))
                .as("read in another time namespace").isEmpty();
        assertThat(Owners.provablyAlive(recorded, new Owners.Here(BOOT, PIDNS, TIMENS), 7, OwnersProvablyAliveTest.only(stat)))
                .as("read in the coordinator's").contains(new Owners.Alive(4242, true));
        // not recorded (an older swarm), or not known here: as before, the ticks decide
        assertThat(Owners.provablyAlive(owner(4242, BOOT, PIDNS, TICKS, 0), new Owners.Here(BOOT, PIDNS, OTHER_TIMENS), 7,
                OwnersProvablyAliveTest.only(stat))).isPresent();
    }

    @Test
    void anotherTimeNamespaceIsOneRecordedAndKnownHereAndDifferent() {
        assertThat(Owners.isOfAnotherTimeNamespace(owner(1, BOOT, PIDNS, TICKS, TIMENS), OTHER_TIMENS)).isTrue();
        assertThat(Owners.isOfAnotherTimeNamespace(owner(1, BOOT, PIDNS, TICKS, TIMENS), TIMENS)).isFalse();
        assertThat(Owners.isOfAnotherTimeNamespace(owner(1, BOOT, PIDNS, TICKS, 0), TIMENS)).as("not recorded").isFalse();
        assertThat(Owners.isOfAnotherTimeNamespace(owner(1, BOOT, PIDNS, TICKS, TIMENS), 0)).as("unknown here").isFalse();
        assertThat(Owners.isOfAnotherTimeNamespace(owner(1, BOOT, PIDNS, TICKS, TIMENS), Owners.NO_TIME_NAMESPACES)).isFalse();
        assertThat(Owners.timeNamespacesShown(owner(1, BOOT, PIDNS, TICKS, TIMENS), OTHER_TIMENS))
                .isEqualTo("time:[" + TIMENS + "], not this process's time:[" + OTHER_TIMENS + "]");
    }

    /**
     * For real, with this machine's boot id and namespaces: the group of an attempt whose coordinator recorded another
     * time namespace is not looked for, and the resume says why; with this process's own, it is. Needs a kernel with
     * time namespaces (Linux 5.6 and later, CONFIG_TIME_NS: every CI runner's).
     */
    @Test
    void anAttemptLaunchedInAnotherTimeNamespaceIsNotLookedForAndTheResumeSaysWhy() throws Exception {
        Owners.Here here = Owners.here();
        assumeTrue(here.timeNamespace() > 0, "this kernel has no time namespaces");
        String other = owner(PID, here.bootId(), here.pidNamespace(), 100, here.timeNamespace() + 1);
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = runLeftRunning(other);
        assertThat(new RunService(store, exec).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator " + Owners.shown(other) + ", of time namespace time:["
                + (here.timeNamespace() + 1) + "], not this process's time:[" + here.timeNamespace() + "]: Linux shows start "
                + "times with the reader's offset, so whether process group " + PID + " is still the attempt's cannot be told "
                + "from here; it is not looked for, so not stopped if it still runs (`kill -- -" + PID + "` stops it, once you "
                + "know it is the attempt's); processes it started outside that group (setsid, a daemon) are not looked for "
                + "either (`grep -lzx SWARM_RUN_ID=" + run + " /proc/*/environ` finds what holds this run's id)");

        String same = owner(PID, here.bootId(), here.pidNamespace(), 100, here.timeNamespace());
        ScriptedExecutor looks = ScriptedExecutor.allSucceed();
        run = runLeftRunning(same);
        assertThat(new RunService(store, looks).engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(looks.orphansLookedFor).containsExactly("a#1");
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
