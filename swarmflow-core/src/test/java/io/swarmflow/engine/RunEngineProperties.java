package io.swarmflow.engine;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.When;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.memory.InMemoryRunStore;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Scheduler invariants over random DAGs, outcomes, retries, conditions and limits. */
class RunEngineProperties {

    @Property(tries = 60)
    void randomRunsKeepEveryInvariant(@ForAll @IntRange(min = 1, max = 40) int size,
                                      @ForAll @IntRange(min = 1, max = 6) int concurrency,
                                      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        TestPlans plans = new TestPlans().concurrency(concurrency).profile("limited", 1 + rnd.nextInt(2));
        When[] whens = When.values();
        for (int i = 0; i < size; i++) {
            List<String> needs = new ArrayList<>();
            for (int j = 0; j < i; j++) if (rnd.nextInt(100) < 15) needs.add("t" + j);
            When when = rnd.nextInt(100) < 70 ? When.SUCCESS : whens[rnd.nextInt(whens.length)];
            plans.ticket("t" + i, when, rnd.nextInt(3), ApprovalMode.NONE, rnd.nextBoolean() ? "noop" : "limited",
                    rnd.nextInt(3), needs.toArray(new String[0]));
        }
        long outcomeSeed = rnd.nextLong();
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> {
            long h = new SplittableRandom(outcomeSeed ^ t.hashCode() * 31L ^ a).nextInt(100);
            return h < 25 ? AttemptResult.failed(1, null)
                    : h < 30 ? new AttemptResult(Outcome.TIMED_OUT, null, "slow", Map.of())
                    : AttemptResult.succeeded(Map.of());
        });
        InMemoryRunStore store = new InMemoryRunStore();
        RunService service = new RunService(store, exec);
        String run = service.create(plans.build(), "spec.yaml");
        EngineOptions options = EngineOptions.builder(Path.of("/tmp/unused")).lease(2_000, 500).commandPollMillis(50).seed(seed).build();

        RunState result = service.engine(run, options, null).execute();

        assertThat(result).isIn(RunState.SUCCEEDED, RunState.FAILED);
        assertThat(exec.violations).isEmpty();
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
        assertThat(exec.maxRunning.get()).isLessThanOrEqualTo(concurrency);
    }
}
