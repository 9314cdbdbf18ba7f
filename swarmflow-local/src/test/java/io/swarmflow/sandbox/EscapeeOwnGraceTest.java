package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process the stop's TERM did not reach (a TERM trap started it, {@code setsid}, during the grace) was found by the
 * escapee scan at the attempt's end with none of the grace left: its KILL followed its TERM at once, and it could not
 * clean up. Now it gets a grace of its own ({@link Escapees#OWN_GRACE_MAX_MILLIS} at most): one that traps TERM and
 * exits 300 ms later ends by its TERM, not by KILL. Without bubblewrap and without a cgroup: only the scan finds it.
 */
class EscapeeOwnGraceTest {
    @TempDir
    Path tmp;

    /**
     * A sentinel outside the group (its own session) writes {@code scanned} on its TERM, which the stop sends only after
     * its scan for processes outside the group: on TERM the script waits for that, then starts the late process (its own
     * session, its own TERM trap: sleep 0.3, then write {@code termed} and exit), which that scan therefore did not find,
     * waits until it has set its trap, and sleeps past the grace (KILLed then, with its group).
     */
    private static final String SCRIPT = """
            setsid bash -c 'trap "touch scanned; exit 0" TERM; touch sentinel; while :; do sleep 0.05; done' </dev/null >/dev/null 2>&1 &
            late() {
              while [ ! -e scanned ]; do sleep 0.01; done
              setsid bash -c 'trap "sleep 0.3; echo termed > termed; exit 0" TERM; touch late; while :; do sleep 0.05; done' </dev/null >/dev/null 2>&1 &
              while [ ! -e late ]; do sleep 0.01; done
              sleep 600
            }
            trap late TERM
            while [ ! -e sentinel ]; do sleep 0.01; done
            touch started
            sleep 600 & wait
            """;

    @Test
    void aProcessFoundOnlyAtTheEndThatTrapsTermEndsByItsTermNotByKill() throws Exception {
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off in this test"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(Isolation.OFF)
                    .workspaceWritable(true).limits(new ProcessLimits(0, 0, 0, 0))
                    .env(Map.of("SWARM_RUN_ID", "r-own-" + System.nanoTime(), "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1"))
                    .grace(Duration.ofSeconds(3)).build();
            Files.writeString(workspace.resolve("script.sh"), SCRIPT);
            SandboxProcess p = sandbox.start(spec, List.of("bash", "script.sh"), LineListener.NONE);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(workspace.resolve("started")));
            p.cancel();
            SandboxResult result = p.waitFor();

            assertThat(workspace.resolve("scanned")).as("the stop's TERM reached the sentinel outside the group").exists();
            assertThat(workspace.resolve("late")).as("the TERM trap started the late process").exists();
            assertThat(result.killedAfterGrace()).as("the script slept past the grace").isTrue();
            assertThat(workspace.resolve("termed")).as("the late process got TERM and time to clean up: %s", result).hasContent("termed");
            assertThat(result.escapedLeft()).isEmpty();
        }
    }
}
