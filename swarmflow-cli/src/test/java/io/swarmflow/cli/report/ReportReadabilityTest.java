package io.swarmflow.cli.report;

import io.swarmflow.cli.view.RunTimes;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;
import static io.swarmflow.cli.report.Fixtures.svg;
import static io.swarmflow.cli.report.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a reader could not read in report.html (review of the report): a rejected gate's reason under its wait segment,
 * DAG labels that all read the same, a 10,000 px DAG, a 30,000 px timeline with its axis at the top only, and a
 * resumed run's stopped time shown as blank.
 */
class ReportReadabilityTest {
    @TempDir Path dir;

    // ---- timeline: the reason of a ticket that made no attempt ----

    @Test
    void aRejectedGatesReasonIsDrawnOverItsWaitSegmentWithAHalo() throws Exception {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("drop", "drop it", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.FAILED, T0, T0, T0 + 10_000, 1, "host:1", false, 1, 9);
        List<TicketView> tickets = List.of(Fixtures.view("drop", 0, TicketState.FAILED, 0, 0, null,
                "rejected by bob@host: frozen <b>until</b> Monday", Map.of(), 0, T0 + 10_000));
        RunTimes times = RunTimes.of(List.of(
                new StoredEvent(RUN, 1, T0, new RunEvent.RunStarted(1, "host:1", false)),
                new StoredEvent(RUN, 2, T0, new RunEvent.TicketAwaitingApproval("drop")),
                new StoredEvent(RUN, 3, T0 + 10_000, new RunEvent.ApprovalRejected("drop", "bob@host", "frozen <b>until</b> Monday")),
                new StoredEvent(RUN, 4, T0 + 10_000, new RunEvent.RunFinished(RunState.FAILED))));
        String html = ReportHtml.render(RunReport.of(run, plan, tickets, List.of(), dir, T0 + 20_000, 0, times));
        String svg = svg(html, "gantt");

        int wait = svg.indexOf("<rect class=\"bar b-awaiting-approval\" data-ticket=\"drop\"");
        int text = svg.indexOf("<text class=\"idle\"");
        assertThat(wait).as("the wait segment").isPositive();
        assertThat(text).as("the reason, drawn after (over) the segment that spans the whole row").isGreaterThan(wait);
        assertThat(svg.substring(text)).startsWith("<text class=\"idle\" x=\"4\" y=\"38\">failed: rejected by bob@host: "
                + "frozen &lt;b&gt;until&lt;/b&gt; Monday</text>");
        assertThat(html).contains(".gantt .idle,.gantt .gap text{paint-order:stroke;stroke:#fff;");
        parse(svg);
    }

    // ---- DAG labels ----

    @Test
    void matrixIdsThatDifferAtTheirEndKeepTheirEndInTheirLabels() {
        List<String> ids = List.of("test-linux-x86_64-jdk17", "test-linux-x86_64-jdk21", "test-linux-aarch64-jdk17",
                "test-linux-aarch64-jdk21", "test-macos-aarch64-jdk17", "test-macos-aarch64-jdk21", "build");
        Map<String, String> labels = DagSvg.labels(ids);

        assertThat(new HashSet<>(labels.values())).as("every label differs: %s", labels).hasSize(ids.size());
        assertThat(labels.values()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(DagSvg.LABEL_CHARS));
        assertThat(labels.get("build")).isEqualTo("build");
        for (String id : ids) assertThat(id).endsWith(labels.get(id).substring(labels.get(id).indexOf('…') + 1));
        assertThat(labels.get("test-linux-x86_64-jdk21")).endsWith("x86_64-jdk21");
    }

