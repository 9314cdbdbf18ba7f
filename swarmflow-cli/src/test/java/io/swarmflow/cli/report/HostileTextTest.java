package io.swarmflow.cli.report;

import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Every text a spec, an agent or a log puts in report.html, made hostile: none of it reaches the page as markup. */
class HostileTextTest {
    private static final String EVIL = "</style></title><script>alert(1)</script>\"><img src=x onerror=alert(1)>]]>-->'"
            + "<a href=\"javascript:alert(1)\">x</a>\u202Eevil\u0000\u0007\u001B[31m";

    @TempDir Path runDir;

    @Test
    void hostileNameTitlesReasonsOutputsAndLogsAreEscaped() throws Exception {
        Path logs = Files.createDirectories(runDir.resolve("logs/bad/1"));
        byte[] invalid = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\n'};
        Files.write(logs.resolve("stderr.log"), concat((EVIL + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8), invalid));
        Files.writeString(logs.resolve("stdout.log"), EVIL + "\n");
        RunView run = new RunView(RUN, EVIL, EVIL, RunState.FAILED, T0 - 500, T0, T0 + 10_000, 1, "host:1", false, 2, 10);
        var plan = Fixtures.plan(List.of(
                Fixtures.ticket("good", EVIL, List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("bad", EVIL, List.of("good"), "shell", WorkspaceMode.RUN)));
        var tickets = List.of(
                Fixtures.view("good", 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of("v", EVIL, "long", EVIL.repeat(20), "lines", EVIL + "\n" + EVIL), T0, T0 + 1_000),
                Fixtures.view("bad", 1, TicketState.FAILED, 1, 1, 1, EVIL, Map.of(), T0 + 1_000, T0 + 2_000));
        var attempts = List.of(
                Fixtures.attempt("good", 1, Outcome.SUCCEEDED, 0, null, T0, T0 + 1_000),
                Fixtures.attempt("bad", 1, Outcome.FAILED, 1, EVIL, T0 + 1_000, T0 + 2_000));

        String html = Files.readString(RunReport.writeAll(run, plan, tickets, attempts, runDir));

        assertThat(html).doesNotContain("<script").doesNotContain("<img")
                .doesNotContain("javascript:alert(1)\"").doesNotContain("<a href=\"javascript")
                .doesNotContain("\u202E").doesNotContain("\u0000").doesNotContain("\u0007").doesNotContain("\u001B")
                .contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        assertThat(html.split("</style>", -1)).as("only the page's own style element closes").hasSize(2);
        assertThat(html.split("</title>", -1).length - 1).as("the head's title plus SVG titles, none from text")
                .isEqualTo(html.split("<title>", -1).length - 1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
