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
        if (coordinator != null) {
            signal("CONT", coordinator.pid());
            coordinator.destroyForcibly();
        }
    }

    @Test
    void aResumeRefusedForAnotherReasonDoesNotSignalTheCoordinator() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            // a coordinator has the state directory's swarm.db open (only such a one is taken over): here as its stdin
            coordinator = new ProcessBuilder("sleep", "600").redirectInput(w.stateDir.resolve(Wiring.DB_FILE).toFile()).start();
            String owner = identity(coordinator);
            long epoch = w.store.claimRun(id, owner, 1);
            w.store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a"),
                    new RunEvent.AttemptStarted("a", 1, 60_000))).join();
            // the run's directory is not made: the resume refuses ("is missing")
        });
        String run = created.run();
        long pid = coordinator.pid();
        signal("STOP", pid);
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(pid) == 'T');

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"resume", run, "--take-over", "--plain", "--grace", "0",
                        "--state-dir=" + created.stateDir()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is missing").contains("nothing was changed");
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ended coordinator");
        assertThat(coordinator.isAlive()).isTrue();
        assertThat(stateOf(pid)).isEqualTo('T');
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
