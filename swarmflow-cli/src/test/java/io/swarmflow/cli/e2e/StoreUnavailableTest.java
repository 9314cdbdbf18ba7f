package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.SwarmCli;
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

    @Test
    void aWriteFailureStopsTheRunWithExit4AndResumeFinishesIt() throws Exception {
        Path spec = fatSpec(tmp);
        Path state = tmp.resolve("state");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(List.of("prlimit", "--fsize=1500000", "--", java, "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName(),
                "run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString()))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(4);
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
}
