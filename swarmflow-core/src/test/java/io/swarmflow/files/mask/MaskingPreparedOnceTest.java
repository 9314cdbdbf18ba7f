package io.swarmflow.files.mask;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masking many short texts with one set of secrets (the report's log tail masks each line, an attempt's result each
 * output) prepares the secrets' JSON forms once, not once a call; and a scan tries at each place only the secrets whose
 * first byte is there, so secrets that cannot begin at a byte cost nothing there. Counted ({@link Masking#formsBuilt},
 * {@link Masking.Scan#steps}), not timed.
 */
class MaskingPreparedOnceTest {
    /** 30 base64-like secrets, each with JSON forms ({@code /}), unique to this test. */
    private static List<String> secrets(String tag) {
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 30; i++) secrets.add("AbC/dEf+" + tag + i + "/".repeat(8) + "x".repeat(48));
        return secrets;
    }

    @Test
    void maskingLineAfterLineWithTheSameSecretsBuildsTheirFormsOnce() {
        List<String> secrets = secrets("once");
        long before = Masking.formsBuilt();
        for (int i = 0; i < 1000; i++) {
            assertThat(Masking.mask("error: could not open file x.txt", secrets)).isEqualTo("error: could not open file x.txt");
            // an equal collection (a caller that copies its secrets each time) finds them prepared too
            assertThat(Masking.mask("token " + secrets.get(i % 30) + " end", new ArrayList<>(secrets))).isEqualTo("token *** end");
        }
        assertThat(Masking.formsBuilt() - before).as("JSON forms built for 2000 calls with one set of 30 secrets")
                .isLessThanOrEqualTo(secrets.size());
    }

    @Test
    void anotherSetOfSecretsIsNotMaskedWithTheFormerOne() {
        List<String> a = secrets("setA");
        List<String> b = List.of("other-secret");
        String text = "a " + a.getFirst() + " b other-secret";
        assertThat(Masking.mask(text, a)).isEqualTo("a *** b other-secret");
        assertThat(Masking.mask(text, b)).isEqualTo("a " + a.getFirst() + " b ***");
        List<String> grown = new ArrayList<>(b);
        assertThat(Masking.mask(text, grown)).isEqualTo("a " + a.getFirst() + " b ***");
        grown.add(a.getFirst()); // the same list changed: its new secret is masked
        assertThat(Masking.mask(text, grown)).isEqualTo("a *** b ***");
        assertThat(Masking.mask(text, a)).isEqualTo("a *** b other-secret");
    }

    @Test
    void aScanTriesOnlyTheSecretsThatCanBeginAtEachByte() {
        String text = "z".repeat(64 * 1024);
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 1000; i++) secrets.add("a" + i + "-secret-value");
        Masking.Scan scan = new Masking.Scan(text, secrets, true);
        for (int i = 0; i < text.length(); i++) assertThat(scan.at(i)).isZero();
        assertThat(scan.steps()).as("steps for %d bytes and %d secrets none of which begins with z", text.length(),
                secrets.size()).isLessThanOrEqualTo(2L * text.length());
    }

    @Test
    void trialsOfOnlyTheSecretsThatBeginThereFindWhatTryingEverySecretFinds() {
        Random random = new Random(20261207);
        String[] pieces = {"a", "b", "c", "ab", "abc", "é", "\u001B[1m", "\u001B[", "\u001B]0;t\u0007", "\u001B]x",
                "\u00C2\u009B1m", "\u00C2", "\b", "_\b", "\"", "\\", "/", "\n", "zz"};
        List<List<String>> sets = List.of(List.of("abcd", "bcab"), List.of("ab\u001B[1mc", "c\"ab", "ab/c\\a"),
                List.of("aaaa", "abab", "\u00C2\u00A9abc", "_abc", "b\bbcd"), List.of("\u001Babcd", "\nabc", "zzab"));
        int found = 0;
        int unknown = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder t = new StringBuilder();
            for (int k = random.nextInt(30); k > 0; k--) t.append(pieces[random.nextInt(pieces.length)]);
            String text = new String(t.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            List<String> secrets = sets.get(random.nextInt(sets.size()));
            for (boolean ended : new boolean[] {true, false}) {
                Masking.Scan indexed = new Masking.Scan(text, secrets, ended);
                Masking.Scan all = new Masking.Scan(text, secrets, ended);
                for (int i = 0; i < text.length(); i++) {
                    int at = indexed.at(i);
                    assertThat(at).as("at %d of %s, ended %s", i, text, ended).isEqualTo(all.atTryingEach(i));
                    if (at > 0) found++;
                    if (at < 0) unknown++;
                }
            }
        }
        assertThat(found).as("occurrences found").isGreaterThan(100);
        assertThat(unknown).as("places not known yet").isGreaterThan(100);
    }
}
