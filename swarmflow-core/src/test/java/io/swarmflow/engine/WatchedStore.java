package io.swarmflow.engine;

import io.swarmflow.store.RunStore;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/** A store that tells a test each call: for tests of what {@link RunService} asks a store, and when. */
final class WatchedStore {
    private WatchedStore() {}

    /**
     * {@code target}, calling {@code after} with each method's name (and the count of its calls so far) after it returns;
     * what a method throws is thrown as it is. {@link RunStore#newestRunsLeased}, when {@code target} keeps its default
     * ({@link RunStore#newestRuns}, then {@link RunStore#lease} of each run), runs on the watched store, so that the calls
     * it is made of are watched as they were when {@link RunService} made them itself. (Other defaults run on {@code target}:
     * {@link RunStore#newestRuns}'s read of every run is the memory store's business, not the service's.)
     */
    static RunStore watch(RunStore target, BiConsumer<String, Integer> after) {
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        return (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    Object result;
                    try {
                        result = method.getName().equals("newestRunsLeased")
                                && target.getClass().getMethod(method.getName(), method.getParameterTypes()).isDefault()
                                ? InvocationHandler.invokeDefault(proxy, method, args)
                                : method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    after.accept(method.getName(), calls.merge(method.getName(), 1, Integer::sum));
                    return result;
                });
    }
}
