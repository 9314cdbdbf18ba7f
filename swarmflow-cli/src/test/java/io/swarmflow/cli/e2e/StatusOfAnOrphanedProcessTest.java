package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.sandbox.ProcessGroups;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunView;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A coordinator killed with SIGKILL leaves an unsandboxed ({@code sandbox: off}) attempt running, as an orphaned process
 * group: {@code swarm status} says so (the table's note, {@code status RUN TICKET}, {@code processAlive} in JSON), checked
 * by the recorded pid and start time without signalling it, and no longer once the group is gone.
 */
class StatusOfAnOrphanedProcessTest {
    @TempDir
    Path tmp;

    @Test
    void statusSaysTheProcessAKilledCoordinatorLeftStillRunsAndNotOnceItIsGone() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("orphan.yaml"), """
                agents:
                  bare: {kind: shell, sandbox: off}
                tickets:
                  - id: bare
                    agent: bare
                    run: sleep 300
                """);
        Process coordinator = start(state, spec);
        AttemptView a = null;
        try {
            a = await("the attempt's process recorded").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> runningAttempt(state), Optional::isPresent).orElseThrow();
            AttemptView attempt = a;
            await("the attempt's process runs").atMost(Duration.ofSeconds(30))
                    .until(() -> ProcessGroups.startTicks(attempt.pid()).orElse(-1) == attempt.startTicks());
            coordinator.destroyForcibly(); // SIGKILL
            assertThat(coordinator.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String run = a.runId();
            String dir = state.toString();

            Result table = swarm("status", run, "--state-dir", dir);
            Result ticket = swarm("status", run, "bare", "--state-dir", dir);
            JsonNode json = swarm("status", run, "--json", "--state-dir", dir).json();
            JsonNode ticketJson = swarm("status", run, "bare", "--json", "--state-dir", dir).json();

            assertThat(table.code()).as("%s", table).isZero();
            assertThat(table.out()).as("%s", table).contains("running (stopped)").contains("\nbare: its process (group " + a.pid()
                    + ") still runs, left by the stopped coordinator; `swarm resume " + run + "` kills it as it resumes the run, "
                    + "and what the attempt started outside its group (setsid, a daemon) that still holds its SWARM_ variables "
                    + "(`swarm cancel` cannot: no coordinator executes the run)\n");
            assertThat(ticket.out()).as("%s", ticket).contains("\n  attempt 1's process (group " + a.pid() + ") still runs, left "
                    + "by the stopped coordinator; `swarm resume " + run + "` kills it");
            assertThat(json.get("run").get("executing").asBoolean()).isFalse();
            assertThat(Cli.ticket(json, "bare").get("processAlive").isBoolean()).as("%s", json).isTrue();
            assertThat(Cli.ticket(json, "bare").get("processAlive").asBoolean()).isTrue();
            assertThat(ticketJson.get("attempts").get(0).get("processAlive").asBoolean()).as("%s", ticketJson).isTrue();
            assertThat(ProcessGroups.startTicks(a.pid())).as("status signalled nothing").hasValue(a.startTicks());

            // what swarm resume would do: kill the group by its recorded identity
            assertThat(ProcessGroups.killOrphanGroup(a.pid(), a.startTicks())).isTrue();
            await("the orphan's end seen by status").atMost(Duration.ofSeconds(30))
                    .until(() -> !swarm("status", run, "bare", "--json", "--state-dir", dir).json().get("attempts").get(0)
                            .get("processAlive").asBoolean());

            Result after = swarm("status", run, "--state-dir", dir);
            Result ticketAfter = swarm("status", run, "bare", "--state-dir", dir);
            assertThat(after.out()).as("%s", after).contains("running (stopped)").doesNotContain("still runs");
            assertThat(ticketAfter.out()).as("%s", ticketAfter).contains("\n  attempt 1's process group (" + a.pid() + ") no longer runs; `swarm resume " + run + "` still ends "
                    + "what the attempt started outside its group (setsid, a daemon) that still holds its SWARM_ variables\n")
                    .doesNotContain("still runs");
            JsonNode jsonAfter = swarm("status", run, "--json", "--state-dir", dir).json();
            assertThat(Cli.ticket(jsonAfter, "bare").get("processAlive").isBoolean()).isTrue();
            assertThat(Cli.ticket(jsonAfter, "bare").get("processAlive").asBoolean()).isFalse();
        } finally {
            coordinator.destroyForcibly();
            coordinator.waitFor(30, TimeUnit.SECONDS);
            if (a != null) ProcessGroups.killOrphanGroup(a.pid(), a.startTicks());
        }
    }

    /** The attempt of the run in {@code state} whose process start is recorded, when there is one. */
    private static Optional<AttemptView> runningAttempt(Path state) {
        if (!Files.exists(state.resolve("swarm.db"))) return Optional.empty();
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            for (RunView r : store.runs()) {
                for (AttemptView a : store.attempts(r.runId())) if (a.isRunning() && a.pid() > 0) return Optional.of(a);
            }
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // the database is being created
        }
    }

    /**
     * {@code swarm run SPEC} in a child JVM. Without the per-attempt cgroups ({@code swarm.cgroups=off}): as root, another
     * Swarmflow process of this pid namespace starting an attempt (another test, another build on the machine) removes the
     * cgroups of a dead one and kills what is in them, the orphan included, which this test must control.
     */
    private Process start(Path state, Path spec) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Dswarm.cgroups=off",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName(),
                "run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        Path out = tmp.resolve("coordinator.log");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }
}
