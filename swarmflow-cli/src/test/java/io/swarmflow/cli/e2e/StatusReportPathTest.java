package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
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
 * did not, and the README's tour had them guess the path. It now names it under the header once the file exists, and
 * {@code --json} as {@code run.report} (null until then), with each ticket's title.
 */
class StatusReportPathTest {
    @TempDir
    Path tmp;

    @Test
    void statusNamesTheReportOnceItIsWritten() throws Exception {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    title: Say hello\n    run: echo\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state);
        assertThat(run.code()).as("%s", run).isZero();
        String id = runId(run);
        Path html = tmp.resolve("state").toRealPath().resolve("runs").resolve(id).resolve("report.html");
        assertThat(run.out()).contains("  report: " + html + "\n");

        Result status = swarm("status", id, "--state-dir", state);
        assertThat(status.out()).as("%s", status).contains("  tickets: 1 (succeeded 1)\n  report: " + html + "\n\nTICKET ");

        JsonNode json = swarm("status", id, "--json", "--state-dir", state).json();
        assertThat(json.get("run").get("report").asText()).as("--json too").isEqualTo(html.toString());
        assertThat(json.get("tickets").get(0).get("title").asText()).isEqualTo("Say hello");
        assertThat(swarm("status", id, "a", "--json", "--state-dir", state).json().get("run").get("report").asText())
                .as("status RUN TICKET --json").isEqualTo(html.toString());

        Files.delete(html);
        // an ended run without its report (a coordinator killed while writing it, or the file removed): say how to get it
        assertThat(swarm("status", id, "--state-dir", state).out()).doesNotContain("report: " + html)
                .contains("  report: none (not written: its coordinator stopped before writing it, writing it failed, or it was "
                        + "removed); `swarm report " + id
                        + "` writes it\n");
        assertThat(swarm("status", id, "--json", "--state-dir", state).json().get("run").get("report").isNull())
                .as("null once it is gone").isTrue();
    }
}
