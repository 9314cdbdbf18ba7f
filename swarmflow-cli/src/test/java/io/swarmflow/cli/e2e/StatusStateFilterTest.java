package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm status RUN --state STATE,...}: only the tickets in those states, the run's summary still counting all. */
class StatusStateFilterTest {
    @TempDir
    Path tmp;

    @Test
    void listsOnlyTheTicketsInTheGivenStates() throws Exception {
        Path spec = Cli.write(tmp.resolve("mixed.yaml"), """
                tickets:
                  - {id: ok, run: "true"}
                  - {id: broken, run: exit 3}
                  - {id: after, needs: [broken], run: "true"}
                """);
        String state = tmp.resolve("state").toString();
        Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state);
        assertThat(run.code()).as("%s", run).isEqualTo(1);

        Result failed = swarm("status", "--state", "failed", "--state-dir", state);
        assertThat(failed.code()).as("%s", failed).isZero();
        assertThat(failed.out()).contains("tickets: 3 (succeeded 1, failed 1, skipped 1)").contains("\nbroken ")
                .doesNotContain("\nok ", "\nafter ");

        JsonNode json = swarm("status", "--json", "--state", "failed,skipped", "--state-dir", state).json();
        List<String> ids = new ArrayList<>();
        json.get("tickets").forEach(t -> ids.add(t.get("id").asText()));
        assertThat(ids).containsExactly("broken", "after");

        Result none = swarm("status", "--state", "running", "--state-dir", state);
        assertThat(none.code()).as("%s", none).isZero();
        assertThat(none.out()).endsWith("\nno ticket is in state running\n");
        // said "no ticket is awaiting-approval or retry-wait", "no ticket is succeeded": the states are names
        assertThat(swarm("status", "--state", "awaiting-approval,retry-wait", "--state-dir", state).out())
                .endsWith("\nno ticket is in state awaiting-approval or retry-wait\n");

        Result bad = swarm("status", "--state", "failed,done", "--state-dir", state);
        assertThat(bad.code()).as("%s", bad).isEqualTo(2);
        assertThat(bad.err()).contains("swarm: unknown ticket state 'done' in --state; use one or more of pending, ready, "
                + "awaiting-approval, running, retry-wait, succeeded, failed, skipped, cancelled, separated by commas");
        assertThat(bad.out()).isEmpty();
    }
}
