package io.swarmflow.spec;

import java.util.List;
import java.util.Map;

/**
 * One ticket of a {@link Plan}, with defaults, variables and matrix values already applied.
 * References to dependencies' outputs ({@code ${{ tickets.x.outputs.y }}}) are still present in
 * {@link #run()} and {@link #env()}; the engine renders them when it starts an attempt.
 *
 * @param id            unique ticket id ({@code [a-z0-9][a-z0-9-_]{0,62}})
 * @param title         human title (also the commit message of worktree tickets)
 * @param needs         ids of the tickets this one depends on (matrix groups already expanded)
 * @param agent         agent profile name
 * @param run           shell script for {@code shell} agents; empty for others
 * @param env           environment granted to the attempt (profile env overlaid with the ticket's)
 * @param timeoutMillis wall-clock limit of one attempt in milliseconds; 0 means none
 * @param retries       retry policy
 * @param priority      higher runs first among ready tickets
 * @param when          condition on dependencies' outcomes
 * @param approval      approval gate
 * @param workspace     where the attempt works
 * @param network       whether the sandbox has network access
 * @param outputs       declared outputs by name
 * @param matrix        this expansion's matrix values (empty when the ticket has no matrix)
 * @param group         the id written in the spec (differs from {@code id} for matrix expansions)
 * @param durationMillis for {@code noop} agents: how long the attempt lasts in milliseconds
 *                       (the ticket's {@code duration}, else the profile's)
 */
public record PlannedTicket(String id, String title, List<String> needs, String agent, String run,
                            Map<String, String> env, long timeoutMillis, RetryPolicy retries, int priority,
                            When when, ApprovalMode approval, WorkspaceMode workspace, boolean network,
                            Map<String, OutputSpec> outputs, Map<String, String> matrix, String group,
                            long durationMillis) {
    /** Copies {@code needs}, {@code env}, {@code outputs} and {@code matrix}, which must not be null or hold nulls. */
    public PlannedTicket {
        needs = List.copyOf(needs);
        env = Map.copyOf(env);
        outputs = Map.copyOf(outputs);
        matrix = Map.copyOf(matrix);
    }
}
