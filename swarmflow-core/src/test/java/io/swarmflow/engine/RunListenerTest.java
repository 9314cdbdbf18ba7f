package io.swarmflow.engine;

import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.When;
import io.swarmflow.store.Appended;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * What a {@link RunListener} (the live view) hears was recorded: an event once its append is durable, in the log's
 * order, never one whose append failed; the coordinator's notices after the events made before them.
 */
class RunListenerTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }

    /** Records what a listener hears, as {@code event:Type ticket}, {@code notice:text} and {@code log:ticket line}. */
    static class Heard implements RunListener {
        final List<String> all = new CopyOnWriteArrayList<>();
        final List<RunEvent> events = new CopyOnWriteArrayList<>();
        /** Each output line heard as {@code stream:line}, then {@code (continues)} when told it continues the line before. */
        final List<String> lines = new CopyOnWriteArrayList<>();
        /** Each output line heard as {@code stream:line}, then {@code ~} when told the next line may continue it. */
        final List<String> ends = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunEvent event, long atEpochMillis) {
            events.add(event);
            all.add("event:" + name(event));
        }

        @Override
        public void onNotice(String message) {
            all.add("notice:" + message);
        }

        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line) {
            all.add("log:" + ticketId + " " + line);
        }

        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr) {
            all.add("log:" + ticketId + " " + line);
            lines.add(stream + ":" + line + (afterLoneCr ? " (continues)" : ""));
        }

        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
            onLogLine(ticketId, attempt, stream, line, afterLoneCr);
            ends.add(stream + ":" + line + (mayBeContinued ? "~" : ""));
        }

        boolean heard(Class<? extends RunEvent> type) {
            return events.stream().anyMatch(type::isInstance);
        }
    }

    static String name(RunEvent e) {
        String type = e.getClass().getSimpleName();
        return switch (e) {
            case RunEvent.AttemptStarted s -> type + " " + s.ticketId();
            case RunEvent.TicketSucceeded s -> type + " " + s.ticketId();
            case RunEvent.TicketFailed f -> type + " " + f.ticketId();
            default -> type;
        };
    }

    /** {@code store} whose appends go through {@code change}, given the events and the store's own future. */
    static RunStore appendsThrough(RunStore store, java.util.function.BiFunction<List<RunEvent>, Function<List<RunEvent>,
            CompletableFuture<Appended>>, CompletableFuture<Appended>> change) {
        return (RunStore) java.lang.reflect.Proxy.newProxyInstance(RunListenerTest.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    try {
                        if (method.getName().equals("appendRecorded")) {
                            @SuppressWarnings("unchecked")
                            List<RunEvent> events = (List<RunEvent>) args[2];
                            return change.apply(events, e -> store.appendRecorded((String) args[0], (long) args[1], e));
                        }
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** The events the store recorded for the coordinator (all but the run's creation), in the log's order. */
    List<RunEvent> recorded(String run) {
        List<StoredEvent> all = store.events(run, 0, Integer.MAX_VALUE);
        return all.subList(1, all.size()).stream().map(StoredEvent::event).toList();
    }

    @Test
    void theListenerHearsAnEventOnlyOnceItsAppendIsDurable() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>();
        CountDownLatch submitted = new CountDownLatch(1);
        RunStore holding = appendsThrough(store, (events, append) -> {
            CompletableFuture<Appended> f = append.apply(events);
            if (events.stream().noneMatch(e -> e instanceof RunEvent.TicketSucceeded)) return f;
            submitted.countDown();
            return f.thenCombine(held, (appended, ignored) -> appended); // written, but not durable until the test says so
        });
        RunService service = new RunService(holding, ScriptedExecutor.allSucceed());
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options(), heard)::execute);
            submitted.await();

            // the coordinator submitted a's success for appending: not durable, not heard; its start was, before a ran.
            // Looked at for a while: the scheduler tells on its own thread, maybe just after this one woke (an engine
            // that told each event as soon as it was submitted passed 2 times in 10 when this looked once)
            await("a's success and the run's end, not durable, not heard").during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> !heard.all.contains("event:TicketSucceeded a") && !heard.heard(RunEvent.RunFinished.class));
            assertThat(heard.all).contains("event:AttemptStarted a");

            held.complete(0L);
            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            // execute() returns once the listener heard everything, in the log's order, each event once
            assertThat(heard.events).containsExactlyElementsOf(recorded(run));
        } finally {
            held.complete(0L);
            pool.shutdownNow();
        }
    }

    /**
     * A cancel whose writes cannot be recorded (the database locked by another process): the listener hears neither the
     * cancel nor what followed it ("run cancelled" printed by the view while the run stays recorded as running), but the
     * coordinator's notice that it stops the attempts all the same.
     */
    @Test
    void aCancelWhoseAppendFailedIsNeverHeard() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        RunStore locked = appendsThrough(store, (events, append) -> {
            if (events.stream().anyMatch(e -> e instanceof RunEvent.RunCancelRequested)) broken.set(true);
            // as the SQL store: once an append failed, every later one of the coordinator fails too
            return broken.get() ? CompletableFuture.failedFuture(new StoreException.Unavailable("could not write: locked", null))
                    : append.apply(events);
        });
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1); // the attempt runs until it is cancelled
        RunService service = new RunService(locked, exec);
        String run = service.create(new TestPlans().ticket("sleeper").build(), "spec.yaml");
        Heard heard = new Heard();
        RunEngine engine = service.engine(run, options(), heard);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(30)).until(() -> heard.heard(RunEvent.AttemptStarted.class));
            engine.cancel("SIGINT (Ctrl-C)");

            assertThatThrownBy(result::get).hasCauseInstanceOf(StoreException.Unavailable.class);
            assertThat(recorded(run)).noneMatch(e -> e instanceof RunEvent.RunCancelRequested);
            assertThat(heard.events).containsExactlyElementsOf(recorded(run))
                    .noneMatch(e -> e instanceof RunEvent.RunCancelRequested || e instanceof RunEvent.TicketCancelled
                            || e instanceof RunEvent.AttemptFinished || e instanceof RunEvent.RunFinished);
            assertThat(heard.all).contains("notice:cancelling: stopping 1 running attempt: TERM, then KILL after 100ms");
        } finally {
            exec.gate.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A cancel whose event the store failed to record (its database locked by another process, the wait given up on the
     * Ctrl-C): its "cancelling: ..." notice waits for nothing and is heard at once, not once the coordinator has
     * waited for its attempts to end (up to the grace period and 5 s more: here a minute).
     */
    @Test
    void theNoticeOfACancelWhoseAppendFailedIsHeardAtOnce() throws Exception {
        AtomicBoolean broken = new AtomicBoolean();
        RunStore locked = appendsThrough(store, (events, append) -> {
            if (events.stream().anyMatch(e -> e instanceof RunEvent.RunCancelRequested)) broken.set(true);
            return broken.get() ? CompletableFuture.failedFuture(new StoreException.Unavailable("could not write: locked", null))
                    : append.apply(events);
        });
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        exec.ignoreCancel = true; // the attempt goes on after the TERM, until the test ends it
        RunService service = new RunService(locked, exec);
        String run = service.create(new TestPlans().ticket("stubborn").build(), "spec.yaml");
        Heard heard = new Heard();
        RunEngine engine = service.engine(run, EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10)
                .gracePeriodMillis(60_000).seed(42).build(), heard);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(30)).until(() -> heard.heard(RunEvent.AttemptStarted.class));
            engine.cancel("SIGINT (Ctrl-C)");

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> heard.all.contains("notice:cancelling: stopping 1 running attempt: TERM, then KILL after 60s"));
            assertThat(result).as("the coordinator still waits for its attempt").isNotDone();
            exec.gate.countDown();
            assertThatThrownBy(result::get).hasCauseInstanceOf(StoreException.Unavailable.class);
            assertThat(heard.all).containsOnlyOnce("notice:cancelling: stopping 1 running attempt: TERM, then KILL after 60s");
            assertThat(heard.events).containsExactlyElementsOf(recorded(run));
        } finally {
            exec.gate.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * The coordinator's notices come after the events it made before them, and an attempt's output after its start:
     * "fail-fast: bad failed" is not printed before "bad FAILED".
     */
    @Test
    void noticesAndOutputComeAfterTheEventsBeforeThem() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("bad") ? AttemptResult.failed(1, null) : AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stdout", "hello from " + r.ticket().id());
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("bad").ticket("after", "bad")
                .ticket("cleanup", When.ALWAYS, 0, ApprovalMode.NONE, "noop", 0, "bad").build(), "spec.yaml");
        Heard heard = new Heard();

        assertThat(service.engine(run, options().toBuilder().failFast(true).build(), heard).execute()).isEqualTo(RunState.FAILED);

        List<String> all = heard.all;
        assertThat(all.indexOf("event:AttemptStarted bad")).isNotNegative().isLessThan(all.indexOf("log:bad hello from bad"));
        assertThat(all.indexOf("event:AttemptStarted cleanup")).isNotNegative().isLessThan(all.indexOf("log:cleanup hello from cleanup"));
        assertThat(all.indexOf("event:TicketFailed bad")).isNotNegative()
                .isLessThan(all.indexOf("notice:fail-fast: bad failed; stopping the run (failure and always handlers still run)"));
        assertThat(heard.events).containsExactlyElementsOf(recorded(run));
    }

    /**
     * An attempt starts once its start is durable, also while the scheduler thread waits for the store (a heartbeat
     * waiting for the database, held here until the attempt ran): a listener does not hold it back. What it printed
     * before the listener heard its start comes after it.
     */
    @Test
    void anAttemptStartsOnceDurableThoughTheSchedulerWaitsForTheStore() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // a's start is durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch heartbeatGoesOn = new CountDownLatch(1);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                heartbeatGoesOn.await();
            }
        });
        CountDownLatch printed = new CountDownLatch(1);
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                // more than the engine holds back before the listener heard the start: the rest is said in a notice
                for (int i = 0; i < RunEngine.MAX_HELD_LINES + 2; i++) c.logLine("stdout", "line " + i);
                printed.countDown();
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard();
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, heard)::execute);
            heartbeatHeld.await(); // a's start submitted, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);

            // not a timing: without the change a waits until the heartbeat returns, which it does only once a printed
            assertThat(printed.await(2, java.util.concurrent.TimeUnit.MINUTES)).as("a started while the scheduler waited").isTrue();
            assertThat(heard.all).doesNotContain("log:a line 0");
            heartbeatGoesOn.countDown();

            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(heard.all.indexOf("event:AttemptStarted a")).isNotNegative().isLessThan(heard.all.indexOf("log:a line 0"));
            int last = RunEngine.MAX_HELD_LINES - 1;
            assertThat(heard.all).contains("log:a line " + last, "notice:a: 2 more lines printed before its start was recorded are "
                    + "not shown live; `swarm logs " + run + " a` has them").doesNotContain("log:a line " + (last + 1));
            assertThat(heard.events).containsExactlyElementsOf(recorded(run));
        } finally {
            held.complete(0L);
            heartbeatGoesOn.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * Whether an output line continues the one before it (a progress bar's next state, drawn over it after a lone CR)
     * reaches the listener as the executor told it, for the lines held until the listener heard the attempt's start
     * (the scheduler waiting for the store meanwhile, as in the test above) as for those told at once; a line whose line
     * before was left out (more were held than {@link RunEngine#MAX_HELD_LINES}) is told it continues nothing, since the
     * line heard before it is another, while the other stream's lines, none of which was left out, are told as they came.
     */
    @Test
    void whetherALineContinuesTheOneBeforeItReachesTheListener() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // a's start is durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch heartbeatGoesOn = new CountDownLatch(1);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                heartbeatGoesOn.await();
            }
        });
        CountDownLatch printed = new CountDownLatch(1);
        CountDownLatch heldHeard = new CountDownLatch(1);
        AtomicBoolean heardInTime = new AtomicBoolean();
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stderr", "0%", false);
                c.logLine("stderr", "50%", true);
                for (int i = 2; i < RunEngine.MAX_HELD_LINES; i++) c.logLine("stdout", "line " + i, false);
                c.logLine("stdout", "left out", true);
                printed.countDown();
                // the held lines were heard: the engine passes the next ones on at once
                heardInTime.set(heldHeard.await(2, java.util.concurrent.TimeUnit.MINUTES));
                c.logLine("stdout", "after", true);
                c.logLine("stdout", "after again", true);
                c.logLine("stderr", "100%", true);
                c.logLine("stdout", "plain");
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard();
        RunListener listener = new RunListener() {
            @Override
            public void onEvent(RunEvent event, long atEpochMillis) {
                heard.onEvent(event, atEpochMillis);
            }

            @Override
            public void onNotice(String message) {
                heard.onNotice(message);
            }

            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line) { // not called by the engine
                heard.onLogLine(ticketId, attempt, stream, line);
                if (line.equals("line " + (RunEngine.MAX_HELD_LINES - 1))) heldHeard.countDown();
            }

            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr) {
                heard.onLogLine(ticketId, attempt, stream, line, afterLoneCr);
                if (line.equals("line " + (RunEngine.MAX_HELD_LINES - 1))) heldHeard.countDown();
            }
        };
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, listener)::execute);
            heartbeatHeld.await(); // a's start submitted, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);
            assertThat(printed.await(2, java.util.concurrent.TimeUnit.MINUTES)).as("a started while the scheduler waited").isTrue();
            assertThat(heard.lines).isEmpty(); // held: the listener did not hear a's start yet
            heartbeatGoesOn.countDown();

            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(heardInTime).as("the held lines were heard").isTrue();
            assertThat(heard.lines).startsWith("stderr:0%", "stderr:50% (continues)", "stdout:line 2")
                    .endsWith("stdout:line " + (RunEngine.MAX_HELD_LINES - 1), "stdout:after", "stdout:after again (continues)",
                            "stderr:100% (continues)", "stdout:plain")
                    .hasSize(RunEngine.MAX_HELD_LINES + 4)
                    .doesNotContain("stdout:left out", "stdout:left out (continues)");
            assertThat(heard.all).contains("notice:a: 1 more line printed before its start was recorded is not shown live; `swarm logs "
                    + run + " a` has it");
        } finally {
            held.complete(0L);
            heartbeatGoesOn.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * Whether the next line may continue an output line reaches the listener as the executor told it, for held lines as
     * for those told at once, a line told without it being one that may be continued. The last held line, when lines
     * after it were left out, is told no line will continue it (none the listener hears can): a view that holds a bar's
     * state shows it at once, before the notice that says lines after it are not shown, not after it.
     */
    @Test
    void whetherTheNextLineMayContinueALineReachesTheListenerAndTheLastHeldLineComesBeforeTheNotice() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // a's start is durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch heartbeatGoesOn = new CountDownLatch(1);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                heartbeatGoesOn.await();
            }
        });
        CountDownLatch printed = new CountDownLatch(1);
        int last = RunEngine.MAX_HELD_LINES - 1;
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stdout", "compiling", false, false);
                c.logLine("stdout", "10%", false, true);
                for (int i = 2; i < last; i++) c.logLine("stdout", "line " + i, false, false);
                c.logLine("stdout", "50%", false, true); // the last held
                c.logLine("stdout", "left out", true, true);
                printed.countDown();
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard();
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, heard)::execute);
            heartbeatHeld.await(); // a's start submitted, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);
            assertThat(printed.await(2, java.util.concurrent.TimeUnit.MINUTES)).as("a started while the scheduler waited").isTrue();
            heartbeatGoesOn.countDown();

            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(heard.ends).startsWith("stdout:compiling", "stdout:10%~", "stdout:line 2").endsWith("stdout:line " + (last - 1), "stdout:50%")
                    .hasSize(RunEngine.MAX_HELD_LINES);
            String notice = "notice:a: 1 more line printed before its start was recorded is not shown live; `swarm logs " + run + " a` has it";
            assertThat(heard.all.indexOf("log:a 50%")).isNotNegative().isEqualTo(heard.all.indexOf(notice) - 1);
        } finally {
            held.complete(0L);
            heartbeatGoesOn.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * Lines told at once (once the listener heard the attempt's start and the lines held until then) carry whether the
     * next may continue them; a line told without it may be continued.
     */
    @Test
    void whetherTheNextLineMayContinueALineToldAtOnceReachesTheListener() throws Exception {
        CountDownLatch firstHeard = new CountDownLatch(1);
        AtomicBoolean heardInTime = new AtomicBoolean();
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stdout", "first", false, false);
                // heard, held or not: the engine passes the next ones on at once (a held line is heard while the lines
                // held are, and the next waits for them all)
                heardInTime.set(firstHeard.await(2, java.util.concurrent.TimeUnit.MINUTES));
                c.logLine("stdout", "done", false, false);
                c.logLine("stderr", "1/3", false, true);
                c.logLine("stderr", "3/3", true, false);
                c.logLine("stdout", "told nothing", true);
                c.logLine("stdout", "told less");
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(store, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard() {
            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                super.onLogLine(ticketId, attempt, stream, line, afterLoneCr, mayBeContinued);
                if (line.equals("first")) firstHeard.countDown();
            }
        };
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        assertThat(service.engine(run, options, heard).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(heardInTime).as("the first line was heard").isTrue();
        assertThat(heard.ends).containsExactly("stdout:first", "stdout:done", "stderr:1/3~", "stderr:3/3", "stdout:told nothing~",
                "stdout:told less~");
    }

    /**
     * The coordinator stops on an error of the store (a read failing) while an append of its own is in flight: what that
     * append records once durable is heard before {@code execute()} ends, as the rest of the log, though its attempt,
     * started too late for the coordinator to stop it, never runs.
     */
    @Test
    void anAppendDurableAfterTheCoordinatorFailedIsHeard() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // a's start is durable when the test says so
        CountDownLatch failed = new CountDownLatch(1);
        RunStore slow = FirstStartHeld.until(store, held, method -> {
            if (method.equals("pendingCommands")) {
                failed.countDown();
                throw new StoreException.Unavailable("could not read the run's commands: connection reset", null);
            }
        });
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(slow, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options(), heard)::execute);
            failed.await();
            assertThat(catchThrowable(() -> result.get(1, java.util.concurrent.TimeUnit.SECONDS)))
                    .as("the coordinator waits for the append it submitted").isInstanceOf(java.util.concurrent.TimeoutException.class);

            held.complete(0L);
            assertThatThrownBy(result::get).hasCauseInstanceOf(StoreException.Unavailable.class);
            assertThat(heard.events).containsExactlyElementsOf(recorded(run)).anyMatch(e -> e instanceof RunEvent.AttemptStarted);
            assertThat(exec.started).isEmpty();
        } finally {
            held.complete(0L);
            pool.shutdownNow();
        }
    }

    /**
     * Two attempts started by one append print before the listener heard it (the scheduler thread waits in a heartbeat
     * meanwhile): each one's lines come right after its own start, before the next event, as {@link RunListener} says.
     */
    @Test
    void heldOutputComesRightAfterItsOwnStart() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // the starts are durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch printed = new CountDownLatch(2);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                printed.await(); // the scheduler hears the starts only once both attempts printed
            }
        });
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stdout", "hello from " + r.ticket().id());
                printed.countDown();
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").ticket("b").build(), "spec.yaml");
        Heard heard = new Heard();
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, heard)::execute);
            heartbeatHeld.await(); // both starts submitted in one append, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);
            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);

            List<String> all = heard.all;
            int a = all.indexOf("event:AttemptStarted a");
            int b = all.indexOf("event:AttemptStarted b");
            String first = a < b ? "a" : "b";
            String second = a < b ? "b" : "a";
            assertThat(all.subList(Math.min(a, b), Math.max(a, b) + 2)).containsExactly("event:AttemptStarted " + first,
                    "log:" + first + " hello from " + first, "event:AttemptStarted " + second, "log:" + second + " hello from " + second);
        } finally {
            held.complete(0L);
            printed.countDown();
            printed.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * That the log cap cut a stream's log file ({@link AttemptControl#logCapped}) reaches the listener in order with the
     * lines: held with the lines printed before the listener heard the attempt's start, and told at once after.
     */
    @Test
    void theLogCapReachesTheListenerInOrderWithTheLines() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // the start is durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch printed = new CountDownLatch(1);
        CountDownLatch heardHeld = new CountDownLatch(1);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                printed.await(); // the scheduler hears the start only once the attempt printed
            }
        });
        AtomicBoolean heardInTime = new AtomicBoolean();
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                c.logLine("stdout", "whole", false, false);
                c.logCapped("stdout");
                c.logLine("stdout", "cut", false, false);
                printed.countDown();
                heardInTime.set(heardHeld.await(2, java.util.concurrent.TimeUnit.MINUTES));
                c.logLine("stderr", "whole too", false, false);
                c.logCapped("stderr");
                c.logLine("stderr", "cut too", false, false);
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard() {
            @Override
            public void onLogCapped(String ticketId, int attempt, String stream) {
                all.add("capped:" + ticketId + "/" + attempt + " " + stream);
            }

            @Override
            public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                super.onLogLine(ticketId, attempt, stream, line, afterLoneCr, mayBeContinued);
                if (line.equals("cut")) heardHeld.countDown();
            }
        };
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, heard)::execute);
            heartbeatHeld.await(); // the start submitted, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);
            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(heardInTime).as("the held lines were heard").isTrue();
            List<String> all = heard.all;
            int start = all.indexOf("event:AttemptStarted a");
            assertThat(all.subList(start, start + 7)).containsExactly("event:AttemptStarted a", "log:a whole",
                    "capped:a/1 stdout", "log:a cut", "log:a whole too", "capped:a/1 stderr", "log:a cut too");
        } finally {
            held.complete(0L);
            printed.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * A cap held before the listener heard the attempt's start whose line was left out (the held lines overflowed,
     * {@link RunEngine#MAX_HELD_LINES}) is not told: no line the listener hears is the part the cap kept, and a view would
     * keep waiting for it; nor is one told with the held lines already full.
     */
    @Test
    void aHeldCapWhoseLineWasLeftOutIsNotTold() throws Exception {
        CompletableFuture<Long> held = new CompletableFuture<>(); // the start is durable when the test says so
        CountDownLatch heartbeatHeld = new CountDownLatch(1);
        CountDownLatch printed = new CountDownLatch(1);
        RunStore waiting = FirstStartHeld.until(store, held, method -> {
            if (method.equals("heartbeat") && heartbeatHeld.getCount() > 0) {
                heartbeatHeld.countDown();
                printed.await(); // the scheduler hears the start only once the attempt printed
            }
        });
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(AttemptRequest r, AttemptControl c) throws InterruptedException {
                for (int i = 0; i < RunEngine.MAX_HELD_LINES - 2; i++) c.logLine("stdout", "line " + i, false, false);
                c.logCapped("stdout"); // held; another stream's line then fills the held lines, and its line is left out
                c.logLine("stderr", "other", false, false);
                c.logLine("stdout", "cut", false, false);
                c.logCapped("stderr"); // the held lines are full
                c.logLine("stderr", "cut too", false, false);
                printed.countDown();
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(waiting, exec);
        String run = service.create(new TestPlans().ticket("a").build(), "spec.yaml");
        Heard heard = new Heard() {
            @Override
            public void onLogCapped(String ticketId, int attempt, String stream) {
                all.add("capped:" + ticketId + "/" + attempt + " " + stream);
            }
        };
        EngineOptions options = EngineOptions.builder(stateDir).lease(2_000, 100).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> result = pool.submit(service.engine(run, options, heard)::execute);
            heartbeatHeld.await(); // the start submitted, not durable yet; the scheduler waits in a heartbeat
            held.complete(0L);
            assertThat(result.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(heard.all).contains("log:a line " + (RunEngine.MAX_HELD_LINES - 3), "log:a other")
                    .doesNotContain("log:a cut", "log:a cut too")
                    .noneMatch(e -> e.startsWith("capped:"));
            assertThat(heard.all).contains("notice:a: 2 more lines printed before its start was recorded are not shown live; "
                    + "`swarm logs " + run + " a` has them");
        } finally {
            held.complete(0L);
            printed.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * The listener hears each event with the time the store acknowledged its append with: the coordinator reads no event
     * back for it (it read the events of each append back, one read per append told: about 320 us each on SQLite, a round
     * trip on PostgreSQL, and on the in-memory store a walk of the whole log each time).
     */
    @Test
    void aListenerOnAnInMemoryRunReadsNoEventsBack() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        RunStore counting = (RunStore) java.lang.reflect.Proxy.newProxyInstance(RunListenerTest.class.getClassLoader(),
                new Class<?>[]{RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("events")) reads.incrementAndGet();
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<StoredEvent> heard = new CopyOnWriteArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void onEvent(RunEvent event, long atEpochMillis) {
                heard.add(new StoredEvent(null, 0, atEpochMillis, event));
            }
        };
        RunService service = new RunService(counting, ScriptedExecutor.allSucceed());
        String run = service.create(new TestPlans().ticket("a").ticket("b", "a").ticket("c").build(), "spec.yaml");

        assertThat(service.engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);

        assertThat(reads).as("reads of the run's events").hasValue(0);
        // every event heard (all but run-created, in the log's order) with its recorded time
        assertThat(heard).isEqualTo(store.events(run, 1, Integer.MAX_VALUE).stream()
                .map(e -> new StoredEvent(null, 0, e.atEpochMillis(), e.event())).toList());
    }

    /**
     * The live view's durations are {@code swarm status}'s: each event is heard with the time the store recorded it at,
     * not when the coordinator made it, here a store whose clock runs 37 ms further ahead at each reading (a commit
     * that waits, as under load). Before, the view's durations came from the coordinator's clock.
     */
    @Test
    void eventsAreHeardWithTheTimesTheStoreRecordedThemAt() throws Exception {
        java.util.concurrent.atomic.AtomicLong ahead = new java.util.concurrent.atomic.AtomicLong();
        InMemoryRunStore late = new InMemoryRunStore(() -> System.currentTimeMillis() + ahead.addAndGet(37));
        Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();
        Map<String, Long> took = new java.util.concurrent.ConcurrentHashMap<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        RunListener listener = new RunListener() {
            @Override
            public void onEvent(RunEvent event, long atEpochMillis) {
                times.add(atEpochMillis);
                if (event instanceof RunEvent.AttemptStarted s) started.put(s.ticketId() + "#" + s.attempt(), atEpochMillis);
                if (event instanceof RunEvent.AttemptFinished f) {
                    took.put(f.ticketId() + "#" + f.attempt(), atEpochMillis - started.get(f.ticketId() + "#" + f.attempt()));
                }
            }
        };
        // a fails once: its retry is a second attempt
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("a") && a == 1 ? AttemptResult.failed(1, null)
                : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(late, exec);
        String run = service.create(new TestPlans().ticket("a", When.SUCCESS, 1, ApprovalMode.NONE, "noop", 0)
                .ticket("b", "a").ticket("c").build(), "spec.yaml");
        assertThat(service.engine(run, options(), listener).execute()).isEqualTo(RunState.SUCCEEDED);

        Map<String, Long> recorded = new java.util.HashMap<>();
        for (var a : late.attempts(run)) recorded.put(a.ticketId() + "#" + a.attempt(), a.finishedAtMillis() - a.startedAtMillis());
        assertThat(recorded).containsOnlyKeys("a#1", "a#2", "b#1", "c#1");
        assertThat(took).isEqualTo(recorded);
        // every event heard (all but run-created, in the log's order) with its recorded time
        assertThat(times).isEqualTo(late.events(run, 1, Integer.MAX_VALUE).stream().map(StoredEvent::atEpochMillis).toList());
    }
}

