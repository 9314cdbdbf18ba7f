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

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

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
}
