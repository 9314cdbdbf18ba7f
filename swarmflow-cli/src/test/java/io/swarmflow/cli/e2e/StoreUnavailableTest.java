package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database cannot be written in the middle of a run (here a file-size limit on swarm's process stops the write-ahead
 * log from growing, as a full disk would): swarm says what failed and how to continue, exits 4 (not "internal error"),
 * and once the cause is gone {@code swarm resume} finishes the run.
 */
class StoreUnavailableTest {
    @TempDir
    Path tmp;

    /**
     * A spec of 30 tickets whose outputs (60 KB each) go into the database: about 2 MB of events, over the 1.5 MB
     * file-size limit these tests put on swarm's process. Written as {@code dir/fat.yaml}.
     */
    static Path fatSpec(Path dir) throws java.io.IOException {
        return Cli.write(dir.resolve("fat.yaml"), """
                tickets:
                  - id: fat
                    matrix: { i: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] }
                    outputs: { blob: { json: blob } }
                    run: printf '{"blob":"%s"}\\n' "$(head -c 60000 /dev/zero | tr '\\0' x)"
                """);
    }

    /**
     * A spec of 30 tickets that each print 20 lines of 2,000 characters on standard output and on standard error, then
     * fail ("boom", their reason): the run's report holds each one's last 20 lines of both, about 2.4 MB, over the 1.5 MB
     * file-size limit these tests put on swarm's process, while the database (no log line in it: about 100 KB) and each
     * log file stay under it. Written as {@code dir/loud.yaml}.
     */
    static Path loudFailuresSpec(Path dir) throws java.io.IOException {
        return Cli.write(dir.resolve("loud.yaml"), """
                tickets:
                  - id: loud
                    matrix: { i: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30] }
                    run: |
                      line="$(head -c 2000 /dev/zero | tr '\\0' x)"
                      for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo "$line"; echo "$line" >&2; done
                      echo boom >&2
                      exit 1
                """);
    }

    /**
     * The command line that runs {@code swarm args} in a JVM of its own ({@link OutputClosedTest#inItsOwnJvm}) under a
     * file-size limit of 1.5 MB ({@code prlimit --fsize}): a write that would grow a file past it fails, as on a full disk.
     */
    static List<String> underFileSizeLimit(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("prlimit", "--fsize=1500000", "--"));
        command.addAll(OutputClosedTest.inItsOwnJvm(args));
        command.addAll(4, List.of("-XX:TieredStopAtLevel=1", "-Xmx256m")); // after java
        return command;
    }

    /** Runs {@code command} with standard error merged into standard output and no input; waits for it. */
    private static Result merged(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        return new Result(p.exitValue(), out, "");
    }

    @Test
    void aWriteFailureStopsTheRunWithExit4AndResumeFinishesIt() throws Exception {
        Path spec = fatSpec(tmp);
        Path state = tmp.resolve("state");
        Result r = merged(underFileSizeLimit("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString()));
        String out = r.out();
        assertThat(r.code()).as(out).isEqualTo(4);
        Matcher m = Pattern.compile("run (\\S+): 30 tickets").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        String run = m.group(1);
        assertThat(out).contains("swarm: could not write to " + state.resolve("swarm.db"), "; nothing of these writes was recorded",
                        "swarm: run " + run + " stopped: its running attempts were stopped, and what was recorded before this error "
                                + "is kept\nswarm: once the cause is fixed (a lock another process holds, free disk space, permissions, "
                                + "the database server), `swarm resume " + run + "` continues it\n")
                .doesNotContain("internal error", "\tat ");

        Result resume = swarm("resume", run, "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isZero();
        JsonNode status = swarm("status", run, "--json", "--state-dir", state.toString()).json();
        assertThat(status.get("run").get("state").asText()).isEqualTo("succeeded");
        assertThat(status.get("tickets")).hasSize(30).allSatisfy(t -> assertThat(t.get("state").asText()).isEqualTo("succeeded"));
    }

    /**
     * The run ends (its tickets failed) and is recorded, but its report cannot be written (the file-size limit): swarm says
     * so, exit 4, and points to {@code swarm report RUN}, which writes it once the cause is gone; not "internal error", nor
     * "run the command again" (a new run), nor that {@code swarm status} shows it (the store may not read until then).
     */
    @Test
    void aReportThatCannotBeWrittenSaysTheRunEndedAndHowToWriteIt() throws Exception {
        Path spec = loudFailuresSpec(tmp);
        Path state = tmp.resolve("state");
        Result r = merged(underFileSizeLimit("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString()));

        assertThat(r.code()).as("%s", r).isEqualTo(4);
        String run = OutputClosedTest.lastRun(state, "failed");
        assertThat(r.out()).contains("swarm: could not write the report of run " + run + " in " + state.resolve("runs").resolve(run)
                        + ": ", "File too large\n",
                "swarm: run " + run + " ended (failed) and is recorded, but its report was not written\n"
                        + "swarm: once the cause is fixed (free disk space, permissions, the database server), `swarm report " + run
                        + "` writes it\n")
                .doesNotContain("internal error", "\tat ", "run the command again", "swarm status");

        Result report = swarm("report", run, "--state-dir", state.toString());
        assertThat(report.code()).as("%s", report).isZero();
        assertThat(state.resolve("runs").resolve(run).resolve("report.html")).isRegularFile();
    }
}
