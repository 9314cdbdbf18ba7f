package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two likely slips get the line that works: a TICKET given before its RUN, and --state-dir pointed inside a state directory
 * (its runs folder, a run's logs). Both said only that there was no such run or state.
 */
class MisdirectedArgumentsTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketBeforeItsRunAndAStateDirInsideAStateDirGetTheCommandThatWorks() {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - id: build\n    run: echo built\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(run.code()).as("%s", run).isZero();
        String id = runId(run);

        for (String command : new String[]{"logs", "approve", "reject"}) {
            Result swapped = command.equals("reject") ? swarm(command, "build", id, "--reason", "no", "--state-dir", st)
                    : swarm(command, "build", id, "--state-dir", st);
            assertThat(swapped.code()).as("%s", swapped).isEqualTo(2);
            assertThat(swapped.err()).isEqualTo("swarm: no run 'build'; RUN comes first, then TICKET: `swarm " + command + " " + id
                    + " build" + (command.equals("reject") ? " --reason TEXT" : "") + "`\n");
        }
        // a run id that names no run is not taken for a swap
        assertThat(swarm("logs", "build", "nosuch", "--state-dir", st).err()).startsWith("swarm: no run 'build' in the state directory");

        for (Path inside : new Path[]{state.resolve("runs"), state.resolve("runs").resolve(id).resolve("logs").resolve("build").resolve("1")}) {
            Result status = swarm("status", "--state-dir", inside.toString());
            assertThat(status.code()).as("%s", status).isEqualTo(2);
            assertThat(status.err()).isEqualTo("swarm: no Swarmflow state in " + inside + "; it is inside the state directory " + st
                    + ": point --state-dir (or SWARM_STATE_DIR) at that\n");
            Result runs = swarm("runs", "--state-dir", inside.toString());
            assertThat(runs.code()).as("%s", runs).isZero();
            assertThat(runs.out()).isEqualTo("no runs in " + inside + "; it is inside the state directory " + st
                    + ": `swarm runs --state-dir " + st + "` lists its runs\n");
        }
    }
}
