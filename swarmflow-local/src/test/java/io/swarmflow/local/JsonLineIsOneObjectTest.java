package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.store.Outcome;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spec.md, outputs: a JSON line is a line that, surrounding whitespace stripped, is exactly one JSON object. A line
 * of two objects ({@code {"a":1} {"b":2}}) used to count as its first one; it is not a JSON line, so the search goes on
 * to the line above, as for any other line.
 */
class JsonLineIsOneObjectTest {
    @TempDir
    Path tmp;

    @Test
    void aLineOfTwoObjectsOrOfAnObjectAndMoreIsNoJsonLine() throws Exception {
        assertThat(LocalExecutor.topLevelValues("{\"a\":1} {\"b\":2}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"a\":1}{\"b\":2}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"a\":1} {}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"a\":1} [2] {\"c\":3}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"a\":1}}")).isNull();
        assertThat(LocalExecutor.topLevelValues("{\"a\":1} \t")).containsExactly(Map.entry("a", "1"));
    }

    @Test
    void theLineAboveALineOfTwoObjectsGivesTheOutputs() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult r = f.run(Fixture.ticket("two", "echo '{\"a\":\"above\"}'; echo '{\"a\":\"first\"} {\"b\":2}'")
                    .output(new OutputSpec("a", null, "a")).build(), new TestControl());

            assertThat(r.outcome()).as(r.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.outputs()).containsEntry("a", "above");
        }
    }
}
