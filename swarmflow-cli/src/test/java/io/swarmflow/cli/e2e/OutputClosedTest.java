package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Capture;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code swarm status --json | head -c 10}: once the reader of its output is gone, a command ends quietly with 141
 * (128 + SIGPIPE), as a shell's own commands do; it exited 0, as if all had been printed.
 */
class OutputClosedTest {
    @TempDir
    Path tmp;

    /**
     * A pipe whose reader is gone ({@code swarm status | true}, or {@code | head -c 10} once the pipe's buffer is full):
     * every write fails with EPIPE.
     */
    private static PrintStream closedPipe() {
        return new PrintStream(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        });
    }

    static Result intoClosedPipe(String... args) {
        Capture err = new Capture();
        int code = SwarmCli.execute(args, closedPipe(), err.stream);
        return new Result(code, "", err.text());
    }

    @Test
    void aCommandWhoseReaderWentAwayEndsQuietlyWith141() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("two.yaml"), "tickets:\n  - {id: a, run: \"seq 1 3\"}\n  - {id: b, run: \"true\"}\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = CliEndToEndTest.runId(run);

        for (List<String> args : List.of(List.of("status", "--json"), List.of("status"), List.of("runs"), List.of("runs", "--json"),
                List.of("status", id, "a"), List.of("logs", id, "a"), List.of("--help"), List.of("logs", "--help"),
                List.of("--help", "status"))) {
            String[] line = java.util.stream.Stream.concat(args.stream(), args.contains("--help") ? java.util.stream.Stream.of()
                    : java.util.stream.Stream.of("--state-dir", state.toString())).toArray(String[]::new);
            Result r = intoClosedPipe(line);
            assertThat(r.code()).as("%s: %s", args, r).isEqualTo(141);
            assertThat(r.err()).as("%s", args).isEmpty();
            assertThat(swarm(line).code()).as("%s with its reader there", args).isZero();
        }
    }

    /** A run's exit code tells how the run ended, whoever reads its output: the run goes on to its end. */
    @Test
    void aRunWhoseReaderWentAwayKeepsTheRunsCode() {
        Path spec = Cli.write(tmp.resolve("fails.yaml"), "tickets:\n  - {id: a, run: \"seq 1 3\"}\n  - {id: b, run: \"exit 3\"}\n");
        Result r = intoClosedPipe("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        Result status = swarm("status", "--json", "--state-dir", tmp.resolve("state").toString());
        assertThat(status.json().get("run").get("state").asText()).isEqualTo("failed");
    }

    /**
     * In a real process: a pipe whose reader is gone still ends quietly with 141, but a file that cannot be written
     * ({@code > /dev/full}, as a full disk) is said, with the file and why, and exits 4: 141 with nothing said left a cut
     * file unexplained.
     */
    @Test
    void aFileTheOutputCannotBeWrittenToIsSaidAndNotTakenForAGoneReader() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("one.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        assertThat(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()).code()).isZero();
        List<String> command = inItsOwnJvm("status", "--json", "--state-dir", state.toString());

        Process full = new ProcessBuilder(command).redirectOutput(new java.io.File("/dev/full")).start();
        String fullErr = new String(full.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(full.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(full.exitValue()).as(fullErr).isEqualTo(4);
        assertThat(fullErr).contains("could not write the output to /dev/full: No space left on device");

        Process piped = new ProcessBuilder(command).start();
        piped.getInputStream().close(); // the reader goes away before anything is written
        String pipedErr = new String(piped.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(piped.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(piped.exitValue()).as(pipedErr).isEqualTo(141);
        assertThat(pipedErr).isEmpty();
    }

    /**
     * {@code swarm run spec.yaml > /dev/full} (as a full disk): the run goes on to its end and keeps its exit code, and
     * once it has ended the file and why are said, once, with the run's id and state: it said nothing, leaving an empty
     * (or cut) log unexplained. A resume of the finished run says it the same way.
     */
    @Test
    void aRunWhoseOutputFileCannotBeWrittenSaysSoOnceAtTheEndAndKeepsTheRunsCode() throws Exception {
        Path state = tmp.resolve("state");
        Path ok = Cli.write(tmp.resolve("ok.yaml"), "tickets:\n  - {id: a, run: \"seq 1 3\"}\n  - {id: b, run: \"true\", needs: [a]}\n");
        Result run = intoDevFull("run", ok.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = lastRun(state, "succeeded");
        assertSaidOnce(run, id, "succeeded");

        Result resume = intoDevFull("resume", id, "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isZero();
        assertSaidOnce(resume, id, "succeeded");

        Path fails = Cli.write(tmp.resolve("fails.yaml"), "tickets:\n  - {id: a, run: \"seq 1 3\"}\n  - {id: b, run: \"exit 3\"}\n");
        Result failed = intoDevFull("run", fails.toString(), "--plain", "--state-dir", state.toString());
        assertThat(failed.code()).as("%s", failed).isEqualTo(1);
        assertSaidOnce(failed, lastRun(state, "failed"), "failed");
    }

    /** The command run in a JVM of its own whose standard output is /dev/full: every write fails with ENOSPC. */
    static Result intoDevFull(String... args) throws Exception {
        List<String> command = inItsOwnJvm(args);
        Process p = new ProcessBuilder(command).redirectOutput(new java.io.File("/dev/full")).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("%s: %s", command, err).isTrue();
        return new Result(p.exitValue(), "", err);
    }

    /** The command line that runs {@code swarm args} in a JVM of its own, with this test's classes. */
    static List<String> inItsOwnJvm(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** The id of the latest run in {@code state}, checked to be recorded in {@code expected} state. */
    static String lastRun(Path state, String expected) {
        Result status = swarm("status", "--json", "--state-dir", state.toString());
        assertThat(status.json().get("run").get("state").asText()).as("%s", status).isEqualTo(expected);
        return status.json().get("run").get("id").asText();
    }

    private static void assertSaidOnce(Result r, String id, String runState) {
        String said = "could not write the output to /dev/full: No space left on device";
        assertThat(r.err()).as("%s", r).contains(said);
        assertThat(r.err().indexOf(said)).as("said once: %s", r).isEqualTo(r.err().lastIndexOf(said));
        assertThat(r.err()).contains("run " + id + " ").contains("(" + runState + ")").contains("`swarm status " + id + "`");
    }

    /**
     * A terminal that went away (its window closed, the SSH connection dropped) fails every write with EIO: that was said
     * as a file that could not be written ("Free space (or fix the device)", exit 4), on a standard error that is most
     * often the same dead terminal. Its reader is gone as a pipe's is: the command ends quietly with 129 (128 + SIGHUP).
     * Here standard output is a pseudo-terminal whose master side was closed before the command started.
     */
    @Test
    void aTerminalThatWentAwayEndsTheCommandQuietlyWith129() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs /usr/bin/python3 to make a pseudo-terminal");
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("one.yaml"), "tickets:\n  - {id: a, run: \"seq 1 3\"}\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = CliEndToEndTest.runId(run);
        // opens a pty, closes its master (the terminal goes away), and runs the command with the slave as standard output
        String hangUp = "import os, pty, sys\nm, s = pty.openpty()\nos.close(m)\nos.dup2(s, 1)\nos.close(s)\n"
                + "os.execv(sys.argv[1], sys.argv[1:])\n";
        for (List<String> args : List.of(List.of("status", "--json", "--state-dir", state.toString()),
                List.of("logs", id, "a", "--state-dir", state.toString()), List.of("--help"))) {
            List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/python3", "-c", hangUp,
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("%s: %s", args, err).isEqualTo(129);
            assertThat(err).as("%s", args).isEmpty();
        }
    }
}
