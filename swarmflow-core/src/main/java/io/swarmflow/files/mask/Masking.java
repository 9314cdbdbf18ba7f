package io.swarmflow.files.mask;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The one rule by which a secret is kept out of a text that is recorded or shown: each occurrence is replaced by
 * {@value #MASK}, as CI systems mask theirs. An attempt's result is masked with it (core's
 * {@code AttemptResult#masked}), and the local sandbox masks its processes'
 * output streams ({@code MaskingInputStream}) and the texts it reads another way with it. The JDK alone, so that the
 * sandbox package may use it (ArchitectureTest).
 *
 * <p>The rule: the text is read from its start; at each place, the first of the secrets in {@link #ordered} order (most
 * UTF-8 bytes first, then by {@link String#compareTo}) that begins there is replaced and reading goes on after it,
 * else the character there is kept. So of two overlapping secrets the one beginning first is replaced, and of two
 * beginning at the same place the longer one. A byte stream read the same way ({@code MaskingInputStream}) gives the
 * same text: UTF-8 is self-synchronising, so a secret's bytes match only where its characters do.
 */
public final class Masking {
    /** What replaces each secret. */
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
     * {@code value} with each secret of at least {@value #MIN_LENGTH} UTF-8 bytes replaced by {@value #MASK}, by the
     * rule of the class comment.
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     */
    public static String mask(String value, Collection<String> secrets) {
        List<String> tried = ordered(secrets);
        if (tried.isEmpty()) return value;
        StringBuilder out = null;
        int kept = 0; // value[kept, i) is not yet copied to out
        int i = 0;
        scan:
        while (i < value.length()) {
            for (String s : tried) {
                if (value.startsWith(s, i)) {
                    if (out == null) out = new StringBuilder(value.length());
                    out.append(value, kept, i).append(MASK);
                    i += s.length();
                    kept = i;
                    continue scan;
                }
            }
            i++;
        }
        return out == null ? value : out.append(value, kept, value.length()).toString();
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
