package io.swarmflow.agent;

import java.util.Collection;

/**
 * How a secret ({@link AttemptRequest#secrets}) is kept out of a text that is recorded or shown: each occurrence is
 * replaced by {@value #MASK}, as CI systems mask theirs. An attempt's result is masked with it ({@link AttemptResult#masked}),
 * by its executor and by the engine (an executor's error). The rule itself is {@link io.swarmflow.files.mask.Masking},
 * which the local sandbox's output streams use too; this class only passes on to it.
 */
public final class Masking {
    /** What replaces each secret. */
    public static final String MASK = io.swarmflow.files.mask.Masking.MASK;
    /** Fewest UTF-8 bytes of a value that is masked ({@link io.swarmflow.files.mask.Masking#MIN_LENGTH}). */
    public static final int MIN_LENGTH = io.swarmflow.files.mask.Masking.MIN_LENGTH;

    private Masking() {}

    /**
     * {@code value} with each secret of at least {@value #MIN_LENGTH} UTF-8 bytes replaced by {@value #MASK}, by the rule
     * of {@link io.swarmflow.files.mask.Masking#mask}.
     *
     * @param value   the text; not null
     * @param secrets the secrets (null or shorter ones are ignored); not null
     * @return the masked text ({@code value} itself when no secret occurs in it)
     */
    public static String mask(String value, Collection<String> secrets) {
        return io.swarmflow.files.mask.Masking.mask(value, secrets);
    }
}
