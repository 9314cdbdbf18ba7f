package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** SWARM_STATE_DIR chooses the state directory when --state-dir is not given (a child JVM, to set the variable). */
class StateDirEnvTest {
    @TempDir
    Path tmp;

    @Test
    void stateGoesWhereSwarmStateDirPointsNotIntoTheWorkingDirectory() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "name: env\ntickets:\n  - {id: a, agent: noop}\n");
        Path state = tmp.resolve("elsewhere");
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Process p = swarmIn(cwd, state.toString(), "run", spec.toString(), "--plain");
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(state.resolve("swarm.db")).exists();
        assertThat(cwd.resolve(".swarm")).doesNotExist();
        assertThat(output).contains("state in " + state);
    }

    @Test
    void anEmptyStateDirFlagIsInvalidInputAndWritesNothingInTheWorkingDirectory() throws Exception {
        // as from `--state-dir "$DIR"` with DIR unset: it used to put swarm.db and runs/ in the working directory
        Path spec = Cli.write(tmp.resolve("s.yaml"), "name: env\ntickets:\n  - {id: a, agent: noop}\n");
        Path cwd = Files.createDirectories(tmp.resolve("cwd"));
        Process p = swarmIn(cwd, null, "run", spec.toString(), "--plain", "--state-dir", "");
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("--state-dir is empty; give a directory");
        assertThat(cwd.toFile().list()).isEmpty();
    }

    /**
     * A {@code .swarm} that is a symbolic link (committed in a repository you cloned, say) is not followed as the default
     * state directory: every command refuses it, naming where it leads and the --state-dir to use it on purpose, and
     * writes nothing there. Named on purpose (--state-dir .swarm, or its target), it is used.
     */
    @Test
    void aDefaultStateDirThatIsASymbolicLinkIsRefusedUnlessNamed() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), "name: env\ntickets:\n  - {id: a, agent: noop}\n");
        Path victim = Files.createDirectories(tmp.resolve("victim")).toRealPath();
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Path link = Files.createSymbolicLink(repo.resolve(".swarm"), Path.of("../victim"));

        for (String[] args : List.of(new String[] {"run", spec.toString(), "--plain"}, new String[] {"status"},
                new String[] {"runs"}, new String[] {"validate", spec.toString()})) {
            Process p = swarmIn(repo, null, args);
            String output = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(p.exitValue()).as("%s: %s", args[0], output).isEqualTo(2);
            assertThat(output).as(args[0]).contains("the default state directory " + repo.toRealPath().resolve(".swarm")
                    + " (.swarm in the working directory) is a symbolic link to ../victim (" + victim + ")",
                    "nothing was changed", "--state-dir " + victim + " (or SWARM_STATE_DIR=" + victim + ")");
            assertThat(victim.toFile().list()).as(args[0]).isEmpty();
            assertThat(Files.isSymbolicLink(link)).isTrue();
        }

        Process named = swarmIn(repo, null, "run", spec.toString(), "--plain", "--state-dir", ".swarm");
        String output = new String(named.getInputStream().readAllBytes());
        assertThat(named.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(named.exitValue()).as(output).isZero();
        assertThat(victim.resolve("swarm.db")).exists();
    }

    /** {@code swarm ARGS} in a child JVM working in {@code cwd}, with {@code SWARM_STATE_DIR} set to {@code stateDirEnv} or unset. */
    private static Process swarmIn(Path cwd, String stateDirEnv, String... args) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SwarmCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        if (stateDirEnv == null) pb.environment().remove("SWARM_STATE_DIR");
        else pb.environment().put("SWARM_STATE_DIR", stateDirEnv);
        return pb.start();
    }
}
