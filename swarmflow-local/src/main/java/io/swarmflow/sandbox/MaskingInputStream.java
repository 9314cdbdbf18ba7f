package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;

/**
 * A process's output with secret values replaced by {@value #MASK} before anything records or shows it (log files, the
 * console, outputs read from stdout, a failure's last line), as CI systems mask their secrets. A value split across two
 * reads is still found: bytes that could begin a secret are held back until the next read tells, or the stream ends
 * (a pause in the middle of printing one delays those few bytes). The rule is {@link Masking}'s, applied to the bytes:
 * read from the start, at each place the longest secret (then the first by {@link String#compareTo}) that begins there
 * is replaced, so the stream and {@link #mask} (and an attempt's result, masked by core) give the same text.
 */
public final class MaskingInputStream extends FilterInputStream {
    /** What replaces each secret. */
    static final String MASK = Masking.MASK;
    /** Shorter values are not masked: they would mangle ordinary output, and are no secret worth the name. */
    static final int MIN_LENGTH = Masking.MIN_LENGTH;

    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);

    /** The secrets' UTF-8 bytes, in {@link Masking#ordered} order: longest first. */
    private final byte[][] secrets;
    /** Bytes read and not yet released: those that may begin a secret. */
    private byte[] pending = new byte[0];
    /** Bytes released, waiting for the caller. */
    private byte[] ready = new byte[0];
    private int readyPos;
    private boolean eof;

    private MaskingInputStream(InputStream in, byte[][] secrets) {
        super(in);
        this.secrets = secrets;
    }

    /**
     * {@code in} itself when no value is long enough to mask, else {@code in} masking them.
     *
     * @param values the secrets (null or shorter than {@value #MIN_LENGTH} bytes are ignored)
     */
    static InputStream wrap(InputStream in, Collection<String> values) {
        byte[][] secrets = Masking.ordered(values).stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        return secrets.length == 0 ? in : new MaskingInputStream(in, secrets);
    }

    /**
     * {@code value} with each secret of at least {@value #MIN_LENGTH} UTF-8 bytes replaced by {@value #MASK}: the same
     * masking for a value read another way (an output file, a command line) as for the streams ({@link Masking#mask}).
     *
     * @param secrets the secrets (null or shorter ones are ignored)
     */
    public static String mask(String value, Collection<String> secrets) {
        return Masking.mask(value, secrets);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (readyPos == ready.length) {
            if (eof && pending.length == 0) return -1;
            fill();
        }
        int n = Math.min(len, ready.length - readyPos);
        System.arraycopy(ready, readyPos, b, off, n);
        readyPos += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (ready.length - readyPos) + (eof ? 0 : in.available());
    }

    /** Reads once from the stream and releases what can no longer be part of a secret. */
    private void fill() throws IOException {
        if (!eof) {
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            if (n < 0) {
                eof = true;
            } else {
                byte[] joined = Arrays.copyOf(pending, pending.length + n);
                System.arraycopy(buf, 0, joined, pending.length, n);
                pending = joined;
            }
        }
        ByteArrayOutputStream released = new ByteArrayOutputStream(pending.length);
        int i = 0;
        scan:
        while (i < pending.length) {
            boolean mayBegin = false;
            for (byte[] s : secrets) { // longest first
                int m = matched(pending, i, s);
                if (m == s.length) {
                    if (mayBegin && !eof) break scan; // a longer one may still match: wait rather than mask the shorter
                    released.write(MASK_BYTES, 0, MASK_BYTES.length);
                    i += s.length;
                    continue scan;
                }
                if (m == pending.length - i) mayBegin = true; // the rest of what was read begins s
            }
            if (mayBegin && !eof) break; // wait for the next read to tell
            released.write(pending[i]);
            i++;
        }
        pending = Arrays.copyOfRange(pending, i, pending.length);
        ready = released.toByteArray();
        readyPos = 0;
    }

    /** How many bytes of {@code s} match {@code data} from {@code at} (stopping at the end of {@code data}). */
    private static int matched(byte[] data, int at, byte[] s) {
        int k = 0;
        while (k < s.length && at + k < data.length && data[at + k] == s[k]) k++;
        return k;
    }
}
