package io.swarmflow.engine;

import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.When;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.memory.InMemoryRunStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RunService#cancel}'s pending-cancel check and {@link RunService#decidingCommand} (who approved or rejected a
 * gate: {@code swarm approve}, {@code swarm reject}) read the run's time marks, not its events, when the store kept them,
 * with the same result as the scan of its events, which a store that kept none (a run recorded before migration V5)
 * still gets.
 */
class RunServiceTimeMarksTest {
    static final long T0 = 1_738_324_800_000L;
    /** More events than three of the pages the event scans read (1,000 each). */
    static final int FILLER = 3_500;

    final AtomicLong clock = new AtomicLong(T0);
    final InMemoryRunStore memory = new InMemoryRunStore(clock::get);
    final AtomicLong eventReads = new AtomicLong();

    /** The memory store, counting its {@code events} calls; {@code withMarks} false hides its time marks, as a pre-V5 run's. */
    private RunService service(boolean withMarks) {
        RunStore store = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("timeMarks") && !withMarks) return Optional.empty();
                    if (method.getName().equals("events")) eventReads.incrementAndGet();
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new RunService(store, ScriptedExecutor.allSucceed());
    }

    private static Plan plan() {
        return new TestPlans().ticket("a")
                .ticket("gate", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0)
                .ticket("gate2", When.SUCCESS, 0, ApprovalMode.BEFORE_RUN, "noop", 0).build();
    }

    private void write(String id, long epoch, long offset, RunEvent... events) {
        clock.set(T0 + offset);
        memory.append(id, epoch, List.of(events)).join();
    }

    /** {@link #FILLER} process records of ticket a's running attempt: events that are no time mark. */
    private void filler(String id, long epoch, long offset, int attempt) {
        List<RunEvent> batch = new ArrayList<>();
        for (int i = 0; i < FILLER; i++) batch.add(new RunEvent.AttemptProcessStarted("a", attempt, 1000 + i, i));
        write(id, epoch, offset, batch.toArray(RunEvent[]::new));
    }

    /** Started at T0 by a coordinator of another host, which holds its lease, with ticket a running. */
    private Map.Entry<String, Long> started() {
        String id = "r-" + Long.toHexString(System.nanoTime());
        memory.createRun(new RunEvent.RunCreated(id, plan(), "swarm.yaml"));
        long e1 = memory.claimRun(id, "otherhost:1@1", 600_000);
        write(id, e1, 0, new RunEvent.RunStarted(e1, "otherhost:1@1", false), new RunEvent.TicketReady("a"),
                new RunEvent.AttemptStarted("a", 1, 600_000));
        return Map.entry(id, e1);
    }

    /** What {@code check} gives with the run's marks, reading no event, and the same from its events alone. */
    private <T> T sameBothWays(java.util.function.Function<RunService, T> check) {
        eventReads.set(0);
        T fromMarks = check.apply(service(true));
        assertThat(eventReads.get()).as("pages of events read with time marks").isZero();
        T fromEvents = check.apply(service(false));
        assertThat(eventReads.get()).as("pages of events read without time marks").isPositive();
        assertThat(fromMarks).isEqualTo(fromEvents);
        return fromMarks;
    }

    @Test
    void aPendingCancelIsFoundFromTheLastStartAsFromTheEvents() {
        Map.Entry<String, Long> run = started();
        String id = run.getKey();
        clock.set(T0 + 1_000);
        RunCommand first = service(true).cancel(id, "alice@host");
        filler(id, run.getValue(), 2_000, 1);
        assertThat(memory.timeMarks(id)).isPresent();

        assertThat(this.<Optional<RunCommand>>sameBothWays(s -> s.pendingCancel(s.requireRun(id)))).contains(first);
        eventReads.set(0);
        assertThatThrownBy(() -> service(true).cancel(id, "bob@host")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("already requested (by alice@host) and pending");
        assertThat(eventReads.get()).isZero();

        // the coordinator died without applying it; the resumed one ignores a cancel older than its start
        memory.releaseRun(id, run.getValue());
        clock.set(T0 + 10_000);
        long e2 = memory.claimRun(id, "otherhost:2@2", 600_000);
        write(id, e2, 10_000, new RunEvent.RunStarted(e2, "otherhost:2@2", true),
                new RunEvent.AttemptFinished("a", 1, Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()),
                new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 2, 600_000));
        filler(id, e2, 11_000, 2);
        assertThat(memory.pendingCommands(id)).containsExactly(first);
        assertThat(this.<Optional<RunCommand>>sameBothWays(s -> s.pendingCancel(s.requireRun(id)))).isEmpty();

        clock.set(T0 + 20_000);
        eventReads.set(0);
        RunCommand second = service(true).cancel(id, "bob@host");
        assertThat(eventReads.get()).isZero();
        assertThat(this.<Optional<RunCommand>>sameBothWays(s -> s.pendingCancel(s.requireRun(id)))).contains(second);
    }

    @Test
    void theDecidingCommandIsFoundInTheTimeMarksAsInTheEvents() {
        Map.Entry<String, Long> run = started();
        String id = run.getKey();
        long epoch = run.getValue();
        write(id, epoch, 500, new RunEvent.TicketAwaitingApproval("gate"), new RunEvent.TicketAwaitingApproval("gate2"));
        long before = service(true).requireRun(id).lastSeq();
        clock.set(T0 + 1_000);
        RunCommand approve = service(true).approve(id, "gate", "alice@host");
        RunCommand lost = new RunCommand(approve.id() + 100, id, RunCommand.Kind.APPROVE, "gate2", "bob@host", null, T0 + 1_000);
        filler(id, epoch, 2_000, 1);

        assertThat(this.<Optional<Long>>sameBothWays(s -> s.decidingCommand(approve, before))).isEmpty(); // still waiting
        write(id, epoch, 3_000, new RunEvent.ApprovalGranted("gate", "alice@host", approve.id()));
        long decided = service(true).requireRun(id).lastSeq();
        filler(id, epoch, 4_000, 1);
        write(id, epoch, 5_000, new RunEvent.ApprovalRejected("gate2", "carol@host", "not today", approve.id() + 7));
        filler(id, epoch, 6_000, 1);

        assertThat(this.<Optional<Long>>sameBothWays(s -> s.decidingCommand(approve, before))).contains(approve.id());
        assertThat(this.<Boolean>sameBothWays(s -> s.tookEffect(approve, before))).isTrue();
        assertThat(this.<Optional<Long>>sameBothWays(s -> s.decidingCommand(approve, decided))).isEmpty(); // decided at or before afterSeq
        assertThat(this.<Optional<Long>>sameBothWays(s -> s.decidingCommand(lost, before))).contains(approve.id() + 7);
        assertThat(this.<Boolean>sameBothWays(s -> s.tookEffect(lost, before))).isFalse();
    }

    /**
     * {@code swarm approve} asks right after its decision: the few events since are read, not every mark of the run (two
     * per gate: a run of many gates made each approve read them all, 3.6-10x slower than the events).
     */
    @Test
    void aDecisionAskedAFewEventsLaterReadsThoseEventsNotTheMarks() {
        Map.Entry<String, Long> run = started();
        String id = run.getKey();
        write(id, run.getValue(), 500, new RunEvent.TicketAwaitingApproval("gate"));
        long before = service(true).requireRun(id).lastSeq();
        RunCommand approve = service(true).approve(id, "gate", "alice@host");
        write(id, run.getValue(), 1_000, new RunEvent.ApprovalGranted("gate", "alice@host", approve.id()));
        java.util.concurrent.atomic.AtomicInteger markReads = new java.util.concurrent.atomic.AtomicInteger();
        RunStore counting = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("timeMarks")) markReads.incrementAndGet();
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        assertThat(new RunService(counting, ScriptedExecutor.allSucceed()).decidingCommand(approve, before)).contains(approve.id());
        assertThat(markReads.get()).as("time marks read").isZero();
    }

    @Test
    void anAutomaticApprovalAtTheGateOfAResumedRunIsCommandZeroBothWays() {
        Map.Entry<String, Long> run = started();
        String id = run.getKey();
        write(id, run.getValue(), 500, new RunEvent.TicketAwaitingApproval("gate"));
        long before = service(true).requireRun(id).lastSeq();
        RunCommand approve = service(true).approve(id, "gate", "alice@host");
        filler(id, run.getValue(), 1_000, 1);
        memory.releaseRun(id, run.getValue());
        clock.set(T0 + 10_000);
        long e2 = memory.claimRun(id, "otherhost:2@2", 600_000);
        write(id, e2, 10_000, new RunEvent.RunStarted(e2, "otherhost:2@2", true),
                new RunEvent.ApprovalGranted("gate", "auto-approve", 0));
        filler(id, e2, 11_000, 1);
        assertThat(this.<Optional<Long>>sameBothWays(s -> s.decidingCommand(approve, before))).contains(0L);
    }
}
