package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spec's {@code name} has no length limit; the terminal views show its first 60 characters (an ellipsis for the rest),
 * {@code --json} the whole name. The review's run had a name of 340,000 characters, and every row of {@code swarm runs},
 * other runs' too, was that wide.
 */
class LongRunNameTest {
    @TempDir
    Path tmp;

    @Test
    void terminalViewsCutALongNameAndJsonKeepsItWhole() throws Exception {
        String name = "nightly-".repeat(1_000); // 8,000 characters
        String shown = name.substring(0, 59) + "…";
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("long.yaml"), "name: " + name + "\ntickets:\n  - {id: a, run: \"true\"}\n");
        Path other = Cli.write(tmp.resolve("other.yaml"), "name: short\ntickets:\n  - {id: a, run: \"true\"}\n");

        Result validate = swarm("validate", spec.toString());
        assertThat(validate.code()).as("%s", validate).isZero();
        assertThat(validate.out()).contains("ok: swarm '" + shown + "', 1 ticket").doesNotContain(name);
        for (Path s : new Path[] {spec, other}) {
            Result run = swarm("run", s.toString(), "--plain", "--quiet", "--state-dir", state.toString());
            assertThat(run.code()).as("%s", run).isZero();
            assertThat(run.out()).doesNotContain(name);
        }

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isZero();
        assertThat(runs.out()).contains(" " + shown + " ").doesNotContain(name);
        for (String line : runs.out().split("\n")) assertThat(line.length()).as(line).isLessThan(200);

        Result json = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(json.code()).as("%s", json).isZero();
        String run = null;
        for (var r : json.json()) if (r.get("name").asText().equals(name)) run = r.get("id").asText(); // whole in --json
        assertThat(run).as("the run named whole in %s", json.out()).isNotNull();
        Result status = swarm("status", run, "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains("run " + run + " (" + shown + "): succeeded").doesNotContain(name);
        Result ticket = swarm("status", run, "a", "--state-dir", state.toString());
        assertThat(ticket.code()).as("%s", ticket).isZero();
        assertThat(ticket.out()).contains("ticket a of run " + run + " (" + shown + "): succeeded").doesNotContain(name);
    }
}
