package io.swarmflow.cli.view;

import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run of 1,500 tickets said {@code succeeded, 2.5s} over {@code created 03:04:29, finished 03:04:34}: 1.9s went to
 * storing its plan before it started, and the header never said when it started, so the numbers looked wrong. The header
 * now says {@code started} (as report.html does) when the run started a second or more after it was created.
 */
class RunHeaderStartedTest {
    private static String header(long created, long started, long finished) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunView run = new RunView("r1", "big", "big.yaml", RunState.SUCCEEDED, created, started, finished, 1, "h:1", false, 0, 9);
        Tables.runHeader(new PrintStream(bytes, true, StandardCharsets.UTF_8), run, List.of(), 0, null, RunTimes.NONE, finished);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aRunThatStartedLateSaysWhenItStarted() {
        long created = 1_796_000_669_000L;
        String text = header(created, created + 2_850, created + 5_340);
        assertThat(text).contains("succeeded, 2.5s\n")
                .contains(", created " + Tables.time(created) + ", started " + Tables.time(created + 2_850) + ", finished "
                        + Tables.time(created + 5_340) + "\n");
    }

    @Test
    void aRunThatStartedAsItWasCreatedDoesNotRepeatTheTime() {
        long created = 1_796_000_669_000L;
        assertThat(header(created, created + 40, created + 5_340)).doesNotContain("started")
                .contains(", created " + Tables.time(created) + ", finished " + Tables.time(created + 5_340) + "\n");
    }
}
