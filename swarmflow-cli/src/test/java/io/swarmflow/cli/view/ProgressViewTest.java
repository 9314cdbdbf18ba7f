package io.swarmflow.cli.view;

import io.swarmflow.sandbox.Bubblewrap;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.LineListener;
import io.swarmflow.sandbox.Sandbox;
import io.swarmflow.sandbox.SandboxResult;
import io.swarmflow.sandbox.SandboxSpec;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressViewTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    /**
     * The views of these tests fit their live block to a terminal of unknown height (0: uncapped), not to the one the
     * tests run in: a short pane, or $LINES, made them pass or fail by where they ran. One test gives a height.
     */
    private static ProgressView view(PrintStream out, boolean live, boolean showOutput, int total) {
        return view(out, live, showOutput, total, null);
    }

    private static ProgressView view(PrintStream out, boolean live, boolean showOutput, int total, String runId) {
        return view(out, live, showOutput, total, runId, System::currentTimeMillis, () -> System.nanoTime() / 1_000_000, true);
    }

    private static ProgressView view(PrintStream out, boolean live, boolean showOutput, int total, String runId,
                                     java.util.function.LongSupplier clock, boolean ticking) {
        return view(out, live, showOutput, total, runId, clock, clock, ticking);
    }

    private static ProgressView view(PrintStream out, boolean live, boolean showOutput, int total, String runId,
                                     java.util.function.LongSupplier clock, java.util.function.LongSupplier ticks, boolean ticking) {
        return new ProgressView(out, live, showOutput, total, runId, clock, ticks, ticking, () -> 0);
    }

    private void feed(ProgressView v) {
        long t = 1_000_000;
        v.onEvent(new RunEvent.RunStarted(1, "h:1@1", false), t);
        v.onEvent(new RunEvent.AttemptStarted("build", 1, 15_000), t);
        v.onLogLine("build", 1, "stdout", "compiling module 7");
        v.onEvent(new RunEvent.AttemptStarted("lint", 1, 15_000), t);
        v.onEvent(new RunEvent.AttemptFinished("lint", 1, Outcome.FAILED, 2, "exited with code 2", Map.of()), t + 1_500);
        v.onEvent(new RunEvent.TicketFailed("lint", "exited with code 2"), t + 1_500);
        v.onEvent(new RunEvent.TicketSkipped("deploy", "dependency lint failed"), t + 1_500);
    }

    @Test
    void plainModePrintsTimestampedLinesAndAgentOutput() {
        try (ProgressView v = view(out, false, true, 3)) {
            feed(v);
            v.onEvent(new RunEvent.RunFinished(RunState.FAILED), 1_002_000);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text.lines()).allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  .*"));
        assertThat(text).contains("build started", "build | compiling module 7", "lint attempt 1 failed in 1.5s: exited with code 2",
                "✗ lint FAILED: exited with code 2", "- deploy skipped: dependency lint failed", "run failed");
        assertThat(text).doesNotContain("\033[");
    }

    @Test
    void aTimedOutAttemptSaysItOnceInWords() {
        try (ProgressView v = view(out, false, true, 2)) {
            v.onEvent(new RunEvent.AttemptStarted("slow", 1, 15_000), 1_000);
            v.onEvent(new RunEvent.AttemptFinished("slow", 1, Outcome.TIMED_OUT, null, "timed out after 1s", Map.of()), 2_600);
            v.onEvent(new RunEvent.AttemptFinished("odd", 1, Outcome.TIMED_OUT, null, null, Map.of()), 2_600);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("slow attempt 1 timed out after 1s (stopped in 1.6s)\n", "odd attempt 1 timed out\n")
                .doesNotContain("timed-out");
    }

    /**
     * Events come with the store's times (RunListener), and a PostgreSQL server's clock may be ahead of this host's: a
     * running attempt's time in the live block is counted from when the view heard its start, on this host's clock, not
     * shown as "-" (negative) for an hour.
     */
    @Test
    void aRunningAttemptsTimeIsCountedOnThisHostsClockWhateverTheStoresSays() {
        try (ProgressView v = view(out, true, true, 1)) {
            v.onEvent(new RunEvent.AttemptStarted("build", 1, 15_000), System.currentTimeMillis() + 3_600_000);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        String last = text.lines().filter(l -> l.startsWith("  build ")).reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("  build +\\d+ms\\s*");
    }

    /**
     * A running attempt's time in the live block is counted on the view's monotonic clock: the wall clock set back an hour
     * (or forward) while it runs moves it neither to "-" nor by an hour. The wall clock only stamps.
     */
    @Test
    void aRunningAttemptsTimeIsCountedOnTheMonotonicClockNotTheWallClock() {
        java.util.concurrent.atomic.AtomicLong wall = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        java.util.concurrent.atomic.AtomicLong ticks = new java.util.concurrent.atomic.AtomicLong(42);
        try (ProgressView v = view(out, true, true, 2, "R1", wall::get, ticks::get, false)) {
            v.onEvent(new RunEvent.AttemptStarted("build", 1, 15_000), wall.get());
            wall.addAndGet(-3_600_000); // set back an hour
            ticks.addAndGet(2_500);
            assertThat(v.block()).anyMatch(l -> l.matches("  build +" + java.util.regex.Pattern.quote(Durations.format(2_500)) + "\\s*"));
            v.onEvent(new RunEvent.AttemptStarted("test", 1, 15_000), wall.get());
            wall.addAndGet(7_200_000); // set forward two hours
            ticks.addAndGet(1_000);
            assertThat(v.block()).anyMatch(l -> l.matches("  build +" + java.util.regex.Pattern.quote(Durations.format(3_500)) + "\\s*"))
                    .anyMatch(l -> l.matches("  test +" + java.util.regex.Pattern.quote(Durations.format(1_000)) + "\\s*"));
        }
    }

    @Test
    void anAttemptsReasonDoesNotNameItsOutcomeTwice() {
        try (ProgressView v = view(out, false, true, 3)) {
            long t = 1_000_000;
            v.onEvent(new RunEvent.RunStarted(1, "h:1@1", false), t);
            v.onEvent(new RunEvent.AttemptStarted("slow", 1, 15_000), t);
            v.onEvent(new RunEvent.AttemptStarted("stubborn", 1, 15_000), t);
            v.onEvent(new RunEvent.AttemptFinished("slow", 1, Outcome.CANCELLED, null, "cancelled", Map.of()), t + 2_000);
            v.onEvent(new RunEvent.AttemptFinished("stubborn", 1, Outcome.CANCELLED, null,
                    "cancelled; it did not end within the 1s grace period after TERM and was killed (SIGKILL)", Map.of()), t + 3_000);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("slow attempt 1 cancelled in 2.0s\n".translateEscapes(),
                "stubborn attempt 1 cancelled in 3.0s: it did not end within the 1s grace period after TERM and was killed (SIGKILL)");
        assertThat(text).doesNotContain("cancelled: cancelled");
    }

    @Test
    void plainModeCutsAVeryLongOutputLineAndSaysWhereTheWholeOneIs() {
        String emoji = "\uD83D\uDE00";
        String line = "x".repeat(ProgressView.MAX_PLAIN_LINE - 1) + emoji + "y".repeat(70_000);
        try (ProgressView v = view(out, false, true, 1)) {
            v.onLogLine("big", 1, "stdout", line);
            v.onLogLine("big", 1, "stdout", "z".repeat(ProgressView.MAX_PLAIN_LINE));
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).endsWith("big | " + "x".repeat(ProgressView.MAX_PLAIN_LINE - 1) + "… [line cut at 4000 "
                + "characters of a line of at least 64 KiB; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]"); // not half an emoji
        assertThat(printed.get(1)).endsWith("big | " + "z".repeat(ProgressView.MAX_PLAIN_LINE));
    }

    /**
     * A failure, skip or rejection reason can be 64 KiB (stderr's last line): each line of the view cuts it as report.html
     * does, with its length and the command that shows it whole; in plain mode and on a terminal alike.
     */
    @Test
    void aLongReasonIsCutInItsLineWithItsLengthAndWhereItIsWhole() {
        String reason = "exited with code 2: " + "x".repeat(Printable.REASON_CHARS - 20) + "y".repeat(70_000);
        String cut = "exited with code 2: " + "x".repeat(Printable.REASON_CHARS - 20) + " … (" + reason.length()
                + " characters, all in `swarm status R1 %s`)";
        for (boolean live : new boolean[]{false, true}) {
            bytes.reset();
            try (ProgressView v = view(out, live, true, 4, "R1")) {
                v.onEvent(new RunEvent.AttemptStarted("lint", 1, 15_000), 1_000);
                v.onEvent(new RunEvent.AttemptFinished("lint", 1, Outcome.FAILED, 2, reason, Map.of()), 2_000);
                v.onEvent(new RunEvent.TicketFailed("lint", reason), 2_000);
                v.onEvent(new RunEvent.TicketSkipped("docs", reason), 2_000);
                v.onEvent(new RunEvent.ApprovalRejected("gate", "ann", reason), 2_000);
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertThat(text).as("live %s", live).doesNotContain("xy", "yyy")
                    .contains("lint attempt 1 failed in 1.0s: " + cut.formatted("lint --json") + (live ? "" : "\n"),
                            "✗ lint FAILED: " + cut.formatted("lint"), "- docs skipped: " + cut.formatted("docs"),
                            "✗ gate FAILED: rejected by ann: exited with code 2: xxx",
                            "x … (" + ("rejected by ann: " + reason).length() + " characters, all in `swarm status R1 gate`)");
        }
    }

    /** Events stamped at their commit and log lines stamped on arrival come out of order; printed times never go back. */
    @Test
    void plainTimestampsNeverGoBackwards() {
        long now = System.currentTimeMillis();
        try (ProgressView v = view(out, false, true, 3)) {
            v.onEvent(new RunEvent.AttemptStarted("a", 1, 15_000), now + 60_000); // a stamp in the future
            v.onLogLine("a", 1, "stdout", "output");
            v.onEvent(new RunEvent.TicketSucceeded("a", 1), now - 60_000); // and one in the past
        }
        List<String> times = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(0, 12)).toList();
        assertThat(times).hasSize(3).isSorted();
    }

    @Test
    void liveModeDrawsAProgressBarCountsAndRunningTicketsWithTheirLastLine() {
        try (ProgressView v = view(out, true, true, 3)) {
            feed(v);
        } // close() draws the final frame
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("[####################----------] 2/3", "✓ 0  ✗ 1  skipped 1  running 1"); // "- 1" read as minus one
        assertThat(text).containsPattern("  build +\\S+  compiling module 7");
        assertThat(text).contains("✗ lint FAILED: exited with code 2");
        assertThat(text).doesNotContain("build | compiling"); // output lines are not scrolled in live mode
    }

    @Test
    void controlCharactersFromTicketsAreShownNotObeyed() {
        try (ProgressView v = view(out, false, true, 2)) {
            v.onEvent(new RunEvent.AttemptStarted("evil", 1, 15_000), 1_000_000);
            v.onLogLine("evil", 1, "stdout", "\033]0;PWNED\007\033[2Jcleared\0\r\tx\u009b31m\u007f");
            v.onEvent(new RunEvent.AttemptFinished("evil", 1, Outcome.FAILED, 1, "exited with code 1: \033[31mred", Map.of()), 1_000_500);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        // a CR ends a line in the sandbox's pump, so none comes from a ticket; one that came would be shown, not obeyed
        assertThat(text).contains("evil | ^[]0;PWNED^G^[[2Jcleared^@^M x\\x9b31m^?\n", "exited with code 1: ^[[31mred");
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    }

    @Test
    void liveModeShowsTheLastLineWithoutItsControlCharacters() {
        try (ProgressView v = view(out, true, true, 1)) {
            v.onEvent(new RunEvent.AttemptStarted("evil", 1, 15_000), 1_000_000);
            v.onLogLine("evil", 1, "stdout", "\033]0;PWNED\007title");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("^[]0;PWNED^Gtitle").doesNotContain("\033]0;");
    }

    /**
     * A progress bar's output ({@code 10%\r20%\r30%}, one line for a pump that splits at LF) showed in the live view as
     * {@code 10%^M20%^M30%}: the sandbox's output pump now ends a line at a lone CR, so the live view's last output line
     * is {@code 30%}, what a terminal shows of it, and so is plain mode's one line of the bar (each state a line of its own
     * flooded a CI log; {@code swarm logs} shows them so on a terminal): the pump tells which lines continue the line
     * before them. Through a real process and the pump, as a run gets them.
     */
    @Test
    void aLoneCarriageReturnEndsAnOutputLineInBothViews(@TempDir Path tmp) throws Exception {
        String bar = "\\r 10%%\\r 20%%\\r\\r 30%% \\033[K\\r";
        try (ProgressView v = view(out, true, true, 1)) {
            v.onEvent(new RunEvent.AttemptStarted("bar", 1, 15_000), System.currentTimeMillis());
            print(tmp, v, bar);
        }
        String live = bytes.toString(StandardCharsets.UTF_8);
        assertThat(live).containsPattern("  bar +\\S+   30% \\^\\[\\[K\n").doesNotContain("^M", "10%", "20%");

        bytes.reset();
        try (ProgressView v = view(out, false, true, 1)) {
            print(tmp, v, bar + "\\n\\r\\n\\r");
        }
        List<String> plain = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(l.indexOf("  ") + 2)).toList();
        assertThat(plain).containsExactly("bar |  30% ^[[K", "bar | ");
    }

    /** Runs {@code printf FORMAT} in a sandbox (without bubblewrap) and hands its output lines to {@code v} as ticket bar's. */
    private static void print(Path tmp, ProgressView v, String format) throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("not needed by this test"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).build();
            SandboxResult r = sandbox.start(spec, List.of("printf", format), new LineListener() {
                @Override
                public void line(String stream, String line) {
                    v.onLogLine("bar", 1, stream, line);
                }

                @Override
                public void line(String stream, String line, boolean afterLoneCr) {
                    v.onLogLine("bar", 1, stream, line, afterLoneCr);
                }
            }).waitFor();
            assertThat(r.succeeded()).as("%s", r).isTrue();
        }
    }

    /**
     * Each frame moves up as many lines as the previous one drew; a running line wider than the terminal (a long
     * id, a long last line) would wrap into two rows and leave stale frames on screen, so the block is drawn with
     * autowrap off (DECAWM) and autowrap is on again after it, and after the last frame.
     */
    @Test
    void liveBlockLinesNeverWrapAndAutowrapIsRestored() {
        try (ProgressView v = view(out, true, true, 2)) {
            v.onEvent(new RunEvent.AttemptStarted("a-rather-long-ticket-identifier-for-wrap", 1, 15_000), System.currentTimeMillis());
            v.onLogLine("a-rather-long-ticket-identifier-for-wrap", 1, "stdout", "x".repeat(200));
            v.onEvent(new RunEvent.TicketSucceeded("other", 1), System.currentTimeMillis());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)) // a second frame, redrawn over the first
                    .until(() -> bytes.toString(StandardCharsets.UTF_8).split("\033\\[\\?7l", -1).length > 2);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\033[?7h");
        String[] frames = text.split("\033\\[\\?7l", -1);
        assertThat(frames.length).isGreaterThan(2);
        for (int i = 1; i < frames.length; i++) {
            String frame = frames[i];
            assertThat(frame).contains("\033[?7h");
            String block = frame.substring(0, frame.indexOf("\033[?7h"));
            if (i + 1 < frames.length) { // the next frame starts by moving up over this block
                assertThat(frame.substring(frame.indexOf("\033[?7h"))).startsWith("\033[?7h\033[" + block.lines().count() + "F");
            }
        }
        assertThat(frames[0]).doesNotContain("\033[?7h"); // nothing before the first block
        assertThat(frames[frames.length - 1]).contains("a-rather-long-ticket-identifier-for-wrap");
    }

    /**
     * A frame turns autowrap off and on again; written in several writes, a kill -9 between them would leave the user's
     * terminal without autowrap. Each frame, a long scroll of finished tickets included, is one write to the stream.
     */
    @Test
    void eachLiveFrameIsOneWriteEvenWithALongScroll() {
        List<byte[]> writes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.io.OutputStream recording = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writes.add(new byte[]{(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        int tickets = 3_000; // about 90 KB of scroll lines, over ten times the encoder's buffer
        try (ProgressView v = view(new PrintStream(recording, true, StandardCharsets.UTF_8), true, true, tickets)) {
            for (int i = 0; i < tickets; i++) {
                v.onEvent(new RunEvent.TicketSucceeded("ticket-with-a-longish-name-" + i, 1), System.currentTimeMillis());
            }
        }
        String all = String.join("", writes.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList());
        assertThat(all).contains("ticket-with-a-longish-name-" + (tickets - 1) + " succeeded");
        assertThat(writes).isNotEmpty().allSatisfy(w -> {
            String frame = new String(w, StandardCharsets.UTF_8);
            assertThat(frame).as("a write holds one whole frame").endsWith("\033[?7h");
            assertThat(frame.split("\033\\[\\?7l", -1)).hasSize(2);
        });
    }

    /**
     * A ticket reaching its gate names the commands that decide it as it happens, not only once nothing else can run
     * (the engine's notice), so a user watching a long run can approve it from another terminal at once.
     */
    @Test
    void aTicketAtItsGateNamesTheCommandsThatDecideIt() {
        try (ProgressView v = view(out, false, true, 2, "R1", () -> 1_000_000L, false)) {
            v.onEvent(new RunEvent.TicketAwaitingApproval("ship"), 1_000_000);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("? ship is waiting for approval: approve it with "
                    + "`swarm approve R1 ship`, or reject it with `swarm reject R1 ship --reason TEXT`");
        }
    }

    @Test
    void aRejectionIsAFailureWithWhoAndWhy() {
        try (ProgressView v = view(out, false, true, 1)) {
            v.onEvent(new RunEvent.TicketAwaitingApproval("gate"), 1_000_000);
            v.onEvent(new RunEvent.ApprovalRejected("gate", "ana@host", "not today"), 1_000_100);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("✗ gate FAILED: rejected by ana@host: not today");
    }

    /** The live header's counts: finished/total, then "✓ N  ✗ N  skipped N  running N" and "STATE N" for the rest; each must add up. */
    private static Map<String, Integer> counts(String header) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[[#-]*\\] (\\d+)/(\\d+)  ✓ (\\d+)  ✗ (\\d+)  skipped (\\d+)  running (\\d+)(.*)").matcher(header);
        assertThat(m.matches()).as(header).isTrue();
        Map<String, Integer> c = new java.util.LinkedHashMap<>(Map.of("done", Integer.parseInt(m.group(1)), "total", Integer.parseInt(m.group(2)),
                "succeeded", Integer.parseInt(m.group(3)), "failed", Integer.parseInt(m.group(4)), "skipped", Integer.parseInt(m.group(5)),
                "running", Integer.parseInt(m.group(6))));
        java.util.regex.Matcher rest = java.util.regex.Pattern.compile("  ([a-z-]+) (\\d+)").matcher(m.group(7));
        while (rest.find()) c.put(rest.group(1), Integer.parseInt(rest.group(2)));
        int sum = c.entrySet().stream().filter(e -> !e.getKey().equals("done") && !e.getKey().equals("total")).mapToInt(Map.Entry::getValue).sum();
        assertThat(sum).as("the counts of %s add up to the total", header).isEqualTo(c.get("total"));
        assertThat(c.get("done")).as(header).isEqualTo(c.get("succeeded") + c.get("failed") + c.get("skipped"));
        return c;
    }

    private static io.swarmflow.store.TicketView view(String id, io.swarmflow.store.TicketState state) {
        return new io.swarmflow.store.TicketView("r", id, 0, state, 0, 0, 0, null, null, Map.of(), null, 0, 0, 0);
    }

    /**
     * A resumed run's tickets waiting at a gate or for a retry are counted from the start; a ticket made ready by its
     * dependency does not take one off retry-wait; fail-fast skipping a ticket in retry-wait or at a gate moves it, not
     * counts it twice; cancelled and requeued tickets are counted too. After every event the counts add up to the total.
     */
    @Test
    void theLiveCountsAddUpToTheTotalThroughEveryTransition() {
        try (ProgressView v = view(out, false, false, 6)) {
            v.seed(List.of(view("gate", io.swarmflow.store.TicketState.AWAITING_APPROVAL), view("flaky", io.swarmflow.store.TicketState.RETRY_WAIT),
                    view("done", io.swarmflow.store.TicketState.SUCCEEDED), view("next", io.swarmflow.store.TicketState.PENDING),
                    view("late", io.swarmflow.store.TicketState.CANCELLED), view("other", io.swarmflow.store.TicketState.PENDING)));
            assertThat(counts(v.header())).containsEntry("awaiting-approval", 1).containsEntry("retry-wait", 1).containsEntry("succeeded", 1)
                    .containsEntry("cancelled", 1).containsEntry("pending", 2);
            long t = 1_000_000;
            v.onEvent(new RunEvent.TicketRequeued("late", "run resumed"), t);
            assertThat(counts(v.header())).doesNotContainKey("cancelled").containsEntry("pending", 3);
            v.onEvent(new RunEvent.TicketReady("next"), t); // ready for the first time: flaky still waits to retry
            assertThat(counts(v.header())).containsEntry("retry-wait", 1);
            v.onEvent(new RunEvent.AttemptStarted("next", 1, 15_000), t);
            v.onEvent(new RunEvent.AttemptFinished("next", 1, Outcome.FAILED, 1, null, Map.of()), t);
            v.onEvent(new RunEvent.TicketFailed("next", "exited with code 1"), t);
            for (String id : List.of("flaky", "gate", "late", "other")) v.onEvent(new RunEvent.TicketSkipped(id, "fail-fast: next failed"), t);
            Map<String, Integer> end = counts(v.header());
            assertThat(end).containsEntry("done", 6).containsEntry("skipped", 4).containsEntry("failed", 1).containsEntry("running", 0)
                    .doesNotContainKeys("retry-wait", "awaiting-approval", "ready", "pending");
            assertThat(v.header()).startsWith("[" + "#".repeat(30) + "] 6/6");
        }
    }

    @Test
    void aRetryAndAnApprovalMoveTheirTicketBetweenCounts() {
        try (ProgressView v = view(out, false, false, 3)) {
            long t = 1_000_000;
            v.onEvent(new RunEvent.TicketAwaitingApproval("gate"), t);
            v.onEvent(new RunEvent.AttemptStarted("flaky", 1, 15_000), t);
            v.onEvent(new RunEvent.AttemptFinished("flaky", 1, Outcome.FAILED, 1, null, Map.of()), t);
            v.onEvent(new RunEvent.TicketRetryScheduled("flaky", t + 1_000), t);
            assertThat(counts(v.header())).containsEntry("awaiting-approval", 1).containsEntry("retry-wait", 1).containsEntry("pending", 1)
                    .containsEntry("running", 0);
            v.onEvent(new RunEvent.ApprovalGranted("gate", "ana@host", 1), t);
            v.onEvent(new RunEvent.TicketReady("flaky"), t);
            assertThat(counts(v.header())).containsEntry("ready", 2).containsEntry("pending", 1).doesNotContainKeys("retry-wait", "awaiting-approval");
            v.onEvent(new RunEvent.AttemptStarted("gate", 1, 15_000), t);
            v.onEvent(new RunEvent.AttemptFinished("gate", 1, Outcome.CANCELLED, null, "cancelled", Map.of()), t);
            v.onEvent(new RunEvent.TicketCancelled("gate", "cancelled while running"), t);
            assertThat(counts(v.header())).containsEntry("cancelled", 1).containsEntry("ready", 1).containsEntry("pending", 1);
        }
    }

    /**
     * Ready tickets (dependencies met, waiting for a slot) are counted apart from pending ones (waiting for their
     * dependencies): "counts by state" shows how many could start now, not one sum of both.
     */
    @Test
    void readyTicketsAreCountedApartFromPendingOnes() {
        try (ProgressView v = view(out, false, false, 4)) {
            assertThat(v.header()).endsWith("running 0  pending 4");
            v.onEvent(new RunEvent.TicketReady("a"), 1_000_000);
            v.onEvent(new RunEvent.TicketReady("b"), 1_000_000);
            v.onEvent(new RunEvent.AttemptStarted("a", 1, 15_000), 1_000_000);
            assertThat(v.header()).endsWith("running 1  ready 1  pending 2");
            assertThat(counts(v.header())).containsEntry("running", 1).containsEntry("ready", 1).containsEntry("pending", 2);
            v.onEvent(new RunEvent.AttemptStarted("b", 1, 15_000), 1_000_000);
            assertThat(counts(v.header())).containsEntry("running", 2).containsEntry("pending", 2).doesNotContainKey("ready");
        }
    }

    /**
     * "flaky will retry in 14ms" with {@code backoff: {initial: 200ms}} surprised a reader: the delay is drawn from 0 to
     * the backoff ceiling (full jitter). The line says which retry it is and that ceiling, on a terminal and in plain mode,
     * counting the failures a resumed run had before (as the engine does: a lost attempt consumes no retry). A delay of
     * 0 (full jitter drew it, or there is no backoff) said "will retry in 0ms"; it says "will retry now", as resume does.
     */
    @Test
    void aRetryLineSaysWhichRetryItIsAndThatItsDelayIsFullJitterUnderTheCeiling() {
        var policy = new io.swarmflow.spec.RetryPolicy(3, 200, 1_000, 2.0);
        for (boolean live : new boolean[]{false, true}) {
            bytes.reset();
            try (ProgressView v = view(out, live, true, 3, "R1")) {
                v.retryPolicies(Map.of("flaky", policy, "again", policy));
                v.seed(List.of(new io.swarmflow.store.TicketView("R1", "again", 1, io.swarmflow.store.TicketState.READY, 3, 2, 0,
                        null, null, Map.of(), null, 0, 0, 0)));
                v.onEvent(new RunEvent.AttemptFinished("flaky", 1, Outcome.FAILED, 1, "exited with code 1", Map.of()), 1_000);
                v.onEvent(new RunEvent.TicketRetryScheduled("flaky", 1_014), 1_000);
                v.onEvent(new RunEvent.AttemptFinished("flaky", 2, Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()), 2_000);
                v.onEvent(new RunEvent.AttemptFinished("flaky", 3, Outcome.TIMED_OUT, null, "timed out after 1s", Map.of()), 3_000);
                v.onEvent(new RunEvent.TicketRetryScheduled("flaky", 3_300), 3_000);
                v.onEvent(new RunEvent.AttemptFinished("again", 4, Outcome.FAILED, 1, "exited with code 1", Map.of()), 4_000);
                v.onEvent(new RunEvent.TicketRetryScheduled("again", 4_700), 4_000);
                v.onEvent(new RunEvent.TicketRetryScheduled("other", 5_000), 5_000); // no policy known: the delay alone
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertThat(text).as("live %s", live).contains(
                    "flaky will retry in 14ms (retry 1 of 3; backoff with full jitter, up to 200ms)",
                    "flaky will retry in 300ms (retry 2 of 3; backoff with full jitter, up to 400ms)",
                    "again will retry in 700ms (retry 3 of 3; backoff with full jitter, up to 800ms)",
                    "other will retry now" + (live ? "" : "\n")).as("a delay of 0 is no \"in 0ms\"").doesNotContain("in 0ms");
        }
        bytes.reset();
        try (ProgressView v = view(out, false, true, 1)) {
            v.retryPolicies(Map.of("now", new io.swarmflow.spec.RetryPolicy(1, 0, 0, 1.0)));
            v.onEvent(new RunEvent.AttemptFinished("now", 1, Outcome.FAILED, 1, null, Map.of()), 1_000);
            v.onEvent(new RunEvent.TicketRetryScheduled("now", 1_000), 1_000);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("now will retry now (retry 1 of 1; no backoff)\n");
    }
    /**
     * A run resumed with a ticket waiting to retry (its recorded time maybe a minute away) says so at once, as when the wait
     * began, instead of nothing until the retry starts; one whose time passed while the run was stopped "will retry now"
     * (not "in 0ms"); and "run resumed" says it without the store's word (epoch).
     */
    @Test
    void aResumedRunSaysWhenItsTicketsWaitingToRetryWillRetry() {
        long t = 1_000_000;
        try (ProgressView v = view(out, false, true, 3, "R1")) {
            v.retryPolicies(Map.of("flaky", new io.swarmflow.spec.RetryPolicy(3, 60_000, 60_000, 2.0)));
            v.seed(List.of(new io.swarmflow.store.TicketView("R1", "flaky", 0, io.swarmflow.store.TicketState.RETRY_WAIT, 1, 1, 0,
                            1, "exited with code 1", Map.of(), null, t - 30_000, 0, t + 38_400),
                    new io.swarmflow.store.TicketView("R1", "late", 1, io.swarmflow.store.TicketState.RETRY_WAIT, 1, 1, 0,
                            1, "exited with code 1", Map.of(), null, t - 90_000, 0, t - 10_000),
                    view("done", io.swarmflow.store.TicketState.SUCCEEDED)));
            v.onEvent(new RunEvent.RunStarted(2, "host:1@1", true), t);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("run resumed\n", "flaky will retry in 38.4s (retry 1 of 3; backoff with full jitter, up to ",
                "late will retry now\n").doesNotContain("epoch", "late will retry in");
        assertThat(text.indexOf("run resumed")).as(text).isLessThan(text.indexOf("flaky will retry"));
    }

    /**
     * Review B F5: on an 8-row pane the 10-line block (header, 8 tickets, "… and 4 more") was redrawn 10 times a second,
     * its top lines scrolled into the history each time. The block is now at most rows - 1 lines, the header kept.
     */
    @Test
    void theLiveBlockFitsTheTerminalsHeight() {
        try (ProgressView v = view(out, true, true, 12, "R1", () -> 0L, false)) {
            v.terminalRows(() -> 8);
            for (int i = 1; i <= 12; i++) v.onEvent(new RunEvent.AttemptStarted("t" + i, 1, 15_000), 0L);

            List<String> block = v.block();
            assertThat(block).hasSize(7);
            assertThat(block.getFirst()).startsWith("[").contains("running 12");
            assertThat(block.getLast()).isEqualTo("  … and 7 more");

            assertThat(v.block(0)).as("height unknown: as before").hasSize(10).last().isEqualTo("  … and 4 more");
            assertThat(v.block(50)).hasSize(10);
            assertThat(v.block(3)).hasSize(2).last().isEqualTo("  … and 12 more");
            assertThat(v.block(2)).as("the header alone").hasSize(1);
            assertThat(v.block(1)).hasSize(1);
        }
        try (ProgressView v = view(out, true, true, 3, "R1", () -> 0L, false)) {
            for (int i = 1; i <= 3; i++) v.onEvent(new RunEvent.AttemptStarted("t" + i, 1, 15_000), 0L);
            assertThat(v.block(5)).as("all fit in 4 lines: no more line").hasSize(4);
            assertThat(v.block(4)).hasSize(3).last().isEqualTo("  … and 2 more");
        }
    }

    /**
     * The terminal's height is read on the view's own thread, never under the lock a frame is drawn with: a hung
     * {@code stty} (or a stopped one) left the drawing, and close at the end of the run, waiting for it, the lock held.
     * The last height known stays in use meanwhile (here none: the block is uncapped).
     */
    @Test
    void aHungTerminalSizeReadBlocksNeitherTheDrawingNorTheEventsNorClose() {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.function.IntSupplier hung = () -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 5;
        };
        try {
            ProgressView v = new ProgressView(out, true, true, 12, "R1", () -> 0L, () -> 0L, false, hung);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> entered.getCount() == 0);
            java.util.concurrent.CompletableFuture<List<String>> drawn = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                for (int i = 1; i <= 12; i++) v.onEvent(new RunEvent.AttemptStarted("t" + i, 1, 15_000), 0L);
                List<String> block = v.block();
                v.close();
                return block;
            });
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(drawn::isDone);
            assertThat(drawn.join()).as("the height unknown yet: uncapped").hasSize(10);
        } finally {
            release.countDown();
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).as("close drew the last frame").contains("running 12");
    }

    /**
     * Review D3 F2: one read of the terminal's height that got no answer (a slow {@code stty}, 0) replaced the height
     * known with 0, so the block went uncapped and scrolled stale lines into the history; the last height known stays.
     */
    @Test
    void aReadWithoutAnAnswerKeepsTheLastHeightKnown() {
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.IntSupplier firstThenNothing = () -> reads.getAndIncrement() == 0 ? 8 : 0;
        try (ProgressView v = new ProgressView(out, true, true, 12, "R1", () -> 0L, () -> 0L, false, firstThenNothing)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> reads.get() >= 3);
            for (int i = 1; i <= 12; i++) v.onEvent(new RunEvent.AttemptStarted("t" + i, 1, 15_000), 0L);
            assertThat(v.block()).as("capped at 8 rows: 7 lines").hasSize(7);
        }
    }
}
