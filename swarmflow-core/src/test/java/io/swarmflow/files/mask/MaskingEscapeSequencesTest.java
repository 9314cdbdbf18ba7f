package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review R5: a secret printed in pieces with terminal escape sequences between them (grep --color highlighting a match
 * inside a token, printf with {@code \e[1m} in the middle) is masked whole, the sequences inside it with it; a terminal
 * or a report that removes the sequences would otherwise show it whole.
 */
class MaskingEscapeSequencesTest {
    private static final String E = "\u001B";
    private static final List<String> TOKEN = List.of("ab/cd/ef-secret");

    @Test
    void grepColorHighlightingAMatchInsideTheSecret() {
        // echo "using url https://user:$TOKEN@example.invalid/repo" | grep --color=always cd
        String line = "using url https://user:ab/" + E + "[01;31m" + E + "[Kcd" + E + "[m" + E + "[K/ef-secret@example.invalid/repo\n";
        assertThat(Masking.mask(line, TOKEN)).isEqualTo("using url https://user:***@example.invalid/repo\n");
    }

    @Test
    void printfWithBoldInTheMiddleKeepsTheSequencesOutsideIt() {
        // printf 'token is \e[1m%s\e[0m%s\e[0m\n' ab/cd/ ef-secret
        String line = "token is " + E + "[1mab/cd/" + E + "[0mef-secret" + E + "[0m\n";
        assertThat(Masking.mask(line, TOKEN)).isEqualTo("token is " + E + "[1m***" + E + "[0m\n");
    }

    @Test
    void oscStringsAndTwoCharacterSequencesInsideAreMaskedToo() {
        assertThat(Masking.mask("<ab/cd" + E + "]8;;https://x.invalid" + E + "\\/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/cd" + E + "]0;title\u0007/ef-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab" + E + "M/cd/ef" + E + "\\-secret>", TOKEN)).isEqualTo("<***>");
        assertThat(Masking.mask("<ab/cd" + E + "]no terminator/ef-secret>", TOKEN)).as("not a sequence: text between")
                .isEqualTo("<ab/cd" + E + "]no terminator/ef-secret>");
        assertThat(Masking.mask("<ab/cd" + E + "]/ef-secret>", TOKEN)).as("ESC ] alone, as the report's tail removes it")
                .isEqualTo("<***>");
    }

    @Test
    void otherTextOrALoneEscBetweenThePiecesIsNoOccurrence() {
        String v = "ab/cd x/ef-secret ab/cd" + E + "/ef-secret ab/cd" + E + "[1 /ef-secret";
        assertThat(Masking.mask(v, TOKEN)).isSameAs(v);
    }

    @Test
    void atMostMaxInterleavedCharactersOfSequencesInOneOccurrence() {
        String csi = E + "[1m"; // 4 characters
        String most = "ab/" + csi.repeat(Masking.MAX_INTERLEAVED / 4) + "cd/ef-secret";
        assertThat(Masking.mask(most, TOKEN)).isEqualTo("***");
        String more = "ab/" + csi.repeat(Masking.MAX_INTERLEAVED / 4 + 1) + "cd/ef-secret";
        assertThat(Masking.mask(more, TOKEN)).isSameAs(more);
    }

    @Test
    void occurrenceAtTellsWhenTheTextEndsInsideWhatMayStillBecomeOne() {
        assertThat(Masking.occurrenceAt("ab/" + E + "[01;3", 0, TOKEN, false)).isEqualTo(-1);
        assertThat(Masking.occurrenceAt("ab/" + E + "[01;3", 0, TOKEN, true)).isZero();
        assertThat(Masking.occurrenceAt("ab/" + E + "[1mcd/ef-secret!", 0, TOKEN, false)).isEqualTo(19);
        assertThat(Masking.occurrenceAt("x" + E, 1, TOKEN, false)).as("no secret begins with ESC").isZero();
    }

    /** docs/sandbox.md states the bound (Maven runs the tests in the module's directory). */
    @Test
    void docsStateTheBound() throws IOException {
        String docs = Files.readString(Path.of("..", "docs", "sandbox.md")).replaceAll("\\s+", " ");
        assertThat(docs).contains("up to " + Masking.MAX_INTERLEAVED + " bytes of them in one occurrence")
                .contains("fewer bytes than the longest secret plus those " + Masking.MAX_INTERLEAVED);
    }

    /**
     * Review M M1: a secret that begins near the end of a long OSC string (a window title) and goes on after its
     * terminator, split by colour codes, is masked; a change of this session left every byte of it in the log (the
     * string's bytes counted against the 1024-byte budget, and a match begun inside it was confined to it).
     */
    @Test
    void aSecretBegunAtTheEndOfALongTitleAndGoingOnAfterItIsMasked() {
        String line = E + "]0;" + "x".repeat(1013) + "myse" + E + "\\" + E + "[0m" + E + "[1mcret";
        assertThat(Masking.mask(line, List.of("mysecret"))).isEqualTo(E + "]0;" + "x".repeat(1013) + "***");
    }
}
