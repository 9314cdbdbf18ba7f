package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;

/**
 * A process's output with secret values masked before anything records or shows it (log files, the console, outputs
 * read from stdout, a failure's last line), as CI systems mask their secrets. The rule is {@link Masking}'s, applied to
 * the UTF-8 bytes: every byte that lies in any occurrence of any secret is masked, and each run of masked bytes (the
 * occurrences' intervals merged where they overlap or touch) becomes one {@value #MASK}. So the stream, however it is
 * read in pieces, and {@link #mask} (and an attempt's result, masked by core) give the same text.
 *
 * <p>What is held back, and for how long: a byte is released once every place up to it is decided, that is, for each
 * secret, its bytes there either differ somewhere or are all read. So the bytes held are those that may begin a secret
 * still being printed: fewer than the longest secret's UTF-8 bytes plus {@value Masking#MAX_INTERLEAVED} ({@code held()}),
 * whatever was read before. A run
 * of masked bytes is not held as bytes but as a position (where it ends so far): however long a chain of overlapping
 * occurrences is (the secret {@code aaaa} in a million {@code a}s), the memory stays bounded by the longest secret,
 * and the run's one {@value #MASK} is released when the run ends: at the first place after it where no secret begins
 * (known once the byte there, or enough bytes to tell, are read), or at the end of the stream. Until then nothing
 * after the run's start is released: a process that pauses right after printing a secret, or prints an endless chain
 * of one, shows its {@value #MASK} only with its next output or its end. Releasing a {@value #MASK} earlier for a run
 * that may still grow would give two where the text masked whole gives one.
 *
 * <p>A secret printed in pieces with terminal escape sequences between them ({@code grep --color} highlighting a match
 * inside it, {@code printf 'ab\e[1mcd'}) is an occurrence too, by {@link Masking}'s rule: its bytes and the sequences
 * inside it become {@value #MASK}, so the log never holds it in pieces that a terminal, or a report that removes the
 * sequences, would show whole. Up to {@value Masking#MAX_INTERLEAVED} bytes of sequences in one occurrence are
 * matched; what may still become one is held back as any prefix of a secret is, across reads.
 */
public final class MaskingInputStream extends FilterInputStream {
    /** What replaces each run of bytes that secrets cover. */
    static final String MASK = Masking.MASK;
    /** Shorter values are not masked: they would mangle ordinary output, and are no secret worth the name. */
    static final int MIN_LENGTH = Masking.MIN_LENGTH;

    private static final byte[] MASK_BYTES = MASK.getBytes(StandardCharsets.US_ASCII);
    private static final int READ_SIZE = 8192;

