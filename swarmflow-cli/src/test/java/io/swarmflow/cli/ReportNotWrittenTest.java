package io.swarmflow.cli;

import io.swarmflow.cli.report.RunReport;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code swarm run} says when the report of the run it ran cannot be written. */
class ReportNotWrittenTest {
    /** A directory where report.json goes: the lines name it and the fix, not disk space or the database server. */
    @Test
    void aReportFileThatIsADirectoryIsNamedWithItsFix() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path runDir = Path.of("/state/runs/R");
        int code = RunCommands.Foreground.reportNotWritten(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "R", RunState.SUCCEEDED, runDir,
                new RunReport.DirectoryInTheWay(runDir.resolve("report.json")));

        assertThat(code).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("""
                swarm: could not write the report of run R in /state/runs/R: /state/runs/R/report.json: is a directory, not a file; remove or rename it
                swarm: run R ended (succeeded) and is recorded, but its report was not written
                swarm: once it is removed or renamed, `swarm report R` writes it
                """);
    }
}
