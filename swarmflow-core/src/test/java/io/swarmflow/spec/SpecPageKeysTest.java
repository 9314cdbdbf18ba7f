package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/spec.md documents exactly the keys the loader accepts: each table (top level, agent profiles, tickets) has a row
 * per key, and the rows of defaults, limits, retries and outputs name their keys. A key added to the loader without a
 * row, or a row left for a key it no longer takes, fails here.
 */
class SpecPageKeysTest {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** The section of docs/spec.md under the heading {@code ## title}, up to the next heading of that level. */
    static String section(String title) {
        String page;
        try {
            page = Files.readString(Path.of("..", "docs", "spec.md"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        int start = page.indexOf("\n## " + title + "\n");
        assertThat(start).as("docs/spec.md has a section '%s'", title).isNotNegative();
        int end = page.indexOf("\n## ", start + 1);
        return page.substring(start, end < 0 ? page.length() : end);
    }

    /** The first column of the key table in a section: one key per row. */
    static List<String> keysOfTable(String section) {
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(section);
        while (m.find()) keys.add(m.group(1));
        return keys;
    }

    /** The meaning (third column) of the row of {@code key} in a section's table. */
    static String row(String section, String key) {
        Matcher m = Pattern.compile("(?m)^\\| `" + Pattern.quote(key) + "` \\|(?:\\\\\\||[^|])*\\| (.*) \\|$").matcher(section);
        assertThat(m.find()).as("a row for '%s'", key).isTrue();
        return m.group(1);
    }

    static Set<String> code(String text) {
        Set<String> words = new LinkedHashSet<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) words.add(m.group(1));
        return words;
    }

    /**
     * The names table of the Tickets section states the loader's own name rules, as patterns and as the lengths its
     * errors give (review R2: only the schema had them).
     */
    @Test
    void theNamesTableStatesTheLoadersRules() {
        String tickets = section("Tickets");
        assertThat(tickets).contains(
                "| ticket id, agent profile name | 1-63 characters of `a-z`, `0-9`, `-` and `_`, starting with a letter or digit: `"
                        + SpecLoader.ID.pattern() + "` |",
                "| variable (`vars`, `--var NAME=VALUE`) | 1-64 characters of letters, digits, `_` and `-`, starting with a letter or `_`: `"
                        + SpecReader.VAR_NAME.pattern() + "` |",
                "1-128 characters of letters, digits and `_`, starting with a letter or `_`: `" + SpecReader.ENV_NAME.pattern() + "`",
                "| output name, matrix key | 1-64 characters of letters, digits, `_` and `-`, starting with a letter, digit or `_`: `"
                        + SpecReader.SIMPLE_NAME.pattern() + "` |");
    }

    @Test
    void eachTableHasARowPerKeyTheLoaderAccepts() {
        assertThat(keysOfTable(section("Top level"))).containsExactlyInAnyOrderElementsOf(SpecReader.TOP_KEYS);
        assertThat(keysOfTable(section("Agent profiles (`agents.NAME`)"))).containsExactlyInAnyOrderElementsOf(SpecReader.AGENT_KEYS);
        assertThat(keysOfTable(section("Tickets"))).containsExactlyInAnyOrderElementsOf(SpecReader.TICKET_KEYS);
    }

    /** "any ticket key below except `id`, ...; plus `sandbox` and `limits`": the ticket keys minus those, plus these. */
    @Test
    void theDefaultsRowNamesTheTicketKeysDefaultsCannotSetAndTheOnesOnlyTheyHave() {
        String defaults = row(section("Top level"), "defaults");
        Matcher m = Pattern.compile("except (.*?); plus (.*?), which").matcher(defaults);
        assertThat(m.find()).as(defaults).isTrue();
        Set<String> except = code(m.group(1));
        Set<String> plus = code(m.group(2));
        assertThat(SpecReader.TICKET_KEYS).containsAll(except).doesNotContainAnyElementsOf(plus);
        Set<String> documented = new LinkedHashSet<>(SpecReader.TICKET_KEYS);
        documented.removeAll(except);
        documented.addAll(plus);
        assertThat(documented).containsExactlyInAnyOrderElementsOf(SpecReader.DEFAULTS_KEYS);
    }

    @Test
    void theLimitsRowNamesEachLimit() {
        String limits = row(section("Agent profiles (`agents.NAME`)"), "limits");
        int end = limits.indexOf("; 0 = unlimited");
        assertThat(end).as(limits).isPositive();
        assertThat(code(limits.substring(0, end))).containsExactlyInAnyOrderElementsOf(SpecReader.LIMIT_KEYS);
    }

    @Test
    void theRetriesRowNamesTheKeysOfRetriesAndBackoff() {
        String retries = row(section("Tickets"), "retries");
        Matcher m = Pattern.compile("`\\{([a-z, ]+), backoff: \\{([a-z, ]+)}}`").matcher(retries);
        assertThat(m.find()).as(retries).isTrue();
        List<String> keys = new ArrayList<>(List.of(m.group(1).split(", ")));
        keys.add("backoff");
        assertThat(keys).containsExactlyInAnyOrderElementsOf(SpecReader.RETRY_KEYS);
        assertThat(m.group(2).split(", ")).containsExactlyInAnyOrderElementsOf(SpecReader.BACKOFF_KEYS);
    }

    @Test
    void theOutputsRowNamesTheKeysOfAnOutput() {
        String outputs = row(section("Tickets"), "outputs");
        Set<String> keys = new LinkedHashSet<>();
        Matcher m = Pattern.compile("`name: \\{([a-z]+): [a-z]+}`").matcher(outputs);
        while (m.find()) keys.add(m.group(1));
        assertThat(keys).containsExactlyInAnyOrderElementsOf(SpecReader.OUTPUT_KEYS);
    }

    /** Errors of a spec read from standard input name the file SpecLoader gives them, as the page says. */
    @Test
    void thePageNamesStandardInputAsItsErrorsDo() {
        assertThat(section("Errors")).contains("`" + SpecLoader.STDIN + ":3:5: ");
    }
}
