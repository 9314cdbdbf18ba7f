package io.swarmflow.cli.report;

import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.count;
import static io.swarmflow.cli.report.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * report.html of a large run: the ticket table and the timeline show at most {@link ReportHtml#MAX_ROWS} tickets, those
 * that did not succeed first, and the failures section at most {@link ReportHtml#MAX_FAILURES} log tails; each says so.
 */
class LargeReportTest {
    @TempDir
    Path dir;

    /** A finished run of {@code n} independent tickets {@code t0..}, each in the state {@code stateOf} gives, one attempt each. */
    private RunReport report(int n, IntFunction<TicketState> stateOf) {
        return report(n, stateOf, i -> List.of());
    }

    /** As above, ticket {@code t<i>} needing the tickets {@code needsOf} gives; a failed one's reason is its exit code. */
    private RunReport report(int n, IntFunction<TicketState> stateOf, IntFunction<List<String>> needsOf) {
        return Fixtures.manyTickets(dir, "large", n, stateOf, needsOf,
                i -> stateOf.apply(i) == TicketState.FAILED ? "exited with code 1" : null);
    }

    @Test
    void aLargeRunShowsWhatDidNotSucceedFirstAndSaysSo() {
        int n = 5_000;
        RunReport report = report(n, i -> i == 4_321 ? TicketState.FAILED : i == 4_999 ? TicketState.SKIPPED : TicketState.SUCCEEDED);
        String html = ReportHtml.render(report);

        assertThat(count(html, "<tr id=\"t-")).isEqualTo(ReportHtml.MAX_ROWS);
        assertThat(html).contains("<tr id=\"t-t4321\"", "<tr id=\"t-t4999\"", "<tr id=\"t-t0\"", "<tr id=\"t-t1997\"")
                .doesNotContain("<tr id=\"t-t1998\"");
        // the rows keep their number in the plan
        assertThat(html).contains("<tr id=\"t-t4321\" class=\"failed\"><td class=\"num muted\">4322</td>");
        assertThat(html).contains("This table shows 2000 of the run's 5000 tickets: the 2 that did not succeed and the first 1998 "
                + "that succeeded, in plan order. report.json, and <code>swarm status " + RUN + "</code>, list every ticket.");
        assertThat(html).contains("The timeline shows 2000 of the run's 5000 tickets");
        String timeline = html.substring(html.indexOf("<section id=\"timeline\">"), html.indexOf("<section id=\"tickets\">"));
        assertThat(count(timeline, "<a href=\"#t-")).isEqualTo(ReportHtml.MAX_ROWS);
        assertThat(timeline).contains("data-ticket=\"t4321\"", "data-ticket=\"t4999\"").doesNotContain("data-ticket=\"t1998\"");
    }

    @Test
    void aNeedOutsideATruncatedTableIsNoDeadLink() {
        // t4999 (failed) needs t4998, a success past the first 1999 that the table leaves out, and t0, which it shows
        String html = ReportHtml.render(report(5_000, i -> i == 4_999 ? TicketState.FAILED : TicketState.SUCCEEDED,
                i -> i == 4_999 ? List.of("t0", "t4998") : List.of()));
        String row = html.substring(html.indexOf("<tr id=\"t-t4999\""));
        row = row.substring(0, row.indexOf("</tr>"));
        assertThat(row).contains("<a href=\"#t-t0\">t0</a>").doesNotContain("href=\"#t-t4998\"")
                .contains("<span title=\"not in this table: see report.json\">t4998</span>");
    }

    @Test
    void aRunOfUpToTheLimitShowsEveryTicketWithoutANote() {
        String html = ReportHtml.render(report(ReportHtml.MAX_ROWS, i -> TicketState.SUCCEEDED));
        assertThat(count(html, "<tr id=\"t-")).isEqualTo(ReportHtml.MAX_ROWS);
        assertThat(html).doesNotContain("of the run's");
    }

    @Test
    void atMostTheFailureLimitOfLogTailsAreShown() {
        String html = ReportHtml.render(report(300, i -> TicketState.FAILED));
        assertThat(count(html, "<div class=\"failure\"")).isEqualTo(ReportHtml.MAX_FAILURES);
        assertThat(html).contains("300 tickets failed; the first 200 are shown with their log tail. The ticket table lists the "
                + "others, report.json has every tail.");
        assertThat(count(html, "<tr id=\"t-")).isEqualTo(300);
    }

    /** A plan over the DAG's limit whose spec has few tickets: one box per spec ticket, a matrix as one box. */
    @Test
    void aLargeMatrixPlanIsDrawnAsTheSpecsTickets() {
        List<PlannedTicket> plan = new ArrayList<>();
        List<TicketView> views = new ArrayList<>();
        plan.add(Fixtures.ticket("build", null, List.of(), "noop", WorkspaceMode.RUN));
        views.add(Fixtures.view("build", 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0, T0 + 1));
        int shards = 2_500;
        List<String> shardIds = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            String id = "test-" + i;
            shardIds.add(id);
            plan.add(new PlannedTicket(id, null, List.of("build"), "noop", "true", Map.of(), 0, io.swarmflow.spec.RetryPolicy.NONE, 0,
                    io.swarmflow.spec.When.SUCCESS, io.swarmflow.spec.ApprovalMode.NONE, WorkspaceMode.RUN, false, Map.of(),
                    Map.of("i", Integer.toString(i)), "test", 0));
            TicketState state = i == 17 ? TicketState.FAILED : TicketState.SUCCEEDED;
            views.add(Fixtures.view(id, i + 1, state, 1, 0, 0, null, Map.of(), T0 + 1, T0 + 2));
        }
        plan.add(Fixtures.ticket("report", null, shardIds, "noop", WorkspaceMode.RUN));
        views.add(Fixtures.view("report", shards + 1, TicketState.SKIPPED, 0, 0, null, "dependency test-17 failed", Map.of(), 0, T0 + 3));
        RunView run = new RunView(RUN, "matrix", "swarm.yaml", RunState.FAILED, T0 - 500, T0, T0 + 10, 1, "h:1", false, shards + 2, 9);
        String html = ReportHtml.render(RunReport.of(run, Fixtures.plan(plan), views, List.of(), dir));

        String dag = html.substring(html.indexOf("<section id=\"dag\">"), html.indexOf("<section id=\"timeline\">"));
        assertThat(dag).contains("The plan has 2502 tickets, more than the 2000 the graph draws one by one");
        assertThat(count(dag, "class=\"node ")).isEqualTo(3);
        assertThat(dag).contains(">test ×2500</text>", ">build</text>", ">report</text>");
        assertThat(dag).contains("class=\"node n-failed\" data-ticket=\"test-0\"><title>test (matrix, 2500 tickets): 2499 succeeded, 1 failed</title>");
        assertThat(count(dag, "class=\"edge\"")).isEqualTo(2);
        assertThat(dag).contains("data-from=\"build\" data-to=\"test-0\"", "data-from=\"test-0\" data-to=\"report\"");
    }
}
