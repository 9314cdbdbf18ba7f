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
 * Review R2, F2, with a real coordinator: {@code swarm run} in a child JVM, stopped with {@code kill -STOP} (as a Ctrl-Z
 * does) until its lease (15 s) runs out. {@code swarm status} says it is alive but stopped, not "killed, crashed", and
 * {@code swarm resume} refuses (exit 2) rather than take the run from it; continued ({@code kill -CONT}), it renews its
 * lease and goes on with its run, which a cancel then ends.
 */
class StoppedCoordinatorEndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void aCoordinatorStoppedPastItsLeaseIsSaidStoppedAndKeepsItsRun() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                tickets:
                  - id: long
                    run: touch "$SWARM_SCRATCH/long.started"; sleep 300
                """);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process coordinator = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SwarmCli.class.getName(), "run", spec.toString(), "--plain", "--grace", "1",
                "--state-dir", st).redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile()).start();
        long pid = coordinator.pid();
        List<ProcessHandle> tree = List.of();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                    && Files.list(state.resolve("runs")).anyMatch(r -> Files.exists(r.resolve("scratch").resolve("long.started"))));
            String id = Cli.swarm("status", "--json", "--state-dir", st).json().get("run").get("id").asText();
            tree = coordinator.descendants().toList();
            Cli.signal(pid, "STOP");
            // its lease (15 s, renewed by nothing now) runs out: then status says why it does not move
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Cli.swarm("status", id, "--state-dir", st).out().contains("is alive but stopped"));

            Cli.Result status = Cli.swarm("status", id, "--state-dir", st);
            assertThat(status.out()).as("%s", status).containsPattern("\n  its coordinator \\(pid " + pid + "\\) is alive but stopped "
                            + "\\(Ctrl-Z or SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago; it still holds the run "
                            + "\\(a resume is refused\\): let it go on with `kill -CONT " + pid + "` \\(or `fg` in its terminal\\), or "
                            + "end it with `kill " + pid + "; kill -CONT " + pid + "` and then `swarm resume " + id + "` \\(unattended: `swarm resume " + id + " --take-over` ends it and resumes\\)\n")
                    .doesNotContain("killed, crashed", "running (stopped)");
            Cli.Result resume = Cli.swarm("resume", id, "--plain", "--state-dir", st);
            assertThat(resume.code()).as("%s", resume).isEqualTo(2);
            assertThat(resume.out()).isEmpty();
            assertThat(resume.err()).containsPattern("^swarm: run " + id + "'s coordinator \\(pid " + pid + "\\) is alive but stopped "
                    + "\\(Ctrl-Z or SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago: let it go on with `kill -CONT "
                    + pid + "` \\(or `fg` in its terminal\\), or end it with `kill " + pid + "; kill -CONT " + pid + "` and then `swarm resume " + id
                    + "` \\(unattended: `swarm resume " + id + " --take-over` ends it and resumes\\); nothing was changed\n$");

            Cli.signal(pid, "CONT");
            // it renews its lease and holds the run as before: a cancel reaches it
            await().atMost(Duration.ofSeconds(60)).until(() -> !Cli.swarm("status", id, "--state-dir", st).out().contains("is alive but"));
            Cli.Result cancel = Cli.swarm("cancel", id, "--state-dir", st);
            assertThat(cancel.code()).as("%s", cancel).isZero();
            assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(coordinator.exitValue()).as(Files.readString(tmp.resolve("coordinator.log"))).isEqualTo(130);
            assertThat(Files.readString(tmp.resolve("coordinator.log"))).doesNotContain("taken over");
        } finally {
            new ProcessBuilder("kill", "-CONT", Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // quiet when it has ended
            coordinator.destroyForcibly();
            coordinator.waitFor();
            for (ProcessHandle h : tree) h.destroyForcibly();
        }
    }
}
