package io.swarmflow.cli;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code swarm resume RUN --take-over} ends the run's stalled coordinator, and then another resume claims the run first:
 * the refusal must say that the coordinator taken over was ended all the same (its pid, the signals), not only who holds
 * the run now. The coordinator is a real process ({@link LocalCoordinator}) stopped with {@code kill -STOP}, with the identity a
 * coordinator records; its lease (a millisecond) ran out.
 */
class ResumeTakeOverLostClaimTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void aClaimLostAfterTheTakeOverSaysTheOldCoordinatorWasEnded() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> coordinator = LocalCoordinator.start(w, id, true));
        String run = created.run();
        long pid = coordinator.pid();
        LocalCoordinator.stop(coordinator);

        RunCommands.Resume resume = new RunCommands.Resume();
        resume.runId = run;
        resume.state = new StateOptions();
        resume.state.stateDir = created.stateDir();
        resume.exec.plain = true;
        resume.takeOver = true;
        // another resume claims the run once this one has ended the coordinator, before its own claim
        resume.beforeClaim = w -> w.store.claimRun(run, "otherhost:2@2", 60_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(resume::call).isInstanceOf(StoreException.RunLocked.class)
                    .hasMessageContaining("is held by otherhost:2@2")
                    .hasMessageContaining("the coordinator --take-over ended before the claim, pid " + pid + ", was sent SIGTERM");
        } finally {
            Streams.clear();
        }
        assertThat(coordinator.waitFor(30, TimeUnit.SECONDS)).as("the coordinator was ended").isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("ended coordinator pid " + pid);
    }
}
