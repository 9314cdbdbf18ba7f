package io.swarmflow.cli.view;

import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The DURATION column of {@code status} and the summary agrees with report.json's {@code durationMillis}. */
class TicketTableTest {
    @Test
    void aTicketWaitingToRetryShowsHowLongItHasBeenGoingLikeARunningOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Tables.tickets(new PrintStream(bytes, true, StandardCharsets.UTF_8), List.of(
                new TicketView("r", "waits", 0, TicketState.RETRY_WAIT, 1, 1, 0, 1, "exited with code 1", Map.of(), null,
                        1_000, 0, 90_000),
                new TicketView("r", "runs", 1, TicketState.RUNNING, 1, 0, 0, null, null, Map.of(), null, 1_000, 0, 0),
                new TicketView("r", "later", 2, TicketState.PENDING, 0, 0, 0, null, null, Map.of(), null, 0, 0, 0)), 13_000);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(1)).startsWith("waits").contains("retry-wait  1         12.0s");
        assertThat(lines.get(2)).startsWith("runs").contains("running     1         12.0s");
        assertThat(lines.get(3)).startsWith("later").contains("pending     0         -");
    }
}
