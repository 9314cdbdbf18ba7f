package io.swarmflow.cli;

import io.swarmflow.cli.QueryCommands.Logs.ColourResetAtExit;
import io.swarmflow.cli.view.PrintableBytes;
import org.junit.jupiter.api.Test;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code swarm logs} on a terminal resets the colours (SGR) when the JVM exits during the command (a Ctrl-C in
 * {@code --follow}) from a shutdown hook ({@link ColourResetAtExit}): the reset is written after the ticket's colours,
 * and a terminal that takes no output (stopped with Ctrl-S) does not hold the exit beyond the hook's wait.
 */
class LogsColourResetAtExitTest {
    /** After coloured output, the hook writes the reset, flushed through a buffer: the terminal is not left red. */
    @Test
    void theResetIsWrittenAfterColouredOutput() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new BufferedOutputStream(terminal, 8192), false, StandardCharsets.UTF_8);
        out.print("\033[31mred, and left on");

        boolean written = new ColourResetAtExit(out, ColourResetAtExit.JOIN_MILLIS).reset();

        // written: the hook waited for it, its half a second is for a terminal that takes nothing
        assertThat(written).isTrue();
        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("\033[31mred, and left on" + PrintableBytes.RESET_TEXT);
    }

    /**
     * A terminal whose writes block (Ctrl-S), the main thread blocked in a write and holding the stream's lock: the hook
     * returns once its wait is over, without the reset, instead of holding the exit for good.
     */
    @Test
    void aTerminalThatTakesNoOutputDoesNotHoldTheExit() throws Exception {
        CountDownLatch resumed = new CountDownLatch(1); // Ctrl-Q
        CountDownLatch writing = new CountDownLatch(1);
        OutputStream stopped = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    resumed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        PrintStream out = new PrintStream(stopped, true, StandardCharsets.UTF_8);
        Thread main = Thread.ofPlatform().daemon().name("blocked-main").start(() -> out.print("\033[31mred"));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> writing.getCount() == 0);
            boolean written = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> new ColourResetAtExit(out, 200).reset(), "the hook held the exit");
            assertThat(written).isFalse();
        } finally {
            resumed.countDown();
            main.join(Duration.ofSeconds(30));
        }
    }

    /** A wait that is not positive would not wait for the reset at all ({@code join(Duration.ZERO)} returns at once). */
    @Test
    void aWaitThatIsNotPositiveIsRefused() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        for (long millis : new long[]{0, -1}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ColourResetAtExit(out, millis))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("joinMillis must be positive (how long the exit waits for the colour reset, in milliseconds), not "
                            + millis);
        }
    }

    /**
     * A shutdown hook does not stop the main thread: its next copy (or the rest of one in progress) came after the hook's
     * reset, so the terminal was left red, with an extra blank line from a held CR's line end and the LF after it (review
     * R4 finding 2). The hook ends the filter: what comes later is dropped, and the reset is the last thing written.
     */
    @Test
    void whatTheMainThreadCopiesAfterTheHookIsDropped() {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(terminal, true, StandardCharsets.UTF_8);
        PrintableBytes shown = new PrintableBytes(out);
        PrintStream logOut = new PrintStream(shown, false, StandardCharsets.UTF_8);
        logOut.print("step \033[32m50%\r"); // the follow loop's copy: a progress bar's CR is held
        logOut.flush();

        assertThat(new ColourResetAtExit(out, shown, ColourResetAtExit.JOIN_MILLIS).reset()).isTrue(); // Ctrl-C
        logOut.print("\n\033[31mred 60%\r"); // the main thread's next copy, before the JVM halts
        logOut.flush();

        assertThat(terminal.toString(StandardCharsets.UTF_8)).isEqualTo("step \033[32m50%\n" + PrintableBytes.RESET_TEXT);
    }
}
