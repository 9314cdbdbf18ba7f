package io.swarmflow.store.sql;

import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.RunEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Plans for store tests, built with the constructors directly. */
final class TestPlans {
    private TestPlans() {}

    static final AgentProfile NOOP = new AgentProfile("noop", "noop", SandboxPolicy.OFF, ResourceLimits.DEFAULTS, Map.of(), 0, 0);

    static PlannedTicket ticket(String id, List<String> needs) {
        return new PlannedTicket(id, "ticket " + id, needs, "noop", "", Map.of(), 0, RetryPolicy.NONE, 0, When.SUCCESS,
                ApprovalMode.NONE, WorkspaceMode.RUN, false, Map.of(), Map.of(), id, 0);
    }

    /** {@code n} tickets t0..t(n-1), each needing the previous one. */
    static Plan chain(String name, int n) {
        List<PlannedTicket> tickets = new ArrayList<>();
        for (int i = 0; i < n; i++) tickets.add(ticket("t" + i, i == 0 ? List.of() : List.of("t" + (i - 1))));
        return new Plan(name, "test plan", 4, Map.of("greeting", "hello"), null, "/tmp/spec", Map.of("noop", NOOP), tickets,
                "0".repeat(64));
    }

    /** {@link #created(String, int)} whose plan has {@code description}. */
    static RunEvent.RunCreated created(String runId, int tickets, String description) {
        Plan p = chain("swarm-" + runId, tickets);
        return new RunEvent.RunCreated(runId, new Plan(p.name(), description, p.concurrency(), p.vars(), p.repo(), p.specDir(),
                p.agents(), p.tickets(), p.specDigest()), "swarm.yaml");
    }

    static RunEvent.RunCreated created(String runId, int tickets) {
        return new RunEvent.RunCreated(runId, chain("swarm-" + runId, tickets), "swarm.yaml");
    }
}
