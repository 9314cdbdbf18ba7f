package io.swarmflow.cli.view;

import io.swarmflow.engine.RunService;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TimeMark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * When a run was executed, and when its tickets waited at their approval gates, folded from its recorded events (the
 * projections keep neither; the store keeps the few events that say these times apart, {@link io.swarmflow.store.TimeMarks}):
 * a run cancelled, or whose coordinator stopped, and resumed an hour later has two sessions, and its time from start to end counts the hour it stood stopped. Immutable.
 *
 * <p>A session runs from a {@link RunEvent.RunStarted} (a start or a resume) to the run's {@link RunEvent.RunFinished}
 * (its end, or a cancel), or, when its coordinator stopped without recording one (killed, crashed), to the last event
 * recorded before the next start; the last session of a run not finished is open (end 0).
 */
public final class RunTimes {
    /**
     * One coordinator's execution of the run.
     *
     * @param startMillis store time of its {@code RunStarted}, epoch milliseconds
     * @param endMillis   store time of its end (see the class comment), epoch milliseconds; 0 while open
     * @param resumed     whether it resumed the run (false for the first start)
     * @param ending      how it ended: {@link Ending#OPEN} while open
     */
    public record Session(long startMillis, long endMillis, boolean resumed, Ending ending) {}

    /** How a {@link Session} ended, as its events tell. */
    public enum Ending {
        /** Still executing (or its coordinator stopped and no later start has said so yet): end 0. */
        OPEN,
        /** A cancel (Ctrl-C, a signal, {@code swarm cancel}) ended it: it recorded {@code RunFinished(cancelled)}. */
        CANCELLED,
        /** The run ended: it recorded {@code RunFinished} with another state. */
        ENDED,
        /** Its coordinator stopped without recording an end (killed, crashed): it ends at its last recorded event. */
        STOPPED
    }

    /**
     * A time a ticket stood at its approval gate, from {@code TicketAwaitingApproval} (or the start of the session that
     * found it waiting) to what ended the wait.
     *
     * @param ticketId   the gated ticket
     * @param fromMillis epoch milliseconds
     * @param toMillis   epoch milliseconds; 0 while it still waits
     * @param endedBy    what ended it, for people: {@code approved by alice@host}, {@code approved by auto-approve},
     *                   {@code rejected by alice@host: not today}, {@code cancelled} (the ticket), {@code skipped},
     *                   {@code failed}, {@code the run was cancelled} (it waits again from the resume, a wait of its own),
     *                   {@code its coordinator stopped} (the same), {@code the run ended (STATE)}; null while it still waits
     */
    public record ApprovalWait(String ticketId, long fromMillis, long toMillis, String endedBy) {}

    /** Nothing known: no events were read (the report of a caller without a store, say). */
    public static final RunTimes NONE = new RunTimes(List.of(), List.of(), false);

    private final List<Session> sessions;
    private final List<ApprovalWait> approvalWaits;
    private final boolean known;

    private RunTimes(List<Session> sessions, List<ApprovalWait> approvalWaits, boolean known) {
        this.sessions = List.copyOf(sessions);
        this.approvalWaits = List.copyOf(approvalWaits);
        this.known = known;
    }

    /** Events read per page by {@link #read}. */
    private static final int PAGE = 2_000;

    /**
     * Folds the run's time marks ({@link RunService#timeMarks}: the few events that say these times, kept apart by the
     * store), or, for a run the store kept none for (created before it did), reads all of the run's events, page by
     * page, and folds them. The same result either way.
     *
     * @throws io.swarmflow.store.StoreException as {@link RunService#timeMarks} and {@link RunService#events} do
     */
    public static RunTimes read(RunService service, String runId) {
        java.util.Optional<List<TimeMark>> marks = service.timeMarks(runId);
        if (marks.isPresent()) return ofMarks(runId, marks.get());
        return readEvents(service, runId);
    }

    /** {@link #read} from all of the run's events, page by page, whether or not the store keeps time marks. */
    static RunTimes readEvents(RunService service, String runId) {
        Fold fold = new Fold();
        long after = 0;
        while (true) {
            List<StoredEvent> page = service.events(runId, after, PAGE);
            for (StoredEvent e : page) fold.add(e);
            if (page.size() < PAGE) break;
            after = page.get(page.size() - 1).seq();
        }
        return fold.result();
    }

