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
 * A secret handed to a ticket from swarm's own environment ({@code ${{ env.NAME }}} in env:) reaches the ticket and is
 * stored nowhere: not in swarm.db (which keeps the reference), the reports or the status. The surefire configuration sets
 * SWARM_TEST_SECRET for the test JVM.
 */
class EnvironmentSecretTest {
    @TempDir
    Path tmp;

    @Test
    void aVariableFromSwarmsEnvironmentReachesTheTicketAndIsStoredNowhere() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by the surefire configuration").isNotBlank();
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: deploy
                    env: {TOKEN: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      [ "$(printf %%s "$TOKEN" | sha256sum | cut -c1-64)" = "%s" ] && echo "the token arrived, ${#TOKEN} characters"
                """.formatted(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.UTF_8)))));
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("deploy | the token arrived, " + secret.length() + " characters");
        String run = CliEndToEndTest.runId(r);
        Result status = swarm("status", run, "--json", "--state-dir", state.toString());
        assertThat(status.out()).doesNotContain(secret);
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), needle)).as("%s holds the secret", f).isEqualTo(-1);
            }
        }
        assertThat(Files.readString(state.resolve("runs").resolve(run).resolve("report.json"))).contains("succeeded");
    }

    /** A ticket that prints the secret: the console, its logs, its outputs and failure reason show *** instead. */
    @Test
    void aSecretTheTicketPrintsIsMaskedInTheConsoleLogsAndOutputs() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: leaky
                    env: {TOKEN: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      echo "stdout: $TOKEN"
                      echo "{\\"said\\": \\"token $TOKEN\\"}"
                      printf 'file %s' "$TOKEN" > out.txt
                      echo "stderr: $TOKEN" >&2
                    outputs:
                      said: {json: said}
                      file: out.txt
                  - id: fails
                    env: {TOKEN: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      echo "bad token $TOKEN" >&2
                      exit 1
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out() + r.err()).doesNotContain(secret).contains("leaky | stdout: ***", "leaky | stderr: ***",
                "bad token ***");
        String run = CliEndToEndTest.runId(r);
        Result status = swarm("status", run, "--json", "--state-dir", state.toString());
        assertThat(Cli.ticket(status.json(), "leaky").get("outputs").get("said").asText()).isEqualTo("token ***");
        assertThat(Cli.ticket(status.json(), "leaky").get("outputs").get("file").asText()).isEqualTo("file ***");
        assertThat(Cli.ticket(status.json(), "fails").get("reason").asText()).contains("bad token ***");
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/scratch/")).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), needle)).as("%s holds the secret", f).isEqualTo(-1);
            }
        }
    }

    /**
     * A secret one ticket hands to another (here through $SWARM_SCRATCH) is masked in the other ticket's console lines,
     * logs, outputs, failure reason and the reports too: every attempt of the run masks every secret the plan reads.
     */
    @Test
    void aSecretThatReachesAnotherTicketIsMaskedThereToo() throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: a
                    workspace: run
                    env: {TOK: "${{ env.SWARM_TEST_SECRET }}"}
                    run: |
                      echo "$TOK" > "$SWARM_SCRATCH/t"; echo "a= $TOK"
                  - id: b
                    workspace: run
                    needs: [a]
                    outputs: {o: {json: k}}
                    run: |
                      echo "b: $(cat "$SWARM_SCRATCH/t")"
                      echo "{\\"k\\": \\"$(cat $SWARM_SCRATCH/t)\\"}"
                      echo "b err: $(cat "$SWARM_SCRATCH/t")" >&2
                  - id: c
                    workspace: run
                    needs: [b]
                    run: |
                      echo "c fails with $(cat "$SWARM_SCRATCH/t")" >&2; exit 3
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out() + r.err()).doesNotContain(secret).contains("a | a= ***", "b | b: ***", "b | b err: ***",
                "c fails with ***");
        String run = CliEndToEndTest.runId(r);
        Result status = swarm("status", run, "--json", "--state-dir", state.toString());
        assertThat(status.out()).doesNotContain(secret);
        assertThat(Cli.ticket(status.json(), "b").get("outputs").get("o").asText()).isEqualTo("***");
        assertThat(Cli.ticket(status.json(), "c").get("reason").asText()).contains("c fails with ***");
        Path runDir = state.resolve("runs").resolve(run);
        assertThat(Files.readString(runDir.resolve("logs/b/1/stdout.log"))).contains("b: ***");
        assertThat(Files.readString(runDir.resolve("logs/b/1/stderr.log"))).contains("b err: ***");
        assertThat(Files.readString(runDir.resolve("report.json"))).contains("***");
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/scratch/")).toList()) {
                assertThat(indexOf(Files.readAllBytes(f), needle)).as("%s holds the secret", f).isEqualTo(-1);
            }
        }
    }

    /**
     * A short value read from the environment ({@code true} here) is masked only in the ticket handed it: in other
     * tickets' output it is as likely an ordinary word or JSON literal, and masking it there would corrupt their lines
     * and outputs ({@code {"ok": ***}} is not JSON).
     */
    @Test
    void aShortValueIsMaskedOnlyInTheTicketHandedIt() throws Exception {
        assertThat(System.getenv("SWARM_TEST_FLAG")).isEqualTo("true");
        Path spec = Cli.write(tmp.resolve("short.yaml"), """
                tickets:
                  - id: a
                    workspace: run
                    env: {FLAG: "${{ env.SWARM_TEST_FLAG }}"}
                    run: echo "a flag=$FLAG"
                  - id: b
                    workspace: run
                    outputs: {ok: {json: ok}}
                    run: |
                      echo "b says true"
                      echo '{"ok": true}'
                """);
        Path state = tmp.resolve("state-short");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("a | a flag=***", "b | b says true");
        Result status = swarm("status", CliEndToEndTest.runId(r), "--json", "--state-dir", state.toString());
        assertThat(Cli.ticket(status.json(), "b").get("outputs").get("ok").asText()).isEqualTo("true");
    }

    @Test
    void aVariableThatIsNotSetIsRefusedBeforeAnythingIsStored() {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, env: {T: \"${{ env.SWARM_TEST_UNSET_91c4 }}\"}, run: \"true\"}\n");
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("environment variable SWARM_TEST_UNSET_91c4 is not set", "export SWARM_TEST_UNSET_91c4");
        assertThat(state).doesNotExist();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
