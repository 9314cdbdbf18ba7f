package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm logs} on a terminal: a ticket's control characters shown as the live view shows them, however cut. */
class PrintableBytesTest {
    /** A ticket's output: clipboard, title, hyperlink, cursor moves, C1 CSI, a bidi override, DEL, CRLF, a lone CR. */
    private static final String HOSTILE = "a\033]52;c;aGk=\007b\033]0;T\033\\c\033]8;;http://x\033\\d\033[2J\033[1;1H"
            + "\u009b2J e\u202ef\u2066g\u2028h\177i\r\nj\rk\tl\nüñ€\u200e😀 \u2010\u2030\n";
    private static final String SHOWN = "a^[]52;c;aGk=^Gb^[]0;T^[\\c^[]8;;http://x^[\\d^[[2J^[[1;1H"
            + "\\x9b2J e\\u202ef\\u2066g\\u2028h^?i\r\nj^Mk\tl\nüñ€\u200e😀 \u2010\u2030\n";

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
        bytes.finish(); // the end: a lone CR, shown
        assertThat(sink.toString(StandardCharsets.UTF_8)).isEqualTo("x\\x9by^M");

        sink.reset();
        bytes = new PrintableBytes(sink);
        bytes.write(new byte[] {'a', (byte) 0xe2, (byte) 0x80}, 0, 3);
        bytes.finish(); // invalid UTF-8 at the end passes as it is, as the terminal would show it
        assertThat(sink.toByteArray()).containsExactly('a', 0xe2, 0x80);
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
}
