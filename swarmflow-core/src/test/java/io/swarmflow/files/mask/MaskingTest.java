package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MaskingTest {
    @Test
    void orderedByUtf8BytesThenByTheStringDroppingNullShortAndRepeatedOnes() {
        assertThat(Masking.ordered(Arrays.asList("xbcd", null, "abc", "€xyzw", "bcde", "€€€", "xbcd", "ééé")))
                .containsExactly("€€€", "€xyzw", "ééé", "bcde", "xbcd");
    }

    @Test
    void overlappingOccurrencesAreMaskedAsOneRunLeavingNoTailOfEither() {
        // before the union rule: "***efgh ***" (the tail of "cdefgh" shown), "***xyzw", "***e"
        assertThat(Masking.mask("abcdefgh abcd", List.of("cdefgh", "abcd"))).isEqualTo("*** ***");
        assertThat(Masking.mask("€€€xyzw", List.of("€xyzw", "€€€"))).isEqualTo("***");
        assertThat(Masking.mask("xbcde", List.of("xbcd", "bcde"))).isEqualTo("***");
        assertThat(Masking.mask("xabcdey", List.of("abcd", "bcde"))).isEqualTo("x***y");
        assertThat(Masking.mask("xabcdefy", List.of("bcde", "abcdef"))).isEqualTo("x***y"); // one inside the other
    }

    @Test
    void occurrencesOfOneSecretOverlappingItselfChainIntoOneRun() {
        assertThat(Masking.mask("aaaaaaaaaa", List.of("aaaa"))).isEqualTo("***");
        assertThat(Masking.mask("abababab-ab", List.of("abab"))).isEqualTo("***-ab");
        assertThat(Masking.mask("aaaa aaaa aaa", List.of("aaaa"))).isEqualTo("*** *** aaa");
    }

    @Test
    void touchingOccurrencesAreOneRunSeparateOnesStaySeparate() {
        assertThat(Masking.mask("abcdefgh", List.of("abcd", "efgh"))).isEqualTo("***");
        assertThat(Masking.mask("s3cr3ts3cr3t", List.of("s3cr3t"))).isEqualTo("***");
        assertThat(Masking.mask("abcd-abcd", List.of("abcd"))).isEqualTo("***-***");
        assertThat(Masking.mask("abcd efgh", List.of("abcd", "efgh"))).isEqualTo("*** ***");
        assertThat(Masking.mask("=abcd", List.of("abcd"))).isEqualTo("=***");
        assertThat(Masking.mask("abcd=", List.of("abcd"))).isEqualTo("***=");
    }

    @Test
    void theValueItselfWhenNothingIsMasked() {
        String v = "nothing here";
        assertThat(Masking.mask(v, List.of("abc", "zzzz"))).isSameAs(v);
        assertThat(Masking.mask(v, List.of())).isSameAs(v);
    }

    @Test
    void aLoneSurrogateInTheTextIsKept() {
        assertThat(Masking.mask("\ud800 s3cr3t \udc00", List.of("s3cr3t"))).isEqualTo("\ud800 *** \udc00");
    }
}
