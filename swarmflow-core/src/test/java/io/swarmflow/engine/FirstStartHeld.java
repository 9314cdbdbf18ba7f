package io.swarmflow.engine;

import io.swarmflow.store.Appended;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A store that is slow to make a coordinator's first attempt start durable, and what the coordinator does meanwhile. */
final class FirstStartHeld {
    private FirstStartHeld() {}

    /** Runs before a call to the store, by the name of its method, once the held append was submitted. */
    interface Meanwhile {
        void before(String method) throws Exception;
    }

    /**
     * {@code store} whose first append holding an {@link RunEvent.AttemptStarted} is written at once but durable (its future
     * completes) only once {@code held} completes; once it was submitted, each other call runs {@code meanwhile} first.
     */
    static RunStore until(RunStore store, CompletableFuture<Long> held, Meanwhile meanwhile) {
        AtomicBoolean submitted = new AtomicBoolean();
        return (RunStore) java.lang.reflect.Proxy.newProxyInstance(FirstStartHeld.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    try {
                        if (method.getName().equals("appendRecorded") && !submitted.get()
                                && ((List<?>) args[2]).stream().anyMatch(e -> e instanceof RunEvent.AttemptStarted)) {
                            submitted.set(true);
                            @SuppressWarnings("unchecked")
                            CompletableFuture<Appended> f = (CompletableFuture<Appended>) method.invoke(store, args);
                            return f.thenCombine(held, (appended, ignored) -> appended);
                        }
                        if (submitted.get()) meanwhile.before(method.getName());
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
