package io.swarmflow.agent;

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
 */
public record AttemptRequest(String runId, Plan plan, PlannedTicket ticket, AgentProfile profile, int attempt,
                             String script, Map<String, String> env, Path runDir) {
    /** Copies {@code env}, which must not be null or hold null keys or values. */
    public AttemptRequest {
        env = Map.copyOf(env);
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
