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
