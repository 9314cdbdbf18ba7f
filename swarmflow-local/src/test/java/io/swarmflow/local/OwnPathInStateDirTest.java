package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swarm's own PATH finding the tickets' shell (bash, as the sandbox resolves it on the host) in a directory inside a
 * state directory the sandbox hides is a preflight problem (every sandboxed attempt would fail to launch), not left to
 * the attempts; a PATH entry inside one that comes after the directory the shell is found in is no problem.
 */
class OwnPathInStateDirTest {
    @TempDir
    Path dir;

    private Plan plan(String yaml) throws Exception {
        Path spec = dir.resolve("swarm.yaml");
        Files.writeString(spec, yaml);
        return new SpecLoader().load(spec, Map.of());
    }

    private static Path executable(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @Test
    void aShellFoundInAHiddenStateDirectoryIsAProblemWhenATicketRunsSandboxed() throws Exception {
        Path state = dir.resolve("other/state");
        Path bash = executable(state.resolve("bin/bash"));
        Plan sandboxed = plan("tickets:\n  - {id: a, run: echo a}\n");
        String path = state + "/bin:/usr/bin:/bin";

        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), path)).hasValue("swarm's own PATH finds the "
                + "tickets' shell at " + bash + ", inside the state directory " + state + ", which the sandbox hides from "
                + "the tickets, so a sandboxed ticket could not start its shell from there; put a bash earlier on PATH or take "
                + state + "/bin off PATH (put those programs elsewhere), or, when " + state + " is no longer needed, delete "
                + "it or remove it from your list of state directories ($XDG_STATE_HOME/swarmflow/state-dirs, by default "
                + "~/.local/state/swarmflow/state-dirs)");
        // a link to that directory, or to the shell, is found by its real path
        Path link = Files.createSymbolicLink(dir.resolve("tools"), state.resolve("bin"));
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), link + ":/usr/bin")).isPresent();
        Files.createDirectories(dir.resolve("links"));
        Files.createSymbolicLink(dir.resolve("links/bash"), bash);
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), dir.resolve("links") + ":/usr/bin")).isPresent();

        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), "/usr/bin:/bin")).isEmpty();
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(), path)).isEmpty();
        Plan off = plan("agents:\n  open: {kind: shell, sandbox: \"off\"}\ntickets:\n  - {id: a, run: echo a, agent: open}\n");
        assertThat(LocalExecutor.ownPathProblem(off, List.of(state), path)).as("nothing hidden from an unsandboxed ticket").isEmpty();
    }

    /** The sandbox runs the first bash on PATH: a state directory's entry after it (or one without a bash) is no problem. */
    @Test
    void aPathEntryInAHiddenStateDirectoryAfterTheShellsIsNoProblem() throws Exception {
        Path state = dir.resolve("other/state");
        Files.createDirectories(state.resolve("bin"));
        Plan sandboxed = plan("tickets:\n  - {id: a, run: echo a}\n");

        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), "/usr/bin:" + state + "/bin:/bin")).isEmpty();
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), state + "/bin:/usr/bin:/bin"))
                .as("no bash there: the next directory's is run").isEmpty();
        executable(state.resolve("bin/bash"));
        assertThat(LocalExecutor.ownPathProblem(sandboxed, List.of(state), "/usr/bin:" + state + "/bin:/bin")).isEmpty();
    }
}
