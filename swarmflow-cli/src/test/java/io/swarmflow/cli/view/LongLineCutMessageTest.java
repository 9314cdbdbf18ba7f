package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plain view's cut marker states a line's length only when it has the whole line: the output pump hands it at most
 * 64 KiB of a longer one (a 1 MiB line arrives as its first 65536 bytes), so that length is not the line's.
 */
class LongLineCutMessageTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private List<String> printedFor(String line) {
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogLine("big", 1, "stdout", line);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** What the pump hands on of a 1 MiB line: its first 65536 bytes; the marker does not call that the line's length. */
    @Test
    void aLineThePumpCutIsNotSaidToBeAsLongAsWhatReachedTheView() {
        List<String> printed = printedFor("x".repeat(64 * 1024));
        assertThat(printed).hasSize(1);
        assertThat(printed.getFirst()).endsWith("big | " + "x".repeat(ProgressView.MAX_PLAIN_LINE) + "… [line cut at 4000 "
                + "characters of a line of at least 64 KiB; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
        assertThat(printed.getFirst()).doesNotContain("65536");
    }

    /** Multi-byte characters count in bytes, as the pump cuts: 21846 three-byte characters are 65538 bytes. */
    @Test
    void multiByteCharactersCountInBytesAsThePumpCuts() {
        assertThat(marker("€".repeat(21_846))).isEqualTo("[line cut at 4000 characters of a line of at least 64 KiB; "
                + "the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
        assertThat(marker("€".repeat(21_845))).startsWith("[line cut at 4000 of 21845 characters;"); // 65535 bytes: whole
        assertThat(marker("\uD83D\uDE00".repeat(16_383) + "xxx")).startsWith("[line cut at 4000 of 32769 characters;");
        assertThat(marker("\uD83D\uDE00".repeat(16_384))).startsWith("[line cut at 4000 characters of a line of at least 64 KiB;");
    }

    /** The bracketed marker the view printed after {@code line}, cut. */
    private String marker(String line) {
        bytes.reset();
        String printed = printedFor(line).getFirst();
        return printed.substring(printed.lastIndexOf("… [") + 2);
    }

    /** A line shorter than the pump's cut reached the view whole: its length is said, as before. */
    @Test
    void aWholeLineStillHasItsLength() {
        List<String> printed = printedFor("y".repeat(5_000));
        assertThat(printed.getFirst()).endsWith("… [line cut at 4000 of 5000 characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
    }

    /**
     * The ticket's log-size cap fell inside a line: the log file has only the part the view got, so the marker does not
     * send the reader to {@code swarm logs} for the whole line; the lines before the cap, and the other stream's, it does.
     */
    @Test
    void aLineTheLogCapCutIsNotSaidToBeWholeInTheLogFile() {
        List<String> printed;
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogLine("big", 1, "stdout", "a".repeat(4_500), false, false);
            v.onLogCapped("big", 1, "stdout");
            v.onLogLine("big", 1, "stdout", "b".repeat(5_000), false, false);
            v.onLogLine("big", 1, "stdout", "[swarm: output truncated after 10000 bytes]", false, false);
            v.onLogLine("big", 1, "stderr", "c".repeat(4_500), false, false);
        }
        printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed).hasSize(4);
        assertThat(printed.get(0)).endsWith("… [line cut at 4000 of 4500 characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
        assertThat(printed.get(1)).endsWith("big | " + "b".repeat(4_000) + "… [line cut at 4000 of the 5000 characters the "
                + "ticket's log-size cap kept of it; the attempt's log file has those, not the rest, unless swarm says it cannot write that file: swarm logs]");
        assertThat(printed.get(2)).endsWith("big | [swarm: output truncated after 10000 bytes]");
        assertThat(printed.get(3)).endsWith("… [line cut at 4000 of 4500 characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
    }

    /** A part the log cap kept that the pump cut too (64 KiB of it reached the view) is not given a length either. */
    @Test
    void aLongLineTheLogCapCutIsNotGivenALength() {
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogCapped("big", 2, "stderr");
            v.onLogLine("big", 2, "stderr", "x".repeat(64 * 1024), false, false);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
                .endsWith("… [line cut at 4000 characters of the at least 64 KiB the ticket's log-size cap kept of it; "
                        + "the attempt's log file has those, not the rest, unless swarm says it cannot write that file: swarm logs]");
    }

    /**
     * A progress bar's state the log cap cut is the held line's state: the state printed says so, the one before it (drawn
     * over) is not printed; the cap told of another attempt leaves this one's lines whole.
     */
    @Test
    void aBarStateTheLogCapCutIsSaidToBeCut() {
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogCapped("big", 1, "stdout");
            v.onLogLine("big", 2, "stdout", "p".repeat(4_500), false, true);
            v.onLogCapped("big", 2, "stdout");
            v.onLogLine("big", 2, "stdout", "q".repeat(4_600), true, false);
            v.onLogLine("big", 2, "stderr", "r".repeat(4_700), false, false);
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed).hasSize(2);
        assertThat(printed.get(0)).contains("big | qqq").endsWith("… [line cut at 4000 of the 4600 characters the ticket's "
                + "log-size cap kept of it; the attempt's log file has those, not the rest, unless swarm says it cannot write that file: swarm logs]");
        assertThat(printed.get(1)).contains("big | rrr").endsWith("of 4700 characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
    }

    /**
     * A cap no line followed before its attempt ended (its line was not shown live) is forgotten with the attempt: a
     * later line of that attempt and stream (a relaunch under the same attempt number) is not said to be what the cap
     * kept.
     */
    @Test
    void aCapNoLineFollowedIsForgottenWhenItsAttemptEnds() {
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogCapped("big", 1, "stdout");
            v.onEvent(new io.swarmflow.store.RunEvent.AttemptFinished("big", 1, io.swarmflow.store.Outcome.FAILED, 9,
                    "exited with code 9", java.util.Map.of()), System.currentTimeMillis());
            v.onLogLine("big", 1, "stdout", "b".repeat(5_000), false, false);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("big | bbb")).toList()).singleElement()
                .asString().endsWith("… [line cut at 4000 of 5000 characters; the attempt's log file has it whole, unless swarm says it cannot write that file: swarm logs]");
    }

    /**
     * The output pump could not write the attempt's log file (a full disk): it says so in a line of its own and writes no
     * more, and the view is not told otherwise, so the marker of a long line after it must not say the log file has the
     * line, nor the part the cap kept, without saying "unless" that line came.
     */
    @Test
    void aCutLineIsNotSaidToBeInALogFileThatCouldNotBeWritten() {
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, true, 1)) {
            v.onLogLine("big", 1, "stdout", "[swarm: cannot write the log file /state/runs/r/logs/big/1/stdout.log: "
                    + "No space left on device]", false, false);
            v.onLogLine("big", 1, "stdout", "d".repeat(5_000), false, false);
            v.onLogCapped("big", 1, "stdout");
            v.onLogLine("big", 1, "stdout", "e".repeat(5_000), false, false);
        }
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(printed).hasSize(3);
        assertThat(printed.get(1)).contains("big | ddd").endsWith("… [line cut at 4000 of 5000 characters; the attempt's log "
                + "file has it whole, unless swarm says it cannot write that file: swarm logs]");
        assertThat(printed.get(2)).contains("big | eee").endsWith("the attempt's log file has those, not the rest, unless swarm "
                + "says it cannot write that file: swarm logs]");
    }
}