    /**
     * {@link #read} for a run that may have been resumed ({@link RunView#epoch} above 1: more than one coordinator claimed
     * it), else the single session its projection gives without reading an event. Approval waits are only known after a
     * {@link #read}.
     */
    public static RunTimes readIfResumed(RunService service, RunView run) {
        if (run.epoch() > 1) return read(service, run.runId());
        return single(run);
    }

    /** The one session of a run never resumed, from its projection: none before its start. */
    public static RunTimes single(RunView run) {
        if (run.startedAtMillis() <= 0) return new RunTimes(List.of(), List.of(), true);
        Ending ending = run.finishedAtMillis() <= 0 ? Ending.OPEN
                : run.state() == io.swarmflow.store.RunState.CANCELLED ? Ending.CANCELLED : Ending.ENDED;
        return new RunTimes(List.of(new Session(run.startedAtMillis(), run.finishedAtMillis(), false, ending)), List.of(), true);
    }

    /** Folds {@code events}, in their recorded order. */
    public static RunTimes of(List<StoredEvent> events) {
        Fold fold = new Fold();
        events.forEach(fold::add);
        return fold.result();
    }

    /**
     * Folds a run's time marks ({@link io.swarmflow.store.TimeMarks}), in sequence order: the same as {@link #of} of all
     * of its events.
     */
    public static RunTimes ofMarks(String runId, List<TimeMark> marks) {
        Fold fold = new Fold();
        for (TimeMark m : marks) {
            // the session of a coordinator that stopped without an end ends at the run's event just before this start
            if (m.event() instanceof RunEvent.RunStarted) fold.lastAt = m.previousAtMillis();
            fold.add(m.stored(runId));
        }
        return fold.result();
    }

    private static final class Fold {
        final List<Session> sessions = new ArrayList<>();
        final List<ApprovalWait> waits = new ArrayList<>();
        final Map<String, Long> open = new LinkedHashMap<>(); // ticket -> waiting since
        // tickets whose wait a cancel or a stopped coordinator cut: still at their gate, they wait again from the next start
        final java.util.Set<String> suspended = new java.util.LinkedHashSet<>();
        long sessionStart;
        boolean sessionResumed;
        boolean inSession;
        long lastAt;

        void add(StoredEvent se) {
            long at = se.atEpochMillis();
            switch (se.event()) {
                case RunEvent.RunStarted s -> {
                    if (inSession) { // its coordinator stopped without recording an end: the session ends at its last event
                        sessions.add(new Session(sessionStart, lastAt, sessionResumed, Ending.STOPPED));
                        closeAll(lastAt, "its coordinator stopped");
                    }
                    inSession = true;
                    sessionStart = at;
                    sessionResumed = s.resumed();
                    for (String t : suspended) open.put(t, at); // the new coordinator finds them waiting still
                    suspended.clear();
                }
                case RunEvent.RunFinished f -> {
                    if (inSession) sessions.add(new Session(sessionStart, at, sessionResumed,
                            f.state() == io.swarmflow.store.RunState.CANCELLED ? Ending.CANCELLED : Ending.ENDED));
                    inSession = false;
                    closeAll(at, f.state() == io.swarmflow.store.RunState.CANCELLED ? "the run was cancelled"
                            : "the run ended (" + f.state().label() + ")");
                }
                case RunEvent.TicketAwaitingApproval a -> {
                    suspended.remove(a.ticketId());
                    open.putIfAbsent(a.ticketId(), at);
                }
                case RunEvent.ApprovalGranted g -> close(g.ticketId(), at, "approved by " + g.by());
                case RunEvent.ApprovalRejected r -> close(r.ticketId(), at, r.failureReason());
                case RunEvent.TicketCancelled c -> close(c.ticketId(), at, "cancelled");
                case RunEvent.TicketSkipped s -> close(s.ticketId(), at, "skipped");
                case RunEvent.TicketFailed f -> close(f.ticketId(), at, "failed");
                default -> {}
            }
            lastAt = at;
        }

        void close(String ticketId, long at, String by) {
            suspended.remove(ticketId);
            Long from = open.remove(ticketId);
            if (from != null) waits.add(new ApprovalWait(ticketId, from, at, by));
        }

        void closeAll(long at, String by) {
            for (Map.Entry<String, Long> e : open.entrySet()) waits.add(new ApprovalWait(e.getKey(), e.getValue(), Math.max(e.getValue(), at), by));
            suspended.addAll(open.keySet());
            open.clear();
        }

