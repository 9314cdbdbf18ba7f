package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SpecLoader#isStream} takes for a stream: a descriptor path by its name, or a file that is not a regular
 * one (a named pipe, a character device), by its attributes; a regular file is none wherever it is, {@code /dev/shm}
 * included, and a spec there takes its own directory for {@code repo}.
 */
class SpecStreamRuleTest {
    @TempDir
    Path dir;

    @Test
    void descriptorPathsAreStreamsByTheirNameWhateverIsThere() {
        for (String path : new String[] {"-", "/dev/stdin", "/dev/fd/0", "/dev/fd/63", "/proc/self/fd/0", "/proc/thread-self/fd/3",
                "/proc/1234/fd/7", "/proc/self/task/1234/fd/9", "/dev/fd/../fd/63"}) {
            assertThat(SpecLoader.isDescriptor(Path.of(path))).as(path).isTrue();
            assertThat(SpecLoader.isStream(Path.of(path))).as(path).isTrue();
        }
    }

    @Test
    void aNamedPipeAndACharacterDeviceAreStreamsAndThePipeIsNotOpenedToTellIt() throws Exception {
        Path fifo = mkfifo(dir.resolve("spec.yaml"));
        Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), fifo);

        // opening a pipe with no writer would block: the answer comes from its attributes
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertThat(SpecLoader.isStream(fifo)).isTrue();
            assertThat(SpecLoader.isStream(link)).as("a link to a pipe, followed").isTrue();
        });
        assertThat(SpecLoader.isDescriptor(fifo)).isFalse();
        assertThat(SpecLoader.isStream(Path.of("/dev/null"))).as("a character device").isTrue();
        assertThat(SpecLoader.directoryOf(fifo)).as("the working directory").isEqualTo(Path.of("").toAbsolutePath());
    }

    @Test
    void aRegularFileADirectoryAndAMissingPathAreNoStreams() throws Exception {
        Path file = SpecFiles.write(dir, "swarm.yaml", "tickets:\n  - {id: a, run: \"true\"}\n");
        assertThat(SpecLoader.isStream(file)).isFalse();
        assertThat(SpecLoader.isStream(dir)).isFalse();
        assertThat(SpecLoader.directoryOf(file)).isEqualTo(dir.toAbsolutePath().normalize());

        // deleted since the run was created (a regular file, or a named pipe): nothing to read, no stream
        Files.delete(file);
        assertThat(SpecLoader.isStream(file)).isFalse();
        Path fifo = mkfifo(dir.resolve("gone.yaml"));
        Files.delete(fifo);
        assertThat(SpecLoader.isStream(fifo)).isFalse();
        assertThat(SpecLoader.isStream(dir.resolve("dangling.yaml"))).isFalse();
        // no regular file under /dev is a descriptor by its name: /dev/shm/42 names a file in a tmpfs
        assertThat(SpecLoader.isDescriptor(Path.of("/dev/shm/42"))).isFalse();
        assertThat(SpecLoader.isDescriptor(Path.of("/proc/1/fdinfo/5"))).isFalse();
    }

    /**
     * A spec in a tmpfs ({@code /dev/shm}) is a regular file: its relative {@code repo:} starts at its own directory, as
     * its default {@code repo} does, not at the working directory as for a spec read from a stream.
     */
    @Test
    void aRegularFileUnderDevShmHasItsOwnDirectory() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm), "no /dev/shm on this system"); // there is on Linux, CI included
        Path own = Files.createTempDirectory(shm, "swarmflow-spec-");
        try {
            SpecFiles.gitInit(own.resolve("proj"));
            Path spec = SpecFiles.write(own, "spec.yaml", "repo: proj\ntickets:\n  - {id: a, run: \"true\"}\n");

            assertThat(SpecLoader.isStream(spec)).isFalse();
            Plan plan = new SpecLoader().load(spec, Map.of());

            assertThat(plan.specDir()).isEqualTo(own.toString());
            assertThat(plan.repo()).isEqualTo(own.resolve("proj").toString());
            assertThat(plan.name()).isEqualTo("spec");
            Files.writeString(spec, "repo: proj\ntickets:\n  - {id: a, run: \"false\"}\n");
            assertThat(SpecLoader.changedSince(plan, spec)).contains(true);
        } finally {
            deleteTree(own);
        }
    }

    static Path mkfifo(Path fifo) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("mkfifo: %s", out).isZero();
        return fifo;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
