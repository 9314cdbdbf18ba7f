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

    /**
     * Two runs in one JVM (as in tests) put back each other's handlers when they end in the other order: a signal that
     * then reaches the first run's handlers does nothing, rather than act on a run that has ended.
     */
    @Test
    @SuppressWarnings("removal")
    void handlersPutBackAfterTheirRunEndedDoNothing() {
        sun.misc.Signal term = new sun.misc.Signal("TERM");
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        RunCommands.Signals a = RunCommands.Signals.onInterrupt(first::add, first::add, n -> {}, new CountDownLatch(1));
        RunCommands.Signals b = RunCommands.Signals.onInterrupt(second::add, second::add, n -> {}, new CountDownLatch(1));
        a.afterRun(first::add);
        a.close();
        b.close(); // puts back a's handlers
        sun.misc.SignalHandler reinstated = sun.misc.Signal.handle(term, sun.misc.SignalHandler.SIG_DFL);
        for (String other : List.of("INT", "HUP")) { // this JVM's own handling, as before the test
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(other), sun.misc.SignalHandler.SIG_DFL);
            } catch (IllegalArgumentException e) {
                // ignored by this JVM's starter
            }
        }
        reinstated.handle(term); // as the JVM's signal dispatcher would, at once
        assertThat(first).isEmpty();
        assertThat(second).isEmpty();
    }
}
