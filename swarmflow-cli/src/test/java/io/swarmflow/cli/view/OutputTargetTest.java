package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standard output as {@code /proc/self/fd/1} names it: a terminal (a ticket's control characters must not reach it raw),
 * a pipe or socket (a failed write lost its reader), or a file (a failed write is said). The command-line ends of these
 * are in TerminalModeTest and OutputClosedTest, on a real pty, pipe and {@code /dev/full}.
 */
class OutputTargetTest {
    @Test
    void terminalsPipesAndFilesAreToldApartByTheLinksTarget() {
        for (String terminal : List.of("/dev/pts/0", "/dev/pts/17", "/dev/tty1", "/dev/ttyS0", "/dev/tty", "/dev/console")) {
            assertThat(new OutputTarget(terminal)).as(terminal).matches(OutputTarget::known).matches(OutputTarget::isTerminal)
                    .matches(t -> !t.isPipeOrSocket());
        }
        for (String pipe : List.of("pipe:[123456]", "socket:[98765]")) {
            assertThat(new OutputTarget(pipe)).as(pipe).matches(OutputTarget::isPipeOrSocket).matches(t -> !t.isTerminal());
        }
        for (String file : List.of("/dev/full", "/dev/null", "/home/me/out.json", "/tmp/dev/pts/1", "anon_inode:[eventfd]")) {
            assertThat(new OutputTarget(file)).as(file).matches(OutputTarget::known).matches(t -> !t.isTerminal() && !t.isPipeOrSocket());
        }
        assertThat(new OutputTarget(null)).matches(t -> !t.known() && !t.isTerminal() && !t.isPipeOrSocket());
    }

    @Test
    void standardOutputIsWhatProcSaysOfFileDescriptorOne() throws IOException {
        assertThat(OutputTarget.standardOutput().link()).isEqualTo(Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString());
    }
}
