package io.swarmflow.cli;

import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM (or Ctrl-C, SIGHUP) while {@code swarm run} read the spec and created the run, or {@code swarm resume} checked
 * it, before the handlers that cancel a run were installed: the JVM ended at its default, exit 143 for SIGTERM (129 for
 * SIGHUP) where the README promises 130, saying nothing, and leaving the run never started without a word on how to start
 * it. The signal is now handled from the start: the run is not started, the command says so and how to go on, and exits 130.
 */
class SignalBeforeStartTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("removal")
    void aSignalBeforeTheRunExecutesLeavesItAsItIsAndExits130() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {}); // a `swarm run` that stopped before it began
        Path stateDir = created.stateDir();
        String run = created.run();
        ByteArrayOutputStream out = new ByteArrayOutputStream(); // what reached the file
        Stdout stdout = Stdout.over(new java.io.OutputStream() { // standard output a file on a full disk
            @Override
            public void write(int b) throws java.io.IOException {
                out.write(b);
                throw new java.io.IOException("No space left on device");
            }
        }, new io.swarmflow.cli.view.OutputTarget("/data/out.log"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RunCommands.Resume resume = new RunCommands.Resume();
        resume.runId = run;
        resume.state = new StateOptions();
        resume.state.stateDir = stateDir;
        resume.exec.plain = true;
        resume.beforeClaim = w -> { // after the checks: the user presses Ctrl-C, or the terminal sends SIGTERM
            sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
            await().atMost(Duration.ofSeconds(30)).until(() -> err.toString(StandardCharsets.UTF_8).contains("interrupted (SIGTERM)"));
        };
        int code;
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream stdoutStream = stdout.printStream();
        stdoutStream.println("(a line the disk had no room for)"); // a write failed: the end says the file
        Streams.set(stdoutStream, errStream);
        try {
            code = resume.call();
        } finally {
            Streams.clear();
        }
        assertThat(stdout.judge(code, errStream)).isEqualTo(ExitCodes.INTERRUPTED);

        assertThat(code).as("out: %s\nerr: %s", out, err).isEqualTo(ExitCodes.INTERRUPTED);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("resuming", "started");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("run " + run + " was not started (interrupted: SIGTERM); it stays "
                + "as it is until `swarm resume " + run + "`\nswarm: could not write the output to /data/out.log: No space left on "
                + "device; what was printed before is there, the rest is not. What became of the run is said above; it was not "
                + "because of this.\n");
        String said = err.toString(StandardCharsets.UTF_8);
        assertThat(said.indexOf("swarm resume")).as("said once: %s", said).isEqualTo(said.lastIndexOf("swarm resume"));
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(w.service.requireRun(run).state()).isEqualTo(RunState.CREATED);
            assertThat(w.service.isExecuting(run)).isFalse();
        }
    }
}
