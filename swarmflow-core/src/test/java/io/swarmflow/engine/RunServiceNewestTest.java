package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunService#observeNewest} and {@link RunService#latestRun}: the store is asked for the runs wanted
 * ({@link RunStore#newestRuns}), never for every run, and only their leases are read.
 */
class RunServiceNewestTest {
    final InMemoryRunStore memory = new InMemoryRunStore();

    /** The memory store, calling {@code after} with each method's name (and the count of its calls so far) after it returns. */
    private RunStore watched(BiConsumer<String, Integer> after) {
        return WatchedStore.watch(memory, after);
    }

    private String created() throws Exception {
        return new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
    }

    /** A run started by a coordinator of another host, which holds its lease; returns its id and epoch. */
    private Map.Entry<String, Long> started() throws Exception {
        String run = created();
        long epoch = memory.claimRun(run, "otherhost:1@1", 60_000);
        memory.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        return Map.entry(run, epoch);
    }

    private void finish(Map.Entry<String, Long> run, RunState state) {
        memory.append(run.getKey(), run.getValue(), List.of(new RunEvent.RunFinished(state))).join();
        memory.releaseRun(run.getKey(), run.getValue());
    }

    @Test
    void theNewestRunsAreAskedOfTheStoreAndOnlyTheirLeasesRead() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map.Entry<String, Long> run = started();
            finish(run, i % 2 == 0 ? RunState.SUCCEEDED : RunState.FAILED);
            ids.add(run.getKey());
        }
        List<String> newestFirst = memory.runs().stream().map(r -> r.runId()).toList();
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        RunService.Observations two = new RunService(watched(reads::put), ScriptedExecutor.allSucceed()).observeNewest(2, null);
        assertThat(two.runs()).extracting(o -> o.run().runId()).containsExactlyElementsOf(newestFirst.subList(0, 2));
        assertThat(two.matching()).isEqualTo(5);
        assertThat(reads).containsEntry("newestRuns", 1).containsEntry("lease", 2).doesNotContainKeys("runs", "run");

        RunService.Observations failed = new RunService(memory, ScriptedExecutor.allSucceed())
                .observeNewest(Integer.MAX_VALUE, EnumSet.of(RunState.FAILED));
        assertThat(failed.runs()).extracting(o -> o.run().state()).containsOnly(RunState.FAILED).hasSize(2);
        assertThat(failed.matching()).isEqualTo(2);
    }

    /**
     * A run listed as running whose coordinator records its end before its lease is read is read again (as
     * {@link RunService#observeAll} does): no longer in the state asked for, it is left out, and not counted.
     */
    @Test
    void aRunThatEndsAfterTheListingLeavesTheStateAskedFor() throws Exception {
        Map.Entry<String, Long> run = started();
        Map.Entry<String, Long> other = started();
        RunService.Observations running = new RunService(watched((method, n) -> {
            if (method.equals("newestRuns") && n == 1) finish(run, RunState.SUCCEEDED); // ends right after the listing
        }), ScriptedExecutor.allSucceed()).observeNewest(5, EnumSet.of(RunState.RUNNING));
        assertThat(running.runs()).extracting(o -> o.run().runId()).containsExactly(other.getKey());
        assertThat(running.matching()).isEqualTo(1);
    }

    /**
     * Three running runs, {@code --limit 2}: the newest ends between the listing and the read of its lease. It is left out,
     * and the store is asked again, for one more, so that the oldest takes its place: the list is as long as the limit
     * while older runs match, and the count agrees.
     */
    @Test
    void aRunLeftOutIsReplacedByTheNextOlderOneInTheStateAskedFor() throws Exception {
        Map<String, Map.Entry<String, Long>> byId = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            Map.Entry<String, Long> run = started();
            byId.put(run.getKey(), run);
        }
        List<String> newestFirst = memory.runs().stream().map(r -> r.runId()).toList();
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        RunService.Observations running = new RunService(watched((method, n) -> {
            reads.put(method, n);
            if (method.equals("newestRuns") && n == 1) finish(byId.get(newestFirst.getFirst()), RunState.SUCCEEDED);
        }), ScriptedExecutor.allSucceed()).observeNewest(2, EnumSet.of(RunState.RUNNING));
        assertThat(running.runs()).extracting(o -> o.run().runId()).containsExactlyElementsOf(newestFirst.subList(1, 3));
        assertThat(running.matching()).isEqualTo(2);
        assertThat(reads).containsEntry("newestRuns", 2);
    }

    /**
     * Runs that keep ending as they are listed: the store is asked three times at most (for 1, then 2, then 4 runs, as
     * many more as were left out), and what is left then is returned, with its count.
     */
    @Test
    void runsThatKeepEndingAreListedThreeTimesAtMost() throws Exception {
        Map<String, Map.Entry<String, Long>> byId = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            Map.Entry<String, Long> run = started();
            byId.put(run.getKey(), run);
        }
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        RunService.Observations running = new RunService(watched((method, n) -> {
            reads.put(method, n);
            if (!method.equals("newestRuns")) return;
            // the runs this listing returned end before their leases are read: the newest 1, 2, then 4 still running
            memory.runs().stream().filter(r -> r.state() == RunState.RUNNING).limit(1L << (n - 1))
                    .forEach(r -> finish(byId.get(r.runId()), RunState.SUCCEEDED));
        }), ScriptedExecutor.allSucceed()).observeNewest(1, EnumSet.of(RunState.RUNNING));
        assertThat(reads).containsEntry("newestRuns", 3);
        assertThat(running.runs()).isEmpty();
        assertThat(running.matching()).isEqualTo(3);
    }

    /** {@code swarm status} (and {@code report}) without a run: the newest run alone is read. */
    @Test
    void theLatestRunIsTheNewestOneRead() throws Exception {
        assertThat(new RunService(memory, ScriptedExecutor.allSucceed()).latestRun()).isEmpty();
        created();
        created();
        String newest = memory.runs().getFirst().runId(); // the memory store's newest first: by creation time, then id
        Map<String, Integer> reads = new ConcurrentHashMap<>();
        assertThat(new RunService(watched(reads::put), ScriptedExecutor.allSucceed()).latestRun()).get()
                .extracting(r -> r.runId()).isEqualTo(newest);
        assertThat(reads).containsEntry("newestRuns", 1).doesNotContainKey("runs");
    }
}
