package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end of {@code swarm run} names report.html; {@code swarm status RUN}, where a user looks for the run afterwards,
 * did not, and the README's tour had them guess the path. It now names it under the header once the file exists.
 */
class StatusReportPathTest {
    @TempDir
    Path tmp;

    @Test
    void statusNamesTheReportOnceItIsWritten() throws Exception {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    run: echo\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state);
        assertThat(run.code()).as("%s", run).isZero();
        String id = runId(run);
        Path html = tmp.resolve("state").toRealPath().resolve("runs").resolve(id).resolve("report.html");
        assertThat(run.out()).contains("  report: " + html + "\n");

        Result status = swarm("status", id, "--state-dir", state);
        assertThat(status.out()).as("%s", status).contains("  tickets: 1 (succeeded 1)\n  report: " + html + "\n\nTICKET ");

        Files.delete(html);
        assertThat(swarm("status", id, "--state-dir", state).out()).doesNotContain("report:");
    }
}
