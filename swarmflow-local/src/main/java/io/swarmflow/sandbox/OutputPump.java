package io.swarmflow.sandbox;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Copies one stream of a process to its log file, up to a byte cap followed by a truncation marker,
 * and hands each line to a {@link LineListener}. The file is created on the first byte of output. Keeps draining past the cap so the process never
 * blocks on a full pipe.
 */
final class OutputPump implements Runnable {
    /** Longest line handed to the {@link LineListener} (longer ones are cut), in bytes. */
    static final int MAX_LINE_BYTES = 64 * 1024;
    /** Longest line handed to the every-line listener (longer ones are skipped), in bytes. */
    static final int MAX_OBSERVED_LINE_BYTES = 1024 * 1024;

    private final InputStream in;
    private final Path file;
    private final long cap;
    private final String stream;
    private final LineListener listener;
    /** Every complete line of the whole stream, past the log cap too, or null. */
    private final LineListener everyLine;
    private final int maxLineBytes;
    private final boolean keepLastLine;

    private OutputStream out;
    private boolean failed;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean lineOverflow;
    private volatile long total;
    private volatile boolean truncated;
    private volatile String lastLine;
    private volatile boolean detached;
    /** {@link System#nanoTime()} when the pump last started waiting in read, 0 while it is not waiting. */
    private volatile long readSince;
    /** Whether the pump had been waiting on an empty pipe for {@link #IDLE_NANOS} when it was detached. */
    private volatile boolean idleAtDetach;
    /** A read that waits this long found the pipe empty (a pipe with data answers at once). */
    private static final long IDLE_NANOS = 50_000_000;

    OutputPump(InputStream in, Path file, long cap, String stream, LineListener listener, boolean keepLastLine) {
        this(in, file, cap, stream, listener, null, keepLastLine);
    }

    /**
     * @param everyLine when not null, receives every complete line of the stream up to
     *                  {@link #MAX_OBSERVED_LINE_BYTES} (longer ones are skipped: {@link LineListener#skipped} gets their
     *                  start), including the lines past the log cap that neither the log nor {@code listener} get
     */
    OutputPump(InputStream in, Path file, long cap, String stream, LineListener listener, LineListener everyLine, boolean keepLastLine) {
        this.in = in;
        this.file = file;
        this.cap = cap;
        this.stream = stream;
        this.listener = listener;
        this.everyLine = everyLine;
        this.maxLineBytes = everyLine == null ? MAX_LINE_BYTES : MAX_OBSERVED_LINE_BYTES;
        this.keepLastLine = keepLastLine;
    }

    static String marker(long cap) {
        return "[swarm: output truncated after " + cap + " bytes]";
    }

    /**
     * Stops recording after what is already in the pipe. If the pump fell behind (a slow listener), the bytes
     * the pipe holds when it next reads are the attempt's own output and are still recorded; if it was
     * waiting on an empty pipe, nothing more is. Output that arrives later (from a process that left the
     * attempt's process group and keeps the pipe open) is read and dropped, so it neither blocks that
     * process nor lands in a finished attempt's log.
     */
    void detach() {
        long since = readSince;
        idleAtDetach = since != 0 && System.nanoTime() - since > IDLE_NANOS;
        detached = true;
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        try {
            boolean endsWithNewline = true;
            int n;
            long allowance = -1; // bytes still recorded once detached: -1 until the detach is first seen
            while (true) {
                readSince = System.nanoTime();
                n = in.read(buf);
                readSince = 0;
                if (n <= 0) break;
                if (detached) {
                    // If the pump had fallen behind, what the pipe holds when it first sees the detach was written
                    // before it, by the attempt's own processes: keep that. If it was waiting on an empty pipe, all
                    // of it came later, from processes that escaped the group: keep none.
                    if (allowance < 0) allowance = idleAtDetach ? 0 : n + in.available();
                    if (allowance <= 0) {
                        closeLog();
                        continue;
                    }
                    if (n > allowance) n = (int) allowance;
                    allowance -= n;
                }
                long before = total;
                total = before + n;
                if (!truncated) {
                    long room = cap == 0 ? n : Math.min(n, cap - before);
                    if (room > 0) {
                        write(buf, (int) room);
                        endsWithNewline = buf[(int) room - 1] == '\n';
                        scanLines(buf, 0, (int) room);
                        // keep the file current (swarm logs --follow, a coordinator killed mid-attempt) while
                        // still batching bursts: write through whenever nothing more is waiting in the pipe
                        if (in.available() == 0) flush();
                    }
                    if (cap > 0 && before + n > cap) {
                        truncated = true;
                        if (lineLength > 0 || lineOverflow) listener.line(stream, currentLineForListener()); // the cut line
                        if (everyLine == null) resetLine();
                        byte[] m = ((endsWithNewline ? "" : "\n") + marker(cap) + "\n").getBytes(StandardCharsets.UTF_8);
                        write(m, m.length);
                        flush();
                        listener.line(stream, marker(cap));
                        if (everyLine != null || keepLastLine) scanLines(buf, (int) Math.max(room, 0), n);
                    }
                } else if (everyLine != null || keepLastLine) {
                    // the last line (a failure's reason) is the stream's, not the last one the log cap kept
                    scanLines(buf, 0, n);
                }
            }
            if (lineLength > 0 || lineOverflow) emitLine(); // a last line without a terminator
        } catch (IOException e) {
            // The pipe closes when the process group is killed; what was captured so far stays in the file.
        } finally {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
            closeLog();
        }
    }

