package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm resume RUN --take-over} ends the run's stalled coordinator, and then another resume claims the run first:
 * the refusal must say that the coordinator taken over was ended all the same (its pid, the signals), not only who holds
 * the run now. The coordinator is a real process ({@code cat}) stopped with {@code kill -STOP}, with the identity a
 * coordinator records; its lease (a millisecond) ran out.
 */
class ResumeTakeOverLostClaimTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        if (coordinator != null) coordinator.destroyForcibly();
    }

    @Test
    void aClaimLostAfterTheTakeOverSaysTheOldCoordinatorWasEnded() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            // a coordinator has the state directory's swarm.db open (only such a one is taken over): here as its stdin
            coordinator = new ProcessBuilder("sleep", "600").redirectInput(w.stateDir.resolve(Wiring.DB_FILE).toFile()).start();
            String owner = identity(coordinator);
            long epoch = w.store.claimRun(id, owner, 1);
            w.store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"))).join();
            Files.createDirectories(w.runDir(id));
        });
        String run = created.run();
        long pid = coordinator.pid();
        signal("STOP", pid);
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(pid) == 'T');

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

    /** The identity a coordinator in {@code process} records ({@code Owners.coordinator()}): host:pid@start/n;exact parts. */
    private static String identity(Process process) throws Exception {
        String current = io.swarmflow.engine.Owners.coordinator();
        String host = current.substring(0, current.lastIndexOf(':', current.lastIndexOf('@')));
        String exact = current.substring(current.indexOf(';', current.lastIndexOf('@')));
        String ticks = Long.toString(io.swarmflow.sandbox.ProcessGroups.startTicks(process.pid()).orElseThrow());
        exact = exact.replaceFirst(";ticks=\\d+", ";ticks=" + ticks);
        return host + ":" + process.pid() + "@" + process.info().startInstant().orElseThrow().toEpochMilli() + "/1" + exact;
    }

    private static char stateOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    private static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
