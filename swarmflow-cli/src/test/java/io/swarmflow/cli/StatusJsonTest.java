package io.swarmflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fields of {@code status --json} (docs/report.md lists them beside report.json's, some of which are named otherwise). */
class StatusJsonTest {
    static final long T0 = 1_738_324_800_000L; // 2025-01-31T12:00:00Z

    @Test
    void aTicketWaitingToRetrySaysWhenItRetries() {
        RunView run = new RunView("r1", "demo", "swarm.yaml", RunState.RUNNING, T0 - 500, T0, 0, 1, "host:1", false, 2, 9);
        List<TicketView> tickets = List.of(
                new TicketView("r1", "flaky", 0, TicketState.RETRY_WAIT, 1, 1, 0, 1, "exited with code 1", Map.of(), null, T0, 0, T0 + 30_000),
                new TicketView("r1", "done", 1, TicketState.SUCCEEDED, 1, 0, 0, 0, null, Map.of("n", "3"), null, T0, T0 + 10, 0));
        JsonNode status = QueryCommands.Status.statusJson(run, tickets);
        assertThat(status.get("run").get("state").asText()).isEqualTo("running");
        JsonNode flaky = status.get("tickets").get(0);
        assertThat(flaky.get("state").asText()).isEqualTo("retry-wait");
        assertThat(flaky.get("retryAt").asText()).isEqualTo("2025-01-31T12:00:30Z");
        assertThat(flaky.get("attempts").asInt()).isEqualTo(1);
        assertThat(flaky.get("reason").asText()).isEqualTo("exited with code 1");
        JsonNode done = status.get("tickets").get(1);
        assertThat(done.get("retryAt").isNull()).isTrue();
        assertThat(done.get("outputs").get("n").asText()).isEqualTo("3");
    }

    /** Each ticket's title, and the run's report.html (null until written), beside the fields scripts already read. */
    @Test
    void ticketsHaveTheirTitlesAndTheRunItsReportPath() {
        RunView run = new RunView("r1", "demo", "swarm.yaml", RunState.SUCCEEDED, T0 - 500, T0, T0 + 10, 1, null, false, 1, 9);
        List<TicketView> tickets = List.of(
                new TicketView("r1", "done", 0, TicketState.SUCCEEDED, 1, 0, 0, 0, null, Map.of(), null, T0, T0 + 10, 0));
        JsonNode written = QueryCommands.Status.statusJson(run, null, tickets, Map.of(), Map.of("done", "Build it"),
                "/state/runs/r1/report.html");
        assertThat(written.get("run").get("report").asText()).isEqualTo("/state/runs/r1/report.html");
        assertThat(written.get("run").get("id").asText()).as("the other fields stay").isEqualTo("r1");
        assertThat(written.get("tickets").get(0).get("title").asText()).isEqualTo("Build it");
        assertThat(written.get("tickets").get(0).get("id").asText()).isEqualTo("done");
        JsonNode notYet = QueryCommands.Status.statusJson(run, tickets);
        assertThat(notYet.get("run").has("report")).isTrue();
        assertThat(notYet.get("run").get("report").isNull()).isTrue();
    }

    /**
     * A worktree ticket's outputs were listed as the store's map held them (diffstat, branch, commit) while report.json
     * lists them by name (branch, commit, diffstat); both now list them by name.
     */
    @Test
    void outputsAreListedByNameAsInReportJson() {
        RunView run = new RunView("r1", "demo", "swarm.yaml", RunState.SUCCEEDED, T0 - 500, T0, T0 + 10, 1, null, false, 1, 9);
        Map<String, String> outputs = new java.util.LinkedHashMap<>();
        outputs.put("diffstat", " a | 1 +\n");
        outputs.put("branch", "swarm/r1/wt");
        outputs.put("commit", "abc123");
        List<TicketView> tickets = List.of(
                new TicketView("r1", "wt", 0, TicketState.SUCCEEDED, 1, 0, 0, 0, null, outputs, null, T0, T0 + 10, 0));
        List<String> names = new java.util.ArrayList<>();
        QueryCommands.Status.statusJson(run, tickets).get("tickets").get(0).get("outputs").fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactly("branch", "commit", "diffstat");
    }
}
