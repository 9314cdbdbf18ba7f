package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run whose stored plan is damaged (review R1 finding 5): one line naming the run and the damage, without Jackson's
 * internals; a bare {@code swarm status}, whose newest run it is, names the run before it rather than only failing.
 */
class DamagedPlanTest {
    @TempDir
    Path tmp;

    @Test
    void aDamagedPlanIsOneLineAndABareStatusPointsToTheOtherRuns() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        for (int i = 0; i < 2; i++) {
            Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
            assertThat(run.code()).as("%s", run).isZero();
        }
        var listed = swarm("runs", "--json", "--state-dir", state.toString()).json();
        String newest = listed.get(0).get("id").asText();
        String older = listed.get(1).get("id").asText();
        Path db = state.resolve("swarm.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            s.executeUpdate("UPDATE event_batches SET payload = substr(payload, 1, 200) WHERE run_id = '" + newest + "' AND first_seq = 1");
        }
        String runsBefore = swarm("runs", "--json", "--state-dir", state.toString()).out();
        String damaged = "swarm: the plan of run " + newest + " (event 1 in " + db + ") is damaged (JSON ends at column 201): "
                + "that run cannot be shown, reported or resumed; start a new run";

        for (String command : new String[] {"status", "report", "resume"}) {
            Result r = swarm(command, newest, "--state-dir", state.toString());
            assertThat(r.code()).as("%s %s", command, r).isEqualTo(2);
            assertThat(r.err()).as(command).isEqualTo(damaged + "\n");
        }
        Result bare = swarm("status", "--state-dir", state.toString());
        assertThat(bare.code()).as("%s", bare).isEqualTo(2);
        assertThat(bare.err()).isEqualTo(damaged + "; it is the newest run: `swarm status " + older + "` shows the one before it, "
                + "and `swarm runs` lists them all\n");
        Result other = swarm("status", older, "--state-dir", state.toString());
        assertThat(other.code()).as("%s", other).isZero();
        assertThat(swarm("runs", "--json", "--state-dir", state.toString()).out()).as("nothing changed").isEqualTo(runsBefore);
    }
}
