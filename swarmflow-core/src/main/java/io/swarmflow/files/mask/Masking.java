package io.swarmflow.files.mask;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The one rule by which a secret is kept out of a text that is recorded or shown: what its occurrences cover is replaced
 * by {@value #MASK}, as CI systems mask theirs. An attempt's result is masked with it (core's
 * {@code AttemptResult#masked}), and the local sandbox masks its processes'
 * output streams ({@code MaskingInputStream}) and the texts it reads another way with it. The JDK alone, so that the
 * sandbox package may use it (ArchitectureTest).
 *
 * <p>The rule: every character that lies in any occurrence of any secret is masked, and each run of masked characters
 * becomes one {@value #MASK}. Occurrences are all of them, overlapping ones included (so {@code aaaa} occurs three
 * times in {@code aaaaaa}); their intervals are merged where they overlap or touch, and each merged interval is
 * replaced. So with secrets {@code abcd} and {@code cdefgh}, {@code abcdefgh} gives {@code ***} (no tail of either is
 * left), with {@code abcd} and {@code bcde}, {@code xabcdey} gives {@code x***y}, and with {@code abcd},
 * {@code abcd-abcd} gives {@code ***-***} (occurrences apart stay apart). Secrets of fewer than {@value #MIN_LENGTH}
 * UTF-8 bytes are not masked at all: with {@code abc}, {@code abc-abc} stays as it is.
 *
 * <p>Touching intervals (one ending where the next begins: {@code abcd} then {@code efgh} in {@code abcdefgh}) are
 * merged into one {@value #MASK} too. The masked text then depends only on which characters some secret covers, not on
 * how the secrets cut them up: it does not tell how many secrets stood in a run or where one ended, which a reader
 * could otherwise use to line up two masked texts, and it is the plain "mark the covered characters, collapse each
 * run" reading that a test can check. (A lone {@value #MASK} standing for one long run is already the case for
 * overlapping secrets.)
 *
 * <p>An occurrence may have terminal escape sequences between its characters (CSI, such as colours; OSC, such as a
 * window title or a hyperlink, ended by BEL or {@code ESC \}; a two-character {@code ESC} sequence; and the C1
 * forms of these, U+009B, U+009D, U+009C and U+0080 to U+009F, which a UTF-8 terminal obeys alike), and overstrikes
 * ({@code man}'s bold {@code c BS c} and underline {@code _ BS c}), up to {@value #MAX_INTERLEAVED} UTF-8 bytes of them
 * in all ({@link Scan}): {@code grep --color} highlighting a match inside a token prints it in pieces
 * ({@code ab/ESC[01;31mESC[Kcd ESC[mESC[K/ef}), which a terminal shows whole, as does a report that removes the
 * sequences. What such an occurrence covers, the sequences in it included, is masked like any other: with
 * {@code ab/cd/ef}, {@code ab/ESC[1mcd/efESC[0m} gives {@code ***ESC[0m}. Sequences before its first character or
 * after its last are no part of it and stay. Each secret is also matched in the forms JSON writers print it in
 * ({@link #jsonForms}: {@code pa"ss} as {@code pa\"ss}), as computed once by {@link #ordered}.
 *
 * <p>A byte stream masked by the same rule ({@code MaskingInputStream}, over the UTF-8 bytes) gives the same text
 * however it is read in pieces: both match the UTF-8 bytes with {@link Scan}, and UTF-8 is self-synchronising, so a
 * secret's bytes occur exactly where its characters do and a run of covered bytes is exactly the bytes of a run of
 * covered characters. Cost: each place of the text is compared with each secret (and form) that begins with the byte
 * there, until the first byte that differs, so {@code O(length * secrets * longest)} comparisons at worst, and none for
 * a place where no secret begins; the escape sequences add a step per run of them, not one per byte ({@link Scan}).
 * The secrets are prepared (their forms built and indexed by first byte) once per set ({@link Secrets}), not per text.
 *
 * <p>Half a character (a lone surrogate: a {@code char} in U+D800..U+DFFF not part of a pair) has no UTF-8 form; Java
 * writes it as {@code ?} (0x3F), and so does every place a text goes from here: a log, the console, the store, a
 * process's environment (the JDK hands a child {@code ab?cd} for the Java string {@code "ab\\ud800cd"}, by
 * {@code ProcessBuilder} and by {@code posix_spawn} alike). Hence two rules, which keep the two forms agreeing for
 * every text (the stream of {@code value}'s UTF-8 bytes masks to the UTF-8 bytes of {@code mask(value, ...)}):
 * <ul>
 *   <li>A secret holding a lone surrogate is refused ({@link #requireText}, by {@link #ordered} and so by both forms,
 *   and by core's {@code AttemptRequest}, before an executor starts anything): what a process handed it prints is
 *   {@code ?} there, which no masking can tell from an ordinary {@code ?} (the secret {@code "\\ud800abc"} would mask
 *   every {@code ?abc}), and matching the surrogate itself would mask nothing a process prints. No secret of a run
 *   holds one: a run's secrets are values of swarm's own environment ({@code ${{ env.NAME }}}), which the JDK decodes
 *   to valid text (bytes that are not UTF-8, {@code ED A0 80} included, become U+FFFD), so only a caller of this API
 *   can pass one.</li>
 *   <li>A lone surrogate in the text masked is matched as the {@code ?} it is written as (and kept as it is where no
 *   secret covers it): with the secret {@code ab?cd}, the text {@code "ab\\ud800cd"}, shown as {@code ab?cd}, is
 *   masked, as its bytes are in a stream.</li>
 * </ul>
 */
public final class Masking {
    /** What replaces each run of characters that secrets cover. */
    public static final String MASK = "***";
    /**
     * Fewest UTF-8 bytes of a value that is masked: shorter ones would mangle ordinary output, and are no secret worth
     * the name.
     */
    public static final int MIN_LENGTH = 4;
    /**
     * Most UTF-8 bytes of terminal escape sequences (and overstrikes) that one occurrence of a secret may hold between
     * its characters (the class comment, {@link Scan}): enough for a colouring tool's few dozen per occurrence, and
     * what bounds the bytes a stream holds back beyond the longest secret (the longest form it is matched in).
     */
    public static final int MAX_INTERLEAVED = 1024;

    private static final char ESC = '\u001B';
    private static final char BEL = '\u0007';
    private static final char BS = '\b';

    /** Most UTF-8 bytes first, then by the string itself: an order that depends on the secrets alone. */
    private static final Comparator<String> ORDER =
            Comparator.comparingInt(Masking::utf8Length).reversed().thenComparing(Comparator.naturalOrder());

    /** How many times {@link #jsonForms} ran: what a test bounds the preparing of secrets by. */
    private static final LongAdder FORMS_BUILT = new LongAdder();

    private Masking() {}

    /** {@link #jsonForms} calls so far, in this JVM. For tests. */
    static long formsBuilt() {
        return FORMS_BUILT.sum();
    }

    /**
     * The strings that are masked, in the order they are tried at each place: the secrets, null values, duplicates and
     * values of fewer than {@value #MIN_LENGTH} UTF-8 bytes dropped, each with its JSON-escaped forms that differ from
     * it ({@link #jsonForms}); most UTF-8 bytes first, ties by {@link String#compareTo} (never by the collection's
     * iteration order).
     *
     * @param secrets the secrets; not null (its elements may be)
     * @return a new list, possibly empty
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link #requireText})
     */
    public static List<String> ordered(Collection<String> secrets) {
        requireText(secrets);
        return secrets.stream().filter(Objects::nonNull).distinct().filter(s -> utf8Length(s) >= MIN_LENGTH)
                .flatMap(s -> Stream.concat(Stream.of(s), jsonForms(s).stream())).distinct().sorted(ORDER).toList();
    }

    /**
     * {@link #json} styles: non-ASCII and DEL as {@code \\uXXXX} (Python's); {@code /} as {@code \/}; Go's
     * {@code <>&} and U+2028/9; with HTML, Gson's {@code =} and {@code '} besides; hex in uppercase (Jackson's); U+2028/9
     * alone (Gson's with HTML escaping off); non-ASCII but not DEL (Jackson's {@code ESCAPE_NON_ASCII}).
     */
    private static final int ASCII = 1;
    private static final int SLASH = 2;
    private static final int HTML = 4;
    private static final int GSON = 8;
    private static final int UPPER = 16;
    private static final int LINES = 32;
    private static final int NON_ASCII = 64;
    /** The styles, each a writer's form (the class comment of {@link #jsonForms}). */
    private static final int[] STYLES = {0, ASCII, SLASH, ASCII | SLASH, HTML, HTML | GSON, UPPER, LINES, NON_ASCII | UPPER};
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    /**
     * The forms in which common JSON writers print {@code secret} inside a string, those that differ from it: {@code "}
     * as {@code \"}, {@code \} as {@code \\}, control characters as {@code \n}, {@code \t}, {@code \r},
     * {@code \b}, {@code \f} or {@code \\u001b} (lowercase hex); then, each on its own or as noted, other than ASCII
     * as {@code \\u00e9} and a character beyond U+FFFF as its surrogate pair (Python's default), with {@code /} as
     * {@code \/} (PHP's default, together with the former), {@code <}, {@code >}, {@code &}, U+2028 and U+2029 as
     * {@code \\u003c} and so on (Go's), the same and {@code =}, {@code '} as {@code \\u003d}, {@code \\u0027}
     * (Gson's default, HTML-safe), U+2028 and U+2029 alone as {@code \\u2028}, {@code \\u2029} (Gson's with
     * {@code disableHtmlEscaping}), control characters in uppercase hex, {@code \\u001B} (Jackson's), and those and
     * other than ASCII (DEL excepted) in uppercase hex, {@code \\u00E9} and surrogate pairs (Jackson's
     * {@code JsonWriteFeature.ESCAPE_NON_ASCII}). Other mixes of these are not matched.
     *
     * @param secret the secret; not null
     * @return its escaped forms, none equal to it, possibly none (a secret of letters and digits has none)
     */
    static List<String> jsonForms(String secret) {
        FORMS_BUILT.increment();
        Set<String> forms = new LinkedHashSet<>();
        for (int style : STYLES) forms.add(json(secret, style));
        forms.remove(secret);
        return List.copyOf(forms);
    }

    private static String json(String s, int style) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c == '/' && (style & SLASH) != 0) b.append("\\/");
                    else if (c < 0x20 || (style & ASCII) != 0 && c > 0x7E || (style & NON_ASCII) != 0 && c > 0x7F
                            || (style & (HTML | LINES)) != 0 && (c == '\u2028' || c == '\u2029')
                            || (style & HTML) != 0 && (c == '<' || c == '>' || c == '&')
                            || (style & GSON) != 0 && (c == '=' || c == '\'')) {
                        char[] hex = (style & UPPER) != 0 ? HEX_UPPER : HEX;
                        b.append('\\').append('u').append(hex[c >> 12]).append(hex[c >> 8 & 15]).append(hex[c >> 4 & 15])
                                .append(hex[c & 15]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /**
     * {@code value} with every run of characters covered by occurrences of the secrets of at least {@value #MIN_LENGTH}
     * UTF-8 bytes (and of their JSON-escaped forms, {@link #ordered}) replaced by one {@value #MASK}, by the rule of the
     * class comment (the union of all occurrences, overlapping or touching ones merged). The text is matched as its
     * UTF-8 bytes, as a stream is ({@link Scan}), so the two forms agree; a lone surrogate in {@code value} is matched
     * as {@code ?}, the byte it is written as (the class comment).
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link #requireText})
     */
    public static String mask(String value, Collection<String> secrets) {
        return Secrets.of(secrets).mask(value);
    }

    /** {@link #mask(String, Collection)} with the secrets prepared. */
    private static String mask(String value, Secrets secrets) {
        if (secrets.isEmpty()) return value;
        byte[] bytes = asWritten(value).getBytes(StandardCharsets.UTF_8); // matched; value's own chars are copied
        int n = bytes.length;
        Scan scan = new Scan(new String(bytes, StandardCharsets.ISO_8859_1), secrets, true);
        int[] runs = new int[8]; // [start, end) in bytes, in order, apart
        int count = 0;
        int runStart = 0;
        int runEnd = -1; // the open run of covered bytes is [runStart, runEnd); none when -1
        for (int i = 0; i < n; i++) {
            int end = i + scan.at(i);
            if (runEnd == i && end == i) { // the run neither overlaps nor touches an occurrence beginning here: it ends
                if (count + 2 > runs.length) runs = Arrays.copyOf(runs, runs.length * 2);
                runs[count++] = runStart;
                runs[count++] = runEnd;
                runEnd = -1;
            }
            if (runEnd >= 0) {
                runEnd = Math.max(runEnd, end);
            } else if (end > i) {
                runStart = i;
                runEnd = end;
            }
        }
        if (runEnd >= 0) { // runs to the end of the text
            if (count + 2 > runs.length) runs = Arrays.copyOf(runs, runs.length + 2);
            runs[count++] = runStart;
            runs[count++] = runEnd;
        }
        if (count == 0) return value;
        // a run begins at a secret's first byte and ends after a whole character (UTF-8 is self-synchronising): both are
        // character boundaries, found by walking value's characters with their UTF-8 lengths
        StringBuilder out = new StringBuilder(value.length());
        int r = 0;
        int kept = 0; // value[kept, ...) is not yet copied to out
        int runChar = 0;
        for (int c = 0, b = 0, len = value.length(); r < count; ) {
            if (b >= runs[r]) { // == always (the comment above); >= so that no text can make this loop past its end
                if ((r & 1) == 0) {
                    runChar = c;
                } else {
                    out.append(value, kept, runChar).append(MASK);
                    kept = c;
                }
                r++;
                continue;
            }
            char ch = value.charAt(c);
            if (Character.isHighSurrogate(ch) && c + 1 < len && Character.isLowSurrogate(value.charAt(c + 1))) {
                c += 2;
                b += 4;
            } else {
                c++;
                b += ch < 0x80 || Character.isSurrogate(ch) ? 1 : ch < 0x800 ? 2 : 3; // a lone surrogate is ?
            }
        }
        return out.append(value, kept, value.length()).toString();
    }

    /**
     * A set of secrets prepared for masking: their forms ({@link #ordered}) as UTF-8 bytes, indexed by their first byte,
     * built once. {@link #of} keeps the last few sets prepared, so that a caller that masks text after text with one
     * collection of secrets (the report's log tail, line by line; an attempt's result, output by output) builds their
     * forms once, not once a call. Immutable, and so safe to share between threads; a {@link Scan} over a text is not.
     */
    public static final class Secrets {
        /** How many sets {@link #of} keeps prepared: a run's secrets, a ticket's, and a few more. */
        private static final int KEPT = 8;
        private static final AtomicReferenceArray<Kept> KEPT_SETS = new AtomicReferenceArray<>(KEPT);
        private static final AtomicInteger NEXT_SLOT = new AtomicInteger();

        /** A prepared set and the collection's elements, in its iteration order, it was prepared from. */
        private record Kept(String[] key, Secrets secrets) {}

        /** The forms' UTF-8 bytes, each byte as one character (ISO-8859-1), in {@link #ordered} order. */
        private final List<String> bytes;
        /** {@code byFirst[b]}: the forms of {@link #bytes} whose first byte is {@code b}, in that order; null if none. */
        private final CharSequence[][] byFirst;

        private Secrets(List<String> ordered) {
            this.bytes = ordered.stream()
                    .map(v -> new String(v.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)).toList();
            this.byFirst = index(bytes);
        }

        /**
         * The secrets prepared: the same object for a collection with the same elements, in the same iteration order,
         * as one of the last few prepared (the collection is compared, not kept, so a changed one is prepared anew).
         *
         * @param secrets the secrets (null values and those of fewer than {@value Masking#MIN_LENGTH} UTF-8 bytes are
         *                ignored); not null
         * @return the prepared set, possibly empty
         * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link #requireText})
         */
        public static Secrets of(Collection<String> secrets) {
            for (int i = 0; i < KEPT; i++) {
                Kept kept = KEPT_SETS.get(i);
                if (kept != null && sameElements(kept.key, secrets)) return kept.secrets;
            }
            String[] key = secrets.toArray(new String[0]);
            Secrets prepared = new Secrets(ordered(Arrays.asList(key)));
            KEPT_SETS.set(Math.floorMod(NEXT_SLOT.getAndIncrement(), KEPT), new Kept(key, prepared));
            return prepared;
        }

        private static boolean sameElements(String[] key, Collection<String> secrets) {
            if (key.length != secrets.size()) return false;
            int i = 0;
            for (String s : secrets) {
                if (i == key.length || !Objects.equals(key[i++], s)) return false;
            }
            return i == key.length;
        }

        /**
         * {@code value} masked with these secrets: {@link Masking#mask(String, Collection)}.
         *
         * @param value the text; not null
         * @return the masked text ({@code value} itself when no secret occurs in it)
         */
        public String mask(String value) {
            return Masking.mask(value, this);
        }

        /** Whether no secret is masked (none of at least {@value Masking#MIN_LENGTH} UTF-8 bytes). */
        public boolean isEmpty() {
            return bytes.isEmpty();
        }

        /** The UTF-8 bytes of the longest form matched, 0 if none: what bounds a stream's hold-back with {@value Masking#MAX_INTERLEAVED}. */
        public int longestBytes() {
            return bytes.isEmpty() ? 0 : bytes.getFirst().length();
        }

        /** The forms' UTF-8 bytes, each byte as one character, most bytes first ({@link #ordered}). */
        List<String> bytes() {
            return bytes;
        }
    }

    /**
     * {@code secrets} grouped by their first character: entry {@code c} holds those that begin with {@code c}, in their
     * order, or is null; as long as the greatest first character plus one. An empty one, which occurs nowhere, is left out.
     */
    private static CharSequence[][] index(List<? extends CharSequence> secrets) {
        int size = 0;
        for (CharSequence s : secrets) if (!s.isEmpty()) size = Math.max(size, s.charAt(0) + 1);
        int[] counts = new int[size];
        for (CharSequence s : secrets) if (!s.isEmpty()) counts[s.charAt(0)]++;
        CharSequence[][] byFirst = new CharSequence[size][];
        for (CharSequence s : secrets) {
            if (s.isEmpty()) continue;
            int c = s.charAt(0);
            if (byFirst[c] == null) byFirst[c] = new CharSequence[counts[c]];
            byFirst[c][byFirst[c].length - counts[c]--] = s;
        }
        return byFirst;
    }

    /**
     * How many bytes, from {@code text[at]}, the longest occurrence of any of {@code secrets} that begins there covers
     * (the class comment): {@code new Scan(text, secrets, ended).at(at)}. A caller that asks at many places of one text
     * makes one {@link Scan} and asks it, which remembers the escape sequences it parsed.
     *
     * @param text    the UTF-8 bytes, each as one character {@code 0..255}
     * @param at      where an occurrence may begin, {@code 0 <= at < text.length()}
     * @param secrets the secrets' UTF-8 bytes alike, none empty
     * @param ended   whether {@code text} is all there is
     * @return as {@link Scan#at}
     */
    public static int occurrenceAt(CharSequence text, int at, List<? extends CharSequence> secrets, boolean ended) {
        return new Scan(text, secrets, ended).at(at);
    }

    /**
     * Where the secrets occur in one text of UTF-8 bytes (each byte one character {@code 0..255}, as are the secrets'
     * bytes), asked place by place; one for each text (or each state of a stream's bytes held back), not shared between
     * threads. An occurrence is the secret's bytes, in order, with only these between them, and none before its first
     * byte or after its last:
     * <ul>
     *   <li>whole terminal escape sequences: CSI ({@code ESC [}, or the C1 control U+009B as UTF-8 {@code C2 9B}, then
     *   parameters {@code 0x30-0x3F}, intermediates {@code 0x20-0x2F} and a final byte {@code 0x40-0x7E}); OSC
     *   ({@code ESC ]} or {@code C2 9D}, up to BEL, {@code ESC \} or {@code C2 9C}; one with no terminator before
     *   another ESC or the end counts as its introducer alone, as the report's log tail removes it, the text after it
     *   being matched, when the text up to that ESC or end fits in what is left of the budget below); any other
     *   two-byte {@code ESC @} to {@code ESC _}, or C1 control {@code C2 80} to {@code C2 9F};</li>
     *   <li>overstrikes, as {@code man} prints bold and underlined text for a pager: a backspace right after a
     *   character of the secret, which is then printed again ({@code a BS a}), and {@code _ BS} before one;</li>
     * </ul>
     * at most {@value #MAX_INTERLEAVED} bytes of them in all (a backspace and the character it erases count): one that
     * would pass it makes no occurrence. A byte of the text is first matched as the secret's next byte, so a secret
     * holding an ESC matches it as itself.
     *
     * <p>Work: each place costs, for each secret that begins with the byte there (the others are not tried, as they
     * cannot occur there), the bytes compared until the first that differs and one step for
     * each run of sequences in between (each sequence is parsed once for the whole text, and the run of whole sequences
     * from it measured once); so a line of a million colour sequences costs a few steps a byte, not
     * {@value #MAX_INTERLEAVED}.
     */
    public static final class Scan {
        private static final int NONE = 1; // not a sequence
        private static final int FIXED = 2; // CSI or two bytes: its length
        private static final int OSC_TERM = 3; // OSC with its terminator: its length
        private static final int OSC_ALONE = 4; // OSC with no terminator, counted as its introducer: how far it goes
        private static final int CSI_OPEN = 5; // the text ends inside a CSI (or right after ESC): how far is seen
        private static final int OSC_OPEN = 6; // the text ends inside an OSC: how far is seen
        private static final char C1_LEAD = 0xC2; // the first UTF-8 byte of U+0080..U+00BF, C1 controls included

        private final CharSequence text;
        private final List<? extends CharSequence> secrets;
        /** {@link #secrets} by their first byte ({@link #index}): only those can begin at a place. */
        private final CharSequence[][] byFirst;
        private final boolean ended;
        private final int n;
        /** Per place where a sequence may begin: 0 until parsed, else kind | length << 3. */
        private short[] seq;
        /** Per place: 0 until measured, else 1 + the bytes of the run of FIXED and OSC_TERM sequences there (capped). */
        private short[] run;
        private long steps;

        /**
         * @param text    the UTF-8 bytes, each as one character {@code 0..255}; not changed while this is used
         * @param secrets the secrets' UTF-8 bytes alike, none empty
         * @param ended   whether {@code text} is all there is; when false, a text that ends inside what may still become
         *                an occurrence gives -1
         */
        public Scan(CharSequence text, List<? extends CharSequence> secrets, boolean ended) {
            this(text, secrets, index(secrets), ended);
        }

        /**
         * A scan with secrets prepared once for many texts ({@link Secrets}), as a stream's each state of held bytes.
         *
         * @param text    the UTF-8 bytes, each as one character {@code 0..255}; not changed while this is used
         * @param secrets the secrets
         * @param ended   as {@link #Scan(CharSequence, List, boolean)}
         */
        public Scan(CharSequence text, Secrets secrets, boolean ended) {
            this(text, secrets.bytes, secrets.byFirst, ended);
        }

        private Scan(CharSequence text, List<? extends CharSequence> secrets, CharSequence[][] byFirst, boolean ended) {
            this.text = text;
            this.secrets = secrets;
            this.byFirst = byFirst;
            this.ended = ended;
            this.n = text.length();
        }

        /**
         * How many bytes the longest occurrence of a secret beginning at {@code text[at]} covers (the class comment).
         *
         * @param at where an occurrence may begin, {@code 0 <= at < text.length()}
         * @return the bytes covered, 0 if no secret occurs at {@code at}, -1 if that is not known yet (never when
         *         {@code ended}); when -1, the bytes from {@code at} to the end of {@code text} are fewer than the
         *         longest secret's plus {@value #MAX_INTERLEAVED}
         */
        public int at(int at) {
            // only a secret that begins with the byte here can occur here: any other differs at its first byte (0)
            char first = text.charAt(at);
            CharSequence[] candidates = first < byFirst.length ? byFirst[first] : null;
            if (candidates == null) return 0;
            int best = 0;
            boolean unknown = false;
            for (CharSequence s : candidates) {
                int end = occurrence(at, s);
                if (end < 0) unknown = true;
                else best = Math.max(best, end);
            }
            return unknown ? -1 : best;
        }

        /** {@link #at}, trying every secret at {@code at}: what the index by first byte must agree with. For tests. */
        int atTryingEach(int at) {
            int best = 0;
            boolean unknown = false;
            for (CharSequence s : secrets) {
                int end = occurrence(at, s);
                if (end < 0) unknown = true;
                else best = Math.max(best, end);
            }
            return unknown ? -1 : best;
        }

        /** Steps taken so far (bytes compared, sequences parsed or skipped): what a test bounds the work by. */
        long steps() {
            return steps;
        }

        private int occurrence(int at, CharSequence secret) {
            int budget = MAX_INTERLEAVED;
            int p = at;
            boolean erasable = false; // a backspace here erases the secret's character just matched
            for (int k = 0, len = secret.length(); k < len; ) {
                steps++;
                if (p == n) return ended ? 0 : -1;
                char c = text.charAt(p);
                char want = secret.charAt(k);
                if (c == want) {
                    k++;
                    p++;
                    erasable = true;
                    continue;
                }
                if (k == 0) return 0;
                boolean erase = erasable;
                erasable = false;
                if (c == BS) { // bold: the character again after it
                    if (!erase) return 0;
                    int back = first(secret, k);
                    int erased = k - back + 1;
                    if (erased > budget) return 0;
                    budget -= erased;
                    k = back;
                    p++;
                    continue;
                }
                if (c == '_') { // underline: _ BS before the character
                    if (budget < 2) return 0; // first: whatever follows, it will not fit (so -1 holds < longest + budget)
                    if (p + 1 == n) return ended ? 0 : -1;
                    if (text.charAt(p + 1) != BS) return 0;
                    budget -= 2;
                    p += 2;
                    continue;
                }
                if (c != ESC && c != C1_LEAD) return 0;
                int e = sequences(p, budget, want);
                if (e <= 0) return e;
                budget -= e;
                p += e;
            }
            if (!erasable) return p - at;
            int back = first(secret, secret.length());
            int again = secret.length() - back;
            if (again + 1 > budget) return p - at; // no room for a BS and the character again, whatever follows
            if (p == n) return ended ? p - at : -1; // a BS may follow
            if (text.charAt(p) == BS) { // the last character in bold: BS and it again
                for (int i = 0; i < again; i++) {
                    steps++;
                    if (p + 1 + i == n) return ended ? p - at : -1;
                    if (text.charAt(p + 1 + i) != secret.charAt(back + i)) return p - at;
                }
                p += 1 + again;
            }
            return p - at;
        }

        /** Where the last character before {@code secret[k]} begins (its first UTF-8 byte). */
        private static int first(CharSequence secret, int k) {
            int back = k - 1;
            while (back > 0 && (secret.charAt(back) & 0xC0) == 0x80) back--;
            return back;
        }

        /**
         * The bytes of the sequences at {@code text[p]} (an ESC or {@code C2}) that the occurrence skips with
         * {@code budget} bytes left: the whole run of FIXED and OSC_ALONE sequences there when the secret's next byte
         * cannot begin one of them (else one sequence, as its byte is tried first after each), or one other sequence;
         * 0 if none or too long, -1 if not known yet.
         */
        private int sequences(int p, int budget, char want) {
            int code = seq(p);
            int kind = code & 7;
            if ((kind == FIXED || kind == OSC_TERM) && want != ESC && want != C1_LEAD) {
                int t = run(p);
                return t <= budget ? t : 0; // past the budget: the sequence that crosses it is too long
            }
            if (budget < 2) return 0;
            int len = code >>> 3;
            return switch (kind) {
                case FIXED, OSC_TERM -> len <= budget ? len : 0;
                case OSC_ALONE -> len < budget ? 2 : 0; // the text up to its end must fit, as a terminated one must
                case CSI_OPEN, OSC_OPEN -> len >= budget ? 0 : -1; // however it ends, it will not fit
                default -> 0;
            };
        }

        /** The parsed sequence at {@code p}, parsed once. */
        private int seq(int p) {
            if (seq == null) seq = new short[n];
            if (seq[p] == 0) seq[p] = (short) parse(p);
            return seq[p];
        }

        /** The bytes of the run of FIXED and OSC_TERM sequences from {@code p} (one is there), at most MAX + 1. */
        private int run(int p) {
            if (run == null) run = new short[n];
            if (run[p] != 0) return run[p] - 1;
            int[] chain = new int[16];
            int count = 0;
            int q = p;
            int tail = 0; // the run after the last one collected
            while (true) { // collect the run's sequences not yet measured, then measure them from its end
                steps++;
                if (q >= n || text.charAt(q) != ESC && text.charAt(q) != C1_LEAD) break;
                if (run[q] != 0) {
                    tail = run[q] - 1;
                    break;
                }
                int code = seq(q);
                int kind = code & 7;
                if (kind != FIXED && kind != OSC_TERM) break;
                if (count == chain.length) chain = Arrays.copyOf(chain, count * 2);
                chain[count++] = q;
                q += code >>> 3;
            }
            for (int i = count - 1; i >= 0; i--) {
                tail = Math.min(MAX_INTERLEAVED + 1, (seq[chain[i]] >>> 3) + tail);
                run[chain[i]] = (short) (tail + 1);
            }
            return run[p] - 1;
        }

        /** The sequence at {@code text[from]} (an ESC or {@code C2}), by the class comment, as kind | length << 3. */
        private int parse(int from) {
            if (from + 1 >= n) return ended ? NONE : CSI_OPEN | 1 << 3;
            char c0 = text.charAt(from);
            char kind = text.charAt(from + 1);
            if (c0 == C1_LEAD) {
                if (kind < 0x80 || kind > 0x9F) return NONE;
                kind -= 0x40; // the C1 control U+0080 + x is ESC, then 0x40 + x
            }
            if (kind == '[') { // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E
                for (int p = from + 2, stage = 0; ; p++) {
                    steps++;
                    if (p - from >= MAX_INTERLEAVED) return NONE;
                    if (p >= n) return ended ? NONE : CSI_OPEN | (p - from) << 3;
                    char c = text.charAt(p);
                    if (stage == 0 && c >= 0x30 && c <= 0x3F) continue;
                    if (c >= 0x20 && c <= 0x2F) {
                        stage = 1;
                        continue;
                    }
                    return c >= 0x40 && c <= 0x7E ? FIXED | (p - from + 1) << 3 : NONE;
                }
            }
            if (kind == ']') { // OSC: up to BEL or ST (ESC \, C2 9C)
                for (int p = from + 2; ; p++) {
                    steps++;
                    if (p - from >= MAX_INTERLEAVED) return NONE;
                    if (p >= n) return (ended ? OSC_ALONE : OSC_OPEN) | (p - from) << 3;
                    char c = text.charAt(p);
                    if (c == BEL) return OSC_TERM | (p - from + 1) << 3;
                    if (c == ESC || c == C1_LEAD) {
                        if (p + 1 >= n) return (ended ? OSC_ALONE : OSC_OPEN) | (p - from) << 3;
                        char d = text.charAt(p + 1);
                        if (c == ESC ? d == '\\' : d == 0x9C) return OSC_TERM | (p - from + 2) << 3;
                        if (c == ESC) return OSC_ALONE | (p - from) << 3;
                    }
                }
            }
            return kind >= '@' && kind <= '_' ? FIXED | 2 << 3 : NONE; // ESC @ to ESC _ ('[' is CSI above)
        }
    }

    /**
     * Refuses secrets that are not text: none may hold a lone surrogate (a high surrogate not followed by a low one, or a
     * low one not after a high one), for the reason the class comment gives. The message tells where, never the secret.
     *
     * @param secrets the secrets; not null (its elements may be; null ones are not checked)
     * @throws IllegalArgumentException naming the surrogate and its place in the secret, if one holds a lone surrogate
     */
    public static void requireText(Collection<String> secrets) {
        for (String s : secrets) {
            int at = s == null ? -1 : loneSurrogate(s);
            if (at >= 0) {
                throw new IllegalArgumentException(String.format("a secret to mask holds half a character: the lone "
                        + "surrogate \\u%04x at char %d of its %d; it has no UTF-8 form, a process handed it gets ? "
                        + "there, and masking cannot tell that from an ordinary ?; pass the secret as valid text (a "
                        + "character beyond U+FFFF as its whole surrogate pair)", (int) s.charAt(at), at + 1, s.length()));
            }
        }
    }

    /** The index of the first lone surrogate of {@code s}, -1 if it has none. */
    private static int loneSurrogate(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) i++;
            else return i;
        }
        return -1;
    }

    /**
     * {@code value} as UTF-8 writes it, char for char: each lone surrogate replaced by {@code ?} (so indexes stay);
     * {@code value} itself when it has none.
     */
    private static String asWritten(String value) {
        int at = loneSurrogate(value);
        if (at < 0) return value;
        char[] chars = value.toCharArray();
        for (int i = at, n = chars.length; i < n; i++) {
            char c = chars[i];
            if (!Character.isSurrogate(c)) continue;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(chars[i + 1])) i++;
            else chars[i] = '?';
        }
        return new String(chars);
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
