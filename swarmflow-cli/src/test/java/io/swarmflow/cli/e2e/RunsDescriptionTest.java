package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm runs} shows the first line of each run's description, from the runs table rather than each run's plan. */
class RunsDescriptionTest {
    @TempDir
    Path tmp;

    @Test
    void runsShowsTheFirstLineOfEachDescriptionCutInTheTableWholeInJsonWithoutReadingPlans() throws Exception {
        Path state = tmp.resolve("state");
        String longLine = "Checks every link of the documentation site, including the ones in the generated API pages";
        Path described = Cli.write(tmp.resolve("described.yaml"),
                "name: docs\ndescription: |\n  " + longLine + "\n  and a second line\ntickets:\n  - {id: a, run: \"true\"}\n");
        Path plain = Cli.write(tmp.resolve("plain.yaml"), "name: plain\ntickets:\n  - {id: a, run: \"true\"}\n");
        for (Path spec : new Path[] {described, plain}) {
            Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
            assertThat(run.code()).as("%s", run).isZero();
        }
        // the plans can no longer be read: runs must not need them
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("swarm.db")); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.executeUpdate("UPDATE event_batches SET payload = '[{' WHERE first_seq = 1");
        }

        Result table = swarm("runs", "--state-dir", state.toString());
        assertThat(table.code()).as("%s", table).isZero();
        String[] lines = table.out().split("\n");
        assertThat(lines[0]).endsWith("DURATION  DESCRIPTION");
        assertThat(lines[1]).contains(" plain ").endsWith("  -");
        assertThat(lines[2]).contains(" docs ").endsWith("  " + longLine.substring(0, 59) + "…");

        Result json = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(json.code()).as("%s", json).isZero();
        JsonNode runs = json.json();
        assertThat(runs.get(0).get("descriptionFirstLine").isNull()).isTrue();
        assertThat(runs.get(1).get("descriptionFirstLine").asText()).isEqualTo(longLine);
        assertThat(runs.get(1).has("description")).as("named apart from status --json's whole description").isFalse();
    }
}
