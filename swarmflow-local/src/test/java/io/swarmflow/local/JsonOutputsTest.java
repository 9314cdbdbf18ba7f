package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code {json: key}} outputs keep the value's JSON text as the line has it (docs/spec.md, outputs), and say how to print
 * the object when the JSON is there but not on the last object line.
 */
class JsonOutputsTest {
    @TempDir
    Path tmp;

    @Test
    void numbersObjectsAndArraysKeepTheirTextAsWritten() throws Exception {
        Map<String, String> v = LocalExecutor.topLevelValues("{\"big\":1e400, \"dec\": 1.10 ,\"neg\":-0,\"int\":12345678901234567890123,"
                + "\"exp\":-2.50E-3,\"t\":true,\"f\":false,\"n\":null,\"o\": {\"a\": [1.0, {\"b\":-0}],  \"c\":\"x\\\"y\"} ,"
                + "\"arr\":[ 1e400 , \"\\u00e9\" ],\"s\":\"tab\\there \\\"quoted\\\" \\\\ \\u00e9\\n\",\"e\":{},\"ea\":[]}");

        assertThat(v).containsEntry("big", "1e400").containsEntry("dec", "1.10").containsEntry("neg", "-0")
                .containsEntry("int", "12345678901234567890123").containsEntry("exp", "-2.50E-3")
                .containsEntry("t", "true").containsEntry("f", "false").containsEntry("n", "")
                .containsEntry("o", "{\"a\": [1.0, {\"b\":-0}],  \"c\":\"x\\\"y\"}")
                .containsEntry("arr", "[ 1e400 , \"\\u00e9\" ]")
                .containsEntry("s", "tab\there \"quoted\" \\ é\n")
                .containsEntry("e", "{}").containsEntry("ea", "[]")
                .hasSize(13);
    }

    @Test
    void invalidLinesAreNoObject() throws Exception {
        assertThat(LocalExecutor.topLevelValues("{}")).isEmpty();
        assertThat(LocalExecutor.topLevelValues("{\"k\":1,}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"k\":01}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"k\":NaN}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"k\":[1,2}")).isNull();
        assertThat(LocalExecutor.topLevelValues("[1]")).isNull();
    }

    /** The values reach the attempt's outputs unchanged: stdout, shell quoting and all. */
    @Test
    void theAttemptsOutputsAreTheValuesAsPrinted() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            Fixture.TicketBuilder t = Fixture.ticket("nums", "echo 'ignored'; echo '{\"big\":1e400,\"dec\":1.10,\"neg\":-0,"
                    + "\"o\":{\"x\": [1.50, null]},\"s\":\"a\\\"b\"}'");
            for (String k : new String[] {"big", "dec", "neg", "o", "s"}) t.output(new OutputSpec(k, null, k));
            AttemptResult r = f.run(t.build(), new TestControl());

            assertThat(r.outcome()).as(r.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.outputs()).containsEntry("big", "1e400").containsEntry("dec", "1.10").containsEntry("neg", "-0")
                    .containsEntry("o", "{\"x\": [1.50, null]}").containsEntry("s", "a\"b");
        }
    }

    /** {@code jq .} and {@code json.dumps(..., indent=2)} print an object over several lines: the reason says to print it on one. */
    @Test
    void anObjectPrintedOverSeveralLinesGetsAHint() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult pretty = f.run(Fixture.ticket("pretty", "printf '{\\n  \"v\": \"1\"\\n}\\n'")
                    .output(new OutputSpec("v", null, "v")).build(), new TestControl());
            AttemptResult after = f.run(Fixture.ticket("after", "echo '{\"w\":1}'; printf '{\\n  \"v\": \"1\"\\n}\\n'")
                    .output(new OutputSpec("v", null, "v")).build(), new TestControl());

            assertThat(pretty.reason()).isEqualTo("output 'v': no line of stdout (up to 1 MiB long) is a JSON object"
                    + LocalExecutor.SEVERAL_LINES);
            assertThat(LocalExecutor.SEVERAL_LINES).contains("print the object on one line (jq -c, or json.dumps without indent)");
            assertThat(after.reason()).isEqualTo("output 'v': key 'v' is not in the last JSON line of stdout" + LocalExecutor.SEVERAL_LINES);
        }
    }

    /** A key only an earlier JSON line had: the reason says only the last line is read. */
    @Test
    void aKeyOnlyAnEarlierLineHadIsNamedSo() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult r = f.run(Fixture.ticket("two", "echo '{\"v\":\"old\"}'; echo '{\"w\":\"new\"}'")
                    .output(new OutputSpec("v", null, "v")).output(new OutputSpec("w", null, "w")).build(), new TestControl());

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).isEqualTo("output 'v': key 'v' is not in the last JSON line of stdout; an earlier JSON line of "
                    + "stdout has it, but only the last one is read: print all the outputs in one JSON line, the last");
        }
    }

    /**
     * {@code {json: a.b}} is one key named "a.b", not a path into {@code {"a": {"b": ...}}}: when the line has 'a', the
     * reason says keys are top-level only; a dotted key whose first part is not in the line gets no such note.
     */
    @Test
    void aDottedKeyWhoseFirstPartIsInTheLineSaysKeysAreTopLevelOnly() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult nested = f.run(Fixture.ticket("nested", "echo '{\"a\": {\"b\": 1}}'")
                    .output(new OutputSpec("v", null, "a.b")).build(), new TestControl());
            AttemptResult other = f.run(Fixture.ticket("other", "echo '{\"x\": {\"b\": 1}}'")
                    .output(new OutputSpec("v", null, "a.b")).build(), new TestControl());
            AttemptResult dotted = f.run(Fixture.ticket("dotted", "echo '{\"a\": 1, \"a.b\": \"yes\"}'")
                    .output(new OutputSpec("v", null, "a.b")).build(), new TestControl());

            assertThat(nested.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(nested.reason()).isEqualTo("output 'v': key 'a.b' is not in the last JSON line of stdout; "
                    + "keys are top-level only (a.b is not a path)");
            assertThat(other.reason()).isEqualTo("output 'v': key 'a.b' is not in the last JSON line of stdout");
            assertThat(dotted.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(dotted.outputs()).containsEntry("v", "yes");
        }
    }
}
