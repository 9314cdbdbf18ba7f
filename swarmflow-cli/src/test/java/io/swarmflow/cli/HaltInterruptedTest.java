package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A signal while {@code swarm run} writes its report halts the process at once: standard output is not flushed on the
 * way ({@link Stdout#beforeHalt} says why: the main thread may be blocked writing to it, holding its lock, and a flush
 * would wait for it, so the halt never came). Standard error says why, and is flushed.
 */
class HaltInterruptedTest {
    @Test
    void theOutputIsNotFlushedBeforeTheHaltAndTheMessageIs() {
        List<String> calls = new ArrayList<>();
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), false, StandardCharsets.UTF_8) {
            @Override
            public void flush() {
                calls.add("out flushed"); // a flush that would wait for a blocked write's lock
            }
        };
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(errBytes, false, StandardCharsets.UTF_8) {
            @Override
            public void flush() {
                calls.add("err flushed");
                super.flush();
            }
        };

        RunCommands.Foreground.haltInterrupted(out, err, "swarm: interrupted (SIGINT (Ctrl-C)) while writing the report",
                code -> calls.add("halt " + code));

        assertThat(calls).containsExactly("err flushed", "halt " + ExitCodes.INTERRUPTED);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("swarm: interrupted (SIGINT (Ctrl-C)) while writing "
                + "the report\n");
    }
}
