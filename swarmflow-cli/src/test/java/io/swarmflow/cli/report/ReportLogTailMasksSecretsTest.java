package io.swarmflow.cli.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.files.mask.Masking;
import io.swarmflow.spec.PlannedTicket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review R5, defence in depth: the report's log tail removes escape sequences, which can bring a secret's pieces
 * together; each line is masked again after that with the run's secrets (the values of swarm's environment the plan
 * reads), here with a log holding the secret split by more escape bytes than the stream masker matches in one
 * occurrence. The surefire configuration sets SWARM_TEST_SECRET for the test JVM.
 */
class ReportLogTailMasksSecretsTest {
    private static final String E = "\u001B";

    @TempDir Path runDir;

    @Test
    void aSecretThatRemovingTheSequencesPutsTogetherIsMaskedInReportJsonAndHtml() throws IOException {
        String secret = System.getenv("SWARM_TEST_SECRET");
        assertThat(secret).as("set by the surefire configuration").hasSizeGreaterThan(8);
        String split = secret.substring(0, 5) + (E + "[1m").repeat(Masking.MAX_INTERLEAVED / 4 + 1) + secret.substring(5);
        Path logs = Files.createDirectories(runDir.resolve("logs/test/1"));
        Files.writeString(logs.resolve("stderr.log"), "token is " + split + "\n");
        Files.writeString(logs.resolve("stdout.log"), "out " + secret.substring(0, 5) + E + "]0;t\u0007" + secret.substring(5) + "\n");
        List<PlannedTicket> planned = new ArrayList<>(Fixtures.finishedPlan().tickets());
        planned.replaceAll(t -> !t.id().equals("build") ? t : new PlannedTicket(t.id(), t.title(), t.needs(), t.agent(),
                t.run(), Map.of("TOKEN", "${{ env.SWARM_TEST_SECRET }}"), t.timeoutMillis(), t.retries(), t.priority(),
                t.when(), t.approval(), t.workspace(), t.network(), t.outputs(), t.matrix(), t.group(), t.durationMillis()));
        RunReport report = RunReport.of(Fixtures.finishedRun(), Fixtures.plan(planned), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), runDir, Fixtures.T0 + 200_000);

        Path json = runDir.resolve("report.json");
        Path html = runDir.resolve("report.html");
        report.writeJson(json);
        report.writeHtml(html);

        for (Path f : List.of(json, html)) {
            assertThat(Files.readString(f)).as("%s", f).doesNotContain(secret).contains("token is ***", "out ***");
        }
    }
}
