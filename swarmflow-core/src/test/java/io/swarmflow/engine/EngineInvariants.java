package io.swarmflow.engine;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.store.Projection;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.TimeMarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the run invariants on a store's event log and projections; returns the violations. */
final class EngineInvariants {
    private EngineInvariants() {}

    static List<String> check(RunStore store, String runId, boolean expectAllFinal) {
        List<String> v = new ArrayList<>();
        Plan plan = store.plan(runId);
        List<StoredEvent> events = store.events(runId, 0, Integer.MAX_VALUE);
        Map<String, PlannedTicket> byId = new HashMap<>();
        for (PlannedTicket t : plan.tickets()) byId.put(t.id(), t);
        Set<String> finalTickets = new HashSet<>();
        Map<String, Integer> successes = new HashMap<>();
        long lastSeq = 0;
        for (StoredEvent se : events) {
            if (se.seq() != lastSeq + 1) v.add("sequence gap before " + se.seq());
            lastSeq = se.seq();
            switch (se.event()) {
                case RunEvent.AttemptStarted s -> {
                    for (String need : byId.get(s.ticketId()).needs()) {
                        if (!finalTickets.contains(need)) v.add(s.ticketId() + " attempt " + s.attempt() + " started before dependency " + need + " was final");
                    }
                }
                case RunEvent.TicketSucceeded s -> {
                    finalTickets.add(s.ticketId());
                    successes.merge(s.ticketId(), 1, Integer::sum);
                }
                case RunEvent.TicketFailed f -> finalTickets.add(f.ticketId());
                case RunEvent.TicketSkipped s -> finalTickets.add(s.ticketId());
                case RunEvent.ApprovalRejected r -> finalTickets.add(r.ticketId());
                default -> { }
            }
        }
        gateExitsAreTimeMarks(events, v);
        successes.forEach((id, count) -> {
            if (count > 1) v.add(id + " succeeded " + count + " times");
        });
        List<TicketView> tickets = store.tickets(runId);
        Map<String, TicketView> views = new HashMap<>();
        for (TicketView t : tickets) views.put(t.ticketId(), t);
        if (expectAllFinal) {
            for (TicketView t : tickets) if (!t.state().isFinal()) v.add(t.ticketId() + " ended " + t.state().label());
        }
        for (TicketView t : tickets) {
            if (t.state() != TicketState.SKIPPED) continue;
            PlannedTicket pt = byId.get(t.ticketId());
            String reason = t.reason() == null ? "" : t.reason();
            if (reason.startsWith("fail-fast")) continue;
            switch (pt.when()) {
                case SUCCESS -> {
                    boolean ok = pt.needs().stream().anyMatch(n -> views.get(n).state() != TicketState.SUCCEEDED
                            && reason.startsWith("dependency " + n + " "));
                    if (!ok) v.add(t.ticketId() + " skipped with wrong reason: " + reason);
                }
                case FAILURE -> {
                    if (!reason.equals("no dependency failed (when: failure)")) v.add(t.ticketId() + " skipped with wrong reason: " + reason);
                }
                case ALWAYS -> v.add(t.ticketId() + " (when: always) was skipped: " + reason);
            }
        }
        Projection replayed = Projection.replay(events);
        if (!replayed.tickets().equals(tickets)) v.add("replayed tickets differ from the projection");
        if (!replayed.attempts().equals(store.attempts(runId))) v.add("replayed attempts differ from the projection");
        if (!replayed.run().equals(store.run(runId).orElseThrow())) v.add("replayed run differs from the projection");
        return v;
    }

    /**
     * Every event that takes a ticket out of {@link TicketState#AWAITING_APPROVAL} must be one {@link TimeMarks#kept}
     * keeps: otherwise a run's gate waits folded from its time marks would differ from those folded from all its events
     * (the CLI reads the marks; see {@code RunTimes}).
     */
    private static void gateExitsAreTimeMarks(List<StoredEvent> events, List<String> v) {
        Projection p = new Projection();
        for (StoredEvent se : events) {
            Set<String> atGate = new HashSet<>();
            for (TicketView t : p.tickets()) if (t.state() == TicketState.AWAITING_APPROVAL) atGate.add(t.ticketId());
            boolean kept = TimeMarks.kept(p, se.event());
            p.apply(se.event(), se.seq(), se.atEpochMillis());
            for (String id : atGate) {
                TicketView after = p.ticket(id);
                if (after.state() != TicketState.AWAITING_APPROVAL && !kept) {
                    v.add(id + " left its approval gate by event " + se.seq() + " (" + se.event().getClass().getSimpleName()
                            + "), which is not a time mark");
                }
            }
        }
    }
}
