package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swarm's own PATH, where the sandbox finds a ticket's shell, naming a directory inside a state directory the sandbox
 * hides is a preflight problem (every sandboxed attempt would fail to launch), not left to the attempts.
 */
class OwnPathInStateDirTest {
    @TempDir
    Path dir;

    private Plan plan(String yaml) throws Exception {
        Path spec = dir.resolve("swarm.yaml");
        Files.writeString(spec, yaml);
        return new SpecLoader().load(spec, Map.of());
    }

    @Test
    void swarmsOwnPathIntoAHiddenStateDirectoryIsAProblemWhenATicketRunsSandboxed() throws Exception {
        Path state = dir.resolve("other/state");
        Files.createDirectories(state.resolve("bin"));
        Plan sandboxed = plan("tickets:\n  - {id: a, run: echo a}\n");
        String path = "/usr/bin:" + state + "/bin:/bin";

        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), path)).hasValue("swarm's own PATH names "
                + state + "/bin, inside the state directory " + state + ", which the sandbox hides from the tickets, so a "
                + "sandboxed ticket could not start its shell from there; take " + state + "/bin off PATH (put those programs "
                + "elsewhere), or, when " + state + " is no longer needed, delete it or remove it from your list of state "
                + "directories ($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)");
        // a link to it is found by its real path
        Path link = Files.createSymbolicLink(dir.resolve("tools"), state.resolve("bin"));
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), "/usr/bin:" + link)).isPresent();

        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), "/usr/bin:/bin")).isEmpty();
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(), path)).isEmpty();
        Plan off = plan("agents:\n  open: {kind: shell, sandbox: \"off\"}\ntickets:\n  - {id: a, run: echo a, agent: open}\n");
        assertThat(LocalExecutor.ownPathProblem(off, List.of(state), path)).as("nothing hidden from an unsandboxed ticket").isEmpty();
    }
}
