package io.swarmflow.cli;

import static io.swarmflow.cli.StateDirRefusals.commitDatabase;
import static io.swarmflow.cli.StateDirRefusals.stateDirInARepo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.swarmflow.engine.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory inside a git working tree is refused when the repository tracks its files ({@code
 * Wiring.refuseTracked}, which asks {@code git ls-files}); without git on PATH that cannot be told, and an existing state
 * directory (one with a database) is refused, saying so, instead of being used unchecked. The PATH is the method's
 * argument here, so the test needs no machine without git.
 */
class StateDirWithoutGitTest {
    static final String NO_GIT = "/nonexistent-swarm-test-bin";

    @TempDir
    Path tmp;

    @Test
    void anExistingStateDirectoryInARepositoryIsRefusedWhenGitIsNotOnPath() throws Exception {
        Path state = stateDirInARepo(tmp);
        Path repo = state.getParent();
        Files.writeString(state.resolve(".gitignore"), "*\n");
        Path real = state.toRealPath();
        assertThatCode(() -> Wiring.refuseTracked(state, real, NO_GIT)).as("no database yet: no runs to resume")
                .doesNotThrowAnyException();
        Files.writeString(state.resolve(Wiring.DB_FILE), "");

        assertThatThrownBy(() -> Wiring.refuseTracked(state, real, NO_GIT)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + state + (real.equals(state) ? "" : " (" + real + ")")
                        + " is inside the git repository " + repo.toRealPath() + ", and git is not on PATH, so swarm cannot "
                        + "tell whether the repository tracks its files")
                .hasMessageContaining("nothing was changed. Install git")
                .hasMessageContaining("--state-dir (or SWARM_STATE_DIR) at a directory outside the repository");
        assertThatCode(() -> Wiring.refuseTracked(state, real, System.getenv("PATH"))).as("git on PATH: untracked, used")
                .doesNotThrowAnyException();

        Path outside = Files.createDirectories(tmp.resolve("elsewhere/state"));
        Files.writeString(outside.resolve(Wiring.DB_FILE), "");
        assertThatCode(() -> Wiring.refuseTracked(outside, outside.toRealPath(), NO_GIT)).as("no repository around it")
                .doesNotThrowAnyException();
    }

    @Test
    void gitIsFoundOnPathAsProcessBuilderWouldFindIt() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path git = Files.writeString(bin.resolve("git"), "#!/bin/sh\n");
        assertThat(Wiring.onPath("git", NO_GIT + ":" + bin)).as("not executable").isFalse();
        git.toFile().setExecutable(true);
        assertThat(Wiring.onPath("git", NO_GIT + ":" + bin)).isTrue();
        assertThat(Wiring.onPath("git", null)).as("no PATH: ProcessBuilder searches /bin:/usr/bin")
                .isEqualTo(Files.isExecutable(Path.of("/usr/bin/git")) || Files.isExecutable(Path.of("/bin/git")));
    }

    /**
     * Without PATH, ProcessBuilder runs git from /bin or /usr/bin: a repository's tracked state directory is then refused
     * for what it holds, as with PATH, not for git missing from PATH.
     */
    @Test
    void withoutPathGitIsLookedForWhereProcessBuilderLooks() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/git")) || Files.isExecutable(Path.of("/bin/git")),
                "needs git in /usr/bin or /bin");
        Path state = stateDirInARepo(tmp);
        Path repo = state.getParent();
        commitDatabase(state);
        Path real = state.toRealPath();

        assertThatThrownBy(() -> Wiring.refuseTracked(state, real, null)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("holds files that the git repository " + repo.toRealPath() + " tracks (swarm.db)")
                .hasMessageNotContaining("not on PATH");
    }

    /**
     * A relative --state-dir whose real path is where it leads (no link on the way): the message names it as given, not
     * followed by its absolute path as if a link led elsewhere.
     */
    @Test
    void aRelativeStateDirectoryIsNamedAsGiven() throws Exception {
        Path state = stateDirInARepo(tmp.toRealPath());
        Path repo = state.getParent();
        Files.writeString(state.resolve(Wiring.DB_FILE), "");
        Path relative = Path.of("").toAbsolutePath().relativize(state);

        assertThatThrownBy(() -> Wiring.refuseTracked(relative, state, NO_GIT)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + relative + " is inside the git repository " + repo);

        Files.setPosixFilePermissions(state, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        long me = new com.sun.security.auth.module.UnixSystem().getUid();
        assertThatThrownBy(() -> Wiring.refuseReplaceable(relative, me)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + relative + " is writable by every user");
    }
}
