package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every masking example that {@link Masking}'s class comment and docs/sandbox.md give is true: each is run, and the
 * sentence that states it is checked to still be there, word for word (so a changed example fails here, pointing at
 * its check). Every secret an example masks is at least {@value Masking#MIN_LENGTH} bytes: two of the class comment's
 * examples once used 3-byte secrets, which are not masked at all, and stated an output that does not happen (review R4
 * finding 3).
 */
class MaskingDocumentedExamplesTest {
    /** The module's directory: the tests run there (Maven's basedir), so the repository root is its parent. */
    private static final Path JAVADOC = Path.of("src/main/java/io/swarmflow/files/mask/Masking.java");
    private static final Path DOCS = Path.of("..", "docs", "sandbox.md");

    /** One documented example: where it is stated, the sentence that states it, and what it states. */
    private record Example(Path file, String sentence, String text, List<String> secrets, String masked) {
    }

    private static final List<Example> EXAMPLES = List.of(
            new Example(JAVADOC, "(so {@code aaaa} occurs three times in {@code aaaaaa})", "aaaaaa", List.of("aaaa"), "***"),
            new Example(JAVADOC, "with secrets {@code abcd} and {@code cdefgh}, {@code abcdefgh} gives {@code ***} (no tail of "
                    + "either is left)", "abcdefgh", List.of("abcd", "cdefgh"), "***"),
            new Example(JAVADOC, "with {@code abcd} and {@code bcde}, {@code xabcdey} gives {@code x***y}", "xabcdey",
                    List.of("abcd", "bcde"), "x***y"),
            new Example(JAVADOC, "with {@code abcd}, {@code abcd-abcd} gives {@code ***-***} (occurrences apart stay apart)",
                    "abcd-abcd", List.of("abcd"), "***-***"),
            new Example(JAVADOC, "Touching intervals (one ending where the next begins: {@code abcd} then {@code efgh} in "
                    + "{@code abcdefgh}) are merged into one {@value #MASK} too", "abcdefgh", List.of("abcd", "efgh"), "***"),
            new Example(JAVADOC, "with the secret {@code ab?cd}, the text {@code \"ab\\\\ud800cd\"}, shown as {@code ab?cd}, is "
                    + "masked", "ab\ud800cd", List.of("ab?cd"), "***"),
            new Example(JAVADOC, "with {@code ab/cd/ef}, {@code ab/ESC[1mcd/efESC[0m} gives {@code ***ESC[0m}",
                    "ab/\u001B[1mcd/ef\u001B[0m", List.of("ab/cd/ef"), "***\u001B[0m"),
            new Example(DOCS, "secrets `abcd` and `cdefgh` turn `abcdefgh` into `***`, not `***efgh`", "abcdefgh",
                    List.of("abcd", "cdefgh"), "***"),
            new Example(DOCS, "`abcd-abcd` stays `***-***`", "abcd-abcd", List.of("abcd"), "***-***"),
            new Example(DOCS, "which masks each (4 bytes or longer) with `***`", "x=abcd", List.of("abcd"), "x=***"));

    /** A file's text with line breaks, Javadoc's leading {@code *} and runs of spaces each made one space. */
    private static String flat(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8).replaceAll("\\R\\s*\\*?\\s*", " ").replaceAll(" +", " ");
    }

    @Test
    void everyDocumentedExampleIsStatedAndTrue() throws IOException {
        for (Example e : EXAMPLES) {
            assertThat(flat(e.file())).as("%s still states: %s", e.file(), e.sentence()).contains(e.sentence());
            assertThat(Masking.mask(e.text(), e.secrets())).as("%s: %s", e.file(), e.sentence()).isEqualTo(e.masked());
            for (String secret : e.secrets()) {
                assertThat(secret.getBytes(StandardCharsets.UTF_8).length).as("secret %s of: %s", secret, e.sentence())
                        .isGreaterThanOrEqualTo(Masking.MIN_LENGTH);
            }
        }
    }

    /** The class comment: {@code aaaa} occurs three times in {@code aaaaaa}, overlapping ones counted. */
    @Test
    void aaaaOccursThreeTimesInSixAs() {
        int count = 0;
        for (int i = "aaaaaa".indexOf("aaaa"); i >= 0; i = "aaaaaa".indexOf("aaaa", i + 1)) count++;
        assertThat(count).isEqualTo(3);
    }

    /**
     * The class comment and docs/sandbox.md: a secret shorter than {@value Masking#MIN_LENGTH} bytes is not masked (the
     * example the class comment gave with such secrets did not happen).
     */
    @Test
    void shorterSecretsAreNotMaskedAsStated() throws IOException {
        String sentence = "Secrets of fewer than {@value #MIN_LENGTH} UTF-8 bytes are not masked at all: with {@code abc}, "
                + "{@code abc-abc} stays as it is.";
        assertThat(flat(JAVADOC)).contains(sentence);
        assertThat(Masking.mask("abc-abc", List.of("abc"))).isEqualTo("abc-abc");
        assertThat(Masking.mask("xabcdy", List.of("abc", "bcd"))).isEqualTo("xabcdy"); // the old, false example
        assertThat(Masking.mask("€-€", List.of("€"))).isEqualTo("€-€"); // 3 UTF-8 bytes: bytes count, not chars
    }
}
