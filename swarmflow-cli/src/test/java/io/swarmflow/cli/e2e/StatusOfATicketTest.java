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
        Result mistyped = swarm("logs", run, "flakey", "--state-dir", state);
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
        assertThat(unknown.err()).isEqualTo("swarm: run " + run + " has no ticket 'nope'; its tickets are flaky; `swarm status " + run + "` lists them\n");
        assertThat(mistyped.code()).isEqualTo(2);
        assertThat(mistyped.err()).startsWith("swarm: run " + run + " has no ticket 'flakey'; did you mean 'flaky'? `swarm status ");
        assertThat(filtered.code()).isEqualTo(2);
        assertThat(filtered.err()).contains("--state filters the ticket list");
        assertThat(forgot.code()).isEqualTo(2);
        assertThat(forgot.err()).isEqualTo("swarm: no run 'flaky'; the latest run, " + run + ", has a ticket flaky: `swarm status "
                + run + " flaky` shows it\n");
    }

    /**
     * A reason up to 64 KiB long (stderr's last line): the first line cuts it (as report.html, the progress view and the
     * attempt table do), with its length; the whole is below it, the details of the ticket being where it is asked for,
     * and in the JSON. swarm logs of a ticket that never ran cuts it too.
     */
    @Test
    void aLongReasonIsCutInTheFirstLineAndShownWholeBelow() {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                tickets:
                  - id: boom
                    run: |
                      printf 'exited badly: ' >&2
                      head -c 60000 /dev/zero | tr '\\0' x >&2
                      printf 'END\\n' >&2
                      exit 3
                  - id: after
                    needs: [boom]
                    run: echo never
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state);
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        String run = runId(r);
        assertThat(r.out().lines()).as("the progress lines and the summary").allMatch(l -> l.length() < 400);

        Result text = swarm("status", run, "boom", "--state-dir", state);
        String whole = swarm("status", run, "boom", "--json", "--state-dir", state).json().get("tickets").get(0).get("reason").asText();
        assertThat(whole).startsWith("exited with code 3: exited badly: xxx").endsWith("xEND").hasSizeGreaterThan(60_000);
        String first = text.out().lines().findFirst().orElseThrow();
        assertThat(first).isEqualTo("ticket boom of run " + run + " (long): failed (1 attempt): "
                + whole.substring(0, io.swarmflow.cli.view.Printable.REASON_CHARS) + " … (" + whole.length() + " characters, all below)");
        assertThat(text.out()).contains("\nreason (" + whole.length() + " characters):\n  " + whole + "\n")
                .containsPattern("(?m)^1        failed   3 .* exited with code 3: exited badly: x+ …$");

        // a skipped ticket's reason is short, but the way is the same
        Result logs = swarm("logs", run, "after", "--state-dir", state);
        assertThat(logs.out()).isEmpty();
        assertThat(logs.err()).isEqualTo("swarm: after never ran (skipped: dependency boom failed)\n");
    }
}
