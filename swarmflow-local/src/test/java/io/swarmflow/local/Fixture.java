package io.swarmflow.local;

import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.sandbox.Bubblewrap;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A repository, a state directory and a run directory in a temporary directory, plus plan builders. */
final class Fixture implements AutoCloseable {
    enum Mode { BWRAP, NO_BWRAP }

    final Path repo;
    final Path state;
    final Path runDir;
    final List<String> warnings = new CopyOnWriteArrayList<>();
    final LocalExecutor executor;
    final Mode mode;

    /** A fixture in {@code tmp} whose executor keeps its list of state directories in {@code tmp} too. */
    Fixture(Path tmp, Mode mode) throws Exception {
        this(tmp, mode, tmp.resolve("state-dirs"));
    }

    /** A fixture in {@code tmp} whose executor keeps its list of state directories in {@code stateDirs}. */
    Fixture(Path tmp, Mode mode, Path stateDirs) throws Exception {
        this(tmp, mode, stateDirs, Duration.ofMillis(500));
    }

    /**
     * A fixture in {@code tmp} whose executor keeps its list of state directories in {@code stateDirs} and falls back to
     * {@code grace} (its {@link LocalExecutor.Options#gracePeriod()}) when the attempt's control gives no grace period.
     */
    Fixture(Path tmp, Mode mode, Path stateDirs, Duration grace) throws Exception {
        this(tmp, mode, stateDirs, grace, tmp.resolve("state"));
    }

    /**
     * A fixture with its repository in {@code tmp} and its state directory at {@code state} (made when missing), whose
     * executor keeps its list of state directories in {@code stateDirs}.
     */
    Fixture(Path tmp, Mode mode, Path stateDirs, Duration grace, Path state) throws Exception {
        this.mode = mode;
        if (mode == Mode.BWRAP) {
            assumeTrue(Bubblewrap.probe().usable(), () -> "bubblewrap is not usable here, skipping the bwrap-mode assertions: "
                    + Bubblewrap.probe().problem());
        }
        repo = Files.createDirectories(tmp.resolve("repo"));
        this.state = Files.createDirectories(state);
        runDir = state.resolve("runs").resolve("r1");
        git("init", "-q", "-b", "main");
        Files.writeString(repo.resolve("README.md"), "hello\n");
        git("add", "-A");
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "initial");
        LocalExecutor.Options options = LocalExecutor.Options.of(state, warnings::add).withGracePeriod(grace)
                .withStateDirs(stateDirs);
        executor = new LocalExecutor(mode == Mode.BWRAP ? options : options.withoutBubblewrap("disabled by the test"));
    }

    String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", repo.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(cmd + " failed: " + out);
        return out.strip();
    }

    static AgentProfile profile(String kind, SandboxPolicy policy, ResourceLimits limits, long durationMillis) {
        return new AgentProfile(kind, kind, policy, limits, Map.of(), 0, durationMillis);
    }

    static AgentProfile shell(SandboxPolicy policy) {
        return profile("shell", policy, ResourceLimits.DEFAULTS, 0);
    }

    static TicketBuilder ticket(String id, String run) {
        return new TicketBuilder(id, run);
    }

    static final class TicketBuilder {
        final String id;
        final String run;
        WorkspaceMode workspace = WorkspaceMode.RUN;
        boolean network;
        long timeoutMillis;
        long durationMillis;
        String agent = "shell";
        final Map<String, String> env = new LinkedHashMap<>();
        final Map<String, OutputSpec> outputs = new LinkedHashMap<>();

        TicketBuilder(String id, String run) {
            this.id = id;
            this.run = run;
        }

        TicketBuilder workspace(WorkspaceMode v) { workspace = v; return this; }
        TicketBuilder network(boolean v) { network = v; return this; }
        TicketBuilder timeout(long v) { timeoutMillis = v; return this; }
        TicketBuilder duration(long v) { durationMillis = v; return this; }
        TicketBuilder agent(String v) { agent = v; return this; }
        TicketBuilder env(String k, String v) { env.put(k, v); return this; }
        TicketBuilder output(OutputSpec o) { outputs.put(o.name(), o); return this; }

        PlannedTicket build() {
            return new PlannedTicket(id, "Ticket " + id, List.of(), agent, run, env, timeoutMillis, RetryPolicy.NONE, 0,
                    When.SUCCESS, ApprovalMode.NONE, workspace, network, outputs, Map.of(), id, durationMillis);
        }
    }

    Plan plan(AgentProfile profile, PlannedTicket... tickets) {
        return new Plan("test", "", 4, Map.of(), repo.toString(), repo.toString(), Map.of(profile.name(), profile),
                List.of(tickets), "digest");
    }

    AttemptRequest request(Plan plan, PlannedTicket ticket, int attempt) {
        executor.prepareRun("r1", plan, runDir);
        return new AttemptRequest("r1", plan, ticket, plan.profileOf(ticket), attempt, ticket.run(), ticket.env(), runDir);
    }

    AttemptResult run(AgentProfile profile, PlannedTicket ticket, TestControl control) throws InterruptedException {
        Plan plan = plan(profile, ticket);
        return executor.execute(request(plan, ticket, 1), control);
    }

    AttemptResult run(PlannedTicket ticket, TestControl control) throws InterruptedException {
        return run(shell(SandboxPolicy.BEST_EFFORT), ticket, control);
    }

    @Override
    public void close() {
        executor.close();
    }
}
