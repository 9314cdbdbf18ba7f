package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory holds the plan (with {@code --var} values and environment), logs and worktrees, which may hold
 * secrets: one that swarm creates is its owner's alone, and so is the database, whatever the umask (022 here).
 */
class StatePermissionsTest {
    @TempDir
    Path tmp;

    @Test
    void aStateDirectorySwarmCreatesAndItsDatabaseAreTheOwnersAlone() throws Exception {
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                vars: {token: none}
                tickets:
                  - {id: a, env: {TOKEN: "${{ vars.token }}"}, run: "true"}
                """);
        Path state = tmp.resolve("state");

        Result r = swarm("run", spec.toString(), "--plain", "--var", "token=s3cret", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwx------");
        try (var files = Files.list(state)) {
            for (Path db : files.filter(f -> f.getFileName().toString().startsWith("swarm.db")).toList()) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).as("%s", db).isEqualTo("rw-------");
            }
        }
        assertThat(state.resolve("swarm.db")).exists();
    }

    @Test
    void anExistingStateDirectoryKeepsItsMode() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("shared"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-x---")); // whatever the umask
        Path spec = Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(state))).isEqualTo("rwxr-x---");
    }
}
