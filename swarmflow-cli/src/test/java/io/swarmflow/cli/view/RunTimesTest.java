package io.swarmflow.cli.view;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run that ran 10 s, stood cancelled for an hour and ran 10 s more read as "1h00m" in swarm status, swarm runs and
 * the report: the time from its start counted the hour it stood stopped. Its sessions, read from its events, give the
 * time it ran.
 */
class RunTimesTest {
    static final long T0 = 1_738_324_800_000L; // 2025-01-31T12:00:00Z
    static final String RUN = "20250131-120000-abcd";

    private final List<StoredEvent> events = new ArrayList<>();

    private void at(long offsetMillis, RunEvent e) {
        events.add(new StoredEvent(RUN, events.size() + 1, T0 + offsetMillis, e));
    }

    /** Start, 10 s, cancelled; resumed an hour later, 10 s more, succeeded. */
    private void cancelledAndResumed() {
        at(0, new RunEvent.RunStarted(1, "host:1", false));
        at(1_000, new RunEvent.AttemptStarted("a", 1, 60_000));
        at(10_000, new RunEvent.TicketCancelled("a", "run cancelled"));
        at(10_000, new RunEvent.RunFinished(RunState.CANCELLED));
        at(3_600_000, new RunEvent.RunStarted(2, "host:2", true));
        at(3_600_000, new RunEvent.TicketRequeued("a", "run resumed"));
        at(3_610_000, new RunEvent.RunFinished(RunState.SUCCEEDED));
    }

    @Test
    void aCancelledAndResumedRunRanTheSumOfItsSessions() {
        cancelledAndResumed();
        RunTimes times = RunTimes.of(events);
        assertThat(times.sessions()).containsExactly(new RunTimes.Session(T0, T0 + 10_000, false, RunTimes.Ending.CANCELLED),
                new RunTimes.Session(T0 + 3_600_000, T0 + 3_610_000, true, RunTimes.Ending.ENDED));
        assertThat(times.resumes()).isEqualTo(1);
        assertThat(times.runningMillis(0)).isEqualTo(20_000L);
        assertThat(times.stoppedWithin(T0 + 1_000, T0 + 3_605_000)).isEqualTo(3_590_000L);
        assertThat(times.stoppedWithin(T0 + 3_600_500, T0 + 3_605_000)).isZero();
    }

    /** A coordinator killed without recording an end: its session ends at the last event it recorded. */
    @Test
    void aSessionWhoseCoordinatorStoppedEndsAtItsLastEvent() {
        at(0, new RunEvent.RunStarted(1, "host:1", false));
        at(4_000, new RunEvent.AttemptStarted("a", 1, 60_000));
        at(600_000, new RunEvent.RunStarted(2, "host:2", true));
        at(605_000, new RunEvent.AttemptFinished("a", 1, io.swarmflow.store.Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()));
        RunTimes times = RunTimes.of(events);
        assertThat(times.sessions()).containsExactly(new RunTimes.Session(T0, T0 + 4_000, false, RunTimes.Ending.STOPPED),
                new RunTimes.Session(T0 + 600_000, 0, true, RunTimes.Ending.OPEN));
        assertThat(times.runningMillis(T0 + 607_000)).as("4 s, then 7 s up to now").isEqualTo(11_000L);
        // the attempt the resume recorded lost ran at least to its coordinator's last event; one of the last session has its own end
        assertThat(times.lostAttemptEndMillis(T0 + 4_000, T0 + 605_000)).isEqualTo(T0 + 4_000);
        assertThat(times.lostAttemptEndMillis(T0 + 4_000, 0)).as("recorded as running").isZero();
        assertThat(times.lostAttemptEndMillis(T0 + 601_000, T0 + 606_000)).isZero();
    }

