package io.swarmflow.files.mask;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

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
 * window title or a hyperlink, ended by BEL or {@code ESC \}; a two-character {@code ESC} sequence), up to
 * {@value #MAX_INTERLEAVED} characters of them in all ({@link #occurrenceAt}): {@code grep --color} highlighting a
 * match inside a token prints it in pieces ({@code ab/ESC[01;31mESC[Kcd ESC[mESC[K/ef}), which a terminal shows
 * whole, as does a report that removes the sequences. What such an occurrence covers, the sequences in it included,
 * is masked like any other: with {@code ab/cd/ef}, {@code ab/ESC[1mcd/efESC[0m} gives {@code ***ESC[0m}. Sequences
 * before its first character or after its last are no part of it and stay.
 *
 * <p>A byte stream masked by the same rule ({@code MaskingInputStream}, over the UTF-8 bytes) gives the same text
 * however it is read in pieces: UTF-8 is self-synchronising, so a secret's bytes occur exactly where its characters do
 * and a run of covered bytes is exactly the bytes of a run of covered characters. Cost: as before the rule changed,
 * each place of the text is compared with each secret until the first character that differs, so
 * {@code O(length * secrets * longest)} comparisons at worst, and a few per place and secret for text unlike them.
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
     * Most characters (all ASCII, so as many bytes) of terminal escape sequences that one occurrence of a secret may
     * hold between its characters (the class comment): enough for a colouring tool's few dozen per occurrence, and
     * what bounds the bytes a stream holds back beyond the longest secret.
     */
    public static final int MAX_INTERLEAVED = 1024;

    private static final char ESC = '\u001B';
    private static final char BEL = '\u0007';

    /** Most UTF-8 bytes first, then by the string itself: an order that depends on the secrets alone. */
    private static final Comparator<String> ORDER =
            Comparator.comparingInt(Masking::utf8Length).reversed().thenComparing(Comparator.naturalOrder());

    private Masking() {}

    /**
     * The secrets that are masked, in the order they are tried at each place: null values, duplicates and values of
     * fewer than {@value #MIN_LENGTH} UTF-8 bytes dropped; most UTF-8 bytes first, ties by {@link String#compareTo}
     * (never by the collection's iteration order).
     *
     * @param secrets the secrets; not null (its elements may be)
     * @return a new list, possibly empty
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link #requireText})
     */
    public static List<String> ordered(Collection<String> secrets) {
        requireText(secrets);
        return secrets.stream().filter(Objects::nonNull).distinct().filter(s -> utf8Length(s) >= MIN_LENGTH).sorted(ORDER)
                .toList();
    }

    /**
     * {@code value} with every run of characters covered by occurrences of the secrets of at least {@value #MIN_LENGTH}
     * UTF-8 bytes replaced by one {@value #MASK}, by the rule of the class comment (the union of all occurrences,
     * overlapping or touching ones merged). A lone surrogate in {@code value} is matched as {@code ?}, the byte it is
     * written as (the class comment).
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link #requireText})
     */
    public static String mask(String value, Collection<String> secrets) {
        List<String> tried = ordered(secrets);
        if (tried.isEmpty()) return value;
        String written = asWritten(value); // matched; value's own chars are copied
        StringBuilder out = null;
        int kept = 0; // value[kept, runStart) is not yet copied to out
        int runStart = 0;
        int runEnd = -1; // the open run of covered characters is value[runStart, runEnd); none when -1
        int n = value.length();
        for (int i = 0; i < n; i++) {
            int end = i + longestAt(written, i, tried);
            if (runEnd == i && end == i) { // the run neither overlaps nor touches an occurrence beginning here: it ends
                if (out == null) out = new StringBuilder(n);
                out.append(value, kept, runStart).append(MASK);
                kept = runEnd;
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
            if (out == null) out = new StringBuilder(n);
            out.append(value, kept, runStart).append(MASK);
            kept = n;
        }
        return out == null ? value : out.append(value, kept, n).toString();
    }

    /**
     * How many characters the longest occurrence of a secret beginning at {@code text[at]} covers, with the escape
     * sequences inside it (the class comment); 0 if none begins there.
     */
    private static int longestAt(String text, int at, List<String> tried) {
        return occurrenceAt(text, at, tried, true);
    }

    /**
     * How many characters, from {@code text[at]}, the longest occurrence of any of {@code secrets} that begins there
     * covers: the secret's characters, in order, with only whole terminal escape sequences between them (CSI
     * {@code ESC [} parameters, intermediates and a final character; OSC {@code ESC ]} up to BEL or {@code ESC \};
     * a two-character {@code ESC} sequence, {@code ESC @} to {@code ESC _}), at most {@value #MAX_INTERLEAVED}
     * characters of them in all, and none before its first character or after its last. A character of the text is
     * first matched as the secret's next character, so a secret holding an ESC matches it as itself.
     *
     * <p>The stream form ({@code MaskingInputStream}) passes the UTF-8 bytes as characters {@code 0..255} (and the
     * secrets' bytes alike): escape sequences are ASCII, so the bytes matched are those of the characters matched.
     *
     * @param text    the text, or the bytes read so far
     * @param at      where an occurrence may begin, {@code 0 <= at < text.length()}
     * @param secrets the secrets, none empty
     * @param ended   whether {@code text} is all there is; when false, a text that ends inside what may still become an
     *                occurrence gives -1
     * @return the characters covered, 0 if no secret occurs at {@code at}, -1 if that is not known yet (never when
     *         {@code ended}); when -1, the characters from {@code at} to the end of {@code text} are fewer than the
     *         longest secret's plus {@value #MAX_INTERLEAVED}
     */
    public static int occurrenceAt(CharSequence text, int at, List<? extends CharSequence> secrets, boolean ended) {
        int best = 0;
        boolean unknown = false;
        for (CharSequence s : secrets) {
            int end = occurrence(text, at, s, ended);
            if (end < 0) unknown = true;
            else best = Math.max(best, end);
        }
        return unknown ? -1 : best;
    }

    /** {@link #occurrenceAt} for one secret. */
    private static int occurrence(CharSequence text, int at, CharSequence secret, boolean ended) {
        int n = text.length();
        int budget = MAX_INTERLEAVED;
        int p = at;
        for (int k = 0, len = secret.length(); k < len; ) {
            if (p == n) return ended ? 0 : -1;
            char c = text.charAt(p);
            if (c == secret.charAt(k)) {
                k++;
                p++;
                continue;
            }
            if (k == 0 || c != ESC) return 0;
            int e = escapeLength(text, p, budget, ended);
            if (e <= 0) return e;
            budget -= e;
            p += e;
        }
        return p - at;
    }

    /**
     * The length of the escape sequence at {@code text[from]} (an ESC): 0 if it is none, or a longer one than
     * {@code limit}; -1 if {@code text} ends inside it and is not {@code ended}. An OSC string with no terminator (another
     * ESC, or the end) counts as the two characters {@code ESC ]}, as the report's log tail removes it.
     */
    private static int escapeLength(CharSequence text, int from, int limit, boolean ended) {
        int n = text.length();
        if (limit < 2) return 0;
        if (from + 1 >= n) return ended ? 0 : -1;
        char kind = text.charAt(from + 1);
        if (kind == '[') { // CSI: parameters 0x30-0x3F, intermediates 0x20-0x2F, final 0x40-0x7E
            int p = from + 2;
            for (int stage = 0; ; p++) {
                if (p - from >= limit) return 0;
                if (p >= n) return ended ? 0 : -1;
                char c = text.charAt(p);
                if (stage == 0 && c >= 0x30 && c <= 0x3F) continue;
                if (c >= 0x20 && c <= 0x2F) {
                    stage = 1;
                    continue;
                }
                return c >= 0x40 && c <= 0x7E ? p - from + 1 : 0;
            }
        }
        if (kind == ']') { // OSC: up to BEL or ESC \
            for (int p = from + 2; ; p++) {
                if (p - from >= limit) return 2;
                if (p >= n) return ended ? 2 : -1;
                char c = text.charAt(p);
                if (c == BEL) return p - from + 1;
                if (c == ESC) {
                    if (p + 1 >= n) return ended ? 2 : -1;
                    return text.charAt(p + 1) == '\\' && p - from + 2 <= limit ? p - from + 2 : 2;
                }
            }
        }
        return kind >= '@' && kind <= '_' ? 2 : 0; // ESC @ to ESC _ ('[' is CSI above)
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
