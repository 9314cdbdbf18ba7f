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

    /**
     * A spec read from a file descriptor, as {@code swarm run <(generate-spec)} gives it ({@code /dev/fd/63}), is named
     * {@code stdin} as {@code swarm run -} is, not after the number the shell picked; its own {@code name:} still wins,
     * and a regular file named {@code 63.yaml} is still {@code 63}.
     */
    @Test
    void specFromAFileDescriptorIsNamedStdinUnlessItNamesItself() throws Exception {
        Path unnamed = SpecFiles.write(dir, "unnamed.yaml", "tickets:\n  - {id: a, run: \"true\"}\n");
        Path named = SpecFiles.write(dir, "named.yaml", "name: generated\ntickets:\n  - {id: a, run: \"true\"}\n");
        try (java.io.FileInputStream in = new java.io.FileInputStream(unnamed.toFile());
             java.io.FileInputStream in2 = new java.io.FileInputStream(named.toFile())) {
            String fd = descriptorOf(unnamed);
            assertThat(fd).isNotEqualTo("0");
            assertThat(new SpecLoader().load(Path.of("/dev/fd/" + fd), Map.of()).name()).isEqualTo("stdin");
            assertThat(new SpecLoader().load(Path.of("/proc/self/fd/" + fd), Map.of()).name()).isEqualTo("stdin");
            assertThat(new SpecLoader().load(Path.of("/dev/fd/" + descriptorOf(named)), Map.of()).name()).isEqualTo("generated");
        }
        Path digits = SpecFiles.write(dir, "63.yaml", "tickets:\n  - {id: a, run: \"true\"}\n");
        assertThat(new SpecLoader().load(digits, Map.of()).name()).isEqualTo("63");
    }

    /** The number of a file descriptor this process has open on {@code file}, from {@code /proc/self/fd}. */
    private static String descriptorOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) return fd.getFileName().toString();
                } catch (IOException gone) {
                    // the descriptor of the listing itself, closed by now
                }
            }
        }
        throw new AssertionError("no open descriptor on " + real);
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
