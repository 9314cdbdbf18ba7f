package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/report.md, report.html: a plan of more than 2,000 tickets is drawn as the tickets of its spec (a matrix ticket
 * is one box, {@code test ×1000}), and a run of more than 2,000 tickets shows 2,000 rows, with a note above the table;
 * one of 2,000 is drawn one by one, folded under the graph of its spec when that drawing is too wide.
 * Two runs of {@code noop} tickets, of 2,000 and of 2,001, pin both limits.
 */
class ReportSizeLimitsTest {
    @TempDir
    Path tmp;

    @Test
    void twoThousandTicketsAreDrawnAndListedOneByOne() throws Exception {
        String html = report(false);
        // one layer of 2,000 wraps far wider than 5,000 px: the graph of the spec is shown, the full drawing folded under it
        assertThat(dag(html)).contains(">a ×1000</text>", ">b ×1000</text>");
        int fold = html.indexOf("<details class=\"dag-all\"><summary>Draw all 2000 tickets anyway</summary>");
        assertThat(fold).as("the full drawing, folded").isPositive();
        assertThat(dag(html.substring(fold))).contains(">a-0</text>", ">b-999</text>").doesNotContain("×");
        assertThat(rows(html)).isEqualTo(2_000);
        assertThat(html).doesNotContain("This table shows");
    }

    @Test
    void beyondTwoThousandTheGraphDrawsTheSpecsTicketsAndTheTableShowsTwoThousand() throws Exception {
        String html = report(true);
        assertThat(dag(html)).contains(">a ×1000</text>", ">b ×1000</text>", ">c</text>").doesNotContain(">a-0</text>");
        assertThat(html).contains("The plan has 2001 tickets, more than the 2000 the graph draws one by one");
        assertThat(rows(html)).isEqualTo(2_000);
        assertThat(html).contains("This table shows 2000 of the run's 2001 tickets");
    }

    /** report.html of a run of two matrix tickets of 1,000 {@code noop} expansions each, and a ticket {@code c} if asked. */
    private String report(boolean withC) throws Exception {
        String values = IntStream.range(0, 1_000).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
        Path spec = Files.writeString(tmp.resolve("big.yaml"), """
                concurrency: 64
                tickets:
                  - id: a
                    agent: noop
                    matrix: {i: %s}
                  - id: b
                    agent: noop
                    matrix: {i: %s}
                """.formatted(values, values) + (withC ? "  - id: c\n    agent: noop\n    needs: [a]\n" : ""));
        Path state = tmp.resolve("state");
        DocsCli.Result r = DocsCli.swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        return Files.readString(DocsCli.onlyRunDir(state).resolve("report.html"));
    }

    private static String dag(String html) {
        int start = html.indexOf("<g class=\"nodes\">");
        assertThat(start).as("the DAG's boxes").isPositive();
        return html.substring(start, html.indexOf("</svg>", start));
    }

    private static int rows(String html) {
        return html.split("<tr id=\"t-", -1).length - 1;
    }
}
