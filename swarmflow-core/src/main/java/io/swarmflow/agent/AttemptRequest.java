package io.swarmflow.agent;

import io.swarmflow.files.mask.Masking;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;

import java.nio.file.Path;
import java.util.Map;

/**
 * Everything an executor needs to run one attempt.
 *
 * @param runId   run id
 * @param plan    the run's plan (repo and spec directory)
 * @param ticket  the ticket
 * @param profile the ticket's agent profile
 * @param attempt fencing number (1-based)
 * @param script  the ticket's {@code run}, with every {@code ${{ }}} reference rendered
 * @param env     the environment granted by the spec, rendered (the executor adds {@code SWARM_*},
 *                {@code PATH}, {@code HOME}, {@code LANG})
 * @param runDir  the run's state directory ({@code <state>/runs/<run>}): logs, scratch, worktrees
 * @param secrets values the executor must keep out of what it records and shows (the attempt's output, its outputs):
 *                those the run's plan reads from swarm's own environment ({@code ${{ env.NAME }}}) in any ticket
 */
public record AttemptRequest(String runId, Plan plan, PlannedTicket ticket, AgentProfile profile, int attempt,
                             String script, Map<String, String> env, Path runDir, java.util.Set<String> secrets) {
    /**
     * Copies {@code env} and {@code secrets}, which must not be null or hold nulls.
     *
     * @throws IllegalArgumentException if a secret holds a lone surrogate, which no masking can keep out of what a
     *                                  process prints ({@link Masking#requireText}): refused before an executor starts
     *                                  anything
     */
    public AttemptRequest {
        env = Map.copyOf(env);
        secrets = java.util.Set.copyOf(secrets);
        Masking.requireText(secrets);
    }

    /** A request without secrets. */
    public AttemptRequest(String runId, Plan plan, PlannedTicket ticket, AgentProfile profile, int attempt,
                          String script, Map<String, String> env, Path runDir) {
        this(runId, plan, ticket, profile, attempt, script, env, runDir, java.util.Set.of());
    }

    /** Directory of this attempt's logs: {@code runDir/logs/<ticket>/<attempt>/} with stdout.log and stderr.log. */
    public Path logDir() {
        return runDir.resolve("logs").resolve(ticket.id()).resolve(Integer.toString(attempt));
    }

    /** The run's shared writable directory ({@code SWARM_SCRATCH}). */
    public Path scratchDir() {
        return runDir.resolve("scratch");
    }
}
