package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/report.md's table of the fields of {@code status --json}, {@code runs --json} and {@code report.json} lists
 * exactly the fields the commands print: a field added, renamed or removed in one of them without the table fails.
 */
class CliJsonFieldsTest {
    private static final Path DOC = Path.of("..", "docs", "report.md");
    private static final String TABLE = "## Field names in status --json, runs --json and report.json";
    /** Objects whose keys are names given by tickets or ticket states, written {@code NAME} and {@code STATE} in the table. */
    private static final Map<String, String> MAPS = Map.of("outputs", "NAME", "counts", "STATE");

    @TempDir
    Path tmp;

    /** The paths of every field in {@code node}, written as in the table ({@code tickets[].attempts[].outcome}). */
    private static void paths(JsonNode node, String prefix, Set<String> into) {
        if (node.isArray()) {
            for (JsonNode e : node) {
                if (e.isObject()) paths(e, prefix + "[].", into);
            }
            return;
        }
        node.fields().forEachRemaining(f -> {
            String path = prefix + f.getKey();
            JsonNode v = f.getValue();
            if (MAPS.containsKey(f.getKey()) && v.isObject()) into.add(path + "." + MAPS.get(f.getKey()));
            else if (v.isObject()) paths(v, path + ".", into);
            else if (v.isArray() && v.size() > 0 && v.get(0).isObject()) paths(v, path, into);
            else into.add(path);
        });
    }

    private static Set<String> paths(JsonNode node) {
        Set<String> into = new TreeSet<>();
        paths(node, "", into);
        return into;
    }

    /** The paths the table lists in each of its three columns: status --json, runs --json, report.json. */
    private static List<Set<String>> documented() throws Exception {
        String doc = Files.readString(DOC);
        assertThat(doc).contains(TABLE);
        List<String> rows = doc.substring(doc.indexOf(TABLE)).lines().dropWhile(l -> !l.startsWith("|"))
                .takeWhile(l -> l.startsWith("|")).skip(2).toList(); // the header and the |---| line
        List<Set<String>> columns = List.of(new TreeSet<>(), new TreeSet<>(), new TreeSet<>());
        Pattern code = Pattern.compile("`([^`\\s]+)`");
        for (String row : rows) {
            String[] cells = row.split("\\|", -1);
            assertThat(cells).as(row).hasSize(6); // | what | status | runs | report |
            for (int c = 0; c < 3; c++) {
                Matcher m = code.matcher(cells[c + 2]);
                while (m.find()) columns.get(c).add(m.group(1));
            }
        }
        return columns;
    }

    @Test
    void everyFieldOfTheJsonOutputsIsInTheTableOfDocsReportMd() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("fields.yaml"), """
                tickets:
                  - id: ok
                    run: echo fine
                  - id: broken
                    run: echo "about to fail" >&2; exit 3
                  - id: both
                    run: echo "the test output"; echo "about to fail" >&2; exit 3
                """);
        Cli.Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        JsonNode runs = swarm("runs", "--json", "--state-dir", state.toString()).json();
        String id = runs.get(0).get("id").asText();
        JsonNode status = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        JsonNode report = Cli.JSON.readTree(state.resolve("runs").resolve(id).resolve("report.json").toFile());
        assertThat(report.get("failures")).isNotEmpty(); // so that their fields are seen

        List<Set<String>> documented = documented();
        Set<String> runFields = new TreeSet<>();
        for (JsonNode r : runs) runFields.addAll(paths(r));
        Set<String> statusFields = new TreeSet<>(paths(status));
        Set<String> ticketFields = paths(swarm("status", id, "broken", "--json", "--state-dir", state.toString()).json());
        assertThat(ticketFields).as("status RUN TICKET --json has every field of status --json").containsAll(statusFields);
        statusFields.addAll(ticketFields);
        assertThat(statusFields).as("status --json and status RUN TICKET --json, against the table in %s", DOC)
                .isEqualTo(documented.get(0));
        assertThat(runFields).as("runs --json, against the table in %s", DOC).isEqualTo(documented.get(1));
        assertThat(paths(report)).as("report.json, against the table in %s", DOC).isEqualTo(documented.get(2));
    }

    /** The names that differ between the outputs for the same thing are listed on one row (see the doc's first paragraph). */
    @Test
    void theNamesThatDifferAreOnOneRow() throws Exception {
        String doc = Files.readString(DOC);
        List<String> rows = new ArrayList<>(doc.substring(doc.indexOf(TABLE)).lines().filter(l -> l.startsWith("|")).toList());
        assertThat(rows).anyMatch(r -> r.contains("`run.spec`") && r.contains("`spec`") && r.contains("`run.specPath`"));
        assertThat(rows).anyMatch(r -> r.contains("`tickets[].attempts`") && r.contains("`tickets[].attemptCount`"));
        assertThat(rows).anyMatch(r -> r.contains("| `tickets` |") && r.contains("`run.ticketCount`"));
    }
}
