package io.swarmflow.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class MaskingInputStreamTest {
    /** Hands out at most {@code chunk} bytes per read, as a pipe does when the writer writes in pieces. */
    private static InputStream chunked(String text, int chunk) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    private static String drain(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aSecretSplitAcrossReadsIsMaskedAndTheRestPassesUnchanged() throws IOException {
        for (int chunk = 1; chunk <= 9; chunk++) {
            String out = drain(MaskingInputStream.wrap(chunked("token=s3cr3t-value; again s3cr3t-value\nend s3cr3t", chunk),
                    List.of("s3cr3t-value")));
            assertThat(out).as("chunks of %d", chunk).isEqualTo("token=***; again ***\nend s3cr3t");
        }
    }

    @Test
    void theLongestOfOverlappingSecretsIsMaskedEvenWhenTheShorterEndsAReadFirst() throws IOException {
        assertThat(drain(MaskingInputStream.wrap(chunked("x abcdef y abcd z", 6), List.of("abcd", "abcdef"))))
                .isEqualTo("x *** y *** z");
    }

    @Test
    void shortValuesAndNoValuesLeaveTheStreamAsItIs() throws IOException {
        InputStream in = chunked("a b abc", 3);
        assertThat(MaskingInputStream.wrap(in, List.of("abc", "b"))).isSameAs(in);
        assertThat(MaskingInputStream.wrap(in, List.of())).isSameAs(in);
    }

    @Test
    void aPrefixOfASecretAtTheEndOfTheStreamIsReleasedAsItIs() throws IOException {
        assertThat(drain(MaskingInputStream.wrap(chunked("ends with s3cr", 4), List.of("s3cr3t")))).isEqualTo("ends with s3cr");
    }

    /** Whatever the reads' sizes, the output is the input with every occurrence replaced, as String.replace does. */
    @Property(tries = 300)
    void sameAsReplacingInTheWholeText(@ForAll @StringLength(max = 60) String noise, @ForAll @IntRange(min = 1, max = 7) int chunk) throws IOException {
        String secret = "k3y!";
        String text = noise.replace("k", "") + secret + noise.replace("k", "") + secret.substring(0, 3);
        assertThat(drain(MaskingInputStream.wrap(chunked(text, chunk), List.of(secret)))).isEqualTo(text.replace(secret, "***"));
    }
}
