package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A spec whose every text a person or a ticket controls is hostile (markup, quotes, a bidi override, control characters,
 * lines of thousands of characters, bytes that are not UTF-8), run by the real CLI with a ticket that fails, one that
 * succeeds on its retry and a gate rejected with a hostile reason: report.json gives back each string (log tails cleaned
 * as docs/report.md says), and report.html is well-formed HTML in which none of the text became markup and all of it
 * shows as text. {@code HostileTextTest} does the same at the renderer's level; this one goes through the store, the
 * executor and the log files.
 *
 * <p>report.html is read twice: by a strict tokenizer here, which accepts only what well-formed HTML the report writes
 * (every element closed in order, quoted attributes, known character references, no raw control character), and by
 * headless Chromium's HTML parser (as {@code ReportBrowserTest}, skipped without it except under {@code CI=true}),
 * whose DOM must hold exactly the same elements, attributes and text: no error recovery, nothing read differently.
 */
class HostileReportTest {
    /** Markup, quotes, a bidi override, BEL and ANSI sequences (a color, a hyperlink); no NUL (a spec refuses it). */
    static final String EVIL = "</script></style></title><script>alert(1)</script>\"><img src=x onerror=alert(1)>]]>-->'"
            + "<a href=\"javascript:alert(1)\">x</a><iframe srcdoc=\"<b>\"></iframe><x-evil data-evil=1>&amp;&lt;"
            + "<![CDATA[ \u202Eevil\u0007\u001B[31m red \u001B]8;;http://x.invalid\u0007link\u001B]8;;\u0007 end";
    /** What a log tail keeps of {@link #EVIL}: ANSI sequences removed, other control characters U+FFFD. */
    static final String EVIL_TAIL = EVIL.replace("\u001B[31m", "").replace("\u001B]8;;http://x.invalid\u0007", "")
            .replace("\u001B]8;;\u0007", "").replace('\u0007', '\uFFFD');
    /** A line longer than a log tail keeps (2,000 characters). */
    static final String LONG = "L".repeat(3_000) + EVIL;
    static final String NAME = EVIL + " name";
    /**
     * A rejection's reason comes from the command line, in-process here: it may hold a NUL (early enough to be among the
     * 200 characters the page shows of a reason).
     */
    static final String REASON = "a \u0000nul reason " + EVIL;
    static final Map<String, String> TITLES = Map.of("good", EVIL + " good", "flaky", EVIL + " flaky",
            "broken", EVIL + " broken " + "T".repeat(2_500), "gate", EVIL + " gate");
    static final String INVALID = "invalid \uFFFD(\uFFFD utf-8";
    /** The spec's description: two lines, the second {@link #LONG}. */
    static final String DESCRIPTION = EVIL + " description\n" + LONG;
    /** A value that starts with a line break, which HTML drops right after {@code <pre>}. */
    static final String NL = "\n" + EVIL + "\n";

    @TempDir static Path tmp;
    static Path state;
    static String id;
    static Path runDir;

