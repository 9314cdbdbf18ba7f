package io.swarmflow.cli.report;

import io.swarmflow.store.TicketState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.report.Fixtures.count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits of report.html that docs/report.md states as numbers, checked at the numbers themselves (written here as
 * the page writes them, not read from {@code ReportHtml.MAX_FAILURES}, {@code Printable.REASON_CHARS} or
 * {@code DagSvg.MAX_PER_COLUMN}, which the older tests read back and so follow any change to them):
 *
 * <ul>
 *   <li>Failures: "the first 200 failed tickets in plan order; a note counts the others": 200 failed tickets get 200
 *       log tails and no note, 201 get 200 and a note;</li>
 *   <li>Tickets: a reason is shown as "its first 200 characters, then {@code  …} and its length, when it is longer": one
 *       of 200 characters whole, one of 201 cut after 200;</li>
 *   <li>DAG: "a column taller than 25 tickets wraps into several": 25 independent tickets in one column, 26 in two.</li>
 * </ul>
 */
class ReportHtmlPromisedLimitsTest {
    @TempDir
    Path dir;

    @Test
    void twoHundredFailuresGetTheirLogTailsAndTheTwoHundredAndFirstANote() {
        String html200 = ReportHtml.render(report(200, i -> TicketState.FAILED, i -> "exited with code 1"));
        assertThat(count(html200, "<div class=\"failure\"")).isEqualTo(200);
        assertThat(html200).doesNotContain("tickets failed; the first");

        String html201 = ReportHtml.render(report(201, i -> TicketState.FAILED, i -> "exited with code 1"));
        assertThat(count(html201, "<div class=\"failure\"")).isEqualTo(200);
        assertThat(html201).contains("id=\"f-t199\"").doesNotContain("id=\"f-t200\"")
                .contains("201 tickets failed; the first 200 are shown with their log tail.");
    }

    @Test
    void aReasonOf200CharactersIsShownWholeAndOneOf201IsCutAfter200() {
        String whole = "exited with code 2: " + "w".repeat(180);
        String longer = "exited with code 2: " + "x".repeat(180) + "y";
        assertThat(whole).hasSize(200);
        assertThat(longer).hasSize(201);
        String html = ReportHtml.render(report(2, i -> TicketState.FAILED, i -> i == 0 ? whole : longer));

        assertThat(row(html, "t0")).contains(">" + whole + "</td>").doesNotContain(" …");
        assertThat(row(html, "t1")).contains(">" + longer.substring(0, 200) + " … <span class=\"muted\">(201 characters, all in "
                + "report.json)</span></td>").doesNotContain("xy");
    }

    @Test
    void aColumnOf25TicketsIsOneColumnAndOf26WrapsIntoTwo() {
        assertThat(columns(ReportHtml.render(report(25, i -> TicketState.SUCCEEDED, i -> null)))).as("25").hasSize(1);
        assertThat(columns(ReportHtml.render(report(26, i -> TicketState.SUCCEEDED, i -> null)))).as("26").hasSize(2);
    }

    /** A finished run of {@code n} independent tickets {@code t0..}, one attempt each, in the given states and reasons. */
    private RunReport report(int n, IntFunction<TicketState> stateOf, IntFunction<String> reasonOf) {
        return Fixtures.manyTickets(dir, "limits", n, stateOf, i -> List.of(), reasonOf);
    }

    private static String row(String html, String id) {
        int start = html.indexOf("<tr id=\"t-" + id + "\"");
        assertThat(start).as("row of %s", id).isPositive();
        return html.substring(start, html.indexOf("</tr>", start));
    }

    /** The distinct x of the DAG's boxes. */
    private static Set<Integer> columns(String html) {
        int start = html.indexOf("<g class=\"nodes\">");
        assertThat(start).as("the DAG's boxes").isPositive();
        Matcher m = Pattern.compile("<rect x=\"(\\d+)\"").matcher(html.substring(start, html.indexOf("</svg>", start)));
        Set<Integer> xs = new TreeSet<>();
        while (m.find()) xs.add(Integer.parseInt(m.group(1)));
        return xs;
    }
}
