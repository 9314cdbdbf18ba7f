package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code swarm resume} says that the spec changed since the run was created when the spec is a regular file, wherever it
 * is: {@code /dev/shm} included, which every path under {@code /dev} was once taken for a stream. A spec read from a
 * named pipe is a stream: resume neither compares it nor opens it (which would block with no writer), whether the pipe
 * is still there or deleted.
 */
class ResumeSpecStreamTest {
    @TempDir
    Path tmp;

    private static final String GATED = """
            tickets:
              - id: gate
                agent: noop
                approval: before-run
            """;

    /** A run of {@code spec} waiting at its gate, cancelled there: resumable. */
    private String cancelledAtTheGate(Path state, String spec, Runnable feed) throws Exception {
        Background run = Background.start("run", spec, "--plain", "--state-dir", state.toString());
        feed.run();
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        return id;
    }

    @Test
    void aSpecEditedInDevShmIsSaidToHaveChanged() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm), "no /dev/shm on this system"); // there is on Linux, CI included
        Path spec = Files.createTempFile(shm, "swarmflow-resume-", ".yaml");
        try {
            Files.writeString(spec, GATED);
            Path state = tmp.resolve("state");
            String id = cancelledAtTheGate(state, spec.toString(), () -> {});

            Files.writeString(spec, GATED.replace("before-run", "after-run"));
            Result resume = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());

            assertThat(resume.code()).as("%s", resume).isZero();
            assertThat(resume.err()).contains("swarm: note: " + spec + " has changed since run " + id + " was created; resume "
                    + "continues the plan stored then", "start a new run: swarm run " + spec);
        } finally {
            Files.deleteIfExists(spec);
        }
    }

    @Test
    void aSpecFromANamedPipeIsNeitherComparedNorOpenedWhetherThePipeIsThereOrGone() throws Exception {
        Path fifo = tmp.resolve("spec.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
        Path state = tmp.resolve("state");
        String id = cancelledAtTheGate(state, fifo.toString(), () -> write(fifo, GATED));

        // the pipe is still there, with no writer: opening it would block the resume
        Background again = Background.start("resume", id, "--plain", "--state-dir", state.toString());
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> again.out().text().contains("resuming run " + id) || again.code().isDone());
            assertThat(again.out().text()).as("%s", again.err().text()).contains("resuming run " + id);
            CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
            assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
            assertThat(again.exit()).isEqualTo(130);
            assertThat(again.err().text()).doesNotContain("has changed");
        } finally {
            if (!again.code().isDone()) unblock(fifo);
        }

        Files.delete(fifo);
        Result resume = swarm("resume", id, "--auto-approve", "--plain", "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isZero();
        assertThat(resume.err()).doesNotContain("has changed");
    }

    private static void write(Path fifo, String text) {
        try (OutputStream w = Files.newOutputStream(fifo)) { // blocks until the run opens the pipe to read it
            w.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Ends a read a resume may be blocked in, had it opened the pipe: a writer that opens and closes it at once. */
    private static void unblock(Path fifo) {
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream w = Files.newOutputStream(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                w.flush();
            } catch (IOException ignored) {
                // deleted, or nobody read it
            }
        });
    }
}
