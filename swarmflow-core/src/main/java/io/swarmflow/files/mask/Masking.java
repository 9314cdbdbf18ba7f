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
 * <p>A byte stream masked by the same rule ({@code MaskingInputStream}, over the UTF-8 bytes) gives the same text
 * however it is read in pieces: UTF-8 is self-synchronising, so a secret's bytes occur exactly where its characters do
 * and a run of covered bytes is exactly the bytes of a run of covered characters. Cost: as before the rule changed,
 * each place of the text is compared with each secret until the first character that differs, so
 * {@code O(length * secrets * longest)} comparisons at worst, and a few per place and secret for text unlike them.
 */
public final class Masking {
    /** What replaces each run of characters that secrets cover. */
    public static final String MASK = "***";
    /**
     * Fewest UTF-8 bytes of a value that is masked: shorter ones would mangle ordinary output, and are no secret worth
     * the name.
     */
    public static final int MIN_LENGTH = 4;

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
     */
    public static List<String> ordered(Collection<String> secrets) {
        return secrets.stream().filter(Objects::nonNull).distinct().filter(s -> utf8Length(s) >= MIN_LENGTH).sorted(ORDER)
                .toList();
    }

    /**
     * {@code value} with every run of characters covered by occurrences of the secrets of at least {@value #MIN_LENGTH}
     * UTF-8 bytes replaced by one {@value #MASK}, by the rule of the class comment (the union of all occurrences,
     * overlapping or touching ones merged).
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     */
    public static String mask(String value, Collection<String> secrets) {
        List<String> tried = ordered(secrets);
        if (tried.isEmpty()) return value;
        StringBuilder out = null;
        int kept = 0; // value[kept, runStart) is not yet copied to out
        int runStart = 0;
        int runEnd = -1; // the open run of covered characters is value[runStart, runEnd); none when -1
        int n = value.length();
        for (int i = 0; i < n; i++) {
            int end = i + longestAt(value, i, tried);
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
     * How many characters the longest secret that occurs at {@code at} has, 0 if none does. {@code tried} is in
     * {@link #ordered} order: of the secrets that occur at one place each is a prefix of the longer ones there, so the
     * first with the most UTF-8 bytes is also the one with the most characters.
     */
    private static int longestAt(String value, int at, List<String> tried) {
        for (String s : tried) {
            if (value.startsWith(s, at)) return s.length();
        }
        return 0;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
