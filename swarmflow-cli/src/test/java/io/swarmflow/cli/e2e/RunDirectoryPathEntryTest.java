package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A PATH entry in the run's own scratch directory ({@code STATE/runs/${{ run.id }}/scratch/bin}) is not refused by
 * {@code swarm validate} and {@code swarm run}: the sandbox shows the scratch again on top of the hidden state directory
 * (docs/sandbox.md), and the program there runs. The run's logs, which stay hidden, are refused.
 */
class RunDirectoryPathEntryTest {
    @TempDir
    Path tmp;

    @Test
    void aPathEntryInTheRunsScratchIsAcceptedAndItsProgramRuns() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("scratch.yaml"), """
                tickets:
                  - id: make
                    run: mkdir -p "$SWARM_SCRATCH/bin" && printf '#!/bin/sh\\necho made-tool\\n' > "$SWARM_SCRATCH/bin/tool" && chmod +x "$SWARM_SCRATCH/bin/tool"
                    workspace: run
                  - id: use
                    needs: [make]
                    workspace: run
                    run: tool
                    env: {PATH: "%s/runs/${{ run.id }}/scratch/bin:/usr/bin:/bin"}
                """.formatted(state));
        Result validate = swarm("validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.code()).as("%s", validate).isZero();
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = CliEndToEndTest.runId(run);
        assertThat(swarm("logs", id, "use", "--state-dir", state.toString()).out()).contains("made-tool");

        Path logs = Cli.write(tmp.resolve("logs.yaml"), """
                tickets:
                  - {id: a, run: "true", env: {PATH: "%s/runs/${{ run.id }}/logs:/usr/bin"}}
                """.formatted(state));
        Result refused = swarm("validate", logs.toString(), "--state-dir", state.toString());
        if (!io.swarmflow.sandbox.Bubblewrap.probe().usable()) {
            // without bubblewrap the sandbox hides nothing (docs/sandbox.md), so nothing is refused
            assertThat(refused.code()).as("%s", refused).isZero();
            return;
        }
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("its PATH names " + state + "/runs/${{ run.id }}/logs, inside the state directory "
                + state);
    }
}
