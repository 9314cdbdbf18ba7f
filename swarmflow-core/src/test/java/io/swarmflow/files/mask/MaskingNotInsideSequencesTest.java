package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An occurrence begins and ends outside terminal escape sequences: the bytes of a sequence are no text a terminal shows,
 * and masking part of one broke it ({@code ESC[1mysecret-token} with the secret {@code mysecret-token} gave
 * {@code ESC[1***}, a CSI with no final byte that swallows what follows). A secret split by sequences, or standing whole
 * in an OSC's string (a hyperlink's URL, a window title), is still masked.
 */
class MaskingNotInsideSequencesTest {
    private static final String E = "\u001B";
    private static final List<String> TOKEN = List.of("mysecret-token");

    @Test
    void noOccurrenceBeginsInsideACsiOrATwoByteSequence() {
        for (String v : List.of("x " + E + "[1mysecret-token", "x " + E + "[01;31mysecret-token" + E + "[m",
                "x \u009b1mysecret-token")) {
            assertThat(Masking.mask(v, TOKEN)).as(v).isSameAs(v);
        }
        assertThat(Masking.mask("x " + E + "[1m" + "mysecret-token", TOKEN)).as("after the sequence")
                .isEqualTo("x " + E + "[1m***");
        String v = "x " + E + "[1mysecret-token";
        assertThat(Masking.mask(v, List.of("1mysecret-token"))).isSameAs(v);
        assertThat(Masking.mask(v, List.of("[1mysecret"))).isSameAs(v);
        String params = "a " + E + "[38;5;196mred" + E + "[0m";
        assertThat(Masking.mask(params, List.of("38;5;196"))).as("wholly inside a CSI").isSameAs(params);
    }

    @Test
    void noOccurrenceEndsInsideASequence() {
        String v = "x token" + E + "[1m y";
        assertThat(Masking.mask(v, List.of("token" + E))).isSameAs(v);
        assertThat(Masking.mask(v, List.of("token" + E + "[1m"))).as("the whole sequence").isEqualTo("x *** y");
        assertThat(Masking.mask("x my" + E + "[1msecret-token" + E + "[0m", TOKEN)).as("split: masked as before")
                .isEqualTo("x ***" + E + "[0m");
    }

    @Test
    void inAnOscStringAnOccurrenceIsMaskedButDoesNotRunPastItsTerminator() {
        String link = E + "]8;;https://u:mysecret-token@h.invalid" + E + "\\link" + E + "]8;;" + E + "\\";
        assertThat(Masking.mask(link, TOKEN)).isEqualTo(E + "]8;;https://u:***@h.invalid" + E + "\\link" + E + "]8;;" + E + "\\");
        assertThat(Masking.mask(E + "]0;mysecret-token\u0007 $", TOKEN)).isEqualTo(E + "]0;***\u0007 $");
        // the title shows "mysec", the screen "ret-token": masking across the ESC \ once left the OSC unterminated
        String across = E + "]0;mysec" + E + "\\ret-token";
        assertThat(Masking.mask(across, TOKEN)).isSameAs(across);
        String ownTerminator = E + "]0;mysec\u0007ret-token";
        assertThat(Masking.mask(ownTerminator, TOKEN)).isSameAs(ownTerminator);
    }

    @Test
    void aStreamHoldsASequenceItHasNotSeenTheEndOf() {
        // the bytes after ESC [ 1 may be the sequence's or text: a stream holds from the ESC until it can tell
        Masking.Scan open = new Masking.Scan("ab " + E + "[1", TOKEN, false);
        assertThat(open.at(2)).isZero();
        assertThat(open.at(3)).isEqualTo(-1);
        Masking.Scan whole = new Masking.Scan(E + "[1mysecret-token", TOKEN, false);
        for (int i = 0; i < 5; i++) assertThat(whole.at(i)).as("at %d", i).isZero();
        assertThat(new Masking.Scan("x" + E + "[1mysecret-token", TOKEN, true).atTryingEach(4)).isZero();
    }
}