    /** The secrets, prepared once ({@link Masking.Secrets}); matched by {@link Masking.Scan} against {@link #pendingChars}. */
    private final Masking.Secrets secrets;
    /** {@code pending[0, pendingLength)}, each byte as one character, for {@link Masking.Scan}. */
    private final CharSequence pendingChars = new CharSequence() {
        @Override
        public int length() {
            return pendingLength;
        }

        @Override
        public char charAt(int index) {
            return (char) (pending[index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new String(pending, start, end - start, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return new String(pending, 0, pendingLength, StandardCharsets.ISO_8859_1);
        }
    };
    /** Bytes read and not yet decided, {@code pending[0, pendingLength)}: those that may begin a secret. */
    private byte[] pending;
    private int pendingLength;
    /** Where {@code pending[0]} is in the stream, counting bytes from its start. */
    private long pendingAt;
    /** Where the run of masked bytes being read ends so far (exclusive, counting as {@link #pendingAt}); -1 if none. */
    private long runEnd = -1;
    /** Bytes released, waiting for the caller. */
    private byte[] ready = new byte[0];
    private int readyPos;
    private boolean eof;

    private MaskingInputStream(InputStream in, Masking.Secrets secrets) {
        super(in);
        this.secrets = secrets;
        this.pending = new byte[READ_SIZE + secrets.longestBytes() + Masking.MAX_INTERLEAVED];
    }

    /**
     * {@code in} itself when no value is long enough to mask, else {@code in} masking them.
     *
     * @param values the secrets (null or shorter than {@value #MIN_LENGTH} bytes are ignored)
     * @throws IllegalArgumentException if a secret holds a lone surrogate, which has no UTF-8 bytes to match
     *                                  ({@link Masking#requireText}); core's {@code AttemptRequest} refuses it before
     *                                  a sandbox starts
     */
    static InputStream wrap(InputStream in, Collection<String> values) {
        Masking.Secrets secrets = Masking.Secrets.of(values);
        return secrets.isEmpty() ? in : new MaskingInputStream(in, secrets);
    }

    /**
     * {@code value} with each run of characters covered by secrets of at least {@value #MIN_LENGTH} UTF-8 bytes replaced
     * by one {@value #MASK} (the class comment): the same masking for a value read another way (an output file, a command line) as for the streams ({@link Masking#mask}).
     *
     * @param secrets the secrets (null or shorter ones are ignored)
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link Masking#requireText})
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
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        while (readyPos == ready.length) {
            if (eof && pendingLength == 0 && runEnd < 0) return -1;
            fill();
        }
        int n = Math.min(len, ready.length - readyPos);
        System.arraycopy(ready, readyPos, b, off, n);
        readyPos += n;
        return n;
    }

    /**
     * 0 exactly when a read may block (or the stream has ended), else an estimate of the bytes in hand, as
     * {@link java.io.BufferedInputStream}'s is: the bytes released, plus those read and held back, plus those the stream
     * under it says it has. When no bytes are released, the bytes the stream under it says it has are read first (that
     * read does not block) and decided, so a secret's prefix that a read would wait on counts 0, not its raw bytes:
     * {@code OutputPump} flushes its log file when this is 0, and raw bytes held back made it skip that flush and then
     * block in the read, with what came before unflushed. A positive count means the next read returns at once (at
     * least one byte); the count itself also serves {@code OutputPump}'s detach allowance (what the pipe holds when a
     * pump that fell behind sees the detach), so it keeps the held and raw bytes. Masking can make the bytes returned
     * fewer or more ({@value #MASK} for a shorter secret) than it counts.
     *
     * @throws IOException if the stream under it fails
     */
    @Override
    public int available() throws IOException {
        while (readyPos == ready.length) {
            if (eof) return 0; // the read that met the end released everything held
            int raw = in.available();
            if (raw <= 0 || fill(Math.min(raw, READ_SIZE)) == 0) return 0;
        }
        long inHand = (long) (ready.length - readyPos) + pendingLength + (eof ? 0 : in.available());
        return (int) Math.min(inHand, Integer.MAX_VALUE);
    }

    /**
     * Skips up to {@code n} bytes of the masked output, reading them as {@link #read(byte[], int, int)} does (so it may
     * block as a read does): never the raw bytes under it, which would skip a held secret's tail and release its head.
     *
     * @return how many bytes were skipped: fewer than {@code n} only at the end of the stream; 0 when {@code n <= 0}
     * @throws IOException if the stream under it fails
     */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) return 0;
        byte[] discard = new byte[(int) Math.min(n, READ_SIZE)];
        long left = n;
        while (left > 0) {
            int r = read(discard, 0, (int) Math.min(left, discard.length));
            if (r < 0) break;
            left -= r;
        }
        return n - left;
    }

    /** False: marking the stream under it would rewind the raw bytes, not the masked ones. */
    @Override
    public boolean markSupported() {
        return false;
    }

    /** Does nothing: {@link #markSupported()} is false. */
    @Override
    public void mark(int readlimit) {
        // not supported: see markSupported
    }

    /**
     * Always throws: {@link #markSupported()} is false.
     *
     * @throws IOException always
     */
    @Override
    public void reset() throws IOException {
        throw new IOException("mark/reset not supported by MaskingInputStream (markSupported() is false)");
    }

    /**
     * How many bytes read are held back, not yet decided: fewer than the longest secret's UTF-8 bytes plus
     * {@value Masking#MAX_INTERLEAVED} between reads (the class comment). For tests.
     */
    int held() {
        return pendingLength;
    }

    /** {@link #fill(int)} of up to {@value #READ_SIZE} bytes. */
    private void fill() throws IOException {
        fill(READ_SIZE);
    }

    /**
     * Reads once from the stream, up to {@code size} bytes (1 to {@value #READ_SIZE}), and releases what is decided:
     * bytes no secret covers, and runs that have ended. Called only when the released bytes are all returned.
     *
     * @return how many bytes were read, -1 at the end of the stream (then, and once the end was met, everything held is released)
     */
    private int fill(int size) throws IOException {
        int n = -1;
        if (!eof) {
            if (pending.length - pendingLength < size) pending = Arrays.copyOf(pending, pendingLength + READ_SIZE);
            n = in.read(pending, pendingLength, size);
            if (n < 0) eof = true;
            else pendingLength += n;
        }
        ByteArrayOutputStream released = new ByteArrayOutputStream(pendingLength + MASK_BYTES.length);
        Masking.Scan scan = new Masking.Scan(pendingChars, secrets, eof); // one per state of pending: linear work
        int i = 0;
        for (; i < pendingLength; i++) {
            int longest = scan.at(i); // -1: a secret may begin here: wait for the next read to tell
            if (longest < 0) break;
            long at = pendingAt + i;
            if (runEnd == at && longest == 0) { // the run neither overlaps nor touches an occurrence beginning here
                released.write(MASK_BYTES, 0, MASK_BYTES.length);
                runEnd = -1;
            }
            if (runEnd >= 0) runEnd = Math.max(runEnd, at + longest);
            else if (longest > 0) runEnd = at + longest;
            else released.write(pending[i]);
        }
        if (eof && i == pendingLength && runEnd >= 0) { // a run that ends with the stream
            released.write(MASK_BYTES, 0, MASK_BYTES.length);
            runEnd = -1;
        }
        System.arraycopy(pending, i, pending, 0, pendingLength - i);
        pendingLength -= i;
        pendingAt += i;
        ready = released.toByteArray();
        readyPos = 0;
        return n;
    }
}
