package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm logs} on a terminal: a ticket's control characters shown as the live view shows them, a lone CR as a line
 * end, however the writes cut them. Its colours are kept as {@code less -R} does: an SGR sequence ({@code ESC [}, digits
 * and semicolons, {@code m}) passes as it is, however the writes cut it; every other escape sequence is shown
 * ({@code ^[}), and a colour left on is reset at the end.
 */
class PrintableBytesTest {
    /** A ticket's output: clipboard, title, hyperlink, cursor moves, C1 CSI, a bidi override, DEL, CRLF, a lone CR (a line end). */
    private static final String HOSTILE = "a\033]52;c;aGk=\007b\033]0;T\033\\c\033]8;;http://x\033\\d\033[2J\033[1;1H"
            + "\u009b2J e\u202ef\u2066g\u2028h\177i\r\nj\rk\tl\nüñ€\u200e😀 \u2010\u2030\n";
    private static final String SHOWN = "a^[]52;c;aGk=^Gb^[]0;T^[\\c^[]8;;http://x^[\\d^[[2J^[[1;1H"
            + "\\x9b2J e\\u202ef\\u2066g\\u2028h^?i\r\nj\nk\tl\nüñ€\u200e😀 \u2010\u2030\n";
    /** Output with colours: SGR sequences, and escapes that are not SGR (a colon, a private mode, another final, OSC, ...). */
    private static final String COLOURED = "a\033[31mb\033[0mc\033[1;38;5;208md\033[me\033[1:2mf\033[?25lg\033[38;2;1;2;3Hh"
            + "\033]0;T\007\033\033[4mi\033[j\033x\033[";
    private static final String COLOURED_SHOWN = "a\033[31mb\033[0mc\033[1;38;5;208md\033[me^[[1:2mf^[[?25lg^[[38;2;1;2;3Hh"
            + "^[]0;T^G^[\033[4mi^[[j^[x^[[\033[m";

    @Test
    void controlCharactersAreShownAndTextNewlinesTabsAndCrlfPassWhereverTheWritesCut() throws IOException {
        byte[] in = HOSTILE.getBytes(StandardCharsets.UTF_8);
        assertThat(shown(in, in.length)).isEqualTo(SHOWN);
        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(shown(in, cut)).as("cut after byte %d", cut).isEqualTo(SHOWN);
        }
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        for (byte b : in) bytes.write(b);
        bytes.finish();
        assertThat(sink.toString(StandardCharsets.UTF_8)).as("one byte at a time").isEqualTo(SHOWN);
    }

    @Test
    void aCharacterCutByTheWritesIsHeldOverAFlushAndFinishedAsItIs() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.write(new byte[] {'x', (byte) 0xc2}, 0, 2);
        bytes.flush(); // swarm logs --follow flushes after every chunk: 0xc2 may begin a C1 control
        assertThat(sink.toByteArray()).containsExactly('x');
        bytes.write(new byte[] {(byte) 0x9b, 'y', '\r'}, 0, 3);
        bytes.flush();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("x\\x9by");
        bytes.finish(); // the end: a lone CR, a line end
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("x\\x9by\n");

        sink.reset();
        bytes = new PrintableBytes(sink);
        bytes.write(new byte[] {'a', (byte) 0xe2, (byte) 0x80}, 0, 3);
        bytes.finish(); // a sequence cut short by the end: its bytes on their own, 0x80 (an 8-bit C1 control) shown
        assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("a\u00e2\\x80");
    }

    /**
     * A raw byte 0x80-0x9F outside a valid UTF-8 sequence is an 8-bit C1 control to a terminal in a Latin-1 locale (0x9B
     * CSI clears the screen with {@code 2J}, 0x9D OSC sets the title up to 0x9C ST): shown as {@code \x9b}, wherever the
     * writes cut. The same bytes inside valid UTF-8 ({@code ě} is C4 9B, an emoji F0 9F 98 80) pass, and other invalid
     * UTF-8 (0xFF, a stray 0xA9) passes as it is.
     */
    @Test
    void rawC1BytesOutsideValidUtf8AreShownWhereverTheWritesCut() throws IOException {
        Map<String, String> shownAs = new LinkedHashMap<>(); // bytes as ISO-8859-1 text
        shownAs.put("\u00ff\u00fe bad \u009b2J \u009d0;C1TITLE\u009c after\nx\u009b31mRED\n",
                "\u00ff\u00fe bad \\x9b2J \\x9d0;C1TITLE\\x9c after\nx\\x9b31mRED\n");
        shownAs.put(utf8Bytes("\u011b \ud83d\ude00 \u20ac \ud7c0 \u2010"), utf8Bytes("\u011b \ud83d\ude00 \u20ac \ud7c0 \u2010"));
        shownAs.put("\u00f0\u009fa", "\u00f0\\x9fa"); // an emoji cut short: F0 9F then text
        shownAs.put("\u00ed\u00a0\u0080", "\u00ed\u00a0\\x80"); // a surrogate (ED A0 80) is no valid UTF-8
        shownAs.put("\u00e0\u0080\u0080", "\u00e0\\x80\\x80"); // overlong (E0 80 80)
        shownAs.put("\u00a9\u00c4\u00c4\u009b", "\u00a9\u00c4\u00c4\u009b"); // stray A9 passes; C4 9B is \u011b
        shownAs.put("\u00e2\u0080\u009b", "\u00e2\u0080\u009b"); // U+201B, a quote, not a control
        for (Map.Entry<String, String> e : shownAs.entrySet()) {
            byte[] in = e.getKey().getBytes(StandardCharsets.ISO_8859_1);
            for (int cut = 0; cut <= in.length; cut++) {
                ByteArrayOutputStream sink = new ByteArrayOutputStream();
                PrintableBytes bytes = new PrintableBytes(sink);
                bytes.write(in, 0, cut);
                bytes.flush();
                bytes.write(in, cut, in.length - cut);
                bytes.finish();
                assertThat(sink.toString(StandardCharsets.ISO_8859_1)).as("%s cut after byte %d", Printable.of(e.getKey()), cut)
                        .isEqualTo(e.getValue());
            }
        }
    }

    /** {@code text}'s UTF-8 bytes as ISO-8859-1 text, one character a byte. */
    private static String utf8Bytes(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /**
     * A progress bar ({@code 10%\r20%\r}) was shown as {@code 10%^M20%^M}, one garbled line: a lone CR now ends a line, so
     * each state of the bar is a line and none is overwritten (the CR itself never reaches the terminal). CRs in a row end
     * one line, as a terminal shows them (CR CR LF too); a CR where a line begins is dropped (it moves nothing there);
     * CRLF stays as written. The same wherever two writes (swarm logs --follow's reads) cut the bytes.
     */
    @Test
    void aLoneCarriageReturnEndsALineWhereverTheWritesCut() throws IOException {
        Map<String, String> shownAs = new LinkedHashMap<>();
        shownAs.put("10%\r20%\r30%\n", "10%\n20%\n30%\n");
        shownAs.put("10%\r20%\r100%\r\ndone\n", "10%\n20%\n100%\r\ndone\n");
        shownAs.put("\r 0%\r 50%\r100%\n", " 0%\n 50%\n100%\n"); // tqdm begins each state with a CR
        shownAs.put("a\r\r\rb\r\r\n", "a\nb\r\n");
        shownAs.put("a\n\rb\n\r\n\r", "a\nb\n\r\n");
        shownAs.put("x\ry\r", "x\ny\n"); // the end of the output: a line end after the last state
        shownAs.put("\r\r", "");
        shownAs.put("a\r\033[2Kb\r\u009b2Kc", "a\n^[[2Kb\n\\x9b2Kc"); // erase-line after the CR shown, not obeyed
        for (Map.Entry<String, String> e : shownAs.entrySet()) {
            byte[] in = e.getKey().getBytes(StandardCharsets.UTF_8);
            for (int cut = 0; cut <= in.length; cut++) {
                assertThat(shown(in, cut)).as("%s cut after byte %d", Printable.of(e.getKey()), cut).isEqualTo(e.getValue());
            }
        }
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.write("50%\r".getBytes(StandardCharsets.UTF_8));
        bytes.flush(); // --follow: the CR waits for what comes next, which says whether it ends a line or a CRLF
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("50%");
        bytes.write("\n".getBytes(StandardCharsets.UTF_8));
        bytes.flush();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("50%\r\n");
    }

    @Test
    void sgrSequencesPassOtherEscapesAreShownWhereverTheWritesCut() throws IOException {
        byte[] in = COLOURED.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(shown(in, cut)).as("cut after byte %d", cut).isEqualTo(COLOURED_SHOWN);
        }
    }

    @Test
    void anSgrLongerThanTheLimitIsShownAndOutputWithoutColoursGetsNoReset() throws IOException {
        String params = "1;".repeat(64);
        byte[] in = ("\033[" + params + "m x\n").getBytes(StandardCharsets.UTF_8);
        assertThat(shown(in, in.length)).isEqualTo("^[[" + params + "m x\n");
        byte[] longest = ("\033[" + "1".repeat(64 - 3) + "m").getBytes(StandardCharsets.UTF_8);
        assertThat(shown(longest, 1)).isEqualTo(new String(longest, StandardCharsets.UTF_8) + "\033[m");
    }

    /** {@code in} written through PrintableBytes in two writes cut after byte {@code cut}. */
    private static String shown(byte[] in, int cut) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.write(in, 0, cut);
        bytes.flush();
        bytes.write(in, cut, in.length - cut);
        bytes.finish();
        return sink.toString(StandardCharsets.UTF_8);
    }

    /**
     * end() is finish() and then the end for good: what another thread writes later (swarm logs --follow's main thread
     * after the Ctrl-C hook) reaches nothing, so the colour reset stays the last thing written (review R4 finding 2).
     */
    @Test
    void endFinishesThenDropsEverythingWrittenLater() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.write("step \033[32m50%\r".getBytes(StandardCharsets.UTF_8));
        bytes.end();
        String ended = "step \033[32m50%\n" + PrintableBytes.RESET_TEXT; // the held CR as a line end, then the reset
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(ended);

        bytes.write("\n\033[31mred 60%\r".getBytes(StandardCharsets.UTF_8));
        bytes.write('x');
        bytes.write("more".getBytes(StandardCharsets.UTF_8), 1, 2);
        bytes.flush();
        bytes.finish();
        bytes.end();
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo(ended);
    }

    /** finish() alone is not the end: later writes are shown, and the next finish ends them (endTicketOutput relies on it). */
    @Test
    void finishIsNotTheEndLaterWritesAreShown() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.write("\033[32mgreen".getBytes(StandardCharsets.UTF_8));
        bytes.finish();
        bytes.write("\033[31mred".getBytes(StandardCharsets.UTF_8));
        bytes.finish();
        assertThat(sink.toString(StandardCharsets.UTF_8))
                .isEqualTo("\033[32mgreen" + PrintableBytes.RESET_TEXT + "\033[31mred" + PrintableBytes.RESET_TEXT);
    }

    /** A bad range is refused, ended or not, and writes nothing. */
    @Test
    void aBadRangeIsRefusedAfterTheEndToo() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintableBytes bytes = new PrintableBytes(sink);
        bytes.end();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> bytes.write(new byte[2], 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(sink.size()).isZero();
    }
}
