package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm status} shows the spec's description, as report.json and report.html do; {@code status --json} gives it. */
class StatusDescriptionTest {
    @TempDir
    Path tmp;

    @Test
    void statusShowsTheSpecsDescriptionUnderTheRunsFirstLine() {
        String state = tmp.resolve("state").toString();
        Path spec = Cli.write(tmp.resolve("described.yaml"), """
                name: described
                description: "Builds the site and publishes it.\\nLine 2 with an escape \\e[2J here.\\nLine 3\\nLine 4 %s\\nLine 5\\nLine 6\\nLine 7\\n"
                tickets:
                  - id: a
                    run: echo
                """.formatted("w".repeat(300)));
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state);
        assertThat(run.code()).as("%s", run).isZero();
        String id = runId(run);

        Result status = swarm("status", id, "--state-dir", state);
        assertThat(status.out()).as("%s", status).startsWith("run " + id + " (described): succeeded, ")
                .contains("\n  Builds the site and publishes it.\n  Line 2 with an escape ^[[2J here.\n  Line 3\n  Line 4 " + "w".repeat(193) + " …\n  Line 5\n"
                        + "  … (2 more lines of the description; report.html shows it whole)\n  spec ")
                .doesNotContain("Line 6");
        String description = swarm("status", id, "--json", "--state-dir", state).json().get("run").get("description").asText();
        assertThat(description).startsWith("Builds the site and publishes it.\nLine 2 with an escape \u001B[2J here.\n").contains("Line 7");
        assertThat(swarm("status", id, "a", "--json", "--state-dir", state).json().get("run").get("description").asText())
                .isEqualTo(description);

        Path plain = Cli.write(tmp.resolve("plain.yaml"), "tickets:\n  - id: a\n    run: echo\n");
        String other = runId(swarm("run", plain.toString(), "--plain", "--state-dir", state));
        assertThat(swarm("status", other, "--json", "--state-dir", state).json().get("run").get("description").isNull()).isTrue();
        assertThat(swarm("status", other, "--state-dir", state).out().lines().skip(1).findFirst().orElseThrow()).startsWith("  spec ");
    }
}
