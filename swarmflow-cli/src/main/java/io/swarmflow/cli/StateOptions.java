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
     * @throws io.swarmflow.engine.InvalidRequestException for an empty {@code --state-dir}, or a default {@code .swarm}
     *                                                     that is a symbolic link ({@link Wiring#refuseLinkedDefault})
     */
    static Path resolve(Path stateDir) {
        if (stateDir != null && stateDir.toString().isBlank()) { // Path.of("") is the working directory
            throw new io.swarmflow.engine.InvalidRequestException("--state-dir is empty; give a directory, or leave the option out "
                    + "to use $SWARM_STATE_DIR, else .swarm in the working directory");
        }
        if (stateDir != null) return stateDir.toAbsolutePath().normalize();
        String env = System.getenv("SWARM_STATE_DIR");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
        Path p = Path.of(".swarm").toAbsolutePath().normalize();
        Wiring.refuseLinkedDefault(p); // a .swarm link is followed only when named on purpose
        return p;
    }
}