    @Test
    void approvalWaitsRunFromTheGateToTheDecision() {
        at(0, new RunEvent.RunStarted(1, "host:1", false));
        at(1_000, new RunEvent.TicketAwaitingApproval("deploy"));
        at(1_000, new RunEvent.TicketAwaitingApproval("drop"));
        at(1_000, new RunEvent.TicketAwaitingApproval("later"));
        at(5_000, new RunEvent.ApprovalGranted("deploy", "alice@host"));
        at(6_000, new RunEvent.ApprovalRejected("drop", "bob@host", "not today"));
        RunTimes times = RunTimes.of(events);
        assertThat(times.approvalWaits()).containsExactly(
                new RunTimes.ApprovalWait("deploy", T0 + 1_000, T0 + 5_000, "approved by alice@host"),
                new RunTimes.ApprovalWait("drop", T0 + 1_000, T0 + 6_000, "rejected by bob@host: not today"),
                new RunTimes.ApprovalWait("later", T0 + 1_000, 0, null));
    }

    /**
     * A cancel left a ticket at its gate (no TicketCancelled for it) and the resume recorded no new TicketAwaitingApproval:
     * the timeline showed the wait up to the cancel and none after the resume, up to the approval.
     */
    @Test
    void aTicketStillAtItsGateAfterACancelWaitsAgainFromTheResume() {
        at(0, new RunEvent.RunStarted(1, "host:1", false));
        at(1_000, new RunEvent.TicketAwaitingApproval("gate"));
        at(60_000, new RunEvent.RunFinished(RunState.CANCELLED));
        at(90_000, new RunEvent.RunStarted(2, "host:2", true));
        at(94_000, new RunEvent.ApprovalGranted("gate", "root@vm"));
        at(95_000, new RunEvent.RunFinished(RunState.SUCCEEDED));
        assertThat(RunTimes.of(events).approvalWaits()).containsExactly(
                new RunTimes.ApprovalWait("gate", T0 + 1_000, T0 + 60_000, "the run was cancelled"),
                new RunTimes.ApprovalWait("gate", T0 + 90_000, T0 + 94_000, "approved by root@vm"));
    }

    @Test
    void theRunHeaderSaysTheTimeItRanOverTheTimeFromItsStart() {
        cancelledAndResumed();
        RunView run = new RunView(RUN, "demo", "swarm.yaml", RunState.SUCCEEDED, T0, T0, T0 + 3_610_000, 2, "host:2", false, 1, 7);
        List<TicketView> tickets = List.of(new TicketView(RUN, "a", 0, TicketState.SUCCEEDED, 2, 0, 0, 0, null, Map.of(), null,
                T0 + 1_000, T0 + 3_610_000, 0));
        assertThat(header(run, tickets, RunTimes.of(events)))
                .startsWith("run " + RUN + " (demo): succeeded, 20.0s running over 1h00m (resumed once)\n");
        // without its events (a caller without a store): not a bare "1h00m"
        assertThat(header(run, tickets, RunTimes.NONE)).startsWith("run " + RUN + " (demo): succeeded, 1h00m from its start, "
                + "resumed (the time it stood stopped included; `swarm status` gives the time it ran)\n");
        // a run never resumed: as before
        RunView once = new RunView(RUN, "demo", "swarm.yaml", RunState.SUCCEEDED, T0, T0, T0 + 10_000, 1, "host:1", false, 1, 4);
        assertThat(header(once, tickets, RunTimes.NONE)).startsWith("run " + RUN + " (demo): succeeded, 10.0s\n");
        assertThat(Durations.resumed(3)).isEqualTo("resumed 3 times");
        assertThat(Durations.runningOverCell(20_000, 3_610_000)).isEqualTo("20.0s (over 1h00m)");
    }

