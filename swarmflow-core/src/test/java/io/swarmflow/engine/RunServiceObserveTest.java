package io.swarmflow.engine;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RunService#observe}: a run whose coordinator ends while it is being looked at is never seen as stopped. */
class RunServiceObserveTest {
    final InMemoryRunStore memory = new InMemoryRunStore();

    @Test
    void aRunThatEndsBetweenItsTwoReadsIsNotSeenAsStopped() throws Exception {
        String run = new RunService(memory, ScriptedExecutor.allSucceed()).create(new TestPlans().ticket("a").build(), "spec.yaml");
        long epoch = memory.claimRun(run, "otherhost:1@1", 60_000);
        memory.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        // the coordinator records the run's end and releases its lease right after the run is first read
        AtomicBoolean ended = new AtomicBoolean();
        RunStore store = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("run") && ended.compareAndSet(false, true)) {
                        memory.append(run, epoch, List.of(new RunEvent.RunFinished(RunState.SUCCEEDED))).join();
                        memory.releaseRun(run, epoch);
                    }
                    return result;
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
