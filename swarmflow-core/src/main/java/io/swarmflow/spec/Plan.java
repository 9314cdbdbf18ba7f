package io.swarmflow.spec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated, immutable DAG built from a swarm spec: tickets in a topological order, every
 * {@code needs} entry naming an earlier ticket. Serialized as JSON into the run's first event so a
 * resume never depends on the spec file again.
 *
 * @param name        swarm name
 * @param description free text
 * @param concurrency maximum attempts running at once in the run, at least 1
 * @param vars        variables after {@code --var} overrides
 * @param repo        absolute path of the git repository tickets work on, or null when there is none
 * @param specDir     absolute path of the directory holding the spec (workspace root when there is no repo)
 * @param agents      agent profiles by name, including the implicit ones named after each kind
 * @param tickets     tickets in topological order
 * @param specDigest  SHA-256 (hex) of the spec file's bytes
 * @param filledEnvironment the names of swarm's environment variables the plan reads (<code>${{ env.NAME }}</code>)
 *                    that were set and not empty when the run was created ({@code RunService.create}): one bit per
 *                    name, nothing of the value, so that a resume can refuse one that is empty now, which masks nothing;
 *                    empty for a plan not yet stored and for one stored before this was recorded; null becomes empty
 */
public record Plan(String name, String description, int concurrency, Map<String, String> vars, String repo,
                   String specDir, Map<String, AgentProfile> agents, List<PlannedTicket> tickets, String specDigest,
                   java.util.Set<String> filledEnvironment) {
    /**
     * Copies the collections and checks the DAG.
     *
     * @throws IllegalArgumentException when {@code concurrency} is below 1, a ticket id repeats, a ticket needs one
     *                                  that is not earlier in {@code tickets}, or uses an agent not in {@code agents}
     * @throws NullPointerException     when a collection is null or holds nulls
     */
    public Plan {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be >= 1");
        filledEnvironment = filledEnvironment == null ? java.util.Set.of() : java.util.Set.copyOf(filledEnvironment);
        vars = Map.copyOf(vars);
        agents = Map.copyOf(agents);
        tickets = List.copyOf(tickets);
        Map<String, Integer> seen = new HashMap<>();
        for (PlannedTicket t : tickets) {
            for (String need : t.needs()) {
                if (!seen.containsKey(need)) {
                    throw new IllegalArgumentException("ticket " + t.id() + " needs " + need + ", which is not an earlier ticket");
                }
            }
            if (seen.put(t.id(), seen.size()) != null) throw new IllegalArgumentException("duplicate ticket id " + t.id());
            if (!agents.containsKey(t.agent())) throw new IllegalArgumentException("ticket " + t.id() + " uses unknown agent " + t.agent());
        }
    }

    /**
     * A plan that records no {@linkplain #filledEnvironment filled environment}: one not yet stored.
     *
     * @throws IllegalArgumentException as the canonical constructor
     * @throws NullPointerException     as the canonical constructor
     */
    public Plan(String name, String description, int concurrency, Map<String, String> vars, String repo,
                String specDir, Map<String, AgentProfile> agents, List<PlannedTicket> tickets, String specDigest) {
        this(name, description, concurrency, vars, repo, specDir, agents, tickets, specDigest, java.util.Set.of());
    }

    /**
     * This plan with {@code names} as its {@link #filledEnvironment}.
     *
     * @param names variable names; not null, no nulls
     */
    public Plan withFilledEnvironment(java.util.Set<String> names) {
        return new Plan(name, description, concurrency, vars, repo, specDir, agents, tickets, specDigest, names);
    }

    /** The profile a ticket runs with. */
    public AgentProfile profileOf(PlannedTicket ticket) {
        return agents.get(ticket.agent());
    }
}
