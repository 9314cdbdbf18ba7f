package io.swarmflow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * What {@code swarm logs RUN TICKET --follow} prints of one attempt: its log files (stdout.log, then stderr.log, or one
 * of them) copied as they grow, each stream's bytes as written, interleaved at line ends so that a line of one stream
 * is never cut by the other's.
 *
 * <p>With two streams, each file is copied up to its last newline; the line after it, not yet ended, is held until its
 * newline comes, until it has been held {@link #PARTIAL_WAIT_MILLIS} (a prompt without a newline still shows), or
 * until the attempt ends. Once a line shown unfinished so is the output's last, the other stream's lines wait for that
 * line to end, for as long at most, then a newline ends it before them. With one stream nothing is held: the bytes are
 * the log's as they come. Either way {@link #midLine} says whether the output ends inside a line, so that what comes
 * after it (the next attempt's {@code ==> attempt N <==}) starts on a line of its own.
 *
 * <p>Not thread-safe: one command's loop polls it.
 */
final class LogsFollow {
    /** How long the line a stream has not ended yet is held before it is printed all the same, in milliseconds. */
    static final long PARTIAL_WAIT_MILLIS = 500;

    private static final int CHUNK = 1 << 16;

    private final List<Path> files;
    private final LongSupplier clock;
    /** Per file: how far it was printed (bytes). */
    private final long[] offsets;
    /** Per file: the offset whose bytes after it were first seen unprinted at {@link #heldSince}; -1 for none. */
    private final long[] heldOffsets;
    private final long[] heldSince;
    /** The file whose line the output ends in the middle of; -1 when the output ends with a newline or is empty. */
    private int owner = -1;

    /**
     * As {@link #LogsFollow(List, LongSupplier)} on the monotonic clock ({@link System#nanoTime()} in milliseconds): the
     * wall clock set back or forward while a line is held neither holds it that much longer nor shows it early.
     *
     * @param files the attempt's log files to follow, as {@link #LogsFollow(List, LongSupplier)} says
     * @throws IllegalArgumentException when {@code files} is empty
     */
    LogsFollow(List<Path> files) {
        this(files, () -> System.nanoTime() / 1_000_000);
    }

    /**
     * @param files the attempt's log files to follow, in the order they are polled (stdout.log before stderr.log); a
     *              file not there yet counts as empty
     * @param clock the time in milliseconds, any origin, which the held lines' wait is measured by: a monotonic one
     *              ({@link #LogsFollow(List)}'s); should it go back, a held line's wait starts again from then (held
     *              {@link #PARTIAL_WAIT_MILLIS} more at most, not for as long as it went back)
     * @throws IllegalArgumentException when {@code files} is empty
     */
    LogsFollow(List<Path> files, LongSupplier clock) {
        if (files.isEmpty()) throw new IllegalArgumentException("no log file to follow: name stdout.log, stderr.log or both");
        this.files = List.copyOf(files);
        this.clock = clock;
        this.offsets = new long[files.size()];
        this.heldOffsets = new long[files.size()];
        this.heldSince = new long[files.size()];
        java.util.Arrays.fill(heldOffsets, -1);
    }

    /**
     * Prints to {@code out} what the files hold past what was printed, as the class comment says.
     *
     * @param out   where the bytes go (not flushed here)
     * @param ended whether the attempt has ended, so that every byte is printed now, none held
     * @throws io.swarmflow.store.StoreException.Unavailable when a file exists but cannot be read, naming it
     */
    void poll(PrintStream out, boolean ended) {
        for (int i = 0; i < files.size(); i++) {
            Path file = files.get(i);
            long off = offsets[i];
            long len = size(file);
            if (len <= off) { // nothing new (or the file was cut shorter: what was printed stays printed)
                heldOffsets[i] = -1;
                continue;
            }
            long now = clock.getAsLong();
            if (now < heldSince[i]) heldSince[i] = now; // a clock set back: the wait starts again, not an hour long
            if (heldOffsets[i] != off) {
                heldOffsets[i] = off;
                heldSince[i] = now;
            }
            boolean due = ended || files.size() == 1 || now - heldSince[i] >= PARTIAL_WAIT_MILLIS;
            if (owner != -1 && owner != i) { // the output is inside the other stream's line
                if (!due) continue;
                out.write('\n');
                owner = -1;
            }
            long end = due ? len : lastNewline(file, off, len) + 1;
            if (end == off && owner == i) end = len; // the rest of its own line, which nothing else is waiting to cut
            if (end > off) {
                long at = copy(file, off, end, out);
                if (at > off) owner = lastByte == '\n' ? -1 : i;
                offsets[i] = at;
            }
            if (offsets[i] != heldOffsets[i]) { // what is left, if anything, is held from now
                heldOffsets[i] = offsets[i];
                heldSince[i] = now;
            }
        }
    }

    /** Whether the output printed so far ends inside a line (its last byte is not a newline). */
    boolean midLine() {
        return owner != -1;
    }

    /** The number of bytes of the files printed so far (the newlines this class added to end a line not counted). */
    long printed() {
        long sum = 0;
        for (long o : offsets) sum += o;
        return sum;
    }

    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw QueryCommands.Logs.unreadable(file, e);
        }
    }

    /** The position of the last newline in {@code [from, to)} of {@code file}, or {@code from - 1} when there is none. */
    private static long lastNewline(Path file, long from, long to) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] buf = new byte[(int) Math.min(to - from, CHUNK)];
            long end = to;
            while (end > from) {
                int n = (int) Math.min(buf.length, end - from);
                raf.seek(end - n);
                raf.readFully(buf, 0, n);
                for (int j = n - 1; j >= 0; j--) {
                    if (buf[j] == '\n') return end - n + j;
                }
                end -= n;
            }
            return from - 1;
        } catch (java.io.EOFException cutShorter) {
            return from - 1; // truncated meanwhile: nothing to print of it
        } catch (IOException e) {
            throw QueryCommands.Logs.unreadable(file, e);
        }
    }

    /** The last byte {@link #copy} printed. */
    private int lastByte = -1;

    /** Prints {@code [from, to)} of {@code file} as raw bytes; returns the offset it got to (less at a file cut shorter). */
    private long copy(Path file, long from, long to, PrintStream out) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(from);
            byte[] buf = new byte[(int) Math.min(to - from, CHUNK)];
            long at = from;
            while (at < to) {
                int n = raf.read(buf, 0, (int) Math.min(buf.length, to - at));
                if (n < 0) break; // truncated meanwhile
                out.write(buf, 0, n);
                lastByte = buf[n - 1] & 0xff;
                at += n;
            }
            return at;
        } catch (IOException e) {
            throw QueryCommands.Logs.unreadable(file, e);
        }
    }
}
