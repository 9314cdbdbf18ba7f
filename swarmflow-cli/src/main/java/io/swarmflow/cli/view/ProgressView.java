package io.swarmflow.cli.view;

import io.swarmflow.engine.RunListener;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.*;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.LongSupplier;

/**
 * What the user sees while a run executes. On a terminal: a live block redrawn ten times a second
 * (progress bar, counts by state, running tickets with elapsed time and last log line) under a
 * scroll of finished tickets. Otherwise (CI, pipes, {@code --plain}): plain timestamped lines, a progress bar's
 * states as one line ({@link #onLogLine(String, int, String, String, boolean, boolean)}).
 */
public final class ProgressView implements RunListener, AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int MAX_RUNNING_LINES = 8;

    private final PrintStream out;
    private final boolean live;
    private final boolean showOutput;
    private final int total;
    private final String runId;
    /**
     * Each ticket's state as the events say; a ticket not in it is pending. The counts by state are kept with it
     * ({@link #move}), so that they always add up to {@link #total}, whatever the order of the transitions.
     */
    private final Map<String, TicketState> states = new ConcurrentHashMap<>();
    private final AtomicIntegerArray counts = new AtomicIntegerArray(TicketState.values().length);
    /**
     * Ticket to {start as recorded (the store's clock), attempt, when this view heard the start (on {@link #ticks})}: a
     * finished attempt's duration is the store's, as {@code swarm status} shows it; a running one's is counted on this
     * host's monotonic clock, which neither the store's (a PostgreSQL server's, ahead or behind) nor this host's wall
     * clock set back or forward moves.
     */
    private final Map<String, long[]> running = new ConcurrentHashMap<>();
    private final Map<String, String> lastLine = new ConcurrentHashMap<>();
    /** Each ticket's retry policy, by ticket id ({@link #retryPolicies}); a retry line without one gives only its delay. */
    private volatile Map<String, io.swarmflow.spec.RetryPolicy> policies = Map.of();
    /** Attempts of each ticket that failed or timed out, which consume its retries (as the engine counts them). */
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    /** The tickets of a resumed run that were waiting to retry when it stopped: when each retries (epoch milliseconds). */
    private final Map<String, Long> retryAt = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final ConcurrentLinkedQueue<String> scroll = new ConcurrentLinkedQueue<>();
    private final Thread renderer;
    /** Live mode: reads the terminal's height into {@link #rows} ({@link #sizeLoop}); null otherwise. */
    private final Thread sizer;
    /** This host's clock, in milliseconds since the epoch: the plain lines' times. */
    private final LongSupplier clock;
    /**
     * A monotonic clock in milliseconds (from {@link System#nanoTime()}; any origin): when held output lines are due, and
     * how long the live block's running tickets have run, so that the wall clock set back (or forward) neither holds a
     * line that long nor prints it early, nor makes a running time jump.
     */
    private final LongSupplier ticks;
    /**
     * Plain mode with output: the terminal line each ticket's attempt is drawing, its latest state held
     * ({@link #onLogLine(String, int, String, String, boolean, boolean)}). Guarded by itself; in the order the lines began.
     */
    private final Map<AttemptKey, TerminalLine> drawing = new LinkedHashMap<>();
    /** Plain mode with output: prints the held output lines that are due ({@link #tick}); null otherwise. */
    private final Thread ticker;
    private volatile boolean closed;
    private int drawnLines;

    /**
     * @param out        where to write
     * @param live       redraw a live block (terminal) instead of plain lines
     * @param showOutput in plain mode, also print agents' output lines ({@code ticket | line})
     * @param total      number of tickets in the run
     */
    public ProgressView(PrintStream out, boolean live, boolean showOutput, int total) {
        this(out, live, showOutput, total, null);
    }

    /**
     * As {@link #ProgressView(PrintStream, boolean, boolean, int)}, for run {@code runId}: a reason cut to
     * {@link Printable#REASON_CHARS} names the {@code swarm status RUN TICKET} that shows it whole (RUN when null).
     */
    public ProgressView(PrintStream out, boolean live, boolean showOutput, int total, String runId) {
        this(out, live, showOutput, total, runId, System::currentTimeMillis, () -> System.nanoTime() / 1_000_000, true);
    }

    /** As {@link #ProgressView(PrintStream, boolean, boolean, int, String, LongSupplier, LongSupplier, boolean)}, on {@code clock} alone. */
    ProgressView(PrintStream out, boolean live, boolean showOutput, int total, String runId, LongSupplier clock, boolean ticking) {
        this(out, live, showOutput, total, runId, clock, clock, ticking);
    }

    /**
     * As {@link #ProgressView(PrintStream, boolean, boolean, int, String)}, on {@code clock} (milliseconds since the
     * epoch: the plain lines' times) and {@code ticks} (monotonic milliseconds, any origin: when a held output line is
     * due). Without {@code ticking}, no thread prints the
     * held output lines that come due ({@link #SETTLE_MILLIS}, {@link #HEARTBEAT_MILLIS}) while no other line comes:
     * {@link #tick()} does, when the caller (a test) calls it. The live block fits the controlling terminal's height
     * ({@link #readTerminalRows}).
     */
    ProgressView(PrintStream out, boolean live, boolean showOutput, int total, String runId, LongSupplier clock,
                 LongSupplier ticks, boolean ticking) {
        this(out, live, showOutput, total, runId, clock, ticks, ticking, ProgressView::readTerminalRows);
    }

    /**
     * As {@link #ProgressView(PrintStream, boolean, boolean, int, String, LongSupplier, LongSupplier, boolean)}, the live
     * block fitting a terminal of the height {@code terminalRows} gives (rows, 0 when unknown). In live mode a thread of
     * its own asks it when the view starts and at most once a second after (a resized window), never the thread that
     * draws nor one that reports the run's events: a call that hangs (a stalled {@code stty}) leaves the last height
     * known in use (0, the block uncapped, until one is).
     */
    ProgressView(PrintStream out, boolean live, boolean showOutput, int total, String runId, LongSupplier clock,
                 LongSupplier ticks, boolean ticking, java.util.function.IntSupplier terminalRows) {
        this.terminalRows = terminalRows;
        this.runId = runId == null ? "RUN" : runId;
        this.clock = clock;
        this.ticks = ticks;
        this.out = out;
        this.live = live;
        this.showOutput = showOutput;
        this.total = total;
        counts.set(TicketState.PENDING.ordinal(), total);
        if (live) {
            sizer = Thread.ofPlatform().daemon().name("swarm-terminal-size").start(this::sizeLoop);
            renderer = Thread.ofPlatform().daemon().name("swarm-progress").start(this::renderLoop);
        } else {
            sizer = null;
            renderer = null;
        }
        ticker = !live && showOutput && ticking
                ? Thread.ofPlatform().daemon().name("swarm-plain-output").start(this::tickLoop) : null;
    }

    /** True when standard output is an interactive terminal and neither {@code CI} nor {@code TERM=dumb} says otherwise. */
    public static boolean isInteractiveTerminal() {
        return System.getenv("CI") == null && !"dumb".equals(System.getenv("TERM")) && isTerminal();
    }

    /**
     * True when standard input and output are a terminal (the JDK's {@code Console.isTerminal()}, from JDK 22), whatever
     * {@code CI} and {@code TERM} say: a terminal that calls itself dumb may still act on escape sequences.
     */
    public static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: System.console() is non-null only for a terminal
        }
    }

    /**
     * True when standard output is a terminal, whatever standard input is ({@code swarm logs RUN T < /dev/null} on a
     * terminal): {@link #isTerminal()}, or file descriptor 1 is a terminal device ({@code /dev/pts/N}, {@code /dev/ttyN},
     * {@code /dev/console}: {@link OutputTarget#isTerminal}). For what must not reach a terminal raw.
     */
    public static boolean outputIsTerminal() {
        return isTerminal() || OutputTarget.standardOutput().isTerminal();
    }

    /**
     * Seeds the counters from a resumed run's projections: every ticket in its recorded state, and its failed attempts.
     * A ticket waiting to retry is said with its retry line once the run is resumed: it keeps its recorded time.
     */
    public void seed(List<TicketView> tickets) {
        for (TicketView t : tickets) {
            move(t.ticketId(), t.state());
            if (t.failures() > 0) failures.put(t.ticketId(), t.failures());
            if (t.state() == TicketState.RETRY_WAIT && t.retryAtMillis() > 0) retryAt.put(t.ticketId(), t.retryAtMillis());
        }
    }

    /**
     * The retry policy of each ticket, by ticket id, from the run's plan: a retry line then says which retry it is and
     * the backoff ceiling its random delay was drawn under ({@link #retryLine}).
     */
    public void retryPolicies(Map<String, io.swarmflow.spec.RetryPolicy> byTicket) {
        policies = Map.copyOf(byTicket);
    }

    /** Records that {@code ticketId} is now in state {@code to}, moving it from its previous state's count. */
    private void move(String ticketId, TicketState to) {
        synchronized (counts) {
            TicketState from = states.put(ticketId, to);
            counts.decrementAndGet((from == null ? TicketState.PENDING : from).ordinal());
            counts.incrementAndGet(to.ordinal());
        }
    }

    private int count(TicketState s) {
        return counts.get(s.ordinal());
    }

    @Override
    public void onEvent(RunEvent event, long at) {
        // what an attempt drew last is printed before what is said of its end
        if (event instanceof AttemptFinished f) {
            endTerminalLine(f.ticketId(), f.attempt());
            // a cap no line of the attempt followed (its line was not shown live) marks no later line
            logCapped.removeIf(k -> k.ticketId().equals(f.ticketId()) && k.attempt() == f.attempt());
        } else if (event instanceof RunFinished) endTerminalLines();
        String line = switch (event) {
            case RunStarted s -> s.resumed() ? "run resumed" : "run started";
            case AttemptStarted s -> {
                move(s.ticketId(), TicketState.RUNNING);
                running.put(s.ticketId(), new long[]{at, s.attempt(), ticks.getAsLong()});
                yield s.ticketId() + " started" + (s.attempt() > 1 ? " (attempt " + s.attempt() + ")" : "");
            }
            case AttemptFinished f -> {
                long[] r = running.remove(f.ticketId());
                lastLine.remove(f.ticketId());
                String took = r == null ? "" : " in " + Durations.format(at - r[0]);
                if (f.outcome() == io.swarmflow.store.Outcome.FAILED || f.outcome() == io.swarmflow.store.Outcome.TIMED_OUT) {
                    failures.merge(f.ticketId(), 1, Integer::sum);
                }
                yield switch (f.outcome()) {
                    case SUCCEEDED -> null; // reported by ticket-succeeded
                    case LEASE_EXPIRED -> f.ticketId() + " attempt " + f.attempt() + " lost: " + attemptReason(f.ticketId(), f.reason());
                    // "timed out after 1s (stopped in 1.6s)", not "timed-out in 1.6s: timed out after 1s"
                    case TIMED_OUT -> f.reason() != null && f.reason().startsWith("timed out")
                            ? f.ticketId() + " attempt " + f.attempt() + " " + attemptReason(f.ticketId(), f.reason())
                            + (took.isEmpty() ? "" : " (stopped" + took + ")")
                            : f.ticketId() + " attempt " + f.attempt() + " timed out" + took
                            + (f.reason() == null ? "" : ": " + attemptReason(f.ticketId(), f.reason()));
                    default -> {
                        // a reason that starts by naming the outcome ("cancelled; it did not end ...") does not say it twice
                        String label = f.outcome().label();
                        String why = f.reason() == null ? null : f.reason().equals(label) ? ""
                                : f.reason().startsWith(label + "; ") ? f.reason().substring(label.length() + 2) : f.reason();
                        yield f.ticketId() + " attempt " + f.attempt() + " " + label + took
                                + (why != null ? (why.isEmpty() ? "" : ": " + attemptReason(f.ticketId(), why))
                                : f.exitCode() != null ? ": exit code " + f.exitCode() : "");
                    }
                };
            }
            case TicketSucceeded s -> {
                move(s.ticketId(), TicketState.SUCCEEDED);
                yield "✓ " + s.ticketId() + " succeeded";
            }
            case TicketFailed f -> {
                move(f.ticketId(), TicketState.FAILED);
                yield "✗ " + f.ticketId() + " FAILED: " + reason(f.ticketId(), f.reason());
            }
            case TicketSkipped s -> {
                move(s.ticketId(), TicketState.SKIPPED);
                yield "- " + s.ticketId() + " skipped: " + reason(s.ticketId(), s.reason());
            }
            case TicketRetryScheduled r -> {
                move(r.ticketId(), TicketState.RETRY_WAIT);
                yield retryLine(r.ticketId(), r.notBeforeEpochMillis() - at, false);
            }
            case TicketReady r -> {
                move(r.ticketId(), TicketState.READY);
                yield null;
            }
            case TicketAwaitingApproval a -> {
                move(a.ticketId(), TicketState.AWAITING_APPROVAL);
                gatesSaid.add(a.ticketId());
                // the commands that decide it, at once: the engine names them only once nothing else can run
                yield "? " + a.ticketId() + " is waiting for approval: approve it with `swarm approve " + runId + " " + a.ticketId()
                        + "`, or reject it with `swarm reject " + runId + " " + a.ticketId() + " --reason TEXT`";
            }
            case ApprovalGranted g -> {
                move(g.ticketId(), TicketState.READY);
                yield g.ticketId() + " approved by " + g.by();
            }
            case ApprovalRejected r -> {
                move(r.ticketId(), TicketState.FAILED); // a rejected ticket fails with this event alone (no TicketFailed follows)
                yield "✗ " + r.ticketId() + " FAILED: " + reason(r.ticketId(), r.failureReason());
            }
            case TicketCancelled c -> {
                move(c.ticketId(), TicketState.CANCELLED);
                yield c.ticketId() + " cancelled";
            }
            case TicketRequeued q -> {
                move(q.ticketId(), TicketState.PENDING);
                yield null;
            }
            case RunCancelRequested c -> "cancel requested by " + c.by();
            case RunFinished f -> "run " + f.state().label();
            default -> null;
        };
        if (line != null) emit(line);
        if (event instanceof RunStarted s && s.resumed()) {
            // its tickets waiting to retry start at their recorded time, maybe minutes away: say so, as when the wait began
            retryAt.forEach((ticketId, when) -> {
                // a time that passed while the run was stopped: the retry starts at once ("in 0ms" read as a glitch)
                if (states.get(ticketId) == TicketState.RETRY_WAIT) emit(retryLine(ticketId, when - at, true));
            });
            retryAt.clear();
        }
    }

    /**
     * The line of a retry scheduled {@code delayMillis} from now, e.g. {@code flaky will retry in 14ms (retry 1 of 2;
     * backoff with full jitter, up to 200ms)}: the delay is drawn uniformly from 0 to the backoff ceiling of this retry
     * ({@link io.swarmflow.spec.RetryPolicy#delayMillis}), so a delay far below {@code backoff.initial} is no mistake, and
     * the line says so. Without the ticket's policy, only the delay. A delay of 0 or less reads {@code flaky will retry
     * now}, not "in 0ms": full jitter drew 0 (or, for a resumed run's waiting tickets, {@code nowWhenDue}, its time passed
     * while the run was stopped).
     */
    private String retryLine(String ticketId, long delayMillis, boolean nowWhenDue) {
        String line = ticketId + " will retry " + (delayMillis <= 0 ? "now" : "in " + Durations.format(delayMillis));
        io.swarmflow.spec.RetryPolicy policy = policies.get(ticketId);
        int retry = failures.getOrDefault(ticketId, 0);
        if (policy == null || retry < 1 || retry > policy.max()) return line;
        long ceiling = policy.ceilingMillis(retry);
        return line + " (retry " + retry + " of " + policy.max() + "; "
                + (ceiling == 0 ? "no backoff" : "backoff with full jitter, up to " + Durations.format(ceiling)) + ")";
    }

    /** A ticket's reason as a line shows it: cut to {@link Printable#REASON_CHARS}, naming where it is whole. */
    private String reason(String ticketId, String reason) {
        return Printable.cutReason(reason, "in `swarm status " + runId + " " + ticketId + "`");
    }

    /**
     * An attempt's reason as a line shows it: like {@link #reason}, but {@code swarm status RUN TICKET} shows only the
     * ticket's latest reason whole (an earlier attempt's is cut in its table); its {@code --json} has every attempt's whole.
     */
    private String attemptReason(String ticketId, String reason) {
        return Printable.cutReason(reason, "in `swarm status " + runId + " " + ticketId + " --json`");
    }

    /** A line that continues no other: {@link #onLogLine(String, int, String, String, boolean, boolean)} with {@code false}, {@code true}. */
    @Override
    public void onLogLine(String ticketId, int attempt, String stream, String line) {
        onLogLine(ticketId, attempt, stream, line, false);
    }

    /**
     * A line not told whether the next may continue it: {@link #onLogLine(String, int, String, String, boolean, boolean)}
     * with {@code true}, held as a progress bar's state is.
     */
    @Override
    public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr) {
        onLogLine(ticketId, attempt, stream, line, afterLoneCr, true);
    }

    /**
     * A ticket's output line: the live view's last line of the ticket, or in plain mode (with output shown) what a
     * terminal would finally show of it. A lone CR (a progress bar's {@code 10%\r20%\r30%}) already ended a line in the
     * sandbox's output pump ({@code io.swarmflow.sandbox.LineListener}), and {@code afterLoneCr} tells the states of one
     * line of the terminal ({@code 20%} and {@code 30%} continue {@code 10%}). The live view shows the latest state, as a
     * terminal does.
     *
     * <p>Plain mode prints each terminal line once, as its last state, instead of every state (a fast bar would flood a
     * CI log with hundreds of lines): the line being drawn is held, each state that continues it taking the place of the
     * one before, and printed when it ends, that is when the next line does not continue it, when a line of the attempt's
     * other stream comes, when the attempt ends ({@link AttemptFinished}), when the run ends ({@link RunFinished}), and
     * when the view is closed (the run stopped without its end, by a failing store say): nothing held is lost. A line
     * that {@code mayBeContinued} says no line will continue (it ended with LF) is not held: it is printed at once, and
     * ends the terminal line. One terminal
     * line is held per ticket attempt, whatever the stream: stdout and stderr share the terminal the attempt would draw
     * on, so a line of the other stream ends the line being drawn, and is printed after it, in the order the lines came
     * (a bar on stderr that goes on after it starts a new line). Tickets run in parallel, each drawing its own line. While
     * a line is held, its latest state is also printed:
     * <ul>
     *   <li>when it has not been printed yet and no other state followed it for {@link #SETTLE_MILLIS}: a bar stopped at a
     *   state shows where it stopped, and a line told it may be continued that ended by CR LF split across reads (or given
     *   without the flag) is not kept back until the next line;</li>
     *   <li>when {@link #HEARTBEAT_MILLIS} have passed since the line was last printed (or began, if it was not): a long
     *   bar shows it is alive, a line at most every so often.</li>
     * </ul>
     * A state once printed is not printed again. Each line's time is when the state it shows came (never before the line
     * printed before it). A line longer than {@link #MAX_PLAIN_LINE} characters is cut, with a marker, as the logs keep
     * it whole ({@code swarm logs} shows every state of a bar, each a line, on a terminal: {@link PrintableBytes}).
     */
    @Override
    public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
        if (live) {
            lastLine.put(ticketId, Printable.of(line));
        } else if (showOutput) {
            synchronized (drawing) {
                long now = clock.getAsLong();
                long tick = ticks.getAsLong();
                AttemptKey key = new AttemptKey(ticketId, attempt);
                TerminalLine drawn = drawing.get(key);
                boolean logCut = logCapped.remove(new AttemptStream(ticketId, attempt, stream));
                if (drawn != null && afterLoneCr && drawn.stream.equals(stream)) {
                    drawn.state(line, now, tick, logCut);
                    if (tick - drawn.shownTick >= HEARTBEAT_MILLIS) show(drawn, tick);
                } else {
                    if (drawn != null && !drawn.shown) show(drawn, tick);
                    drawing.remove(key); // the new line goes last, in the order the lines began
                    drawing.put(key, new TerminalLine(ticketId, stream, line, now, tick, logCut));
                }
                if (!mayBeContinued) { // the terminal line ends here: its last state is this one, printed now
                    TerminalLine ended = drawing.remove(key);
                    if (!ended.shown) show(ended, tick);
                }
                if (closed) { // no thread and no end will print it any more (a line after the run stopped): now
                    TerminalLine held = drawing.remove(key);
                    if (held != null && !held.shown) show(held, tick);
                }
            }
        }
    }

    /**
     * The attempt's log file of {@code stream} reached the ticket's {@code log-size} cap: the next line of the stream is
     * the part of a line the cap kept, and a marker that cuts it in plain mode says the log file has no more of it.
     */
    @Override
    public void onLogCapped(String ticketId, int attempt, String stream) {
        if (!live && showOutput) logCapped.add(new AttemptStream(ticketId, attempt, stream));
    }

    /**
     * The streams whose log file reached its cap ({@link #onLogCapped}) and whose next line, the part the cap kept, did
     * not come yet; an attempt's are dropped when it ends ({@link AttemptFinished}).
     */
    private final java.util.Set<AttemptStream> logCapped = ConcurrentHashMap.newKeySet();

    /** A stream of a ticket's attempt. */
    private record AttemptStream(String ticketId, int attempt, String stream) {}

    /**
     * In plain mode, how long a held output line not printed yet waits with no state after it before it is printed, in
     * milliseconds ({@link #onLogLine(String, int, String, String, boolean, boolean)}): a bar's state that no other
     * follows is printed this late (and up to {@link #TICK_MILLIS} more), stamped with when it came; the first state of a
     * bar that draws a state at least this often is not printed. A line ended by LF is not held.
     */
    static final long SETTLE_MILLIS = 1_000;

    /**
     * In plain mode, how often at most a held output line, a progress bar being drawn, prints its latest state, in
     * milliseconds ({@link #onLogLine(String, int, String, String, boolean, boolean)}): a bar drawn for a minute prints about
     * six lines, its last state when it ends.
     */
    static final long HEARTBEAT_MILLIS = 10_000;

    /** How often the plain view's thread looks for held output lines that are due ({@link #tick}), in milliseconds. */
    private static final long TICK_MILLIS = 200;

    /**
     * Prints the held output lines that are due ({@link #SETTLE_MILLIS}, {@link #HEARTBEAT_MILLIS}) by {@link #ticks}'
     * time. The plain view's thread calls it every {@link #TICK_MILLIS}; a view made without it, its caller.
     */
    void tick() {
        synchronized (drawing) {
            long now = ticks.getAsLong();
            for (TerminalLine l : drawing.values()) {
                if (l.shown) continue;
                if ((!l.printed && now - l.cameTick >= SETTLE_MILLIS) || now - l.shownTick >= HEARTBEAT_MILLIS) {
                    show(l, now);
                }
            }
        }
    }

    private void tickLoop() {
        while (!closed) {
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            tick();
        }
    }

    /** The attempt ended: the line it was drawing is printed, if its last state was not. */
    private void endTerminalLine(String ticketId, int attempt) {
        synchronized (drawing) {
            TerminalLine drawn = drawing.remove(new AttemptKey(ticketId, attempt));
            if (drawn != null && !drawn.shown) show(drawn, ticks.getAsLong());
        }
    }

    /** The run ended, or the view closes: every line still drawn is printed, if its last state was not. */
    private void endTerminalLines() {
        synchronized (drawing) {
            long now = ticks.getAsLong();
            for (TerminalLine l : drawing.values()) {
                if (!l.shown) show(l, now);
            }
            drawing.clear();
        }
    }

    /**
     * How the cut marker ends after saying what the attempt's log file has of the line: the output pump writes that file
     * apart from the lines it hands the view, and when a write fails it says so in a line of its own
     * ({@code [swarm: cannot write the log file ...]}, which may come after the marker: a write that fails when the file
     * is closed) and writes no more, a failure the view is not told of otherwise, so the marker says what the file has
     * only as long as it could be written.
     */
    static final String UNLESS_UNWRITTEN = ", unless swarm says it cannot write that file: swarm logs]";

    /** Prints {@code l}'s latest state at {@code now} ({@link #ticks}), stamped with when it came. Holds {@link #drawing}. */
    private void show(TerminalLine l, long now) {
        String cut = l.state.length() <= MAX_PLAIN_LINE ? l.state
                : l.state.substring(0, Printable.cutBefore(l.state, MAX_PLAIN_LINE)) + "… [line cut at " + MAX_PLAIN_LINE
                + (l.logCut ? cappedLength(l.state) + "; the attempt's log file has those, not the rest" + UNLESS_UNWRITTEN
                : lineLength(l.state) + "; the attempt's log file has it whole" + UNLESS_UNWRITTEN);
        emit(l.ticketId + " | " + cut, l.cameAt);
        l.shown = true;
        l.printed = true;
        l.shownTick = now;
    }

    /**
     * Bytes (of UTF-8) of a line the output pump hands to the view at most
     * ({@link io.swarmflow.local.LocalExecutor#MAX_LIVE_LINE_BYTES}): it cuts a longer line there, and the view never
     * learns its length. The log file has the line whole, unless the ticket's {@code log-size} cap cut it
     * ({@link #onLogCapped}).
     */
    static final int PUMP_LINE_BYTES = io.swarmflow.local.LocalExecutor.MAX_LIVE_LINE_BYTES;

    /**
     * What the cut marker says of {@code line}'s length: {@code " of 5000 characters"} when it is the whole line (its UTF-8
     * form is shorter than {@link #PUMP_LINE_BYTES}: decoding never makes a line shorter in bytes, each malformed sequence
     * becoming one U+FFFD of 3 bytes), else {@code " characters of a line of at least 64 KiB"}: the pump may have cut it.
     */
    static String lineLength(String line) {
        return whole(line) ? " of " + line.length() + " characters"
                : " characters of a line of at least " + PUMP_LINE_BYTES / 1024 + " KiB";
    }

    /**
     * What the cut marker says of the length of {@code line}, the part of a longer line the ticket's {@code log-size} cap
     * kept ({@link #onLogCapped}): {@code " of the 5000 characters the ticket's log-size cap kept of it"}, or when the
     * pump may have cut that part too ({@link #lineLength}), {@code " characters of the at least 64 KiB ..."}.
     */
    static String cappedLength(String line) {
        return (whole(line) ? " of the " + line.length() + " characters" : " characters of the at least "
                + PUMP_LINE_BYTES / 1024 + " KiB") + " the ticket's log-size cap kept of it";
    }

    /** Whether {@code line} is shorter in UTF-8 than {@link #PUMP_LINE_BYTES}: the pump handed it on whole. */
    private static boolean whole(String line) {
        long bytes = 0;
        for (int i = 0; i < line.length() && bytes < PUMP_LINE_BYTES; i++) {
            char c = line.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3; // a surrogate pair: 4 bytes
        }
        return bytes < PUMP_LINE_BYTES;
    }

    /** A ticket's attempt. */
    private record AttemptKey(String ticketId, int attempt) {}

    /** The line of the terminal a ticket's attempt is drawing, in plain mode: its latest state, and what was printed of it. */
    private static final class TerminalLine {
        final String ticketId;
        final String stream;
        String state;
        /** When {@link #state} came, milliseconds on {@link ProgressView#clock}: its printed time. */
        long cameAt;
        /** When {@link #state} came, milliseconds on {@link ProgressView#ticks}: when it is due. */
        long cameTick;
        /** Whether {@link #state} was printed. */
        boolean shown;
        /** Whether any state of the line was printed. */
        boolean printed;
        /** When a state of the line was last printed, or the line began if none was, on {@link ProgressView#ticks}. */
        long shownTick;
        /** Whether {@link #state} is the part of a line the log cap kept ({@link ProgressView#onLogCapped}). */
        boolean logCut;

        TerminalLine(String ticketId, String stream, String state, long now, long tick, boolean logCut) {
            this.ticketId = ticketId;
            this.stream = stream;
            this.state = state;
            this.cameAt = now;
            this.cameTick = tick;
            this.shownTick = tick;
            this.logCut = logCut;
        }

        /**
         * The line's next state, drawn over the one before, come at {@code now} ({@code clock}) and {@code tick};
         * {@code logCut} when it is the part the log cap kept.
         */
        void state(String next, long now, long tick, boolean logCut) {
            state = next;
            cameAt = now;
            cameTick = tick;
            shown = false;
            this.logCut = logCut;
        }
    }

    @Override
    public void onNotice(String message) {
        emit("! " + withoutCommandsSaid(message));
    }

    /** Tickets whose gate line, with the commands that decide it, this view printed ({@code ? T is waiting for approval}). */
    private final java.util.Set<String> gatesSaid = ConcurrentHashMap.newKeySet();

    /** How the engine's notice of a run that waits for approvals begins ({@code RunEngine.waitingNotice}). */
    static final String WAITING_NOTICE = "nothing else can run until a decision; waiting for approval: ";

    /**
     * {@code message}, without the {@code swarm approve} and {@code swarm reject} commands at the end of the engine's
     * notice that nothing else can run ({@link #WAITING_NOTICE}) when every ticket awaiting approval had its gate line,
     * which names them, printed above: the commands are said once. A resumed run's gates, waiting before it resumed,
     * had no gate line here, and the notice keeps its commands.
     */
    String withoutCommandsSaid(String message) {
        if (!message.startsWith(WAITING_NOTICE)) return message;
        int commands = message.lastIndexOf(" (`swarm approve ");
        if (commands < 0) return message;
        boolean allSaid = states.entrySet().stream().filter(e -> e.getValue() == TicketState.AWAITING_APPROVAL)
                .allMatch(e -> gatesSaid.contains(e.getKey()));
        return allSaid ? message.substring(0, commands) : message;
    }

    /**
     * Characters of a ticket's output line printed in plain mode; the rest is cut with a marker (a 64 KiB JSON line
     * would flood a CI log). The log files keep every line whole.
     */
    static final int MAX_PLAIN_LINE = 4_000;

    /** Guarded by {@code out}. */
    private long lastPrinted;

    private void emit(String text) {
        emit(text, clock.getAsLong());
    }

    /**
     * Prints {@code text} (plain mode) stamped {@code at} (milliseconds since the epoch: the time of printing, or when a
     * held output line's state came), or adds it to the live view's scroll.
     */
    private void emit(String text, long at) {
        String line = Printable.of(text); // ticket output, reasons and names come from tickets and users
        if (live) {
            scroll.add(line);
        } else {
            synchronized (out) {
                // never before the previous line's time: events (stamped when the coordinator made them, heard once
                // durable) and log lines (stamped on arrival, a held one printed later) come from different threads,
                // and their own stamps can be out of order
                lastPrinted = Math.max(lastPrinted, at);
                out.println(TIME.format(Instant.ofEpochMilli(lastPrinted)) + "  " + line);
            }
        }
    }

    private void renderLoop() {
        while (!closed) {
            render();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void render() {
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) sb.append("\033[").append(drawnLines).append("F\033[J"); // up N lines, clear to end
        String s;
        while ((s = scroll.poll()) != null) sb.append(s).append('\n');
        List<String> block = block();
        // autowrap off while drawing the block: a line wider than the terminal is cut at its edge instead of
        // taking two rows, which the next frame's "up N lines" would not count (stale frames left on screen)
        sb.append("\033[?7l");
        for (String l : block) sb.append(l).append('\n');
        sb.append("\033[?7h");
        drawnLines = block.size();
        // the frame goes out in one write(2): printed as text, a frame larger than the encoder's 8 KiB buffer (a long
        // scroll) would leave in several, and a kill -9 between those leaving autowrap off would leave it off in the
        // user's shell (only a write blocked by a stalled terminal can still be cut short)
        byte[] frame = sb.toString().getBytes(out.charset());
        synchronized (out) {
            out.write(frame, 0, frame.length);
            out.flush();
        }
    }

    /**
     * The live block's first line: progress bar, finished/total, then the count of tickets in each state (those of
     * states with none left out but for running): ready (its dependencies met, waiting for a free slot) apart from
     * pending (waiting for its dependencies); the counts add up to the total.
     */
    String header() {
        int succeeded;
        int failed;
        int skipped;
        int runningCount;
        int retrying;
        int awaiting;
        int cancelled;
        int ready;
        int pending;
        synchronized (counts) { // one consistent set of counts: they add up to the total
            succeeded = count(TicketState.SUCCEEDED);
            failed = count(TicketState.FAILED);
            skipped = count(TicketState.SKIPPED);
            runningCount = count(TicketState.RUNNING);
            retrying = count(TicketState.RETRY_WAIT);
            awaiting = count(TicketState.AWAITING_APPROVAL);
            cancelled = count(TicketState.CANCELLED);
            ready = count(TicketState.READY);
            pending = count(TicketState.PENDING);
        }
        int done = succeeded + failed + skipped;
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) Math.min(done, total) * width / total);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total
                + "  ✓ " + succeeded + "  ✗ " + failed + "  skipped " + skipped // "- 1" read as minus one
                + "  running " + runningCount + (retrying > 0 ? "  retry-wait " + retrying : "")
                + (awaiting > 0 ? "  awaiting-approval " + awaiting : "") + (cancelled > 0 ? "  cancelled " + cancelled : "")
                + (ready > 0 ? "  ready " + ready : "") + (pending > 0 ? "  pending " + pending : "");
    }

    /** Where the terminal's height comes from (rows, 0 when unknown): {@link #readTerminalRows}, or a test's. */
    private volatile java.util.function.IntSupplier terminalRows;
    /** How often, at most, {@link #sizeLoop} asks {@link #terminalRows} again (a resized window). */
    static final long ROWS_EVERY_MILLIS = 1_000;
    /** How long {@link #readTerminalRows} waits for {@code stty size}: longer, it is stopped and the height unknown. */
    static final long STTY_TIMEOUT_MILLIS = 500;
    /** The terminal's height in rows as last read, 0 when unknown; read by the drawing without waiting. */
    private volatile int rows;
    /** Held only to set {@link #rows} and {@link #terminalRows} together, never while a height is read. */
    private final Object sizeLock = new Object();

    /**
     * Live mode: reads the terminal's height into {@link #rows}, now and at most once every {@link #ROWS_EVERY_MILLIS}
     * after, until the view is closed. On a thread of its own, so that neither a frame (under the view's lock) nor the
     * run's events ever wait for {@code stty}.
     */
    private void sizeLoop() {
        while (!closed) {
            java.util.function.IntSupplier source = terminalRows;
            int read = source.getAsInt();
            synchronized (sizeLock) { // a height read from a source replaced meanwhile (a test's) is not the height
                // a read that got no answer (0: stty slow, failed or gone) keeps the last height known
                if (!closed && source == terminalRows && (read > 0 || rows == 0)) rows = Math.max(0, read);
            }
            try {
                Thread.sleep(ROWS_EVERY_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The height of the controlling terminal in rows ({@code stty size} on {@code /dev/tty}, given
     * {@link #STTY_TIMEOUT_MILLIS} to answer, stopped after), else {@code $LINES}, else 0 (unknown: the block is not
     * capped). May take that long: never call it while drawing.
     */
    static int readTerminalRows() {
        Process p = null;
        try {
            p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            // the answer ("24 80") fits the pipe: it is read once stty has ended, which is waited for no longer than this
            if (p.waitFor(STTY_TIMEOUT_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS) && p.exitValue() == 0) {
                String size = new String(p.getInputStream().readNBytes(64), java.nio.charset.StandardCharsets.US_ASCII).strip();
                if (size.matches("\\d{1,5} \\d{1,5}")) return Integer.parseInt(size.substring(0, size.indexOf(' ')));
            }
        } catch (java.io.IOException | RuntimeException e) {
            // no stty, no controlling terminal: $LINES, or unknown
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (p != null) {
                p.destroyForcibly(); // a hung stty is not left behind
                try {
                    p.getInputStream().close();
                } catch (java.io.IOException e) {
                    // nothing to do
                }
            }
        }
        String lines = System.getenv("LINES");
        return lines != null && lines.matches("\\d{1,5}") ? Integer.parseInt(lines) : 0;
    }

    /**
     * Makes {@code rows} where the terminal's height comes from (a test's), asked at once on the caller's thread and by
     * the view's own thread after.
     */
    void terminalRows(java.util.function.IntSupplier rows) {
        int read = Math.max(0, rows.getAsInt());
        synchronized (sizeLock) {
            this.terminalRows = rows;
            this.rows = read;
        }
    }

    /** The live block on a terminal of the height last read ({@link #terminalRows}); never waits for it to be read. */
    List<String> block() {
        return block(rows);
    }

    /**
     * The live block: {@link #header()}, then a line per running ticket (up to {@link #MAX_RUNNING_LINES}), its elapsed
     * time on {@link #ticks}, and {@code … and N more} for those left out; on a terminal of {@code rows} rows (0: not
     * known) at most {@code rows - 1} lines, the header always: a taller block would scroll its top lines into the
     * terminal's history at each redraw, the cursor going up no further than the top row.
     */
    List<String> block(int rows) {
        List<String> lines = new ArrayList<>();
        lines.add(header());
        long now = ticks.getAsLong();
        Map<String, long[]> snapshot = new LinkedHashMap<>(running);
        int cap = rows > 0 ? Math.max(1, rows - 1) : Integer.MAX_VALUE; // lines of the block at most
        int fit = (int) Math.min(MAX_RUNNING_LINES, (long) cap - 1); // ticket lines when no "more" line is needed
        int most = snapshot.size() <= fit ? fit : (int) Math.min(MAX_RUNNING_LINES, Math.max(0, (long) cap - 2));
        int shown = 0;
        for (Map.Entry<String, long[]> e : snapshot.entrySet()) {
            if (shown++ == most) {
                if (cap >= 2) lines.add("  … and " + (snapshot.size() - most) + " more");
                break;
            }
            String last = Printable.shorten(lastLine.getOrDefault(e.getKey(), ""), 80);
            lines.add(String.format(java.util.Locale.ROOT, "  %-24s %8s  %s", e.getKey(), Durations.format(now - e.getValue()[2]), last));
        }
        return lines;
    }

    /** Stops the view: in plain mode, prints the output lines still held (the run stopped without its end, say). */
    @Override
    public void close() {
        closed = true;
        if (sizer != null) sizer.interrupt(); // not waited for: it may be in a stalled stty, which has a timeout
        if (ticker != null) {
            ticker.interrupt();
            try {
                ticker.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        endTerminalLines();
        if (renderer != null) {
            renderer.interrupt();
            try {
                renderer.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            render();
        }
    }
}
