package io.swarmflow.files.mask;

import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskingTest {
    @Test
    void orderedByUtf8BytesThenByTheStringDroppingNullShortAndRepeatedOnes() {
        assertThat(Masking.ordered(Arrays.asList("xbcd", null, "abc", "€xyzw", "bcde", "€€€", "xbcd", "ééé")))
                .containsExactly("\\u00E9\\u00E9\\u00E9", "\\u00e9\\u00e9\\u00e9", "\\u20AC\\u20AC\\u20AC",
                        "\\u20ac\\u20ac\\u20ac", "\\u20ACxyzw", "\\u20acxyzw", // JSON-escaped forms (uppercase hex first)
                        "€€€", "€xyzw", "ééé", "bcde", "xbcd");
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

    /**
     * A secret holding half a character has no UTF-8 form: a process handed it prints {@code ?} there, which masking
     * cannot tell from an ordinary {@code ?}. It is refused, by the string form (and {@link Masking#ordered}, which the
     * stream form uses too), saying where the surrogate is and how to fix it, never quoting the secret; before the fix
     * the string form matched the surrogate itself while the stream matched {@code ab?cd}, masking an ordinary text.
     */
    @Test
    void aSecretHoldingALoneSurrogateIsRefusedSayingWhereNeverWhat() {
        assertThatThrownBy(() -> Masking.mask("see ab?cd", List.of("s3cr3t", "ab\ud800cd")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a secret to mask holds half a character: the lone surrogate \\ud800 at char 3 of its 5; it has "
                        + "no UTF-8 form, a process handed it gets ? there, and masking cannot tell that from an ordinary ?; "
                        + "pass the secret as valid text (a character beyond U+FFFF as its whole surrogate pair)")
                .message().doesNotContain("ab", "cd");
        assertThatThrownBy(() -> Masking.ordered(List.of("\udc00abcd"))).hasMessageContaining("\\udc00 at char 1 of its 5");
        assertThatThrownBy(() -> Masking.ordered(List.of("abcd\ud83d"))).hasMessageContaining("\\ud83d at char 5 of its 5");
        // the halves of a pair in the wrong order are two lone surrogates; short secrets are refused too
        assertThatThrownBy(() -> Masking.ordered(List.of("ab\ude00\ud83d"))).hasMessageContaining("\\ude00 at char 3 of its 4");
        assertThatThrownBy(() -> Masking.requireText(Arrays.asList(null, "\ud800"))).isInstanceOf(IllegalArgumentException.class);
        // a whole pair is text
        assertThat(Masking.mask("x ab\ud83d\ude00cd y", List.of("ab\ud83d\ude00cd"))).isEqualTo("x *** y");
    }

    @Test
    void anAttemptRequestRefusesSuchASecretBeforeAnExecutorStartsAnythingAndAResultIsNotMaskedWithIt() {
        assertThatThrownBy(() -> new AttemptRequest("r", null, null, null, 1, "true", Map.of(), Path.of("/run"),
                Set.of("s3cr3t-value", "ab\udc00cd")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate \\udc00 at char 3 of its 5");
        assertThatThrownBy(() -> AttemptResult.failed(1, "see ab?cd").masked(Set.of("ab\ud800cd")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new AttemptRequest("r", null, null, null, 1, "true", Map.of(), Path.of("/run"), Set.of("s3cr3t-value"))
                .secrets()).containsExactly("s3cr3t-value");
    }

    /** A lone surrogate in a text is written as {@code ?} (log, console, store): it is matched as that {@code ?}. */
    @Test
    void aLoneSurrogateInTheTextIsMatchedAsTheQuestionMarkItIsWrittenAs() {
        assertThat(Masking.mask("x ab\ud800cd y ab?cd", List.of("ab?cd"))).isEqualTo("x *** y ***");
        assertThat(Masking.mask("\udc00\ud800abc", List.of("??abc"))).isEqualTo("***");
        assertThat(Masking.mask("a\ud800\udc00b", List.of("a??b"))).as("a whole pair is not a ?").isEqualTo("a\ud800\udc00b");
        // an ordinary ? is masked only as part of a secret's occurrence
        String v = "what? ab?cd \ud800?";
        assertThat(Masking.mask(v, List.of("s3cr3t", "ab!cd", "????"))).isSameAs(v);
    }
}
