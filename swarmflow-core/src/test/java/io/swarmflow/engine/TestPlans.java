package io.swarmflow.engine;

import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds plans directly (no YAML) for engine tests. */
final class TestPlans {
    private final List<PlannedTicket> tickets = new ArrayList<>();
    private final Map<String, AgentProfile> agents = new LinkedHashMap<>();
    private int concurrency = 4;

    TestPlans() {
        profile("noop", 0);
    }

    TestPlans concurrency(int c) {
        concurrency = c;
        return this;
    }

    TestPlans profile(String name, int limit) {
        agents.put(name, new AgentProfile(name, "noop", SandboxPolicy.OFF, ResourceLimits.DEFAULTS, Map.of(), limit, 0));
        return this;
    }

    /** A noop profile without a limit whose env is {@code env} (values as the spec writes them, references included). */
    TestPlans profileWithEnv(String name, Map<String, String> env) {
        agents.put(name, new AgentProfile(name, "noop", SandboxPolicy.OFF, ResourceLimits.DEFAULTS, env, 0, 0));
        return this;
    }

    TestPlans ticket(String id, String... needs) {
        return ticket(id, When.SUCCESS, 0, ApprovalMode.NONE, "noop", 0, needs);
    }

    TestPlans ticket(String id, When when, int retries, ApprovalMode approval, String agent, int priority, String... needs) {
        tickets.add(new PlannedTicket(id, id, List.of(needs), agent, "", Map.of(), 0,
                new RetryPolicy(retries, 0, 0, 1.0), priority, when, approval, WorkspaceMode.RUN, false, Map.of(), Map.of(), id, 0));
        return this;
    }

    /** A noop ticket with environment {@code env} (values as the spec writes them, references included). */
    TestPlans ticketWithEnv(String id, Map<String, String> env) {
        return ticketWithEnv(id, env, 0);
    }

    /** A noop ticket with environment {@code env} and {@code retries} retries without backoff. */
    TestPlans ticketWithEnv(String id, Map<String, String> env, int retries) {
        tickets.add(new PlannedTicket(id, id, List.of(), "noop", "", env, 0,
                new RetryPolicy(retries, 0, 0, 1.0), 0, When.SUCCESS, ApprovalMode.NONE, WorkspaceMode.RUN, false, Map.of(), Map.of(), id, 0));
        return this;
    }

    Plan build() {
        return new Plan("test", "", concurrency, Map.of(), null, "/tmp", agents, tickets, "0");
    }
}
