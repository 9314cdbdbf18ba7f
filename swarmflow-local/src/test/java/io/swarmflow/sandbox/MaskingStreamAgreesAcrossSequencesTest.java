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
 * The stream and the text form agree also where an occurrence holds escape sequences (ESC and C1 forms, an OSC cut by
 * the end or by another ESC), overstrikes or a JSON-escaped form, read in any pieces: each piece boundary may fall
 * inside a sequence, between a character and its backspace, or inside a {@code \\u00e9}.
 */
class MaskingStreamAgreesAcrossSequencesTest {
    private static final String E = "\u001B";

    private static String streamed(String text, List<String> secrets, int chunk) throws IOException {
        InputStream source = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        return new String(MaskingInputStream.wrap(source, secrets).readAllBytes(), StandardCharsets.UTF_8);
    }

    @Property(tries = 400)
    void anyPiecesOfAnyMixGiveTheTextFormsResult(@ForAll("texts") String text, @ForAll @IntRange(min = 1, max = 7) int chunk)
            throws IOException {
        List<String> secrets = List.of("ab/é", "b\"é\\");
        assertThat(streamed(text, secrets, chunk)).isEqualTo(Masking.mask(text, secrets));
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.of("a", "b", "/", "é", "\"", "\\", "\\\"", "\\\\", "\\u00e9", E + "[1m", E + "[", E + "]0;t\u0007",
                        E + "]8;;u" + E + "\\", E + "]", E, "\u009b1m", "\u009d0;x\u009c", "\b", "_\b", "m", "\u0007")
                .list().ofMaxSize(14).map(l -> String.join("", l));
    }

    @Test
    void aLoneByte9bIsNoC1Csi() throws IOException {
        // 8-bit CSI as a raw byte is no UTF-8: a UTF-8 terminal shows an error there, not the secret whole
        byte[] raw = {'a', 'b', '/', (byte) 0x9B, '1', 'm', 'c', 'd', '/', 'e', 'f', '-', 's', 'e', 'c', 'r', 'e', 't'};
        byte[] utf8 = "ab/\u009b1mcd/ef-secret".getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= 9; chunk++) {
            int size = chunk;
            InputStream source = new ByteArrayInputStream(raw) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, size));
                }
            };
            assertThat(MaskingInputStream.wrap(source, List.of("ab/cd/ef-secret")).readAllBytes()).isEqualTo(raw);
            assertThat(MaskingInputStream.wrap(new ByteArrayInputStream(utf8), List.of("ab/cd/ef-secret")).readAllBytes())
                    .isEqualTo("***".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void examplesOfEachCutGiveTheSame() throws IOException {
        List<String> secrets = List.of("ab/cd/é-secret");
        for (String text : List.of("x ab/\u009b1mcd/é-secret y", "x ab/cd" + E + "]0;tïtle\u0007/é-secret y",
                "x a\bab\bb/\b/cd/é-secret\b\b y", "x \"ab\\/cd\\/\\u00e9-secret\" y", "x _\ba_\bb/cd/é-secret\bt y")) {
            for (int chunk = 1; chunk <= 9; chunk++) {
                assertThat(streamed(text, secrets, chunk)).as("%s by %d", text, chunk).isEqualTo(Masking.mask(text, secrets))
                        .contains("***").doesNotContain("secret");
            }
        }
    }
}
