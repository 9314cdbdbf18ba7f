package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm cancel RUN --wait SECONDS}: how long the command waits for the run to end. */
class CancelWaitTest {
    @TempDir
    Path tmp;

    /** A ticket that ignores TERM (and so does its sleep): the run ends only at the KILL, a grace period after the cancel. */
    private static final String SLEEPER = """
            tickets:
              - id: sleeper
                run: trap '' TERM; sleep 120
            """;

    /** {@code --wait 0} records the cancel and returns, without waiting for the run to end; the run still ends cancelled. */
    @Test
    void waitZeroReturnsOnceTheCancelIsRecorded() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("sleeper.yaml"), SLEEPER);
        // the run ends 4 s after its coordinator reads the cancel: a cancel that waited for that could not say it did not
        Background run = Background.start("run", spec.toString(), "--plain", "--grace", "4", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "sleeper", "running");
        try {
            Result cancel = swarm("cancel", id, "--wait", "0", "--state-dir", state.toString());
            assertThat(cancel.code()).as("%s", cancel).isZero();
            assertThat(cancel.out()).startsWith("cancel requested for run " + id + "\n");
            assertThat(cancel.out()).as("it did not wait for the run to end")
                    .contains("not waiting for it (--wait 0): its coordinator applies it within a second; `swarm status "
                            + id + "` shows when the run is cancelled");
            // a resume at once (the cancel pending or being applied) says the cancel is under way, not to cancel first
            Result resume = swarm("resume", id, "--plain", "--state-dir", state.toString());
            assertThat(resume.code()).as("%s", resume).isEqualTo(2);
            assertThat(resume.err()).as("%s", resume).startsWith("swarm: run " + id + " is being cancelled: a cancel is recorded "
                    + "and its coordinator is stopping the running attempts (TERM, then KILL after the grace period); resume it once "
                    + "`swarm status " + id + "` says cancelled (`swarm cancel " + id + "` without --wait 0 waits for that)");
            assertThat(resume.out()).doesNotContain("resuming");
        } finally {
            assertThat(run.exit()).isEqualTo(130);
        }
    }

    /** A negative wait is refused before anything is recorded: the run goes on as if nothing was asked. */
    @Test
    void aNegativeWaitIsRefusedAndChangesNothing() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), CliEndToEndTest.GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");

        Result refused = swarm("cancel", id, "--wait", "-1", "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("--wait must be 0 or more seconds (got -1); 0 returns once the cancel is recorded; "
                + "nothing was changed");
        assertThat(swarm("status", id, "--json", "--state-dir", state.toString()).json().get("run").get("cancelling").asBoolean())
                .as("no cancel recorded").isFalse();

        Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(cancel.out()).isEqualTo("cancel requested for run " + id + "\nrun " + id
                + " cancelled; `swarm resume " + id + "` continues it\n");
        assertThat(run.exit()).isEqualTo(130);
    }
}
