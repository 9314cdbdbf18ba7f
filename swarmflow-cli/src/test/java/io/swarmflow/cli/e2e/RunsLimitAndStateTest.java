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

/**
 * {@code swarm runs --limit N --state STATE,...}: a build box with hundreds of runs lists the newest few, or the failed
 * ones, without piping through {@code head}; the table says how many were left out; bad values are refused (exit 2).
 */
class RunsLimitAndStateTest {
    @TempDir
    Path tmp;

    @Test
    void limitsAndFiltersTheTableAndTheJson() throws Exception {
        Path ok = Cli.write(tmp.resolve("ok.yaml"), "name: ok\ntickets:\n  - {id: a, run: \"true\"}\n");
        Path bad = Cli.write(tmp.resolve("bad.yaml"), "name: bad\ntickets:\n  - {id: a, run: exit 3}\n");
        String state = tmp.resolve("state").toString();
        List<String> ids = new ArrayList<>(); // oldest first
        for (Path spec : List.of(ok, bad, ok, bad, ok)) {
            Result r = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state);
            assertThat(r.code()).as("%s", r).isIn(0, 1);
            JsonNode latest = swarm("status", "--json", "--state-dir", state).json();
            ids.add(latest.get("run").get("id").asText());
        }

        Result two = swarm("runs", "--limit", "2", "--state-dir", state);
        assertThat(two.code()).as("%s", two).isZero();
        assertThat(rowIds(two.out(), ids)).containsExactly(ids.get(4), ids.get(3)); // newest first
        assertThat(two.out()).contains("\n(the newest 2 of 5 runs; 3 older ones left out by --limit 2: raise it, or omit it to "
                + "list every run)\n");

        Result failed = swarm("runs", "--state", "failed", "--state-dir", state);
        assertThat(failed.code()).as("%s", failed).isZero();
        assertThat(rowIds(failed.out(), ids)).containsExactly(ids.get(3), ids.get(1));
        assertThat(failed.out()).doesNotContain("left out");

        Result oneFailed = swarm("runs", "--state", "failed", "--limit", "1", "--state-dir", state);
        assertThat(rowIds(oneFailed.out(), ids)).containsExactly(ids.get(3));
        assertThat(oneFailed.out()).contains("\n(the newest 1 of 2 runs in state failed; 1 older one left out by --limit 1: "
                + "raise it, or omit it to list every run)\n");

        JsonNode json = swarm("runs", "--json", "--state", "succeeded,failed", "--limit", "3", "--state-dir", state).json();
        List<String> jsonIds = new ArrayList<>();
        json.forEach(r -> jsonIds.add(r.get("id").asText()));
        assertThat(jsonIds).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        JsonNode succeededJson = swarm("runs", "--json", "--state", "SUCCEEDED", "--state-dir", state).json();
        assertThat(succeededJson).hasSize(3);

        Result none = swarm("runs", "--state", "cancelled,created", "--state-dir", state);
        assertThat(none.code()).as("%s", none).isZero();
        assertThat(none.out()).isEqualTo("no run in " + state + " is in state created or cancelled\n");

        Result unknown = swarm("runs", "--state", "failed,done", "--state-dir", state);
        assertThat(unknown.code()).as("%s", unknown).isEqualTo(2);
        assertThat(unknown.err()).contains("swarm: unknown run state 'done' in --state; use one or more of created, running, "
                + "succeeded, failed, cancelled, separated by commas");
        assertThat(unknown.out()).isEmpty();

        for (String limit : List.of("0", "-1")) {
            Result zero = swarm("runs", "--limit", limit, "--state-dir", state);
            assertThat(zero.code()).as("%s", zero).isEqualTo(2);
            assertThat(zero.err()).contains("swarm: --limit must be a whole number of runs, 1 or more, not " + limit
                    + "; omit it to list every run");
            assertThat(zero.out()).isEmpty();
        }
        Result word = swarm("runs", "--limit", "ten", "--state-dir", state);
        assertThat(word.code()).as("%s", word).isEqualTo(2);
        assertThat(word.err()).contains("--limit").contains("ten");
        assertThat(word.out()).isEmpty();
    }

    /** The run ids of the table's rows, in order. */
    private static List<String> rowIds(String table, List<String> ids) {
        return table.lines().map(l -> l.split(" ", 2)[0]).filter(ids::contains).toList();
    }
}
