package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm clean} on a run whose coordinator is alive on this host but stopped past its lease: it refused with "run R
 * is executing; wait for it to end, or `swarm cancel R` first", which a stopped coordinator never does (it ends nothing,
 * and applies a cancel only once it goes on). Now it says the coordinator is alive but stopped, that it works in the run's
 * worktrees once it goes on (so nothing is removed), and how to proceed: let it go on, or end it and clean again. The
 * coordinator is a real process ({@link LocalCoordinator}) stopped with {@code kill -STOP}, with the identity a coordinator records.
 */
class CleanWithAStoppedCoordinatorTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void cleanSaysTheStoppedCoordinatorStillHoldsTheRunAndHowToGoOn() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) ->
                coordinator = LocalCoordinator.start(w, id, true, new RunEvent.AttemptStarted("a", 1, 60_000)));
        long pid = coordinator.pid();
        String run = created.run();
        LocalCoordinator.stop(coordinator);

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
}
