package io.swarmflow.spec;

import java.util.random.RandomGenerator;

/**
 * Retries of a failed ticket: up to {@code max} more attempts, waiting between them with
 * exponential backoff and "full jitter" (Marc Brooker, "Exponential Backoff And Jitter",
 * AWS Architecture Blog, 2015): {@code sleep = random(0, min(maxMillis, initialMillis * multiplier^(n-1)))}
 * before retry {@code n} (1-based).
 *
 * @param max           retries after the first attempt; 0 disables retries
 * @param initialMillis backoff ceiling before the first retry, in milliseconds
 * @param maxMillis     cap on the backoff ceiling, in milliseconds
 * @param multiplier    growth factor of the ceiling per retry, at least 1
 */
public record RetryPolicy(int max, long initialMillis, long maxMillis, double multiplier) {
    /** No retries; backoff 1 s initial, 60 s max, multiplier 2 if retries are enabled. */
    public static final RetryPolicy NONE = new RetryPolicy(0, 1_000, 60_000, 2.0);

    /**
     * Checks the policy.
     *
     * @throws IllegalArgumentException when {@code max} &lt; 0, {@code initialMillis} &lt; 0,
     *                                  {@code maxMillis} &lt; {@code initialMillis}, or {@code multiplier} is below 1
     *                                  or NaN
     */
    public RetryPolicy {
        if (max < 0) throw new IllegalArgumentException("retries.max must be >= 0");
        if (initialMillis < 0 || maxMillis < initialMillis) throw new IllegalArgumentException("need 0 <= backoff.initial <= backoff.max");
        if (!(multiplier >= 1.0)) throw new IllegalArgumentException("backoff.multiplier must be >= 1");
    }

    /** The backoff ceiling before retry {@code retry} (1-based), in milliseconds, capped at {@link #maxMillis}. */
    public long ceilingMillis(int retry) {
        double c = initialMillis * Math.pow(multiplier, Math.max(0, retry - 1));
        return (long) Math.min(maxMillis, c);
    }

    /** A full-jitter delay before retry {@code retry} (1-based): uniform in [0, ceiling]. */
    public long delayMillis(int retry, RandomGenerator random) {
        long ceiling = ceilingMillis(retry);
        return ceiling == 0 ? 0 : random.nextLong(ceiling + 1);
    }
}
