package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SpecInput#hintOnTerminal} says of a spec path, by the loader's one descriptor rule
 * ({@link io.swarmflow.spec.SpecLoader#isDescriptor}): a pipe named by a file descriptor under a thread's directory
 * ({@code /proc/P/task/T/fd/N}) has its writer already and is not called a named pipe; a FIFO made by {@code mkfifo} is.
 */
class SpecInputTest {
    @TempDir
    Path tmp;

    private static String hint(Path spec) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            SpecInput.hintOnTerminal(spec, "validate", err);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The descriptors of this process open on a pipe ({@code pipe:[inode]}). */
    private static Set<String> pipeDescriptors() throws Exception {
        Set<String> fds = new HashSet<>();
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : list.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("pipe:")) fds.add(fd.getFileName().toString());
                } catch (java.io.IOException gone) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return fds;
    }

    @Test
    void aPipeNamedByADescriptorOfAThreadIsNotCalledANamedPipe() throws Exception {
        Set<String> before = pipeDescriptors();
        Pipe pipe = Pipe.open();
        try (var source = pipe.source(); var sink = pipe.sink()) {
            Set<String> opened = pipeDescriptors();
            opened.removeAll(before);
            assertThat(opened).as("the pipe's descriptors").isNotEmpty();
            // this thread's directory: /proc/thread-self links to PID/task/TID
            String task = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            assertThat(task).matches("[0-9]+/task/[0-9]+");
            String tid = task.substring(task.lastIndexOf('/') + 1);
            for (String fd : opened) {
                Path spec = Path.of("/proc/self/task/" + tid + "/fd/" + fd);
                assertThat(io.swarmflow.spec.SpecLoader.isDescriptor(spec)).as("%s", spec).isTrue();
                assertThat(hint(spec)).as("%s", spec).isEmpty();
                assertThat(hint(Path.of("/proc/" + ProcessHandle.current().pid() + "/task/" + tid + "/fd/" + fd)))
                        .isEmpty();
                assertThat(hint(Path.of("/proc/thread-self/fd/" + fd))).isEmpty();
                assertThat(hint(Path.of("/proc/self/fd/" + fd))).isEmpty();
            }
        }
    }

    @Test
    void aFifoInTheFileSystemIsCalledANamedPipe() throws Exception {
        Path fifo = tmp.resolve("spec.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo").isZero();
        assertThat(hint(fifo)).isEqualTo("swarm: " + fifo + " is a named pipe: swarm waits until a program writes the spec "
                + "to it and closes it (Ctrl-C to stop)\n");
    }
}
