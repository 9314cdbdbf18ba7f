package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm logs} on a terminal keeps a ticket's colours as {@code less -R} does: an SGR sequence ({@code ESC [}, digits
 * and semicolons, {@code m}) passes as it is, however the writes cut it; every other escape sequence is shown
 * ({@code ^[}), and a colour left on is reset at the end.
 */
class PrintableBytesColoursTest {
    private static final String IN = "a\033[31mb\033[0mc\033[1;38;5;208md\033[me\033[1:2mf\033[?25lg\033[38;2;1;2;3Hh\033]0;T\007"
            + "\033\033[4mi\033[j\033x\033[";
    private static final String SHOWN = "a\033[31mb\033[0mc\033[1;38;5;208md\033[me^[[1:2mf^[[?25lg^[[38;2;1;2;3Hh^[]0;T^G"
            + "^[\033[4mi^[[j^[x^[[\033[m";

    @Test
    void sgrSequencesPassOtherEscapesAreShownWhereverTheWritesCut() throws IOException {
        byte[] in = IN.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= in.length; cut++) {
            assertThat(shown(in, cut)).as("cut after byte %d", cut).isEqualTo(SHOWN);
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
