package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of the escape-sequence masking: C1 controls (U+009B CSI, U+009D OSC, U+009C ST), which a UTF-8 terminal
 * (xterm, VTE) obeys as their ESC forms, split a secret as those do; and the bytes an occurrence may hold are counted in
 * UTF-8 bytes by the text form too, as the stream counts them (an OSC title of non-ASCII text once counted half its
 * bytes in the text form, so a result and a log of the same output disagreed).
 */
class MaskingC1AndUtf8Test {
    private static final String E = "\u001B";
    private static final List<String> TOKEN = List.of("ab/cd/ef-secret");

    @Test
    void aC1CsiOrOscBetweenThePiecesIsASequenceToo() {
        assertThat(Masking.mask("<ab/\u009b1mcd/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/\u009b01;31m\u009bKcd/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/cd\u009d8;;https://x.invalid\u009c/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/cd\u009d0;t\u0007/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/cd\u0085/ef-secret>", TOKEN)).as("NEL, ESC E's C1 form").isEqualTo("<***>");
    }

    @Test
    void otherCharactersOfTheLatin1SupplementAreNoSequence() {
        String v = "<ab/\u00a9cd/ef-secret> <ab/\u009b1 cd/ef-secret>";
        assertThat(Masking.mask(v, TOKEN)).isSameAs(v);
        assertThat(Masking.mask("x ab/©cd y", List.of("ab/©cd"))).isEqualTo("x *** y");
    }

    @Test
    void theSequencesAreCountedInUtf8Bytes() {
        String title = "é".repeat(600); // 600 characters, 1200 bytes
        String v = "ab/" + E + "]0;" + title + "\u0007cd/ef-secret";
        assertThat(Masking.mask(v, TOKEN)).as("1205 bytes of sequence: more than %d", Masking.MAX_INTERLEAVED)
                .isEqualTo(v);
        String shorter = "ab/" + E + "]0;" + "é".repeat(500) + "\u0007cd/ef-secret";
        assertThat(Masking.mask(shorter, TOKEN)).isEqualTo("***");
    }

    @Test
    void runsAroundCharactersOfEveryUtf8LengthMapBackToTheirCharacters() {
        String secret = "pä€\ud83d\ude00ss";
        assertThat(Masking.mask("é " + secret + " \ud83d\ude00 " + secret + "€", List.of(secret)))
                .isEqualTo("é *** \ud83d\ude00 ***€");
        assertThat(Masking.mask("\ud800 ab?cd \udc00ab?cd", List.of("ab?cd"))).isEqualTo("\ud800 *** \udc00***");
    }
}
