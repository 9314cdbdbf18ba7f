package io.swarmflow.cli.report;

import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Plans, tickets and attempts built by hand, as the store would project them. */
final class Fixtures {
    static final String RUN = "r-20250131-abc";
    static final long T0 = 1_738_324_800_000L; // 2025-01-31T12:00:00Z
    static final String XSS_TITLE = "<script>alert(1)</script>";

    private Fixtures() {}

    static PlannedTicket ticket(String id, String title, List<String> needs, String agent, WorkspaceMode ws) {
        return new PlannedTicket(id, title, needs, agent, "true", Map.of(), 0, RetryPolicy.NONE, 0, When.SUCCESS,
                ApprovalMode.NONE, ws, false, Map.of(), Map.of(), id, 0);
    }

    static Plan plan(List<PlannedTicket> tickets) {
        AgentProfile shell = new AgentProfile("shell", "shell", SandboxPolicy.BEST_EFFORT, ResourceLimits.DEFAULTS, Map.of(), 0, 0);
        AgentProfile noop = new AgentProfile("noop", "noop", SandboxPolicy.OFF, ResourceLimits.DEFAULTS, Map.of(), 0, 100);
        return new Plan("demo-swarm", "a demo", 4, Map.of(), "/repo", "/repo", Map.of("shell", shell, "noop", noop),
                tickets, "00".repeat(32));
    }

    /** setup → build (retried) → test (failed) → deploy (skipped); setup → docs (hostile title). */
    static Plan finishedPlan() {
        return plan(List.of(
                ticket("setup", "Prepare the workspace", List.of(), "noop", WorkspaceMode.RUN),
                ticket("build", "Build it", List.of("setup"), "shell", WorkspaceMode.WORKTREE),
                ticket("docs", XSS_TITLE, List.of("setup"), "shell", WorkspaceMode.REPO),
                ticket("test", "Run the tests", List.of("build"), "shell", WorkspaceMode.REPO),
                ticket("deploy", "Ship", List.of("test", "docs"), "shell", WorkspaceMode.REPO)));
    }

    static RunView finishedRun() {
        return new RunView(RUN, "demo-swarm", "swarm.yaml", RunState.FAILED, T0 - 500, T0, T0 + 95_000, 1, "host:1",
                false, 5, 40);
    }

    static TicketView view(String id, int index, TicketState state, int attempt, int failures, Integer exit, String reason,
                           Map<String, String> outputs, long start, long finish) {
        return new TicketView(RUN, id, index, state, attempt, failures, 0, exit, reason, outputs, null, start, finish, 0);
    }

    static List<TicketView> finishedTickets() {
        return List.of(
                view("deploy", 4, TicketState.SKIPPED, 0, 0, null, "dependency test failed", Map.of(), 0, T0 + 95_000),
                view("setup", 0, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of(), T0 + 10, T0 + 110),
                view("build", 1, TicketState.SUCCEEDED, 2, 1, 0, null, Map.of(
                        "diffstat", " src/A.java | 3 ++-\n 1 file changed, 2 insertions(+), 1 deletion(-)",
                        "commit", "0123456789abcdef0123456789abcdef01234567",
                        "branch", "swarm/" + RUN + "/build"), T0 + 200, T0 + 60_000),
                view("docs", 2, TicketState.SUCCEEDED, 1, 0, 0, null, Map.of("note", "<b>bold</b> & \"quoted\"", "empty", ""),
                        T0 + 200, T0 + 5_000),
                view("test", 3, TicketState.FAILED, 1, 1, 2, "exit code 2 <img src=x onerror=alert(2)>", Map.of(),
                        T0 + 60_100, T0 + 95_000));
    }

    static AttemptView attempt(String id, int n, Outcome outcome, Integer exit, String reason, long start, long finish) {
        return new AttemptView(RUN, id, n, outcome, exit, reason, start, finish, 0, 0, null);
    }

    static List<AttemptView> finishedAttempts() {
        List<AttemptView> list = new ArrayList<>(List.of(
                attempt("test", 1, Outcome.FAILED, 2, "exit code 2", T0 + 60_100, T0 + 95_000),
                attempt("build", 2, Outcome.SUCCEEDED, 0, null, T0 + 31_000, T0 + 60_000),
                attempt("setup", 1, Outcome.SUCCEEDED, 0, null, T0 + 10, T0 + 110),
                attempt("build", 1, Outcome.FAILED, 1, "exit code 1", T0 + 200, T0 + 30_000),
                attempt("docs", 1, Outcome.SUCCEEDED, 0, null, T0 + 200, T0 + 5_000)));
        return list;
    }

    /**
     * The report of a finished (failed) run named {@code name} of {@code n} tickets {@code t0..t<n-1>}, one attempt each
     * (exit code 1 when failed, else 0): ticket {@code t<i>} in the state {@code stateOf} gives, needing the tickets
     * {@code needsOf} gives, with the reason {@code reasonOf} gives (null for none); its files would go to {@code dir}.
     */
    static RunReport manyTickets(Path dir, String name, int n, IntFunction<TicketState> stateOf, IntFunction<List<String>> needsOf,
                                 IntFunction<String> reasonOf) {
        List<PlannedTicket> plan = new ArrayList<>();
        List<TicketView> views = new ArrayList<>();
        List<AttemptView> attempts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = "t" + i;
            TicketState state = stateOf.apply(i);
            boolean failed = state == TicketState.FAILED;
            plan.add(ticket(id, null, needsOf.apply(i), "noop", WorkspaceMode.RUN));
            views.add(view(id, i, state, 1, failed ? 1 : 0, failed ? 1 : 0, reasonOf.apply(i), Map.of(), T0 + i, T0 + i + 5));
            attempts.add(attempt(id, 1, failed ? Outcome.FAILED : Outcome.SUCCEEDED, failed ? 1 : 0, null, T0 + i, T0 + i + 5));
        }
        RunView run = new RunView(RUN, name, "swarm.yaml", RunState.FAILED, T0 - 500, T0, T0 + n + 10, 1, "h:1", false, n, 9);
        return RunReport.of(run, plan(plan), views, attempts, dir);
    }

    /** How many times {@code regex} is found in {@code text}, the matches not overlapping. */
    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int c = 0;
        while (m.find()) c++;
        return c;
    }

    /**
     * The SVG of class {@code cls} in {@code html}, from its {@code <svg} to its own {@code </svg>} (past those of the SVGs
     * nested in it); asserts there is one.
     */
    static String svg(String html, String cls) {
        int start = html.indexOf("<svg class=\"" + cls + "\"");
        assertThat(start).as("svg " + cls).isNotNegative();
        int depth = 0, at = start;
        while (true) { // to the </svg> of this one, past those of the SVGs nested in it
            int open = html.indexOf("<svg", at + 1), close = html.indexOf("</svg>", at + 1);
            if (open >= 0 && open < close) {
                depth++;
                at = open;
            } else if (depth > 0) {
                depth--;
                at = close;
            } else {
                return html.substring(start, close + "</svg>".length());
            }
        }
    }
}
