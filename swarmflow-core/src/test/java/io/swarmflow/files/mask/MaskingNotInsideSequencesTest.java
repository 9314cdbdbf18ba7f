package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No occurrence is masked from inside a terminal escape sequence: masking part of one broke it ({@code ESC[1mysecret-token}
 * with the secret {@code mysecret-token} gave {@code ESC[1***}, a CSI with no final byte that swallows what follows).
 * An occurrence that begins inside a sequence is masked from the sequence's first byte, the sequence with it, so that no
 * byte of the secret stays in a log either; one that ends inside another sequence is none. A secret split by sequences,
 * or standing whole in an OSC's string (a hyperlink's URL, a window title), is masked as before.
 */
class MaskingNotInsideSequencesTest {
    private static final String E = "\u001B";
    private static final List<String> TOKEN = List.of("mysecret-token");

    @Test
    void anOccurrenceBegunInsideACsiOrATwoByteSequenceIsMaskedFromItsFirstByte() {
        assertThat(Masking.mask("x " + E + "[1mysecret-token y", TOKEN)).isEqualTo("x *** y");
        assertThat(Masking.mask("x " + E + "[01;31mysecret-token" + E + "[m", TOKEN)).isEqualTo("x ***" + E + "[m");
        assertThat(Masking.mask("x \u009b1mysecret-token", TOKEN)).isEqualTo("x ***");
        assertThat(Masking.mask("x " + E + "[1mysecret-token", List.of("1mysecret-token"))).isEqualTo("x ***");
        assertThat(Masking.mask("x " + E + "[1m" + "mysecret-token", TOKEN)).as("after the sequence: it stays")
                .isEqualTo("x " + E + "[1m***");
        assertThat(Masking.mask("a " + E + "[38;5;196mred" + E + "[0m", List.of("38;5;196"))).as("wholly inside a CSI")
                .isEqualTo("a ***red" + E + "[0m");
        assertThat(Masking.mask("x " + E + "[1mysecret-" + E + "[0mtoken", TOKEN)).as("and split").isEqualTo("x ***");
    }

    @Test
    void noOccurrenceEndsInsideAnotherSequence() {
        String v = "x token" + E + "[1m y";
        assertThat(Masking.mask(v, List.of("token" + E))).isSameAs(v);
        assertThat(Masking.mask(v, List.of("token" + E + "[1m"))).as("the whole sequence").isEqualTo("x *** y");
        assertThat(Masking.mask("x my" + E + "[1msecret-token" + E + "[0m", TOKEN)).as("split: masked as before")
                .isEqualTo("x ***" + E + "[0m");
    }

    @Test
    void inAnOscStringAnOccurrenceIsMaskedThereAndOneRunningPastItsTerminatorTakesTheOscWithIt() {
        String link = E + "]8;;https://u:mysecret-token@h.invalid" + E + "\\link" + E + "]8;;" + E + "\\";
        assertThat(Masking.mask(link, TOKEN)).isEqualTo(E + "]8;;https://u:***@h.invalid" + E + "\\link" + E + "]8;;" + E + "\\");
        assertThat(Masking.mask(E + "]0;mysecret-token\u0007 $", TOKEN)).isEqualTo(E + "]0;***\u0007 $");
        // masking from "mysec" on across the ESC \ once left the OSC unterminated
        assertThat(Masking.mask("< " + E + "]0;mysec" + E + "\\ret-token >", TOKEN)).isEqualTo("< *** >");
        String bel = E + "]0;mysec\u0007ret-token";
        assertThat(Masking.mask(bel, TOKEN)).as("a BEL is no sequence of its own: nothing between").isSameAs(bel);
    }

    @Test
    void aStreamHoldsASequenceItHasNotSeenTheEndOf() {
        // the bytes after ESC [ 1 may be the sequence's or text: a stream holds from the ESC until it can tell
        Masking.Scan open = new Masking.Scan("ab " + E + "[1", TOKEN, false);
        assertThat(open.at(2)).isZero();
        assertThat(open.at(3)).isEqualTo(-1);
        Masking.Scan whole = new Masking.Scan(E + "[1mysecret-token", TOKEN, false);
        assertThat(whole.at(0)).isEqualTo(-1).as("a secret's bold tail may follow");
        assertThat(new Masking.Scan(E + "[1mysecret-token!", TOKEN, false).at(0)).isEqualTo(17);
        for (int i = 1; i < 5; i++) assertThat(whole.at(i)).as("at %d", i).isZero();
        assertThat(new Masking.Scan("x" + E + "[1mysecret-token", TOKEN, true).atTryingEach(4)).isZero();
        assertThat(new Masking.Scan("x" + E + "[1mysecret-token", TOKEN, true).atTryingEach(1)).isEqualTo(17);
    }

    @Test
    void theSequenceBeforeTheOccurrenceCountsAmongTheBytesItMayHold() {
        String csi = E + "[" + "1;".repeat(Masking.MAX_INTERLEAVED / 2 - 2) + "1m"; // MAX_INTERLEAVED - 1 bytes
        assertThat(Masking.mask(csi + "ysecret-token", TOKEN)).isEqualTo("***");
        String split = csi + "ysecret" + E + "[0m-token";
        assertThat(Masking.mask(split, TOKEN)).as("4 more bytes of sequence: past the bound").isEqualTo(split);
    }
}
