package io.swarmflow.cli;

import io.swarmflow.cli.QueryCommands.Logs.ColourResetAtExit;
import io.swarmflow.cli.view.OutputTarget;
import io.swarmflow.cli.view.PrintableBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm logs RUN TICKET --follow} on a terminal, interrupted by Ctrl-C (SIGINT): what it had read of the log and
 * its {@link PrintableBytes} still held (its buffer, a control character cut by the last read such as a progress bar's
 * trailing CR) is printed before the exit, then the colours are reset. Before, the shutdown hook wrote the reset alone:
 * the held bytes were lost (a progress bar's last state left without its line end, the shell's prompt after it), and a
 * Ctrl-C while a read was being copied lost up to 8 KiB that the log file holds.
 */
class LogsFollowInterruptedTest {
    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    /** The hook prints what the filter holds unflushed (buffer and a cut control character), then the reset. */
    @Test
    void theHookPrintsWhatWasReadAndIsStillHeldThenResetsTheColours() throws IOException {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new BufferedOutputStream(terminal, 8192), false, StandardCharsets.UTF_8);
        PrintableBytes shown = new PrintableBytes(out);
        shown.write("read before the Ctrl-C \033[32mgreen 50%\r".getBytes(StandardCharsets.UTF_8)); // not flushed

        boolean written = new ColourResetAtExit(out, shown, ColourResetAtExit.JOIN_MILLIS).reset();

        assertThat(written).isTrue();
        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("read before the Ctrl-C \033[32mgreen 50%\n\033[m");
    }

    /**
     * A real Ctrl-C: {@code swarm logs --follow} in a JVM of its own, its standard output a file taken for a terminal
     * ({@link OnATerminal}), sent SIGINT while the ticket it follows sleeps after printing a line and a progress bar's
     * state ending with a CR.
     */
    @Test
    void aCtrlCDuringFollowPrintsWhatWasReadBeforeTheExit() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Files.writeString(tmp.resolve("bar.yaml"), """
                tickets:
                  - id: bar
                    run: |
                      printf 'step 1\\n\\033[32mstep 2 50%%\\r'
                      touch "$SWARM_SCRATCH/printed"
                      sleep 600
                """);
        Process coordinator = java(tmp.resolve("coordinator.log"), SwarmCli.class, "run", spec.toString(), "--plain",
                "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                && Files.list(state.resolve("runs")).anyMatch(r -> Files.exists(r.resolve("scratch").resolve("printed"))));
        String run;
        try (var runs = Files.list(state.resolve("runs"))) {
            run = runs.findFirst().orElseThrow().getFileName().toString();
        }

        Path shown = tmp.resolve("terminal");
        Process logs = java(tmp.resolve("logs.err"), OnATerminal.class, shown.toString(), "logs", run, "bar", "--follow",
                "--state-dir", state.toString());
        // the progress bar's state is on the terminal: the CR after it, which may yet be a CR LF, is held
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(shown)
                && Files.readString(shown).contains("step 2 50%"));
        assertThat(logs.isAlive()).as("following: %s", Files.readString(tmp.resolve("logs.err"))).isTrue();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(logs.pid())).inheritIO().start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -INT").isTrue();
        assertThat(logs.waitFor(60, TimeUnit.SECONDS)).as("ended by the Ctrl-C").isTrue();

        assertThat(logs.exitValue()).as("%s", Files.readString(tmp.resolve("logs.err"))).isEqualTo(130);
        // before: "step 1\n\033[32mstep 2 50%\033[m", the CR read from the log not shown (the prompt would follow "50%")
        assertThat(Files.readString(shown)).isEqualTo("step 1\n\033[32mstep 2 50%\n\033[m");
        assertThat(coordinator.isAlive()).as("the run goes on; logs only watched it").isTrue();
    }

    /** Stops what the test started: the logs JVM, the coordinator and the attempt it started. */
    @AfterEach
    void stopStarted() throws InterruptedException {
        for (Process p : started) {
            List<ProcessHandle> tree = p.descendants().toList();
            p.destroyForcibly();
            p.waitFor();
            for (ProcessHandle h : tree) h.destroyForcibly();
        }
    }

    /** {@code main} of {@code main} in a JVM of its own with this test's class path, its output and errors in {@code log}. */
    private Process java(Path log, Class<?> main, String... args) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /**
     * {@code swarm ARGS...} with its standard output the file {@code args[0]}, taken for a terminal ({@code /dev/pts/7}),
     * as {@link Stdout#open} would be on one; exits with the command's code.
     */
    public static final class OnATerminal {
        public static void main(String[] args) throws IOException {
            OutputStream file = new FileOutputStream(args[0]);
            PrintStream out = Stdout.over(file, new OutputTarget("/dev/pts/7")).printStream();
            int code = SwarmCli.execute(Arrays.copyOfRange(args, 1, args.length), out, System.err);
            out.flush();
            System.exit(code);
        }
    }
}
