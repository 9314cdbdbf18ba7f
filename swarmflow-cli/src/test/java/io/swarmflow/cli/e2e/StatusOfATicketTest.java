package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code swarm status RUN TICKET}: one ticket, with a row per attempt, its outputs, and in JSON each attempt as report.json has it. */
class StatusOfATicketTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketsAttemptsAreListedWithTheirOutcomesExitCodesAndReasons() {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: flaky
                    retries: {max: 1, backoff: {initial: 10ms}}
                    run: |
                      if [ "$SWARM_ATTEMPT" = 1 ]; then echo not yet >&2; exit 3; fi
                      echo '{"n": "2"}'
                    outputs: {n: {json: n}}
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state);
        assertThat(r.code()).as("%s", r).isZero();
        String run = runId(r);

        Result text = swarm("status", run, "flaky", "--state-dir", state);
        Result json = swarm("status", run, "flaky", "--json", "--state-dir", state);
        Result unknown = swarm("status", run, "nope", "--state-dir", state);
        Result filtered = swarm("status", run, "flaky", "--state", "failed", "--state-dir", state);
        Result forgot = swarm("status", "flaky", "--state-dir", state);

        assertThat(text.code()).as("%s", text).isZero();
        assertThat(text.out()).startsWith("ticket flaky of run " + run + " (s): succeeded (2 attempts)\n\n"
                        + "ATTEMPT  OUTCOME    EXIT  STARTED ")
                .containsPattern("(?m)^1        failed     3     \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  \\S+ +exited with code 3")
                .containsPattern("(?m)^2        succeeded  0     ")
                .endsWith("\noutputs:\n  n: 2\n\nlogs: swarm logs " + run + " flaky --attempt N\n");
        JsonNode j = json.json();
        assertThat(j.get("tickets")).hasSize(1);
        assertThat(j.get("run").get("executing").asBoolean()).isFalse();
        assertThat(j.get("run").get("cancelling").asBoolean()).isFalse();
        assertThat(j.get("tickets").get(0).get("id").asText()).isEqualTo("flaky");
        assertThat(j.get("attempts")).hasSize(2);
        JsonNode first = j.get("attempts").get(0);
        assertThat(first.get("attempt").asInt()).isEqualTo(1);
        assertThat(first.get("outcome").asText()).isEqualTo("failed");
        assertThat(first.get("exitCode").asInt()).isEqualTo(3);
        assertThat(first.get("reason").asText()).startsWith("exited with code 3");
        assertThat(first.get("durationMillis").asLong()).isNotNegative();
        assertThat(j.get("attempts").get(1).get("outcome").asText()).isEqualTo("succeeded");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("swarm: run " + run + " has no ticket 'nope'");
        assertThat(filtered.code()).isEqualTo(2);
        assertThat(filtered.err()).contains("--state filters the ticket list");
        assertThat(forgot.code()).isEqualTo(2);
        assertThat(forgot.err()).isEqualTo("swarm: no run 'flaky'; the latest run, " + run + ", has a ticket flaky: `swarm status "
                + run + " flaky` shows it\n");
    }
}
