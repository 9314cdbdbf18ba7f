package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review R5: a ticket that prints a secret in pieces with terminal escape sequences between them (grep --color
 * highlighting a match inside it; printf with {@code \e[1m} in the middle) has it masked in its log, so report.json and
 * report.html, which remove the sequences from the log tail, show {@code ***}, not the secret put together again.
 */
class SecretSplitByEscapesTest {
    @TempDir
    Path tmp;

    @Test
    void aSecretColouredInPiecesIsMaskedInTheLogsAndTheReports() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by the surefire configuration").hasSizeGreaterThan(12);
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: leaky
                    workspace: run
                    env: {TOKEN: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      echo "using url https://user:$TOKEN@example.invalid/repo" | grep --color=always -e "${TOKEN:7:4}" >&2
                      printf 'token is \\e[1m%s\\e[0m%s\\e[0m\\n' "${TOKEN:0:5}" "${TOKEN:5}" >&2
                      exit 1
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        String run = CliEndToEndTest.runId(r);
        Path runDir = state.resolve("runs").resolve(run);
        String json = Files.readString(runDir.resolve("report.json"));
        assertThat(json).doesNotContain(secret).contains("using url https://user:***@example.invalid/repo", "token is ***");
        assertThat(Files.readString(runDir.resolve("report.html"))).doesNotContain(secret)
                .contains("using url https://user:***@example.invalid/repo", "token is ***");
        // no file of the state directory holds the secret, whole or in the pieces the sequences cut it into
        String head = secret.substring(0, 5);
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/scratch/")).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as("%s", f).doesNotContain(secret).doesNotContain(head + "\u001B");
                assertThat(text.replaceAll("\u001B\\[[0-?]*[ -/]*[@-~]", "")).as("%s without its CSI sequences", f)
                        .doesNotContain(secret);
            }
        }
        assertThat(r.out() + r.err()).doesNotContain(secret);
    }
}
