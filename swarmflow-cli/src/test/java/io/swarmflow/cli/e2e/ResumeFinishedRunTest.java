package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm resume} of a finished run printed its table right under "nothing to resume", with no blank line between. */
class ResumeFinishedRunTest {
    @TempDir
    Path tmp;

    @Test
    void theTableOfAFinishedRunStandsApartFromItsLine() {
        String st = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - id: build\n    run: echo built\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(run.code()).as("%s", run).isZero();
        String id = runId(run);
        Result resume = swarm("resume", id, "--state-dir", st);
        assertThat(resume.code()).as("%s", resume).isZero();
        assertThat(resume.out()).startsWith("run " + id + " has already succeeded; nothing to resume\n\nTICKET ");
    }
}
