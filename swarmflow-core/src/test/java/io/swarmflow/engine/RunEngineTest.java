package io.swarmflow.engine;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.When;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoreException;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RunEngineTest {
    @TempDir
    Path stateDir;

    final InMemoryRunStore store = new InMemoryRunStore();

    EngineOptions options() {
        return EngineOptions.builder(stateDir).lease(2_000, 500).commandPollMillis(10).gracePeriodMillis(100).seed(42).build();
    }

    Map<String, TicketView> tickets(String runId) {
        return store.tickets(runId).stream().collect(Collectors.toMap(TicketView::ticketId, t -> t));
    }

    String create(RunService service, Plan plan) throws Exception {
        return service.create(plan, "spec.yaml");
    }

    @Test
    void runsADiamondInDependencyOrderAndSucceeds() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("a").ticket("b", "a").ticket("c", "a").ticket("d", "b", "c").build());

        RunState result = service.engine(run, options(), null).execute();

        assertThat(result).isEqualTo(RunState.SUCCEEDED);
        assertThat(tickets(run).values()).allMatch(t -> t.state() == TicketState.SUCCEEDED && t.attempt() == 1);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
        assertThat(exec.started.getFirst()).isEqualTo("a#1");
        assertThat(exec.started.getLast()).isEqualTo("d#1");
    }

    @Test
    void aCancelAskedBeforeExecuteStartsNoAttempt() throws Exception {
        // a Ctrl-C that came while the CLI claimed the run: the run must stop before any ticket starts
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("a").ticket("b", "a").build());
        RunEngine engine = service.engine(run, options(), null);
        engine.claim();

        engine.cancel("SIGINT (Ctrl-C)");
        RunState result = engine.execute();

        assertThat(result).isEqualTo(RunState.CANCELLED);
        assertThat(exec.started).isEmpty();
        assertThat(tickets(run).values()).noneMatch(t -> t.attempt() > 0);
    }

    @Test
    void failureSkipsDependentsWithReasonAndRunsFailureAndAlwaysHandlers() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("build") ? AttemptResult.failed(3, null) : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        Plan plan = new TestPlans()
                .ticket("build")
                .ticket("test", "build")
                .ticket("deploy", "test")
                .ticket("notify", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "test")
                .ticket("cleanup", When.ALWAYS, 0, ApprovalMode.NONE, "noop", 0, "build")
                .ticket("lint")
                .ticket("celebrate", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "lint")
                .build();
        String run = create(service, plan);

        RunState result = service.engine(run, options(), null).execute();

        assertThat(result).isEqualTo(RunState.FAILED);
        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("build").state()).isEqualTo(TicketState.FAILED);
        assertThat(t.get("build").reason()).isEqualTo("exited with code 3");
        assertThat(t.get("test").state()).isEqualTo(TicketState.SKIPPED);
        assertThat(t.get("test").reason()).isEqualTo("dependency build failed");
        assertThat(t.get("deploy").reason()).isEqualTo("dependency test was skipped (build failed)");
        assertThat(t.get("notify").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(t.get("cleanup").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(t.get("celebrate").state()).isEqualTo(TicketState.SKIPPED);
        assertThat(t.get("celebrate").reason()).isEqualTo("no dependency failed (when: failure)");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aSkipReasonNamesWhatFirstStoppedTheChainAlsoAfterAResume() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("build") ? AttemptResult.failed(3, null) : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        Plan plan = new TestPlans()
                .ticket("build").ticket("test", "build").ticket("deploy", "test").ticket("announce", "deploy")
                .ticket("lint")
                .ticket("on-lint-failure", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "lint")
                .ticket("after-handler", "on-lint-failure")
                .ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("after-gate-and-deploy", "gate", "deploy")
                .build();
        String run = create(service, plan);
        // the gate holds a ticket until a resume: its skip reason is then built from what the first coordinator recorded
        CountDownLatch awaiting = new CountDownLatch(1);
        RunEngine first = service.engine(run, options(), new RunListener() {
            @Override
            public void onEvent(RunEvent e, long atMillis) {
                if (e instanceof RunEvent.TicketAwaitingApproval) awaiting.countDown();
            }
        });
        var pool = Executors.newSingleThreadExecutor();
        Future<RunState> f = pool.submit(first::execute);
        awaiting.await();
        await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("announce").state() == TicketState.SKIPPED);
        first.cancel("test");
        assertThat(f.get()).isEqualTo(RunState.CANCELLED);
        pool.shutdown();
        service.approve(run, "gate", "me");
        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);

        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("test").reason()).isEqualTo("dependency build failed");
        assertThat(t.get("deploy").reason()).isEqualTo("dependency test was skipped (build failed)");
        assertThat(t.get("announce").reason()).isEqualTo("dependency deploy was skipped (build failed)");
        assertThat(t.get("on-lint-failure").reason()).isEqualTo("no dependency failed (when: failure)");
        assertThat(t.get("after-handler").reason()).isEqualTo("dependency on-lint-failure was skipped (no dependency of on-lint-failure failed)");
        assertThat(t.get("after-gate-and-deploy").reason()).isEqualTo("dependency deploy was skipped (build failed)");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aSkipNamesAFailedDependencyBeforeOneSkippedForAnotherReasonWhateverTheOrderOfNeeds() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("build") ? AttemptResult.failed(3, null) : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        Plan plan = new TestPlans()
                .ticket("lint")
                .ticket("on-lint-failure", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "lint")
                .ticket("build")
                .ticket("deploy", "on-lint-failure", "build") // the handler with nothing to handle is listed first
                .ticket("announce", "deploy")
                .build();
        String run = create(service, plan);

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);

        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("on-lint-failure").reason()).isEqualTo("no dependency failed (when: failure)");
        assertThat(t.get("deploy").reason()).isEqualTo("dependency build failed");
        assertThat(t.get("announce").reason()).isEqualTo("dependency deploy was skipped (build failed)");
    }

    @Test
    void retriesAFailingTicketUntilItSucceeds() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> a < 3 ? AttemptResult.failed(1, "flaky") : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("flaky", When.SUCCESS, 2, ApprovalMode.NONE, "noop", 0).build());

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);

        TicketView t = tickets(run).get("flaky");
        assertThat(t.attempt()).isEqualTo(3);
        assertThat(t.failures()).isEqualTo(2);
        assertThat(store.attempts(run)).extracting(a -> a.outcome()).containsExactly(Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED);
    }

    @Test
    void exhaustedRetriesFailTheTicket() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> new AttemptResult(Outcome.TIMED_OUT, null, "ran past 1s", Map.of()));
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("slow", When.SUCCESS, 1, ApprovalMode.NONE, "noop", 0).build());

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);
        assertThat(tickets(run).get("slow").reason()).isEqualTo("ran past 1s (after 2 attempts)");
    }

    @Test
    void higherPriorityRunsFirst() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().concurrency(1)
                .ticket("low", When.SUCCESS, 0, ApprovalMode.NONE, "noop", 1)
                .ticket("high", When.SUCCESS, 0, ApprovalMode.NONE, "noop", 9)
                .ticket("mid", When.SUCCESS, 0, ApprovalMode.NONE, "noop", 5).build());

        service.engine(run, options(), null).execute();

        assertThat(exec.started).containsExactly("high#1", "mid#1", "low#1");
    }

    @Test
    void amongEqualPrioritiesTheTicketWithTheLongestChainBehindItStartsFirst() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        // plan order: leaf, head, middle, tail; head -> middle -> tail is the longest chain
        String run = create(service, new TestPlans().concurrency(1)
                .ticket("leaf").ticket("head").ticket("middle", "head").ticket("tail", "middle").build());

        service.engine(run, options(), null).execute();

        assertThat(exec.started).containsExactly("head#1", "middle#1", "leaf#1", "tail#1"); // leaf and tail tie: plan order
    }

    @Test
    void approvalGateWaitsForApproveFromAnotherThread() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans()
                .ticket("plan")
                .ticket("merge", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0, "plan").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> service.engine(run, options(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("merge").state() == TicketState.AWAITING_APPROVAL);
            assertThat(exec.started).containsExactly("plan#1");
            var approval = service.approve(run, "merge", "alice");
            assertThat(f.get()).isEqualTo(RunState.SUCCEEDED);
            // the decision event names the command, so its sender can tell that it, and not another one, took effect
            assertThat(service.tookEffect(approval, 0)).isTrue();
        }
        assertThat(tickets(run).get("merge").approvedBy()).isEqualTo("alice");
    }

    @Test
    void rejectionFailsTheGatedTicketAndSkipsItsDependents() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans()
                .ticket("merge", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("release", "merge").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> service.engine(run, options(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("merge").state() == TicketState.AWAITING_APPROVAL);
            var rejection = service.reject(run, "merge", "bob", "not now");
            assertThat(f.get()).isEqualTo(RunState.FAILED);
            assertThat(service.tookEffect(rejection, 0)).isTrue();
        }
        assertThat(tickets(run).get("merge").reason()).isEqualTo("rejected by bob: not now");
        assertThat(tickets(run).get("release").reason()).isEqualTo("dependency merge failed");
    }

    @Test
    void withFailFastARejectionStopsTheRunLikeAFailure() throws Exception {
        CountDownLatch end = new CountDownLatch(1);
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                if (!r.ticket().id().equals("long")) return super.execute(r, c);
                c.onCancel(end::countDown); // "long" runs until it is stopped
                end.await();
                return c.isCancelled() ? new AttemptResult(Outcome.CANCELLED, null, "cancelled", Map.of()) : AttemptResult.succeeded(Map.of());
            }
        };
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans()
                .ticket("merge", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("long").ticket("after-long", "long")
                .ticket("notify", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "merge").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> service.engine(run, options().toBuilder().failFast(true).build(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("merge").state() == TicketState.AWAITING_APPROVAL
                    && tickets(run).get("long").state() == TicketState.RUNNING);
            service.reject(run, "merge", "bob", "not now");
            try {
                assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunState.FAILED);
            } finally {
                end.countDown();
            }
        }
        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("long").reason()).isEqualTo("fail-fast: merge failed");
        assertThat(t.get("after-long").reason()).isEqualTo("fail-fast: merge failed");
        assertThat(t.get("notify").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void approveOfATicketNotAtAGateIsRefusedAndChangesNothing() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        assertThatThrownBy(() -> service.approve(run, "a", "x")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("ticket a has no approval gate (its spec has no `approval: before-run`), so there is nothing to approve or reject");
        // a gate not reached yet: it will be, so the refusal says when the ticket can be decided
        String gated = create(service, new TestPlans().ticket("a").ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0, "a").build());
        assertThatThrownBy(() -> service.reject(gated, "gate", "x", "no")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("ticket gate is pending: it waits at its approval gate once its dependencies are done, and can be approved "
                        + "or rejected then (`swarm status " + gated + " gate` shows when it waits)");
        assertThat(store.pendingCommands(gated)).isEmpty();
        assertThatThrownBy(() -> service.approve(run, "zzz", "x")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("no ticket 'zzz'");
        assertThatThrownBy(() -> service.approve("nope", "a", "x")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("no run 'nope'");
        assertThat(store.pendingCommands(run)).isEmpty();
    }

    @Test
    void aCancelPendingSinceBeforeTheCoordinatorStartedDoesNotRefuseANewOne() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        InMemoryRunStore timed = new InMemoryRunStore(clock::get);
        RunService service = new RunService(timed, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        // left by a coordinator that died before reading it; the next one ignores it
        timed.submitCommand(new io.swarmflow.store.RunCommand(0, run, io.swarmflow.store.RunCommand.Kind.CANCEL, null, "old", null, 0));
        clock.addAndGet(10);
        long epoch = timed.claimRun(run, Owners.current(), 60_000);
        timed.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, Owners.current(), true))).join();
        clock.addAndGet(10);

        service.cancel(run, "new");
        assertThatThrownBy(() -> service.cancel(run, "again")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("a cancel of run " + run + " is already requested (by new) and pending");
        assertThat(timed.pendingCommands(run)).hasSize(2);
    }

    @Test
    void autoApproveRunsGatedTickets() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("merge", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0).build());
        RunState r = service.engine(run, options().toBuilder().autoApprove(true).build(), null).execute();
        assertThat(r).isEqualTo(RunState.SUCCEEDED);
        assertThat(tickets(run).get("merge").approvedBy()).isEqualTo("auto-approve");
    }

    @Test
    void cancelStopsRunningAttemptsAndResumeFinishesTheRun() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().concurrency(2).ticket("a").ticket("b").ticket("c", "a", "b").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            RunEngine engine = service.engine(run, options(), null);
            Future<RunState> f = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(10)).until(() -> exec.running.get() == 2);
            engine.cancel("test");
            assertThat(f.get()).isEqualTo(RunState.CANCELLED);
        }
        assertThat(tickets(run).get("a").state()).isEqualTo(TicketState.CANCELLED);
        assertThat(store.run(run).orElseThrow().state()).isEqualTo(RunState.CANCELLED);

        exec.gate = null;
        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(tickets(run).get("a").attempt()).isEqualTo(2);
        assertThat(tickets(run).get("a").failures()).isZero();
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void cancelNowKillsAttemptsThatACancelDidNotStop() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        exec.ignoreCancel = true;
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().concurrency(2).ticket("a").ticket("b").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            RunEngine engine = service.engine(run, options(), null);
            Future<RunState> f = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(10)).until(() -> exec.running.get() == 2);
            engine.cancel("first");
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !f.isDone());
            engine.cancelNow("second");
            assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunState.CANCELLED);
        }
        assertThat(tickets(run).get("a").state()).isEqualTo(TicketState.CANCELLED);
        assertThat(EngineInvariants.check(store, run, false)).isEmpty();
    }

    @Test
    void cancelCommandFromAnotherProcessStopsTheRun() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("a").build());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RunState> f = pool.submit(() -> service.engine(run, options(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> exec.running.get() == 1);
            service.cancel(run, "carol");
            assertThat(f.get()).isEqualTo(RunState.CANCELLED);
        }
        assertThat(store.pendingCommands(run)).isEmpty();
    }

    @Test
    void aCancelRequestedBeforeACoordinatorTookTheRunIsNotAppliedToIt() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        // a cancel accepted while a coordinator was live, which then died before reading its inbox
        long epoch = store.claimRun(run, "otherhost:1@1", 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
        store.submitCommand(new io.swarmflow.store.RunCommand(0, run, io.swarmflow.store.RunCommand.Kind.CANCEL, null, "carol", null, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> leaseExpired(store, run));

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(store.pendingCommands(run)).isEmpty();
    }

    @Test
    void cancelOfARunThatNoCoordinatorExecutesIsRefused() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        assertThatThrownBy(() -> service.cancel(run, "x")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not executing");
        assertThat(store.pendingCommands(run)).isEmpty();
    }

    @Test
    void resumeAfterACoordinatorDiedRetriesItsRunningAttemptsWithoutConsumingRetries() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").ticket("b", "a").build());
        // a coordinator that died while "a" was running: it claimed, started attempt 1, and never came back
        long epoch = store.claimRun(run, "otherhost:1@1", 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false),
                new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 1))).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> store.now() > 0 && leaseExpired(store, run));

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);

        TicketView a = tickets(run).get("a");
        assertThat(a.attempt()).isEqualTo(2);
        assertThat(a.failures()).isZero();
        assertThat(a.leaseExpiries()).isEqualTo(1);
        assertThat(store.attempts(run).getFirst().outcome()).isEqualTo(Outcome.LEASE_EXPIRED);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    /** Whether the run's lease has expired: a probe can claim it (and releases it at once). */
    static boolean leaseExpired(io.swarmflow.store.RunStore store, String run) {
        try {
            long e = store.claimRun(run, "probe", 1);
            store.releaseRun(run, e);
            return true;
        } catch (StoreException.RunLocked locked) {
            return false;
        }
    }

    @Test
    void aDeadLocalCoordinatorThatClaimedButNeverStartedIsTakenOverAtOnce() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        // killed between claimRun and its run-started event: a long lease, held by a pid that does not exist
        String dead = Owners.hostName() + ":" + Integer.MAX_VALUE + "@1/1"; // a coordinator's identity: Owners.coordinator()
        store.claimRun(run, dead, 600_000);

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(store.lease(run).orElseThrow().epoch()).isEqualTo(2);
    }

    @Test
    void aLostAppendStopsTheCoordinatorAndAResumeFinishesTheRun() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        // a store whose first append carrying a success fails (as a full disk or an I/O error would)
        io.swarmflow.store.RunStore flaky = (io.swarmflow.store.RunStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{io.swarmflow.store.RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("appendRecorded") && !failed.get()
                            && ((List<?>) args[2]).stream().anyMatch(e -> e instanceof RunEvent.TicketSucceeded)) {
                        failed.set(true);
                        return java.util.concurrent.CompletableFuture.failedFuture(new StoreException("disk full"));
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        String run = create(new RunService(store, exec), new TestPlans().concurrency(2)
                .ticket("a").ticket("b").ticket("c", "a", "b").ticket("d", "c").build());

        assertThatThrownBy(() -> new RunService(flaky, exec).engine(run, options(), null).execute())
                .isInstanceOf(StoreException.class);
        assertThat(store.run(run).orElseThrow().state()).isEqualTo(RunState.RUNNING);
        assertThat(EngineInvariants.check(store, run, false)).isEmpty();

        assertThat(new RunService(store, exec).engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aLiveCoordinatorCannotBeDisplaced() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        store.claimRun(run, "otherhost:1@1", 60_000);
        assertThatThrownBy(() -> service.engine(run, options(), null).execute()).isInstanceOf(StoreException.RunLocked.class);
    }

    @Test
    void aSecondCoordinatorInTheSameProcessCannotDisplaceALiveOneNorRunItsTicketAgain() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().ticket("a").build());
        var pool = Executors.newFixedThreadPool(2);
        try {
            Future<RunState> first = pool.submit(() -> service.engine(run, options(), null).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> exec.started.contains("a#1"));

            Future<RunState> second = pool.submit(() -> service.engine(run, options(), null).execute());
            // bounded: a second coordinator that took the run would wait at the gate with its own attempt of a
            assertThatThrownBy(() -> second.get(10, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreException.RunLocked.class);

            exec.gate.countDown();
            assertThat(first.get()).isEqualTo(RunState.SUCCEEDED);
            assertThat(exec.started).containsExactly("a#1");
        } finally {
            exec.gate.countDown();
            pool.shutdown();
        }
    }

    @Test
    void resumeOfAFinishedRunChangesNothing() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        service.engine(run, options(), null).execute();
        long seq = store.run(run).orElseThrow().lastSeq();
        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(store.run(run).orElseThrow().lastSeq()).isEqualTo(seq);
    }

    @Test
    void failFastStopsTheRunAfterTheFirstFailure() throws Exception {
        ScriptedExecutor exec = new ScriptedExecutor((t, a) -> t.equals("bad") ? AttemptResult.failed(1, null) : AttemptResult.succeeded(Map.of()));
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans().concurrency(1)
                .ticket("bad", When.SUCCESS, 0, ApprovalMode.NONE, "noop", 10)
                .ticket("x").ticket("y").ticket("z", "x")
                .ticket("notify", When.FAILURE, 0, ApprovalMode.NONE, "noop", 0, "z")
                .ticket("cleanup", When.ALWAYS, 0, ApprovalMode.NONE, "noop", 0, "bad", "y").build());

        RunState r = service.engine(run, options().toBuilder().failFast(true).build(), null).execute();

        assertThat(r).isEqualTo(RunState.FAILED);
        assertThat(exec.started).containsExactlyInAnyOrder("bad#1", "notify#1", "cleanup#1");
        assertThat(exec.started.getFirst()).isEqualTo("bad#1");
        assertThat(tickets(run).get("x").reason()).isEqualTo("fail-fast: bad failed");
        assertThat(tickets(run).get("notify").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(tickets(run).get("cleanup").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aTicketThatFailsAsFailFastStopsItIsNotRetried() throws Exception {
        // "flaky" runs when "bad" fails; its process exits with a failure of its own just as fail-fast stops it
        // (the exit beats the TERM), so its attempt reports failed rather than cancelled
        io.swarmflow.agent.Executor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                started.add(r.ticket().id() + "#" + r.attempt());
                if (r.ticket().id().equals("bad") || r.attempt() > 1) return AttemptResult.failed(1, null);
                CountDownLatch stopped = new CountDownLatch(1);
                c.onCancel(stopped::countDown);
                stopped.await();
                return AttemptResult.failed(2, null);
            }
        };
        ScriptedExecutor scripted = (ScriptedExecutor) exec;
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans()
                .ticket("flaky", When.SUCCESS, 3, ApprovalMode.NONE, "noop", 10)
                .ticket("bad").ticket("after", "flaky").build());

        RunState r = service.engine(run, options().toBuilder().failFast(true).build(), null).execute();

        assertThat(r).isEqualTo(RunState.FAILED);
        assertThat(scripted.started).containsExactlyInAnyOrder("flaky#1", "bad#1");
        Map<String, TicketView> t = tickets(run);
        assertThat(t.get("flaky").state()).isEqualTo(TicketState.FAILED);
        assertThat(t.get("flaky").reason()).isEqualTo("exited with code 2 (no retry: fail-fast after bad failed)");
        assertThat(t.get("after").reason()).isEqualTo("fail-fast: bad failed");
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void aCleanupThatFailsAsACancelDuringFailFastStopsItIsRetriedOnResume() throws Exception {
        // "cleanup" (when: always) goes on under fail-fast; the run is then cancelled, and its process exits with a
        // failure of its own just as the cancel stops it: as without fail-fast, it keeps its retries for the resume
        cleanupUnderFailFastStoppedByACancel(2, AttemptResult.failed(2, null));
    }

    @Test
    void aCleanupStoppedByACancelDuringFailFastIsCancelledAndRunsOnResume() throws Exception {
        // "cleanup" (when: always) goes on under fail-fast; the run is then cancelled and the cancel stops it: fail-fast
        // does not stop cleanups, so it is cancelled (to run on resume), not skipped as if fail-fast had stopped it
        cleanupUnderFailFastStoppedByACancel(0, new AttemptResult(io.swarmflow.store.Outcome.CANCELLED, null, "cancelled", Map.of()));
    }

    /**
     * A run of "cleanup" (when: always, {@code retries}) and "bad" under fail-fast: bad fails once cleanup runs, fail-fast
     * cancels the run, and cleanup's first attempt, stopped by the cancel, ends with {@code stopped}. Cleanup must be
     * cancelled, and run again (and succeed) on the resume.
     */
    private void cleanupUnderFailFastStoppedByACancel(int retries, AttemptResult stopped) throws Exception {
        CountDownLatch cleanupRuns = new CountDownLatch(1);
        io.swarmflow.agent.Executor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of())) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                started.add(r.ticket().id() + "#" + r.attempt());
                if (r.ticket().id().equals("bad")) {
                    cleanupRuns.await();
                    return AttemptResult.failed(1, null);
                }
                if (r.attempt() > 1) return AttemptResult.succeeded(Map.of());
                CountDownLatch cancelled = new CountDownLatch(1);
                c.onCancel(cancelled::countDown);
                cleanupRuns.countDown();
                cancelled.await();
                return stopped;
            }
        };
        ScriptedExecutor scripted = (ScriptedExecutor) exec;
        RunService service = new RunService(store, exec);
        String run = create(service, new TestPlans()
                .ticket("cleanup", When.ALWAYS, retries, ApprovalMode.NONE, "noop", 10)
                .ticket("bad").build());
        RunEngine[] engine = new RunEngine[1];
        engine[0] = service.engine(run, options().toBuilder().failFast(true).build(), new RunListener() {
            @Override
            public void onNotice(String message) {
                if (message.startsWith("fail-fast")) engine[0].cancel("test");
            }
        });

        assertThat(engine[0].execute()).isEqualTo(RunState.CANCELLED);
        assertThat(tickets(run).get("cleanup").state()).isEqualTo(TicketState.CANCELLED);

        assertThat(service.engine(run, options(), null).execute()).isEqualTo(RunState.FAILED);
        assertThat(scripted.started).containsExactlyInAnyOrder("cleanup#1", "bad#1", "cleanup#2");
        assertThat(tickets(run).get("cleanup").state()).isEqualTo(TicketState.SUCCEEDED);
        assertThat(EngineInvariants.check(store, run, true)).isEmpty();
    }

    @Test
    void outputsOfDependenciesAreRenderedIntoTheScript() throws Exception {
        java.util.List<String> scripts = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.swarmflow.agent.Executor exec = new ScriptedExecutor((t, a) -> AttemptResult.succeeded(Map.of("version", "1.2.3"))) {
            @Override
            public AttemptResult execute(io.swarmflow.agent.AttemptRequest r, io.swarmflow.agent.AttemptControl c) throws InterruptedException {
                scripts.add(r.script());
                return super.execute(r, c);
            }
        };
        RunService service = new RunService(store, exec);
        Plan base = new TestPlans().ticket("a").build();
        var a = base.tickets().getFirst();
        var b = new io.swarmflow.spec.PlannedTicket("b", "b", List.of("a"), "noop", "echo ${{ tickets.a.outputs.version }} ${{ run.id }}",
                Map.of(), 0, a.retries(), 0, When.SUCCESS, ApprovalMode.NONE, a.workspace(), false, Map.of(), Map.of(), "b", 0);
        Plan plan = new Plan("t", "", 2, Map.of(), null, "/tmp", base.agents(), List.of(a, b), "0");
        String run = create(service, plan);
        service.engine(run, options(), null).execute();
        assertThat(scripts).contains("echo 1.2.3 " + run);
    }

    @Test
    void perProfileConcurrencyIsRespected() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, exec);
        TestPlans p = new TestPlans().concurrency(8).profile("gpu", 1);
        for (int i = 0; i < 6; i++) p.ticket("g" + i, When.SUCCESS, 0, ApprovalMode.NONE, "gpu", 0);
        String run = create(service, p.build());
        service.engine(run, options(), null).execute();
        assertThat(exec.maxPerProfile.get("gpu").get()).isEqualTo(1);
        assertThat(exec.violations).isEmpty();
    }

    /**
     * The coordinator takes the store's notices about its own run's writes (the database locked by another process),
     * not every run's: with several runs on one store, each run's output says why its writes stall.
     */
    @Test
    void theCoordinatorTakesTheStoresNoticesAboutItsOwnRunsWrites() throws Exception {
        List<String> addedFor = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.swarmflow.store.RunStore recording = intercepting(store, (method, result) -> {
            if (method.getName().equals("noticesTo")) addedFor.add(method.getParameterCount() == 2 ? "run" : "every run");
            return result;
        });
        RunService service = new RunService(recording, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("a").build());
        service.engine(run, options(), null).execute();
        assertThat(addedFor).containsExactly("run");
    }

    /** {@code store} with {@code change} applied to each call: a test double for one store behaviour. */
    private static io.swarmflow.store.RunStore intercepting(io.swarmflow.store.RunStore store,
                                                           java.util.function.BiFunction<java.lang.reflect.Method, Object, Object> change) {
        return (io.swarmflow.store.RunStore) java.lang.reflect.Proxy.newProxyInstance(RunEngineTest.class.getClassLoader(),
                new Class<?>[]{io.swarmflow.store.RunStore.class}, (proxy, method, args) -> {
                    try {
                        return change.apply(method, method.invoke(store, args));
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static RunListener notices(List<String> into) {
        return new RunListener() {
            @Override
            public void onNotice(String message) {
                into.add(message);
            }
        };
    }

    private long decisions(String run) {
        return store.events(run, 0, Integer.MAX_VALUE).stream()
                .filter(e -> e.event() instanceof RunEvent.ApprovalGranted || e.event() instanceof RunEvent.ApprovalRejected).count();
    }

    /**
     * A decision stays pending in the store until its event is durable and it is marked applied; the coordinator reads
     * its inbox meanwhile (a slow fsync) and must not handle it again ("ignored approve of gate: it is not awaiting
     * approval" after applying it).
     */
    @Test
    void ticketsWaitingForABusyProfileDoNotSlowTheDispatchOfEachOther() throws Exception {
        // 20,000 ready tickets on a profile that runs 1 at a time: about 2 s; when every dispatch took each waiting
        // ticket out of the ready queue and put it back, about 30 s (quadratic)
        TestPlans plans = new TestPlans().concurrency(4).profile("limited", 1);
        for (int i = 0; i < 20_000; i++) plans.ticket("t" + i, When.SUCCESS, 0, ApprovalMode.NONE, "limited", 0);
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, plans.build());

        RunState result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> service.engine(run, options(), null).execute());

        assertThat(result).isEqualTo(RunState.SUCCEEDED);
    }

    @Test
    void aDecisionReadAgainBeforeItsEventIsDurableIsAppliedOnceAndNotIgnored() throws Exception {
        io.swarmflow.store.RunStore slow = intercepting(store, (method, result) -> method.getName().equals("appendRecorded")
                ? ((java.util.concurrent.CompletableFuture<?>) result).thenApplyAsync(x -> x,
                java.util.concurrent.CompletableFuture.delayedExecutor(300, java.util.concurrent.TimeUnit.MILLISECONDS)) : result);
        RunService service = new RunService(slow, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans().ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0).build());
        List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        var pool = Executors.newSingleThreadExecutor();
        try {
            Future<RunState> f = pool.submit(() -> service.engine(run, options(), notices(notices)).execute());
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("gate").state() == TicketState.AWAITING_APPROVAL);
            service.approve(run, "gate", "ana");
            assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunState.SUCCEEDED);
        } finally {
            pool.shutdownNow();
        }
        assertThat(notices).noneMatch(n -> n.contains("ignored"));
        assertThat(decisions(run)).isEqualTo(1);
        assertThat(store.pendingCommands(run)).isEmpty();
    }

    /** A run resumed from a shell without a variable the ticket's env reads: the attempt fails and says which one. */
    @Test
    void anAttemptWhoseEnvReadsAnUnsetVariableFailsNamingIt() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        String run = create(service, new TestPlans()
                .ticketWithEnv("unset", Map.of("A", "${{ env.SWARM_TEST_UNSET_91c4 }}", "B", "x${{ env.SWARM_TEST_UNSET_0b2e }}"))
                .ticketWithEnv("retried", Map.of("A", "${{ env.SWARM_TEST_UNSET_91c4 }}"), 2)
                .ticketWithEnv("set", Map.of("A", "${{ env.SWARM_TEST_SECRET }}")).build());

        assertThat(service.engine(run, options(), RunListener.NONE).execute()).isEqualTo(RunState.FAILED);

        assertThat(tickets(run).get("unset").reason()).isEqualTo("environment variables SWARM_TEST_UNSET_0b2e, SWARM_TEST_UNSET_91c4 "
                + "are not set in this swarm process, and the ticket's env: passes them with ${{ env.NAME }}; export them and "
                + "run the spec again");
        assertThat(tickets(run).get("retried").attempt()).as("review RV F8: not retried, it would fail the same way").isEqualTo(1);
        assertThat(tickets(run).get("retried").reason()).endsWith("export it and run the spec again (no retry: it would fail "
                + "the same way)");
        assertThat(tickets(run).get("set").state()).isEqualTo(TicketState.SUCCEEDED);
    }

    /**
     * Each line of a multi-line secret is a secret of its own (a private key is printed line by line), with the same
     * minimum as the whole value: any length in the ticket handed it, 8 bytes in the other tickets. The surefire
     * configuration sets SWARM_TEST_MULTILINE_SECRET to three lines, the last of 6 bytes.
     */
    @Test
    void eachLineOfAMultiLineSecretIsMaskedOnItsOwn() throws Exception {
        String value = System.getenv("SWARM_TEST_MULTILINE_SECRET");
        List<String> lines = value.lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2).length()).isBetween(4, 7);
        ScriptedExecutor executor = ScriptedExecutor.allSucceed();
        RunService service = new RunService(store, executor);
        String run = create(service, new TestPlans().ticketWithEnv("own", Map.of("ML", "${{ env.SWARM_TEST_MULTILINE_SECRET }}"))
                .ticketWithEnv("other", Map.of()).build());

        assertThat(service.engine(run, options(), RunListener.NONE).execute()).isEqualTo(RunState.SUCCEEDED);

        assertThat(executor.secrets.get("own")).contains(value, lines.get(0), lines.get(1), lines.get(2));
        assertThat(executor.secrets.get("other")).contains(value, lines.get(0), lines.get(1)).doesNotContain(lines.get(2));
    }

    @Test
    void withLinesKeepsTheValuesAndTheLinesOfAtLeastTheMinimumWithoutTheirLineBreaks() {
        assertThat(RunEngine.withLines(List.of("one-long-value", "short", "first-line\r\nsecond-line\nab\n\n   \n"), 8))
                .containsExactlyInAnyOrder("one-long-value", "first-line\r\nsecond-line\nab\n\n   \n", "first-line", "second-line");
        assertThat(RunEngine.withLines(List.of("a\nbcde"), 1)).containsExactlyInAnyOrder("a\nbcde", "a", "bcde");
    }

    /** A resume where a variable that a ticket still to run reads from the environment is unset is refused up front. */
    @Test
    void resumeProblemsNameTheUnsetVariablesOfTicketsStillToRun() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        Plan plan = new TestPlans().ticketWithEnv("unset", Map.of("A", "${{ env.SWARM_TEST_UNSET_91c4 }}"))
                .ticketWithEnv("set", Map.of("A", "${{ env.SWARM_TEST_SECRET }}")).build();
        String run = create(service, plan);

        assertThat(service.resumeProblems(run, plan)).containsExactly("ticket unset reads SWARM_TEST_UNSET_91c4 from swarm's "
                + "environment (${{ env.SWARM_TEST_UNSET_91c4 }} in its env:), which is not set here; export it and resume again");
    }

    /**
     * Review RCLI HIGH-1: a variable only a finished ticket (or a profile) reads is a secret of the run too, which every
     * attempt masks by its value, and the finished ticket may have passed it on ($SWARM_SCRATCH); a resume without it is
     * refused, naming it, who reads it, why and how to fix it. A variable that is set is not named.
     */
    @Test
    void resumeProblemsNameTheUnsetVariablesOfFinishedTicketsAndProfilesToo() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        Plan plan = new TestPlans().profileWithEnv("tokened", Map.of("P", "${{ env.SWARM_TEST_UNSET_0b2e }}"))
                .ticketWithEnv("reader", Map.of("T", "${{ env.SWARM_TEST_UNSET_91c4 }}", "S", "${{ env.SWARM_TEST_SECRET }}"))
                .ticket("later", "reader").build();
        String run = create(service, plan);
        // the reader succeeded (in a shell that had the variable), the later one is still to run
        long epoch = store.claimRun(run, "otherhost:1@1", 1);
        store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false), new RunEvent.TicketReady("reader"),
                new RunEvent.AttemptStarted("reader", 1, 1),
                new RunEvent.AttemptFinished("reader", 1, Outcome.SUCCEEDED, 0, null, Map.of(), 0L),
                new RunEvent.TicketSucceeded("reader", 1))).join();
        assertThat(service.remaining(run, plan).tickets()).extracting(t -> t.id()).containsExactly("later");

        assertThat(service.resumeProblems(run, plan)).containsExactly(
                "SWARM_TEST_UNSET_0b2e (${{ env.SWARM_TEST_UNSET_0b2e }} in the env: of agent profile tokened) is not set here. "
                        + "No ticket still to run reads it, but every attempt of the run masks the values the plan reads from "
                        + "swarm's environment, and a finished ticket may have passed this one on to a ticket still to run (through "
                        + "$SWARM_SCRATCH, a file, an output), which would then print it unmasked; export SWARM_TEST_UNSET_0b2e with "
                        + "the value the run was started with and resume again",
                "SWARM_TEST_UNSET_91c4 (${{ env.SWARM_TEST_UNSET_91c4 }} in the env: of ticket reader) is not set here. "
                        + "No ticket still to run reads it, but every attempt of the run masks the values the plan reads from "
                        + "swarm's environment, and a finished ticket may have passed this one on to a ticket still to run (through "
                        + "$SWARM_SCRATCH, a file, an output), which would then print it unmasked; export SWARM_TEST_UNSET_91c4 with "
                        + "the value the run was started with and resume again");
    }

    /** The stored plan records which variables it reads were set and not empty at the creation: the names, no value. */
    @Test
    void createRecordsTheNamesOfTheFilledVariablesThePlanReads() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        Plan plan = new TestPlans().profileWithEnv("tokened", Map.of("P", "${{ env.SWARM_TEST_MULTILINE_SECRET }}"))
                .ticketWithEnv("a", Map.of("T", "${{ env.SWARM_TEST_SECRET }}", "U", "${{ env.SWARM_TEST_UNSET_91c4 }}")).build();
        assertThat(plan.filledEnvironment()).isEmpty();

        String run = create(service, plan);

        assertThat(store.plan(run).filledEnvironment()).containsExactlyInAnyOrder("SWARM_TEST_SECRET", "SWARM_TEST_MULTILINE_SECRET");
        assertThat(store.plan(run).withFilledEnvironment(java.util.Set.of())).isEqualTo(plan);
    }

    /** A variable that a ticket still to run reads is named once, in that ticket's problem, though a finished one reads it too. */
    @Test
    void aVariableOfATicketStillToRunIsNamedOnlyInItsProblem() throws Exception {
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        Plan plan = new TestPlans().ticketWithEnv("a", Map.of("T", "${{ env.SWARM_TEST_UNSET_91c4 }}"))
                .ticketWithEnv("b", Map.of("T", "${{ env.SWARM_TEST_UNSET_91c4 }}", "U", "${{ env.SWARM_TEST_UNSET_0b2e }}")).build();
        String run = create(service, plan);

        assertThat(service.resumeProblems(run, plan)).containsExactly(
                "ticket a reads SWARM_TEST_UNSET_91c4 from swarm's environment (${{ env.SWARM_TEST_UNSET_91c4 }} in its env:), "
                        + "which is not set here; export it and resume again",
                "ticket b reads SWARM_TEST_UNSET_0b2e, SWARM_TEST_UNSET_91c4 from swarm's environment (${{ env.SWARM_TEST_UNSET_0b2e }}, "
                        + "${{ env.SWARM_TEST_UNSET_91c4 }} in its env:), which are not set here; export them and resume again");
    }

    /** Once only approvals can move the run on, it says which tickets wait and the commands, with the id when there is one. */
    @Test
    void theWaitingNoticeNamesTheOneTicketOrTheFirstTenAndHowManyMore() throws Exception {
        TestPlans one = new TestPlans().ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0);
        TestPlans many = new TestPlans();
        for (int i = 0; i < 12; i++) many.ticket("g" + i, When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0);
        RunService service = new RunService(store, ScriptedExecutor.allSucceed());
        for (TestPlans plans : List.of(one, many)) {
            String run = create(service, plans.build());
            List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
            var pool = Executors.newSingleThreadExecutor();
            try {
                RunEngine engine = service.engine(run, options(), notices(notices));
                Future<RunState> f = pool.submit(engine::execute);
                await().atMost(Duration.ofSeconds(10)).until(() -> notices.stream().anyMatch(n -> n.contains("waiting for approval")));
                engine.cancel("test");
                f.get(10, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            String notice = notices.stream().filter(n -> n.contains("waiting for approval")).findFirst().orElseThrow();
            if (plans == one) {
                assertThat(notice).isEqualTo("nothing else can run until a decision; waiting for approval: gate (`swarm approve " + run
                        + " gate`, or `swarm reject " + run + " gate --reason TEXT`)");
            } else {
                assertThat(notice).isEqualTo("nothing else can run until a decision; waiting for approval: g0, g1, g2, g3, g4, g5, g6, g7, "
                        + "g8, g9 and 2 more (`swarm status " + run + " --state awaiting-approval` lists them) (`swarm approve " + run
                        + " TICKET...`, or `swarm reject " + run + " TICKET... --reason TEXT`)");
            }
        }
    }

    /**
     * A coordinator that applied a decision and stopped before marking it applied leaves it pending: the resume does not
     * apply it again, nor say it ignored it (it was applied).
     */
    @Test
    void aDecisionAppliedBeforeAStopIsNotAppliedAgainNorReportedIgnoredOnResume() throws Exception {
        ScriptedExecutor exec = ScriptedExecutor.allSucceed();
        exec.gate = new CountDownLatch(1);
        RunService first = new RunService((io.swarmflow.store.RunStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{io.swarmflow.store.RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("markCommandsApplied")) return null; // the coordinator stops before this
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                }), exec);
        String run = create(first, new TestPlans().ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0).ticket("hold").build());
        var pool = Executors.newSingleThreadExecutor();
        try {
            RunEngine engine = first.engine(run, options(), null);
            Future<RunState> f = pool.submit(engine::execute);
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("gate").state() == TicketState.AWAITING_APPROVAL);
            first.approve(run, "gate", "ana");
            await().atMost(Duration.ofSeconds(10)).until(() -> tickets(run).get("gate").state() == TicketState.RUNNING);
            engine.cancel("test");
            assertThat(f.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(RunState.CANCELLED);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.pendingCommands(run)).hasSize(1);
        exec.gate = null;
        List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThat(new RunService(store, exec).engine(run, options(), notices(notices)).execute()).isEqualTo(RunState.SUCCEEDED);
        assertThat(notices).noneMatch(n -> n.contains("ignored"));
        assertThat(decisions(run)).isEqualTo(1);
        assertThat(store.pendingCommands(run)).isEmpty();
    }
}
