package io.swarmflow.cli.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HtmlTest {
    @Test
    void escapesMarkupAndQuotes() {
        assertThat(Html.esc("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(Html.esc(null)).isEmpty();
        assertThat(Html.esc("plain")).isEqualTo("plain");
    }

    /** A failure reason holds the last stderr line as printed, escape sequences included: shown, never raw in the page. */
    @Test
    void showsControlCharactersInCaretNotation() {
        assertThat(Html.esc("code 3: \033[31mred\033[0m \033]0;t\007 \0\u007f\u009b<"))
                .isEqualTo("code 3: ^[[31mred^[[0m ^[]0;t^G ^@^?\\x9b&lt;");
        assertThat(Html.esc("line 1\n\tline 2\r\n")).isEqualTo("line 1\n\tline 2\r\n");
    }

    /** report.html said "1.1 s" and "174 ms" where the terminal says "1.1s" and "174ms": one style for both. */
    @Test
    void formatsDurationsAsTheTerminalDoes() {
        assertThat(Html.duration(null)).isEqualTo("—");
        for (long ms : new long[]{0, 174, 850, 1_100, 12_345, 59_950, 245_000, 7_380_000}) {
            assertThat(Html.duration(ms)).as("%d ms", ms).isEqualTo(io.swarmflow.cli.view.Durations.format(ms));
        }
        assertThat(Html.duration(174L)).isEqualTo("174ms");
        assertThat(Html.duration(1_100L)).isEqualTo("1.1s");
        assertThat(Html.duration(245_000L)).isEqualTo("4m05s");
        assertThat(Html.duration(7_380_000L)).isEqualTo("2h03m");
    }

    @Test
    void formatsAxisOffsetsCompactly() {
        assertThat(Html.offset(0)).isEqualTo("0");
        assertThat(Html.offset(500)).isEqualTo("500ms");
        assertThat(Html.offset(1_500)).isEqualTo("1.5s");
        assertThat(Html.offset(2_000)).isEqualTo("2s");
        assertThat(Html.offset(90_000)).isEqualTo("1m30s");
        assertThat(Html.offset(7_200_000)).isEqualTo("2h");
        assertThat(Html.offset(3 * 86_400_000L + 12 * 3_600_000L)).as("days, not 84h").isEqualTo("3d12h");
    }

    @Test
    void timeAxisHasAtMostAboutTenTicks() {
        assertThat(GanttSvg.step(95_000)).isEqualTo(10_000);
        assertThat(GanttSvg.step(1)).isEqualTo(1);
        assertThat(GanttSvg.step(40)).as("a 40 ms run still gets ticks").isEqualTo(5);
        assertThat(GanttSvg.step(3_600_000)).isEqualTo(600_000);
        assertThat(GanttSvg.step(40L * 86_400_000)).isGreaterThanOrEqualTo(4L * 86_400_000);
    }
}
