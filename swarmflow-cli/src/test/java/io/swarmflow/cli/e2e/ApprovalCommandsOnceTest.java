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
        Path spec = Cli.write(tmp.resolve("gate.yaml"), """
                name: gate
                tickets:
                  - id: a
                    run: echo a
                  - id: pub
                    needs: [a]
                    approval: before-run
                    run: echo pub
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir",
                state.toString());
        String id = run.runId();
        await().atMost(Duration.ofSeconds(30)).until(() -> run.out().text().contains("nothing else can run"));

        Cli.Result approve = swarm("approve", id, "pub", "--state-dir", state.toString());
        assertThat(approve.code()).as("%s", approve).isZero();
        assertThat(run.exit()).isZero();

        String out = run.out().text();
        assertThat(out).contains("? pub is waiting for approval: approve it with `swarm approve " + id + " pub`, or reject it with "
                + "`swarm reject " + id + " pub --reason TEXT`\n").containsPattern("(?m)^\\S+  ! nothing else can run until a "
                + "decision; waiting for approval: pub$");
        assertThat(Pattern.compile(Pattern.quote("`swarm approve " + id + " pub`")).matcher(out).results().count())
                .as("the approve command is said once: %s", out).isEqualTo(1);
    }

    /** Resumed with its gate already waiting, no gate line comes: the notice names the commands, once. */
    @Test
    void aGateWaitingBeforeTheResumeHasItsCommandsInTheNotice() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gate.yaml"), """
                name: gate
                tickets:
                  - id: pub
                    approval: before-run
                    run: echo pub
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir",
                state.toString());
        String id = run.runId();
        await().atMost(Duration.ofSeconds(30)).until(() -> run.out().text().contains("nothing else can run"));
        Cli.Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(run.exit()).isEqualTo(130);

        CliEndToEndTest.Background resume = CliEndToEndTest.Background.start("resume", id, "--plain", "--state-dir",
                state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> resume.out().text().contains("nothing else can run"));
        assertThat(swarm("approve", id, "pub", "--state-dir", state.toString()).code()).isZero();
        assertThat(resume.exit()).isZero();

        String out = resume.out().text();
        assertThat(Pattern.compile(Pattern.quote("`swarm approve " + id + " pub`")).matcher(out).results().count())
                .as("the approve command is said once: %s", out).isEqualTo(1);
    }
}
