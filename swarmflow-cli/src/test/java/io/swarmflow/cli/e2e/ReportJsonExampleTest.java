package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example of report.json in docs/report.md, field by field, against the report.json of a run like it (a worktree
 * ticket that fails once and then succeeds, tickets that fail with and without output, one skipped, a gate): every
 * field of the example is in the real file with a JSON type the real file gives it, every field of the real file is in
 * the example or in the doc's table of fields ({@link CliJsonFieldsTest} checks the table itself), the example's values
 * have the real values' forms (run id, times, branch, log file, reasons, the states counted), and its numbers agree
 * with each other as the real file's do (durations are end minus start, attempts counted and numbered).
 */
class ReportJsonExampleTest {
    private static final Path DOC = Path.of("..", "docs", "report.md");
    /** The example's comments are for the page only: read it as JSON with comments. */
    private static final JsonMapper COMMENTED = JsonMapper.builder().enable(JsonReadFeature.ALLOW_JAVA_COMMENTS).build();
    /** Objects whose keys are names given by tickets or ticket states, written {@code NAME} and {@code STATE} in the table. */
    private static final Map<String, String> MAPS = Map.of("outputs", "NAME", "counts", "STATE");

    @TempDir static Path tmp;
    static JsonNode example;
    static JsonNode real;

