package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review RCLI HIGH-1: a secret (<code>${{ env.NAME }}</code>) read only by a ticket that has finished can reach one
 * still to run (here through {@code $SWARM_SCRATCH}), which a resume without the variable could not mask: such a resume
 * is refused (exit 2) and changes no byte of the state directory, and so is one where it is empty, which masks nothing;
 * with the variable it goes on, the secret masked. The surefire configuration sets SWARM_TEST_SECRET for the test JVM;
 * the refused resume runs as a child JVM without it, or with it empty.
 */
class ResumeWithoutAFinishedTicketsSecretTest {
    @TempDir
    Path tmp;

    @Test
    void aResumeWithoutAVariableOnlyAFinishedTicketReadIsRefusedAndChangesNothing() throws Exception {
        refusedThenResumed(null, "SWARM_TEST_SECRET (${{ env.SWARM_TEST_SECRET }} in the env: of ticket a) is not set here.",
                "a finished ticket may have passed this one on to a ticket still to run");
    }

    /** The same with the variable set but empty, which masks nothing: it was not empty when the run was created. */
    @Test
    void aResumeWhereAVariableOnlyAFinishedTicketReadIsEmptyNowIsRefusedAndChangesNothing() throws Exception {
        refusedThenResumed("", "SWARM_TEST_SECRET (${{ env.SWARM_TEST_SECRET }} in the env: of ticket a) is empty here, and "
                + "was not when the run was created.", "an empty one masks nothing");
    }

    /**
     * A run whose finished ticket left SWARM_TEST_SECRET in $SWARM_SCRATCH for one still to run, cancelled at that one's
     * gate; its resume with SWARM_TEST_SECRET = {@code value} (null: unset) is refused saying {@code says}, and changes no
     * byte under the state directory; a resume with the variable as the run had it goes on, the secret masked.
     */
    private void refusedThenResumed(String value, String... says) throws Exception {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by the surefire configuration").isNotBlank();
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: a
                    env: {T: "${{ env.SWARM_TEST_SECRET }}"}
                    run: printf '%s' "$T" > "$SWARM_SCRATCH/tok"
                  - id: b
                    needs: [a]
                    approval: before-run
                    run: echo "got $(cat "$SWARM_SCRATCH/tok")"
                """);
        Path state = tmp.resolve("state");
        String st = state.toString();
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "b", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        Map<String, byte[]> before = contents(state);

        Result refused = launch("SWARM_TEST_SECRET", value, "resume", id, "--plain", "--auto-approve", "--state-dir", st);

        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.out()).as("%s", refused).contains("run " + id + " cannot resume here:")
                .contains(says).contains("export SWARM_TEST_SECRET with the value the run was started with and resume again",
                        "nothing was changed")
                .doesNotContain("got").doesNotContain(secret);
        Map<String, byte[]> after = contents(state);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String f : before.keySet()) assertThat(after.get(f)).as("%s", f).isEqualTo(before.get(f));

        Result resumed = swarm("resume", id, "--plain", "--auto-approve", "--state-dir", st);
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(resumed.out()).contains("b | got ***").doesNotContain(secret);
    }

    /** Every regular file under {@code dir}, by its path relative to it, with its bytes. */
    private static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) files.put(dir.relativize(f).toString(), Files.readAllBytes(f));
        }
        return files;
    }

    /**
     * Runs the CLI of the test classpath as a child JVM with this one's environment but {@code variable} set to
     * {@code value} (null: unset); stdout and stderr together, decoded as UTF-8.
     */
    private Result launch(String variable, String value, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (value == null) pb.environment().remove(variable);
        else pb.environment().put(variable, value);
        Process p = pb.start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), "");
    }
}
