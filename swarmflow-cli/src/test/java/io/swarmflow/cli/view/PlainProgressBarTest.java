package io.swarmflow.cli.view;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain output (CI, pipes, {@code --plain}) prints a progress bar as what a terminal would finally show of it, its last
 * state, not each of its states as a line (a fast bar flooded a CI log with hundreds); a long bar shows it is alive every
 * {@link ProgressView#HEARTBEAT_MILLIS}; nothing held is lost when an attempt or the run ends, or the view is closed.
 * On a fake clock, without the view's thread: {@link ProgressView#tick()} is called where the thread would call it.
 */
class PlainProgressBarTest {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
    private static final long T0 = 1_700_000_000_000L;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    private final AtomicLong now = new AtomicLong(T0);

    private ProgressView view() {
        return new ProgressView(out, false, true, 3, "R1", now::get, false);
    }

    /** The lines printed so far, without their times. */
    private List<String> printed() {
        return bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(l.indexOf("  ") + 2)).toList();
    }

    /** The lines printed so far, each with its time as milliseconds after {@link #T0}: {@code +1500 text}. */
    private List<String> timed() {
        return bytes.toString(StandardCharsets.UTF_8).lines().map(l -> {
            int gap = l.indexOf("  ");
            String at = l.substring(0, gap);
            long ms = java.time.LocalTime.parse(at).toNanoOfDay() / 1_000_000
                    - java.time.LocalTime.parse(TIME.format(Instant.ofEpochMilli(T0))).toNanoOfDay() / 1_000_000;
            return "+" + ms + " " + l.substring(gap + 2);
        }).toList();
    }

    @Test
    void aBarOfAHundredStatesPrintsOneLineItsLastState() {
        try (ProgressView v = view()) {
            v.onEvent(new RunEvent.AttemptStarted("bar", 1, 15_000), T0);
            v.onLogLine("bar", 1, "stdout", "downloading", false);
            v.onLogLine("bar", 1, "stdout", "0%", false);
            for (int i = 1; i <= 100; i++) {
                now.addAndGet(10);
                v.onLogLine("bar", 1, "stdout", i + "%", true);
            }
            v.tick();
            assertThat(printed()).containsExactly("bar started", "bar | downloading"); // the bar is still drawn

            v.onLogLine("bar", 1, "stdout", "done", false);
            assertThat(printed()).containsExactly("bar started", "bar | downloading", "bar | 100%");
        }
        assertThat(printed()).containsExactly("bar started", "bar | downloading", "bar | 100%", "bar | done");
    }

    /**
     * The old call, without the flag, continues nothing: each line is printed (once the next comes), as before; the
     * last one when the view closes.
     */
    @Test
    void linesToldNothingArePrintedEach() {
        try (ProgressView v = view()) {
            v.onLogLine("t", 1, "stdout", "one");
            v.onLogLine("t", 1, "stdout", "two");
            v.onLogLine("t", 1, "stdout", "two");
        }
        assertThat(printed()).containsExactly("t | one", "t | two", "t | two");
    }

    /**
     * A line ended by LF is told the next line cannot continue it: it is printed at once, stamped with when it came, with
     * no tick and no time passing; a bar's states, which may be continued, are held, and its last state, which ended with
     * LF, is printed as it comes, as is the line after it.
     */
    @Test
    void aLineTheNextCannotContinueIsPrintedAtOnce() {
        try (ProgressView v = view()) {
            v.onEvent(new RunEvent.AttemptStarted("c", 1, 15_000), T0);
            v.onLogLine("c", 1, "stdout", "compiling...", false, false);
            assertThat(timed()).containsExactly("+0 c started", "+0 c | compiling...");

            now.addAndGet(300);
            v.onLogLine("c", 1, "stdout", "10%", false, true);
            v.onLogLine("c", 1, "stdout", "20%", true, true);
            assertThat(printed()).containsExactly("c started", "c | compiling...");
            now.addAndGet(10);
            v.onLogLine("c", 1, "stdout", "100%", true, false);
            assertThat(timed()).containsExactly("+0 c started", "+0 c | compiling...", "+310 c | 100%");
            v.onLogLine("c", 1, "stderr", "warning: slow", false, false);
            v.onLogLine("c", 1, "stdout", "done", false, false);
            assertThat(printed()).containsExactly("c started", "c | compiling...", "c | 100%", "c | warning: slow", "c | done");
            v.onEvent(new RunEvent.AttemptFinished("c", 1, Outcome.SUCCEEDED, 0, null, Map.of()), T0 + 400);
        }
        assertThat(printed()).containsExactly("c started", "c | compiling...", "c | 100%", "c | warning: slow", "c | done");
    }

    /**
     * A line not told whether the next may continue it (the call without the flag) is held as a bar's state is: it is
     * printed once no other state followed it for {@link ProgressView#SETTLE_MILLIS}, stamped with when it came, and not
     * again when the next line ends it; so is a bar that stopped at a state, and its last state at its end.
     */
    @Test
    void aLineNoStateFollowsIsPrintedAfterTheSettleTimeWithTheTimeItCame() {
        try (ProgressView v = view()) {
            v.onLogLine("c", 1, "stdout", "compiling...", false);
            now.addAndGet(ProgressView.SETTLE_MILLIS - 1);
            v.tick();
            assertThat(printed()).isEmpty();
            now.addAndGet(1);
            v.tick();
            assertThat(timed()).containsExactly("+0 c | compiling...");

            now.addAndGet(5_000);
            v.onLogLine("c", 1, "stdout", "10%", false); // +6000
            now.addAndGet(100);
            v.onLogLine("c", 1, "stdout", "20%", true); // +6100, then the download waits
            now.addAndGet(ProgressView.SETTLE_MILLIS);
            v.tick();
            now.addAndGet(ProgressView.SETTLE_MILLIS);
            v.tick(); // printed once
            now.addAndGet(100);
            v.onLogLine("c", 1, "stdout", "30%", true);
            v.onLogLine("c", 1, "stdout", "compiled", false);
            assertThat(timed()).containsExactly("+0 c | compiling...", "+6100 c | 20%", "+8200 c | 30%");
        }
        assertThat(printed()).containsExactly("c | compiling...", "c | 20%", "c | 30%", "c | compiled");
    }

    /**
     * A long bar prints its latest state at most once per {@link ProgressView#HEARTBEAT_MILLIS}: when a state comes that
     * long after the line was last printed (or began), and on a tick when the latest state waited unprinted that long;
     * a state once printed is not printed again at the end.
     */
    @Test
    void aHeldBarPrintsItsLatestStateEveryHeartbeat() {
        long beat = ProgressView.HEARTBEAT_MILLIS;
        try (ProgressView v = view()) {
            v.onLogLine("dl", 1, "stderr", "0%", false);
            for (int i = 1; i <= 30; i++) { // a state every tenth of the heartbeat
                now.addAndGet(beat / 10);
                v.onLogLine("dl", 1, "stderr", i + "%", true);
                v.tick();
            }
            assertThat(printed()).containsExactly("dl | 10%", "dl | 20%", "dl | 30%");

            now.addAndGet(beat / 2);
            v.onLogLine("dl", 1, "stderr", "35%", true); // then stops: the next tick a heartbeat after 30% prints it
            now.addAndGet(beat / 2 - 1);
            v.tick();
            assertThat(printed()).containsExactly("dl | 10%", "dl | 20%", "dl | 30%");
            now.addAndGet(1);
            v.tick();
            now.addAndGet(3 * beat);
            v.tick(); // printed, and nothing newer
            assertThat(timed()).containsExactly("+" + beat + " dl | 10%", "+" + 2 * beat + " dl | 20%", "+" + 3 * beat + " dl | 30%",
                    "+" + (3 * beat + beat / 2) + " dl | 35%");
            v.onEvent(new RunEvent.AttemptFinished("dl", 1, Outcome.SUCCEEDED, 0, null, Map.of()), now.get());
        }
        assertThat(printed()).containsExactly("dl | 10%", "dl | 20%", "dl | 30%", "dl | 35%");
    }

    /**
     * What a bar drew last is printed when its attempt ends, whatever the outcome (before the line that says so), when
     * the run ends (before {@code run ...}), and when the view closes without the run's end (a store that failed): never
     * lost, never twice.
     */
    @Test
    void whatIsHeldIsPrintedWhenTheAttemptOrTheRunEndsOrTheViewCloses() {
        try (ProgressView v = view()) {
            for (String t : List.of("failed", "cancelled", "ok", "running", "closed")) {
                v.onLogLine(t, 1, "stdout", t + " 0%", false);
                v.onLogLine(t, 1, "stdout", t + " 40%", true);
            }
            v.onEvent(new RunEvent.AttemptFinished("failed", 1, Outcome.FAILED, 1, null, Map.of()), T0);
            v.onEvent(new RunEvent.AttemptFinished("cancelled", 1, Outcome.CANCELLED, null, "cancelled", Map.of()), T0);
            v.onEvent(new RunEvent.AttemptFinished("ok", 1, Outcome.SUCCEEDED, 0, null, Map.of()), T0);
            v.onEvent(new RunEvent.TicketSucceeded("ok", 1), T0);
            v.onLogLine("closed", 2, "stdout", "attempt 2's line", false); // another attempt draws its own line
            v.onEvent(new RunEvent.RunFinished(RunState.CANCELLED), T0);
            v.onLogLine("closed", 2, "stdout", "late 0%", false); // after the run's end: printed when the view closes
            v.onLogLine("closed", 2, "stdout", "late 99%", true);
        }
        assertThat(printed()).containsExactly("failed | failed 40%", "failed attempt 1 failed: exit code 1",
                "cancelled | cancelled 40%", "cancelled attempt 1 cancelled", "ok | ok 40%", "✓ ok succeeded",
                "running | running 40%", "closed | closed 40%", "closed | attempt 2's line", "run cancelled", "closed | late 99%");
    }

    /** Tickets run in parallel: each draws its own line, their states interleaved. */
    @Test
    void twoTicketsBarsInterleavedStaySeparate() {
        try (ProgressView v = view()) {
            v.onLogLine("a", 1, "stdout", "a 0%", false);
            v.onLogLine("b", 1, "stdout", "b 0%", false);
            for (int i = 1; i <= 50; i++) {
                v.onLogLine("a", 1, "stdout", "a " + i + "%", true);
                v.onLogLine("b", 1, "stdout", "b " + 2 * i + "%", true);
            }
            v.onLogLine("a", 1, "stdout", "a done", false);
            v.onEvent(new RunEvent.AttemptFinished("b", 1, Outcome.SUCCEEDED, 0, null, Map.of()), T0);
            v.onLogLine("a", 1, "stdout", "a more", false);
        }
        assertThat(printed()).containsExactly("a | a 50%", "b | b 100%", "a | a done", "a | a more");
    }

    /**
     * stdout and stderr share the terminal the attempt draws on: a line of the other stream ends the line being drawn
     * (printed first, in the order the lines came), and a bar that goes on after it is a new line.
     */
    @Test
    void aLineOfTheOtherStreamEndsTheLineBeingDrawn() {
        try (ProgressView v = view()) {
            v.onLogLine("t", 1, "stderr", "10%", false);
            v.onLogLine("t", 1, "stderr", "20%", true);
            v.onLogLine("t", 1, "stdout", "note", false);
            v.onLogLine("t", 1, "stderr", "30%", true);
            v.onLogLine("t", 1, "stderr", "40%", true);
            v.onLogLine("t", 1, "stdout", "end", false);
        }
        assertThat(printed()).containsExactly("t | 20%", "t | note", "t | 40%", "t | end");
    }

    /** A bar's last state is cut and its control characters shown as any output line's. */
    @Test
    void aHeldStateIsCutAndMadePrintableAsAnyLine() {
        String longState = "9".repeat(ProgressView.MAX_PLAIN_LINE + 10);
        try (ProgressView v = view()) {
            v.onLogLine("t", 1, "stdout", "\033[K 0%", false);
            v.onLogLine("t", 1, "stdout", "\033[K 99%\033]0;title\007", true);
            v.onLogLine("t", 1, "stdout", "x", false);
            v.onLogLine("t", 1, "stdout", longState, true);
        }
        assertThat(printed()).containsExactly("t | ^[[K 99%^[]0;title^G", "t | " + "9".repeat(ProgressView.MAX_PLAIN_LINE)
                + "… [line cut at 4000 of " + longState.length() + " characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
    }

    /**
     * When a held line is due is counted on a monotonic clock, not the wall clock: the wall clock set back an hour (NTP, a
     * user) does not hold a line an hour, and the line keeps the wall time it came at.
     */
    @Test
    void theWallClockSetBackDelaysNeitherTheSettleNorTheHeartbeat() {
        AtomicLong mono = new AtomicLong(42);
        try (ProgressView v = new ProgressView(out, false, true, 1, "R1", now::get, mono::get, false)) {
            v.onLogLine("t", 1, "stdout", "compiling...", false);
            now.addAndGet(-3_600_000);
            mono.addAndGet(ProgressView.SETTLE_MILLIS);
            v.tick();
            assertThat(timed()).containsExactly("+0 t | compiling...");

            v.onLogLine("bar", 1, "stdout", "0%", false);
            now.addAndGet(-3_600_000);
            mono.addAndGet(ProgressView.HEARTBEAT_MILLIS - 1);
            v.onLogLine("bar", 1, "stdout", "50%", true); // not due yet: printed neither early nor an hour late
            v.tick();
            assertThat(printed()).containsExactly("t | compiling...");
            mono.addAndGet(1);
            v.onLogLine("bar", 1, "stdout", "60%", true);
            assertThat(printed()).containsExactly("t | compiling...", "bar | 60%");
        }
    }

    /** A line that comes after the view closed (the run stopped, an agent still writing) is printed at once, not held. */
    @Test
    void aLineAfterCloseIsPrintedAtOnce() {
        ProgressView v = view();
        v.onLogLine("t", 1, "stdout", "before", false);
        v.close();
        assertThat(printed()).containsExactly("t | before");

        v.onLogLine("t", 1, "stdout", "late", false);
        v.onLogLine("t", 1, "stdout", "10%", false);
        v.onLogLine("t", 1, "stdout", "20%", true);
        assertThat(printed()).containsExactly("t | before", "t | late", "t | 10%", "t | 20%");
    }

    /** docs/cli.md gives the times plain output holds lines by: they are these. */
    @Test
    void theCliReferenceSaysTheseTimes() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..").toAbsolutePath().normalize().resolve("docs/cli.md"));
        assertThat(ProgressView.HEARTBEAT_MILLIS % 1000).isZero();
        assertThat(ProgressView.SETTLE_MILLIS).isEqualTo(1_000);
        assertThat(readme.replaceAll("\\s+", " ")).contains("its latest state at most every " + ProgressView.HEARTBEAT_MILLIS / 1000
                + " seconds while it is drawn, and within about a second the state a bar stopped at; an output line ended by a"
                + " line feed at once");
    }

    /** The live view is as before: the ticket's last output line is the bar's latest state. */
    @Test
    void theLiveViewShowsTheLatestState() {
        try (ProgressView v = new ProgressView(out, true, true, 1, "R1", now::get, false)) {
            v.onEvent(new RunEvent.AttemptStarted("bar", 1, 15_000), System.currentTimeMillis());
            v.onLogLine("bar", 1, "stdout", "10%", false);
            v.onLogLine("bar", 1, "stdout", "20%", true);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).containsPattern("  bar +\\S+  20%\n").doesNotContain("10%");
    }
}
