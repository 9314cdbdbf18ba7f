package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state directory whose runs/ is a file is refused before a run is stored (exit 2, naming it; review R1 finding 2, see
 * StateDirShapeTest); a run directory that cannot be made is exit 4 naming it, not an internal error.
 */
class RunDirUnwritableTest {
    @TempDir
    Path tmp;

    @Test
    void runsThatIsAFileIsExit2BeforeARunIsStoredWithoutAStackTrace() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: a
                    run: echo hi
                """);
        Path state = tmp.resolve("state");
        assertThat(swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString()).code()).isZero();
        Path runs = state.resolve("runs");
        new ProcessBuilder("rm", "-rf", runs.toString()).start().waitFor();
        Files.writeString(runs, "not a directory");

        Result r = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains(runs + " is a file, not a directory", "nothing was changed")
                .doesNotContain("internal error", "\tat ");
    }

    @Test
    void swarmReportWhoseRunDirectoryIsAFileIsExit4WithoutAStackTrace() throws Exception {
        Path state = tmp.resolve("state");
        String id = runAndDeleteItsDirectory(state);
        Path runDir = state.resolve("runs").resolve(id);
        Files.writeString(runDir, "not a directory");

        Result r = swarm("report", id, "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(4);
        assertThat(r.err()).contains("could not write the report of run " + id + " in " + runDir + ": " + runDir
                        + " is a file, not a directory")
                .doesNotContain("internal error", "\tat ");
    }

    /** The deleted directory of an ended run (which resume leaves as it is) is made again, owner-only, with its report. */
    @Test
    void swarmReportOfAnEndedRunWhoseDirectoryWasDeletedWritesItAnew() throws Exception {
        Path state = tmp.resolve("state");
        String id = runAndDeleteItsDirectory(state);
        Path runDir = state.resolve("runs").resolve(id);

        Result r = swarm("report", id, "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(runDir.resolve("report.html")).exists();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir))).isEqualTo("rwx------");
    }

    /** Runs a one-ticket spec to success in {@code state}, then deletes its run directory; returns the run id. */
    private String runAndDeleteItsDirectory(Path state) throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                tickets:
                  - id: a
                    run: echo hi
                """);
        Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = swarm("runs", "--json", "--state-dir", state.toString()).json().get(0).get("id").asText();
        new ProcessBuilder("rm", "-rf", state.resolve("runs").resolve(id).toString()).start().waitFor();
        return id;
    }
}
