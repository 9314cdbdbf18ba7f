package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm resume RUN --fail-fast} of a run in which a ticket has already failed stops it as a new failure would. */
class ResumeFailFastTest {
    @TempDir
    Path tmp;

    @Test
    void resumingWithFailFastAfterATicketFailedSkipsTheRemainingWorkButRunsTheHandlers() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("ff.yaml"), """
                tickets:
                  - id: bad
                    run: exit 1
                  - id: gate
                    approval: before-run
                    run: "true"
                  - id: deploy
                    needs: [gate]
                    run: "true"
                  - id: notify
                    needs: [deploy]
                    when: failure
                    run: "true"
                """);
        // 'bad' fails while the run waits at the gate; it is cancelled there, with 'deploy' still to run
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        CliEndToEndTest.awaitTicket(state, id, "bad", "failed");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        Result resumed = swarm("resume", id, "--fail-fast", "--auto-approve", "--plain", "--state-dir", state.toString());

        assertThat(resumed.code()).as("%s", resumed).isEqualTo(1);
        assertThat(resumed.out()).contains("fail-fast: bad failed");
        var status = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(ticket(status, "gate").get("state").asText()).isEqualTo("skipped");
        assertThat(ticket(status, "deploy").get("state").asText()).isEqualTo("skipped");
        assertThat(ticket(status, "deploy").get("reason").asText()).isEqualTo("fail-fast: bad failed");
        assertThat(ticket(status, "notify").get("state").asText()).as("failure handlers still run").isEqualTo("succeeded");
    }
}
