package io.swarmflow.cli;

import io.swarmflow.engine.PreflightException;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SpecLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code swarm validate SPEC}: checks a spec (and that it can run here) without running or storing anything. */
@Command(name = "validate", description = "Checks a swarm spec and prints the plan; stores nothing.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC", description = SwarmCli.SPEC_HELP) Path specFile;

    @Mixin
    VarOptions vars;

    /** {@link StateOptions}'s option, said as what it is here: validate stores nothing, but a run's checks need it. */
    @Option(names = "--state-dir", paramLabel = "DIR", description = "The state directory a run of this spec would use: "
            + "validate stores nothing there, and checks only that it is not the spec's repository itself, as run does. "
            + "Default: $SWARM_STATE_DIR when set, else the directory .swarm in the working directory.")
    Path stateDir;

    @Mixin
    FloorOptions floor = new FloorOptions();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Streams.out(spec);
        SpecInput.hintOnTerminal(specFile, "validate", Streams.err(spec));
        var executor = Wiring.executor(StateOptions.resolve(stateDir), Streams.err(spec));
        // a PATH into a state directory the sandbox hides is refused where the spec sets it, as by run
        // matrix expansions sharing an output file in the checkout: judged by the repository's HEAD commit, now
        Plan plan = new SpecLoader().forCommand("validate").withCommittedFiles(Wiring.committedFiles()).load(specFile, vars.values(),
                w -> Streams.err(spec).println("swarm: warning: " + w.format()), floor.floor(), executor::hiddenStateDirs);
        List<String> problems = new java.util.ArrayList<>(executor.preflight(plan));
        problems.addAll(EnvironmentEncoding.problems(plan)); // as run checks
        if (!problems.isEmpty()) throw new PreflightException(problems);
        // named as its errors name it: standard input as /dev/stdin
        out.println(io.swarmflow.spec.SpecError.printable((specFile.toString().equals("-") ? SpecLoader.STDIN : specFile).toString()) + ": ok: swarm '" + io.swarmflow.spec.SpecError.printable(io.swarmflow.cli.view.Tables.name(plan.name())) + "', " + count(plan.tickets().size(), "ticket") + ", "
                + count(plan.agents().size(), "agent profile") + profileNames(plan) + ", concurrency " + plan.concurrency()
                + (plan.repo() != null ? ", repo " + io.swarmflow.spec.SpecError.printable(plan.repo()) : ""));
        for (PlannedTicket t : plan.tickets()) {
            out.println("  " + t.id() + " [" + t.agent() + ", " + t.workspace().name().toLowerCase() + "]"
                    + (t.needs().isEmpty() ? "" : " needs " + String.join(", ", t.needs())) + conditions(t));
        }
        return ExitCodes.OK;
    }

    /**
     * What decides whether and when the ticket runs beyond its needs, as the spec writes it ({@code ; when: failure},
     * {@code ; approval: before-run}); empty for the defaults. Without it, a ticket that runs only on a failure or waits
     * for a person looked in the plan like any other.
     */
    static String conditions(PlannedTicket t) {
        StringBuilder b = new StringBuilder();
        if (t.when() != io.swarmflow.spec.When.SUCCESS) b.append("; when: ").append(t.when().name().toLowerCase(java.util.Locale.ROOT));
        if (t.approval() == io.swarmflow.spec.ApprovalMode.BEFORE_RUN) b.append("; approval: before-run");
        return b.toString();
    }

    /**
     * The profiles' names in parentheses, sorted, the first {@value #NAMED_PROFILES} and how many more: a spec without
     * {@code agents:} still has the profiles named after the agent kinds ({@code noop}, {@code shell}), which a bare count
     * leaves unexplained.
     */
    static String profileNames(Plan plan) {
        List<String> names = plan.agents().keySet().stream().sorted().toList();
        return " (" + String.join(", ", names.subList(0, Math.min(NAMED_PROFILES, names.size())))
                + (names.size() > NAMED_PROFILES ? " and " + (names.size() - NAMED_PROFILES) + " more" : "") + ")";
    }

    private static final int NAMED_PROFILES = 6;

    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
