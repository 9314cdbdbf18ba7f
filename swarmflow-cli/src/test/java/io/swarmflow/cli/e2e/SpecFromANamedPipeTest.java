package io.swarmflow.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.swarmflow.cli.SwarmCli;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec path that is a named pipe with no writer yet (review R1 finding 7): opening it blocks until a program writes to
 * it, and swarm waited silently. It says that it waits for a writer, and still reads the spec once one comes (a refusal
 * of pipes would break {@code mkfifo} use; process substitutions are covered by {@link SpecFromStdinTest}).
 */
class SpecFromANamedPipeTest {
    @TempDir
    Path tmp;

    @Test
    void aNamedPipeWithoutAWriterIsSaidAndIsReadOnceOneWrites() throws Exception {
        Path fifo = tmp.resolve("spec.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
        Cli.Capture out = new Cli.Capture();
        Cli.Capture err = new Cli.Capture();
        CompletableFuture<Integer> validate = CompletableFuture.supplyAsync(
                () -> SwarmCli.execute(new String[] {"validate", fifo.toString()}, out.stream, err.stream));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                await().atMost(Duration.ofSeconds(20)).until(() -> err.text().contains("waits"));
                assertThat(err.text()).isEqualTo("swarm: " + fifo + " is a named pipe: swarm waits until a program writes "
                        + "the spec to it and closes it (Ctrl-C to stop)\n");
                try (OutputStream w = Files.newOutputStream(fifo)) {
                    w.write("tickets:\n  - {id: a, run: \"true\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                assertThat(validate.get(30, TimeUnit.SECONDS)).as("%s%s", out.text(), err.text()).isZero();
                assertThat(out.text()).contains(fifo + ": ok:");
            });
        } finally {
            if (!validate.isDone()) { // a writer that opens and closes at once ends the blocked read, so no thread is left
                try (OutputStream w = Files.newOutputStream(fifo)) {
                    w.flush();
                }
            }
        }
    }
}
