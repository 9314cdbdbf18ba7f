package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.store.Outcome;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last JSON line of stdout is read as a terminal shows it (after a progress bar's last CR, without a byte order
 * mark), and one whose key is given twice fails the attempt rather than leave an earlier line the answer (review-B F7,
 * N1, N2).
 */
class JsonLineReadingTest {
    @TempDir
    Path tmp;

    private static AttemptResult run(Fixture f, String id, String script) throws Exception {
        return f.run(Fixture.ticket(id, script).output(new OutputSpec("k", null, "k")).build(), new TestControl());
    }

    @Test
    void aJsonLineAfterAProgressBarOrAByteOrderMarkIsRead() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult bar = run(f, "bar", "for i in 10 50 100; do printf 'progress %s%%\\r' $i; done; echo '{\"k\":\"v\"}'");
            AttemptResult over = run(f, "over", "printf '{\"k\":\"drawn over\"}\\r{\"k\":\"shown\"}\\r\\n'");
            AttemptResult bom = run(f, "bom", "printf '\\357\\273\\277{\"k\":\"bom\"}\\n'");
            AttemptResult crs = run(f, "crs", "printf '{\"j\":1,\\r\"k\":\"whitespace\"}\\n'");

            assertThat(bar.outputs()).as(bar.reason()).containsEntry("k", "v");
            assertThat(over.outputs()).as(over.reason()).containsEntry("k", "shown");
            assertThat(bom.outputs()).as(bom.reason()).containsEntry("k", "bom");
            assertThat(crs.outputs()).as("a CR is JSON whitespace: %s", crs.reason()).containsEntry("k", "whitespace");
        }
    }

    @Test
    void aKeyGivenTwiceInTheLastJsonLineFailsTheAttempt() throws Exception {
        assertThatThrownBy(() -> LocalExecutor.topLevelValues("{\"k\":1,\"k\":2.0}"))
                .isInstanceOf(LocalExecutor.UnreadableLineException.class)
                .hasMessage("the last JSON line of stdout gives the key 'k' more than once, so which value is meant is "
                        + "unclear; print each key once");
        assertThat(LocalExecutor.topLevelValues("{\"k\":1,\"k\":2,}")).as("not JSON at all").isNull();
        assertThat(LocalExecutor.notStrictJson("{\"k\":1,\"k\":2,}")).as("but it looks like it: said so").isNotNull();
        assertThat(LocalExecutor.topLevelValues("{\"o\":{\"a\":1,\"a\":2}}")).as("inside a value, its text")
                .containsExactly(Map.entry("o", "{\"a\":1,\"a\":2}"));
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult twice = run(f, "twice", "echo '{\"k\":\"one\",\"k\":\"two\"}'");
            AttemptResult earlier = run(f, "earlier", "echo '{\"k\":\"one\",\"k\":\"two\"}'; echo '{\"k\":\"three\"}'");

            assertThat(twice.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(twice.reason()).isEqualTo("output 'k': the last JSON line of stdout gives the key 'k' more than once, "
                    + "so which value is meant is unclear; print each key once");
            assertThat(earlier.outputs()).as(earlier.reason()).containsEntry("k", "three");
        }
    }

    /**
     * A last JSON line that is not strict JSON (a trailing comma, Python's single quotes) was taken for no JSON line at
     * all, or left an earlier line the answer silently: it now fails the attempt, naming the line and how to fix it.
     */
    @Test
    void aLastJsonLineThatIsNotStrictJsonFailsTheAttemptNamingTheLine() throws Exception {
        assertThat(LocalExecutor.notStrictJson("{\"a\": 1,}"))
                .isEqualTo("stops at column 9: unexpected character: was expecting double-quote to start field name");
        assertThat(LocalExecutor.notStrictJson("{'a': 1}")).isNotNull().doesNotContain("'", "\"");
        assertThat(LocalExecutor.notStrictJson("{\"k\": s3cr3t-t0ken}")).as("none of the line's text: a cut secret is not masked")
                .isEqualTo("stops at column 13: unrecognized token: was expecting (JSON String, Number, Array, Object or token "
                        + "null, true or false)");
        assertThat(LocalExecutor.notStrictJson("{\"a\":1} {\"b\":2}")).as("an object and more text: documented as ignored").isNull();
        assertThat(LocalExecutor.notStrictJson("{note}")).as("text in braces").isNull();
        assertThat(LocalExecutor.notStrictJson("{}")).isNull();
        assertThat(LocalExecutor.notStrictJson("{\"a\":\"tab\there\"}")).as("review D3 F6: no empty parentheses left")
                .contains("(a control character, code 9)").doesNotContain("()");
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult comma = run(f, "comma", "echo start; echo '{\"k\": 1,}'");
            AttemptResult earlier = run(f, "earlier", "echo '{\"k\": \"old\"}'; echo '{\"k\": \"new\",}'");
            AttemptResult bar = run(f, "bar", "printf 'progress 50%%\\r{\"k\": 2,}\\n'");
            AttemptResult longer = run(f, "longer", "echo '{\"k\": \"" + "x".repeat(200) + "\",}'");
            AttemptResult later = run(f, "later", "echo '{\"k\": 1,}'; echo '{\"k\": \"fixed\"}'; echo '{done}'");

            assertThat(comma.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(comma.reason()).isEqualTo("output 'k': line 2 of stdout is not strict JSON, though it looks like the "
                    + "outputs' JSON object: write keys and strings in double quotes, no trailing comma, comment or NaN (jq -c "
                    + "and json.dumps print it so); the JSON reader stops at column 9: unexpected character: was expecting "
                    + "double-quote to start field name");
            assertThat(comma.reason().indexOf("json.dumps")).as("the fix before where a reason is cut").isLessThan(200);
            assertThat(earlier.outcome()).as("an earlier line must not pass for the answer: %s", earlier.outputs())
                    .isEqualTo(Outcome.FAILED);
            assertThat(earlier.reason()).contains("line 2 of stdout").doesNotContain("new");
            assertThat(bar.reason()).as("after a progress bar's CR, the column of the whole line (review RV F7)")
                    .contains("line 1 of stdout", "column 22 of the line, the text before its CR counted:");
            assertThat(longer.reason()).contains("line 1 of stdout").doesNotContain("xx");
            assertThat(later.outputs()).as(later.reason()).containsEntry("k", "fixed");
        }
    }

    /**
     * Review RV F3: an object printed after a valid outputs line (Python's {@code print(dict)}, Ruby's {@code p hash}, a
     * NaN) failed every attempt, though it names none of the outputs' keys. It is passed over now; a line that names a key,
     * or comes when no earlier line gave every key, still fails.
     */
    @Test
    void anotherObjectPrintedAfterTheOutputsLineIsPassedOver() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult python = run(f, "python", "echo '{\"k\": \"v\"}'; echo \"{'other': 1}\"");
            AttemptResult ruby = run(f, "ruby", "echo '{\"k\": \"v\"}'; echo '{\"x\"=>1}'");
            AttemptResult nan = run(f, "nan", "echo '{\"k\": \"v\"}'; echo '{\"ratio\": NaN}'");
            AttemptResult namesKey = run(f, "names", "echo '{\"k\": \"v\"}'; echo \"{'k': 'w'}\"");
            AttemptResult rubyKey = run(f, "rubykey", "echo '{\"k\": \"v\"}'; echo '{\"k\" => 1}'");
            AttemptResult partial = run(f, "partial", "echo '{\"j\": \"v\"}'; echo \"{'other': 1}\"");
            AttemptResult indented = run(f, "indented", "echo \"  {'k': 1}\"");

            assertThat(python.outputs()).as(python.reason()).containsEntry("k", "v");
            assertThat(ruby.outputs()).as(ruby.reason()).containsEntry("k", "v");
            assertThat(nan.outputs()).as(nan.reason()).containsEntry("k", "v");
            assertThat(namesKey.outcome()).as("it names the output's key: it may be meant as the answer").isEqualTo(Outcome.FAILED);
            assertThat(namesKey.reason()).contains("line 2 of stdout is not strict JSON");
            assertThat(rubyKey.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(partial.outcome()).as("no earlier line gave every key").isEqualTo(Outcome.FAILED);
            assertThat(partial.reason()).contains("line 2 of stdout is not strict JSON");
            assertThat(indented.reason()).as("review RV F7: the column in the line as printed").contains("column 4:");
        }
        assertThat(LocalExecutor.notStrictJson("{\"\u00e9\ud83d\ude00\": 1, 'k': 2}", "")).as("RCLI LOW-2: an emoji is one column")
                .startsWith("stops at column 11:");
        assertThat(LocalExecutor.notStrictJson("{'k': 2}", "\uFEFF")).as("a byte order mark is not shown").startsWith("stops at column 2:");
        assertThat(LocalExecutor.visibleStart("\uFEFF  {")).isEqualTo(3);
        assertThat(LocalExecutor.visibleStart(" \uFEFF {")).isEqualTo(3);
        assertThat(LocalExecutor.visibleStart("{")).isZero();
    }
}
