package io.swarmflow.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LogsFollow}: two log files as they grow, interleaved at line ends, on a clock the test sets. */
class LogsFollowTest {
    @TempDir
    Path tmp;

    private long now = 1_000_000;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String shown() {
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Test
    void eachStreamIsCopiedUpToItsLastNewlineAndTheRestHeldUntilItEnds() throws IOException {
        Path o = tmp.resolve("stdout.log");
        Path e = tmp.resolve("stderr.log");
        LogsFollow f = new LogsFollow(List.of(o, e), () -> now);
        append(o, "one\ntw");
        append(e, "err 1\n");
        f.poll(out, false);
        assertThat(shown()).isEqualTo("one\nerr 1\n");
        assertThat(f.midLine()).isFalse();

        append(o, "o\nthr");
        append(e, "err 2\n");
        now += 100;
        f.poll(out, false);
        assertThat(shown()).isEqualTo("one\nerr 1\ntwo\nerr 2\n");

        now += 100;
        f.poll(out, true); // the attempt ended: all of it, the other stream's line after a newline of its own
        assertThat(shown()).isEqualTo("one\nerr 1\ntwo\nerr 2\nthr");
        assertThat(f.midLine()).isTrue();
        assertThat(f.printed()).isEqualTo(Files.size(o) + Files.size(e));
    }

    @Test
    void aLineHeldLongEnoughIsShownAndTheOtherStreamWaitsForItThenStartsALineOfItsOwn() throws IOException {
        Path o = tmp.resolve("stdout.log");
        Path e = tmp.resolve("stderr.log");
        LogsFollow f = new LogsFollow(List.of(o, e), () -> now);
        append(o, "Continue? ");
        f.poll(out, false);
        assertThat(shown()).isEmpty();

        now += LogsFollow.PARTIAL_WAIT_MILLIS;
        f.poll(out, false);
        assertThat(shown()).isEqualTo("Continue? ");

        append(e, "warning\n");
        now += 100;
        f.poll(out, false);
        assertThat(shown()).as("the prompt's line may still end").isEqualTo("Continue? ");

        append(o, "y");
        now += 100;
        f.poll(out, false);
        assertThat(shown()).as("the rest of its own line").isEqualTo("Continue? y");

        now += LogsFollow.PARTIAL_WAIT_MILLIS;
        f.poll(out, false);
        assertThat(shown()).isEqualTo("Continue? y\nwarning\n");
        assertThat(f.midLine()).isFalse();

        append(o, "es\n");
        f.poll(out, true);
        assertThat(shown()).isEqualTo("Continue? y\nwarning\nes\n");
    }

    @Test
    void oneStreamAloneIsCopiedAsItComes() throws IOException {
        Path o = tmp.resolve("stdout.log");
        LogsFollow f = new LogsFollow(List.of(o), () -> now);
        f.poll(out, false); // not there yet
        append(o, "50%\r");
        f.poll(out, false);
        assertThat(shown()).isEqualTo("50%\r");
        assertThat(f.midLine()).isTrue();
        append(o, "100%\n");
        f.poll(out, false);
        assertThat(f.midLine()).isFalse();
        assertThat(shown()).isEqualTo("50%\r100%\n");
    }

    @Test
    void noFileIsRefused() {
        assertThatThrownBy(() -> new LogsFollow(List.of(), () -> now)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stdout.log, stderr.log or both");
    }

    /**
     * A held line's wait is measured on a clock that does not go back: `swarm logs --follow` measured it on the wall
     * clock, and one set back an hour held a prompt for an hour. It now follows on the monotonic clock, and a clock that
     * goes back all the same restarts the wait, PARTIAL_WAIT_MILLIS at most.
     */
    @Test
    void aClockSetBackHoldsALineNoLongerThanTheWait() throws IOException {
        Path o = tmp.resolve("stdout.log");
        Path e = tmp.resolve("stderr.log");
        LogsFollow f = new LogsFollow(List.of(o, e), () -> now);
        append(o, "Continue? ");
        f.poll(out, false);
        assertThat(shown()).isEmpty();

        now -= 3_600_000; // the wall clock set back an hour
        f.poll(out, false);
        now += LogsFollow.PARTIAL_WAIT_MILLIS;
        f.poll(out, false);
        assertThat(shown()).isEqualTo("Continue? ");

        LogsFollow monotonic = new LogsFollow(List.of(o));
        monotonic.poll(out, false);
        assertThat(shown()).as("one stream: nothing held").isEqualTo("Continue? Continue? ");
    }
}
