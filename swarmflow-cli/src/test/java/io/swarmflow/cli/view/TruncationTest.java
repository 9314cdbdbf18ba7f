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

    /** A cut keeps the closing clause that says the ticket got no retry, in place of as many of the first characters. */
    @Test
    void aCutReasonKeepsItsClosingNoRetryClause() {
        String clause = " (no retry: it would fail the same way)";
        String reason = "not started: " + "x".repeat(300) + clause;

        String line = Printable.cutReason(reason);
        assertThat(line).endsWith(" …" + clause).startsWith("not started: xxx")
                .hasSize(Printable.REASON_CHARS + 2); // as long as a cut without the clause: the first 200 and " …"
        assertThat(Printable.cutReason(reason, "below")).endsWith(" …" + clause + " (" + reason.length() + " characters, all below)");

        String cell = Printable.shortenReason(reason, Tables.REASON_CELL_CHARS);
        assertThat(cell).endsWith("…" + clause).hasSize(Tables.REASON_CELL_CHARS);

        // a cut never splits an emoji before the clause either
        String emoji = "a".repeat(Printable.REASON_CHARS - clause.length() - 1) + EMOJI + "b".repeat(50) + clause;
        assertThat(Printable.cutReason(emoji)).isEqualTo("a".repeat(Printable.REASON_CHARS - clause.length() - 1) + " …" + clause);
    }

    @Test
    void aReasonWithoutAClosingNoRetryClauseIsCutAsBefore() {
        String mid = "exited with code 1: (no retry: said by the script) " + "y".repeat(300);
        assertThat(Printable.cutReason(mid)).isEqualTo(mid.substring(0, Printable.REASON_CHARS) + " …");
        assertThat(Printable.shortenReason(mid, 100)).isEqualTo(Printable.shorten(mid, 100));
        // a clause over half of what the cut shows (a long ticket id) is cut as the rest, not left alone with a few characters
        String longId = "z".repeat(300) + " (no retry: fail-fast after " + "t".repeat(60) + " failed)";
        assertThat(Printable.shortenReason(longId, 100)).isEqualTo(Printable.shorten(longId, 100));
        assertThat(Printable.cutReason(longId)).endsWith(" …" + longId.substring(300)); // 97 of 200: kept in a line
        String shortOne = "short (no retry: it would fail the same way)";
        assertThat(Printable.cutReason(shortOne)).isSameAs(shortOne);
        assertThat(Printable.shortenReason(null, 100)).isNull();
    }
}
