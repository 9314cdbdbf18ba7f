package io.swarmflow.engine;

import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * A signal before the run started: the CLI gives the claim back ({@link RunEngine#release}) and says the run was not
 * started. A store that failed then ({@link StoreException.Unavailable}) reached the CLI as "run the command again", which
 * starts a second run; the release is a courtesy (the lease runs out on its own), so its failure is not the command's.
 */
class ReleaseUnavailableTest {
    @TempDir
    Path stateDir;

    @Test
    void aStoreThatFailsOnReleaseLeavesTheRunAsItIs() throws Exception {
        InMemoryRunStore store = new InMemoryRunStore();
        RunStore failing = (RunStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("releaseRun")) {
                        throw new StoreException.Unavailable("could not release the run: database is locked", null);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RunService service = new RunService(failing, ScriptedExecutor.allSucceed());
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        RunEngine engine = service.engine(run, EngineOptions.builder(stateDir).build(), null);
        engine.claim();
        assertThatCode(engine::release).doesNotThrowAnyException();
        assertThat(store.run(run).orElseThrow().state()).isEqualTo(RunState.CREATED);
    }
}
