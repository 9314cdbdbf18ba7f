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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code swarm validate SPEC}: checks a spec (and that it can run here) without running or storing anything. */
@Command(name = "validate", description = "Checks a swarm spec and prints the plan; stores nothing.")
final class ValidateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SPEC") Path specFile;

    @Option(names = "--var", paramLabel = "KEY=VALUE", description = "Overrides a variable declared in `vars`.")
    Map<String, String> vars = new LinkedHashMap<>();

    @Mixin StateOptions state;
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintStream out = Streams.out(spec);
        Plan plan = new SpecLoader().load(specFile, vars);
        List<String> problems = Wiring.executor(state.resolve(), Streams.err(spec)).preflight(plan);
        if (!problems.isEmpty()) throw new PreflightException(problems);
        out.println(specFile + ": ok: swarm '" + plan.name() + "', " + plan.tickets().size() + " tickets, "
                + plan.agents().size() + " agent profiles, concurrency " + plan.concurrency()
                + (plan.repo() != null ? ", repo " + plan.repo() : ""));
        for (PlannedTicket t : plan.tickets()) {
            out.println("  " + t.id() + " [" + t.agent() + ", " + t.workspace().name().toLowerCase() + "]"
                    + (t.needs().isEmpty() ? "" : " needs " + String.join(", ", t.needs())));
        }
        return ExitCodes.OK;
    }
}
