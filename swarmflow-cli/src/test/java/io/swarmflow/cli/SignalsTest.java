package io.swarmflow.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link RunCommands.Signals}: a signal cancels the run while it executes; once it has ended, it does what the caller set. */
class SignalsTest {
    @Test
    @SuppressWarnings("removal")
    void aSignalAfterTheRunEndedNoLongerCancelsIt() {
        List<String> cancels = new CopyOnWriteArrayList<>();
        List<String> afterRun = new CopyOnWriteArrayList<>();
        try (RunCommands.Signals signals = RunCommands.Signals.onInterrupt(cancels::add, now -> cancels.add("now " + now),
                notice -> {}, new CountDownLatch(1))) {
            sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !cancels.isEmpty());
            assertThat(cancels).containsExactly("SIGTERM");

            signals.afterRun(afterRun::add); // the run has ended; the report is being written
            sun.misc.Signal.raise(new sun.misc.Signal("TERM"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !afterRun.isEmpty());
            assertThat(afterRun).containsExactly("SIGTERM");
            assertThat(cancels).containsExactly("SIGTERM"); // not cancelled again, nor killed ("now")
        }
    }
}
