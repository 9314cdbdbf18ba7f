package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ticket whose process used up its profile's {@code cpu-time} was reported as "exited with code 137 (SIGKILL: killed,
 * for example by a limit or the OOM killer)": the kernel killed it at once, since the soft and the hard limit were the
 * same. Its failure now says which limit it hit, in the summary, {@code swarm status} and report.json alike.
 */
class CpuTimeLimitTest {
    @TempDir
    Path tmp;

    @Test
    void aTicketOverItsCpuTimeLimitIsReportedAsSuch() throws Exception {
        Path spec = Cli.write(tmp.resolve("burn.yaml"), """
                agents:
                  burner: {kind: shell, limits: {cpu-time: 1s}}
                tickets:
                  - id: shell-loop
                    agent: burner
                    run: while :; do :; done
                  - id: child
                    agent: burner
                    run: yes > /dev/null
                """);
        String state = tmp.resolve("state").toString();

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state);

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        String limit = "CPU time limit (1s) exceeded";
        assertThat(r.out()).as("%s", r).contains("✗ shell-loop FAILED: " + limit, "✗ child FAILED: " + limit)
                .doesNotContain("SIGKILL");
        String runId = r.out().lines().findFirst().orElseThrow().split(" ")[1].replace(":", "");
        JsonNode status = swarm("status", runId, "--json", "--state-dir", state).json();
        for (String id : new String[] {"shell-loop", "child"}) {
            assertThat(Cli.ticket(status, id).get("reason").asText()).startsWith(limit);
        }
        String report = Files.readString(tmp.resolve("state/runs").resolve(runId).resolve("report.json"));
        assertThat(report).contains(limit).doesNotContain("SIGKILL");
    }
}
