package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.agent.Executor;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * An executor whose results come from a function of (ticket, attempt). Records what ran and
 * checks the global and per-profile concurrency limits while attempts run.
 */
class ScriptedExecutor implements Executor {
    final List<String> started = new CopyOnWriteArrayList<>();
    /** {@code ticket#attempt} of each attempt {@link #killOrphan} was asked about. */
    final List<String> orphansLookedFor = new CopyOnWriteArrayList<>();
    final Set<String> finished = ConcurrentHashMap.newKeySet();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> runningPerProfile = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> maxPerProfile = new ConcurrentHashMap<>();
    /** The secrets of each ticket's last attempt ({@link AttemptRequest#secrets}). */
    final Map<String, Set<String>> secrets = new ConcurrentHashMap<>();
    private final BiFunction<String, Integer, AttemptResult> script;
    /** When set, attempts block until it opens or they are cancelled. */
    volatile CountDownLatch gate;
    /** When set, gated attempts ignore a cancel (like a process that ignores TERM) and stop only when killed. */
    volatile boolean ignoreCancel;

    ScriptedExecutor(BiFunction<String, Integer, AttemptResult> script) {
        this.script = script;
    }

    static ScriptedExecutor allSucceed() {
        return new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of()));
    }

    @Override
    public List<String> preflight(Plan plan) {
        return List.of();
    }

    @Override
    public void prepareRun(String runId, Plan plan, Path runDir) {}

    @Override
    public boolean killOrphan(AttemptView attempt) {
        orphansLookedFor.add(attempt.ticketId() + "#" + attempt.attempt());
        return false;
    }

    @Override
    public AttemptResult execute(AttemptRequest r, AttemptControl control) throws InterruptedException {
        String id = r.ticket().id();
        int now = running.incrementAndGet();
        maxRunning.accumulateAndGet(now, Math::max);
        int p = runningPerProfile.computeIfAbsent(r.ticket().agent(), k -> new AtomicInteger()).incrementAndGet();
        maxPerProfile.computeIfAbsent(r.ticket().agent(), k -> new AtomicInteger()).accumulateAndGet(p, Math::max);
        if (now > r.plan().concurrency()) violations.add("global concurrency " + now + " > " + r.plan().concurrency());
        int limit = r.profile().concurrency();
        if (limit > 0 && p > limit) violations.add("profile " + r.ticket().agent() + " concurrency " + p + " > " + limit);
        started.add(id + "#" + r.attempt());
        secrets.put(id, r.secrets());
        try {
            CountDownLatch g = gate;
            if (g != null) {
                CountDownLatch cancelled = new CountDownLatch(1);
                if (ignoreCancel) control.onKill(cancelled::countDown);
                else control.onCancel(cancelled::countDown);
                while (g.getCount() > 0 && cancelled.getCount() > 0) {
                    g.await(5, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                if (cancelled.getCount() == 0) return new AttemptResult(Outcome.CANCELLED, null, "cancelled", Map.of());
            }
            AttemptResult result = script.apply(id, r.attempt());
            if (result.outcome() == Outcome.SUCCEEDED || result.outcome() == Outcome.FAILED) finished.add(id);
            return result;
        } finally {
            runningPerProfile.get(r.ticket().agent()).decrementAndGet();
            running.decrementAndGet();
        }
    }
}
