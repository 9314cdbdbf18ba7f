package io.swarmflow.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.When;
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

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;
import static io.swarmflow.cli.report.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "needs" line of a ticket table row stays bounded whatever the fan-in: a matrix ticket all of whose expansions a
 * ticket needs is named once ({@code build ×300}), other dependencies at most {@link ReportHtml#MAX_NEEDS}, the rest
 * counted; report.json keeps every dependency.
 */
class NeedsCellTest {
    private static final int N = 300;

    @TempDir
    Path dir;

    private final List<PlannedTicket> plan = new ArrayList<>();
    private final List<TicketView> views = new ArrayList<>();

    private void add(String id, List<String> needs, String group) {
        plan.add(new PlannedTicket(id, null, needs, "noop", "true", Map.of(), 0, RetryPolicy.NONE, 0, When.SUCCESS,
                ApprovalMode.NONE, WorkspaceMode.RUN, false, Map.of(), id.equals(group) ? Map.of() : Map.of("n", id), group, 0));
        views.add(Fixtures.view(id, views.size(), TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0 + 1, T0 + 2));
    }

    private static List<String> ids(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(prefix + "-" + i);
        return ids;
    }

    /** build ×N; test ×N, each needing every build; lint ×N; publish needs every test and every lint; solo needs N - 1 builds. */
    private RunReport report() {
        for (String id : ids("build", N)) add(id, List.of(), "build");
        for (String id : ids("test", N)) add(id, ids("build", N), "test");
        for (String id : ids("lint", N)) add(id, List.of(), "lint");
        List<String> publishNeeds = new ArrayList<>(ids("test", N));
        publishNeeds.addAll(ids("lint", N));
        add("publish", publishNeeds, "publish");
        add("solo", ids("build", N).subList(1, N), "solo");
        RunView run = new RunView(RUN, "fan-in", "swarm.yaml", RunState.SUCCEEDED, T0 - 500, T0, T0 + 10, 1, "h:1", false,
                plan.size(), 9);
        return RunReport.of(run, Fixtures.plan(plan), views, List.of(), dir);
    }

    private static String needsOf(String html, String id) {
        String row = html.substring(html.indexOf("<tr id=\"t-" + id + "\""));
        row = row.substring(0, row.indexOf("</tr>"));
        int start = row.indexOf("<div class=\"small muted\">needs ");
        assertThat(start).as("needs line of " + id).isNotNegative();
        return row.substring(start, row.indexOf("</div>", start) + "</div>".length());
    }

    @Test
    void aMatrixAllOfWhoseTicketsAreNeededIsNamedOnce() {
        String html = ReportHtml.render(report());

        assertThat(needsOf(html, "test-7")).isEqualTo("<div class=\"small muted\">needs <a href=\"#t-build-0\" title=\"all " + N
                + " tickets of the matrix ticket build; report.json lists them\">build ×" + N + "</a></div>");
        assertThat(needsOf(html, "publish")).contains(">test ×" + N + "</a>", ">lint ×" + N + "</a>")
                .doesNotContain("more");
        // the table no longer grows with rows × needs: N test rows of one link to a build each (and solo's MAX_NEEDS)
        String table = html.substring(html.indexOf("<section id=\"tickets\">"));
        assertThat(count(table, "<a href=\"#t-build-")).isEqualTo(N + ReportHtml.MAX_NEEDS);
    }

    @Test
    void anyOtherListIsCutAtTheLimitAndCounted() {
        String solo = needsOf(ReportHtml.render(report()), "solo");
        assertThat(count(solo, "<a href=\"#t-build-")).isEqualTo(ReportHtml.MAX_NEEDS);
        assertThat(solo).contains("<a href=\"#t-build-1\">build-1</a>, <a href=\"#t-build-2\">build-2</a>",
                        ">build-" + ReportHtml.MAX_NEEDS + "</a>, <span title=\"report.json lists every dependency\">… and "
                                + (N - 1 - ReportHtml.MAX_NEEDS) + " more</span></div>")
                .doesNotContain("build-" + (ReportHtml.MAX_NEEDS + 1) + "<");
        assertThat(solo.length()).isLessThan(2_000);
    }

    @Test
    void reportJsonKeepsEveryDependency() {
        JsonNode tickets = ReportJson.tree(report()).get("tickets");
        JsonNode test = null, solo = null;
        for (JsonNode t : tickets) {
            if (t.get("id").asText().equals("test-7")) test = t;
            if (t.get("id").asText().equals("solo")) solo = t;
        }
        assertThat(test.get("needs")).hasSize(N);
        assertThat(solo.get("needs")).hasSize(N - 1);
    }
}
