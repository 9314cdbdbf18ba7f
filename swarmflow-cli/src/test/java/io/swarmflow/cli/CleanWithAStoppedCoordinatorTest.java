package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm clean} on a run whose coordinator is alive on this host but stopped past its lease: it refused with "run R
 * is executing; wait for it to end, or `swarm cancel R` first", which a stopped coordinator never does (it ends nothing,
 * and applies a cancel only once it goes on). Now it says the coordinator is alive but stopped, that it works in the run's
 * worktrees once it goes on (so nothing is removed), and how to proceed: let it go on, or end it and clean again. The
 * coordinator is a real process ({@code cat}) stopped with {@code kill -STOP}, with the identity a coordinator records.
 */
class CleanWithAStoppedCoordinatorTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        if (coordinator != null) {
            signal("CONT", coordinator.pid());
            coordinator.destroyForcibly();
        }
    }

    @Test
    void cleanSaysTheStoppedCoordinatorStillHoldsTheRunAndHowToGoOn() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            // as a coordinator, it has the state directory's swarm.db open (one without it is another state directory's)
            coordinator = new ProcessBuilder("sleep", "600").redirectInput(w.stateDir.resolve(Wiring.DB_FILE).toFile()).start();
            String owner = identity(coordinator);
            long epoch = w.store.claimRun(id, owner, 1);
            w.store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                    new RunEvent.AttemptStarted("a", 1, 60_000))).join();
            Files.createDirectories(w.runDir(id));
        });
        long pid = coordinator.pid();
        String run = created.run();
        signal("STOP", pid);
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(pid) == 'T');

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"clean", run, "--state-dir=" + created.stateDir()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).matches("swarm: run " + run + "'s coordinator \\(pid " + pid + "\\) is "
                + "alive but stopped \\(Ctrl-Z or SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago: it still "
                + "holds the run and works in its worktrees once it goes on, so nothing was cleaned. Either let it go on \\(`kill "
                + "-CONT " + pid + "`, or `fg` in its terminal\\) and wait for the run to end, or `swarm cancel " + run + "`; or end "
                + "it with `kill " + pid + "; kill -CONT " + pid + "` \\(the run then stays as it is until `swarm resume " + run + "`\\) and run `swarm "
                + "clean " + run + "` again\n");
    }

    /** The identity a coordinator in {@code process} records ({@code Owners.coordinator()}): host:pid@start/n;exact parts. */
    private static String identity(Process process) throws Exception {
        String current = io.swarmflow.engine.Owners.coordinator();
        String host = current.substring(0, current.lastIndexOf(':', current.lastIndexOf('@')));
        String exact = current.substring(current.indexOf(';', current.lastIndexOf('@')));
        String ticks = Long.toString(io.swarmflow.sandbox.ProcessGroups.startTicks(process.pid()).orElseThrow());
        exact = exact.replaceFirst(";ticks=\\d+", ";ticks=" + ticks);
        return host + ":" + process.pid() + "@" + process.info().startInstant().orElseThrow().toEpochMilli() + "/1" + exact;
    }

    /** Field 3 of {@code /proc/PID/stat}: the state, {@code T} when stopped. */
    private static char stateOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
