package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secret printed with overstrikes, as {@code man} (grotty) prints bold ({@code c BS c}) and underlined
 * ({@code _ BS c}) text for a pager, which {@code less} and a terminal show as the secret, is masked whole.
 */
class MaskingOverstrikeTest {
    private static final List<String> SECRET = List.of("s3cr€t");

    private static String bold(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.appendCodePoint(c).append('\b').appendCodePoint(c));
        return b.toString();
    }

    private static String underlined(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.append("_\b").appendCodePoint(c));
        return b.toString();
    }

    @Test
    void boldIsMaskedWholeWithItsLastCharacter() {
        assertThat(Masking.mask("<" + bold("s3cr€t") + ">", SECRET)).isEqualTo("<***>");
    }

    @Test
    void underlinedIsMaskedFromItsFirstCharacter() {
        assertThat(Masking.mask("<" + underlined("s3cr€t") + ">", SECRET)).isEqualTo("<_\b***>");
    }

    @Test
    void aBackspaceThatLeavesOtherTextShownIsNoOccurrence() {
        String v = "s3x\bcr€t s3c\bxr€t s3cr€\b\bt s3\b\b3cr€t";
        assertThat(Masking.mask(v, SECRET)).isSameAs(v);
        assertThat(Masking.mask("s3c\bcr€t", SECRET)).as("c BS c: a terminal shows s3cr€t").isEqualTo("***");
    }
}
