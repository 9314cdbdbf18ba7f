package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A secret a program prints JSON-escaped (a JSON log line, {@code jq}, an API's error echoing a request) is masked in
 * that form too: {@code "} as {@code \"}, {@code \} as {@code \\}, control characters as {@code \n} and the like,
 * non-ASCII as {@code \\u00e9} (Python's default), {@code /} as {@code \/} (PHP's), {@code <>&} as {@code \\u003c}...
 * (Go's), those and {@code =}, {@code '} (Gson's default), control characters in uppercase hex (Jackson's).
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
    void gsonDefaultEscapingOfEqualsAndApostropheIsMasked() {
        // new com.google.gson.Gson().toJson("c2VjcmV0IGtleQ==") prints "c2VjcmV0IGtleQ\u003d\u003d" (htmlSafe is Gson's default)
        assertThat(Masking.mask("{\"token\":\"c2VjcmV0IGtleQ\\u003d\\u003d\"}", List.of("c2VjcmV0IGtleQ==")))
                .isEqualTo("{\"token\":\"***\"}");
        assertThat(Masking.mask("\"it\\u0027s-a-secret\"", List.of("it's-a-secret"))).isEqualTo("\"***\"");
        // Gson escapes <>& as Go does, and = too; Go leaves = as it is: both are masked
        assertThat(Masking.mask("{\"q\":\"a\\u003d1\\u0026b\\u003d\\u003c2\\u003e\"}", List.of("a=1&b=<2>")))
                .as("Gson").isEqualTo("{\"q\":\"***\"}");
        assertThat(Masking.jsonForms("c2VjcmV0IGtleQ==")).containsExactly("c2VjcmV0IGtleQ\\u003d\\u003d");
        assertThat(Masking.jsonForms("a=1&b")).containsExactly("a=1\\u0026b", "a\\u003d1\\u0026b");
    }

    @Test
    void jacksonsUppercaseHexForControlCharactersIsMasked() {
        // new JsonFactory().createGenerator(w).writeString("ab\u001bcd-secret") writes "ab\u001Bcd-secret"
        assertThat(Masking.mask("{\"k\":\"ab\\u001Bcd-secret\"}", List.of("ab\u001bcd-secret")))
                .isEqualTo("{\"k\":\"***\"}");
        assertThat(Masking.jsonForms("ab\u001bcd\n")).containsExactly("ab\\u001bcd\\n", "ab\\u001Bcd\\n");
        assertThat(Masking.jsonForms("ab\ncd")).as("no control character in hex: no uppercase form").containsExactly("ab\\ncd");
    }

    @Test
    void theFormsAreComputedOnceAndOnlyWhenTheyDiffer() {
        assertThat(Masking.jsonForms("s3cr3t-Token_42")).isEmpty();
        assertThat(Masking.jsonForms("a/b\"c")).containsExactly("a/b\\\"c", "a\\/b\\\"c");
        assertThat(Masking.jsonForms("é/x")).containsExactlyInAnyOrder("\\u00e9/x", "é\\/x", "\\u00e9\\/x", "\\u00E9/x");
        assertThat(Masking.ordered(List.of("ab\"c", "x\"y"))).as("the minimum is the secret's own length")
                .containsExactly("ab\\\"c", "ab\"c");
    }

    @Test
    void theSecretAsItIsStaysMasked() {
        assertThat(Masking.mask("pa\"ss\\wo and pa\\\"ss\\\\wo", List.of("pa\"ss\\wo"))).isEqualTo("*** and ***");
    }
}
