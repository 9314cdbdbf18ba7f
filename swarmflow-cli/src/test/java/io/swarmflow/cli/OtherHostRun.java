package io.swarmflow.cli;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.RunEvent;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The set-up of the resume tests: a state directory holding a run of one ticket ({@code a: echo a}) whose coordinators
 * were other hosts' ({@code otherhost:N@N}), which claimed it, started it and maybe cancelled it, as the test says.
 *
 * @param spec     the spec file, {@code one.yaml} in the test's directory
 * @param stateDir the state directory, {@code state} in the test's directory
 * @param run      the run's id
 */
record OtherHostRun(Path spec, Path stateDir, String run) {
    /** What a test does with the freshly created run, in the state directory's {@link Wiring}. */
    interface Setup {
        void accept(Wiring w, String run) throws Exception;
    }

    /**
     * Writes the spec, creates the state directory and the run, then lets {@code setup} add to it (nothing: a run that
     * never started).
     */
    static OtherHostRun create(Path tmp, Setup setup) throws Exception {
        Path spec = Files.writeString(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    run: echo a\n");
        Plan plan = new SpecLoader().load(spec, Map.of());
        Path stateDir = tmp.resolve("state");
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            String run = w.service.create(plan, spec.toString());
            setup.accept(w, run);
            return new OtherHostRun(spec, stateDir, run);
        }
    }

    /**
     * Host {@code host}'s coordinator claims the run and starts it ({@code RunStarted}, a resume for a host above 1), with
     * {@code then} in the same append, and makes the run's directory (as a start does); it keeps the run.
     *
     * @return its epoch
     */
    static long start(Wiring w, String run, int host, RunEvent... then) throws Exception {
        String owner = "otherhost:" + host + "@" + host;
        long epoch = w.store.claimRun(run, owner, 60_000);
        List<RunEvent> events = new ArrayList<>(List.of(new RunEvent.RunStarted(epoch, owner, host > 1)));
        events.addAll(List.of(then));
        w.store.append(run, epoch, events).join();
        Files.createDirectories(w.runDir(run));
        return epoch;
    }

    /**
     * {@link #start}, then its coordinator stops and gives the run up (released, so that the next claim need not wait
     * for the lease): with {@code then} ending in {@code RunFinished(CANCELLED)} a cancel, without an end a kill.
     */
    static void session(Wiring w, String run, int host, RunEvent... then) throws Exception {
        w.store.releaseRun(run, start(w, run, host, then));
    }

    /**
     * Applies {@code run}'s pending cancel as its coordinator of {@code epoch} does: the {@code RunCancelRequested} event
     * durable first, then the commands marked applied.
     */
    static Runnable cancelApplier(Wiring w, String run, long epoch) {
        return () -> {
            List<Long> ids = w.store.pendingCommands(run).stream().map(io.swarmflow.store.RunCommand::id).toList();
            w.store.append(run, epoch, List.of(new RunEvent.RunCancelRequested("swarm cancel (me@laptop)"))).join();
            w.store.markCommandsApplied(run, epoch, ids);
        };
    }

    /**
     * {@code store}, running {@code apply} just before the call numbered {@code gap} (from 0, counted in {@code calls}) of
     * a method named in {@code reads}: a coordinator acting between a command's reads of the store.
     */
    static io.swarmflow.store.RunStore racing(io.swarmflow.store.RunStore store, java.util.Set<String> reads, int gap,
                                             java.util.concurrent.atomic.AtomicInteger calls, Runnable apply) {
        return (io.swarmflow.store.RunStore) java.lang.reflect.Proxy.newProxyInstance(io.swarmflow.store.RunStore.class.getClassLoader(),
                new Class<?>[]{io.swarmflow.store.RunStore.class}, (proxy, method, args) -> {
                    if (reads.contains(method.getName()) && calls.getAndIncrement() == gap) apply.run();
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
