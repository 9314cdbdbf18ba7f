package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm resume RUN --take-over} with a real coordinator: {@code swarm run} in a child JVM, stopped with
 * {@code kill -STOP} while a ticket runs. Without the option the resume refuses and names it; with it, the resume ends
 * that process (SIGTERM and SIGCONT; SIGKILL after --grace), says so, and finishes the run: every ticket succeeded, each
 * once (a ticket's script appends its name to a file when it succeeds).
 */
class StoppedCoordinatorTakeOverEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void aStoppedCoordinatorIsEndedAndItsRunFinishedByTheResume() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("three.yaml"), """
                tickets:
                  - id: early
                    run: echo early >> "$SWARM_SCRATCH/done"
                  - id: first
                    run: |
                      if [ "$SWARM_ATTEMPT" = 1 ]; then touch "$SWARM_SCRATCH/first.started"; sleep 300; fi
                      echo first >> "$SWARM_SCRATCH/done"
                  - id: second
                    needs: [first]
                    run: echo second >> "$SWARM_SCRATCH/done"
                """);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process coordinator = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SwarmCli.class.getName(), "run", spec.toString(), "--plain", "--grace", "1",
                "--state-dir", st).redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile()).start();
        long pid = coordinator.pid();
        List<ProcessHandle> tree = List.of();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                    && Files.list(state.resolve("runs")).anyMatch(r -> Files.exists(r.resolve("scratch").resolve("first.started"))
                    && Files.exists(r.resolve("scratch").resolve("done"))));
            String id = Cli.swarm("status", "--json", "--state-dir", st).json().get("run").get("id").asText();
            Path done = state.resolve("runs").resolve(id).resolve("scratch").resolve("done");
            tree = coordinator.descendants().toList();
            Cli.signal(pid, "STOP");
            await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(pid) == 'T');

            Cli.Result refused = Cli.swarm("resume", id, "--plain", "--state-dir", st);
            assertThat(refused.code()).as("%s", refused).isEqualTo(2);
            // stopped while its lease runs, it is not taken over (a Ctrl-Z and `bg` a moment later are not a stall): the
            // take-over waits until the refusal says its lease ran out
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Cli.swarm("resume", id, "--plain", "--state-dir", st).err().contains("alive but stopped"));

            Cli.Result resume = Cli.swarm("resume", id, "--take-over", "--plain", "--grace", "5", "--state-dir", st);
            assertThat(resume.code()).as("%s", resume).isZero();
            assertThat(resume.out()).as("%s", resume).containsPattern("(?m)^ended coordinator pid " + pid + " of run " + id
                    + " \\(stopped \\(Ctrl-Z or a signal such as SIGSTOP or SIGTTOU\\); its lease ran out \\d+ s ago\\): SIGTERM, SIGCONT(, then SIGKILL after 5 s)?$").contains("run succeeded");
            assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readAllLines(done)).containsExactlyInAnyOrder("early", "first", "second");
            assertThat(Cli.swarm("status", id, "--json", "--state-dir", st).json().get("run").get("state").asText()).isEqualTo("succeeded");
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // quiet when it has ended
            coordinator.destroyForcibly();
            coordinator.waitFor();
            for (ProcessHandle h : tree) h.destroyForcibly();
        }
    }

    /** Field 3 of {@code /proc/PID/stat}: the state, {@code T} when stopped. */
    private static char stateOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
