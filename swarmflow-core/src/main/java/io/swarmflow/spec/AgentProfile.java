package io.swarmflow.spec;

import java.util.Map;

/**
 * A named agent configuration ({@code agents:} in the swarm spec). Every built-in kind also has an
 * implicit profile of the same name ({@code shell}, {@code noop}) with the spec's defaults.
 *
 * @param name           profile name
 * @param kind           agent kind: {@code shell} or {@code noop}
 * @param sandbox        sandbox policy
 * @param limits         resource limits
 * @param env            environment granted to the agent's processes (tickets may add more)
 * @param concurrency    maximum attempts of this profile at once; 0 means only the run's limit applies
 * @param durationMillis for {@code noop}: how long each attempt lasts, in milliseconds
 */
public record AgentProfile(String name, String kind, SandboxPolicy sandbox, ResourceLimits limits,
                           Map<String, String> env, int concurrency, long durationMillis) {
    /** Copies {@code env}, which must not be null or hold null keys or values. */
    public AgentProfile {
        env = Map.copyOf(env);
    }
}
