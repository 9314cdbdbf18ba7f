package io.swarmflow.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --state-dir}, accepted by every command. */
public final class StateOptions {
    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "The state directory, where runs are kept. Default: $SWARM_STATE_DIR when set, else the directory .swarm in the working directory.")
    Path stateDir;

    /**
     * The state directory: the flag, else {@code SWARM_STATE_DIR}, else {@code ./.swarm}; absolute and normalized.
     *
     * @throws io.swarmflow.engine.InvalidRequestException for an empty {@code --state-dir}, or a default {@code .swarm}
     *                                                     that is a symbolic link ({@link Wiring#refuseLinkedDefault})
     */
    public Path resolve() {
        return resolve(stateDir);
    }

    /**
     * The state directory {@code stateDir} (a {@code --state-dir} given, or null) names: as {@link #resolve()}.
     *
     * @throws io.swarmflow.engine.InvalidRequestException for an empty {@code --state-dir}, a blank {@code SWARM_STATE_DIR}
     *                                                     (spaces only; an empty one is as unset), either beginning with
     *                                                     {@code ~} ({@link #refuseTilde}), or a default {@code .swarm}
     *                                                     that is a symbolic link ({@link Wiring#refuseLinkedDefault})
     */
    static Path resolve(Path stateDir) {
        return resolve(stateDir, System::getenv);
    }

    /** {@link #resolve(Path)} with {@code environment} as swarm's environment. */
    static Path resolve(Path stateDir, java.util.function.Function<String, String> environment) {
        if (stateDir != null && stateDir.toString().isBlank()) { // Path.of("") is the working directory
            throw new io.swarmflow.engine.InvalidRequestException("--state-dir is empty; give a directory, or leave the option out "
                    + "to use $SWARM_STATE_DIR, else .swarm in the working directory");
        }
        if (stateDir != null) {
            refuseTilde(stateDir.toString(), "--state-dir ");
            return stateDir.toAbsolutePath().normalize();
        }
        String env = environment.apply("SWARM_STATE_DIR");
        if (env != null && !env.isEmpty() && env.isBlank()) {
            throw new io.swarmflow.engine.InvalidRequestException("SWARM_STATE_DIR is '" + env + "', only spaces; give a "
                    + "directory, or unset it (or set it empty) to use .swarm in the working directory");
        }
        if (env != null && !env.isEmpty()) {
            refuseTilde(env, "SWARM_STATE_DIR=");
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path p = Path.of(".swarm").toAbsolutePath().normalize();
        Wiring.refuseLinkedDefault(p); // a .swarm link is followed only when named on purpose
        return p;
    }

    /**
     * Refuses a state directory whose first path element begins with {@code ~} ({@code ~/st}, {@code ~bob/st}): the shell
     * expands {@code ~} only unquoted at the start of a word, so it reached swarm as written (a quoted value, a CI
     * {@code env:} block, a {@code .env} file), and would make a directory named {@code ~} in the working directory,
     * which {@code rm -rf ~} then mistakes for the home.
     *
     * @param given how the value was given, for the message: {@code --state-dir } or {@code SWARM_STATE_DIR=}
     */
    private static void refuseTilde(String value, String given) {
        if (!value.startsWith("~")) return;
        int slash = value.indexOf('/');
        String first = slash < 0 ? value : value.substring(0, slash);
        String fix = first.equals("~") ? given + "$HOME" + value.substring(1)
                : "the path of the home directory of " + first.substring(1) + " in place of " + first;
        throw new io.swarmflow.engine.InvalidRequestException(given + io.swarmflow.spec.SpecError.printable(value)
                + " begins with " + first + ", which the shell did not expand (it expands ~ only unquoted, at the start of a "
                + "word), so it would be a directory named " + first + " in the working directory; write "
                + io.swarmflow.spec.SpecError.printable(fix));
    }
}
