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
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One masking rule: an attempt's result (core's {@link Masking}, with which {@code AttemptResult#masked} masks reasons and outputs), a text the sandbox
 * masks ({@link MaskingInputStream#mask}) and a process's output stream ({@link MaskingInputStream#wrap}, read in any
 * pieces) give the same text, whatever the order the secrets come in.
 */
class MaskingAgreementTest {
    /** The text as the stream gives it, read at most {@code chunk} bytes at a time. */
    private static String streamed(String text, List<String> secrets, int chunk) throws IOException {
        InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
        return new String(MaskingInputStream.wrap(in, secrets).readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Each form, with the secrets in the given order and reversed, gives {@code expected}. */
    private static void allGive(String expected, String text, List<String> secrets) throws IOException {
        for (List<String> order : List.of(secrets, secrets.reversed())) {
            Set<String> set = new LinkedHashSet<>(order); // iterated in this order
            assertThat(Masking.mask(text, set)).as("core, %s in %s", order, text).isEqualTo(expected);
            assertThat(MaskingInputStream.mask(text, set)).as("sandbox text, %s in %s", order, text).isEqualTo(expected);
            for (int chunk : new int[] {1, 2, 3, 8192}) {
                assertThat(streamed(text, order, chunk)).as("stream by %d, %s in %s", chunk, order, text).isEqualTo(expected);
            }
        }
    }

    @Test
    void theSameConstants() {
        assertThat(MaskingInputStream.MASK).isEqualTo(Masking.MASK);
        assertThat(MaskingInputStream.MIN_LENGTH).isEqualTo(Masking.MIN_LENGTH);
    }

    @Test
    void moreUtf8BytesWinsThoughFewerChars() throws IOException {
        // "€€€": 3 chars, 9 bytes; "€xyzw": 5 chars, 7 bytes. By chars the string form masked "€xyzw" first: "€€***"
        allGive("***xyzw", "€€€xyzw", List.of("€€€", "€xyzw"));
    }

    @Test
    void tiesAreOrderedByTheSecretsNotByTheSetsOrder() throws IOException {
        // equal lengths overlapping: the one beginning first is masked, in every form and whatever the order given
        allGive("***e", "xbcde", List.of("bcde", "xbcd"));
        allGive("***x", "abcdx", List.of("bcdx", "abcd"));
        allGive("***", "abcd", List.of("abcd", "abcd"));
    }

    @Test
    void theOneBeginningFirstIsMaskedThoughShorter() throws IOException {
        allGive("***efgh", "abcdefgh", List.of("cdefgh", "abcd"));
        allGive("x *** y *** z", "x s3cr3t-value y s3cr3t z", List.of("s3cr3t-value", "s3cr3t"));
        allGive("unchanged", "unchanged", List.of("abc", "z"));
    }

    @Property(tries = 300)
    void anySecretsAnyText(@ForAll("secrets") List<String> secrets, @ForAll("texts") String text,
                           @ForAll @IntRange(min = 1, max = 9) int chunk) throws IOException {
        String expected = Masking.mask(text, secrets);
        assertThat(MaskingInputStream.mask(text, new ArrayList<>(secrets).reversed())).isEqualTo(expected);
        assertThat(streamed(text, secrets, chunk)).isEqualTo(expected);
        assertThat(streamed(text, secrets.reversed(), chunk)).isEqualTo(expected);
    }

    /** Three letters (of 1, 3 and 4 UTF-8 bytes), so that secrets overlap each other and occur in the text often. */
    private static Arbitrary<String> letters(int min, int max) {
        return Arbitraries.of("a", "€", "😀").list().ofMinSize(min).ofMaxSize(max).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<List<String>> secrets() {
        return letters(1, 5).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> texts() {
        return letters(0, 30);
    }
}
