package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run adds its state directory to the user's list ($XDG_STATE_HOME/swarmflow/state-dirs, else
 * ~/.local/state/swarmflow/state-dirs). The tests' runs, in-process and in child processes, keep theirs in the module's
 * target directory (the build sets XDG_STATE_HOME), not in the home of whoever builds.
 */
class StateDirListTest {
    @TempDir
    Path tmp;

    @Test
    void aRunOfTheTestsListsItsStateDirectoryInTheBuildNotInTheHome() throws Exception {
        String xdg = System.getenv("XDG_STATE_HOME");
        assertThat(xdg).as("XDG_STATE_HOME of the tests").isNotNull();
        assertThat(Path.of(xdg)).startsWithRaw(Path.of("target").toAbsolutePath());
        Path spec = Cli.write(tmp.resolve("one.yaml"), """
                tickets:
                  - id: one
                    run: "true"
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(listed(Path.of(xdg, "swarmflow", "state-dirs"))).contains(state.toRealPath() + "\0");
        assertThat(listed(Path.of(System.getProperty("user.home"), ".local", "state", "swarmflow", "state-dirs")))
                .doesNotContain(state.toRealPath().toString());
    }

    private static String listed(Path list) throws Exception {
        return Files.exists(list) ? new String(Files.readAllBytes(list), StandardCharsets.UTF_8) : "";
    }
}
