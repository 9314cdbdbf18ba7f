package io.swarmflow.cli.report;

import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.RunView;
import io.swarmflow.spec.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.swarmflow.cli.report.Fixtures.T0;
import static io.swarmflow.cli.report.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ticket's title in report.html is cut as a reason is: its first 200 characters, {@code " …"} and its length, in the
 * ticket table, the failure heading and a DAG box's hover text (a 1 MB title was written whole twice, 4 MB of page for
 * two tickets); report.json keeps the whole title.
 */
class TitleCutTest {
    @TempDir
    Path dir;

    @Test
    void aLongTitleIsCutInTheTableTheFailureHeadingAndTheHoverTextButWholeInReportJson() {
        String title = "T".repeat(199) + "U" + "<x".repeat(5_000); // 10,200 characters, cut after the U
        String shown = "T".repeat(199) + "U …";
        String note = "(10200 characters, all in report.json)";
        RunReport report = report(title);

        String html = ReportHtml.render(report);
        assertThat(html).doesNotContain("U&lt;x").doesNotContain("U<x");
        String row = html.substring(html.indexOf("<tr id=\"t-long\""), html.indexOf("</tr>", html.indexOf("<tr id=\"t-long\"")));
        assertThat(row).contains("<div class=\"title\" dir=\"auto\">" + shown + " <span class=\"muted\">" + note + "</span></div>");
        String failure = html.substring(html.indexOf("<div class=\"failure\" id=\"f-long\""));
        assertThat(failure.substring(0, failure.indexOf("</h3>"))).endsWith(" — <bdi>" + shown + "</bdi> <span class=\"muted\">"
                + note + "</span>");
        assertThat(html).contains("<title>long — " + shown + " " + note + " (failed)</title>");
        assertThat(count(html, "TTTTU")).as("the table, the heading, the hover text").isEqualTo(3);

        assertThat(ReportJson.render(report)).contains("\"title\" : \"" + "T".repeat(199) + "U" + "<x".repeat(5_000) + "\"");
    }

    @Test
    void aTitleOf200CharactersIsShownWhole() {
        String title = "w".repeat(200);
        String html = ReportHtml.render(report(title));
        assertThat(html).doesNotContain("characters, all in report.json").contains("<div class=\"title\" dir=\"auto\">" + title + "</div>").contains(" — <bdi>" + title + "</bdi></h3>")
                .contains("<title>long — " + title + " (failed)</title>");
    }

    /** A failed run of two tickets: {@code long}, titled {@code title}, failed; {@code short} succeeded. */
    private RunReport report(String title) {
        var plan = Fixtures.plan(List.of(Fixtures.ticket("long", title, List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("short", "Short", List.of("long"), "shell", WorkspaceMode.RUN)));
        var views = List.of(
                Fixtures.view("long", 0, TicketState.FAILED, 1, 1, 1, "exited with code 1", Map.of(), T0, T0 + 5),
                Fixtures.view("short", 1, TicketState.SKIPPED, 0, 0, null, "dependency long failed", Map.of(), 0, T0 + 6));
        var attempts = List.of(Fixtures.attempt("long", 1, Outcome.FAILED, 1, "exited with code 1", T0, T0 + 5));
        RunView run = new RunView(Fixtures.RUN, "titles", "swarm.yaml", RunState.FAILED, T0 - 500, T0, T0 + 10, 1, "h:1", false, 2, 9);
        return RunReport.of(run, plan, views, attempts, dir);
    }
}
