package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's state-directory listing names every file and directory a run leaves directly in a new state directory
 * (review R6, finding 7: {@code swarm.db.migration-lock} was missing), SQLite's {@code -wal} and {@code -shm} aside,
 * which its permissions sentence names.
 */
class StateListingDocTest {
    @TempDir
    Path tmp;

    @Test
    void theReadmeListsWhatARunLeavesInANewStateDirectory() throws Exception {
        String readme = Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("README.md"));
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Path state = tmp.resolve("state");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();

        List<String> names;
        try (var files = Files.list(state)) {
            names = files.map(f -> f.getFileName().toString()).filter(n -> !n.endsWith("-wal") && !n.endsWith("-shm")).sorted().toList();
        }
        assertThat(names).contains("swarm.db", "swarm.db.migration-lock", "runs", ".gitignore");
        for (String name : names) {
            assertThat(readme).as("README's listing names .swarm/%s", name).contains("\n.swarm/" + name + (name.equals("runs") ? "/" : " "));
        }
        assertThat(readme).contains("`swarm.db` (0600, with its\n`-wal`, `-shm` and `.migration-lock` files)");
    }
}
