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
    void fromTheStartTheFirstSecretThatBeginsAtEachPlace() {
        assertThat(Masking.mask("€€€xyzw", List.of("€xyzw", "€€€"))).isEqualTo("***xyzw");
        assertThat(Masking.mask("abcdefgh abcd", List.of("cdefgh", "abcd"))).isEqualTo("***efgh ***");
        assertThat(Masking.mask("xbcde", List.of("xbcd", "bcde"))).isEqualTo("***e");
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
