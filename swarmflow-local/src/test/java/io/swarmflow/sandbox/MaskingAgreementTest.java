package io.swarmflow.sandbox;

import io.swarmflow.files.mask.Masking;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * One masking rule: an attempt's result (core's {@link Masking}, with which {@code AttemptResult#masked} masks reasons and outputs), a text the sandbox
 * masks ({@link MaskingInputStream#mask}) and a process's output stream ({@link MaskingInputStream#wrap}, read in any
 * pieces) give the same text, whatever the order the secrets come in; and that text is the union rule's: every
 * character some occurrence of some secret covers is masked, each run of them one {@code ***} ({@link #reference}).
 */
class MaskingAgreementTest {
    /** The text as the stream gives it, read at most {@code chunk} bytes at a time. */
    private static String streamed(String text, List<String> secrets, int chunk) throws IOException {
        return streamed(text, secrets, List.of(chunk), List.of(8192));
    }

    /**
     * The text as the stream gives it when the process's pipe hands out {@code pieces} bytes at a time (the sizes used
     * in turn) and the reader asks for {@code asks} bytes at a time (in turn; 0 stands for the one-byte {@code read()}).
     */
    private static String streamed(String text, Collection<String> secrets, List<Integer> pieces, List<Integer> asks)
            throws IOException {
        InputStream source = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)) {
            private int next;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, pieces.get(next++ % pieces.size())));
            }
        };
        InputStream in = MaskingInputStream.wrap(source, secrets);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64];
        for (int k = 0; ; k++) {
            int ask = asks.get(k % asks.size());
            if (ask == 0) {
                int b = in.read();
                if (b < 0) break;
                out.write(b);
            } else {
                int n = in.read(buf, 0, Math.min(ask, buf.length));
                if (n < 0) break;
                assertThat(n).as("a read returns at least one byte").isPositive();
                out.write(buf, 0, n);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The union rule read plainly, as a check of both forms: mark each character of every occurrence of every secret
     * of at least {@link Masking#MIN_LENGTH} UTF-8 bytes (all occurrences, found by {@link String#indexOf} from each
     * place), then write one {@code ***} for each run of marked characters.
     */
    static String reference(String text, Collection<String> secrets) {
        boolean[] covered = new boolean[text.length()];
        for (String s : secrets) {
            if (s == null || s.getBytes(StandardCharsets.UTF_8).length < Masking.MIN_LENGTH) continue;
            for (int at = text.indexOf(s); at >= 0; at = text.indexOf(s, at + 1)) {
                Arrays.fill(covered, at, at + s.length(), true);
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            if (!covered[i]) out.append(text.charAt(i));
            else if (i == 0 || !covered[i - 1]) out.append("***");
        }
        return out.toString();
    }

    /** Each form, with the secrets in the given order and reversed, gives {@code expected}, as does the reference. */
    private static void allGive(String expected, String text, List<String> secrets) throws IOException {
        assertThat(reference(text, secrets)).as("reference, %s in %s", secrets, text).isEqualTo(expected);
        for (List<String> order : List.of(secrets, secrets.reversed())) {
            Set<String> set = new LinkedHashSet<>(order); // iterated in this order
            assertThat(Masking.mask(text, set)).as("core, %s in %s", order, text).isEqualTo(expected);
            assertThat(MaskingInputStream.mask(text, set)).as("sandbox text, %s in %s", order, text).isEqualTo(expected);
            for (int chunk : new int[] {1, 2, 3, 8192}) {
                assertThat(streamed(text, order, chunk)).as("stream by %d, %s in %s", chunk, order, text).isEqualTo(expected);
            }
            assertThat(streamed(text, order, List.of(1, 5, 2), List.of(0, 3, 1)))
                    .as("stream by 1, 5, 2 read by 1, 3, 1, %s in %s", order, text).isEqualTo(expected);
        }
    }

    @Test
    void theSameConstants() {
        assertThat(MaskingInputStream.MASK).isEqualTo(Masking.MASK);
        assertThat(MaskingInputStream.MIN_LENGTH).isEqualTo(Masking.MIN_LENGTH);
    }

    @Test
    void overlappingSecretsAreMaskedAsOneRunLeavingNoTailOfEither() throws IOException {
        // before the union rule: "***efgh" (the tail "efgh" of "cdefgh" shown), "***xyzw", "***e", "***x", "x***ey"
        allGive("***", "abcdefgh", List.of("cdefgh", "abcd"));
        allGive("***", "€€€xyzw", List.of("€€€", "€xyzw")); // 9 bytes and 7: by bytes or by chars, all is covered
        allGive("***", "xbcde", List.of("bcde", "xbcd"));
        allGive("***", "abcdx", List.of("bcdx", "abcd"));
        allGive("x***y", "xabcdey", List.of("abcd", "bcde"));
        allGive("x***y", "xabcdefy", List.of("bcde", "abcdef"));
        allGive("***", "abcd", List.of("abcd", "abcd"));
        allGive("x *** y *** z", "x s3cr3t-value y s3cr3t z", List.of("s3cr3t-value", "s3cr3t"));
        allGive("unchanged", "unchanged", List.of("abc", "z"));
    }

    @Test
    void aChainOfOverlapsIsOneRunHoweverLong() throws IOException {
        allGive("***", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", List.of("aaaa"));
        allGive("***b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", List.of("aaaa"));
        allGive("x***y", "xabababababababababy", List.of("abab", "bababa"));
        allGive("aaa-***-aaa", "aaa-aaaaa-aaa", List.of("aaaa"));
        allGive("€€€-***", "€€€-€€€€€€", List.of("€€€€"));
    }

    @Test
    void touchingOccurrencesAreOneRunAndSeparateOnesStaySeparate() throws IOException {
        allGive("***", "abcdefgh", List.of("abcd", "efgh"));
        allGive("***", "s3cr3ts3cr3t", List.of("s3cr3t"));
        allGive("***-***", "abcd-abcd", List.of("abcd"));
        allGive("*** ***", "abcd efgh", List.of("abcd", "efgh"));
        allGive("<***>", "<abcd😀x>", List.of("abcd", "😀x"));
    }

    @Test
    void aSecretStillBeingReadHoldsBackOnlyWhatMayBeginItAndARunIsReleasedWhenItEnds() throws IOException {
        List<String> pieces = List.of("x s3c", "r3t", "s3cr3t", " y");
        InputStream source = new InputStream() {
            private int next;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (next == pieces.size()) return -1;
                byte[] piece = pieces.get(next++).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(piece, 0, b, off, piece.length);
                return piece.length;
            }
        };
        MaskingInputStream in = (MaskingInputStream) MaskingInputStream.wrap(source, List.of("s3cr3t"));
        byte[] buf = new byte[100];
        List<String> reads = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
            reads.add(new String(buf, 0, n, StandardCharsets.UTF_8));
            held.add(in.held());
        }
        // "s3c" may begin the secret: held; the secret's run may be touched by another: kept open (no bytes held) until
        // " " tells it has ended
        assertThat(reads).containsExactly("x ", "*** y");
        assertThat(held).containsExactly(3, 0);
    }

    /**
     * A chain of overlapping occurrences (the secret {@code aaaa} in three million {@code a}s, read in 8 KiB pieces)
     * holds no more than the longest secret's bytes at any time, and ends as one {@code ***}.
     */
    @Test
    void aLongChainOfOverlapsStreamsWithBoundedMemory() throws IOException {
        long total = 3_000_000;
        MaskingInputStream[] masking = new MaskingInputStream[1];
        int[] mostHeld = {0};
        InputStream source = new InputStream() {
            private long given;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                mostHeld[0] = Math.max(mostHeld[0], masking[0].held());
                if (given > total) return -1;
                int n = (int) Math.min(len, total + 1 - given);
                Arrays.fill(b, off, off + n, (byte) 'a');
                given += n;
                if (given == total + 1) b[off + n - 1] = 'b';
                return n;
            }
        };
        masking[0] = (MaskingInputStream) MaskingInputStream.wrap(source, List.of("aaaa", "aaaaaaaa"));
        assertThat(new String(masking[0].readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("***b");
        assertThat(mostHeld[0]).as("bytes held between reads").isLessThanOrEqualTo(8); // a whole one: a BS may follow (bold)
    }

    @Property(tries = 300)
    void anySecretsAnyText(@ForAll("secrets") List<String> secrets, @ForAll("texts") String text,
                           @ForAll @IntRange(min = 1, max = 9) int chunk) throws IOException {
        String expected = reference(text, secrets);
        assertThat(Masking.mask(text, secrets)).isEqualTo(expected);
        assertThat(MaskingInputStream.mask(text, new ArrayList<>(secrets).reversed())).isEqualTo(expected);
        assertThat(streamed(text, secrets, chunk)).isEqualTo(expected);
        assertThat(streamed(text, secrets.reversed(), chunk)).isEqualTo(expected);
    }

    /**
     * Secrets of two letters overlap each other and themselves often, in long chains; the stream is read in pieces of
     * any sizes, by a reader asking any sizes: every form gives the union rule's text.
     */
    @Property(tries = 500)
    void denseOverlapsAnyPieces(@ForAll("denseSecrets") List<String> secrets, @ForAll("denseTexts") String text,
                                @ForAll("sizes") List<Integer> pieces, @ForAll("asks") List<Integer> asks) throws IOException {
        String expected = reference(text, secrets);
        assertThat(Masking.mask(text, secrets)).isEqualTo(expected);
        assertThat(streamed(text, secrets, pieces, asks)).isEqualTo(expected);
        assertThat(streamed(text, secrets.reversed(), pieces, asks)).isEqualTo(expected);
    }

    /**
     * A secret holding a lone surrogate is refused by every form alike, with the same message: none masks
     * {@code ab?cd}, the ordinary text that is all a stream has of it (before the fix the stream masked it and the
     * string form did not).
     */
    @Test
    void aSecretHoldingALoneSurrogateIsRefusedByEveryFormAlike() {
        for (String secret : List.of("ab\ud800cd", "\udc00abcd", "abcd\ud83d", "\ud800\ud800\ud800\ud800")) {
            List<String> secrets = List.of("s3cr3t", secret);
            Throwable core = catchThrowable(() -> Masking.mask("x ab?cd ???? ?abcd y", secrets));
            Throwable text = catchThrowable(() -> MaskingInputStream.mask("x ab?cd ???? ?abcd y", secrets));
            Throwable stream = catchThrowable(() -> streamed("x ab?cd ???? ?abcd y", secrets, 8192));
            assertThat(core).as(secret).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone surrogate");
            assertThat(text).as(secret).isInstanceOf(IllegalArgumentException.class).hasMessage(core.getMessage());
            assertThat(stream).as(secret).isInstanceOf(IllegalArgumentException.class).hasMessage(core.getMessage());
        }
    }

    /**
     * A lone surrogate in a text is written as {@code ?}: the string form matches it as that {@code ?}, as the stream
     * matches the byte, so each gives the same bytes; where no secret covers it, it is kept.
     */
    @Test
    void aLoneSurrogateInTheTextIsMaskedAsTheByteItIsWrittenAs() throws IOException {
        String text = "x ab\ud800cd \udc00 ab?cd y";
        List<String> secrets = List.of("ab?cd");
        assertThat(Masking.mask(text, secrets)).isEqualTo("x *** \udc00 *** y");
        assertThat(streamed(text, secrets, 1)).isEqualTo("x *** ? *** y");
        assertThat(written(Masking.mask(text, secrets))).isEqualTo(streamed(text, secrets, 3));
    }

    /**
     * Any text, lone surrogates and {@code ?} in it, and any secrets (valid text, some with {@code ?}): the UTF-8 bytes
     * of the string form's text are the stream's, and both are the union rule's over the text as written.
     */
    @Property(tries = 300)
    void anyTextWithLoneSurrogatesGivesTheSameBytesInBothForms(@ForAll("questionSecrets") List<String> secrets,
                                                              @ForAll("surrogateTexts") String text,
                                                              @ForAll @IntRange(min = 1, max = 9) int chunk) throws IOException {
        String expected = reference(written(text), secrets);
        assertThat(written(Masking.mask(text, secrets))).isEqualTo(expected);
        assertThat(written(MaskingInputStream.mask(text, secrets.reversed()))).isEqualTo(expected);
        assertThat(streamed(text, secrets, chunk)).isEqualTo(expected);
        assertThat(streamed(text, secrets.reversed(), chunk)).isEqualTo(expected);
    }

    /** {@code text} as UTF-8 writes it: each lone surrogate becomes {@code ?}, as in a log, the console or the store. */
    private static String written(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<List<String>> questionSecrets() {
        return Arbitraries.of("a", "?", "😀").list().ofMinSize(1).ofMaxSize(5).map(l -> String.join("", l)).list().ofMaxSize(4);
    }

    /** Letters, {@code ?} and both halves of a surrogate pair, which make a lone surrogate or, in order, a whole pair. */
    @Provide
    Arbitrary<String> surrogateTexts() {
        return Arbitraries.of("a", "?", "😀", "\ud83d", "\ude00").list().ofMaxSize(30).map(l -> String.join("", l));
    }

    /** Three letters (of 1, 3 and 4 UTF-8 bytes), so that secrets overlap each other and occur in the text often. */
    private static Arbitrary<String> letters(int min, int max) {
        return Arbitraries.of("a", "€", "😀").list().ofMinSize(min).ofMaxSize(max).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<List<String>> secrets() {
        return letters(1, 5).list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> texts() {
        return letters(0, 30);
    }

    @Provide
    Arbitrary<List<String>> denseSecrets() {
        return Arbitraries.strings().withChars("ab").ofMinLength(3).ofMaxLength(7).list().ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> denseTexts() {
        return Arbitraries.strings().withChars("ab-").ofMaxLength(60);
    }

    @Provide
    Arbitrary<List<Integer>> sizes() {
        return Arbitraries.integers().between(1, 12).list().ofMinSize(1).ofMaxSize(5);
    }

    @Provide
    Arbitrary<List<Integer>> asks() {
        return Arbitraries.integers().between(0, 12).list().ofMinSize(1).ofMaxSize(5);
    }
}
