package io.swarmflow.cli.view;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A ticket's output bytes (UTF-8, or anything) made safe for a terminal, as {@link Printable} makes text safe: every
 * control character is written in its {@link Printable#notation} ({@code ESC} as {@code ^[}, DEL as {@code ^?}, C1 as
 * {@code \x9b}, a bidirectional override as {@code \u202e}); newline, tab and a carriage return right before a newline
 * pass as they are, so lines and columns look as the ticket wrote them. Without this, {@code swarm logs} on a terminal
 * would let a ticket set the clipboard ({@code ESC ] 52}), the window title, hyperlinks, or move the cursor over what
 * was printed. Other bytes, invalid UTF-8 included, pass unchanged.
 *
 * <p>A control character split between two writes (a UTF-8 sequence, or CR and LF, cut by a chunk) is held back until
 * the next write tells what it is; {@link #flush} keeps it held, {@link #finish} writes what is held as it is (a lone
 * CR as {@code ^M}).
 */
public final class PrintableBytes extends FilterOutputStream {
    private final byte[] held = new byte[3];
    private int heldCount;

    /** Writes to {@code out}, which it neither flushes nor closes except when asked to. */
    public PrintableBytes(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        take((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        int plain = off; // start of the bytes that pass as they are, written at once
        for (int i = off; i < off + len; i++) {
            if (heldCount == 0 && passes(b[i])) continue;
            out.write(b, plain, i - plain);
            take(b[i]);
            plain = i + 1;
        }
        out.write(b, plain, off + len - plain);
    }

    /** Writes what is held as it is (a lone CR as {@code ^M}), then flushes: the end of the output. */
    public void finish() throws IOException {
        if (heldCount > 0 && held[0] == '\r') {
            out.write(caret('\r'));
            heldCount = 0;
        }
        out.write(held, 0, heldCount);
        heldCount = 0;
        out.flush();
    }

    /** A byte that is never a control character, nor the first byte of one, when nothing is held. */
    private static boolean passes(byte b) {
        int u = b & 0xff;
        return (u >= 0x20 && u != 0x7f && u != 0xc2 && u != 0xe2) || u == '\n' || u == '\t';
    }

    private void take(byte b) throws IOException {
        if (heldCount == 0) {
            if (passes(b)) out.write(b);
            else if (b == '\r' || b == (byte) 0xc2 || b == (byte) 0xe2) held[heldCount++] = b;
            else out.write(caret((char) (b & 0xff)));
            return;
        }
        int first = held[0] & 0xff, next = b & 0xff;
        if (first == '\r') {
            heldCount = 0;
            if (next == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(caret('\r'));
                take(b);
            }
        } else if (first == 0xc2) { // U+0080-U+009F, the C1 controls, are C2 80 to C2 9F
            heldCount = 0;
            if (next >= 0x80 && next <= 0x9f) {
                out.write(caret((char) next));
            } else {
                out.write(first);
                take(b);
            }
        } else if (heldCount == 1) { // E2: U+2000-U+2FFF, of which the controls begin E2 80 or E2 81
            if (next == 0x80 || next == 0x81) {
                held[heldCount++] = b;
            } else {
                heldCount = 0;
                out.write(first);
                take(b);
            }
        } else {
            char c = (char) (0x2000 | (held[1] & 0x3f) << 6 | (next & 0x3f));
            heldCount = 0;
            if ((next & 0xc0) == 0x80 && Printable.isControl(c)) {
                out.write(caret(c));
            } else {
                out.write(held, 0, 2);
                take(b);
            }
        }
    }

    private static byte[] caret(char c) {
        return Printable.notation(c).getBytes(StandardCharsets.UTF_8);
    }
}
