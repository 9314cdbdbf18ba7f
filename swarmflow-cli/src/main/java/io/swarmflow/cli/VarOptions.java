package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --var KEY=VALUE}, accepted by {@code run} and {@code validate}. */
public final class VarOptions {
    @Option(names = "--var", paramLabel = "KEY=VALUE", description = "Overrides a variable declared in `vars`; give each variable once.")
    Map<String, String> vars = new LinkedHashMap<>();

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /**
     * The overrides by name.
     *
     * @throws InvalidRequestException when a variable is given twice with different values (picocli's map would
     *                                 silently keep the last one), or without a name ({@code --var =x})
     */
    public Map<String, String> values() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        CommandLine.Model.OptionSpec option = parsed == null ? null : parsed.matchedOption("--var");
        if (option == null) return Collections.unmodifiableMap(vars);
        Map<String, String> seen = new LinkedHashMap<>();
        for (String raw : option.originalStringValues()) {
            int eq = raw.indexOf('=');
            if (eq < 0) continue; // picocli has refused it already
            String name = raw.substring(0, eq);
            String value = raw.substring(eq + 1);
            if (name.isBlank()) {
                // a command-line mistake, said as one: not with the spec's file name, nor counted in "the spec has N errors"
                throw new InvalidRequestException("--var '" + raw + "' has no variable name before '='; write --var NAME=VALUE");
            }
            String earlier = seen.putIfAbsent(name, value);
            if (earlier != null && !earlier.equals(value)) {
                throw new InvalidRequestException("--var " + name + " is given twice, as '" + earlier + "' and as '" + value
                        + "'; give each variable once");
            }
        }
        return Collections.unmodifiableMap(vars);
    }
}