    /** {@code text} as a YAML double-quoted scalar. */
    static String yaml(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f || (c >= 0x2000 && c <= 0x206f)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    @BeforeAll
    static void run() throws Exception {
        state = tmp.resolve("state");
        // the last JSON line of stdout, its "w" ending in bytes that are not UTF-8 (printf adds them)
        String json = "{\"v\":" + Cli.JSON.writeValueAsString(EVIL) + ",\"nl\":" + Cli.JSON.writeValueAsString(NL) + ",\"w\":\"bad ";
        Path spec = Cli.write(tmp.resolve("hostile.yaml"), """
                name: %s
                description: %s
                vars:
                  evil: %s
                  long: %s
                  json: %s
                defaults:
                  env: {EVIL: "${{ vars.evil }}", LONG: "${{ vars.long }}", JSON: "${{ vars.json }}"}
                tickets:
                  - id: good
                    title: %s
                    run: |
                      printf '%%s\\n' "$EVIL"
                      printf '%%s\\303\\050\\377"}\\n' "$JSON"
                      printf '%%s' "$EVIL" > evil.txt
                      printf '%%s' "$LONG" > long.txt
                      printf '%%s\\n%%s\\n' "$EVIL" "$EVIL" > lines.txt
                      printf 'invalid \\303\\050\\377 utf-8' > invalid.txt
                    outputs:
                      evil: evil.txt
                      long: long.txt
                      lines: lines.txt
                      invalid: invalid.txt
                      fromjson: {json: v}
                      nl: {json: nl}
                      badjson: {json: w}
                  - id: flaky
                    title: %s
                    retries: {max: 1, backoff: {initial: 1ms, max: 1ms}}
                    run: |
                      if [ "$SWARM_ATTEMPT" = 1 ]; then printf '%%s\\n' "$EVIL" >&2; exit 1; fi
                      printf '%%s' "$EVIL" > flaky.txt
                    outputs: {again: flaky.txt}
                  - id: broken
                    title: %s
                    needs: [good]
                    run: |
                      printf '%%s\\n' "$EVIL"
                      printf '%%s\\n' "$LONG"
                      printf '\\n%%s\\n' "$EVIL" >&2
                      printf 'invalid \\303\\050\\377 utf-8\\n' >&2
                      printf '%%s\\n' "$LONG" >&2
                      exit 3
                  - id: gate
                    title: %s
                    approval: before-run
                    run: "true"
                """.formatted(yaml(NAME), yaml(DESCRIPTION), yaml(EVIL), yaml(LONG), yaml(json),
                yaml(TITLES.get("good")), yaml(TITLES.get("flaky")), yaml(TITLES.get("broken")), yaml(TITLES.get("gate"))));
        String st = state.toString();
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        Result rejected = swarm("reject", id, "gate", "--reason", REASON, "--state-dir", st);
        assertThat(rejected.code()).as("%s", rejected).isZero();
        assertThat(run.exit()).isEqualTo(1);
        runDir = state.resolve("runs").resolve(id);
    }

    // ---- report.json ----

    @Test
    void statusJsonAndReportJsonEscapeTheCharactersATerminalWouldActOn() throws Exception {
        Result status = swarm("status", id, "--json", "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        String report = Files.readString(runDir.resolve("report.json"));
        for (String json : List.of(status.out(), report)) {
            // printed on a terminal, a raw U+202E reorders what follows, DEL and C1 (U+009B is CSI to some) act on it
            assertThat(json.chars().filter(c -> io.swarmflow.cli.view.Printable.isControl((char) c) && c != '\n'))
                    .as("raw control characters").isEmpty();
            assertThat(json).contains("\\u202E").contains(Cli.JSON.writeValueAsString(EVIL).replace("\u202E", "\\u202E"));
        }
        assertThat(Cli.JSON.readTree(status.out()).get("run").get("name").asText()).isEqualTo(NAME); // the same value, escaped
    }

    @Test
    void reportJsonIsUtf8AndGivesBackEveryString() throws Exception {
        byte[] bytes = Files.readAllBytes(runDir.resolve("report.json"));
        strictUtf8(bytes); // the bytes that were not UTF-8 are not copied through
        JsonNode report = Cli.JSON.readTree(bytes);
        assertThat(Cli.JSON.readTree(Cli.JSON.writeValueAsString(report))).isEqualTo(report);

        assertThat(report.at("/run/name").asText()).isEqualTo(NAME);
        assertThat(report.at("/run/description").asText()).as("the spec's description").isEqualTo(DESCRIPTION);
        assertThat(report.at("/run/state").asText()).isEqualTo("failed");
        Map<String, JsonNode> tickets = new LinkedHashMap<>();
        for (JsonNode t : report.get("tickets")) tickets.put(t.get("id").asText(), t);
        assertThat(tickets.keySet()).containsExactlyInAnyOrder("good", "flaky", "broken", "gate");
        TITLES.forEach((t, title) -> assertThat(tickets.get(t).get("title").asText()).as(t).isEqualTo(title));

        JsonNode good = tickets.get("good").get("outputs");
        assertThat(good.get("evil").asText()).isEqualTo(EVIL);
        assertThat(good.get("fromjson").asText()).as("from a JSON line of stdout").isEqualTo(EVIL);
        assertThat(good.get("long").asText()).isEqualTo(LONG);
        assertThat(good.get("lines").asText()).isEqualTo(EVIL + "\n" + EVIL);
        assertThat(good.get("invalid").asText()).as("bytes that are not UTF-8 in a file").isEqualTo(INVALID);
        assertThat(good.get("nl").asText()).as("a JSON string as it is").isEqualTo(NL);
        assertThat(good.get("badjson").asText()).as("bytes that are not UTF-8 in stdout's JSON line").isEqualTo("bad \uFFFD(\uFFFD");

        JsonNode flaky = tickets.get("flaky");
        assertThat(flaky.get("state").asText()).isEqualTo("succeeded");
        assertThat(flaky.at("/outputs/again").asText()).isEqualTo(EVIL);
        assertThat(flaky.get("attempts")).hasSize(2);
        assertThat(flaky.at("/attempts/0/outcome").asText()).isEqualTo("failed");
        assertThat(flaky.at("/attempts/0/reason").asText()).as("stderr's last line").isEqualTo("exited with code 1: " + EVIL);
        assertThat(flaky.at("/attempts/1/outcome").asText()).isEqualTo("succeeded");

        assertThat(tickets.get("broken").get("reason").asText()).isEqualTo("exited with code 3: " + LONG);
        assertThat(tickets.get("gate").get("state").asText()).isEqualTo("failed");
        assertThat(tickets.get("gate").get("reason").asText()).startsWith("rejected by ").endsWith(": " + REASON);

        JsonNode failures = report.get("failures");
        assertThat(failures).hasSize(2);
        JsonNode broken = failures.get(0);
        assertThat(broken.get("ticket").asText()).isEqualTo("broken");
        assertThat(broken.get("stream").asText()).isEqualTo("stderr");
        assertThat(broken.get("truncated").asBoolean()).isFalse();
        assertThat(texts(broken.get("lines"))).as("ANSI removed, controls and bytes that are not UTF-8 U+FFFD, 2,000 characters a line")
                .containsExactly("", EVIL_TAIL, INVALID, "L".repeat(2_000) + " …");
        assertThat(texts(broken.at("/stdout/lines"))).containsExactly(EVIL_TAIL, "L".repeat(2_000) + " …");
        JsonNode gate = failures.get(1);
        assertThat(gate.get("ticket").asText()).isEqualTo("gate");
        assertThat(gate.get("attempt").asInt()).isZero();
        assertThat(gate.get("lines")).isEmpty();
        assertThat(gate.get("stdout").isNull()).isTrue();
    }

    private static List<String> texts(JsonNode array) {
        List<String> r = new ArrayList<>();
        array.forEach(n -> r.add(n.asText()));
        return r;
    }

    private static String strictUtf8(byte[] bytes) throws Exception {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    }

    // ---- report.html, read strictly ----

    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'";

    @Test
    void reportHtmlIsWellFormedAndTheTextIsTextOnly() throws Exception {
        Page page = Page.parse(strictUtf8(Files.readAllBytes(runDir.resolve("report.html"))));
        assertNoMarkupFromText(page);
        assertTextShown(page);
    }

    /** Nothing the hostile text spells (elements, event handlers, links out, a second style or an HTML title) is in the page. */
    private static void assertNoMarkupFromText(Page page) {
        assertThat(page.elements).extracting(e -> e.name).as("elements only the text names")
                .doesNotContain("script", "img", "iframe", "x-evil", "object", "embed", "base", "link", "form", "b");
        assertThat(page.named("style")).as("the page's own style element, in its head")
                .singleElement().satisfies(e -> assertThat(e.ancestors).containsExactly("html", "head"));
        assertThat(page.named("title")).filteredOn(e -> !e.ancestors.contains("svg")).as("titles outside SVG")
                .singleElement().satisfies(e -> assertThat(e.ancestors).containsExactly("html", "head"));
        assertThat(page.named("meta")).filteredOn(e -> "Content-Security-Policy".equals(e.attrs.get("http-equiv")))
                .singleElement().satisfies(e -> {
                    assertThat(e.ancestors).containsExactly("html", "head");
                    assertThat(e.attrs.get("content")).isEqualTo(CSP);
                });
        for (Element e : page.elements) {
            assertThat(e.attrs.keySet()).as("attributes of <%s>", e.name)
                    .noneMatch(a -> a.startsWith("on") || Set.of("src", "srcdoc", "data-evil", "formaction", "xlink:href", "action").contains(a));
            if (e.attrs.containsKey("href")) {
                assertThat(e.name).isEqualTo("a");
                assertThat(e.attrs.get("href")).as("links stay in the page").startsWith("#");
            }
        }
    }

    /** Every hostile text is in the page as text, control characters in caret notation (docs/report.md). */
    private static void assertTextShown(Page page) throws Exception {
        JsonNode report = Cli.JSON.readTree(runDir.resolve("report.json").toFile());
        assertThat(page.texts("h1")).containsExactly(shown(NAME));
        assertThat(page.elements).as("the description in the header").filteredOn(e -> "description".equals(e.attrs.get("class")))
                .singleElement().satisfies(e -> {
                    assertThat(e.ancestors).endsWith("header");
                    assertThat(e.text).isEqualTo(shown(DESCRIPTION));
                });
        assertThat(page.named("title").getFirst().text).isEqualTo(shown(NAME) + " · " + id + " · Swarmflow report");
        List<String> titles = page.elements.stream().filter(e -> "title".equals(e.attrs.get("class")) && e.name.equals("div"))
                .map(e -> e.text).toList();
        // a title over 200 characters (shown) shows its first 200, as a reason (docs/report.md); report.json has all of it
        assertThat(titles).as("titles in the ticket table").containsExactlyInAnyOrderElementsOf(TITLES.values().stream()
                .map(HostileReportTest::cut).toList());
        assertThat(page.elements).as("the DAG's hover text").filteredOn(e -> e.name.equals("title") && e.ancestors.contains("svg"))
                .extracting(e -> e.text).contains("good — " + cut(TITLES.get("good")) + " (succeeded)",
                        "gate — " + cut(TITLES.get("gate")) + " (failed)");
        assertThat(Cli.ticket(report, "broken").get("title").asText()).isEqualTo(TITLES.get("broken"));
        // a reason over 200 characters shows its first 200 (docs/report.md); report.json has all of it
        String gateReason = Cli.ticket(report, "gate").get("reason").asText();
        String gateShown = shown(gateReason.substring(0, 200)) + " …";
        assertThat(gateShown).contains("^@nul").contains(shown(EVIL.substring(0, 100))).doesNotContain("\u0000");
        String brokenReason = "exited with code 3: " + LONG;
        String brokenShown = brokenReason.substring(0, 200) + " …";
        assertThat(page.row("gate", "reason")).isEqualTo(gateShown + " (" + gateReason.length() + " characters, all in report.json)");
        assertThat(page.row("broken", "reason")).isEqualTo(brokenShown + " (" + brokenReason.length() + " characters, all in report.json)");
        assertThat(page.texts("bdi")).as("failure headings and reasons").contains(shown(TITLES.get("broken").substring(0, 200)) + " …", gateShown, brokenShown);
        String flakyReason = "exited with code 1: " + EVIL; // cut there too
        assertThat(flakyReason).hasSizeGreaterThan(200);
        assertThat(page.elements).as("the timeline's hover text of flaky's first attempt")
                .filteredOn(e -> e.name.equals("title") && e.text.startsWith("flaky · attempt 1 · failed"))
                .singleElement().satisfies(e -> assertThat(e.text).endsWith(" · exit 1 · " + shown(flakyReason.substring(0, 200))
                        + " … (" + flakyReason.length() + " characters, all in report.json)"));

        String outputs = page.row("good", "outputs");
        assertThat(outputs).contains(shown(EVIL) + "\n" + shown(EVIL), shown(LONG), INVALID, "bad \uFFFD(\uFFFD");
        assertThat(page.texts("code")).contains(shown(EVIL), INVALID);
        assertThat(page.texts("pre")).contains(shown(EVIL) + "\n" + shown(EVIL), shown(LONG), shown(NL));
        assertThat(page.row("flaky", "outputs")).contains(shown(EVIL));

        assertThat(page.elements).filteredOn(e -> e.name.equals("pre") && "log".equals(e.attrs.get("class")))
                .extracting(e -> e.text).as("broken's stderr and stdout tails").containsExactly(
                        "\n" + shown(EVIL_TAIL) + "\n" + INVALID + "\n" + "L".repeat(2_000) + " …\n",
                        shown(EVIL_TAIL) + "\n" + "L".repeat(2_000) + " …\n");
    }

    /**
     * {@code text} as report.html shows a title or a reason: over 200 characters, its first 200 {@link #shown}, then
     * {@code " …"} and its length (none of these has a surrogate pair at the cut).
     */
    private static String cut(String text) {
        return text.length() <= 200 ? shown(text)
                : shown(text.substring(0, 200)) + " … (" + text.length() + " characters, all in report.json)";
    }

    /**
     * {@code text} as the page shows it: C0 controls but tab, newline and carriage return in caret notation, DEL as
     * {@code ^?}, C1 as {@code \x9b}, bidi controls and line separators as {@code \u202e}.
     */
    static String shown(String text) {
        StringBuilder sb = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') sb.append('^').append((char) (c + 0x40));
            else if (c == 0x7f) sb.append("^?");
            else if (c >= 0x80 && c <= 0x9f) sb.append(String.format("\\x%02x", (int) c));
            else if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029) {
                sb.append(String.format("\\u%04x", (int) c));
            } else sb.append(c);
        }
        return sb.toString();
    }

