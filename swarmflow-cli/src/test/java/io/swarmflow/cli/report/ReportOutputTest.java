package io.swarmflow.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RunReport.Output}: a coordinator interrupted while it writes the report stops it, and exits leaving each
 * report file whole or absent, with no temporary file.
 */
class ReportOutputTest {
    @TempDir
    Path runDir;

    private List<String> files() throws Exception {
        try (var list = Files.list(runDir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStoppedOutputWritesNothing() throws Exception {
        RunReport.Output output = new RunReport.Output(runDir);
        assertThat(output.stop()).isEmpty();
        assertThatThrownBy(() -> RunReport.writeAll(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), output)).isInstanceOf(RunReport.Output.Stopped.class);
        assertThat(files()).isEmpty();
    }

    @Test
    void stopSaysWhichFilesWereWritten() throws Exception {
        RunReport.Output output = new RunReport.Output(runDir);
        Path html = RunReport.writeAll(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), output);
        assertThat(html).isEqualTo(runDir.resolve("report.html"));
        assertThat(output.stop()).containsExactly("report.json", "report.html");
        assertThat(files()).containsExactly("report.html", "report.json");
    }

    /** A signal arriving while a file's content is being rendered does not wait for the render, and the file is never written. */
    @Test
    void aStopDuringARenderReturnsAtOnceAndTheFileIsNotWritten() throws Exception {
        RunReport.Output output = new RunReport.Output(runDir);
        output.write(runDir.resolve("report.json"), () -> "{}");
        CompletableFuture<List<String>> stopped = new CompletableFuture<>();
        assertThatThrownBy(() -> output.write(runDir.resolve("report.html"), () -> {
            stopped.completeAsync(output::stop); // from another thread, as the signal handler does
            stopped.orTimeout(10, TimeUnit.SECONDS).join(); // the render goes on only once stop() has returned
            return "<html>";
        })).isInstanceOf(RunReport.Output.Stopped.class);
        assertThat(stopped.get()).containsExactly("report.json");
        assertThat(files()).containsExactly("report.json");
    }
}
