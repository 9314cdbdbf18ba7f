package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/report.md, report.html's DAG: labels show the first 17 characters of longer ids (hover for the whole id), and a
 * click on a box jumps to its row of the ticket table.
 */
class ReportDagLabelsTest {
    @TempDir
    Path tmp;

    @Test
    void aLongIdIsCutTo17CharactersInItsBoxAndWholeInItsHoverAndLink() throws Exception {
        String cut = "long-ticket-identifier-of-thirty-two"; // 36 characters
        String whole = "exactly-eighteen-c"; // 18: fits
        Path spec = Files.writeString(tmp.resolve("dag.yaml"), """
                tickets:
                  - id: %s
                    agent: noop
                  - id: %s
                    agent: noop
                    needs: [%s]
                """.formatted(whole, cut, whole));
        Path state = tmp.resolve("state");
        DocsCli.Result r = DocsCli.swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();

        Path runDir = DocsCli.onlyRunDir(state);
        String html = Files.readString(runDir.resolve("report.html"));
        String dag = html.substring(html.indexOf("<g class=\"nodes\">"), html.indexOf("</svg>", html.indexOf("<g class=\"nodes\">")));
        assertThat(dag).contains(">long-ticket-ident…</text>", ">" + whole + "</text>")
                .contains("<a href=\"#t-" + cut + "\"", "<title>" + cut + " ")
                .doesNotContain(">" + cut + "</text>");
        assertThat(html).as("the row the box links to").contains("id=\"t-" + cut + "\"");
    }
}
