package io.swarmflow.agent;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;

/**
 * How a secret ({@link AttemptRequest#secrets}) is kept out of a text that is recorded or shown: each occurrence is
 * replaced by {@value #MASK}, as CI systems mask theirs. An attempt's result is masked with it ({@link AttemptResult#masked}),
 * by its executor and by the engine (an executor's error). The local sandbox masks its processes' output by the same rule
 * in its own code (that package uses only the JDK); a test there checks that the two agree.
 */
public final class Masking {
    /** What replaces each secret. */
    public static final String MASK = "***";
    /**
     * Fewest UTF-8 bytes of a value that is masked: shorter ones would mangle ordinary output, and are no secret worth
     * the name.
     */
    public static final int MIN_LENGTH = 4;

    private Masking() {}

    /**
     * {@code value} with each secret of at least {@value #MIN_LENGTH} UTF-8 bytes replaced by {@value #MASK}, longest
     * first (where two overlap, the longest is replaced).
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     */
    public static String mask(String value, Collection<String> secrets) {
        String v = value;
        for (String s : secrets.stream().filter(x -> x != null && x.getBytes(StandardCharsets.UTF_8).length >= MIN_LENGTH)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            v = v.replace(s, MASK);
        }
        return v;
    }
}
