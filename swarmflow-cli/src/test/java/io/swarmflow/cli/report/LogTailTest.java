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

    @Test
    void missingFileGivesNoLines() {
        assertThat(LogTail.read(dir.resolve("absent.log"), 20).isEmpty()).isTrue();
    }

    @Test
    void removesAnsiColorsAndReplacesOtherControlCharacters() {
        assertThat(LogTail.clean("\u001B[31merror\u001B[0m: bad\u0007 value\tok")).isEqualTo("error: bad\uFFFD value\tok");
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
    }

    @Test
    void cutsRunawayLines() {
        assertThat(LogTail.clean("x".repeat(10_000))).hasSize(LogTail.MAX_LINE_CHARS + 2).endsWith(" …");
    }
}