    @BeforeAll
    static void exampleAndARunLikeIt() throws Exception {
        String doc = Files.readString(DOC);
        String section = doc.substring(doc.indexOf("## report.json"), doc.indexOf("## Field names"));
        Matcher block = Pattern.compile("(?s)```json\\n(.*?)```").matcher(section);
        assertThat(block.find()).as("a JSON example under ## report.json in %s", DOC).isTrue();
        example = COMMENTED.readTree(block.group(1));
        assertThat(block.find()).as("one example").isFalse();

        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                name: demo-swarm
                description: Builds, tests and ships the demo
                tickets:
                  - id: setup
                    run: echo set up
                  - id: build
                    title: Build it
                    needs: [setup]
                    workspace: worktree
                    retries: {max: 1, backoff: {initial: 1ms, max: 1ms}}
                    run: |
                      if [ "$SWARM_ATTEMPT" = 1 ]; then echo "build failed" >&2; exit 1; fi
                      echo built > A.java
                  - id: test
                    needs: [build]
                    run: for i in $(seq 1 25); do echo "error line $i" >&2; done; echo "the test output"; exit 1
                  - id: lint
                    needs: [setup]
                    run: echo "lint error" >&2; exit 2
                  - id: silent
                    needs: [setup]
                    run: exit 4
                  - id: deploy
                    needs: [test]
                    run: echo deploying
                  - id: gate
                    needs: [setup]
                    approval: before-run
                    run: echo approved
                """);
        Cli.Result run = swarm("run", spec.toString(), "--plain", "--auto-approve", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        String id = CliEndToEndTest.runId(run);
        real = Cli.JSON.readTree(state.resolve("runs").resolve(id).resolve("report.json").toFile());
        assertThat(real.at("/run/description").asText()).as("the spec's description").isEqualTo("Builds, tests and ships the demo");
    }

    /** The JSON types each field takes, by path ({@code tickets[].attempts[].outcome}, {@code counts.STATE}). */
    private static Map<String, Set<String>> types(JsonNode node) {
        Map<String, Set<String>> into = new TreeMap<>();
        types(node, "", into);
        return into;
    }

    private static void types(JsonNode node, String prefix, Map<String, Set<String>> into) {
        node.fields().forEachRemaining(f -> {
            String path = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (MAPS.containsKey(f.getKey()) && v.isObject()) {
                v.fields().forEachRemaining(e -> into.computeIfAbsent(path + "." + MAPS.get(f.getKey()), k -> new TreeSet<>()).add(type(e.getValue())));
                return;
            }
            into.computeIfAbsent(path, k -> new TreeSet<>()).add(type(v));
            if (v.isObject()) types(v, path + ".", into);
            else if (v.isArray()) {
                for (JsonNode e : v) {
                    if (e.isObject()) types(e, path + "[].", into);
                    else into.computeIfAbsent(path + "[]", k -> new TreeSet<>()).add(type(e));
                }
            }
        });
    }

    private static String type(JsonNode v) {
        return switch (v.getNodeType()) {
            case NUMBER -> v.isIntegralNumber() ? "integer" : "number";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The report.json column of docs/report.md's table of fields. */
    private static Set<String> tablePaths() throws Exception {
        String doc = Files.readString(DOC);
        List<String> rows = doc.substring(doc.indexOf("## Field names")).lines().dropWhile(l -> !l.startsWith("|"))
                .takeWhile(l -> l.startsWith("|")).skip(2).toList();
        Set<String> paths = new TreeSet<>();
        Matcher m = Pattern.compile("`([^`\\s]+)`").matcher("");
        for (String row : rows) {
            m.reset(row.split("\\|", -1)[4]);
            while (m.find()) paths.add(m.group(1));
        }
        return paths;
    }

    @Test
    void everyFieldOfTheExampleIsInARealReportWithATypeItHasThere() {
        Map<String, Set<String>> ex = types(example), re = types(real);
        SoftAssertions.assertSoftly(softly -> {
            for (Map.Entry<String, Set<String>> e : ex.entrySet()) {
                softly.assertThat(re.getOrDefault(e.getKey(), Set.of())).as("the JSON types of the example's field %s (%s) in a real report.json",
                        e.getKey(), e.getValue()).containsAll(e.getValue());
            }
        });
    }

    @Test
    void everyFieldOfARealReportIsInTheExampleOrTheTableWithTheExamplesType() throws Exception {
        Map<String, Set<String>> ex = types(example), re = types(real);
        Set<String> table = tablePaths();
        SoftAssertions.assertSoftly(softly -> {
            for (Map.Entry<String, Set<String>> e : re.entrySet()) {
                String path = e.getKey();
                boolean container = e.getValue().contains("object") || e.getValue().contains("array");
                if (!ex.containsKey(path)) {
                    // the table lists leaves and the objects that may be null (failures[].stdout), not every array, and
                    // an array of strings by its name (failures[].lines)
                    softly.assertThat(container || table.contains(path) || path.endsWith("[]") && table.contains(path.substring(0, path.length() - 2)))
                            .as("%s, of a real report.json, in the example or the table of %s", path, DOC).isTrue();
                    continue;
                }
                Set<String> exampleTypes = new TreeSet<>(ex.get(path));
                exampleTypes.remove("null");
                if (exampleTypes.isEmpty()) continue; // null in the example: its comment says what it holds otherwise
                Set<String> realTypes = new TreeSet<>(e.getValue());
                realTypes.remove("null");
                softly.assertThat(realTypes).as("the JSON types of %s, other than null: in a real report.json, in the example", path)
                        .isEqualTo(exampleTypes);
            }
        });
    }

    @Test
    void theExampleListsTheStatesAndOutputsARealReportHas() {
        assertThat(names(example.get("counts"))).as("counts: every ticket state").isEqualTo(names(real.get("counts")));
        assertThat(example.get("formatVersion")).isEqualTo(real.get("formatVersion"));
        JsonNode build = ticket(real, "build");
        assertThat(names(example.at("/tickets/0/outputs"))).as("the outputs of a worktree ticket").isEqualTo(names(build.get("outputs")));
        for (JsonNode doc : List.of(example, real)) {
            Set<String> states = names(doc.get("counts"));
            assertThat(doc.at("/run/state").asText()).isIn("created", "running", "succeeded", "failed", "cancelled");
            for (JsonNode t : doc.get("tickets")) {
                assertThat(t.get("state").asText()).isIn(states);
                for (JsonNode a : t.get("attempts")) {
                    assertThat(a.get("outcome").asText()).isIn("succeeded", "failed", "timed-out", "cancelled", "lease-expired", "running");
                }
            }
            for (JsonNode f : doc.get("failures")) {
                if (!f.get("stream").isNull()) assertThat(f.get("stream").asText()).isIn("stderr", "stdout");
            }
        }
    }

    @Test
    void theExamplesValuesHaveTheFormsOfARealReportsValues() {
        for (JsonNode doc : List.of(example, real)) {
            String which = doc == example ? "the example" : "a real report.json";
            String run = doc.at("/run/id").asText();
            assertThat(run).as("run id in %s", which).matches("\\d{8}-\\d{6}-[a-z0-9]{4}");
            for (String path : timePaths(doc, "", new ArrayList<>())) {
                String t = doc.at(path).asText();
                assertThat(Instant.parse(t)).as("%s in %s", path, which).isNotNull();
                assertThat(t).as("%s in %s: UTC", path, which).endsWith("Z");
            }
            for (JsonNode t : doc.get("tickets")) {
                JsonNode out = t.get("outputs");
                if (out.has("branch")) {
                    assertThat(out.get("branch").asText()).as("branch in %s", which).isEqualTo("swarm/" + run + "/" + t.get("id").asText());
                    assertThat(out.get("commit").asText()).matches("[0-9a-f]{40}");
                    assertThat(out.get("diffstat").asText()).as("diffstat in %s", which).matches("(?s) \\S.* \\| +\\d+ [+-]+\\n \\d+ files? changed.*");
                }
                for (JsonNode a : t.get("attempts")) {
                    if (a.get("outcome").asText().equals("failed") && !a.get("exitCode").isNull()) {
                        assertThat(a.get("reason").asText()).as("a failed attempt's reason in %s", which)
                                .matches("exited with code " + a.get("exitCode").asInt() + "( \\(SIG.*\\))?(: .*)?");
                    }
                }
            }
            for (JsonNode f : doc.get("failures")) {
                if (f.get("logFile").isNull()) continue;
                assertThat(f.get("logFile").asText()).as("logFile in %s", which)
                        .isEqualTo("logs/" + f.get("ticket").asText() + "/" + f.get("attempt").asInt() + "/" + f.get("stream").asText() + ".log");
            }
        }
    }

    @Test
    void theExamplesNumbersAgreeWithEachOtherAsARealReportsDo() {
        for (JsonNode doc : List.of(example, real)) {
            String which = doc == example ? "the example" : "a real report.json";
            assertThat(assertDuration(doc.get("run"), "run in " + which)).as("the run's duration in %s was compared", which).isTrue();
            int compared = 0;
            int counted = 0;
            for (JsonNode c : doc.get("counts")) counted += c.asInt();
            assertThat(counted).as("counts in %s add up to run.ticketCount", which).isEqualTo(doc.at("/run/ticketCount").asInt());
            for (JsonNode t : doc.get("tickets")) {
                String ticket = "ticket " + t.get("id").asText() + " in " + which;
                assertDuration(t, ticket);
                JsonNode attempts = t.get("attempts");
                int failed = 0;
                for (int i = 0; i < attempts.size(); i++) {
                    JsonNode a = attempts.get(i);
                    assertThat(a.get("attempt").asInt()).as("attempt numbers of %s", ticket).isEqualTo(i + 1);
                    if (assertDuration(a, "attempt " + (i + 1) + " of " + ticket)) compared++;
                    if (Set.of("failed", "timed-out").contains(a.get("outcome").asText())) failed++;
                }
                assertThat(t.get("attemptCount").asInt()).as("attemptCount of %s: its attempts", ticket).isEqualTo(attempts.size());
                assertThat(t.get("failures").asInt()).as("failures of %s: its attempts that failed", ticket).isEqualTo(failed);
                if (!attempts.isEmpty()) {
                    JsonNode first = attempts.get(0), last = attempts.get(attempts.size() - 1);
                    assertThat(t.get("startedAt")).as("startedAt of %s: its first attempt's", ticket).isEqualTo(first.get("startedAt"));
                    assertThat(t.get("finishedAt")).as("finishedAt of %s: its last attempt's", ticket).isEqualTo(last.get("finishedAt"));
                    assertThat(t.get("exitCode")).as("exitCode of %s: its last attempt's", ticket).isEqualTo(last.get("exitCode"));
                    if (t.get("state").asText().equals("succeeded")) {
                        assertThat(last.get("outcome").asText()).as("the last attempt of %s", ticket).isEqualTo("succeeded");
                    }
                }
            }
            assertThat(compared).as("attempts whose duration was compared in %s", which).isPositive();
        }
        assertThat(real.get("tickets")).hasSize(real.at("/run/ticketCount").asInt());
    }

    /**
     * durationMillis is finishedAt minus startedAt, and null without a start; one still going (no finishedAt) is measured
     * to when the report was made, so it is not compared. Returns whether it was compared.
     */
    private static boolean assertDuration(JsonNode o, String what) {
        if (o.get("startedAt").isNull()) {
            assertThat(o.get("durationMillis").isNull()).as("durationMillis of %s, which never started", what).isTrue();
            return false;
        }
        if (o.get("finishedAt").isNull()) return false;
        long expected = Instant.parse(o.get("finishedAt").asText()).toEpochMilli() - Instant.parse(o.get("startedAt").asText()).toEpochMilli();
        assertThat(o.get("durationMillis").isIntegralNumber()).as("durationMillis of %s is a number", what).isTrue();
        assertThat(o.get("durationMillis").asLong()).as("durationMillis of %s: finishedAt minus startedAt", what).isEqualTo(expected);
        return true;
    }

    /** JSON pointers of every non-null string field whose name ends in {@code At}. */
    private static List<String> timePaths(JsonNode node, String pointer, List<String> into) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().endsWith("At") && f.getValue().isTextual()) into.add(pointer + "/" + f.getKey());
                else if (!f.getKey().equals("outputs")) timePaths(f.getValue(), pointer + "/" + f.getKey(), into);
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) timePaths(node.get(i), pointer + "/" + i, into);
        }
        return into;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new LinkedHashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode ticket(JsonNode report, String id) {
        for (JsonNode t : report.get("tickets")) if (t.get("id").asText().equals(id)) return t;
        throw new AssertionError("no ticket " + id);
    }
}
