package io.swarmflow.cli.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A run whose only ticket left waits at its approval gate: the gate line names the {@code swarm approve} and
 * {@code swarm reject} commands, and the notice that nothing else can run, which follows, names the ticket without
 * repeating them.
 */
class ApprovalCommandsOnceTest {
    @TempDir
    Path tmp;

    @Test
    void theCommandsThatDecideAGateAreSaidOnce() throws Exception {
        Path state = tmp.resolve("state");
        CliEndToEndTest.Background run = runUntilNothingElseCanRun(state, """
                name: gate
                tickets:
                  - id: a
                    run: echo a
                  - id: pub
                    needs: [a]
                    approval: before-run
                    run: echo pub
                """);
        String id = run.runId();

        Cli.Result approve = swarm("approve", id, "pub", "--state-dir", state.toString());
        assertThat(approve.code()).as("%s", approve).isZero();
        assertThat(run.exit()).isZero();

        String out = run.out().text();
        assertThat(out).contains("? pub is waiting for approval: approve it with `swarm approve " + id + " pub`, or reject it with "
                + "`swarm reject " + id + " pub --reason TEXT`\n").containsPattern("(?m)^\\S+  ! nothing else can run until a "
                + "decision; waiting for approval: pub$");
        assertApproveCommandSaidOnce(out, id);
    }

    /** Resumed with its gate already waiting, no gate line comes: the notice names the commands, once. */
    @Test
    void aGateWaitingBeforeTheResumeHasItsCommandsInTheNotice() throws Exception {
        Path state = tmp.resolve("state");
        CliEndToEndTest.Background run = runUntilNothingElseCanRun(state, """
                name: gate
                tickets:
                  - id: pub
                    approval: before-run
                    run: echo pub
                """);
        String id = run.runId();
        Cli.Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(run.exit()).isEqualTo(130);

        CliEndToEndTest.Background resume = untilNothingElseCanRun(CliEndToEndTest.Background.start("resume", id, "--plain",
                "--state-dir", state.toString()));
        assertThat(swarm("approve", id, "pub", "--state-dir", state.toString()).code()).isZero();
        assertThat(resume.exit()).isZero();

        assertApproveCommandSaidOnce(resume.out().text(), id);
    }

    /** {@code swarm run} of {@code yaml} in the background with {@code state}, once it has said that nothing else can run. */
    private CliEndToEndTest.Background runUntilNothingElseCanRun(Path state, String yaml) {
        Path spec = Cli.write(tmp.resolve("gate.yaml"), yaml);
        return untilNothingElseCanRun(CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir",
                state.toString()));
    }

    /** Waits until {@code swarm} says that nothing else can run (failing at once, with its output, if it ends first). */
    private static CliEndToEndTest.Background untilNothingElseCanRun(CliEndToEndTest.Background swarm) {
        await().atMost(Duration.ofSeconds(30)).until(() -> swarm.out().text().contains("nothing else can run")
                || swarm.code().isDone());
        assertThat(swarm.out().text()).as("stderr: %s", swarm.err().text()).contains("nothing else can run");
        return swarm;
    }

    /** The approve command for pub stands once in {@code out}. */
    private static void assertApproveCommandSaidOnce(String out, String id) {
        assertThat(Pattern.compile(Pattern.quote("`swarm approve " + id + " pub`")).matcher(out).results().count())
                .as("the approve command is said once: %s", out).isEqualTo(1);
    }
}
