package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static io.swarmflow.cli.StateDirRefusals.commitDatabase;
import static io.swarmflow.cli.StateDirRefusals.stateDirInARepo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A state directory with two problems, writable by every user and holding a database its git repository tracks, was
 * refused for the first one only (each check threw on its own): fixing it and running again only brought the next
 * refusal. One refusal now lists every problem found, each with its fix ({@code InvalidRequestException.listing}).
 */
class StateDirAllProblemsAtOnceTest {
    @TempDir
    Path tmp;

    @Test
    void aWorldWritableStateDirectoryWhoseDatabaseIsTrackedIsRefusedForBoth() throws Exception {
        Path state = stateDirInARepo(tmp);
        Path repo = state.getParent();
        commitDatabase(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
        long me = new com.sun.security.auth.module.UnixSystem().getUid();
        Path real = state.toRealPath();

        assertThatThrownBy(() -> Wiring.refuseUnsafe(state, me, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> {
                    List<String> lines = ((InvalidRequestException) e).lines();
                    assertThat(lines.getFirst()).isEqualTo("the state directory " + state + (real.equals(state) ? ""
                            : " (" + real + ")") + " is refused for 2 reasons; nothing was changed:");
                    assertThat(lines).hasSize(4);
                    assertThat(lines.get(1)).startsWith("  it is writable by ").contains("Run chmod go-w " + real);
                    assertThat(lines.get(2)).startsWith("  it holds files that the git repository " + repo.toRealPath()
                            + " tracks (" + Wiring.DB_FILE + ")").contains("--cached -- .swarm/" + Wiring.DB_FILE + ", then commit");
                });

        // each alone: as said before, in one sentence
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> Wiring.refuseUnsafe(state, me, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("the state directory " + state + (real.equals(state) ? "" : " (" + real + ")")
                        + " holds files that the git repository " + repo.toRealPath() + " tracks (" + Wiring.DB_FILE + "): runs "
                        + "committed to a repository come with every clone, and swarm resume would run commands that someone "
                        + "else wrote; nothing was changed. If they came with the repository, delete them: ");
    }

    /**
     * Another user's state directory (root gives it to {@code nobody}) whose database the repository tracks: both in one
     * refusal. Its own mode is not listed again (it is not yours: the first problem's fix covers it).
     */
    @Test
    void anotherUsersStateDirectoryWhoseDatabaseIsTrackedIsRefusedForBoth() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root, to give a directory to another user");
        Path state = stateDirInARepo(tmp);
        commitDatabase(state);
        Files.setAttribute(state, "unix:uid", 65534); // nobody

        assertThatThrownBy(() -> Wiring.refuseUnsafe(state, 0, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> {
                    List<String> lines = ((InvalidRequestException) e).lines();
                    assertThat(lines.getFirst()).endsWith(" is refused for 2 reasons; nothing was changed:");
                    assertThat(lines.get(1)).startsWith("  it belongs to another user (owned by nobody");
                    assertThat(lines.get(2)).startsWith("  it holds files that the git repository ");
                });
    }

    /**
     * A mistyped {@code --state-dir docs}: a directory of the project with tracked files of its own and no state
     * directory's. Refused as before, but the advice was {@code git rm -r -q -- docs}, deleting the project's docs (review A
     * F8); it now says the directory is not a state directory and names a new one to use. A tracked database is still
     * named alone, never its whole directory.
     */
    @Test
    void aProjectDirectoryWithTrackedFilesIsNotOfferedForDeletion() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        StateDirRefusals.git(repo, "init", "-q");
        Path docs = Files.createDirectories(repo.resolve("docs"));
        Files.writeString(docs.resolve("readme.md"), "docs\n");
        StateDirRefusals.git(repo, "add", "docs/readme.md");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "docs");
        long me = new com.sun.security.auth.module.UnixSystem().getUid();

        assertThatThrownBy(() -> Wiring.refuseUnsafe(docs, me, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tracks (readme.md), none of them a state directory's")
                .hasMessageContaining("Point --state-dir (or SWARM_STATE_DIR) at a new directory")
                .hasMessageNotContaining(" rm ");

        // a project's own runs/ folder and a file named like the database are not a state directory's either
        Files.createDirectories(docs.resolve("runs"));
        Files.writeString(docs.resolve("runs/plan.md"), "runs\n");
        Files.writeString(docs.resolve(Wiring.DB_FILE + ".md"), "notes\n");
        StateDirRefusals.git(repo, "add", "docs");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "more docs");
        assertThatThrownBy(() -> Wiring.refuseUnsafe(docs, me, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("none of them a state directory's")
                .hasMessageNotContaining(" rm ");

        Files.writeString(docs.resolve(Wiring.DB_FILE), "");
        StateDirRefusals.git(repo, "add", "docs/" + Wiring.DB_FILE);
        StateDirRefusals.git(repo, "commit", "-q", "-m", "runs");
        assertThatThrownBy(() -> Wiring.refuseUnsafe(docs, me, null, true, System.getenv("PATH")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("rm -r -q -- docs/" + Wiring.DB_FILE + ", then commit")
                .hasMessageNotContaining("-- docs,");
    }
}
