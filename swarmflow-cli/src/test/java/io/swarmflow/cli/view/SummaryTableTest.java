package io.swarmflow.cli.view;

import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The table printed at the end of {@code swarm run}: whole for small runs, the failures first for large ones. */
class SummaryTableTest {
    private static TicketView ticket(int i, TicketState state, String reason) {
        return new TicketView("r", "t" + i, i, state, state == TicketState.SKIPPED ? 0 : 1, 0, 0,
                state == TicketState.SUCCEEDED ? 0 : null, reason, Map.of(), null, 1_000, 2_000, 0);
    }

    private static String summary(List<TicketView> tickets) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8), tickets, "r", 10_000);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSmallRunShowsEveryTicket() {
        List<TicketView> tickets = new ArrayList<>();
        for (int i = 0; i < Tables.SUMMARY_ROWS; i++) tickets.add(ticket(i, TicketState.SUCCEEDED, null));
        String out = summary(tickets);
        assertThat(out.lines()).hasSize(Tables.SUMMARY_ROWS + 1).first().asString().startsWith("TICKET");
        assertThat(out).doesNotContain("swarm status");
    }

    @Test
    void aLargeRunShowsWhatDidNotSucceedAndCountsTheRest() {
        List<TicketView> tickets = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            tickets.add(ticket(i, i == 7 ? TicketState.FAILED : i == 8 ? TicketState.SKIPPED : TicketState.SUCCEEDED,
                    i == 7 ? "exited with code 2" : i == 8 ? "dependency t7 failed" : null));
        }
        List<String> lines = summary(tickets).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).startsWith("t7 ").contains("failed", "exited with code 2");
        assertThat(lines.get(2)).startsWith("t8 ").contains("skipped", "dependency t7 failed");
        assertThat(lines.get(3)).isEqualTo("… and 19998 more: 19998 succeeded; `swarm status r` lists every ticket");
    }

    @Test
    void aLargeRunThatAllSucceededIsOneLine() {
        List<TicketView> tickets = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) tickets.add(ticket(i, TicketState.SUCCEEDED, null));
        assertThat(summary(tickets)).isEqualTo("1000 tickets: 1000 succeeded; `swarm status r` lists every ticket\n");
    }

    @Test
    void atMostTheRowLimitOfTicketsThatDidNotSucceedAreListed() {
        List<TicketView> tickets = new ArrayList<>();
        for (int i = 0; i < 200; i++) tickets.add(ticket(i, i % 2 == 0 ? TicketState.FAILED : TicketState.SKIPPED, "x"));
        List<String> lines = summary(tickets).lines().toList();
        assertThat(lines).hasSize(Tables.SUMMARY_ROWS + 2);
        assertThat(lines.getLast()).isEqualTo("… and 150 more: 75 failed, 75 skipped; `swarm status r` lists every ticket");
    }

    /**
     * The REASON column cut reasons at 100 characters with nothing else said, while every line that cuts one names where
     * it is whole ({@link Printable#cutReason(String, String)}): a line under the table now does, after the count of the
     * tickets not listed in a large run.
     */
    @Test
    void aReasonCutInTheTableIsNamedUnderItWithTheCommandThatShowsItWhole() {
        String long1 = "exited with code 1: " + "x".repeat(300);
        List<String> one = summary(List.of(ticket(0, TicketState.FAILED, long1), ticket(1, TicketState.SUCCEEDED, null))).lines().toList();
        assertThat(one.get(1)).startsWith("t0 ").contains("exited with code 1: xxx").endsWith("x…")
                .doesNotContain("x".repeat(Tables.REASON_CELL_CHARS));
        assertThat(one.getLast()).isEqualTo("(t0's reason is cut at 100 of its 320 characters: `swarm status r t0` shows it whole)");

        List<TicketView> many = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) many.add(ticket(i, i < 7 ? TicketState.FAILED : TicketState.SUCCEEDED, i < 7 ? long1 : null));
        many.set(9, ticket(9, TicketState.SKIPPED, "dependency t0 failed"));
        List<String> lines = summary(many).lines().toList();
        assertThat(lines.get(8)).startsWith("t9 ").endsWith("dependency t0 failed");
        assertThat(lines.get(9)).startsWith("… and 19992 more");
        assertThat(lines.get(10)).isEqualTo("(the reasons of t0, t1, t2, t3, t4 and 2 more are cut at 100 characters: "
                + "`swarm status r TICKET` shows one whole)");
        assertThat(lines).hasSize(11);

        // a reason of 100 characters is whole, and nothing is said
        assertThat(summary(List.of(ticket(0, TicketState.FAILED, "y".repeat(100))))).contains("y".repeat(100)).doesNotContain("cut");
    }
}
