package io.swarmflow.cli;

import io.swarmflow.cli.view.OutputTarget;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm logs} decides from what its standard output is ({@link Stdout#isTerminal}), not from the test JVM's own file
 * descriptor 1: on a terminal a ticket's control characters are shown ({@code ^[}) and its colours (SGR) kept, as
 * {@code less -R} does; on a pipe or a file, and with {@code --raw} on a terminal, the bytes as written. (On a real
 * pseudo-terminal: {@code TerminalModeTest}.)
 */
class LogsOnATerminalTest {
    /** Colours, then the clipboard (OSC 52), the window title, clearing the screen, hiding the cursor, a tab. */
    private static final String WRITTEN = "red \033[31mRED\033[0m \033[1;32mbold\033[m x\033]52;c;aGk=\007 \033]0;T\007 "
            + "\033[2J \033[?25l\ttab\n";

    @TempDir
    Path tmp;

    private String state;
    private String run;

    @BeforeEach
    void runATicketThatPrintsEscapes() throws Exception {
        Path spec = Files.writeString(tmp.resolve("esc.yaml"), "name: esc\ntickets:\n  - id: a\n    run: |\n      printf '"
                + "red \\033[31mRED\\033[0m \\033[1;32mbold\\033[m x\\033]52;c;aGk=\\007 \\033]0;T\\007 \\033[2J \\033[?25l\\ttab\\n'\n");
        state = tmp.resolve("state").toString();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"run", spec.toString(), "--plain", "--state-dir", state},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        try (var runs = Files.list(tmp.resolve("state").resolve("runs"))) {
            run = runs.findFirst().orElseThrow().getFileName().toString();
        }
    }

    @Test
    void onATerminalControlCharactersAreShownAndColoursKeptThenReset() {
        assertThat(logs("/dev/pts/7")).isEqualTo("red \033[31mRED\033[0m \033[1;32mbold\033[m x^[]52;c;aGk=^G ^[]0;T^G ^[[2J "
                + "^[[?25l\ttab\n\033[m");
    }

    @Test
    void onAPipeOrAFileTheBytesAsWritten() {
        assertThat(logs("pipe:[4242]")).isEqualTo(WRITTEN);
        assertThat(logs("/home/me/out.log")).isEqualTo(WRITTEN);
    }

    @Test
    void rawOnATerminalPrintsTheBytesAsWritten() {
        assertThat(logs("/dev/pts/7", "--raw")).isEqualTo(WRITTEN);
    }

    /**
     * A colour (or concealed text, {@code ESC [ 8 m}) the ticket's stdout leaves on ends before the stderr header: it
     * would otherwise carry into, or hide, what follows on the terminal.
     */
    @Test
    void aColourLeftOnEndsBeforeTheNextHeader() throws Exception {
        Path spec = Files.writeString(tmp.resolve("left.yaml"), "name: left\ntickets:\n  - id: a\n    run: |\n"
                + "      printf 'out \\033[8mhidden\\n'\n      echo err >&2\n");
        state = tmp.resolve("state2").toString();
        int code = SwarmCli.execute(new String[]{"run", spec.toString(), "--plain", "--state-dir", state},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        try (var runs = Files.list(tmp.resolve("state2").resolve("runs"))) {
            run = runs.findFirst().orElseThrow().getFileName().toString();
        }
        assertThat(logs("/dev/pts/7")).isEqualTo("==> stdout.log <==\nout \033[8mhidden\n\033[m==> stderr.log <==\nerr\n");
    }

    /** {@code swarm logs RUN a} with its standard output going to {@code target}; what it printed there. */
    private String logs(String target, String... more) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Stdout stdout = Stdout.over(bytes, new OutputTarget(target));
        PrintStream out = stdout.printStream();
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("logs", run, "a", "--state-dir", state),
                java.util.stream.Stream.of(more)).toArray(String[]::new);
        int code = SwarmCli.execute(args, out, new PrintStream(err, true, StandardCharsets.UTF_8));
        out.flush();
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
