package io.swarmflow.cli.report;

import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static io.swarmflow.cli.report.Fixtures.RUN;
import static io.swarmflow.cli.report.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens generated reports in a real headless Chromium (the system's {@code /usr/bin/chromium} through its
 * {@code /usr/bin/chromedriver}; Selenium Manager never downloads anything) and checks what a reader sees: no
 * horizontal scrolling of the page on a wide or a narrow window nor on paper, every DAG node drawn whole with its
 * label inside and its edges touching it, Gantt bars inside the time axis with axis labels that do not collide,
 * and no console error (a Content-Security-Policy violation is one).
 *
 * <p>Without the browser the test is skipped, except under {@code CI=true}, where it fails: .ci/run installs it.
 */
class ReportBrowserTest {
    private static final File CHROMIUM = HeadlessChrome.CHROMIUM;
    private static final File CHROMEDRIVER = HeadlessChrome.CHROMEDRIVER;

    @TempDir static Path dir;
    private static ChromeDriver driver;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: install the chromium and chromium-driver "
                    + "packages (.ci/run does when it runs as root)");
        }
        if (!present) return; // each test is skipped, with the reason, by requireBrowser
        driver = HeadlessChrome.start(dir);
    }

    @BeforeEach
    void requireBrowser() {
        assumeTrue(driver != null, "no " + CHROMIUM + " and " + CHROMEDRIVER + " (packages chromium, chromium-driver); "
                + "the report is not checked in a browser");
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) driver.quit();
    }

    @Test
    void aFailedRunWithLongTextAndA200TicketFanOutFitsTheWindowOnScreenAndOnPaper() throws IOException {
        open(stressReport());
        Map<Integer, Long> axisWidths = new java.util.TreeMap<>();
        for (int width : new int[] {1280, 880}) {
            resize(width);
            assertNoHorizontalOverflow("screen " + width + " px");
            assertDagNodesVisible();
            assertGanttBarsWithinAxis();
            axisWidths.put(width, assertGanttFillsItsBoxWithReadableText(width));
            assertLongOutputsClamped(width);
        }
        assertThat(axisWidths.get(1280) - axisWidths.get(880)).as("the timeline's axis widens with the window: %s", axisWidths)
                .isGreaterThan(300);
        assertThat(driver.executeScript("return getComputedStyle(document.querySelector('#t-rtl .title')).direction"))
                .as("a Hebrew title, its parentheses included, reads right to left").isEqualTo("rtl");
        printMedia(true);
        try {
            resize(760); // an A4 page's printable width at 96 dpi with Chromium's default margins
            assertNoHorizontalOverflow("print");
            assertGanttBarsWithinAxis();
            assertGanttFillsItsBoxWithReadableText(760);
            assertThat(longs("return [...document.querySelectorAll('.scroll, pre')]"
                    + ".filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1).length"))
                    .as("boxes that would need scrolling on paper (cut off when printed)").isZero();
            assertThat(longs("return [...document.querySelectorAll('details.out:not([open]) pre')]"
                    + ".filter(e => e.checkVisibility() && e.textContent.length > 1000).length"))
                    .as("folded long output values, printed whole although closed (the page has no script to open them)")
                    .isEqualTo(longs("return [...document.querySelectorAll('details.out:not([open]) pre')]"
                            + ".filter(e => e.textContent.length > 1000).length")).isPositive();
        } finally {
            printMedia(false);
        }
        assertNoConsoleErrors();
    }

    @Test
    void aCancelledRunWithAttemptsOverHoursHasReadableAxisAndNeitherFailureNorSuccessWording() throws IOException {
        open(cancelledReport());
        resize(1280);
        assertNoHorizontalOverflow("screen 1280 px");
        assertDagNodesVisible();
        assertGanttBarsWithinAxis();
        assertThat(text("#run-state")).isEqualTo("cancelled");
        String badgeColor = (String) driver.executeScript("return getComputedStyle(document.getElementById('run-state')).backgroundColor");
        assertThat(badgeColor).as("neither the green of success nor the red of failure")
                .isNotIn("rgb(220, 252, 231)", "rgb(254, 226, 226)");
        assertThat(text("#run-note")).isEqualTo("Cancelled before it finished: 3 tickets were stopped or never started. "
                + "swarm resume " + RUN + " continues the run.");
        assertThat(text("header .meta")).doesNotContainIgnoringCase("fail")
                .contains("CANCELLED\n2025-01-31 15:01:01 UTC"); // labels are upper case by CSS
        assertNoConsoleErrors();
    }

    // ---- reports ----

    /** A 3,000-character one-line JSON output value, as an agent might report it. */
    private static final String JSON_OUTPUT = "{\"items\":[" + "{\"id\":12345,\"name\":\"item\"},".repeat(110) + "{}]," + "\"end\":" + "1".repeat(9) + "}";

    /**
     * 204 tickets: two roots, 200 workers with 63-character ids, a join; failures with 3,000-character log lines,
     * one-line output values of 1,500 and 3,000 characters.
     */
    private static Path stressReport() throws IOException {
        String longId = "a-very-long-ticket-identifier-0123456789-abcdefghijklmnopqrstuv";
        String unbroken = "Pneumonoultramicroscopicsilicovolcanoconiosis".repeat(4);
        List<PlannedTicket> plan = new ArrayList<>();
        List<TicketView> views = new ArrayList<>();
        List<AttemptView> attempts = new ArrayList<>();
        plan.add(Fixtures.ticket(longId, unbroken, List.of(), "shell", WorkspaceMode.RUN));
        views.add(Fixtures.view(longId, 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of("out", "y".repeat(1_500)), T0, T0 + 1_000));
        attempts.add(Fixtures.attempt(longId, 1, Outcome.SUCCEEDED, 0, null, T0, T0 + 1_000));
        plan.add(Fixtures.ticket("rtl", "שלום עולם (גרסה 2) — مرحبا بالعالم", List.of(longId), "shell", WorkspaceMode.RUN));
        views.add(Fixtures.view("rtl", 1, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of("json", JSON_OUTPUT), T0 + 1_000, T0 + 1_300));
        attempts.add(Fixtures.attempt("rtl", 1, Outcome.SUCCEEDED, 0, null, T0 + 1_000, T0 + 1_300));
        List<String> workers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            String id = String.format("worker-%03d-", i) + "x".repeat(52);
            workers.add(id);
            plan.add(Fixtures.ticket(id, "worker " + i, List.of(longId), "shell", WorkspaceMode.RUN));
            boolean failed = i % 50 == 7;
            long start = T0 + 1_000 + i * 40L, end = start + 1_500 + (i % 9) * 300;
            views.add(Fixtures.view(id, i + 2, failed ? TicketState.FAILED : TicketState.SUCCEEDED, failed ? 2 : 1,
                    failed ? 2 : 0, failed ? 3 : 0, failed ? "exited with code 3: " + "E".repeat(400) : null, Map.of(),
                    start, end + (failed ? 1_000 : 0)));
            attempts.add(Fixtures.attempt(id, 1, failed ? Outcome.FAILED : Outcome.SUCCEEDED, failed ? 3 : 0,
                    failed ? "exited with code 3" : null, start, end));
            if (failed) {
                attempts.add(Fixtures.attempt(id, 2, Outcome.TIMED_OUT, null, "timed out", end + 200, end + 1_000));
                Path logs = Files.createDirectories(dir.resolve("stress/logs/" + id + "/2"));
                StringBuilder log = new StringBuilder();
                for (int l = 0; l < 30; l++) log.append("line ").append(l).append(' ').append("E".repeat(3_000)).append('\n');
                Files.writeString(logs.resolve("stderr.log"), log);
            }
        }
        String wide = "m".repeat(30) + "-wwwwwwwwww"; // the widest letters: its label must still fit its box
        plan.add(Fixtures.ticket(wide, "wide", List.of(), "shell", WorkspaceMode.RUN));
        views.add(Fixtures.view(wide, 202, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0, T0 + 500));
        attempts.add(Fixtures.attempt(wide, 1, Outcome.SUCCEEDED, 0, null, T0, T0 + 500));
        List<String> joinNeeds = new ArrayList<>(workers);
        joinNeeds.addAll(List.of("rtl", longId, wide)); // edges from layer 0 cross the 200 workers' layer
        plan.add(Fixtures.ticket("join", "join", joinNeeds, "shell", WorkspaceMode.RUN));
        views.add(Fixtures.view("join", 203, TicketState.SKIPPED, 0, 0, null, "dependency worker-007 failed", Map.of(), 0, T0 + 12_000));
        RunView run = new RunView(RUN, "stress-" + "x".repeat(150), "/tmp/" + "deep/".repeat(40) + "swarm.yaml",
                RunState.FAILED, T0 - 500, T0, T0 + 12_000, 1, "host:1", false, plan.size(), 900);
        return RunReport.writeAll(run, Fixtures.plan(plan), views, attempts, dir.resolve("stress"));
    }

    /** Cancelled after 3 hours: one ticket done, three attempts cancelled, the last one as it began. */
    private static Path cancelledReport() throws IOException {
        long h = 3_600_000;
        List<PlannedTicket> plan = List.of(
                Fixtures.ticket("quick", "quick", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("long1", "long one", List.of("quick"), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("long2", "long two", List.of(), "shell", WorkspaceMode.RUN),
                Fixtures.ticket("after", "after", List.of("long1"), "shell", WorkspaceMode.RUN));
        List<TicketView> views = List.of(
                Fixtures.view("quick", 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0, T0 + 5_000),
                Fixtures.view("long1", 1, TicketState.CANCELLED, 1, 0, 143, "cancelled", Map.of(), T0 + 5_000, T0 + 3 * h + 60_000),
                Fixtures.view("long2", 2, TicketState.CANCELLED, 1, 0, 143, "cancelled", Map.of(), T0, T0 + 3 * h + 60_000),
                Fixtures.view("after", 3, TicketState.CANCELLED, 1, 0, null, "cancelled", Map.of(), T0 + 3 * h + 61_000, T0 + 3 * h + 61_000));
        List<AttemptView> attempts = List.of(
                Fixtures.attempt("quick", 1, Outcome.SUCCEEDED, 0, null, T0, T0 + 5_000),
                Fixtures.attempt("long1", 1, Outcome.CANCELLED, 143, "cancelled", T0 + 5_000, T0 + 3 * h + 60_000),
                Fixtures.attempt("long2", 1, Outcome.CANCELLED, 143, "cancelled", T0, T0 + 3 * h + 60_000),
                // started as the run ended: the shortest bar, at the very end of the axis
                Fixtures.attempt("after", 1, Outcome.CANCELLED, null, "cancelled", T0 + 3 * h + 61_000, T0 + 3 * h + 61_000));
        RunView run = new RunView(RUN, "cancelme", "swarm.yaml", RunState.CANCELLED, T0 - 500, T0, T0 + 3 * h + 61_000, 1,
                "host:1", true, 4, 30);
        return RunReport.writeAll(run, Fixtures.plan(plan), views, attempts, dir.resolve("cancelled"));
    }

    // ---- browser checks ----

    private static void open(Path html) {
        driver.get(html.toUri().toString());
        driver.manage().logs().get(LogType.BROWSER); // start each page with an empty console
    }

    private static void resize(int viewportWidth) {
        // the window is a little wider than its viewport; adjust until the page itself is viewportWidth wide
        driver.manage().window().setSize(new Dimension(viewportWidth, 1000));
        long actual = (Long) driver.executeScript("return window.innerWidth");
        if (actual != viewportWidth) {
            driver.manage().window().setSize(new Dimension((int) (2 * viewportWidth - actual), 1000));
        }
        assertThat((Long) driver.executeScript("return window.innerWidth")).isEqualTo(viewportWidth);
    }

    private static void printMedia(boolean print) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", print ? "print" : ""));
    }

    private static void assertNoHorizontalOverflow(String where) {
        long scroll = (Long) driver.executeScript("return document.documentElement.scrollWidth");
        long client = (Long) driver.executeScript("return document.documentElement.clientWidth");
        if (scroll > client) {
            Object culprits = driver.executeScript("""
                    const w = document.documentElement.clientWidth;
                    const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement)
                      if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
                    return [...document.querySelectorAll('body *')]
                      .filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))
                      .filter(e => e.children.length === 0 || e.getBoundingClientRect().right > e.parentElement.getBoundingClientRect().right + 1)
                      .slice(0, 8).map(e => e.tagName + '.' + (e.getAttribute('class') || '') + ' ' + Math.round(e.getBoundingClientRect().right));
                    """);
            fail(where + ": the page is " + scroll + " px wide in a " + client + " px window; too wide: " + culprits);
        }
    }

    private static void assertDagNodesVisible() {
        List<?> problems = (List<?>) driver.executeScript("""
                const out = [];
                const svg = document.querySelector('svg.dag');
                if (!svg) return ['no svg.dag'];
                const box = svg.getBoundingClientRect();
                const nodes = [...svg.querySelectorAll('.node')];
                const rects = new Map();
                for (const n of nodes) {
                  const r = n.querySelector('rect').getBoundingClientRect(), t = n.querySelector('text').getBoundingClientRect();
                  const id = n.dataset.ticket;
                  rects.set(id, r);
                  if (r.width < 10 || r.height < 10 || getComputedStyle(n).visibility !== 'visible') out.push(id + ': not drawn');
                  if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5)
                    out.push(id + ': outside the drawing');
                  if (t.left < r.left || t.right > r.right || t.top < r.top || t.bottom > r.bottom) out.push(id + ': label outside its box');
                }
                const sorted = [...rects.entries()].sort((a, b) => a[1].left - b[1].left || a[1].top - b[1].top);
                for (let i = 0; i < sorted.length; i++)
                  for (let j = i + 1; j < sorted.length && sorted[j][1].left < sorted[i][1].right; j++) {
                    const a = sorted[i][1], b = sorted[j][1];
                    if (a.top < b.bottom && b.top < a.bottom) out.push(sorted[i][0] + ' overlaps ' + sorted[j][0]);
                  }
                for (const e of svg.querySelectorAll('.edge')) {
                  const from = rects.get(e.dataset.from), to = rects.get(e.dataset.to);
                  const len = e.getTotalLength(), m = e.getScreenCTM();
                  const p = e.getPointAtLength(0).matrixTransform(m), q = e.getPointAtLength(len).matrixTransform(m);
                  const onRight = Math.abs(p.x - from.right) <= 1 && p.y >= from.top && p.y <= from.bottom;
                  const onBottom = Math.abs(p.y - from.bottom) <= 1 && p.x >= from.left && p.x <= from.right;
                  if (!onRight && !onBottom) out.push('edge ' + e.dataset.from + ' does not start at its box');
                  const onLeft = Math.abs(q.x - to.left) <= 1 && q.y >= to.top && q.y <= to.bottom;
                  const onTop = Math.abs(q.y - to.top) <= 1 && q.x >= to.left && q.x <= to.right;
                  if (!onLeft && !onTop) out.push('edge to ' + e.dataset.to + ' does not end at its box');
                }
                const corner = 3; // a box's rounded corners
                for (const e of svg.querySelectorAll('.edge')) {
                  const len = e.getTotalLength(), m = e.getScreenCTM(), eb = e.getBoundingClientRect();
                  const near = [...rects].filter(([id, r]) => r.right > eb.left && r.left < eb.right && r.bottom > eb.top && r.top < eb.bottom);
                  for (let d = 0; d <= len; d += 3) {
                    const p = e.getPointAtLength(d).matrixTransform(m);
                    for (const [id, r] of near) {
                      if (id === e.dataset.from || id === e.dataset.to) continue;
                      if (p.x > r.left + corner && p.x < r.right - corner && p.y > r.top + corner && p.y < r.bottom - corner) {
                        out.push('edge ' + e.dataset.from + ' -> ' + e.dataset.to + ' crosses ' + id); d = len; break;
                      }
                    }
                  }
                }
                if (nodes.length !== document.querySelectorAll('#tickets tbody tr').length) out.push('node count differs from ticket count');
                return out.slice(0, 10);
                """);
        assertThat(problems).as("DAG problems").isEmpty();
    }

    private static void assertGanttBarsWithinAxis() {
        List<?> problems = (List<?>) driver.executeScript("""
                const out = [];
                const svg = document.querySelector('svg.gantt');
                if (!svg) return ['no svg.gantt'];
                const box = svg.getBoundingClientRect();
                const axis = svg.querySelector('.baseline').getBoundingClientRect();
                for (const b of svg.querySelectorAll('.bar')) {
                  const r = b.getBoundingClientRect();
                  if (r.left < axis.left - 0.5 || r.right > axis.right + 0.5) out.push(b.dataset.ticket + '/' + b.dataset.attempt + ' outside the axis');
                }
                const labels = [...svg.querySelectorAll('.axis text')].map(t => t.getBoundingClientRect());
                if (labels.length < 3) out.push('only ' + labels.length + ' axis labels');
                for (let i = 0; i < labels.length; i++) {
                  if (labels[i].left < box.left - 0.5 || labels[i].right > box.right + 0.5) out.push('axis label ' + i + ' outside the drawing');
                  if (i > 0 && labels[i].left < labels[i - 1].right + 4) out.push('axis labels ' + (i - 1) + ' and ' + i + ' collide');
                }
                return out.slice(0, 10);
                """);
        assertThat(problems).as("timeline problems").isEmpty();
    }

    /**
     * A long one-line output value takes a few lines of its row, shows its beginning, and opens into a scroll box
     * holding the whole value.
     */
    private static void assertLongOutputsClamped(int width) {
        for (String row : new String[] {"#t-a-very-long-ticket-identifier-0123456789-abcdefghijklmnopqrstuv", "#t-rtl"}) {
            // the content's height: a cell is as tall as its row
            assertThat(longs("const rs = [...document.querySelector('" + row + " td:last-child').children].map(e => e.getBoundingClientRect());"
                    + " return Math.round(Math.max(...rs.map(r => r.bottom)) - Math.min(...rs.map(r => r.top)))"))
                    .as("height of the outputs of %s at %d px", row, width).isLessThan(90);
        }
        assertThat(text("#t-rtl details.out summary")).as("the value's beginning shows").contains("{\"items\":[{\"id\":12345");
        assertThat(driver.executeScript("return document.querySelector('#t-rtl details.out pre').textContent"))
                .isEqualTo(JSON_OUTPUT);
        driver.executeScript("document.querySelector('#t-rtl details.out').open = true");
        try {
            assertThat(driver.executeScript("""
                    const pre = document.querySelector('#t-rtl details.out pre');
                    return pre.clientHeight <= 240 && pre.scrollHeight > pre.clientHeight && pre.innerText === arguments[0]
                      && document.querySelector('#t-rtl td:last-child').getBoundingClientRect().width <= 480""", JSON_OUTPUT))
                    .as("an opened value is a scroll box holding all of it").isEqualTo(true);
        } finally {
            driver.executeScript("document.querySelector('#t-rtl details.out').open = false");
        }
    }

    /**
     * The timeline spans its box, less the label column and a margin, and its text keeps a readable size at any width.
     *
     * @return the width of its time axis, pixels
     */
    private static long assertGanttFillsItsBoxWithReadableText(int width) {
        List<?> m = (List<?>) driver.executeScript("""
                const svg = document.querySelector('svg.gantt'), box = svg.parentElement.getBoundingClientRect();
                const axis = svg.querySelector('.baseline').getBoundingClientRect();
                const size = t => Math.round(t.getBoundingClientRect().height);
                return [Math.round(box.right - axis.right), Math.round(axis.width),
                  size(svg.querySelector('.label')), size(svg.querySelector('.axis text'))];""");
        assertThat(((Number) m.get(0)).longValue()).as("space right of the axis at %d px", width).isBetween(30L, 50L);
        assertThat(((Number) m.get(2)).longValue()).as("height of a ticket label at %d px", width).isBetween(12L, 18L);
        assertThat(((Number) m.get(3)).longValue()).as("height of an axis label at %d px", width).isBetween(11L, 17L);
        return ((Number) m.get(1)).longValue();
    }

    private static void assertNoConsoleErrors() {
        List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::toString).toList();
        assertThat(errors).as("console errors and warnings").isEmpty();
        assertThat(driver.executeScript("return performance.getEntriesByType('resource').map(e => e.name)"))
                .as("resources fetched by a page that must be self-contained").asList().isEmpty();
    }

    private static String text(String selector) {
        return (String) driver.executeScript("return document.querySelector(arguments[0]).innerText", selector);
    }

    private static long longs(String script) {
        return ((Number) driver.executeScript(script)).longValue();
    }
}
