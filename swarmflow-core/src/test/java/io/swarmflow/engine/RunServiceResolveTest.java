package io.swarmflow.engine;

import io.swarmflow.store.RunStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RunService#resolveRunId} when runs are deleted ({@code swarm clean}) between its read of two matching ids and
 * its read of all of them: never "the start of 1 runs' ids".
 */
class RunServiceResolveTest {
    /** A store without the given id whose {@link RunStore#runIdsStartingWith} answers each call with the next list. */
    private static RunService answering(List<List<String>> answers) {
        Deque<List<String>> left = new ArrayDeque<>(answers);
        RunStore store = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "run" -> Optional.empty();
                    case "runIdsStartingWith" -> {
                        List<String> ids = left.removeFirst();
                        yield ids.subList(0, Math.min(ids.size(), (Integer) args[1]));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new RunService(store, ScriptedExecutor.allSucceed(), "the state directory S");
    }

    @Test
    void oneLeftOfTwoIsTheRunTheStartNames() {
        assertThat(answering(List.of(List.of("r-1", "r-2"), List.of("r-2"))).resolveRunId("r-")).isEqualTo("r-2");
    }

    @Test
    void noneLeftIsNoSuchRun() {
        assertThatThrownBy(() -> answering(List.of(List.of("r-1", "r-2"), List.of())).resolveRunId("r-"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("no run 'r-' in the state directory S");
    }

    @Test
    void severalLeftAreListedAndCounted() {
        assertThatThrownBy(() -> answering(List.of(List.of("r-1", "r-2"), List.of("r-1", "r-2", "r-3"))).resolveRunId("r-"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("'r-' is the start of 3 runs' ids (r-1, r-2, r-3) in the state directory S");
    }
}