    // ---- report.html, in Chromium ----

    private static final File CHROMIUM = io.swarmflow.cli.report.HeadlessChrome.CHROMIUM;
    private static final File CHROMEDRIVER = io.swarmflow.cli.report.HeadlessChrome.CHROMEDRIVER;

    @Test
    void chromiumReadsTheSameElementsAttributesAndTextAndRunsNothing() throws Exception {
        boolean present = CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: install the chromium and chromium-driver packages");
        }
        assumeTrue(present, "no " + CHROMIUM + " and " + CHROMEDRIVER + "; report.html is not parsed by a browser");
        Path html = runDir.resolve("report.html");
        ChromeDriver driver = io.swarmflow.cli.report.HeadlessChrome.start(tmp);
        try {
            driver.get(html.toUri().toString());
            assertThat(driver.executeScript("return document.title")).isEqualTo(shown(NAME) + " · " + id + " · Swarmflow report");
            assertThat(driver.executeScript("return document.querySelector('h1').innerText")).as("shown, not hidden")
                    .isEqualTo(shown(NAME));
            assertThat(driver.executeScript("return document.querySelector('header .description').innerText")).as("shown, line break kept")
                    .isEqualTo(shown(DESCRIPTION));
            assertThat(driver.executeScript("return document.querySelectorAll('script, img, iframe, x-evil, object, embed').length"
                    + " + document.querySelectorAll('style').length - 1 + frames.length")).as("elements the text spells").isEqualTo(0L);
            assertThat(driver.executeScript("return [...document.querySelectorAll('*')].flatMap(e => [...e.attributes])"
                    + ".filter(a => a.name.startsWith('on') || a.name === 'data-evil' || a.value.startsWith('javascript')).length"))
                    .as("attributes the text spells").isEqualTo(0L);
            assertThat(driver.executeScript("return document.querySelector('head > meta[http-equiv=\"Content-Security-Policy\"]').content"))
                    .isEqualTo(CSP);
            List<String> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::toString).toList();
            assertThat(errors).as("console errors and warnings (a Content-Security-Policy violation is one)").isEmpty();
            assertThat(driver.executeScript("return performance.getEntriesByType('resource').map(e => e.name)"))
                    .as("resources fetched").asList().isEmpty();

