package io.swarmflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Review R2, F2: a run whose coordinator is a live process of this host stopped past its lease (Ctrl-Z on
 * {@code swarm run}, {@code kill -STOP}) was shown as "stopped without recording an end (killed, crashed ...); swarm
 * resume continues it", and {@code swarm resume} took it over silently; continued ({@code fg}), the old coordinator went
 * on beside the new one. Now {@code swarm status} says it is alive but stopped and how to go on, {@code swarm resume}
 * refuses (exit 2, nothing changed), and {@code swarm cancel} says the cancel waits for it. Once the process is ended,
 * the resume continues the run. The coordinator is a real process, stopped with {@code kill -STOP}, whose identity is the
 * one a coordinator records (its pid, start ticks, boot id and pid namespace); its lease (a millisecond) ran out.
 */
class StoppedCoordinatorStatusAndResumeTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void aStoppedCoordinatorIsSaidAliveAndStoppedAndItsRunIsNotResumedUntilItIsEnded() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) ->
                coordinator = LocalCoordinator.start(w, id, true, new RunEvent.AttemptStarted("a", 1, 60_000)));
        long pid = coordinator.pid();
        String run = created.run();
        String state = "--state-dir=" + created.stateDir();
        LocalCoordinator.stop(coordinator);

        Result status = swarm("status", run, state);
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).as(status.out()).containsPattern("\n  its coordinator \\(pid " + pid + "\\) is alive but stopped "
                        + "\\(Ctrl-Z or SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago; it still holds the run \\(a "
                        + "resume is refused\\): let it go on with `kill -CONT " + pid + "` \\(or `fg` in its terminal\\), or end it "
                        + "with `kill " + pid + "; kill -CONT " + pid + "` and then `swarm resume " + run + "` \\(unattended: `swarm resume " + run + " --take-over` ends it and resumes\\)\n")
                .doesNotContain("killed, crashed", "running (stopped)");
        assertThat(swarm("status", run, "a", state).out()).contains("  its coordinator (pid " + pid + ") is alive but stopped");
        assertThat(JSON.readTree(swarm("status", run, state, "--json").out()).get("run").get("executing").asBoolean()).isTrue();

        Result resume = swarm("resume", run, state, "--plain");
        assertThat(resume.code()).as("%s", resume).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(resume.out()).isEmpty();
        assertThat(resume.err()).containsPattern("^swarm: run " + run + "'s coordinator \\(pid " + pid + "\\) is alive but stopped "
                + "\\(Ctrl-Z or SIGSTOP\\) and has not renewed its lease, which ran out \\d+ s ago: let it go on with `kill -CONT "
                + pid + "` \\(or `fg` in its terminal\\), or end it with `kill " + pid + "; kill -CONT " + pid + "` and then `swarm resume " + run
                + "` \\(unattended: `swarm resume " + run + " --take-over` ends it and resumes\\); nothing was changed\n$");
        try (Wiring w = Wiring.forReading(created.stateDir(), new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(w.store.lease(run).orElseThrow().owner()).as("not taken over").isEqualTo(LocalCoordinator.identity(coordinator));
        }

        Result cancel = swarm("cancel", run, state);
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(cancel.out()).contains("  its coordinator (pid " + pid + ") is alive but stopped", ": it applies the cancel once "
                + "it goes on (`kill -CONT " + pid + "`, or `fg` in its terminal); ended instead (`kill " + pid + "; kill -CONT " + pid + "`), the run stays "
                + "as it is until `swarm resume " + run + "`, which does not apply this cancel\n");

        assertThat(swarm("status", run, state).out()).contains("its coordinator applies it once it goes on\n");

        // continued, it runs again but (here) does not renew the lease: still alive, still not taken over
        LocalCoordinator.resume(coordinator);
        Result hung = swarm("resume", run, state, "--plain");
        assertThat(hung.code()).as("%s", hung).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(hung.err()).containsPattern("is alive but has not renewed its lease, which ran out \\d+ s ago \\(hung, or the "
                + "machine is overloaded\\): wait, or end it with `kill " + pid + "` and then `swarm resume " + run + "`");
        assertThat(swarm("status", run, state).out()).contains("  its coordinator (pid " + pid + ") is alive but has not renewed");

        coordinator.destroyForcibly().waitFor();
        assertThat(swarm("status", run, state).out()).contains("running (stopped)", "killed, crashed").doesNotContain("is alive");
        Result resumed = swarm("resume", run, state, "--plain");
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(resumed.out()).contains("resuming run " + run + " (running)", "run succeeded");
    }

    private record Result(int code, String out, String err) {}

    private static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
