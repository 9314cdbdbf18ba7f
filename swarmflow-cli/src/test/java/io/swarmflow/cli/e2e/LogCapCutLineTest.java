package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plain output cuts a line longer than 4,000 characters and sends the reader to {@code swarm logs} for the whole line;
 * when the ticket's {@code log-size} cap fell inside that line, the log file does not have it whole either, and the
 * marker says what it has instead.
 */
class LogCapCutLineTest {
    @TempDir
    Path tmp;

    @Test
    void aLineTheLogSizeCapCutIsNotSaidToBeWholeInTheLogFile() {
        // stdout's cap of 10000 bytes keeps the first line (4501 bytes) whole and 5499 bytes of the second
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                agents:
                  small: {kind: shell, limits: {log-size: 10000}}
                tickets:
                  - id: long
                    agent: small
                    run: |
                      printf 'a%.0s' $(seq 4500); echo
                      printf 'b%.0s' $(seq 9000); echo
                      printf 'c%.0s' $(seq 4500) >&2; echo >&2
                """);
        String state = tmp.resolve("state").toString();

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state);

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).as("%s", r)
                .contains("long | " + "a".repeat(4_000) + "… [line cut at 4000 of 4500 characters; the attempt's log file "
                        + "has it whole, unless swarm says it cannot write that file: swarm logs]\n")
                .contains("long | " + "b".repeat(4_000) + "… [line cut at 4000 of the 5499 characters the ticket's log-size "
                        + "cap kept of it; the attempt's log file has those, not the rest, unless swarm says it cannot write that file: swarm logs]\n")
                .contains("long | [swarm: output truncated after 10000 bytes, inside the line above]\n")
                .contains("long | " + "c".repeat(4_000) + "… [line cut at 4000 of 4500 characters; the attempt's log file "
                        + "has it whole, unless swarm says it cannot write that file: swarm logs]\n");
        String runId = r.out().lines().findFirst().orElseThrow().split(" ")[1].replace(":", "");
        Result logs = swarm("logs", runId, "long", "--state-dir", state);
        assertThat(logs.out()).as("%s", logs).contains("a".repeat(4_500) + "\n" + "b".repeat(5_499) + "\n"
                + "[swarm: output truncated after 10000 bytes, inside the line above]").doesNotContain("b".repeat(5_500));
    }
}
