package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review R6: a state directory under a directory whose name is not valid UTF-8 (a copied {@code .swarm} in the repository)
 * reached bubblewrap decoded lossily (U+FFFD), and every sandboxed ticket failed with a bare
 * {@code bwrap: Can't mkdir parents for ...}. The launch now refuses such a directory with what to do, or leaves it out
 * where a hidden directory above it covers it anyway.
 */
class UnnameableDirectoryTest {
    @TempDir
    Path tmp;

    private static final Bubblewrap.Status FAKE_BWRAP = new Bubblewrap.Status(true, "/usr/bin/bwrap", "bubblewrap 0.8.0", null);

    /** {@code parent/d<0xff>/.swarm}, made by bash (a Java String cannot name it), as the JVM lists it (raw bytes kept). */
    private static Path oddStateDir(Path parent) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "mkdir -p \"$1\"/$'d\\xff'/.swarm", "mk", parent.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        try (Stream<Path> s = Files.list(parent)) {
            Path odd = s.filter(f -> f.getFileName().toString().startsWith("d")).findFirst().orElseThrow();
            assertThat(Sandbox.nameable(odd)).isFalse();
            return odd.resolve(".swarm");
        }
    }

    @Test
    void aDirectoryToHideWhoseNameBubblewrapCannotGetIsRefusedWithWhatToDo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        SandboxSpec spec = SandboxSpec.builder(repo).hiddenDir(oddStateDir(repo)).build();
        try (Sandbox sandbox = new Sandbox(FAKE_BWRAP, w -> {})) {
            assertThatThrownBy(() -> sandbox.commandLine(spec, List.of("true"))).isInstanceOf(SandboxException.class)
                    .hasMessageContaining("/d\uFFFD/.swarm")
                    .hasMessageContaining("cannot be passed to bubblewrap")
                    .hasMessageContaining("Rename that directory to a valid UTF-8 name, or remove it");
        }
    }

    @Test
    void oneUnderADirectoryHiddenAnywayIsLeftOut() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        SandboxSpec spec = SandboxSpec.builder(tmp).hiddenDir(state).hiddenDir(oddStateDir(state)).build();
        try (Sandbox sandbox = new Sandbox(FAKE_BWRAP, w -> {})) {
            List<String> argv = sandbox.commandLine(spec, List.of("true"));
            assertThat(argv).contains(state.toRealPath().toString()).noneMatch(a -> a.contains("\uFFFD"));
        }
    }
}