    private void closeLog() {
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            logProblem(e);
        }
        out = null;
        failed = true; // nothing more is written
    }

    /**
     * Appends to the log file, creating it (and its directory) on the first byte: a stream that prints
     * nothing leaves no file, which saves two file creations per quiet attempt. A file that cannot be
     * written is reported once as an output line; the pump keeps draining the pipe either way.
     */
    private void write(byte[] b, int len) {
        if (file == null || failed) return;
        try {
            if (out == null) {
                Path dir = file.toAbsolutePath().getParent();
                if (!Files.isDirectory(dir)) Files.createDirectories(dir);
                out = new BufferedOutputStream(new FileOutputStream(file.toFile()), 8192); // not NIO: see ProcessGroups.readProc
            }
            out.write(b, 0, len);
        } catch (IOException e) {
            logProblem(e);
        }
    }

    private void flush() {
        if (out == null || failed) return;
        try {
            out.flush();
        } catch (IOException e) {
            logProblem(e);
        }
    }

    private void logProblem(IOException e) {
        if (failed) return;
        failed = true;
        listener.line(stream, "[swarm: cannot write the log file " + file + ": " + e.getMessage() + "]");
    }

    private void scanLines(byte[] buf, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                append(buf, start, i - start);
                emitLine();
                start = i + 1;
            }
        }
        if (start < to) append(buf, start, to - start);
    }

    private void append(byte[] buf, int off, int len) {
        if (lineOverflow || len == 0) return;
        int keep = Math.min(len, maxLineBytes - lineLength);
        if (keep < len) lineOverflow = true;
        if (lineLength + keep > line.length) line = Arrays.copyOf(line, Math.max(lineLength + keep, line.length * 2));
        System.arraycopy(buf, off, line, lineLength, keep);
        lineLength += keep;
    }

    /** The line assembled so far as the listener gets it: without a trailing CR, at most {@link #MAX_LINE_BYTES}. */
    private String currentLineForListener() {
        int len = Math.min(lineLength, MAX_LINE_BYTES);
        if (len > 0 && line[len - 1] == '\r') len--;
        return new String(line, 0, len, StandardCharsets.UTF_8);
    }

    /** Hands a complete line to the listener (until the log cap) and to the every-line listener. */
    private void emitLine() {
        if (!truncated) {
            String s = currentLineForListener();
            if (keepLastLine && !s.isBlank()) lastLine = s;
            listener.line(stream, s);
        } else if (keepLastLine) {
            String s = currentLineForListener();
            if (!s.isBlank()) lastLine = s;
        }
        if (everyLine != null && !lineOverflow) {
            int len = lineLength;
            if (len > 0 && line[len - 1] == '\r') len--;
            everyLine.line(stream, new String(line, 0, len, StandardCharsets.UTF_8));
        } else if (everyLine != null) {
            everyLine.skipped(stream, new String(line, 0, Math.min(lineLength, 256), StandardCharsets.UTF_8));
        }
        resetLine();
    }

    private void resetLine() {
        lineLength = 0;
        lineOverflow = false;
        if (line.length > 4096) line = new byte[256];
    }

    long total() {
        return total;
    }

    boolean truncated() {
        return truncated;
    }

    String lastLine() {
        return lastLine;
    }
}
