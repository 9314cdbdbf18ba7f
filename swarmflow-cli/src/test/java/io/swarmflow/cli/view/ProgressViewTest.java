package io.swarmflow.cli.view;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressViewTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

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
        try (ProgressView v = new ProgressView(out, false, true, 3)) {
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
    void plainModeCutsAVeryLongOutputLineAndSaysWhereTheWholeOneIs() {
        String emoji = "\uD83D\uDE00";
        String line = "x".repeat(ProgressView.MAX_PLAIN_LINE - 1) + emoji + "y".repeat(70_000);
        try (ProgressView v = new ProgressView(out, false, true, 1)) {
            v.onLogLine("big", 1, "stdout", line);
            v.onLogLine("big", 1, "stdout", "z".repeat(ProgressView.MAX_PLAIN_LINE));
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).endsWith("big | " + "x".repeat(ProgressView.MAX_PLAIN_LINE - 1) + "… [line cut at 4000 of "
                + line.length() + " characters; the attempt's log file has it whole: swarm logs]"); // not half an emoji
        assertThat(printed.get(1)).endsWith("big | " + "z".repeat(ProgressView.MAX_PLAIN_LINE));
    }

    /** Events stamped at their commit and log lines stamped on arrival come out of order; printed times never go back. */
    @Test
    void plainTimestampsNeverGoBackwards() {
        long now = System.currentTimeMillis();
        try (ProgressView v = new ProgressView(out, false, true, 3)) {
            v.onEvent(new RunEvent.AttemptStarted("a", 1, 15_000), now + 60_000); // a stamp in the future
            v.onLogLine("a", 1, "stdout", "output");
            v.onEvent(new RunEvent.TicketSucceeded("a", 1), now - 60_000); // and one in the past
        }
        List<String> times = bytes.toString(StandardCharsets.UTF_8).lines().map(l -> l.substring(0, 12)).toList();
        assertThat(times).hasSize(3).isSorted();
    }

    @Test
    void liveModeDrawsAProgressBarCountsAndRunningTicketsWithTheirLastLine() {
        try (ProgressView v = new ProgressView(out, true, true, 3)) {
            feed(v);
        } // close() draws the final frame
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("[####################----------] 2/3", "✓ 0  ✗ 1  - 1  running 1");
        assertThat(text).containsPattern("  build +\\S+  compiling module 7");
        assertThat(text).contains("✗ lint FAILED: exited with code 2");
        assertThat(text).doesNotContain("build | compiling"); // output lines are not scrolled in live mode
    }

    @Test
    void controlCharactersFromTicketsAreShownNotObeyed() {
        try (ProgressView v = new ProgressView(out, false, true, 2)) {
            v.onEvent(new RunEvent.AttemptStarted("evil", 1, 15_000), 1_000_000);
            v.onLogLine("evil", 1, "stdout", "\033]0;PWNED\007\033[2Jcleared\0\r\tx\u009b31m\u007f");
            v.onEvent(new RunEvent.AttemptFinished("evil", 1, Outcome.FAILED, 1, "exited with code 1: \033[31mred", Map.of()), 1_000_500);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("evil | ^[]0;PWNED^G^[[2Jcleared^@^M x\\x9b31m^?", "exited with code 1: ^[[31mred");
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
    }

    @Test
    void liveModeShowsTheLastLineWithoutItsControlCharacters() {
        try (ProgressView v = new ProgressView(out, true, true, 1)) {
            v.onEvent(new RunEvent.AttemptStarted("evil", 1, 15_000), 1_000_000);
            v.onLogLine("evil", 1, "stdout", "\033]0;PWNED\007title");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("^[]0;PWNED^Gtitle").doesNotContain("\033]0;");
    }

    /**
     * Each frame moves up as many lines as the previous one drew; a running line wider than the terminal (a long
     * id, a long last line) would wrap into two rows and leave stale frames on screen, so the block is drawn with
     * autowrap off (DECAWM) and autowrap is on again after it, and after the last frame.
     */
    @Test
    void liveBlockLinesNeverWrapAndAutowrapIsRestored() {
        try (ProgressView v = new ProgressView(out, true, true, 2)) {
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

    @Test
    void aRejectionIsAFailureWithWhoAndWhy() {
        try (ProgressView v = new ProgressView(out, false, true, 1)) {
            v.onEvent(new RunEvent.TicketAwaitingApproval("gate"), 1_000_000);
            v.onEvent(new RunEvent.ApprovalRejected("gate", "ana@host", "not today"), 1_000_100);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("✗ gate FAILED: rejected by ana@host: not today");
    }
}
