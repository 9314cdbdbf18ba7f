package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A report file's path that is a directory (review R1 finding 4): {@code swarm report} named the temporary file the rename
 * came from, with the generic "free disk space" advice; it names the directory in the way and the fix, in one line.
 */
class ReportFileIsADirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void reportJsonThatIsADirectoryIsNamedWithTheFixAndNothingIsWritten() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - id: a\n    run: echo hi\n");
        Path state = tmp.resolve("state");
        Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String id = swarm("runs", "--json", "--state-dir", state.toString()).json().get(0).get("id").asText();
        Path runDir = state.resolve("runs").resolve(id);
        Path json = runDir.resolve("report.json");
        Files.delete(json);
        Files.createDirectory(json);
        byte[] html = Files.readAllBytes(runDir.resolve("report.html"));

        Result r = swarm("report", id, "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(4);
        assertThat(r.err()).isEqualTo("swarm: could not write the report of run " + id + ": " + json + " is a directory, not a "
                + "file; remove or rename it, then run `swarm report " + id + "` again\n");
        assertThat(json).isDirectory().isEmptyDirectory();
        assertThat(Files.readAllBytes(runDir.resolve("report.html"))).isEqualTo(html);
        try (var files = Files.list(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
