package io.swarmflow.cli.view;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A ticket's output bytes (UTF-8, or anything) made safe for a terminal, as {@link Printable} makes text safe: every
 * control character is written in its {@link Printable#notation} ({@code ESC} as {@code ^[}, DEL as {@code ^?}, C1 as
 * {@code \x9b}, a bidirectional override as {@code \u202e}); newline, tab and a carriage return right before a newline
 * pass as they are, so lines and columns look as the ticket wrote them, and so do colours: an SGR sequence ({@code ESC [},
 * digits and semicolons, {@code m}, such as {@code ESC [1;31m}; at most {@value #MAX_SGR} bytes), as {@code less -R}
 * keeps them. Without this, {@code swarm logs} on a terminal would let a ticket set the clipboard ({@code ESC ] 52}), the
 * window title, hyperlinks, or move the cursor over what was printed. A byte 0x80-0x9F that is not part of a valid
 * UTF-8 sequence (RFC 3629) is shown as {@code \x9b} too: a terminal reading 8-bit controls (a Latin-1 locale, the Linux
 * console outside UTF-8 mode) takes it for a C1 control ({@code 0x9b} CSI, {@code 0x9d} OSC, {@code 0x9c} ST). Other
 * bytes pass unchanged, other invalid UTF-8 included (0xA0-0xFF where no valid sequence has them, such as {@code 0xff}
 * or a stray {@code 0xa9}): no terminal acts on them. Any other escape sequence, one with other bytes among its parameters ({@code ESC [1:2m}, {@code ESC [?25l})
 * or a longer one is shown with its {@code ESC} as {@code ^[}.
 *
 * <p>A lone carriage return (a progress bar's {@code 10%\r20%\r}) ends a line: it is written as a newline, so each
 * state of the bar gets a line of its own and none overwrites what was shown (as {@code ^M} such output read as one
 * garbled line). CRs in a row count as one, as on a terminal (CR CR LF ends one line), and a CR where a line begins
 * (the first byte, or after a newline) is dropped, as it moves nothing there. The live view shows the same: a
 * line's text after its last lone CR ({@link ProgressView}).
 *
 * <p>A control character split between two writes (a UTF-8 sequence, or CR and LF, cut by a chunk) is held back until
 * the next write tells what it is; {@link #flush} keeps it held, {@link #finish} writes what is held as it is (a lone
 * CR as a line end), and after colours a reset ({@code ESC [m}), so that a colour the ticket left on does not colour
 * what the terminal shows next.
 *
 * <p>What is shown is gathered in a buffer of {@value #BUFFER_BYTES} bytes and written to {@code out} when the buffer is
 * full, at {@link #flush} and at {@link #finish}: an escaped control character costs {@code out} no write of its own, so
 * that 10 MB of {@code ESC} reach a terminal in as few writes as 10 MB of text (over an {@code out} that flushes on every
 * write, as {@code swarm logs}'s standard output does, each would otherwise be a system call). {@code swarm logs} flushes
 * after each chunk it reads, so {@code --follow} shows a line as soon as it is in the log.
 *
 * <p>Its writes, {@link #flush}, {@link #finish} and {@link #end} hold its lock, so that another thread may end it while
 * one writes ({@code swarm logs --follow} interrupted by Ctrl-C: its shutdown hook prints what was read and is still
 * held, then resets the colours, and drops what the main thread writes after that; the main thread's write in progress
 * ends first, or, blocked on a terminal that takes no output, holds the hook until the hook's wait is over).
 */
public final class PrintableBytes extends FilterOutputStream {
    /** Bytes of the longest SGR sequence passed as it is, {@code ESC [} and {@code m} included. */
    public static final int MAX_SGR = 64;

    /** Bytes gathered before they are written to {@code out} at once. */
    public static final int BUFFER_BYTES = 8192;

    private final byte[] held = new byte[MAX_SGR];
    /** What is shown, not yet written to {@code out}. */
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private int buffered;
    private int heldCount;
    /** Whether the last byte written ended a line, or none was written: a CR there moves nothing. */
    private boolean lineStart = true;

    /** Writes to {@code out}, which it neither flushes nor closes except when asked to. */
    public PrintableBytes(OutputStream out) {
        super(out);
    }

    /** Whether {@link #end} was called: every later write, flush and finish does nothing. */
    private boolean ended;

    /** Shows {@code b} (its low 8 bits); does nothing after {@link #end}. */
    @Override
    public synchronized void write(int b) throws IOException {
        if (ended) return;
        take((byte) b);
    }

    /**
     * Shows {@code b[off, off + len)}; does nothing after {@link #end}.
     *
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code b}
     */
    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (ended) return;
        int plain = off; // start of the bytes that pass as they are, written at once
        for (int i = off; i < off + len; i++) {
            if (heldCount == 0 && passes(b[i])) continue;
            emit(b, plain, i - plain);
            take(b[i]);
            plain = i + 1;
        }
        emit(b, plain, off + len - plain);
    }

    /** Whether an SGR sequence passed: {@link #finish} then resets the colours. */
    private boolean coloured;

    /**
     * Writes what is held as it is (a lone CR as a line end; an {@code ESC} as {@code ^[}), resets the colours if an SGR
     * sequence passed, then flushes: the end of the output so far (later writes are shown, and a later finish ends them
     * in turn). Does nothing after {@link #end}.
     */
    public synchronized void finish() throws IOException {
        if (ended) return;
        if (heldCount > 0 && held[0] == '\r') {
            lineEnd();
            heldCount = 0;
        }
        if (heldCount > 0 && held[0] == ESC) notSgr(); // an SGR sequence cut short: not one
        if (heldCount > 0 && lead(held[0] & 0xff)) stray(); // a UTF-8 sequence cut short by the end
        emit(held, 0, heldCount);
        heldCount = 0;
        if (coloured) {
            emit(RESET);
            coloured = false;
        }
        flush();
    }

    /**
     * {@link #finish}, then drops everything written later, for good: the end of the output for another thread that may
     * still be writing ({@code swarm logs --follow} interrupted by Ctrl-C: a shutdown hook does not stop the main
     * thread, whose next copy, or the rest of one in progress, would otherwise come after the colour reset and leave
     * the terminal in its colours, or a held CR's line end followed by its LF as an extra blank line). Once it returns,
     * nothing more reaches {@code out} through this stream; a second call does nothing.
     *
     * @throws IOException if {@code out} fails (the stream is ended all the same)
     */
    public synchronized void end() throws IOException {
        if (ended) return;
        try {
            finish();
        } finally {
            ended = true;
        }
    }

    /**
     * Writes what is shown so far to {@code out} and flushes it; a control character cut by the writes stays held (see
     * {@link #finish}). Does nothing after {@link #end}.
     */
    @Override
    public synchronized void flush() throws IOException {
        if (ended) return;
        drain();
        out.flush();
    }

    /** Writes the buffer to {@code out}, in one write. */
    private void drain() throws IOException {
        if (buffered == 0) return;
        int n = buffered;
        buffered = 0;
        out.write(buffer, 0, n);
    }

    /**
     * A byte that is never a control character, nor the first byte of one, when nothing is held: ASCII text, newline,
     * tab, and the bytes that are invalid UTF-8 wherever they stand but not 8-bit C1 controls (0xA0-0xC1, 0xF5-0xFF).
     * The first byte of a UTF-8 sequence (0xC2-0xF4) is held until the sequence is whole; a byte 0x80-0x9F on its own is
     * an 8-bit C1 control.
     */
    private static boolean passes(byte b) {
        int u = b & 0xff;
        return (u >= 0x20 && u < 0x7f) || u == '\n' || u == '\t' || (u >= 0xa0 && u <= 0xc1) || u >= 0xf5;
    }

    /** Whether {@code u} begins a UTF-8 sequence of 2 to 4 bytes. */
    private static boolean lead(int u) {
        return u >= 0xc2 && u <= 0xf4;
    }

    /** The length of the UTF-8 sequence that lead byte {@code u} begins. */
    private static int sequenceLength(int u) {
        return u < 0xe0 ? 2 : u < 0xf0 ? 3 : 4;
    }

    /**
     * Whether {@code next} may stand at position {@code index} (1 to 3) of a UTF-8 sequence beginning with {@code first}
     * (RFC 3629, section 4: no overlong forms, no surrogates, nothing above U+10FFFF).
     */
    private static boolean continues(int first, int index, int next) {
        int lo = 0x80, hi = 0xbf;
        if (index == 1) {
            if (first == 0xe0) lo = 0xa0;
            else if (first == 0xed) hi = 0x9f;
            else if (first == 0xf0) lo = 0x90;
            else if (first == 0xf4) hi = 0x8f;
        }
        return next >= lo && next <= hi;
    }

    private void take(byte b) throws IOException {
        if (heldCount == 0) {
            if (passes(b)) emit(b);
            else if (b == '\r' || b == ESC || lead(b & 0xff)) held[heldCount++] = b;
            else emit(caret((char) (b & 0xff)));
            return;
        }
        int first = held[0] & 0xff, next = b & 0xff;
        if (first == ESC) { // an SGR sequence (colours) passes whole; any other escape sequence is shown
            if (heldCount == 1 ? next == '[' : (next >= '0' && next <= '9' || next == ';') && heldCount < MAX_SGR - 1) {
                held[heldCount++] = b;
            } else if (heldCount > 1 && next == 'm') {
                emit(held, 0, heldCount);
                heldCount = 0;
                emit(b);
                coloured = true;
            } else {
                notSgr();
                take(b);
            }
        } else if (first == '\r') {
            if (next == '\r') return; // CRs in a row: the cursor is at the line's start after one as after several
            heldCount = 0;
            if (next == '\n') {
                emit('\r');
                emit('\n');
            } else {
                lineEnd();
                take(b);
            }
        } else if (continues(first, heldCount, next)) { // a UTF-8 sequence, whole once it has its length
            held[heldCount++] = b;
            if (heldCount < sequenceLength(first)) return;
            int length = heldCount;
            heldCount = 0;
            int c = length == 2 ? (first & 0x1f) << 6 | (next & 0x3f)
                    : length == 3 ? (first & 0x0f) << 12 | (held[1] & 0x3f) << 6 | (next & 0x3f) : -1;
            if (c >= 0 && Printable.isControl((char) c)) emit(caret((char) c)); // C1 (C2 80-C2 9F), bidi, separators
            else emit(held, 0, length);
        } else { // a sequence cut short: invalid UTF-8, its bytes on their own
            stray();
            take(b);
        }
    }

    /**
     * Writes the held bytes, the beginning of a UTF-8 sequence that was cut short, as they are but for those 0x80-0x9F,
     * which an 8-bit terminal would take for C1 controls: shown as {@code \x9b}.
     */
    private void stray() throws IOException {
        int count = heldCount;
        heldCount = 0;
        for (int k = 0; k < count; k++) {
            int u = held[k] & 0xff;
            if (u >= 0x80 && u <= 0x9f) emit(caret((char) u));
            else emit(u);
        }
    }

    /** Writes the held bytes, which begin with an {@code ESC} that starts no SGR sequence, with that {@code ESC} shown. */
    private void notSgr() throws IOException {
        int count = heldCount;
        heldCount = 0;
        emit(caret((char) ESC));
        emit(held, 1, count - 1); // '[', digits and semicolons: text
    }

    private static final int ESC = 0x1b;
    private static final byte[] RESET = {ESC, '[', 'm'};
    /** The SGR reset, {@code ESC [ m}, as text: what {@link #finish} writes after colours passed. */
    public static final String RESET_TEXT = "\u001b[m";

    /** A lone CR: a newline, unless the line is empty (a CR at its start moves nothing). */
    private void lineEnd() throws IOException {
        if (!lineStart) emit('\n');
    }

    private void emit(int b) throws IOException {
        if (buffered == buffer.length) drain();
        buffer[buffered++] = (byte) b;
        lineStart = (byte) b == '\n';
    }

    private void emit(byte[] b) throws IOException {
        emit(b, 0, b.length);
    }

    private void emit(byte[] b, int off, int len) throws IOException {
        if (len == 0) return;
        if (len > buffer.length - buffered) drain();
        if (len >= buffer.length) out.write(b, off, len); // a long run of text: as it is, in one write
        else {
            System.arraycopy(b, off, buffer, buffered, len);
            buffered += len;
        }
        lineStart = b[off + len - 1] == '\n';
    }

    private static byte[] caret(char c) {
        return Printable.notation(c).getBytes(StandardCharsets.UTF_8);
    }
}
