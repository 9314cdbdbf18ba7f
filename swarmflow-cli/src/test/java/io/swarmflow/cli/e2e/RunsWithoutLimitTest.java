package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm runs} without {@code --limit} reads each run's lease with the run (SqlRunStore.newestRunsLeased): it tells
 * a run a coordinator executes from one whose coordinator is gone as {@code swarm status RUN} does (which reads the
 * run's lease on its own), in the table and in {@code --json}.
 */
class RunsWithoutLimitTest {
    @TempDir
    Path tmp;

    @Test
    void everyRunIsListedAsItsOwnStatusSeesIt() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "name: s\ntickets:\n  - {id: a, run: \"true\"}\n");
        String state = tmp.resolve("state").toString();
        Result first = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state);
        assertThat(first.code()).as("%s", first).isZero();
        String done = swarm("status", "--json", "--state-dir", state).json().get("run").get("id").asText();
        try (SqlRunStore store = SqlRunStore.openSqlite(Path.of(state))) {
            Plan plan = store.plan(done);
            for (String id : List.of("x-stopped", "x-executing")) {
                store.createRun(new RunEvent.RunCreated(id, plan, spec.toString()));
                long epoch = store.claimRun(id, "otherhost:1@1", 600_000); // a coordinator on another host
                store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
                if (id.equals("x-stopped")) store.releaseRun(id, epoch); // running, no coordinator: stopped
            }
        }

        Result table = swarm("runs", "--state-dir", state);
        assertThat(table.code()).as("%s", table).isZero();
        List<String> rows = table.out().lines().filter(l -> l.startsWith("x-") || l.startsWith(done)).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0)).startsWith("x-executing ").contains(" running ").doesNotContain("stopped");
        assertThat(rows.get(1)).startsWith("x-stopped ").contains(" running (stopped) ");
        assertThat(rows.get(2)).startsWith(done + " ").contains(" succeeded ");
        assertThat(table.out()).contains("\n(stopped): ");

        JsonNode json = swarm("runs", "--json", "--state-dir", state).json();
        List<String> listed = new ArrayList<>();
        for (JsonNode run : json) {
            String id = run.get("id").asText();
            JsonNode own = swarm("status", id, "--json", "--state-dir", state).json().get("run");
            listed.add(id + " " + run.get("state").asText() + " " + run.get("executing").asBoolean());
            assertThat(run.get("state")).as(id).isEqualTo(own.get("state"));
            assertThat(run.get("executing")).as(id).isEqualTo(own.get("executing"));
        }
        assertThat(listed).containsExactly("x-executing running true", "x-stopped running false", done + " succeeded false");
    }
}
