package io.swarmflow.cli;

import io.swarmflow.cli.view.OutputTarget;
import io.swarmflow.cli.view.PrintableBytes;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm logs} on a terminal writes a ticket's control characters in as few writes as text: its standard output
 * ({@link Stdout#printStream}) flushes on every write, so each {@code ^[} written on its own was a system call (10 MB of
 * {@code ESC} took 100,000s of writes). Counted at the stream under standard output, where each write is a write(2).
 */
class LogsTerminalWritesTest {
    /** The file descriptor's side: counts the writes and flushes that reach it, and keeps the bytes. */
    private static final class Counting extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int writes;
        int flushes;

        @Override
        public void write(int b) {
            writes++;
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes++;
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    @Test
    void tenThousandEscBytesTakeAFewWritesNotOneEach() throws IOException {
        Counting fd = new Counting();
        PrintStream out = Stdout.over(fd, new OutputTarget("/dev/pts/7")).printStream();
        PrintableBytes shown = new PrintableBytes(out);
        byte[] esc = new byte[10_000];
        Arrays.fill(esc, (byte) 0x1b);
        shown.write(esc, 0, esc.length); // a chunk of the log, as swarm logs copies it
        shown.flush();
        shown.finish();

        assertThat(fd.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("^[".repeat(10_000));
        // 20,000 bytes shown: a few buffers' worth, not 10,000 writes
        assertThat(fd.writes).as("writes").isLessThanOrEqualTo(6);
        assertThat(fd.flushes).as("flushes").isLessThanOrEqualTo(6);
    }

    /** {@code --follow} flushes after each chunk it reads: a line is on the terminal then, not when the buffer fills. */
    @Test
    void aLineIsWrittenAtTheFlushAfterItsChunkWithoutWaitingForMore() throws IOException {
        Counting fd = new Counting();
        PrintStream out = Stdout.over(fd, new OutputTarget("/dev/pts/7")).printStream();
        PrintableBytes shown = new PrintableBytes(out);
        shown.write("first \033]0;T\007line\n".getBytes(StandardCharsets.UTF_8));
        assertThat(fd.bytes.size()).as("gathered until the flush").isZero();
        shown.flush();
        assertThat(fd.bytes.toString(StandardCharsets.UTF_8)).isEqualTo("first ^[]0;T^Gline\n");
        assertThat(fd.writes).isEqualTo(1);
    }
}
