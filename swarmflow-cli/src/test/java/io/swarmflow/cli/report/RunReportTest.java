package io.swarmflow.cli.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;
import static io.swarmflow.cli.report.Fixtures.svg;
import static io.swarmflow.cli.report.Fixtures.XSS_TITLE;
import static org.assertj.core.api.Assertions.assertThat;

class RunReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path runDir;

    @BeforeEach
    void writeLogs() throws IOException {
        Path test = Files.createDirectories(runDir.resolve("logs/test/1"));
        StringBuilder err = new StringBuilder();
        for (int i = 1; i <= 30; i++) err.append("error line ").append(i).append('\n');
        err.append("</pre><script>alert(3)</script>\n");
        Files.writeString(test.resolve("stderr.log"), err);
        Files.writeString(test.resolve("stdout.log"), "stdout, shown after stderr\n");
    }

    private RunReport finished() {
        return RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), runDir, T0 + 200_000);
    }

    private JsonNode json(RunReport report) throws IOException {
        Path file = runDir.resolve("report.json");
        report.writeJson(file);
        return JSON.readTree(file.toFile());
    }

    private String html(RunReport report) throws IOException {
        Path file = runDir.resolve("report.html");
        report.writeHtml(file);
        return Files.readString(file);
    }

    /** A snapshot of a running run, written just after the run ended, must not replace the final report. */
    @Test
    void aReportWrittenWhileTheRunEndsIsWrittenAgainFromTheEnd() throws IOException {
        RunView end = Fixtures.finishedRun();
        RunView running = new RunView(end.runId(), end.name(), end.specPath(), RunState.RUNNING, end.createdAtMillis(),
                end.startedAtMillis(), 0, end.epoch(), end.owner(), false, end.ticketCount(), end.lastSeq() - 3);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        RunReport.Source source = new RunReport.Source() {
            @Override public RunView run() { return reads.getAndIncrement() == 0 ? running : end; } // ends after the first read
            @Override public Plan plan() { return Fixtures.finishedPlan(); }
            @Override public List<TicketView> tickets() { return Fixtures.finishedTickets(); }
            @Override public List<AttemptView> attempts() { return Fixtures.finishedAttempts(); }
        };

        RunReport.writeCurrent(source, runDir);

        assertThat(JSON.readTree(runDir.resolve("report.json").toFile()).get("run").get("state").asText()).isEqualTo("failed");
        assertThat(reads.get()).isEqualTo(3); // running, ended (written again), ended with the same last event
    }

    @Test
    void jsonDescribesTheRunWithUtcTimesAndDuration() throws IOException {
        JsonNode run = json(finished()).get("run");

        assertThat(run.get("id").asText()).isEqualTo(RUN);
        assertThat(run.get("name").asText()).isEqualTo("demo-swarm");
        assertThat(run.get("state").asText()).isEqualTo("failed");
        assertThat(run.get("specPath").asText()).isEqualTo("swarm.yaml");
        assertThat(run.get("createdAt").asText()).isEqualTo("2025-01-31T11:59:59.500Z");
        assertThat(run.get("startedAt").asText()).isEqualTo("2025-01-31T12:00:00Z");
        assertThat(run.get("finishedAt").asText()).isEqualTo("2025-01-31T12:01:35Z");
        assertThat(run.get("durationMillis").asLong()).isEqualTo(95_000);
    }

    @Test
    void jsonCountsEveryTicketStateByLabel() throws IOException {
        JsonNode counts = json(finished()).get("counts");

        assertThat(counts.get("succeeded").asInt()).isEqualTo(3);
        assertThat(counts.get("failed").asInt()).isEqualTo(1);
        assertThat(counts.get("skipped").asInt()).isEqualTo(1);
        assertThat(counts.get("awaiting-approval").asInt()).isZero();
        assertThat(counts.size()).isEqualTo(TicketState.values().length);
    }

    @Test
    void jsonListsTicketsInPlanOrderWithTheirAttempts() throws IOException {
        JsonNode tickets = json(finished()).get("tickets");

        assertThat(tickets).extracting(t -> t.get("id").asText()).containsExactly("setup", "build", "docs", "test", "deploy");
        JsonNode build = tickets.get(1);
        assertThat(build.get("title").asText()).isEqualTo("Build it");
        assertThat(build.get("state").asText()).isEqualTo("succeeded");
        assertThat(build.get("agent").asText()).isEqualTo("shell");
        assertThat(build.get("needs")).extracting(JsonNode::asText).containsExactly("setup");
        assertThat(build.get("attemptCount").asInt()).isEqualTo(2);
        assertThat(build.get("failures").asInt()).isEqualTo(1);
        assertThat(build.get("exitCode").asInt()).isZero();
        assertThat(build.get("reason").isNull()).isTrue();
        assertThat(build.get("durationMillis").asLong()).isEqualTo(59_800);
        assertThat(build.get("outputs").get("commit").asText()).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(build.get("outputs").get("diffstat").asText()).contains("1 file changed");
        JsonNode attempts = build.get("attempts");
        assertThat(attempts).extracting(a -> a.get("attempt").asInt()).containsExactly(1, 2);
        assertThat(attempts).extracting(a -> a.get("outcome").asText()).containsExactly("failed", "succeeded");
        assertThat(attempts.get(0).get("exitCode").asInt()).isEqualTo(1);
        assertThat(attempts.get(0).get("reason").asText()).isEqualTo("exit code 1");
        assertThat(attempts.get(0).get("startedAt").asText()).isEqualTo("2025-01-31T12:00:00.200Z");
        assertThat(attempts.get(0).get("durationMillis").asLong()).isEqualTo(29_800);

        JsonNode deploy = tickets.get(4);
        assertThat(deploy.get("state").asText()).isEqualTo("skipped");
        assertThat(deploy.get("reason").asText()).isEqualTo("dependency test failed");
        assertThat(deploy.get("attemptCount").asInt()).isZero();
        assertThat(deploy.get("startedAt").isNull()).isTrue();
        assertThat(deploy.get("durationMillis").isNull()).isTrue();
        assertThat(deploy.get("attempts")).isEmpty();
    }

    @Test
    void failuresHoldTheLastTwentyLinesOfTheLastAttemptsStderr() throws IOException {
        JsonNode failures = json(finished()).get("failures");

        assertThat(failures).hasSize(1);
        JsonNode f = failures.get(0);
        assertThat(f.get("ticket").asText()).isEqualTo("test");
        assertThat(f.get("attempt").asInt()).isEqualTo(1);
        assertThat(f.get("stream").asText()).isEqualTo("stderr");
        assertThat(f.get("logFile").asText()).isEqualTo("logs/test/1/stderr.log");
        assertThat(f.get("truncated").asBoolean()).isTrue();
        List<String> lines = new ArrayList<>();
        f.get("lines").forEach(l -> lines.add(l.asText()));
        assertThat(lines).hasSize(20).startsWith("error line 12").endsWith("</pre><script>alert(3)</script>");
    }

    /** A warning on stderr must not hide the error a test runner printed on stdout: both tails are shown. */
    @Test
    void aFailureWithOutputOnBothStreamsShowsStdoutsTailAfterStderrs() throws IOException {
        Files.writeString(runDir.resolve("logs/test/1/stderr.log"), "warning: deprecated\n");
        Files.writeString(runDir.resolve("logs/test/1/stdout.log"), "test 1 ok\nFAIL: test_x <expected 1>\n");

        JsonNode f = json(finished()).get("failures").get(0);

        assertThat(f.get("stream").asText()).isEqualTo("stderr");
        assertThat(f.get("lines")).extracting(JsonNode::asText).containsExactly("warning: deprecated");
        assertThat(f.get("stdout").get("logFile").asText()).isEqualTo("logs/test/1/stdout.log");
        assertThat(f.get("stdout").get("truncated").asBoolean()).isFalse();
        assertThat(f.get("stdout").get("lines")).extracting(JsonNode::asText).containsExactly("test 1 ok", "FAIL: test_x <expected 1>");
        String html = html(finished());
        assertThat(html).contains("<code>logs/test/1/stderr.log</code></div>\n<pre class=\"log\">warning: deprecated\n</pre>\n"
                + "<div class=\"muted small\"><code>logs/test/1/stdout.log</code></div>\n<pre class=\"log\">test 1 ok\n"
                + "FAIL: test_x &lt;expected 1&gt;\n</pre>");

        Files.writeString(runDir.resolve("logs/test/1/stdout.log"), "");
        assertThat(json(finished()).get("failures").get(0).get("stdout").isNull()).as("an empty stdout adds nothing").isTrue();
    }

    @Test
    void failureFallsBackToStdoutWhenStderrIsEmptyAndToNothingWhenLogsAreMissing() throws IOException {
        Files.writeString(runDir.resolve("logs/test/1/stderr.log"), "");
        Files.writeString(runDir.resolve("logs/test/1/stdout.log"), "only line\n");
        JsonNode f = json(finished()).get("failures").get(0);
        assertThat(f.get("stream").asText()).isEqualTo("stdout");
        assertThat(f.get("lines")).extracting(JsonNode::asText).containsExactly("only line");
        assertThat(f.get("truncated").asBoolean()).isFalse();

        Files.delete(runDir.resolve("logs/test/1/stderr.log"));
        Files.delete(runDir.resolve("logs/test/1/stdout.log"));
        JsonNode none = json(finished()).get("failures").get(0);
        assertThat(none.get("stream").isNull()).isTrue();
        assertThat(none.get("logFile").isNull()).isTrue();
        assertThat(none.get("lines")).isEmpty();
        assertThat(html(finished())).contains("No log output captured");
    }

    /** docs/report.md: a failed ticket that never ran (a rejected gate) is a failure of attempt 0, with no log. */
    @Test
    void aFailedTicketThatNeverRanIsAFailureOfAttemptZero() throws IOException {
        List<TicketView> tickets = new ArrayList<>(Fixtures.finishedTickets());
        tickets.replaceAll(t -> !t.ticketId().equals("docs") ? t
                : Fixtures.view("docs", 2, TicketState.FAILED, 0, 0, null, "rejected by alice: not now", Map.of(), 0, T0 + 5_000));
        List<AttemptView> attempts = new ArrayList<>(Fixtures.finishedAttempts());
        attempts.removeIf(a -> a.ticketId().equals("docs"));
        JsonNode failures = json(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), tickets, attempts, runDir, T0 + 200_000))
                .get("failures");

        assertThat(failures).extracting(f -> f.get("ticket").asText()).containsExactly("docs", "test"); // plan order
        JsonNode docs = failures.get(0);
        assertThat(docs.get("attempt").asInt()).isZero();
        assertThat(docs.get("stream").isNull()).isTrue();
        assertThat(docs.get("logFile").isNull()).isTrue();
        assertThat(docs.get("lines")).isEmpty();
    }

    /** A failed ticket that never ran has no attempt, so its failure says so and not that an attempt printed nothing. */
    @Test
    void htmlFailureOfATicketThatNeverRanMentionsNoAttemptLog() throws IOException {
        List<TicketView> tickets = new ArrayList<>(Fixtures.finishedTickets());
        tickets.replaceAll(t -> !t.ticketId().equals("docs") ? t
                : Fixtures.view("docs", 2, TicketState.FAILED, 0, 0, null, "rejected by alice: not now", Map.of(), 0, T0 + 5_000));
        List<AttemptView> attempts = new ArrayList<>(Fixtures.finishedAttempts());
        attempts.removeIf(a -> a.ticketId().equals("docs"));
        String html = html(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), tickets, attempts, runDir, T0 + 200_000));

        String docs = html.substring(html.indexOf("<div class=\"failure\" id=\"f-docs\">"));
        docs = docs.substring(0, docs.indexOf("<div class=\"failure\"", 1));
        assertThat(docs).contains("no attempt · <bdi>rejected by alice: not now</bdi>")
                .doesNotContain("No log output captured for this attempt");
    }

    /** A title left to its default (the id) is not shown a second time beside the id, in the table and in Failures. */
    @Test
    void htmlShowsADefaultTitleOnlyAsTheId() throws IOException {
        List<PlannedTicket> planned = new ArrayList<>(Fixtures.finishedPlan().tickets());
        planned.replaceAll(t -> !t.id().equals("test") ? t : Fixtures.ticket("test", "test", List.of("build"), "shell", WorkspaceMode.REPO));
        String html = html(RunReport.of(Fixtures.finishedRun(), Fixtures.plan(planned), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), runDir, T0 + 200_000));

        assertThat(row(html, "test")).doesNotContain("<div class=\"title\"");
        assertThat(row(html, "build")).contains("<div class=\"title\" dir=\"auto\">Build it</div>");
        assertThat(html).contains("<h3><a class=\"tid\" href=\"#t-test\">test</a></h3>");
    }

    @Test
    void htmlHasTheHeaderAndOneTableRowPerTicket() throws IOException {
        String html = html(finished());

        assertThat(html).startsWith("<!DOCTYPE html>").contains("<h1 dir=\"auto\">demo-swarm</h1>")
                .contains("<span class=\"badge s-failed\" id=\"run-state\">failed</span>")
                .contains(RUN).contains("1m35s")
                .contains("<span class=\"badge s-succeeded\">3 succeeded</span>")
                .contains("<span class=\"badge s-skipped\">1 skipped</span>");
        for (String id : List.of("setup", "build", "docs", "test", "deploy")) {
            assertThat(html).contains("<tr id=\"t-" + id + "\"");
        }
        String buildRow = row(html, "build");
        assertThat(buildRow).contains("s-succeeded").contains("(1 failed)").contains("59.8s")
                .contains("<pre> src/A.java | 3 ++-\n 1 file changed").contains("swarm/" + RUN + "/build");
        assertThat(row(html, "test")).contains(">2</td>").contains("exit code 2");
        assertThat(row(html, "docs")).contains("<span class=\"k\">empty</span><span class=\"muted small\">(empty)</span>");
        assertThat(row(html, "deploy")).contains("dependency test failed").contains("s-skipped");
    }

    /** The spec's description, which the plan of the run's first event keeps: in report.json and under the header's name. */
    @Test
    void theSpecsDescriptionIsInJsonAndInTheHeaderEscapedWithItsLineBreaks() throws IOException {
        Plan demo = Fixtures.finishedPlan();
        Plan described = new Plan(demo.name(), "Builds <b>the</b> demo & ships it\nsecond line \u001B[31m", demo.concurrency(),
                demo.vars(), demo.repo(), demo.specDir(), demo.agents(), demo.tickets(), demo.specDigest());
        RunReport report = RunReport.of(Fixtures.finishedRun(), described, Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), runDir, T0 + 200_000);

        assertThat(json(report).at("/run/description").asText()).isEqualTo(described.description());
        String html = html(report);
        assertThat(html).contains("</div>\n<p class=\"description\" dir=\"auto\">Builds &lt;b&gt;the&lt;/b&gt; demo &amp; "
                + "ships it\nsecond line ^[[31m</p>\n<div class=\"meta\">");
        assertThat(html.indexOf("class=\"description\"")).as("in the header").isLessThan(html.indexOf("</header>"));

        for (String none : new String[] {"", " \n"}) { // a spec without one has ""
            Plan plain = new Plan(demo.name(), none, demo.concurrency(), demo.vars(), demo.repo(), demo.specDir(), demo.agents(),
                    demo.tickets(), demo.specDigest());
            RunReport r = RunReport.of(Fixtures.finishedRun(), plain, Fixtures.finishedTickets(), Fixtures.finishedAttempts(),
                    runDir, T0 + 200_000);
            JsonNode run = json(r).get("run");
            assertThat(run.has("description")).isTrue();
            assertThat(run.get("description").isNull()).as("the description of a spec with \"%s\"", none).isTrue();
            assertThat(html(r)).doesNotContain("class=\"description\"");
        }
    }

    @Test
    void htmlDrawsTheDagAsWellFormedSvgWithOneNodePerTicketAndOneEdgePerDependency() throws Exception {
        String svg = svg(html(finished()), "dag");

        assertThat(count(svg, "<a href=\"#t-")).isEqualTo(5);
        assertThat(svg).contains("class=\"node n-failed\" data-ticket=\"test\"")
                .contains("class=\"node n-skipped\" data-ticket=\"deploy\"")
                .contains("data-from=\"test\" data-to=\"deploy\"").contains("data-from=\"docs\" data-to=\"deploy\"");
        assertThat(count(svg, "class=\"edge\"")).isEqualTo(5);
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void dagLayersAreLongestPathsFromSources() {
        RunReport report = finished();
        assertThat(DagSvg.layers(report.rows())).containsExactly(0, 1, 1, 2, 3);
    }

    @Test
    void htmlDrawsOneGanttBarPerAttemptColoredByOutcome() throws Exception {
        String svg = svg(html(finished()), "gantt");

        assertThat(count(svg, "class=\"bar ")).isEqualTo(5);
        assertThat(svg).contains("class=\"bar b-failed\" data-ticket=\"build\" data-attempt=\"1\"")
                .contains("class=\"bar b-succeeded\" data-ticket=\"build\" data-attempt=\"2\"")
                .contains("class=\"bar b-failed\" data-ticket=\"test\" data-attempt=\"1\"")
                .contains(">1m30s</text>") // 95 s run: ticks every 10 s
                // a ticket without attempts says why, not only its state
                .contains("class=\"idle\"").contains(">skipped: dependency test failed</text>");
        DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    /** docs/report.md: hovering a bar shows attempt number, outcome, duration, exit code and reason. */
    @Test
    void aGanttBarsTooltipHasTheAttemptOutcomeDurationExitCodeAndReason() throws Exception {
        String svg = svg(html(finished()), "gantt");

        assertThat(svg).contains("<title>build · attempt 1 · failed · 29.8s · exit 1 · exit code 1</title>")
                .contains("<title>build · attempt 2 · succeeded · 29.0s · exit 0</title>");
    }

    /**
     * A failure's reason ends with stderr's last line, kilobytes long at times: the ticket table and the failures show its
     * first 200 characters (not splitting a surrogate pair), " …" and its length; report.json has all of it.
     */
    @Test
    void aLongReasonIsCutInTheTableAndTheFailuresButWholeInJson() throws IOException {
        String head = "exited with code 2: <b>" + "x".repeat(io.swarmflow.cli.view.Printable.REASON_CHARS - 1 - 23);
        assertThat(head).hasSize(io.swarmflow.cli.view.Printable.REASON_CHARS - 1);
        String longReason = head + "\uD83D\uDE00" + "y".repeat(5_000) + " the end";
        String exact = "exited with code 2: " + "z".repeat(io.swarmflow.cli.view.Printable.REASON_CHARS - 20);
        List<TicketView> tickets = new ArrayList<>();
        for (TicketView t : Fixtures.finishedTickets()) {
            String reason = t.ticketId().equals("test") ? longReason : t.ticketId().equals("deploy") ? exact : t.reason();
            tickets.add(new TicketView(t.runId(), t.ticketId(), t.index(), t.state(), t.attempt(), t.failures(), t.leaseExpiries(),
                    t.exitCode(), reason, t.outputs(), t.approvedBy(), t.startedAtMillis(), t.finishedAtMillis(), t.retryAtMillis()));
        }
        RunReport report = RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), tickets, Fixtures.finishedAttempts(),
                runDir, T0 + 200_000);

        String shown = Html.esc(head) + " …"; // the emoji would end at 201: left out whole
        String note = " <span class=\"muted\">(" + longReason.length() + " characters, all in report.json)</span>";
        String html = html(report);
        assertThat(row(html, "test")).contains("<td class=\"reason small\" dir=\"auto\">" + shown + note + "</td>")
                .doesNotContain("yyy").doesNotContain("\uD83D");
        int failure = html.indexOf("<div class=\"failure\" id=\"f-test\">");
        assertThat(html.substring(failure, html.indexOf("</div>", failure + 30)))
                .contains("exit code 2 · <bdi>" + shown + "</bdi>" + note).doesNotContain("yyy");
        assertThat(row(html, "deploy")).as("a reason of 200 characters, whole").contains(">" + exact + "</td>").doesNotContain(" …");
        assertThat(json(report).at("/tickets/3/reason").asText()).isEqualTo(longReason);
    }

    /** The timeline's hover text for an attempt holds its reason as the table does: at most 200 characters. */
    @Test
    void aLongAttemptReasonIsCutInTheTimelinesHoverText() throws IOException {
        String longReason = "exited with code 2: " + "x".repeat(io.swarmflow.cli.view.Printable.REASON_CHARS - 20) + "y".repeat(5_000);
        List<AttemptView> attempts = new ArrayList<>();
        for (AttemptView a : Fixtures.finishedAttempts()) {
            attempts.add(!a.ticketId().equals("test") ? a : new AttemptView(a.runId(), a.ticketId(), a.attempt(), a.outcome(),
                    a.exitCode(), longReason, a.startedAtMillis(), a.finishedAtMillis(), a.pid(), a.startTicks(), a.outputBytes()));
        }
        String html = html(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(), attempts,
                runDir, T0 + 200_000));

        int bar = html.indexOf("data-ticket=\"test\" data-attempt=\"1\"");
        String tip = html.substring(html.indexOf("<title>", bar), html.indexOf("</title>", bar));
        assertThat(tip).endsWith(" · exit 2 · exited with code 2: " + "x".repeat(io.swarmflow.cli.view.Printable.REASON_CHARS - 20) + " … ("
                + longReason.length() + " characters, all in report.json)").doesNotContain("y");
    }

    /**
     * docs/report.md: one-line output values over 150 characters show a preview with the whole value folded, multi-line
     * ones are preformatted and folded over 2,000 characters.
     */
    @Test
    void longOutputValuesAreClampedOrFoldedAndMultiLineOnesPreformatted() throws IOException {
        List<TicketView> tickets = new java.util.ArrayList<>(Fixtures.finishedTickets());
        String json = "{\"k\":\"" + "x".repeat(2_992) + "\"}";
        String manyLines = "line\n".repeat(500);
        tickets.replaceAll(t -> !t.ticketId().equals("docs") ? t : Fixtures.view("docs", 2, TicketState.SUCCEEDED, 1, 0, 0, null,
                Map.of("json", json, "limit", "y".repeat(150), "lines", "one\ntwo", "many", manyLines), T0 + 200, T0 + 5_000));
        String docs = row(html(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), tickets, Fixtures.finishedAttempts(),
                runDir, T0 + 200_000)), "docs");

        assertThat(docs).contains("<details class=\"out\"><summary><span class=\"k\">json</span><span class=\"muted small\">3000 "
                        + "characters</span><code class=\"clamp\">" + Html.esc(json.substring(0, 400)) + "</code></summary><pre>"
                        + Html.esc(json) + "</pre></details>")
                .contains("<span class=\"k\">limit</span><code>" + "y".repeat(150) + "</code>")
                .contains("<span class=\"k\">lines</span><pre>one\ntwo</pre>")
                .contains("<details class=\"out\"><summary><span class=\"k\">many</span>2500 characters</summary><pre>" + manyLines
                        + "</pre></details>");
    }

    @Test
    void htmlShowsTheLogTailOfFailedTickets() throws IOException {
        String html = html(finished());
        int section = html.indexOf("<section id=\"failures\">");
        String failures = html.substring(section, html.indexOf("</section>", section));

        assertThat(failures).contains("id=\"f-test\"").contains("Run the tests").contains("logs/test/1/stderr.log")
                .contains("error line 12\n").contains("error line 30\n").doesNotContain("error line 11\n")
                .contains("&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;");
    }

    @Test
    void htmlEscapesEveryUserProvidedText() throws IOException {
        String html = html(finished());

        assertThat(html).doesNotContain(XSS_TITLE).doesNotContain("<script").doesNotContain("<img")
                .doesNotContain("<b>bold</b>")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("exit code 2 &lt;img src=x onerror=alert(2)&gt;")
                .contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;");
    }

    @Test
    void htmlIsSelfContained() throws IOException {
        String html = html(finished());

        assertThat(html).contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        assertThat(html).doesNotContain("<link").doesNotContain("src=\"").doesNotContain("href=\"http")
                .doesNotContain("@import").doesNotContain("url(http");
        assertThat(Pattern.compile("href=\"([^\"]*)\"").matcher(html).results().map(m -> m.group(1)))
                .allMatch(href -> href.startsWith("#"));
    }

    @Test
    void runInProgressIsMeasuredUpToTheReportTimeAndUnstartedTicketsStayEmpty() throws IOException {
        Plan plan = Fixtures.plan(List.of(
                Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("b", "second", List.of("a"), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.RUNNING, T0, T0, 0, 1, "host:1", false, 2, 5);
        List<TicketView> tickets = List.of(Fixtures.view("a", 0, TicketState.RUNNING, 1, 0, null, null, Map.of(), T0 + 1_000, 0));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, null, null, null, T0 + 1_000, 0));
        RunReport report = RunReport.of(run, plan, tickets, attempts, runDir, T0 + 10_000);

        JsonNode json = json(report);
        assertThat(json.get("run").get("state").asText()).isEqualTo("running");
        assertThat(json.get("run").get("finishedAt").isNull()).isTrue();
        assertThat(json.get("run").get("durationMillis").asLong()).isEqualTo(10_000);
        JsonNode a = json.get("tickets").get(0);
        assertThat(a.get("durationMillis").asLong()).isEqualTo(9_000);
        assertThat(a.get("attempts").get(0).get("outcome").asText()).isEqualTo("running");
        assertThat(a.get("attempts").get(0).get("finishedAt").isNull()).isTrue();
        JsonNode b = json.get("tickets").get(1);
        assertThat(b.get("state").asText()).isEqualTo("pending");
        assertThat(b.get("attemptCount").asInt()).isZero();
        assertThat(json.get("counts").get("pending").asInt()).isEqualTo(1);
        assertThat(json.get("failures")).isEmpty();

        String html = html(report);
        assertThat(html).contains("in progress").contains("(so far)").contains("No ticket failed.")
                .contains("class=\"bar b-running\" data-ticket=\"a\"").contains("class=\"now\"")
                .contains("<tr id=\"t-b\" class=\"pending\">");
        assertThat(html).as("the progress bar fills from the left: what runs before what has not started")
                .containsPattern("<div class=\"progress\"[^>]*><span class=\"s-running\"[^>]*></span><span class=\"s-pending\"");
    }

    /**
     * A stopped run's header said "not known" for its duration, while the ticket table showed a bare "4.0s" for the
     * ticket it left running (killed after minutes, say): that cell is only up to the run's last event, and says so as
     * {@code swarm status} does, with the same note under the table. A ticket that finished keeps its duration.
     */
    @Test
    void aTicketAStoppedRunLeftUnfinishedShowsItsDurationAsUpToTheLastEvent() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("b", "second", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("c", "third", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.RUNNING, T0, T0, 0, 1, "host:1", false, 3, 5);
        TicketView waiting = Fixtures.view("c", 2, TicketState.RETRY_WAIT, 1, 1, 1, "exited with code 1", Map.of(), T0 + 1_000, 0);
        List<TicketView> tickets = List.of(Fixtures.view("a", 0, TicketState.RUNNING, 1, 0, null, null, Map.of(), T0 + 1_000, 0),
                Fixtures.view("b", 1, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0 + 1_000, T0 + 3_000),
                new TicketView(waiting.runId(), waiting.ticketId(), waiting.index(), waiting.state(), waiting.attempt(),
                        waiting.failures(), 0, waiting.exitCode(), waiting.reason(), Map.of(), null, waiting.startedAtMillis(), 0, T0 + 9_000));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, null, null, null, T0 + 1_000, 0),
                Fixtures.attempt("b", 1, Outcome.SUCCEEDED, 0, null, T0 + 1_000, T0 + 3_000),
                Fixtures.attempt("c", 1, Outcome.FAILED, 1, "exited with code 1", T0 + 1_000, T0 + 2_000));
        String html = html(RunReport.of(run, plan, tickets, attempts, runDir, T0 + 600_000, T0 + 5_000));

        assertThat(html).contains("not known <span class=\"muted\">(its coordinator stopped; last event recorded 5.0s after the start)");
        // the state badge said "running" alone, read as live; `swarm runs` says "running (stopped)"
        assertThat(html).contains("id=\"run-state\">running</span> <span class=\"badge s-cancelled\" id=\"run-stopped\"");
        // its hover said "swarm resume continues it", where every other place names the command whole
        assertThat(html).contains("id=\"run-stopped\" title=\"its coordinator stopped without recording an end (killed, crashed, or "
                + "the database could not be written); swarm resume " + RUN + " continues it\">stopped</span>");
        assertThat(row(html, "a")).contains("<td class=\"num\">4.0s <span class=\"small muted\">(last event)</span></td>");
        assertThat(row(html, "c")).contains("<td class=\"num\">4.0s <span class=\"small muted\">(last event)</span></td>");
        assertThat(row(html, "b")).contains("<td class=\"num\">2.0s</td>").doesNotContain("last event");
        assertThat(html).contains("<p class=\"muted small\" id=\"last-event-note\">(last event): the time from its start to the "
                + "run&#39;s last recorded event, not how long it ran</p>");
        // "stopped (killed or crashed) after its last recorded event, at 12:00:05" read as the time it stopped
        assertThat(html).contains("not finished: its coordinator stopped without recording an end (killed, crashed, or the database could not be written), some time after its last recorded "
                + "event (2025-01-31 12:00:05 UTC)");
        // nothing retries c until a resume, as for a cancelled run: "retry at 12:00:09" was a time that would pass unseen
        assertThat(row(html, "c")).contains("retries when the run is resumed, not before 2025-01-31 12:00:09").doesNotContain("retry at");

        // a run in progress, or one that ended, has none
        RunView live = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.RUNNING, T0, T0, 0, 1, "host:1", false, 3, 5);
        assertThat(html(RunReport.of(live, plan, tickets, attempts, runDir, T0 + 5_000))).doesNotContain("last event")
                .doesNotContain("run-stopped");
    }

    @Test
    void aTicketWaitingToRetrySaysWhenInJsonAsInHtml() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("b", "second", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.CANCELLED, T0, T0, T0 + 5_000, 1, "host:1", true, 2, 5);
        TicketView a = Fixtures.view("a", 0, TicketState.RETRY_WAIT, 1, 1, 1, "exited with code 1", Map.of(), T0 + 1_000, 0);
        List<TicketView> tickets = List.of(new TicketView(a.runId(), a.ticketId(), a.index(), a.state(), a.attempt(), a.failures(),
                        a.leaseExpiries(), a.exitCode(), a.reason(), a.outputs(), null, a.startedAtMillis(), 0, T0 + 60_000),
                Fixtures.view("b", 1, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0 + 1_000, T0 + 2_000));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, Outcome.FAILED, 1, "exited with code 1", T0 + 1_000, T0 + 2_000),
                Fixtures.attempt("b", 1, Outcome.SUCCEEDED, 0, null, T0 + 1_000, T0 + 2_000));
        RunReport report = RunReport.of(run, plan, tickets, attempts, runDir, T0 + 10_000);

        JsonNode json = json(report);
        assertThat(json.get("tickets").get(0).get("retryAt").asText()).isEqualTo("2025-01-31T12:01:00Z");
        assertThat(json.get("tickets").get(1).get("retryAt").isNull()).isTrue();
        // the run was cancelled: nothing retries at that time unless the run is resumed by then
        assertThat(html(report)).contains("retries when the run is resumed, not before 2025-01-31 12:01:00").doesNotContain("retry at");

        RunView running = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.RUNNING, T0, T0, 0, 1, "host:1", false, 2, 5);
        assertThat(html(RunReport.of(running, plan, tickets, attempts, runDir, T0 + 10_000))).contains("retry at 2025-01-31 12:01:00");
    }

    @Test
    void aCancelledRunSaysSoAndHowToContinueNotThatItFailedOrFinished() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("b", "second", List.of("a"), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.CANCELLED, T0, T0, T0 + 5_000, 1, "host:1", true, 2, 5);
        List<TicketView> tickets = List.of(
                Fixtures.view("a", 0, TicketState.CANCELLED, 1, 0, 143, "cancelled while running", Map.of(), T0, T0 + 5_000));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, Outcome.CANCELLED, 143, "cancelled while running", T0, T0 + 5_000));
        String header = html(RunReport.of(run, plan, tickets, attempts, runDir, T0 + 10_000)).split("<header>")[1].split("<nav>")[0];

        assertThat(header).contains("<span class=\"lbl\">Cancelled</span>2025-01-31 12:00:05 UTC")
                .contains("Cancelled before it finished: 2 tickets were stopped or never started. <code>swarm resume " + RUN
                        + "</code> continues the run.")
                .doesNotContain(">Finished<").doesNotContainIgnoringCase("fail");
    }

    @Test
    void aTicketLeftWaitingToRetryByACancelIsMeasuredUpToTheRunsEndNotTheReportTime() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.CANCELLED, T0, T0, T0 + 5_000, 1, "host:1", false, 1, 5);
        List<TicketView> tickets = List.of(
                Fixtures.view("a", 0, TicketState.RETRY_WAIT, 1, 1, 1, "exited with code 1", Map.of(), T0, 0));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, Outcome.FAILED, 1, "exited with code 1", T0, T0 + 1_000));

        // a report written an hour after the run was cancelled
        JsonNode json = json(RunReport.of(run, plan, tickets, attempts, runDir, T0 + 3_600_000));

        assertThat(json.get("run").get("durationMillis").asLong()).isEqualTo(5_000);
        assertThat(json.get("tickets").get(0).get("durationMillis").asLong()).isEqualTo(5_000);
    }

    @Test
    void runNotStartedHasNoTimeline() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "noop", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, 1, 1);
        RunReport report = RunReport.of(run, plan, List.of(), List.of(), runDir, T0 + 1);

        assertThat(json(report).get("run").get("startedAt").isNull()).isTrue();
        assertThat(json(report).get("run").get("durationMillis").isNull()).isTrue();
        assertThat(html(report)).contains("No attempt has started yet.").contains("not started");
    }

    @Test
    void plansLargerThanTheDagLimitGetANoteInsteadOfAGraph() throws IOException {
        int n = DagSvg.MAX_TICKETS + 1;
        List<PlannedTicket> planned = IntStream.range(0, n)
                .mapToObj(i -> Fixtures.ticket("t" + i, "ticket " + i, i == 0 ? List.of() : List.of("t" + (i - 1) / 2),
                        "noop", WorkspaceMode.RUN))
                .toList();
        RunView run = new RunView(RUN, "big", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, n, 1);
        String html = html(RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), runDir, T0));

        assertThat(html).doesNotContain("<svg class=\"dag\"").contains("The plan has " + n + " tickets");
    }

    /** docs/report.md: a plan of 2,000 tickets still gets its graph, folded when too wide (DagScaleMeasure: about 3 MB, under 1 s). */
    @Test
    void aPlanOf2000TicketsGetsItsGraph() throws IOException {
        int n = 2_000;
        List<PlannedTicket> planned = IntStream.range(0, n)
                .mapToObj(i -> Fixtures.ticket("t" + i, "ticket " + i, i == 0 ? List.of() : List.of("t" + (i - 1) / 2),
                        "noop", WorkspaceMode.RUN))
                .toList();
        RunView run = new RunView(RUN, "big", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, n, 1);
        String svg = svg(html(RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), runDir, T0)), "dag");

        assertThat(count(svg, "class=\"edge\"")).isEqualTo(n - 1);
    }

    @Test
    void wideLayersWrapIntoSeveralColumns() throws Exception {
        List<PlannedTicket> planned = new ArrayList<>();
        planned.add(Fixtures.ticket("root", "root", List.of(), "noop", WorkspaceMode.RUN));
        for (int i = 0; i < 120; i++) planned.add(Fixtures.ticket("leaf-" + i, "", List.of("root"), "noop", WorkspaceMode.RUN));
        RunView run = new RunView(RUN, "wide", "swarm.yaml", RunState.CREATED, T0, 0, 0, 0, null, false, 121, 1);
        String svg = svg(html(RunReport.of(run, Fixtures.plan(planned), List.of(), List.of(), runDir, T0)), "dag");

        Matcher m = Pattern.compile("<svg class=\"dag\"[^>]* height=\"(\\d+)\"").matcher(svg);
        assertThat(m.find()).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isLessThan(DagSvg.MAX_PER_COLUMN * 40);
        assertThat(count(svg, "class=\"edge\"")).isEqualTo(120);
    }

    @Test
    void writeAllWritesJsonAndHtmlIntoTheRunDirectory() throws IOException {
        Path html = RunReport.writeAll(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                Fixtures.finishedAttempts(), runDir);

        assertThat(html).isEqualTo(runDir.resolve("report.html"));
        assertThat(Files.readString(html)).contains("<svg class=\"gantt\"");
        assertThat(JSON.readTree(runDir.resolve("report.json").toFile()).get("run").get("id").asText()).isEqualTo(RUN);
        try (var files = Files.list(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("logs", "report.json", "report.html");
        }
    }

    @Test
    void attemptOutcomesHaveTheirOwnBarColors() throws IOException {
        List<AttemptView> attempts = new ArrayList<>(Fixtures.finishedAttempts());
        attempts.add(Fixtures.attempt("deploy", 1, Outcome.TIMED_OUT, null, "timed out after 10s", T0 + 1, T0 + 2));
        attempts.add(Fixtures.attempt("deploy", 2, Outcome.LEASE_EXPIRED, null, null, T0 + 3, T0 + 4));
        String svg = svg(html(RunReport.of(Fixtures.finishedRun(), Fixtures.finishedPlan(), Fixtures.finishedTickets(),
                attempts, runDir, T0 + 200_000)), "gantt");

        assertThat(svg).contains("class=\"bar b-timed-out\"").contains("class=\"bar b-lease-expired\"");
    }

    /**
     * A run that ran 10 s, stood cancelled for an hour and ran 10 s more read as "1h 00m" in report.html and only as
     * durationMillis 3,610,000 in report.json: both now give the time it ran, over the time from its start.
     */
    @Test
    void aResumedRunsDurationIsTheTimeItRanOverTheTimeFromItsStart() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.SUCCEEDED, T0, T0, T0 + 3_610_000, 2, "host:2", false, 1, 9);
        List<TicketView> tickets = List.of(Fixtures.view("a", 0, TicketState.SUCCEEDED, 2, 0, 0, null, Map.of(), T0 + 1_000, T0 + 3_609_000));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, Outcome.CANCELLED, null, "run cancelled", T0 + 1_000, T0 + 10_000),
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 3_600_000, T0 + 3_609_000));
        io.swarmflow.cli.view.RunTimes times = io.swarmflow.cli.view.RunTimes.of(List.of(
                new io.swarmflow.store.StoredEvent(RUN, 1, T0, new io.swarmflow.store.RunEvent.RunStarted(1, "host:1", false)),
                new io.swarmflow.store.StoredEvent(RUN, 2, T0 + 10_000, new io.swarmflow.store.RunEvent.RunFinished(RunState.CANCELLED)),
                new io.swarmflow.store.StoredEvent(RUN, 3, T0 + 3_600_000, new io.swarmflow.store.RunEvent.RunStarted(2, "host:2", true)),
                new io.swarmflow.store.StoredEvent(RUN, 4, T0 + 3_610_000, new io.swarmflow.store.RunEvent.RunFinished(RunState.SUCCEEDED))));
        RunReport report = RunReport.of(run, plan, tickets, attempts, runDir, T0 + 4_000_000, 0, times);

        JsonNode json = json(report);
        assertThat(json.at("/run/durationMillis").asLong()).isEqualTo(3_610_000);
        assertThat(json.at("/run/runningMillis").asLong()).isEqualTo(20_000);
        assertThat(html(report)).contains("<span class=\"lbl\">Duration</span>20.0s running over 1h00m (resumed once)</div>");
        // its ticket, cancelled mid-attempt and run again after the resume: 9 s, then 9 s, not a bare 1h00m
        assertThat(json.at("/tickets/0/durationMillis").asLong()).isEqualTo(3_608_000);
        assertThat(json.at("/tickets/0/runningMillis").asLong()).isEqualTo(18_000);
        assertThat(row(html(report), "a")).contains("<td class=\"num\">18.0s (over 1h00m)</td>");
        assertThat(html(report)).contains("<p class=\"muted small\" id=\"over-note\">(over D): a ticket a resume of the run cut in two");

        // its events not read (the coordinator's own report at the end of swarm resume): not known, and said so
        RunReport unread = RunReport.of(run, plan, tickets, attempts, runDir, T0 + 4_000_000);
        assertThat(json(unread).at("/run/runningMillis").isNull()).isTrue();
        assertThat(html(unread)).contains("<span class=\"lbl\">Duration</span>1h00m from its start, resumed (the time it stood stopped included;");
        // a run never resumed: the same as its duration
        assertThat(json(finished()).at("/run/runningMillis").asLong()).isEqualTo(json(finished()).at("/run/durationMillis").asLong());
    }

    /**
     * A coordinator killed while an attempt ran: the resume an hour later records it lease-expired, and its bar spanned the
     * hour the run stood stopped. It ends at the last event of its coordinator's session, and its hover says so.
     */
    @Test
    void anAttemptLostWithItsCoordinatorEndsWhereItsSessionEnded() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("a", "first", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.SUCCEEDED, T0, T0, T0 + 100_000, 2, "host:2", false, 1, 9);
        List<TicketView> tickets = List.of(Fixtures.view("a", 0, TicketState.SUCCEEDED, 2, 0, 0, null, Map.of(), T0 + 1_000, T0 + 99_000));
        List<AttemptView> attempts = List.of(Fixtures.attempt("a", 1, Outcome.LEASE_EXPIRED, null, "lease expired", T0 + 1_000, T0 + 90_000),
                Fixtures.attempt("a", 2, Outcome.SUCCEEDED, 0, null, T0 + 90_000, T0 + 99_000));
        io.swarmflow.cli.view.RunTimes times = io.swarmflow.cli.view.RunTimes.of(List.of(
                new io.swarmflow.store.StoredEvent(RUN, 1, T0, new io.swarmflow.store.RunEvent.RunStarted(1, "host:1", false)),
                new io.swarmflow.store.StoredEvent(RUN, 2, T0 + 1_000, new io.swarmflow.store.RunEvent.AttemptStarted("a", 1, 60_000)),
                new io.swarmflow.store.StoredEvent(RUN, 3, T0 + 10_000, new io.swarmflow.store.RunEvent.AttemptProcessStarted("a", 1, 42, 7)),
                new io.swarmflow.store.StoredEvent(RUN, 4, T0 + 90_000, new io.swarmflow.store.RunEvent.RunStarted(2, "host:2", true)),
                new io.swarmflow.store.StoredEvent(RUN, 5, T0 + 100_000, new io.swarmflow.store.RunEvent.RunFinished(RunState.SUCCEEDED))));
        RunReport report = RunReport.of(run, plan, tickets, attempts, runDir, T0 + 200_000, 0, times);
        String svg = svg(html(report), "gantt");
        // report.json says the same time as the bar, not the 89 s up to the resume's record of the loss
        assertThat(json(report).at("/tickets/0/attempts/0/durationMillis").asLong()).isEqualTo(9_000L);
        assertThat(json(report).at("/tickets/0/attempts/1/durationMillis").asLong()).isEqualTo(9_000L);

        assertThat(svg).contains("data-attempt=\"1\" x=\"1.000%\" y=\"28\" width=\"9.000%\"")
                .contains("<title>a · attempt 1 · lease-expired · at least 9.0s (its coordinator stopped; the resume recorded "
                        + "the loss 1m29s after its start) · lease expired</title>");
    }

    /** The timeline showed nothing for the time a ticket stood at its approval gate; it is a segment of its own. */
    @Test
    void theTimelineShowsTheTimeATicketWaitedForApproval() throws IOException {
        Plan plan = Fixtures.plan(List.of(Fixtures.ticket("deploy", "ship", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("drop", "drop it", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("later", "not yet", List.of(), "shell", WorkspaceMode.RUN)));
        RunView run = new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.RUNNING, T0, T0, 0, 1, "host:1", false, 3, 9);
        List<TicketView> tickets = List.of(Fixtures.view("deploy", 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0 + 5_000, T0 + 7_000),
                Fixtures.view("drop", 1, TicketState.FAILED, 0, 0, null, "rejected by bob@host: not today", Map.of(), 0, T0 + 6_000),
                Fixtures.view("later", 2, TicketState.AWAITING_APPROVAL, 0, 0, null, null, Map.of(), 0, 0));
        List<AttemptView> attempts = List.of(Fixtures.attempt("deploy", 1, Outcome.SUCCEEDED, 0, null, T0 + 5_000, T0 + 7_000));
        io.swarmflow.cli.view.RunTimes times = io.swarmflow.cli.view.RunTimes.of(List.of(
                new io.swarmflow.store.StoredEvent(RUN, 1, T0, new io.swarmflow.store.RunEvent.RunStarted(1, "host:1", false)),
                new io.swarmflow.store.StoredEvent(RUN, 2, T0 + 1_000, new io.swarmflow.store.RunEvent.TicketAwaitingApproval("deploy")),
                new io.swarmflow.store.StoredEvent(RUN, 3, T0 + 1_000, new io.swarmflow.store.RunEvent.TicketAwaitingApproval("drop")),
                new io.swarmflow.store.StoredEvent(RUN, 4, T0 + 2_000, new io.swarmflow.store.RunEvent.TicketAwaitingApproval("later")),
                new io.swarmflow.store.StoredEvent(RUN, 5, T0 + 5_000, new io.swarmflow.store.RunEvent.ApprovalGranted("deploy", "alice@host")),
                new io.swarmflow.store.StoredEvent(RUN, 6, T0 + 6_000, new io.swarmflow.store.RunEvent.ApprovalRejected("drop", "bob@host", "not today"))));
        String html = html(RunReport.of(run, plan, tickets, attempts, runDir, T0 + 10_000, 0, times));
        String svg = svg(html, "gantt");

        assertThat(svg).contains("<rect class=\"bar b-awaiting-approval\" data-ticket=\"deploy\" x=\"10.000%\"")
                .contains("<title>deploy · awaiting approval · 4.0s · approved by alice@host</title>")
                .contains("<title>drop · awaiting approval · 5.0s · rejected by bob@host: not today</title>")
                .contains("<title>later · awaiting approval · 8.0s · still waiting</title>");
        assertThat(html).contains("<rect class=\"b-awaiting-approval\" width=\"12\" height=\"12\" rx=\"2\"/></svg> awaiting approval</span>")
                .contains(".b-awaiting-approval{");
    }

    private static String row(String html, String id) {
        int start = html.indexOf("<tr id=\"t-" + id + "\"");
        return html.substring(start, html.indexOf("</tr>", start));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