    /** The ticket table of swarm status: a ticket cancelled mid-attempt and run again after the resume. */
    @Test
    void aTicketTheStopCutInTwoHasTheTimeItSpentWhileTheRunWasExecuted() {
        cancelledAndResumed();
        List<TicketView> tickets = List.of(new TicketView(RUN, "a", 0, TicketState.SUCCEEDED, 2, 0, 0, 0, null, Map.of(), null,
                T0 + 1_000, T0 + 3_609_000, 0), new TicketView(RUN, "b", 1, TicketState.SUCCEEDED, 1, 0, 0, 0, null, Map.of(), null,
                T0 + 3_600_000, T0 + 3_604_000, 0));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.tickets(new PrintStream(bytes, true, StandardCharsets.UTF_8), tickets, T0 + 3_610_000, RUN, false, RunTimes.of(events));
        String table = bytes.toString(StandardCharsets.UTF_8);
        assertThat(table).containsPattern("\na +succeeded +2 +18\\.0s \\(over 1h00m\\) +0")
                .containsPattern("\nb +succeeded +1 +4\\.0s +0").endsWith(Durations.TICKET_OVER_NOTE + "\n");
    }

    /** The end-of-run table of swarm run and swarm resume: as swarm status says it, whole or with the succeeded counted. */
    @Test
    void theEndOfRunTableSaysTheTimeATicketSpentWhileTheRunWasExecuted() {
        cancelledAndResumed();
        TicketView a = new TicketView(RUN, "a", 0, TicketState.FAILED, 2, 1, 0, 1, "exit 1", Map.of(), null,
                T0 + 1_000, T0 + 3_609_000, 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(a), RUN, T0 + 3_610_000, RunTimes.of(events));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern("\na +failed +2 +18\\.0s \\(over 1h00m\\) +1")
                .endsWith(Durations.TICKET_OVER_NOTE + "\n");
        List<TicketView> many = new java.util.ArrayList<>(List.of(a));
        for (int i = 0; i < Tables.SUMMARY_ROWS; i++) {
            many.add(new TicketView(RUN, "s" + i, i + 1, TicketState.SUCCEEDED, 1, 0, 0, 0, null, Map.of(), null,
                    T0 + 3_600_000, T0 + 3_601_000, 0));
        }
        bytes.reset();
        Tables.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8), many, RUN, T0 + 3_610_000, RunTimes.of(events));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern("\na +failed +2 +18\\.0s \\(over 1h00m\\) +1")
                .contains("… and " + Tables.SUMMARY_ROWS + " more").endsWith(Durations.TICKET_OVER_NOTE + "\n");
    }

    private static String header(RunView run, List<TicketView> tickets, RunTimes times) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.runHeader(new PrintStream(bytes, true, StandardCharsets.UTF_8), run, tickets, 0, null, times);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The "at least" end (the last event of the coordinator that stopped) is for the attempt lost with it alone: another
     * attempt of the same ticket, started in the same session and recorded ended after it (here failed), ends at its
     * recorded end. status RUN TICKET, report.json and the timeline applied it to every attempt of a ticket with a lost one.
     */
    @Test
    void onlyAnAttemptLostWithItsCoordinatorEndsAtThatCoordinatorsLastEvent() {
        at(0, new RunEvent.RunStarted(1, "host:1", false));
        at(4_000, new RunEvent.AttemptStarted("a", 1, 60_000));
        at(600_000, new RunEvent.RunStarted(2, "host:2", true));
        RunTimes times = RunTimes.of(events);
        io.swarmflow.store.AttemptView lost = new io.swarmflow.store.AttemptView(RUN, "a", 1, io.swarmflow.store.Outcome.LEASE_EXPIRED,
                null, "lease expired", T0 + 1_000, T0 + 605_000, 0, 0, null);
        io.swarmflow.store.AttemptView failed = new io.swarmflow.store.AttemptView(RUN, "a", 2, io.swarmflow.store.Outcome.FAILED,
                1, "exit 1", T0 + 2_000, T0 + 605_000, 0, 0, null);
        assertThat(times.lostAttemptEndMillis(lost)).isEqualTo(T0 + 4_000);
        assertThat(times.lostAttemptEndMillis(failed)).as("not lost: its recorded end").isZero();
    }
}
