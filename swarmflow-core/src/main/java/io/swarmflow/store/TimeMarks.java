package io.swarmflow.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Which events of a run a store keeps as {@link TimeMark}s, in the same transaction as it appends them: the single
 * definition, as {@link Projection} is for the projections. They are what the run's sessions (a start or resume to an
 * end or cancel, or to the last event of a coordinator that stopped) and its tickets' approval-gate waits are folded
 * from, so that {@code swarm runs} and {@code swarm status} of a resumed or gated run read a handful of rows instead of
 * all of its events.
 *
 * <p>Kept: every {@link RunEvent.RunStarted}, {@link RunEvent.RunFinished} and {@link RunEvent.TicketAwaitingApproval};
 * and the events that end a gate wait ({@link RunEvent.ApprovalGranted}, {@link RunEvent.ApprovalRejected},
 * {@link RunEvent.TicketCancelled}, {@link RunEvent.TicketSkipped}, {@link RunEvent.TicketFailed}) when their ticket
 * stands at its gate (state {@link TicketState#AWAITING_APPROVAL}) before the event. None of these is on an ungated
 * ticket's path, so an ordinary append keeps nothing. Stateless.
 */
public final class TimeMarks {
    private TimeMarks() {}

    /**
     * Whether a store keeps {@code e} as a time mark.
     *
     * @param before the run's projection before {@code e} is applied (after {@link Projection#check})
     * @param e      the event being appended
     */
    public static boolean kept(Projection before, RunEvent e) {
        return switch (e) {
            case RunEvent.RunStarted s -> true;
            case RunEvent.RunFinished f -> true;
            case RunEvent.TicketAwaitingApproval a -> true;
            case RunEvent.ApprovalGranted g -> atGate(before, g.ticketId());
            case RunEvent.ApprovalRejected r -> atGate(before, r.ticketId());
            case RunEvent.TicketCancelled c -> atGate(before, c.ticketId());
            case RunEvent.TicketSkipped s -> atGate(before, s.ticketId());
            case RunEvent.TicketFailed f -> atGate(before, f.ticketId());
            default -> false;
        };
    }

    private static boolean atGate(Projection before, String ticketId) {
        TicketView t = before.ticket(ticketId);
        return t != null && t.state() == TicketState.AWAITING_APPROVAL;
    }

    /**
     * The marks of a run's whole event log, as a store that kept them from its first event holds them (for verification:
     * a store's marks must equal these).
     *
     * @param events all of one run's events, in order, from its {@link RunEvent.RunCreated}
     * @return the marks, in sequence order
     * @throws StoreException as {@link Projection#check} does for a log that does not replay
     */
    public static List<TimeMark> replay(List<StoredEvent> events) {
        Projection p = new Projection();
        List<TimeMark> marks = new ArrayList<>();
        long lastAt = 0;
        for (StoredEvent se : events) {
            p.check(se.event());
            if (kept(p, se.event())) {
                marks.add(new TimeMark(se.seq(), se.atEpochMillis(), se.event(),
                        se.event() instanceof RunEvent.RunStarted ? lastAt : 0));
            }
            p.apply(se.event(), se.seq(), se.atEpochMillis());
            lastAt = se.atEpochMillis();
        }
        return marks;
    }
}
