package io.swarmflow.sandbox;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D5 #7: a stop whose TERM ends the group's leader at once (a shell in {@code wait}) while a member of its group
 * ignores TERM ({@code trap '' TERM}): the leader is reaped during the grace, and the member must still get the KILL when
 * the grace is over, not be taken for gone with its leader. Without bubblewrap it keeps the rest of the grace first;
 * under bubblewrap the leader's end ends the sandbox's PID namespace, and the member with it.
 */
class LeaderEndsOnTermTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "bubblewrap {0}, process limit {1}")
    @CsvSource({"false, 0", "false, 64", "true, 0", "true, 64"})
    void aMemberThatIgnoresTermIsKilledAfterTheGraceThoughTheLeaderEndedOnTerm(boolean bubblewrap, int processes)
            throws Exception {
        Bubblewrap.Status status = bubblewrap ? Bubblewrap.probe() : Bubblewrap.Status.unavailable("off in this test");
        if (bubblewrap) assumeTrue(status.usable(), () -> "bubblewrap is not usable here: " + status.problem());
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        String marker = "4" + (100_000_000 + ThreadLocalRandom.current().nextInt(800_000_000));
        Duration grace = Duration.ofSeconds(2);
        try (Sandbox sandbox = new Sandbox(status, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(bubblewrap ? Isolation.REQUIRED : Isolation.OFF)
                    .workspaceWritable(true).limits(new ProcessLimits(0, 0, 0, processes))
                    .grace(grace).build();
            // the leader (bash in wait) dies of the TERM; its child ignores it. The marker only in the sleep's command line.
            // No SWARM_* markers in the environment: the escapee scan (Escapees) cannot find the member, the group's KILL must
            Files.writeString(workspace.resolve("marker"), marker);
            String script = "sh -c 'trap \"\" TERM; exec sleep $(cat marker)' & wait";
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", script), LineListener.NONE);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> TestProcesses.withArgument(marker) == 1);

            long stop = System.nanoTime();
            p.cancel();
            SandboxResult result = p.waitFor();
            long stoppedMillis = (System.nanoTime() - stop) / 1_000_000;

            assertThat(result.termination()).isEqualTo(Termination.CANCELLED);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(TestProcesses.withArgument(marker))
                            .as("the member that ignores TERM was KILLed").isZero());
            if (!bubblewrap) assertThat(stoppedMillis).as("the member kept the grace").isGreaterThanOrEqualTo(grace.toMillis());
        } finally {
            TestProcesses.killWithArgument(marker);
        }
    }
}