            Page page = Page.parse(Files.readString(html));
            @SuppressWarnings("unchecked")
            List<String> dom = (List<String>) driver.executeScript("return [...document.querySelectorAll('*')].map(e => "
                    + "e.localName + '[' + [...e.attributes].map(a => a.name + '=' + a.value).sort().join('|') + ']')");
            List<String> strict = page.elements.stream().map(e -> e.name + "[" + e.attrs.entrySet().stream()
                    .map(a -> a.getKey() + "=" + a.getValue()).sorted().collect(Collectors.joining("|")) + "]").toList();
            assertThat(dom).as("Chromium's elements and attributes, in document order, against the strict reading").isEqualTo(strict);
            // the parser puts the line breaks after </body> and </html> in the body
            assertThat((String) driver.executeScript("return document.body.textContent")).as("the text of the body, Chromium's against the strict reading")
                    .isEqualTo(page.named("body").getFirst().text + "\n\n");
        } finally {
            driver.quit();
        }
    }

    // ---- a strict reader of the HTML the report writes ----

    /** One element: its name, attributes, the names of its ancestors (root first), and its text content. */
    static final class Element {
        final String name;
        final Map<String, String> attrs;
        final List<String> ancestors;
        final int textStart;
        String text = "";

        Element(String name, Map<String, String> attrs, List<String> ancestors, int textStart) {
            this.name = name;
            this.attrs = attrs;
            this.ancestors = ancestors;
            this.textStart = textStart;
        }
    }

    /**
     * The elements of a page in document order, read by rules stricter than HTML's: the page must be one
     * {@code <!DOCTYPE html>} and one tree of elements, each closed by its own end tag in order (void elements in HTML,
     * {@code />} only inside SVG), attributes double-quoted without {@code <} in their values, character references
     * among {@code &amp; &lt; &gt; &quot; &#NN; &#xNN;}, no comment or CDATA section, and neither raw {@code >}, nor a
     * control character other than tab, newline and carriage return, nor a bidi control in text or attribute. As in HTML,
     * a line break right after {@code <pre>} is not text.
     */
    static final class Page {
        private static final Set<String> VOID = Set.of("area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                "meta", "source", "track", "wbr");
        final List<Element> elements = new ArrayList<>();
        private final String s;
        private int i;
        private final StringBuilder text = new StringBuilder();

        private Page(String s) {
            this.s = s;
        }

        static Page parse(String html) {
            Page p = new Page(html);
            p.document();
            return p;
        }

        List<Element> named(String name) {
            return elements.stream().filter(e -> e.name.equals(name)).toList();
        }

        List<String> texts(String name) {
            return named(name).stream().map(e -> e.text).toList();
        }

        /** The text of the cell of class {@code cls} in the ticket table's row of {@code ticket}. */
        String row(String ticket, String cls) {
            int row = -1;
            for (int k = 0; k < elements.size(); k++) {
                Element e = elements.get(k);
                if (e.name.equals("tr") && ("t-" + ticket).equals(e.attrs.get("id"))) row = k;
                else if (row >= 0 && e.name.equals("td") && e.attrs.getOrDefault("class", "").contains(cls)) return e.text;
                else if (row >= 0 && e.name.equals("tr")) break;
            }
            throw new AssertionError("no cell " + cls + " in the row of " + ticket);
        }

        private AssertionError error(String what) {
            int from = Math.max(0, i - 80);
            return new AssertionError("report.html is not well-formed at " + i + ": " + what + " in «"
                    + s.substring(from, Math.min(s.length(), i + 80)) + "»");
        }

        private void document() {
            if (!s.startsWith("<!DOCTYPE html>")) throw error("no doctype");
            i = "<!DOCTYPE html>".length();
            Deque<Element> open = new ArrayDeque<>();
            boolean rootClosed = false;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '<') {
                    if (s.startsWith("</", i)) {
                        i += 2;
                        String name = name();
                        if (s.charAt(i) != '>') throw error("end tag " + name + " not closed by >");
                        i++;
                        if (open.isEmpty() || !open.peek().name.equals(name)) {
                            throw error("</" + name + "> closes " + (open.isEmpty() ? "nothing" : "<" + open.peek().name + ">"));
                        }
                        Element e = open.pop();
                        e.text = text.substring(e.textStart);
                        if (open.isEmpty()) rootClosed = true;
                    } else if (s.startsWith("<!", i) || s.startsWith("<?", i)) {
                        throw error("comment, CDATA section or processing instruction");
                    } else {
                        i++;
                        if (rootClosed) throw error("a second root element");
                        String name = name();
                        Map<String, String> attrs = new LinkedHashMap<>();
                        boolean selfClosing = false;
                        while (true) {
                            if (s.charAt(i) == '>') {
                                i++;
                                break;
                            }
                            if (s.startsWith("/>", i)) {
                                selfClosing = true;
                                i += 2;
                                break;
                            }
                            if (!Character.isWhitespace(s.charAt(i))) throw error("no space before an attribute of <" + name + ">");
                            while (Character.isWhitespace(s.charAt(i))) i++;
                            if (s.charAt(i) == '>' || s.startsWith("/>", i)) continue;
                            String attr = attrName();
                            String value = "";
                            if (s.charAt(i) == '=') {
                                if (s.charAt(++i) != '"') throw error("attribute " + attr + " not double-quoted");
                                int end = s.indexOf('"', ++i);
                                if (end < 0) throw error("attribute " + attr + " never ends");
                                value = chars(end, true);
                                i = end + 1;
                            }
                            if (attrs.put(attr, value) != null) throw error("attribute " + attr + " twice");
                        }
                        List<String> ancestors = new ArrayList<>();
                        open.descendingIterator().forEachRemaining(o -> ancestors.add(o.name));
                        boolean inSvg = ancestors.contains("svg") || name.equals("svg");
                        Element e = new Element(name, attrs, ancestors, text.length());
                        elements.add(e);
                        if (selfClosing && !inSvg) throw error("<" + name + "/> outside SVG");
                        if (selfClosing || (!inSvg && VOID.contains(name))) continue;
                        if (!inSvg && (name.equals("style") || name.equals("title") || name.equals("script"))) {
                            int end = s.indexOf("</" + name + ">", i);
                            if (end < 0) throw error("<" + name + "> never closed");
                            if (name.equals("title")) text.append(chars(end, false));
                            else if (s.substring(i, end).contains("<")) throw error("< in <" + name + ">");
                            i = end;
                        }
                        open.push(e);
                        if (name.equals("pre") && s.charAt(i) == '\n') i++; // HTML drops a line break right after <pre>
                    }
                } else {
                    int end = s.indexOf('<', i);
                    if (end < 0) end = s.length();
                    String t = chars(end, false);
                    if (open.isEmpty() && !t.isBlank()) throw error("text outside the root element");
                    text.append(t);
                    i = end;
                }
            }
            if (!open.isEmpty()) throw error("<" + open.peek().name + "> not closed");
            if (!rootClosed || !elements.getFirst().name.equals("html")) throw error("no <html> root");
        }

        private String name() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || (i > start && s.charAt(i) == '-'))) i++;
            if (i == start || !Character.isLetter(s.charAt(start))) throw error("a tag without a name");
            return s.substring(start, i);
        }

        private String attrName() {
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || "-_:".indexOf(s.charAt(i)) >= 0)) i++;
            if (i == start) throw error("an attribute without a name");
            return s.substring(start, i);
        }

        /** The characters of text or an attribute value from {@code i} to {@code end}, references decoded. */
        private String chars(int end, boolean attribute) {
            StringBuilder sb = new StringBuilder();
            for (int k = i; k < end; k++) {
                char c = s.charAt(k);
                if (c == '&') {
                    int semi = s.indexOf(';', k);
                    if (semi < 0 || semi > end || semi - k > 10) throw error("& not a character reference");
                    String ref = s.substring(k + 1, semi);
                    switch (ref) {
                        case "amp" -> sb.append('&');
                        case "lt" -> sb.append('<');
                        case "gt" -> sb.append('>');
                        case "quot" -> sb.append('"');
                        default -> {
                            if (ref.matches("#[0-9]+")) sb.appendCodePoint(Integer.parseInt(ref.substring(1)));
                            else if (ref.matches("#x[0-9a-fA-F]+")) sb.appendCodePoint(Integer.parseInt(ref.substring(2), 16));
                            else throw error("unknown reference &" + ref + ";");
                        }
                    }
                    k = semi;
                } else if (c == '<' && attribute) {
                    throw error("< in an attribute");
                } else if (c == '>') {
                    throw error("a raw >");
                } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c <= 0x9f)
                        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029) {
                    throw error(String.format("raw U+%04X", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }
}
