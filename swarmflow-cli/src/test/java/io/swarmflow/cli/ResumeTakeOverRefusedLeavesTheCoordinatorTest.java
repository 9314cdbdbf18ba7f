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
 * Review D1, F1: {@code swarm resume RUN --take-over} ended the stopped coordinator (SIGTERM, SIGCONT, SIGKILL) before
 * the checks that do not depend on it, and a resume they then refused said "nothing was changed" with the coordinator
 * killed. Now a resume refused for another reason (here: the run's directory is missing) leaves the coordinator alone:
 * it is still there, still stopped (state {@code T}). The coordinator is a real process ({@code sleep}, with the state directory's {@code swarm.db} open as its stdin) stopped with
 * {@code kill -STOP}, with the identity a coordinator records; its lease (a millisecond) ran out.
 */
class ResumeTakeOverRefusedLeavesTheCoordinatorTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void aResumeRefusedForAnotherReasonDoesNotSignalTheCoordinator() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) ->
                // the run's directory is not made: the resume refuses ("is missing")
                coordinator = LocalCoordinator.start(w, id, false, new RunEvent.AttemptStarted("a", 1, 60_000)));
        String run = created.run();
        long pid = coordinator.pid();
        LocalCoordinator.stop(coordinator);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"resume", run, "--take-over", "--plain", "--grace", "0",
                        "--state-dir=" + created.stateDir()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is missing").contains("nothing was changed");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ended coordinator");
        assertThat(coordinator.isAlive()).isTrue();
        assertThat(LocalCoordinator.stateOf(pid)).isEqualTo('T');
    }
}
