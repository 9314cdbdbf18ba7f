package io.swarmflow.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OutputPump} hands its listeners: for the live view and the failure's reason a line ends at an LF or a lone
 * CR (a progress bar), for the every-line listener (JSON outputs) at an LF alone; the log file keeps the bytes.
 */
class OutputPumpTest {
    @TempDir
    Path tmp;

    /**
     * The lines each listener got (in {@code told}, each with a {@code +} before it when it was told it continues the
     * terminal line of the one before), what the listener had got when each read began, and the pump's last line.
     */
    private static final class Seen {
        final List<String> lines = new ArrayList<>();
        final List<String> told = new ArrayList<>();
        /** Each line with a {@code ~} after it when it was told the next line may continue it. */
        final List<String> ends = new ArrayList<>();
        final List<String> everyLine = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        final List<List<String>> beforeRead = new ArrayList<>();
        /** The lines, and where the listener was told the log cap was reached ({@code <capped STREAM>}), in order. */
        final List<String> withCap = new ArrayList<>();
        String lastLine;
    }

    /** A stream that hands out one of {@code reads} per read, as a pipe does for each write of the process. */
    private static InputStream reads(Seen seen, String... reads) {
        Deque<byte[]> left = new ArrayDeque<>();
        for (String r : reads) left.add(r.getBytes(StandardCharsets.UTF_8));
        return new InputStream() {
            @Override
            public int read() {
                throw new UnsupportedOperationException("the pump reads into a buffer");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                seen.beforeRead.add(List.copyOf(seen.lines));
                byte[] next = left.peek();
                if (next == null) return -1;
                if (next.length > len) throw new IllegalArgumentException("a read of " + next.length + " bytes, more than the pump's buffer");
                System.arraycopy(next, 0, b, off, next.length);
                left.poll();
                return next.length;
            }
        };
    }

