package io.swarmflow.local;

import io.swarmflow.agent.AttemptControl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link AttemptControl} that records what the executor reports and can be cancelled by the test. */
class TestControl implements AttemptControl {
    final List<String> stdout = new CopyOnWriteArrayList<>();
    final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<Runnable> onCancel = new ArrayList<>();
    private final long graceMillis;
    private boolean cancelled;
    volatile long pid;
    volatile long startTicks;

    TestControl(long graceMillis) {
        this.graceMillis = graceMillis;
    }

    TestControl() {
        this(500);
    }

    void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            cancelled = true;
            actions = List.copyOf(onCancel);
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public synchronized boolean isCancelled() {
        return cancelled;
    }

    @Override
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                onCancel.add(action);
                return;
            }
        }
        action.run();
    }

    private final List<Runnable> onKill = new ArrayList<>();
    private boolean killed;

    /** Like the engine on a second Ctrl-C: cancels, then runs the kill actions. */
    void kill() {
        cancel();
        List<Runnable> actions;
        synchronized (this) {
            killed = true;
            actions = List.copyOf(onKill);
        }
        actions.forEach(Runnable::run);
    }

    @Override
    public void onKill(Runnable action) {
        synchronized (this) {
            if (!killed) {
                onKill.add(action);
                return;
            }
        }
        action.run();
    }

    @Override
    public long gracePeriodMillis() {
        return graceMillis;
    }

    @Override
    public void processStarted(long pid, long startTicks) {
        this.startTicks = startTicks;
        this.pid = pid;
    }

    @Override
    public void logLine(String stream, String line) {
        ("stdout".equals(stream) ? stdout : stderr).add(line);
    }

    /** The lines told they continue the line before them (a progress bar's states after its first), as {@code stream:line}. */
    final List<String> continuing = new CopyOnWriteArrayList<>();

    @Override
    public void logLine(String stream, String line, boolean afterLoneCr) {
        logLine(stream, line);
        if (afterLoneCr) continuing.add(stream + ":" + line);
    }

    /** The lines told the next line may continue them (ended by a lone CR), as {@code stream:line}. */
    final List<String> mayBeContinued = new CopyOnWriteArrayList<>();

    @Override
    public void logLine(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
        logLine(stream, line, afterLoneCr);
        if (mayBeContinued) this.mayBeContinued.add(stream + ":" + line);
    }
}
