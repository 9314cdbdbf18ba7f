package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specs read from streams ({@code /dev/stdin}, {@code <(cat spec)}, {@code /dev/zero}) rather than regular files. */
class SpecStreamsTest {
    @TempDir
    Path dir;

    @Test
    void endlessStreamIsCutOffAtTheSizeLimit() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "needs /dev/zero");

        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> errors(zero, Map.of()));

        assertThat(errors).containsExactly("zero: spec is larger than the limit of 1,048,576 bytes (1 MiB); "
                + "split it into smaller specs; keep large data in files that tickets read, not in the spec");
    }

    @Test
    void pipeIsReadOnlyUpToTheLimitPlusOneByte() throws Exception {
        Path fifo = fifo();
        long limit = SpecLoader.DEFAULT_MAX_BYTES;
        // the writer offers 16 times the limit and counts what the reader took before closing the pipe
        CompletableFuture<Long> written = CompletableFuture.supplyAsync(() -> {
            byte[] chunk = "# padding\n".repeat(6554).getBytes(StandardCharsets.UTF_8);
            long total = 0;
            try (OutputStream out = Files.newOutputStream(fifo)) {
                while (total < 16 * limit) {
                    out.write(chunk);
                    total += chunk.length;
                }
            } catch (IOException brokenPipe) {
                // the reader stopped reading and closed its end
            }
            return total;
        });

        List<String> errors = errors(fifo, Map.of());

        assertThat(errors).containsExactly("spec.fifo: spec is larger than the limit of 1,048,576 bytes (1 MiB); "
                + "split it into smaller specs; keep large data in files that tickets read, not in the spec");
        // what was read, plus at most a pipe buffer and one chunk written before the reader closed its end
        assertThat(written.get(30, TimeUnit.SECONDS)).isLessThan(limit + (2L << 20));
    }

    @Test
    void smallSpecFromAPipeLoads() throws Exception {
        Path fifo = fifo();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Files.writeString(fifo, "tickets:\n  - {id: a, run: \"true\"}\n");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        Plan plan = new SpecLoader().load(fifo, Map.of());

        writer.get(30, TimeUnit.SECONDS);
        assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactly("a");
    }

    private Path fifo() throws IOException, InterruptedException {
        Path fifo = dir.resolve("spec.fifo");
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo (coreutils) is not installed, and Java cannot make a FIFO itself");
            throw e;
        }
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assumeTrue(p.exitValue() == 0, "mkfifo failed");
        return fifo;
    }
}
