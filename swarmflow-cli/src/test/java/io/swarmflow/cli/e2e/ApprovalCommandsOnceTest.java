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
}