    private static Seen pump(Path file, long cap, boolean everyLine, String... reads) {
        Seen seen = new Seen();
        LineListener every = !everyLine ? null : new LineListener() {
            @Override
            public void line(String stream, String line) {
                seen.everyLine.add(line);
            }

            @Override
            public void skipped(String stream, String start) {
                seen.skipped.add(start);
            }
        };
        LineListener listener = new LineListener() {
            @Override
            public void line(String stream, String line) {
                throw new AssertionError("the pump tells each line whether it continues the one before: " + line);
            }

            @Override
            public void line(String stream, String line, boolean afterLoneCr) {
                throw new AssertionError("the pump tells each line whether the next may continue it: " + line);
            }

            @Override
            public void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                seen.lines.add(line);
                seen.told.add((afterLoneCr ? "+" : "") + line);
                seen.ends.add(line + (mayBeContinued ? "~" : ""));
                seen.withCap.add(line);
            }

            @Override
            public void logCapped(String stream) {
                seen.withCap.add("<capped " + stream + ">");
            }
        };
        OutputPump p = new OutputPump(reads(seen, reads), file, cap, "stderr", listener, every, true);
        p.run();
        seen.lastLine = p.lastLine();
        return seen;
    }

    private static Seen pump(String... reads) {
        return pump(null, 0, false, reads);
    }

    @Test
    void aLoneCrEndsALine() {
        Seen seen = pump("\r 10%\r 20%\r 30%\n", "done\n");
        assertThat(seen.lines).containsExactly(" 10%", " 20%", " 30%", "done");
    }

    @Test
    void crLfIsOneLineEndAndAnEmptyLineEndedByLfOrCrLfIsPassedOn() {
        assertThat(pump("a\r\nb\r\n\r\n\nc\n").lines).containsExactly("a", "b", "", "", "c");
    }

    @Test
    void crsInARowEndOneLineAndTheEmptyPartsBetweenThemAreNotPassedOn() {
        assertThat(pump("\r\ra\r\r\rb\r\r\nc\r\r\r\r").lines).containsExactly("a", "b", "c");
    }

    @Test
    void aCrAtTheEndOfAReadThenAnLfInTheNextIsOneLineEnd() {
        Seen seen = pump("a\r", "\nb\r", "\r", "\n", "\r", "\nc\n");
        // the LF after "b\r\r" ends nothing more; "\r\n" alone is an empty line, as it was before CRs ended lines
        assertThat(seen.lines).containsExactly("a", "b", "", "c");
    }

    /** The line a CR ends is passed on at once, not when the next read shows whether an LF follows. */
    @Test
    void aLineEndedByACrAtTheEndOfAReadIsPassedOnBeforeTheNextRead() {
        Seen seen = pump(" 10%\r", " 20%\r", "100%\r\n");
        assertThat(seen.beforeRead.get(1)).containsExactly(" 10%");
        assertThat(seen.beforeRead.get(2)).containsExactly(" 10%", " 20%");
        assertThat(seen.lines).containsExactly(" 10%", " 20%", "100%");
    }

    @Test
    void aCrAtTheEndOfTheStreamEndsTheLastLine() {
        Seen seen = pump("\r 50%", "\r100%\r");
        assertThat(seen.lines).containsExactly(" 50%", "100%");
        assertThat(seen.lastLine).isEqualTo("100%");
        assertThat(pump("\r 50%", "\r100%").lines).as("nor is a last line without any end lost").containsExactly(" 50%", "100%");
    }

    @Test
    void aStreamOfLineEndsOnlyPassesOnTheLinesLfEnds() {
        assertThat(pump("\r", "\r\r").lines).isEmpty();
        assertThat(pump("\r\n", "\r").lines).containsExactly("");
        assertThat(pump().lines).isEmpty();
    }

    /** The failure's reason ends with the last line that is not blank, after a lone CR too: not a smear of bar states. */
    @Test
    void theLastLineIsTheLastNonBlankPart() {
        assertThat(pump("compiling\n\r 10%\r 20%", "\rerror: boom\n").lastLine).isEqualTo("error: boom");
        assertThat(pump("error: boom\r   \r\n\r\r").lastLine).isEqualTo("error: boom");
        assertThat(pump("\r \r\n").lastLine).isNull();
    }

    @Test
    void aLineWithoutAnyEndIsCutAtTheLineCap() {
        String longer = "x".repeat(OutputPump.MAX_LINE_BYTES + 10_000);
        List<String> reads = new ArrayList<>();
        for (int i = 0; i < longer.length(); i += 8192) reads.add(longer.substring(i, Math.min(longer.length(), i + 8192)));
        reads.add("\rdone\r");
        Seen seen = pump(reads.toArray(String[]::new));
        assertThat(seen.lines).hasSize(2);
        assertThat(seen.lines.get(0)).isEqualTo("x".repeat(OutputPump.MAX_LINE_BYTES));
        assertThat(seen.lines.get(1)).isEqualTo("done");
        assertThat(seen.lastLine).isEqualTo("done");

        // with an every-line listener (which takes up to 1 MiB) the listener's cap is the same
        Seen observed = pump(null, 0, true, reads.toArray(String[]::new));
        assertThat(observed.lines).containsExactly("x".repeat(OutputPump.MAX_LINE_BYTES), "done");
        assertThat(observed.everyLine).containsExactly(longer + "\rdone");
    }

    /** JSON outputs are read from LF-ended lines: a CR inside one does not split it. */
    @Test
    void theEveryLineListenerStillGetsLinesEndedByLfAlone() {
        Seen seen = pump(null, 0, true, "{\"a\":1}\r{\"b\":", "2}\r", "\n\r 10%\r 20%\n{\"c\":3}");
        assertThat(seen.everyLine).containsExactly("{\"a\":1}\r{\"b\":2}", "\r 10%\r 20%", "{\"c\":3}");
        assertThat(seen.lines).containsExactly("{\"a\":1}", "{\"b\":2}", " 10%", " 20%", "{\"c\":3}");
    }

    @Test
    void theLogFileKeepsTheBytesAsWritten() throws IOException {
        Path log = tmp.resolve("stderr.log");
        pump(log, 0, false, "\r 10%\r", "\r\n\r\n", "x\r");
        assertThat(Files.readString(log)).isEqualTo("\r 10%\r\r\n\r\nx\r");
    }

    /**
     * At the log cap the listener gets the part of the line the log kept, then the marker, and nothing more; the last line
     * is the stream's, split at CRs too.
     */
    @Test
    void atTheLogCapTheListenerGetsTheCutLineAndTheLastLineIsStillTheStreams() throws IOException {
        Path log = tmp.resolve("stderr.log");
        Seen seen = pump(log, 6, false, "abc\rdefgh\rij\r\rfailed\r\n");
        assertThat(seen.lines).containsExactly("abc", "de", OutputPump.marker(6, true));
        assertThat(seen.lastLine).isEqualTo("failed");
        assertThat(Files.readString(log)).isEqualTo("abc\rde\n" + OutputPump.marker(6, true) + "\n");
    }

    /**
     * The listener is told the log cap was reached before the part of the line the cap kept, so that a view can say the
     * log file does not have that line whole; once per stream, and also when the cap falls at a line's end.
     */
    @Test
    void theListenerIsToldTheLogCapWasReachedBeforeTheCutLine() throws IOException {
        Path log = tmp.resolve("stderr.log");
        assertThat(pump(log, 6, false, "abc\rdefgh\rij\r\rfailed\r\n").withCap)
                .containsExactly("abc", "<capped stderr>", "de", OutputPump.marker(6, true));
        assertThat(pump(log, 4, false, "abc\n", "def\n", "ghi\n").withCap).as("the cap at a line's end: no line was cut")
                .containsExactly("abc", OutputPump.marker(4));
        assertThat(pump(log, 100, false, "abc\n", "def\n").withCap).as("under the cap").containsExactly("abc", "def");
        assertThat(pump(log, 0, false, "abc\n", "def\n").withCap).as("no cap").containsExactly("abc", "def");
    }

    /** A line the log cap cuts is still the last line whole: a failure's reason is not the fragment after the cut. */
    @Test
    void aLineTheLogCapCutsIsTheLastLineWhole() throws IOException {
        Path log = tmp.resolve("stderr.log");
        Seen seen = pump(log, 10, false, "error: boom\n");
        assertThat(seen.lines).containsExactly("error: boo", OutputPump.marker(10, true));
        assertThat(seen.lastLine).isEqualTo("error: boom");
        assertThat(pump(log, 10, false, "error: bo", "om\n").lastLine).as("cut in the next read").isEqualTo("error: boom");
    }

    /**
     * Each line is told whether it is drawn over the one before, on the same line of the terminal: that one was ended by
     * CRs no LF followed. LF and CR LF end a terminal line, one CR or several do not; the last line of the stream and the
     * part the log cap keeps are told by the line before them, the log cap's marker never continues one.
     */
    @Test
    void eachLineIsToldWhetherItContinuesTheTerminalLineOfTheLineBefore() throws IOException {
        assertThat(pump("a\nb\n").told).as("LF").containsExactly("a", "b");
        assertThat(pump("a\r\nb\r\n\r\nc").told).as("CR LF").containsExactly("a", "b", "", "c");
        assertThat(pump("\r 10%\r 20%\r 30%\ndone\n").told).as("CR").containsExactly(" 10%", "+ 20%", "+ 30%", "done");
        assertThat(pump("a\r\rb\r\r\r\nc\n").told).as("CR CR").containsExactly("a", "+b", "c");
        assertThat(pump("a\n \r\r10%\r\n").told).as("a blank state").containsExactly("a", " ", "+10%");
        assertThat(pump("a\rb", "\rc").told).as("at the end of the stream").containsExactly("a", "+b", "+c");
        assertThat(pump("a\rb\n", "c").told).as("at the end of the stream, after LF").containsExactly("a", "+b", "c");

        Path log = tmp.resolve("stderr.log");
        assertThat(pump(log, 8, false, "abc\nde\rfgh\rij\n").told).as("at the log cap")
                .containsExactly("abc", "de", "+f", OutputPump.marker(8, true));
        assertThat(pump(log, 7, false, "abc\nde\rfgh\rij\n").told).as("at the log cap, after a CR")
                .containsExactly("abc", "de", OutputPump.marker(7));
    }

    /**
     * A CR at the end of a read ends its line at once, before the next read shows whether an LF follows; the line after
     * it is told whether one did, so a CR LF split across reads is one end of a terminal line as it is in one read.
     */
    @Test
    void aCrAtTheEndOfAReadThenAnLfInTheNextEndsTheTerminalLine() {
        Seen crLf = pump("a\r", "\nb\r", "\r", "\n", "c\r", "d\n");
        assertThat(crLf.beforeRead.get(1)).as("a passed on before the next read").containsExactly("a");
        assertThat(crLf.told).containsExactly("a", "b", "c", "+d");
        assertThat(pump("a\r", "b\r", "\r", "c").told).containsExactly("a", "+b", "+c");
    }

    /**
     * Each line is told whether the next one may continue it: a line ended by LF (or CR LF, CRs and an LF) cannot be, so
     * plain output need not hold it; one ended by CRs may, and so may one whose CRs end a read (the LF, if any, is in the
     * next). The last line of the stream, the part of a line the log cap kept and the marker cannot.
     */
    @Test
    void eachLineIsToldWhetherTheNextMayContinueIt() throws IOException {
        assertThat(pump("a\nb\r\nc\rd\r\r\ne\r\r\rf").ends).as("in one read")
                .containsExactly("a", "b", "c~", "d", "e~", "f");
        assertThat(pump("a\r", "\nb\r\r", "\r\n", "c\r", "d").ends).as("CRs at the end of a read")
                .containsExactly("a~", "b~", "c~", "d");
        assertThat(pump("a\n", "b").ends).as("LF at the end of a read").containsExactly("a", "b");
        Path log = tmp.resolve("stderr.log");
        assertThat(pump(log, 8, false, "abc\nde\rfgh\rij\n").ends).as("at the log cap")
                .containsExactly("abc", "de~", "f", OutputPump.marker(8, true));
    }

    /** However the pipe splits the stream into reads, the lines are those of a reference split of the whole text. */
    @Property(tries = 500)
    void theLinesDoNotDependOnHowTheReadsSplitTheStream(
            @ForAll @StringLength(max = 40) @Chars({'\r', '\n', 'a'}) @CharRange(from = 'b', to = 'c') String text,
            @ForAll @IntRange(min = 1, max = 7) int chunk) {
        List<String> reads = new ArrayList<>();
        for (int i = 0; i < text.length(); i += chunk) reads.add(text.substring(i, Math.min(text.length(), i + chunk)));
        Seen seen = pump(reads.toArray(String[]::new));
        String shown = text.replace("\r", "\\r").replace("\n", "\\n");
        assertThat(seen.told).as("%s in reads of %d", shown, chunk).isEqualTo(reference(text));
        // a line told the next cannot continue it is not continued, however the reads split the stream
        for (int i = 0; i + 1 < seen.ends.size(); i++) {
            if (!seen.ends.get(i).endsWith("~")) assertThat(seen.told.get(i + 1)).as("%s in reads of %d: line %d", shown, chunk, i + 1).doesNotStartWith("+");
        }
        // read at once, the next line continues a line exactly when the line was told it may
        Seen whole = pump(text);
        for (int i = 0; i + 1 < whole.ends.size(); i++) {
            assertThat(whole.ends.get(i).endsWith("~")).as("%s: line %d", shown, i).isEqualTo(whole.told.get(i + 1).startsWith("+"));
        }
    }

    /**
     * The lines of {@code text}: a line ends at LF, at CRs in a row or at CRs followed by an LF (one line end); an empty
     * part ended by CRs alone is not a line. A line has a {@code +} before it when the line before it was ended by CRs
     * alone.
     */
    private static List<String> reference(String text) {
        List<String> lines = new ArrayList<>();
        Matcher m = Pattern.compile("([^\r\n]*)(\r+\n?|\n)").matcher(text);
        int end = 0;
        boolean afterLoneCr = false;
        while (m.find()) {
            if (!m.group(1).isEmpty() || m.group(2).endsWith("\n")) {
                lines.add((afterLoneCr ? "+" : "") + m.group(1));
                afterLoneCr = !m.group(2).endsWith("\n");
            }
            end = m.end();
        }
        if (end < text.length()) lines.add((afterLoneCr ? "+" : "") + text.substring(end));
        return lines;
    }
}
