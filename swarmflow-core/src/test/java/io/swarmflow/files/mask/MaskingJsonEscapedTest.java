package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secret a program prints JSON-escaped (a JSON log line, {@code jq}, an API's error echoing a request) is masked in
 * that form too: {@code "} as {@code \"}, {@code \} as {@code \\}, control characters as {@code \n} and the like,
 * non-ASCII as {@code \\u00e9} (Python's default), {@code /} as {@code \/} (PHP's), {@code <>&} as {@code \\u003c}...
 * (Go's).
 */
class MaskingJsonEscapedTest {
    @Test
    void quotesBackslashesAndControlCharacters() {
        String secret = "pa\"ss\\wo\nrd\t!";
        String json = "{\"password\":\"pa\\\"ss\\\\wo\\nrd\\t!\",\"user\":\"x\"}";
        assertThat(Masking.mask(json, List.of(secret))).isEqualTo("{\"password\":\"***\",\"user\":\"x\"}");
        assertThat(Masking.mask("k=\"ab\\u001bcd\"", List.of("ab\u001bcd"))).isEqualTo("k=\"***\"");
    }

    @Test
    void nonAsciiAsUnicodeEscapesAndSlashesEscaped() {
        assertThat(Masking.mask("{\"p\":\"p\\u00e4ss\\u20acw\\ud83d\\ude00\"}", List.of("päss€w\ud83d\ude00")))
                .isEqualTo("{\"p\":\"***\"}");
        assertThat(Masking.mask("{\"url\":\"https:\\/\\/u:t0k\\/en@h\"}", List.of("t0k/en"))).isEqualTo("{\"url\":\"https:\\/\\/u:***@h\"}");
        assertThat(Masking.mask("{\"p\":\"s\\/\\u00e9cret\"}", List.of("s/écret"))).as("PHP: both").isEqualTo("{\"p\":\"***\"}");
        assertThat(Masking.mask("{\"q\":\"a=1\\u0026b=\\u003c2\\u003e\"}", List.of("a=1&b=<2>"))).as("Go")
                .isEqualTo("{\"q\":\"***\"}");
    }

    @Test
    void theFormsAreComputedOnceAndOnlyWhenTheyDiffer() {
        assertThat(Masking.jsonForms("s3cr3t-Token_42")).isEmpty();
        assertThat(Masking.jsonForms("a/b\"c")).containsExactly("a/b\\\"c", "a\\/b\\\"c");
        assertThat(Masking.jsonForms("é/x")).containsExactlyInAnyOrder("\\u00e9/x", "é\\/x", "\\u00e9\\/x");
        assertThat(Masking.ordered(List.of("ab\"c", "x\"y"))).as("the minimum is the secret's own length")
                .containsExactly("ab\\\"c", "ab\"c");
    }

    @Test
    void theSecretAsItIsStaysMasked() {
        assertThat(Masking.mask("pa\"ss\\wo and pa\\\"ss\\\\wo", List.of("pa\"ss\\wo"))).isEqualTo("*** and ***");
    }
}
