package io.swarmflow.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LogTailTest {
    @TempDir Path dir;

    @Test
    void readsTheLastLinesOfAFileLargerThanTheReadWindow() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 100_000; i++) sb.append("line ").append(i).append('\n');
        Path file = dir.resolve("big.log");
        Files.writeString(file, sb);
        assertThat(Files.size(file)).isGreaterThan(LogTail.MAX_BYTES);

        LogTail tail = LogTail.read(file, 3);

        assertThat(tail.lines()).containsExactly("line 99998", "line 99999", "line 100000");
        assertThat(tail.truncated()).isTrue();
    }

    @Test
    void shortFileWithoutFinalNewlineIsReadWhole() throws IOException {
        Path file = dir.resolve("short.log");
        Files.writeString(file, "one\r\ntwo");

        LogTail tail = LogTail.read(file, 20);

        assertThat(tail.lines()).containsExactly("one", "two");
        assertThat(tail.truncated()).isFalse();
    }

    /**
     * A lone CR (a progress bar's {@code 10%\r20%\r}) overwrites its line: the tail keeps its last state, as the plain
     * view shows a bar, so each bar counts as one line (CRs in a row, before an LF or at a line's start change nothing
     * more); before, each state was a line of its own.
     */
    @Test
    void aLineOverwrittenByLoneCarriageReturnsKeepsItsLastState() throws IOException {
        Path file = dir.resolve("bar.log");
        Files.writeString(file, "start\n10%\r20%\r\r30%\r\ndone\n\rnext\n\r\nlast\n");

        LogTail tail = LogTail.read(file, 20);

        assertThat(tail.lines()).containsExactly("start", "30%", "done", "next", "", "last");
        assertThat(LogTail.read(file, 2).lines()).containsExactly("", "last");
    }

    /** Review B F4: a 100-state bar after the error pushed the error out of the 20-line tail. */
    @Test
    void aProgressBarDoesNotPushTheErrorOutOfTheTail() throws IOException {
        Path file = dir.resolve("upload.log");
        StringBuilder log = new StringBuilder("error: checksum mismatch for artifact.tar\n");
        for (int i = 1; i <= 100; i++) log.append("uploading diagnostics ").append(i).append("%\r");
        Files.writeString(file, log.append('\n'));

        LogTail tail = LogTail.read(file, 20);

        assertThat(tail.lines()).containsExactly("error: checksum mismatch for artifact.tar", "uploading diagnostics 100%");
        assertThat(tail.truncated()).isFalse();
        // a bar still drawn when the attempt ended (no LF yet) shows its last state too
        Files.writeString(file, "error\n50%\r60%\r");
        assertThat(LogTail.read(file, 20).lines()).containsExactly("error", "60%");
    }

    @Test
    void missingFileGivesNoLines() {
        assertThat(LogTail.read(dir.resolve("absent.log"), 20).isEmpty()).isTrue();
    }

    @Test
    void removesAnsiColorsAndReplacesOtherControlCharacters() {
        assertThat(LogTail.clean("\u001B[31merror\u001B[0m: bad\u0007 value\tok")).isEqualTo("error: bad\uFFFD value\tok");
    }

    /** The C1 forms of CSI and OSC go like their ESC forms; any other C1 control becomes U+FFFD, as docs/report.md says. */
    @Test
    void removesC1SequencesAndReplacesOtherC1Controls() {
        assertThat(LogTail.clean("\u009B31merror\u009B0m: bad")).isEqualTo("error: bad");
        assertThat(LogTail.clean("red \u009D0;title\u009C done \u001B]0;t\u009C!")).isEqualTo("red  done !");
        assertThat(LogTail.clean("a\u0085b\u009Fc\u0080d")).isEqualTo("a\uFFFDb\uFFFDc\uFFFDd");
        assertThat(LogTail.clean("ok \u009D0;unended")).as("a lone OSC takes nothing with it").isEqualTo("ok \uFFFD0;unended");
    }

    @Test
    void aCutLineKeepsAnEmojiWholeOrDropsIt() {
        String cut = LogTail.clean("x".repeat(LogTail.MAX_LINE_CHARS - 1) + "\uD83D\uDD25 more");
        assertThat(cut).isEqualTo("x".repeat(LogTail.MAX_LINE_CHARS - 1) + " …");
    }

    /** A window title or a hyperlink (OSC ... BEL or ST) goes entirely, not just its ESC ]. */
    @Test
    void removesOscStrings() {
        assertThat(LogTail.clean("red \u001B]0;title\u0007 done")).isEqualTo("red  done");
        assertThat(LogTail.clean("\u001B]8;;http://x\u001B\\link\u001B]8;;\u001B\\ end")).isEqualTo("link end");
        // an OSC string not ended on its line takes nothing with it (the review's `ok ESC]0;the real error` showed `ok `)
        assertThat(LogTail.clean("ok \u001B]0;the real error")).isEqualTo("ok 0;the real error");
    }

    @Test
    void cutsRunawayLines() {
        assertThat(LogTail.clean("x".repeat(10_000))).hasSize(LogTail.MAX_LINE_CHARS + 2).endsWith(" …");
    }
}
