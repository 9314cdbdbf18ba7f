package io.swarmflow.agent;

import io.swarmflow.store.Outcome;

import java.util.Map;

/**
 * How an attempt ended.
 *
 * @param outcome  succeeded, failed, timed-out or cancelled (never lease-expired: that is the engine's)
 * @param exitCode process exit code, or null (no process, or killed by a signal)
 * @param reason   human reason when not succeeded
 * @param outputs  outputs produced (declared ones, plus built-ins such as a worktree's {@code diffstat})
 */
public record AttemptResult(Outcome outcome, Integer exitCode, String reason, Map<String, String> outputs) {
    public AttemptResult {
        outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    }

    public static AttemptResult succeeded(Map<String, String> outputs) {
        return new AttemptResult(Outcome.SUCCEEDED, 0, null, outputs);
    }

    public static AttemptResult failed(Integer exitCode, String reason) {
        return new AttemptResult(Outcome.FAILED, exitCode, reason, Map.of());
    }
}
