package io.swarmflow.cli.view;

import io.swarmflow.engine.RunListener;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunEvent.*;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the user sees while a run executes. On a terminal: a live block redrawn ten times a second
 * (progress bar, counts by state, running tickets with elapsed time and last log line) under a
 * scroll of finished tickets. Otherwise (CI, pipes, {@code --plain}): plain timestamped lines.
 */
public final class ProgressView implements RunListener, AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final int MAX_RUNNING_LINES = 8;

    private final PrintStream out;
    private final boolean live;
    private final boolean showOutput;
    private final int total;
    private final AtomicInteger succeeded = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();
    private final AtomicInteger awaiting = new AtomicInteger();
    private final Map<String, long[]> running = new ConcurrentHashMap<>(); // ticket -> {startMillis, attempt}
    private final Map<String, String> lastLine = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> scroll = new ConcurrentLinkedQueue<>();
    private final Thread renderer;
    private volatile boolean closed;
    private int drawnLines;

    /**
     * @param out        where to write
     * @param live       redraw a live block (terminal) instead of plain lines
     * @param showOutput in plain mode, also print agents' output lines ({@code ticket | line})
     * @param total      number of tickets in the run
     */
    public ProgressView(PrintStream out, boolean live, boolean showOutput, int total) {
        this.out = out;
        this.live = live;
        this.showOutput = showOutput;
        this.total = total;
        if (live) {
            renderer = Thread.ofPlatform().daemon().name("swarm-progress").start(this::renderLoop);
        } else {
            renderer = null;
        }
    }

    /** True when standard output is an interactive terminal and neither {@code CI} nor {@code TERM=dumb} says otherwise. */
    public static boolean isInteractiveTerminal() {
        if (System.getenv("CI") != null || "dumb".equals(System.getenv("TERM"))) return false;
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: System.console() is non-null only for a terminal
        }
    }

    /** Seeds the counters from a resumed run's projections. */
    public void seed(int succeededCount, int failedCount, int skippedCount) {
        succeeded.set(succeededCount);
        failed.set(failedCount);
        skipped.set(skippedCount);
    }

    @Override
    public void onEvent(RunEvent event, long at) {
        String line = switch (event) {
            case RunStarted s -> s.resumed() ? "run resumed (epoch " + s.epoch() + ")" : "run started";
            case AttemptStarted s -> {
                running.put(s.ticketId(), new long[]{at, s.attempt()});
                yield s.ticketId() + " started" + (s.attempt() > 1 ? " (attempt " + s.attempt() + ")" : "");
            }
            case AttemptFinished f -> {
                long[] r = running.remove(f.ticketId());
                lastLine.remove(f.ticketId());
                String took = r == null ? "" : " in " + Durations.format(at - r[0]);
                yield switch (f.outcome()) {
                    case SUCCEEDED -> null; // reported by ticket-succeeded
                    case LEASE_EXPIRED -> f.ticketId() + " attempt " + f.attempt() + " lost: " + f.reason();
                    default -> f.ticketId() + " attempt " + f.attempt() + " " + f.outcome().label() + took
                            + (f.reason() != null ? ": " + f.reason() : f.exitCode() != null ? ": exit code " + f.exitCode() : "");
                };
            }
            case TicketSucceeded s -> {
                succeeded.incrementAndGet();
                yield "✓ " + s.ticketId() + " succeeded";
            }
            case TicketFailed f -> {
                failed.incrementAndGet();
                yield "✗ " + f.ticketId() + " FAILED: " + f.reason();
            }
            case TicketSkipped s -> {
                skipped.incrementAndGet();
                yield "- " + s.ticketId() + " skipped: " + s.reason();
            }
            case TicketRetryScheduled r -> {
                retrying.incrementAndGet();
                yield r.ticketId() + " will retry in " + Durations.format(Math.max(0, r.notBeforeEpochMillis() - at));
            }
            case TicketReady r -> {
                if (retrying.get() > 0) retrying.decrementAndGet();
                yield null;
            }
            case TicketAwaitingApproval a -> {
                awaiting.incrementAndGet();
                yield "? " + a.ticketId() + " is waiting for approval";
            }
            case ApprovalGranted g -> {
                if (awaiting.get() > 0) awaiting.decrementAndGet();
                yield g.ticketId() + " approved by " + g.by();
            }
            case ApprovalRejected r -> {
                if (awaiting.get() > 0) awaiting.decrementAndGet();
                failed.incrementAndGet(); // a rejected ticket fails with this event alone (no TicketFailed follows)
                yield "✗ " + r.ticketId() + " FAILED: " + r.failureReason();
            }
            case TicketCancelled c -> c.ticketId() + " cancelled";
            case RunCancelRequested c -> "cancel requested by " + c.by();
            case RunFinished f -> "run " + f.state().label();
            default -> null;
        };
        if (line != null) emit(line);
    }

    @Override
    public void onLogLine(String ticketId, int attempt, String stream, String line) {
        if (live) {
            lastLine.put(ticketId, Printable.of(line));
        } else if (showOutput) {
            emit(ticketId + " | " + (line.length() <= MAX_PLAIN_LINE ? line
                    : line.substring(0, Printable.cutBefore(line, MAX_PLAIN_LINE)) + "… [line cut at " + MAX_PLAIN_LINE + " of "
                    + line.length() + " characters; the attempt's log file has it whole: swarm logs]"));
        }
    }

    @Override
    public void onNotice(String message) {
        emit("! " + message);
    }

    /**
     * Characters of a ticket's output line printed in plain mode; the rest is cut with a marker (a 64 KiB JSON line
     * would flood a CI log). The log files keep every line whole.
     */
    static final int MAX_PLAIN_LINE = 4_000;

    /** Guarded by {@code out}. */
    private long lastPrinted;

    private void emit(String text) {
        String line = Printable.of(text); // ticket output, reasons and names come from tickets and users
        if (live) {
            scroll.add(line);
        } else {
            synchronized (out) {
                // the time of printing, never before the previous line's: events (stamped at their commit) and log
                // lines (stamped on arrival) come from different threads, and their own stamps can be out of order
                lastPrinted = Math.max(lastPrinted, System.currentTimeMillis());
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
        synchronized (out) {
            out.print(sb);
            out.flush();
        }
    }

    private List<String> block() {
        List<String> lines = new ArrayList<>();
        int done = succeeded.get() + failed.get() + skipped.get();
        int width = 30;
        int filled = total == 0 ? width : (int) ((long) done * width / total);
        lines.add("[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total
                + "  ✓ " + succeeded.get() + "  ✗ " + failed.get() + "  - " + skipped.get()
                + "  running " + running.size() + (retrying.get() > 0 ? "  retry-wait " + retrying.get() : "")
                + (awaiting.get() > 0 ? "  awaiting-approval " + awaiting.get() : ""));
        long now = System.currentTimeMillis();
        Map<String, long[]> snapshot = new LinkedHashMap<>(running);
        int shown = 0;
        for (Map.Entry<String, long[]> e : snapshot.entrySet()) {
            if (shown++ == MAX_RUNNING_LINES) {
                lines.add("  … and " + (snapshot.size() - MAX_RUNNING_LINES) + " more");
                break;
            }
            String last = Printable.shorten(lastLine.getOrDefault(e.getKey(), ""), 80);
            lines.add(String.format(java.util.Locale.ROOT, "  %-24s %8s  %s", e.getKey(), Durations.format(now - e.getValue()[0]), last));
        }
        return lines;
    }

    @Override
    public void close() {
        closed = true;
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
