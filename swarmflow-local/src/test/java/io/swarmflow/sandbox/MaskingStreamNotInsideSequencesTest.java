package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No part of an escape sequence is masked alone ({@link Masking.Scan}: an occurrence begun inside one is masked from
 * its ESC), in the stream as in the text form: a piece may end inside a sequence, before the stream can tell whether
 * the bytes after its ESC are the sequence's or text, so it holds them from the ESC on until it can.
 */
class MaskingStreamNotInsideSequencesTest {
    private static final String E = "\u001B";
    /** Secrets that begin with bytes a sequence holds: a CSI's final byte, its parameters, an OSC's string. */
    private static final List<String> SECRETS = List.of("mab/", "1mab", ";t-ab", "t-ab\u0007");

    private static String streamed(String text, int chunk) throws IOException {
        InputStream source = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        return new String(MaskingInputStream.wrap(source, SECRETS).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Property(tries = 400)
    void anyPiecesGiveTheTextFormsResult(@ForAll("texts") String text, @ForAll @IntRange(min = 1, max = 7) int chunk)
            throws IOException {
        assertThat(streamed(text, chunk)).isEqualTo(Masking.mask(text, SECRETS));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("m", "1", "ab/", "a", ";", "t-", E + "[", E + "[1", E + "[1m", E + "]0", E + "]0;t-", "\u0007",
                        E + "\\", E, "\u009b1", "\u009d0;")
                .list().ofMaxSize(12).map(l -> String.join("", l));
    }

    @Test
    void aSequenceCutByAReadIsMaskedWholeNotInPart() throws IOException {
        String text = "x " + E + "[1mab/ y " + E + "]0;t-a" + E + "\\b z"; // ;t-ab across the OSC's terminator
        for (int chunk = 1; chunk <= 9; chunk++) {
            assertThat(streamed(text, chunk)).as("pieces of %d", chunk).isEqualTo("x *** y *** z");
        }
        assertThat(streamed("x mab/ " + E + "]0;t-ab" + E + "\\", 3)).as(";t-ab in the string").isEqualTo("x *** " + E + "]0***" + E + "\\");
        assertThat(streamed("x mab/ " + E + "]0;t-ab\u0007", 3)).as("t-ab BEL, its terminator too: the OSC with it")
                .isEqualTo("x *** ***");
    }
}
