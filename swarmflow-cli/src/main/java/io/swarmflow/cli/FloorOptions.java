package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.spec.Floor;
import io.swarmflow.spec.SandboxPolicy;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * {@code --sandbox}, {@code --no-network} and {@code --allow-env}, accepted by {@code run}, {@code validate} and
 * {@code resume}: what the person running swarm allows a spec ({@link Floor}). Each option, when not given, is read
 * from its environment variable ({@code SWARM_SANDBOX_FLOOR}, {@code SWARM_NO_NETWORK}, {@code SWARM_ALLOW_ENV}), as
 * {@code --state-dir} from {@code SWARM_STATE_DIR}.
 */
public final class FloorOptions {
    @Option(names = "--sandbox", paramLabel = "required|best-effort", description = "Refuse (exit 2, nothing stored) a ticket whose "
            + "sandbox policy is below this: `off`, or `best-effort` under `required`. Default: $SWARM_SANDBOX_FLOOR when set, else no floor.")
    String sandbox;

    @Option(names = "--no-network", description = "Refuse (exit 2, nothing stored) a ticket with `network: true`. "
            + "Default: on when $SWARM_NO_NETWORK is 1 or true.")
    boolean noNetwork;

    @Option(names = "--allow-env", paramLabel = "NAME,...", description = "Refuse (exit 2, nothing stored) a `$${{ env.NAME }}` "
            + "reference to a variable not named here (repeatable; `--allow-env ''` allows none). "
            + "Default: $SWARM_ALLOW_ENV when set (empty: none), else any.")
    List<String> allowEnv;

    /** Where the variables are read: swarm's environment, or a map in tests. */
    Function<String, String> environment = System::getenv;

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * The floor the options (else their variables) set; {@link Floor#NONE} when neither says anything.
     *
     * @throws InvalidRequestException for a value that is not one of the option's, naming the option or variable
     */
    Floor floor() {
        String sandboxValue = sandbox;
        String sandboxFrom = "--sandbox";
        if (sandboxValue == null) {
            String env = environment.apply("SWARM_SANDBOX_FLOOR");
            if (env != null && !env.isBlank()) {
                sandboxValue = env.strip();
                sandboxFrom = "SWARM_SANDBOX_FLOOR";
            }
        }
        SandboxPolicy policy = null;
        if (sandboxValue != null) {
            policy = switch (sandboxValue) {
                case "required" -> SandboxPolicy.REQUIRED;
                case "best-effort" -> SandboxPolicy.BEST_EFFORT;
                default -> throw new InvalidRequestException(sandboxFrom + " is '" + sandboxValue + "'; use required or best-effort"
                        + (sandboxValue.equals("off") ? " (off sets no floor: leave " + sandboxFrom + " out)" : "")
                       );
            };
        }
        boolean network = noNetwork;
        boolean networkFromEnvironment = false;
        if (!network) {
            String env = environment.apply("SWARM_NO_NETWORK");
            if (env != null && !env.isBlank()) {
                network = networkFromEnvironment = switch (env.strip()) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw new InvalidRequestException("SWARM_NO_NETWORK is '" + env + "'; use 1 or true to refuse "
                            + "network: true, 0 or false (or unset it) not to");
                };
            }
        }
        Set<String> allowed = null;
        String allowFrom = "--allow-env";
        List<String> given = allowEnv;
        if (given == null) {
            String env = environment.apply("SWARM_ALLOW_ENV"); // set, even empty: the list (empty allows none)
            if (env != null) {
                given = List.of(env);
                allowFrom = "SWARM_ALLOW_ENV";
            }
        }
        if (given != null) {
            allowed = new TreeSet<>();
            for (String value : given) {
                for (String name : value.split(",", -1)) {
                    name = name.strip();
                    if (name.isEmpty()) continue;
                    if (!NAME.matcher(name).matches()) {
                        throw new InvalidRequestException(allowFrom + " names '" + name + "', which is not an environment variable name; "
                                + "give names of letters, digits and '_', not starting with a digit, separated by ','");
                    }
                    allowed.add(name);
                }
            }
        }
        // each refusal names where its floor came from: the option, or the variable that stands for it
        return new Floor(policy, network, allowed, allowed != null && allowFrom.equals("SWARM_ALLOW_ENV"),
                policy != null && sandboxFrom.equals("SWARM_SANDBOX_FLOOR"), networkFromEnvironment);
    }
}
