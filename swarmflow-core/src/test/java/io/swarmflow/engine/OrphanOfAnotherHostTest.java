package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
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
 * A resume looks for the processes a dead coordinator left running (and kills them) only when that coordinator was of
 * this host: a pid recorded on another host names nothing here, and looking it up could stop an unrelated process.
 */
class OrphanOfAnotherHostTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    @Test
    void aResumeLooksForOrphansOnlyOfACoordinatorOfThisHost() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        List<String> notices = new CopyOnWriteArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void onNotice(String message) {
                notices.add(message);
            }
        };
        String elsewhere = runLeftRunningBy("otherhost:7@1/1");
        assertThat(new RunService(store, exec).engine(elsewhere, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).isEmpty();
        assertThat(notices).contains("attempt 1 of a ran under coordinator otherhost:7@1/1 of another machine; if its process group "
                + (1L << 30) + " still runs there, it is not stopped from here (`kill -- -" + (1L << 30) + "` on that machine stops it)");

        // a dead process of this host and of its current boot (a pid no process has: pids are below 2^22; started now)
        String here = runLeftRunningBy(Owners.hostName() + ":" + (1L << 30) + "@" + System.currentTimeMillis() + "/1");
        assertThat(new RunService(store, exec).engine(here, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(exec.orphansLookedFor).containsExactly("a#1");
    }

    private String runLeftRunningBy(String owner) throws Exception {
        String run = new RunService(store, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = store.claimRun(run, owner, 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 1), new RunEvent.AttemptProcessStarted("a", 1, 1L << 30, 1))).join();
        // (not RunEngineTest.leaseExpired: its probe claims the run, and so becomes the lease's owner)
        await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(run).orElseThrow().expiresAtMillis() < store.now());
        return run;
    }

    private EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }
}