        RunTimes result() {
            List<Session> all = new ArrayList<>(sessions);
            if (inSession) all.add(new Session(sessionStart, 0, sessionResumed, Ending.OPEN));
            List<ApprovalWait> w = new ArrayList<>(waits);
            open.forEach((t, from) -> w.add(new ApprovalWait(t, from, 0, null)));
            return new RunTimes(all, w, true);
        }
    }

    /** Whether the sessions were read or derived ({@link #NONE} is not). */
    public boolean known() {
        return known;
    }

    /** The sessions, in order. */
    public List<Session> sessions() {
        return sessions;
    }

    /** The approval waits, ordered by when they ended (those still open last). */
    public List<ApprovalWait> approvalWaits() {
        return approvalWaits;
    }

    /** Number of sessions that resumed the run. */
    public int resumes() {
        return (int) sessions.stream().filter(Session::resumed).count();
    }

    /**
     * Milliseconds the run was executed: the sum of its sessions, an open one ending at {@code openEndMillis} (now, or
     * the last event of a run whose coordinator stopped); null before a start or when not {@link #known}.
     */
    public Long runningMillis(long openEndMillis) {
        if (!known || sessions.isEmpty()) return null;
        long sum = 0;
        for (Session s : sessions) sum += Math.max(0, (s.endMillis() > 0 ? s.endMillis() : Math.max(s.startMillis(), openEndMillis)) - s.startMillis());
        return sum;
    }

    /**
     * A ticket's (or any span's) duration as the ticket tables say it: {@code 4.6s}, or, when the run stood stopped within
     * it, the time it spent while the run was executed over the whole span, {@code 9.0s (over 1h00m)}
     * ({@link Durations#TICKET_OVER_NOTE}).
     */
    public String spanCell(long fromMillis, long toMillis) {
        long stopped = stoppedWithin(fromMillis, toMillis);
        long span = toMillis - fromMillis;
        return stopped <= 0 ? Durations.format(span) : Durations.runningOverCell(span - stopped, span);
    }

    /**
     * The end of the session that was executing the run at {@code atMillis} when a later session followed it (a cancel, or
     * the last event of a coordinator that stopped); 0 when the session at that time is the last one, or none is.
     * An attempt lost with its coordinator ({@code lease-expired}) is recorded as finished by the resume: its bar ends here.
     */
    public long endOfStoppedSessionAt(long atMillis) {
        for (int i = 0; i + 1 < sessions.size(); i++) {
            Session s = sessions.get(i);
            if (s.startMillis() <= atMillis && atMillis <= s.endMillis()) return s.endMillis();
        }
        return 0;
    }

    /**
     * Where an attempt lost with its coordinator ran to at least: the end of the session that started it (its coordinator's
     * last recorded event) when the attempt is recorded as finished after that session (by the resume that found it lost,
     * maybe hours later); else 0 (its recorded end, or none yet, is its end). The timeline bar, the attempt rows of
     * {@code swarm status RUN TICKET} and report.json's attempt {@code durationMillis} all end it here.
     *
     * @param startedAtMillis  the attempt's start, epoch milliseconds
     * @param finishedAtMillis its recorded end, epoch milliseconds; 0 while recorded as running
     * @return epoch milliseconds, or 0
     */
    public long lostAttemptEndMillis(long startedAtMillis, long finishedAtMillis) {
        long stoppedAt = endOfStoppedSessionAt(startedAtMillis);
        return stoppedAt > 0 && finishedAtMillis > stoppedAt ? stoppedAt : 0;
    }

    /**
     * {@link #lostAttemptEndMillis(long, long)} of attempt {@code a} when it was lost with its coordinator (outcome
     * {@code lease-expired}); 0 for any other attempt, whose recorded end is its end: the other attempts of a ticket
     * with a lost one are not "at least".
     *
     * @return epoch milliseconds, or 0
     */
    public long lostAttemptEndMillis(io.swarmflow.store.AttemptView a) {
        if (a.outcome() != io.swarmflow.store.Outcome.LEASE_EXPIRED) return 0;
        return lostAttemptEndMillis(a.startedAtMillis(), a.finishedAtMillis());
    }

    /** Milliseconds of {@code [fromMillis, toMillis]} that fall between sessions: the time the run stood stopped in it. */
    public long stoppedWithin(long fromMillis, long toMillis) {
        long stopped = 0;
        for (int i = 1; i < sessions.size(); i++) {
            long gapFrom = sessions.get(i - 1).endMillis(), gapTo = sessions.get(i).startMillis();
            long a = Math.max(gapFrom, fromMillis), b = Math.min(gapTo, toMillis);
            if (b > a) stopped += b - a;
        }
        return stopped;
    }
}
