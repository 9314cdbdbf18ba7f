package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ctrl-C on a {@code swarm run} whose database another process holds locked ({@code BEGIN IMMEDIATE} in a
 * {@code sqlite3} session): the coordinator, blocked in a write that waits for the lock (for up to a minute), stops
 * within seconds, says why and how to go on, and the run resumes once the lock is gone.
 */
class LockedDatabaseInterruptTest {
    @TempDir
    Path tmp;

    @Test
    void ctrlCStopsARunWaitingForALockedDatabaseWithinSecondsAndTheRunResumesLater() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("sleeper.yaml"), """
                tickets:
                  - id: sleeper
                    run: if [ -e "$SWARM_SCRATCH/started" ]; then exit 0; fi; touch "$SWARM_SCRATCH/started"; sleep 600
                """);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = tmp.resolve("coordinator.log");
        Process coordinator = new ProcessBuilder(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SwarmCli.class.getName(), "run", spec.toString(), "--plain", "--grace", "1", "--state-dir", state.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                    && Files.list(state.resolve("runs")).anyMatch(r -> Files.exists(r.resolve("scratch").resolve("started"))));
            String id;
            try (var runs = Files.list(state.resolve("runs"))) {
                id = runs.findFirst().orElseThrow().getFileName().toString();
            }
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("swarm.db"));
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                Cli.signal(coordinator.pid(), "INT");
                // the lock is held all along: without giving up, the cancel's own write waited the whole minute first
                assertThat(coordinator.waitFor(40, TimeUnit.SECONDS)).as("stopped while the database was still locked: %s",
                        Files.readString(log)).isTrue();
                s.execute("ROLLBACK");
            }
            String out = Files.readString(log);
            assertThat(coordinator.exitValue()).as(out).isEqualTo(130);
            assertThat(out).contains("interrupted (SIGINT (Ctrl-C)): stopping the run",
                    "could not write to " + state.resolve("swarm.db") + ": [SQLITE_BUSY]",
                    "then stopped waiting: SIGINT (Ctrl-C) asked run " + id + " to stop; `fuser -v " + state.resolve("swarm.db")
                            + "` lists the processes that have it open); nothing of these writes was recorded",
                    // "without recording it" left open what was not recorded, after lines saying the run was cancelled
                    "swarm: run " + id + " stopped (interrupted: SIGINT (Ctrl-C)), but the database did not record the stop: what "
                            + "was recorded before is kept, and `swarm status " + id + "` shows the run as stopped\n"
                            + "swarm: its running attempts were stopped; once the database can be written again, `swarm resume "
                            + id + "` continues the run\n")
                    .doesNotContain("internal error")
                    // what the view says happened was recorded: the cancel and what followed it were not
                    .doesNotContain("cancel requested by", "sleeper cancelled", "run cancelled");
            // its coordinator was interrupted, not killed: status says what is known, not a kill
            assertThat(swarm("status", id, "--state-dir", state.toString()).out())
                    .contains("running (stopped)", "its coordinator stopped without recording an end (killed, crashed, or the "
                            + "database could not be written); `swarm resume " + id + "` continues it")
                    .doesNotContain("killed or crashed");

            Result resumed = swarm("resume", id, "--plain", "--state-dir", state.toString());
            assertThat(resumed.code()).as("%s", resumed).isZero();
            assertThat(resumed.out()).contains("run succeeded");
        } finally {
            coordinator.destroyForcibly();
            coordinator.waitFor();
        }
    }
}
