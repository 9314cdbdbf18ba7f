package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunService#observe} and {@link RunService#observeAll}: a run whose coordinator ends while it is being looked at is
 * never seen as stopped; listing the runs reads each once.
 */
class RunServiceObserveTest {
    final InMemoryRunStore memory = new InMemoryRunStore();

    /** The memory store, calling {@code after} with each method's name (and the count of its calls so far) after it returns. */
    private RunStore watched(BiConsumer<String, Integer> after) {
        return WatchedStore.watch(memory, after);
    }

    /** A run started by a coordinator of another host, which holds its lease; returns its id and epoch. */
    private Map.Entry<String, Long> started() throws Exception {
        String run = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = memory.claimRun(run, "otherhost:1@1", 60_000);
        memory.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        return Map.entry(run, epoch);
    }

    private void finish(Map.Entry<String, Long> run) {
        memory.append(run.getKey(), run.getValue(), List.of(new RunEvent.RunFinished(RunState.SUCCEEDED))).join();
        memory.releaseRun(run.getKey(), run.getValue());
    }

    /** {@code swarm runs}: one listing of the runs, not the listing and then each run read again. */
    @Test
    void observingAllRunsReadsTheRunsOnce() throws Exception {
        Map.Entry<String, Long> finished = started();
        finish(finished);
        Map.Entry<String, Long> executing = started();
        String created = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        List<RunService.Observed> all = new RunService(watched(reads::put), ScriptedExecutor.allSucceed()).observeAll();
        assertThat(reads).containsEntry("newestRuns", 1).doesNotContainKey("runs").doesNotContainKey("run");
        assertThat(all).extracting(o -> o.run().runId()).containsExactlyInAnyOrder(finished.getKey(), executing.getKey(), created);
        assertThat(all).extracting(o -> o.run().runId() + " " + o.run().state() + " " + o.executing()).containsExactlyInAnyOrder(
                finished.getKey() + " SUCCEEDED false", executing.getKey() + " RUNNING true", created + " CREATED false");
    }

    /** {@code swarm status}: the run's lease is read once, and its holder comes with the run (for the orphan check). */
    @Test
    void observingARunReadsItsLeaseOnceAndTellsWhoHoldsIt() throws Exception {
        Map.Entry<String, Long> run = started();
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        RunService service = new RunService(watched(reads::put), ScriptedExecutor.allSucceed());
        RunService.Observed seen = service.observe(run.getKey());
        assertThat(reads).containsEntry("lease", 1);
        assertThat(seen.leaseOwner()).isEqualTo("otherhost:1@1");
        assertThat(service.observeAll()).singleElement().satisfies(o -> assertThat(o.leaseOwner()).isEqualTo("otherhost:1@1"));

        String created = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        assertThat(service.observe(created).leaseOwner()).as("no lease recorded").isNull();
    }

    @Test
    void aRunThatEndsBetweenTheListingAndItsLeaseIsNotSeenAsStopped() throws Exception {
        Map.Entry<String, Long> run = started();
        List<RunService.Observed> all = new RunService(watched((method, n) -> {
            if (method.equals("newestRuns") && n == 1) finish(run); // the coordinator ends right after the runs are listed
        }), ScriptedExecutor.allSucceed()).observeAll();
        assertThat(all).hasSize(1);
        assertThat(all.getFirst().stopped()).as("seen as %s", all.getFirst().run().state()).isFalse();
        assertThat(all.getFirst().run().state()).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void aRunWhoseCoordinatorDiedIsStoppedInTheListingToo() throws Exception {
        Map.Entry<String, Long> run = started();
        memory.releaseRun(run.getKey(), run.getValue());
        List<RunService.Observed> all = new RunService(memory, ScriptedExecutor.allSucceed()).observeAll();
        assertThat(all).singleElement().satisfies(o -> assertThat(o.stopped()).isTrue());
    }

    @Test
    void aRunThatEndsBetweenItsTwoReadsIsNotSeenAsStopped() throws Exception {
        String run = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = memory.claimRun(run, "otherhost:1@1", 60_000);
        memory.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        // the coordinator records the run's end and releases its lease right after the run is first read
        AtomicBoolean ended = new AtomicBoolean();
        RunStore store = watched((method, calls) -> {
            if (method.equals("run") && ended.compareAndSet(false, true)) {
                memory.append(run, epoch, List.of(new RunEvent.RunFinished(RunState.SUCCEEDED))).join();
                memory.releaseRun(run, epoch);
            }
        });
        RunService.Observed seen = new RunService(store, ScriptedExecutor.allSucceed()).observe(run);
        assertThat(ended).isTrue();
        assertThat(seen.stopped()).as("seen as %s, executing %s", seen.run().state(), seen.executing()).isFalse();

        RunService.Observed after = new RunService(memory, ScriptedExecutor.allSucceed()).observe(run);
        assertThat(after.run().state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(after.executing()).isFalse();
        assertThat(after.stopped()).isFalse();
    }

    @Test
    void aRunWhoseCoordinatorDiedIsStopped() throws Exception {
        String run = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = memory.claimRun(run, "otherhost:1@1", 60_000);
        memory.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        RunService service = new RunService(memory, ScriptedExecutor.allSucceed());
        assertThat(service.observe(run).executing()).isTrue();
        memory.releaseRun(run, epoch); // as a lease that expired: no coordinator holds it
        assertThat(service.observe(run).stopped()).isTrue();
        assertThat(service.observe(run).run().state()).isEqualTo(RunState.RUNNING);
    }
}
