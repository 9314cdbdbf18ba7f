package io.swarmflow.sandbox;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review C1: a stopped attempt's TERM went to its process group only. A child that left the group ({@code setsid}: a
 * daemon, a dev server, an agent that detaches) got no TERM, only the KILL after the whole grace, so it could not clean
 * up; and a script waiting for it (the grace trap's {@code wait}) made every stop wait out the grace and be reported as
 * "did not end within the grace period after TERM and was killed". Now every process of the attempt gets the TERM: what
 * its cgroup holds, else under bubblewrap its PID namespace's processes, else what the escapee scan finds by its
 * environment; with a process limit (a cgroup where the host has one) and without.
 */
class TermReachesEveryProcessTest {
    @TempDir
    Path tmp;

    /** What {@code LocalExecutor.GRACE_TRAP} puts before every script: on TERM, wait for the background jobs. */
    private static final String SCRIPT = "trap 'wait; exit 143' TERM; "
            + "setsid bash -c 'trap \"echo cleaned > cleaned; exit 0\" TERM; touch started; sleep 600 & wait' & wait";

    @ParameterizedTest(name = "bubblewrap {0}, process limit {1}")
    @CsvSource({"false, 0", "false, 64", "true, 0", "true, 64"})
    void aSetsidChildThatTrapsTermCleansUpAtATimeoutAndTheAttemptIsNotKilledAfterTheGrace(boolean bubblewrap, int processes)
            throws Exception {
        Bubblewrap.Status status = bubblewrap ? Bubblewrap.probe() : Bubblewrap.Status.unavailable("off in this test");
        if (bubblewrap) assumeTrue(status.usable(), () -> "bubblewrap is not usable here: " + status.problem());
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        try (Sandbox sandbox = new Sandbox(status, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(bubblewrap ? Isolation.REQUIRED : Isolation.OFF)
                    .workspaceWritable(true).limits(new ProcessLimits(0, 0, 0, processes))
                    .env(Map.of("SWARM_RUN_ID", "r-term-" + System.nanoTime(), "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1"))
                    .timeout(Duration.ofSeconds(2)).grace(Duration.ofSeconds(20)).build();
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", SCRIPT), LineListener.NONE);
            SandboxResult result = p.waitFor();

            assertThat(workspace.resolve("started")).as("the setsid child ran before the timeout").exists();
            assertThat(result.termination()).isEqualTo(Termination.TIMED_OUT);
            assertThat(workspace.resolve("cleaned")).as("the setsid child got TERM and cleaned up").hasContent("cleaned");
            assertThat(result.killedAfterGrace()).as("every process ended on TERM: not killed after the grace").isFalse();
            assertThat(result.escaped()).as("nothing was left to end after the grace").isEmpty();
        }
    }
}
