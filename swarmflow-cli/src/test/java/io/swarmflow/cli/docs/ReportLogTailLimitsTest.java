package io.swarmflow.cli.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/report.md, "Limits": a failure's log tail reads at most the last 256 KiB of the file, and a line longer than
 * 2,000 characters is cut and ends with {@code " …"}; the failure's reason, which ends with stderr's last line, is
 * given whole.
 */
class ReportLogTailLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void aFailuresTailReadsTheLast256KiBAndCutsLinesAt2000Characters() throws Exception {
        // 20 lines of 20,000 characters (20,001 bytes with the newline): the last 256 KiB hold 13 whole lines and a
        // part of the 7th, which is left out
        Path spec = Files.writeString(tmp.resolve("tail.yaml"), """
                tickets:
                  - id: loud
                    run: |
                      x=$(printf '%19995s' '' | tr ' ' x)
                      for i in $(seq 1 20); do printf '%05d%s\\n' "$i" "$x" >&2; done
                      exit 1
                """);
        Path state = tmp.resolve("state");
        DocsCli.Result r = DocsCli.swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);

        Path runDir = DocsCli.onlyRunDir(state);
        JsonNode report = new ObjectMapper().readTree(runDir.resolve("report.json").toFile());
        JsonNode failure = report.get("failures").get(0);
        assertThat(failure.get("stream").asText()).isEqualTo("stderr");
        assertThat(failure.get("truncated").asBoolean()).isTrue();
        String x = "x".repeat(1995);
        List<String> expected = new ArrayList<>();
        for (int i = 8; i <= 20; i++) expected.add("%05d%s …".formatted(i, x));
        List<String> lines = new ArrayList<>();
        failure.get("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).containsExactlyElementsOf(expected);

        String reason = report.get("tickets").get(0).get("reason").asText();
        assertThat(reason).as("the reason keeps stderr's last line whole").endsWith("00020" + "x".repeat(19995));
    }
}
