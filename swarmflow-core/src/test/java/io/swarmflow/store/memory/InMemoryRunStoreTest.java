package io.swarmflow.store.memory;

import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.Appended;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoredEvent;
import org.junit.jupiter.api.Test;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryRunStoreTest {
    /** A run of two independent noop tickets, {@code t0} and {@code t1}. */
    private static RunEvent.RunCreated created(String runId) {
        AgentProfile noop = new AgentProfile("noop", "noop", SandboxPolicy.OFF, ResourceLimits.DEFAULTS, Map.of(), 0, 0);
        List<PlannedTicket> tickets = List.of("t0", "t1").stream().map(id -> new PlannedTicket(id, id, List.of(), "noop", "",
                Map.of(), 0, new RetryPolicy(0, 0, 0, 1.0), 0, When.SUCCESS, ApprovalMode.NONE, WorkspaceMode.RUN, false,
                Map.of(), Map.of(), id, 0)).toList();
        return new RunEvent.RunCreated(runId, new Plan("test", "", 2, Map.of(), null, "/tmp", Map.of("noop", noop), tickets, "0"),
                "swarm.yaml");
    }

    /**
     * An append is acknowledged with its one reading of the store clock, the time its events are recorded at, here on a
     * clock a second further at each reading: a store that read it again to acknowledge would acknowledge a time the log
     * does not hold.
     */
    @Test
    void anAppendIsAcknowledgedWithTheTimeEachOfItsEventsWasRecordedAt() {
        AtomicLong readings = new AtomicLong();
        InMemoryRunStore store = new InMemoryRunStore(() -> 1_000 * readings.incrementAndGet());
        store.createRun(created("r1"));
        long epoch = store.claimRun("r1", "host:1", 60_000);
        List<List<RunEvent>> batches = List.of(
                List.of(new RunEvent.RunStarted(epoch, "host:1", false), new RunEvent.TicketReady("t0")),
                List.of(new RunEvent.TicketReady("t1"), new RunEvent.AttemptStarted("t0", 1, 60_000)),
                List.of(new RunEvent.AttemptStarted("t1", 1, 60_000)));
        long seq = 1;
        for (List<RunEvent> batch : batches) {
            long before = readings.get();
            Appended ack = store.appendRecorded("r1", epoch, batch).join();
            assertThat(readings.get()).as("the clock moved while appending").isGreaterThan(before);

            List<StoredEvent> recorded = store.events("r1", seq, 100);
            seq += batch.size();
            assertThat(ack.lastSeq()).isEqualTo(seq);
            assertThat(recorded).extracting(StoredEvent::event).isEqualTo(batch);
            assertThat(recorded).extracting(StoredEvent::atEpochMillis).containsOnly(ack.atEpochMillis());
        }
        assertThat(store.append("r1", epoch, List.of(new RunEvent.AttemptFinished("t0", 1, io.swarmflow.store.Outcome.SUCCEEDED,
                0, null, Map.of()))).join()).isEqualTo(seq + 1);
    }

    /**
     * {@code events(run, afterSeq, limit)} returns the events after {@code afterSeq}, at most {@code limit}, in order:
     * every start (before the first, the middle, the last, past the end) with every limit (none, one, some, more than
     * there are), checked against a filter of the whole log.
     */
    @Test
    void eventsReturnsTheSliceAfterASeqUpToTheLimit() {
        InMemoryRunStore store = new InMemoryRunStore();
        store.createRun(created("r1"));
        long epoch = store.claimRun("r1", "host:1", 60_000);
        store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false), new RunEvent.TicketReady("t0"),
                new RunEvent.TicketReady("t1"))).join();
        store.append("r1", epoch, List.of(new RunEvent.AttemptStarted("t0", 1, 60_000))).join();
        store.append("r1", epoch, List.of(new RunEvent.AttemptStarted("t1", 1, 60_000))).join();
        List<StoredEvent> all = store.events("r1", 0, Integer.MAX_VALUE);
        assertThat(all).extracting(StoredEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        for (long after : new long[]{Long.MIN_VALUE, -1, 0, 1, 3, 5, 6, 7, Long.MAX_VALUE}) {
            for (int limit : new int[]{Integer.MIN_VALUE, -1, 0, 1, 2, 5, 6, Integer.MAX_VALUE}) {
                List<StoredEvent> expected = all.stream().filter(e -> e.seq() > after).limit(Math.max(0, limit)).toList();
                assertThat(store.events("r1", after, limit)).as("after %d, limit %d", after, limit).isEqualTo(expected);
            }
        }
        assertThat(store.events("r1", 3, 2)).extracting(StoredEvent::seq).containsExactly(4L, 5L);
        assertThat(store.events("r1", 5, 100)).extracting(StoredEvent::seq).containsExactly(6L);
        assertThat(store.events("r1", 6, 100)).isEmpty();
        assertThat(store.events("no-such-run", 0, 100)).isEmpty();
        // the list returned is the caller's: later appends do not change it
        List<StoredEvent> page = store.events("r1", 0, 100);
        store.append("r1", epoch, List.of(new RunEvent.AttemptFinished("t0", 1, io.swarmflow.store.Outcome.SUCCEEDED, 0, null,
                Map.of()))).join();
        assertThat(page).hasSize(6);
    }

    /**
     * A page of a long log reads only the events it returns (by index), not every event before them: counted on a log
     * of 100,000 events that counts its reads.
     */
    @Test
    void aPageOfALongLogReadsOnlyItsOwnEvents() {
        CountingLog log = new CountingLog(100_000);
        assertThat(InMemoryRunStore.slice(log, 99_990, 5)).extracting(StoredEvent::seq).containsExactly(99_991L, 99_992L, 99_993L, 99_994L, 99_995L);
        assertThat(log.reads).isEqualTo(5);
        log.reads = 0;
        assertThat(InMemoryRunStore.slice(log, 50_000, 1)).extracting(StoredEvent::seq).containsExactly(50_001L);
        assertThat(InMemoryRunStore.slice(log, 100_000, Integer.MAX_VALUE)).isEmpty();
        assertThat(InMemoryRunStore.slice(log, 0, 0)).isEmpty();
        assertThat(log.reads).isEqualTo(1);
    }

    /** A log whose seqs are not 1, 2, 3... by index is a bug of the store, said as such, not a wrong page. */
    @Test
    void aLogWithAGapIsRefusedNotPagedWrongly() {
        List<StoredEvent> gap = new ArrayList<>(new CountingLog(3));
        gap.remove(1); // seqs 1, 3
        assertThatThrownBy(() -> InMemoryRunStore.slice(gap, 1, 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event log of run r1 holds seq 3 at index 1, where seq 2 was expected");
    }

    /** Events of seq 1..size (run {@code r1}), made on each read, counting the reads. */
    private static final class CountingLog extends AbstractList<StoredEvent> {
        private final int size;
        long reads;

        CountingLog(int size) {
            this.size = size;
        }

        @Override
        public StoredEvent get(int index) {
            reads++;
            return new StoredEvent("r1", index + 1, 0, new RunEvent.TicketReady("t" + index));
        }

        @Override
        public int size() {
            return size;
        }
    }

    /**
     * The in-memory store keeps the same time marks as the SQL stores ({@link io.swarmflow.store.TimeMarks}, checked there
     * by the store contract): a rebuild from all events equals what it kept as it appended; a rejected append keeps none.
     */
    @Test
    void itKeepsTheTimeMarksARebuildFromTheEventsGives() {
        AtomicLong clock = new AtomicLong(1_000);
        InMemoryRunStore store = new InMemoryRunStore(clock::get);
        store.createRun(created("r1"));
        long e1 = store.claimRun("r1", "host:1", 60_000);
        clock.set(2_000);
        store.append("r1", e1, List.of(new RunEvent.RunStarted(e1, "host:1", false), new RunEvent.TicketAwaitingApproval("t0"),
                new RunEvent.TicketReady("t1"))).join();
        clock.set(3_000);
        store.append("r1", e1, List.of(new RunEvent.AttemptStarted("t1", 1, 60_000))).join();
        assertThat(store.append("r1", e1, List.of(new RunEvent.TicketAwaitingApproval("t1"), new RunEvent.AttemptStarted("t0", 1, 60_000))))
                .as("t0 is at its gate: rejected").isCompletedExceptionally();
        store.releaseRun("r1", e1); // stopped without an end
        long e2 = store.claimRun("r1", "host:2", 60_000);
        clock.set(9_000);
        store.append("r1", e2, List.of(new RunEvent.RunStarted(e2, "host:2", true), new RunEvent.TicketSkipped("t0", "no"),
                new RunEvent.RunFinished(io.swarmflow.store.RunState.CANCELLED))).join();

        List<StoredEvent> events = store.events("r1", 0, 100);
        List<io.swarmflow.store.TimeMark> marks = store.timeMarks("r1").orElseThrow();
        assertThat(marks).isEqualTo(io.swarmflow.store.TimeMarks.replay(events));
        assertThat(marks).extracting(io.swarmflow.store.TimeMark::seq).containsExactly(2L, 3L, 6L, 7L, 8L);
        assertThat(marks.get(2).previousAtMillis()).as("the resume: the last event before it").isEqualTo(3_000);
        assertThat(store.timeMarks("nope")).isEmpty();
    }
}
