package io.swarmflow.cli.view;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bidirectional overrides and isolates in names, reasons and ticket output would reorder the rest of the printed line
 * ("Trojan Source", CVE-2021-42574): they are shown escaped, as spec errors show them; right-to-left text itself is not.
 */
class PrintableBidiTest {
    @Test
    void overridesIsolatesAndSeparatorsAreEscapedAndRightToLeftTextIsNot() {
        assertThat(Printable.of("evil\u202egnp.exe")).isEqualTo("evil\\u202egnp.exe");
        assertThat(Printable.of("a\u2066b\u2069c\u202ad")).isEqualTo("a\\u2066b\\u2069c\\u202ad");
        assertThat(Printable.of("line\u2028two\u2029")).isEqualTo("line\\u2028two\\u2029");
        assertThat(Printable.of("שלום \u200fעולם")).as("Hebrew and a right-to-left mark stay").isEqualTo("שלום \u200fעולם");
    }

    @Test
    void theRunHeaderShowsAnOverrideInTheRunsNameEscaped() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        io.swarmflow.store.RunView run = new io.swarmflow.store.RunView("r1", "evil\u202eolleh", "swarm.yaml",
                io.swarmflow.store.RunState.SUCCEEDED, 1_000, 1_000, 2_000, 1, "h:1", false, 0, 1);
        Tables.runHeader(new PrintStream(bytes, true, StandardCharsets.UTF_8), run, java.util.List.of());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("run r1 (evil\\u202eolleh): succeeded").doesNotContain("\u202e");
    }
}
