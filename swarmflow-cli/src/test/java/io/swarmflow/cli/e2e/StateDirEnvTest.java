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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SwarmCli.class.getName(), "run", spec.toString(), "--plain"))
                .directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().put("SWARM_STATE_DIR", state.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(state.resolve("swarm.db")).exists();
        assertThat(cwd.resolve(".swarm")).doesNotExist();
        assertThat(output).contains("state in " + state);
    }
}
