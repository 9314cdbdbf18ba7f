package io.swarmflow.cli.view;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Long reasons and output lines are cut for the terminal; a cut never splits an emoji into a '?'. */
class TruncationTest {
    private static final String EMOJI = "\uD83D\uDD25"; // U+1F525, two UTF-16 chars

    @Test
    void theSummaryTableCutsALongReasonBeforeAnEmojiNotInsideIt() {
        String reason = "a".repeat(98) + EMOJI + " tail";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.tickets(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                List.of(new TicketView("r", "e", 0, TicketState.FAILED, 1, 1, 0, 1, reason, Map.of(), null, 1, 2, 0)), 3);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("a".repeat(98) + "…").doesNotContain("?");
    }

    @Test
    void theLiveViewCutsTheLastLineBeforeAnEmojiNotInsideIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ProgressView v = new ProgressView(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, true, 1)) {
            v.onEvent(new RunEvent.AttemptStarted("e", 1, 15_000), System.currentTimeMillis());
            v.onLogLine("e", 1, "stdout", "b".repeat(78) + EMOJI + " tail");
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("b".repeat(78) + "…"); // not b…b?…
    }

    @Test
    void shortenKeepsShortTextAndNull() {
        assertThat(Printable.shorten("abc", 3)).isEqualTo("abc");
        assertThat(Printable.shorten("abcd", 3)).isEqualTo("ab…");
        assertThat(Printable.shorten(null, 3)).isNull();
    }
}
