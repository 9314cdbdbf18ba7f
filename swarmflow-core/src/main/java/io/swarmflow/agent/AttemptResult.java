package io.swarmflow.agent;

import io.swarmflow.files.mask.Masking;
import io.swarmflow.store.Outcome;

import java.util.Map;

/**
 * How an attempt ended.
 *
 * @param outcome  succeeded, failed, timed-out or cancelled (never lease-expired: that is the engine's)
 * @param exitCode process exit code, or null (no process, or killed by a signal)
 * @param reason   human reason when not succeeded
 * @param outputs     outputs produced (declared ones, plus built-ins such as a worktree's {@code diffstat})
 * @param outputBytes bytes its process wrote to stdout and stderr together (counting those past the log cap), or null
 *                    when it had no process or its agent does not count them
 * @param permanent   whether a failure would end the same way on every attempt (such as one refused before its process
 *                    was started, {@link #failedForGood}): the engine then gives it no retry, whatever the ticket's
 *                    {@code retries:}; false for every other result
 */
public record AttemptResult(Outcome outcome, Integer exitCode, String reason, Map<String, String> outputs, Long outputBytes,
                            boolean permanent) {
    /** Copies {@code outputs}; null becomes an empty map. */
    public AttemptResult {
        outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    }

    /** A result that is not {@linkplain #permanent permanent}. */
    public AttemptResult(Outcome outcome, Integer exitCode, String reason, Map<String, String> outputs, Long outputBytes) {
        this(outcome, exitCode, reason, outputs, outputBytes, false);
    }

    /** A result without a count of output bytes, not {@linkplain #permanent permanent}. */
    public AttemptResult(Outcome outcome, Integer exitCode, String reason, Map<String, String> outputs) {
        this(outcome, exitCode, reason, outputs, null, false);
    }

    /**
     * This result with its process's output counted.
     *
     * @param bytes bytes the process wrote to stdout and stderr together
     * @return a copy with {@code outputBytes} set
     */
    public AttemptResult withOutputBytes(long bytes) {
        return new AttemptResult(outcome, exitCode, reason, outputs, bytes, permanent);
    }

    /**
     * This result with {@code secrets} replaced by {@value Masking#MASK} in its reason and outputs ({@link Masking#mask}):
     * the one place an attempt's result is masked, by the executor that made it and by the engine for an executor's error.
     *
     * @param secrets the secrets ({@link AttemptRequest#secrets}); not null
     * @return this result itself when {@code secrets} is empty, else a masked copy
     * @throws IllegalArgumentException if a secret holds a lone surrogate ({@link Masking#requireText})
     */
    public AttemptResult masked(java.util.Set<String> secrets) {
        if (secrets.isEmpty()) return this;
        Map<String, String> masked = new java.util.LinkedHashMap<>(outputs);
        masked.replaceAll((name, value) -> Masking.mask(value, secrets));
        return new AttemptResult(outcome, exitCode, reason == null ? null : Masking.mask(reason, secrets), masked, outputBytes, permanent);
    }

    /**
     * A success with exit code 0.
     *
     * @param outputs the outputs produced, or null for none
     * @return the result
     */
    public static AttemptResult succeeded(Map<String, String> outputs) {
        return new AttemptResult(Outcome.SUCCEEDED, 0, null, outputs);
    }

    /**
     * A failure with no outputs.
     *
     * @param exitCode the process exit code, or null when there was no process or a signal killed it
     * @param reason   what went wrong, for the user
     * @return the result
     */
    public static AttemptResult failed(Integer exitCode, String reason) {
        return new AttemptResult(Outcome.FAILED, exitCode, reason, Map.of());
    }

    /**
     * A failure with no outputs that every attempt would end in the same way (its process was not started, for a reason
     * that a retry does not change): the engine does not retry it ({@link #permanent}).
     *
     * @param exitCode the process exit code, or null when there was no process or a signal killed it
     * @param reason   what went wrong, for the user
     * @return the result
     */
    public static AttemptResult failedForGood(Integer exitCode, String reason) {
        return new AttemptResult(Outcome.FAILED, exitCode, reason, Map.of(), null, true);
    }
}
