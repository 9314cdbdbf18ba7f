package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.store.Outcome;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A last JSON line beyond the JSON reader's limits (nested deeper than 1000 levels, a number of more than 1000 digits)
 * fails the attempt rather than leave an earlier line the answer (review-B F1).
 */
class JsonLineLimitsTest {
    @TempDir
    Path tmp;

    private static AttemptResult run(Fixture f, String id, String script) throws Exception {
        return f.run(Fixture.ticket(id, script).output(new OutputSpec("k", null, "k")).build(), new TestControl());
    }

    @Test
    void aLastLineBeyondTheReadersLimitsFailsTheAttemptRatherThanLeaveAnEarlierLineTheAnswer() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult deep = run(f, "deep", "echo '{\"k\":\"old\"}'; printf '{\"k\":\"new\",\"d\":%s%s}\\n' "
                    + "\"$(printf '[%.0s' $(seq 1001))\" \"$(printf ']%.0s' $(seq 1001))\"");
            AttemptResult number = run(f, "number", "echo '{\"k\":\"old\"}'; printf '{\"k\":\"new\",\"n\":%s}\\n' "
                    + "\"$(printf '1%.0s' $(seq 1200))\"");
            AttemptResult within = run(f, "within", "echo '{\"k\":\"old\"}'; printf '{\"k\":\"new\",\"d\":%s%s}\\n' "
                    + "\"$(printf '[%.0s' $(seq 998))\" \"$(printf ']%.0s' $(seq 998))\"");
            AttemptResult later = run(f, "later", "printf '{\"k\":\"new\",\"d\":%s%s}\\n' \"$(printf '[%.0s' $(seq 1001))\" "
                    + "\"$(printf ']%.0s' $(seq 1001))\"; echo '{\"k\":\"last\"}'");

            assertThat(deep.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(deep.reason()).startsWith("output 'k': the last line of stdout that looks like a JSON object cannot be "
                    + "read: document nesting depth (1001) exceeds the maximum allowed (1000), a limit of the JSON reader; "
                    + "print the outputs in a JSON line within it, the last");
            assertThat(number.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(number.reason()).startsWith("output 'k': the last line of stdout that looks like a JSON object cannot be "
                    + "read: number value length (1200) exceeds the maximum allowed (1000)");
            assertThat(within.outputs()).as(within.reason()).containsEntry("k", "new");
            assertThat(later.outputs()).as("a readable line after it is the answer: %s", later.reason()).containsEntry("k", "last");
        }
    }
}