    @Test
    void idsOfAWideLayerKeepTheirNumber() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) ids.add(String.format("layer%02d-ticket-%04d", i / 125, i));
        Map<String, String> labels = DagSvg.labels(ids);

        assertThat(new HashSet<>(labels.values())).hasSize(250);
        assertThat(labels.get("layer00-ticket-0042")).isEqualTo("layer00-…0042");
        assertThat(labels.get("layer01-ticket-0130")).isEqualTo("layer01-…0130");
        // an id whose beginning tells it apart keeps the beginning; one that fits is whole
        assertThat(DagSvg.labels(List.of("build-the-distribution", "publish-release-notes", "short")))
                .containsEntry("build-the-distribution", "build-the-distrib…").containsEntry("short", "short");
        // never a lone surrogate
        String emoji = "t".repeat(17) + "\uD83D\uDE00" + "x1";
        assertThat(DagSvg.labels(List.of(emoji, "t".repeat(17) + "\uD83D\uDE00" + "x2")).values())
                .allSatisfy(l -> assertThat(l.codePoints().noneMatch(c -> Character.isSurrogate((char) c))).as(l).isTrue());
    }

    @Test
    void theDagBoxesShowTheirDistinguishingLabelsAndKeepTheWholeIdInTheirHover() throws Exception {
        List<PlannedTicket> planned = new ArrayList<>();
        planned.add(Fixtures.ticket("build", "", List.of(), "noop", WorkspaceMode.RUN));
        for (String jdk : new String[] {"jdk17", "jdk21"}) {
            planned.add(Fixtures.ticket("test-linux-x86_64-" + jdk, "", List.of("build"), "noop", WorkspaceMode.RUN));
        }
        RunView run = new RunView(RUN, "m", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, 3, 1);
        String svg = svg(ReportHtml.render(RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), dir, T0)), "dag");

        assertThat(svg).contains("<title>test-linux-x86_64-jdk21 (pending)</title>").contains(">test-linux-…jdk21</text>")
                .contains(">test-linux-…jdk17</text>");
        parse(svg);
    }

    // ---- DAG of a plan too wide to draw ----

    /** {@code layers} layers of {@code perLayer} tickets, each after the layer before: the 1,500-ticket plan of the review. */
    private RunReport layered(int layers, int perLayer, boolean matrix) {
        return layered(layers, perLayer, matrix, 0);
    }

    /** As above, with a matrix ticket {@code m} of {@code expansions} more, needing nothing. */
    private RunReport layered(int layers, int perLayer, boolean matrix, int expansions) {
        List<PlannedTicket> planned = new ArrayList<>();
        for (int i = 0; i < expansions; i++) {
            PlannedTicket t = Fixtures.ticket("m-" + i, "", List.of(), "noop", WorkspaceMode.RUN);
            planned.add(new PlannedTicket(t.id(), t.title(), t.needs(), t.agent(), t.run(), t.env(), t.timeoutMillis(), t.retries(),
                    t.priority(), t.when(), t.approval(), t.workspace(), t.network(), t.outputs(), t.matrix(), "m", t.durationMillis()));
        }
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < perLayer; i++) {
                String id = String.format("layer%02d-ticket-%04d", l, l * perLayer + i);
                List<String> needs = l == 0 ? List.of() : List.of(String.format("layer%02d-ticket-%04d", l - 1, (l - 1) * perLayer + i));
                PlannedTicket t = Fixtures.ticket(id, "", needs, "noop", WorkspaceMode.RUN);
                if (matrix) { // the expansions of one matrix ticket per layer
                    t = new PlannedTicket(t.id(), t.title(), t.needs(), t.agent(), t.run(), t.env(), t.timeoutMillis(), t.retries(),
                            t.priority(), t.when(), t.approval(), t.workspace(), t.network(), t.outputs(), t.matrix(), "layer" + l,
                            t.durationMillis());
                }
                planned.add(t);
            }
        }
        int n = planned.size();
        RunView run = new RunView(RUN, "wide", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, n, 1);
        return RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), dir, T0);
    }

    @Test
    void aPlanWhoseDrawingIsTooWideGetsANoteAndItsDrawingFolded() {
        RunReport report = layered(12, 125, false);
        assertThat(DagSvg.width(report.rows())).isEqualTo(10_458); // the review's 1,500-ticket run: width="10458"
        String html = ReportHtml.render(report);
        String dag = html.substring(html.indexOf("<section id=\"dag\">"), html.indexOf("<section id=\"timeline\">"));

        assertThat(dag).contains("<p class=\"note\" id=\"dag-wide\">The plan's 1500 tickets stand in 12 columns of up to 125: "
                + "drawn one by one, the graph is 10,458 px wide").contains("<a href=\"#tickets\">ticket table</a>");
        int folded = dag.indexOf("<details class=\"dag-all\"><summary>Draw all 1500 tickets anyway</summary>");
        assertThat(folded).as("the drawing, folded").isPositive();
        assertThat(dag.indexOf("<svg class=\"dag\"")).as("no drawing outside the fold").isGreaterThan(folded);
        assertThat(count(dag, "<svg class=\"dag\"")).isEqualTo(1);
    }

    @Test
    void aTooWidePlanOfMatrixTicketsIsDrawnAsItsSpecTickets() {
        String html = ReportHtml.render(layered(12, 125, true));
        String dag = html.substring(html.indexOf("<section id=\"dag\">"), html.indexOf("<section id=\"timeline\">"));

        assertThat(dag).contains("id=\"dag-wide\">The plan's 1500 tickets stand in 12 columns")
                .contains("So each box is a ticket of the spec");
        String grouped = dag.substring(0, dag.indexOf("<details class=\"dag-all\">"));
        assertThat(count(grouped, "class=\"node ")).isEqualTo(12);
        assertThat(grouped).contains(">layer0 ×125</text>");
    }

    /** Over 2,000 tickets, whose spec's tickets still wrap into a wall: a note, and that drawing folded too. */
    @Test
    void aPlanOverTheLimitWhoseSpecIsTooWideGetsANoteAndTheSpecsDrawingFolded() {
        String html = ReportHtml.render(layered(12, 125, false, 600)); // 2,100 tickets; 1,501 in the spec
        String dag = html.substring(html.indexOf("<section id=\"dag\">"), html.indexOf("<section id=\"timeline\">"));

        assertThat(dag).contains("id=\"dag-wide\">The plan has 2100 tickets, more than the 2000 the graph draws one by one, "
                + "and drawn as the 1501 tickets of its spec the graph is ");
        int folded = dag.indexOf("<details class=\"dag-all\"><summary>Draw the spec's 1501 tickets anyway</summary>");
        assertThat(folded).as("the spec's drawing, folded").isPositive();
        assertThat(dag.indexOf("<svg class=\"dag\"")).as("no drawing outside the fold").isGreaterThan(folded);
        assertThat(dag).contains(">m ×600</text>");
    }

    // ---- DAG of a plan with more arrows than a report draws ----

    /**
     * {@code expansions} tickets of a matrix ticket {@code m} needing nothing, then {@code perLayer} tickets {@code a-I} and
     * {@code perLayer} tickets {@code b-J}, each {@code b-J} needing every {@code a-I} ({@code perLayer}² arrows); when
     * {@code matrix}, the {@code a-I} and the {@code b-J} are the expansions of matrix tickets {@code a} and {@code b}.
     */
    private RunReport allToAll(int perLayer, boolean matrix, int expansions) {
        List<PlannedTicket> planned = new ArrayList<>();
        List<String> as = new ArrayList<>();
        for (int i = 0; i < perLayer; i++) as.add("a-" + i);
        for (int i = 0; i < expansions; i++) planned.add(grouped(Fixtures.ticket("m-" + i, "", List.of(), "noop", WorkspaceMode.RUN), "m"));
        for (String a : as) {
            PlannedTicket t = Fixtures.ticket(a, "", List.of(), "noop", WorkspaceMode.RUN);
            planned.add(matrix ? grouped(t, "a") : t);
        }
        for (int i = 0; i < perLayer; i++) {
            PlannedTicket t = Fixtures.ticket("b-" + i, "", as, "noop", WorkspaceMode.RUN);
            planned.add(matrix ? grouped(t, "b") : t);
        }
        RunView run = new RunView(RUN, "dense", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, planned.size(), 1);
        return RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), dir, T0);
    }

    /** {@code t} as an expansion of the matrix ticket {@code group}. */
    private static PlannedTicket grouped(PlannedTicket t, String group) {
        return new PlannedTicket(t.id(), t.title(), t.needs(), t.agent(), t.run(), t.env(), t.timeoutMillis(), t.retries(),
                t.priority(), t.when(), t.approval(), t.workspace(), t.network(), t.outputs(), t.matrix(), group, t.durationMillis());
    }

    private static String dagSection(String html) {
        return html.substring(html.indexOf("<section id=\"dag\">"), html.indexOf("<section id=\"timeline\">"));
    }

    /** The review's run: a 400-value matrix needing another of 400 made a 29 MB report.html, 160,000 arrows folded. */
    @Test
    void aMatrixNeedingAMatrixIsDrawnAsItsSpecTicketsAndTheFullDrawingIsLeftOut() {
        String html = ReportHtml.render(allToAll(101, true, 0)); // 10,201 arrows, narrow: 2 columns of 101
        String dag = dagSection(html);

        assertThat(dag).contains("id=\"dag-wide\">The plan's 202 tickets have 10,201 dependencies between them: drawn one by one, "
                + "the graph would have as many arrows, more than the 10,000 a report draws. So each box is a ticket of the spec")
                .contains(">a ×101</text>", ">b ×101</text>")
                .contains("id=\"dag-dense\">The drawing of all 202 tickets is left out: its 10,201 arrows are more than the 10,000 "
                        + "a report draws. The <a href=\"#tickets\">ticket table</a> lists each ticket's dependencies.</p>")
                .doesNotContain("<details class=\"dag-all\"");
        assertThat(count(dag, "<svg class=\"dag\"")).isEqualTo(1);
        assertThat(count(dag, "class=\"edge\"")).isEqualTo(1);
        assertThat(html.length()).as("report.html, chars").isLessThan(1_000_000);
    }

    @Test
    void aDensePlanWithoutMatrixTicketsGetsANoteInsteadOfADrawing() {
        String dag = dagSection(ReportHtml.render(allToAll(101, false, 0)));

        assertThat(dag).contains("<p class=\"note\" id=\"dag-wide\">The plan's 202 tickets have 10,201 dependencies between them: "
                + "drawn one by one, the graph would have as many arrows, more than the 10,000 a report draws. The "
                + "<a href=\"#tickets\">ticket table</a> lists each ticket's dependencies")
                .doesNotContain("<svg class=\"dag\"").doesNotContain("<details").doesNotContain("id=\"dag-dense\"");
    }

    @Test
    void tenThousandArrowsAreStillDrawn() {
        String dag = dagSection(ReportHtml.render(allToAll(100, false, 0)));

        assertThat(dag).doesNotContain("id=\"dag-wide\"").doesNotContain("id=\"dag-dense\"");
        assertThat(count(dag, "class=\"edge\"")).isEqualTo(10_000);
    }

    /** Over 2,000 tickets, where even the graph of the spec's tickets has too many arrows: a note. */
    @Test
    void aPlanOverTheLimitWhoseSpecHasTooManyArrowsGetsANote() {
        String dag = dagSection(ReportHtml.render(allToAll(101, false, 2_000))); // 2,202 tickets; 203 in the spec, 10,201 arrows

        assertThat(dag).contains("<p class=\"note\" id=\"dag-dense\">The plan has 2202 tickets, more than the 2000 the graph draws "
                + "one by one, and drawn as the 203 tickets of its spec the graph would have 10,201 arrows, more than the 10,000 a "
                + "report draws. The <a href=\"#tickets\">ticket table</a> lists each ticket's dependencies.</p>")
                .doesNotContain("<svg class=\"dag\"");
    }

    @Test
    void aWideLayerInANarrowDrawingIsStillDrawnUnfolded() {
        String html = ReportHtml.render(layered(2, 125, false)); // 2 layers of 5 sub-columns: 1,682 px
        assertThat(html).doesNotContain("id=\"dag-wide\"").doesNotContain("<details class=\"dag-all\"").contains("<svg class=\"dag\"");
        // a long chain is wide but does not wrap: drawn
        assertThat(ReportHtml.render(layered(40, 1, false))).doesNotContain("id=\"dag-wide\"").contains("<svg class=\"dag\"");
    }

    // ---- timeline: the axis of a long one ----

    @Test
    void aLongTimelineRepeatsItsAxisEvery40Rows() throws Exception {
        RunReport report = Fixtures.manyTickets(dir, "long", 100, i -> TicketState.SUCCEEDED, i -> List.of(), i -> null);
        String svg = svg(ReportHtml.render(report), "gantt");

        assertThat(count(svg, "<g class=\"axis\">")).isEqualTo(1);
        assertThat(count(svg, "<g class=\"axis-again\">")).as("above rows 41 and 81").isEqualTo(2);
        Matcher again = Pattern.compile("<g class=\"axis-again\">(.*?)</g>").matcher(svg);
        assertThat(again.find()).isTrue();
        Matcher first = Pattern.compile("<g class=\"axis\">\n(.*?)<line class=\"baseline\"", Pattern.DOTALL).matcher(svg);
        assertThat(first.find()).isTrue();
        assertThat(labels(again.group(1))).as("the same ticks").isEqualTo(labels(first.group(1))).hasSizeGreaterThan(2);
        // rows 40 and 80 (0-based) sit an axis lower than the rows before them
        assertThat(labelY(svg, "t39")).isEqualTo(24 + 39 * 20 + 14);
        assertThat(labelY(svg, "t40")).isEqualTo(24 + 40 * 20 + 24 + 14);
        assertThat(labelY(svg, "t99")).isEqualTo(24 + 99 * 20 + 48 + 14);
        assertThat(svg).startsWith("<svg class=\"gantt\" xmlns=\"http://www.w3.org/2000/svg\" width=\"1190\" height=\""
                + (24 + 100 * 20 + 48 + 8) + "\"");
        parse(svg);

        String short40 = svg(ReportHtml.render(Fixtures.manyTickets(dir, "short", 40, i -> TicketState.SUCCEEDED, i -> List.of(),
                i -> null)), "gantt");
        assertThat(short40).doesNotContain("axis-again");
    }

    private static List<String> labels(String axis) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("text-anchor=\"middle\">([^<]*)</text>").matcher(axis);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    private static int labelY(String svg, String id) {
        Matcher m = Pattern.compile("<a href=\"#t-" + id + "\"><text class=\"label\" x=\"8\" y=\"(\\d+)\"").matcher(svg);
        assertThat(m.find()).as("label of " + id).isTrue();
        return Integer.parseInt(m.group(1));
    }

    // ---- timeline: the time a resumed run stood stopped ----

    private RunReport resumed(RunEvent endOfFirstSession, long firstEnd, List<AttemptView> attempts) {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.SUCCEEDED, T0, T0, T0 + 100_000, 2, "host:2", false, 1, 9);
        List<TicketView> tickets = List.of(Fixtures.view("a", 0, TicketState.SUCCEEDED, 2, 0, 0, null, Map.of(), T0 + 1_000, T0 + 99_000));
        List<StoredEvent> events = new ArrayList<>();
        events.add(new StoredEvent(RUN, 1, T0, new RunEvent.RunStarted(1, "host:1", false)));
        events.add(new StoredEvent(RUN, 2, T0 + 1_000, new RunEvent.AttemptStarted("a", 1, 60_000)));
        events.add(new StoredEvent(RUN, 3, firstEnd, endOfFirstSession));
        events.add(new StoredEvent(RUN, 4, T0 + 60_000, new RunEvent.RunStarted(2, "host:2", true)));
        events.add(new StoredEvent(RUN, 5, T0 + 100_000, new RunEvent.RunFinished(RunState.SUCCEEDED)));
        return RunReport.of(run, plan, tickets, attempts, dir, T0 + 200_000, 0, RunTimes.of(events));
    }

    @Test
    void aCancelledAndResumedRunShowsTheTimeItStoodCancelled() throws Exception {
        RunReport report = resumed(new RunEvent.RunFinished(RunState.CANCELLED), T0 + 20_000, List.of(
                Fixtures.attempt("a", 1, Outcome.CANCELLED, null, "run cancelled", T0 + 1_000, T0 + 19_500),
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 60_000, T0 + 99_000)));
        String html = ReportHtml.render(report);
        String svg = svg(html, "gantt");

        assertThat(svg).contains("<g class=\"gap\"><rect x=\"20.000%\" y=\"20\" width=\"40.000%\" height=\"24\"><title>cancelled "
                + "12:00:20 → resumed 12:01:00 (UTC): the run stood cancelled for 40.0s, nothing ran</title></rect>"
                + "<text x=\"40.000%\" dx=\"0\" y=\"37\" text-anchor=\"middle\">cancelled 12:00:20 → resumed 12:01:00</text></g>");
        assertThat(svg.indexOf("<g class=\"gap\">")).as("under the bars").isLessThan(svg.indexOf("class=\"bar "));
        assertThat(html).contains("A grey band is a time the run stood cancelled or stopped, up to its resume (times in UTC).");
        parse(svg);
    }

    @Test
    void aRunResumedAfterItsCoordinatorStoppedShowsTheTimeFromItsLastEvent() {
        // killed: no end recorded; the session ends at its last event (the attempt's process start), the attempt is lost
        RunReport report = resumed(new RunEvent.AttemptProcessStarted("a", 1, 42, 7), T0 + 10_000, List.of(
                Fixtures.attempt("a", 1, Outcome.LEASE_EXPIRED, null, "lease expired", T0 + 1_000, T0 + 60_000),
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 60_000, T0 + 99_000)));
        String svg = svg(ReportHtml.render(report), "gantt");

        assertThat(svg).contains("<g class=\"gap\"><rect x=\"10.000%\" y=\"20\" width=\"50.000%\"")
                .contains(">stopped (last event) 12:00:10 → resumed 12:01:00</text>");
    }

    @Test
    void aCancelWithNoAttemptInFlightIsStillACancelAndARunNeverResumedHasNoBand() {
        // no attempt in flight, no approval wait: how the session ended is what its events recorded, not a guess from them
        RunReport report = resumed(new RunEvent.RunFinished(RunState.CANCELLED), T0 + 20_000, List.of(
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 60_000, T0 + 99_000)));
        assertThat(svg(ReportHtml.render(report), "gantt")).contains(">cancelled 12:00:20 → resumed 12:01:00</text>");
        RunReport killed = resumed(new RunEvent.TicketReady("a"), T0 + 20_000, List.of(
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 60_000, T0 + 99_000)));
        assertThat(svg(ReportHtml.render(killed), "gantt")).contains(">stopped (last event) 12:00:20 → resumed 12:01:00</text>");

        String once = ReportHtml.render(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), dir, T0 + 200_000));
        assertThat(once).doesNotContain("class=\"gap\"").doesNotContain("A grey band");
    }

    // ---- helpers ----

    private static void parse(String svg) throws Exception {
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
