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
 *
 * <p>For the {@link LineListener} and the last line (a failure's reason) a line ends at an LF or at a lone CR, as a
 * terminal shows it: a progress bar that prints {@code \r10%\r20%\r30%} and no LF until it is done is seen state by
 * state while it runs, not as one line when it ends. CR LF is one line end, and so are several CRs in a row (with or
 * without an LF after them); a part between two CRs that holds nothing is not passed on, while an empty line ended by LF
 * (or CR LF) is. A CR ends its line at once: whether an LF follows it, perhaps in the next read, only decides that the
 * LF ends nothing more. Each line is passed on with whether it continues the terminal line of the one before it (that
 * one ended by CRs no LF followed: {@link LineListener#line(String, String, boolean, boolean)}), which is known when it is passed
 * on, however the reads split the stream, and whether the next line may continue it (CRs ended it and no LF is seen
 * after them in the same read): a line ended by LF is told it cannot be, at once. The every-line listener (JSON outputs) still gets lines ended by LF alone, and the log file the
 * bytes as written.
 */
final class OutputPump implements Runnable {
    /** Longest line (LF or CR ended) handed to the {@link LineListener} (longer ones are cut), in bytes: {@link LineListener#MAX_LINE_BYTES}. */
    static final int MAX_LINE_BYTES = LineListener.MAX_LINE_BYTES;
    /** Longest line (LF ended) handed to the every-line listener (longer ones are skipped), in bytes. */
    static final int MAX_OBSERVED_LINE_BYTES = 1024 * 1024;

    private final InputStream in;
    private final Path file;
    private final long cap;
    private final String stream;
    private final LineListener listener;
    /** Every complete line of the whole stream, past the log cap too, or null. */
    private final LineListener everyLine;
    private final boolean keepLastLine;

    private OutputStream out;
    private boolean failed;
    /** The line being read for the listener and the last line, ended by LF or a lone CR. */
    private final Pending segment = new Pending(MAX_LINE_BYTES);
    /** Whether the last byte read was a CR: an LF right after it ends no other line. */
    private boolean afterCr;
    /** Whether the CR (or CRs in a row) just read ended a line that held something. */
    private boolean crEndedLine;
    /**
     * Whether the last line passed on to the listener was ended by CRs that no LF has followed yet: the next line is
     * drawn over it, on the same line of the terminal.
     */
    private boolean afterLoneCr;
    /** The line being read for {@link #everyLine}, ended by LF alone; null without one. */
    private final Pending line;
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
        this.line = everyLine == null ? null : new Pending(MAX_OBSERVED_LINE_BYTES);
        this.keepLastLine = keepLastLine;
    }

    static String marker(long cap) {
        return marker(cap, false);
    }

    /**
     * The line that ends a capped log: {@code [swarm: output truncated after N bytes]}, with {@code , inside the line
     * above} when the cap fell inside a line, after neither an LF nor a CR (the text above it is then that line's beginning,
     * not all of it; review B N3).
     */
    static String marker(long cap, boolean insideALine) {
        return "[swarm: output truncated after " + cap + " bytes" + (insideALine ? ", inside the line above" : "") + "]";
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
            boolean endsALine = true; // the bytes kept so far end with LF or CR: a cap there cuts no line
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
                        endsALine = endsWithNewline || buf[(int) room - 1] == '\r';
                        scan(buf, 0, (int) room);
                        // keep the file current (swarm logs --follow, a coordinator killed mid-attempt) while
                        // still batching bursts: write through whenever nothing more is waiting in the pipe
                        if (in.available() == 0) flush();
                    }
                    if (cap > 0 && before + n > cap) {
                        truncated = true;
                        if (!segment.isEmpty()) {
                            // told only before a cut line (not when the cap fell on a line's end): the view then says
                            // the log file has only its part
                            listener.logCapped(stream);
                            listener.line(stream, segment.text(MAX_LINE_BYTES), afterLoneCr, false); // the cut line
                        }
                        // kept whole for the last line (a failure's reason), which goes on past the cap: not the fragment after it
                        if (!keepLastLine) segment.reset();
                        byte[] m = ((endsWithNewline ? "" : "\n") + marker(cap, !endsALine) + "\n").getBytes(StandardCharsets.UTF_8);
                        write(m, m.length);
                        flush();
                        listener.line(stream, marker(cap, !endsALine), false, false);
                        afterLoneCr = false;
                        scan(buf, (int) Math.max(room, 0), n);
                    }
                } else {
                    // the last line (a failure's reason) is the stream's, not the last one the log cap kept
                    scan(buf, 0, n);
                }
            }
            // a last line without a terminator
            if (!segment.isEmpty()) emitSegment(false, false);
            if (line != null && !line.isEmpty()) emitLine();
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
        listener.line(stream, "[swarm: cannot write the log file " + file + ": " + e.getMessage() + "]", false, false);
        afterLoneCr = false; // the line after this one does not continue it
    }

    /**
     * Reads the lines in {@code buf[from, to)}: for the listener and the last line until the log cap, for the last line
     * only past it (when kept); for the every-line listener, to the end of the stream.
     */
    private void scan(byte[] buf, int from, int to) {
        if (!truncated || keepLastLine) scanSegments(buf, from, to);
        if (line != null) scanLines(buf, from, to);
    }

    /** Ends a line at each LF or lone CR: see the class comment. */
    private void scanSegments(byte[] buf, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            byte b = buf[i];
            if (b != '\r' && b != '\n') continue;
            if (i > start) {
                segment.append(buf, start, i - start);
                afterCr = false;
            }
            start = i + 1;
            if (b == '\r') {
                if (!afterCr) {
                    crEndedLine = !segment.isEmpty();
                    if (crEndedLine) emitSegment(true, !lfAfterCrs(buf, i, to));
                    afterCr = true;
                }
            } else {
                // an LF after CRs that ended a line ends nothing more; after CRs that ended nothing, it ends an empty line
                if (!afterCr || !crEndedLine) emitSegment(false, false);
                afterCr = false;
                afterLoneCr = false; // the CRs that ended the line before were not lone: the next line is a new one
            }
        }
        if (start < to) {
            segment.append(buf, start, to - start);
            afterCr = false;
        }
    }

    /** Whether the CRs from {@code buf[cr]} on are followed by an LF in {@code buf[cr, to)}: false when the read ends first. */
    private static boolean lfAfterCrs(byte[] buf, int cr, int to) {
        int j = cr;
        while (j < to && buf[j] == '\r') j++;
        return j < to && buf[j] == '\n';
    }

    /**
     * Hands a complete line to the listener (until the log cap) and keeps it as the last line when it is not blank.
     *
     * @param endedByCr      whether CRs ended it (an LF may still follow them, in this read or the next)
     * @param mayBeContinued whether the next line may continue it: CRs ended it and no LF follows them in this read
     */
    private void emitSegment(boolean endedByCr, boolean mayBeContinued) {
        String s = segment.text(MAX_LINE_BYTES);
        if (!truncated) listener.line(stream, s, afterLoneCr, mayBeContinued);
        afterLoneCr = endedByCr;
        if (keepLastLine && !s.isBlank()) lastLine = s;
        segment.reset();
    }

    /** Ends a line at each LF, for the every-line listener. */
    private void scanLines(byte[] buf, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                line.append(buf, start, i - start);
                emitLine();
                start = i + 1;
            }
        }
        if (start < to) line.append(buf, start, to - start);
    }

    /** Hands a complete LF-ended line, without a CR before its LF, to the every-line listener, or its start when too long. */
    private void emitLine() {
        if (line.overflow) {
            everyLine.skipped(stream, line.text(256));
        } else {
            int len = line.length;
            if (len > 0 && line.bytes[len - 1] == '\r') len--;
            everyLine.line(stream, line.text(len));
        }
        line.reset();
    }

    /** The bytes of a line being read, up to {@code max}; what comes past it is dropped, and noted. */
    private static final class Pending {
        private final int max;
        private byte[] bytes = new byte[256];
        private int length;
        private boolean overflow;

        Pending(int max) {
            this.max = max;
        }

        void append(byte[] buf, int off, int len) {
            if (overflow || len == 0) return;
            int keep = Math.min(len, max - length);
            if (keep < len) overflow = true;
            if (length + keep > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(length + keep, bytes.length * 2));
            System.arraycopy(buf, off, bytes, length, keep);
            length += keep;
        }

        /** Whether nothing was read since the last {@link #reset}. */
        boolean isEmpty() {
            return length == 0 && !overflow;
        }

        /** The first {@code upTo} bytes kept, decoded as UTF-8. */
        String text(int upTo) {
            return new String(bytes, 0, Math.min(length, upTo), StandardCharsets.UTF_8);
        }

        void reset() {
            length = 0;
            overflow = false;
            if (bytes.length > 4096) bytes = new byte[256];
        }
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
