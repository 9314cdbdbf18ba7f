package io.swarmflow.git;

import static io.swarmflow.git.EveryChangeSeenTest.git;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket without the sandbox can write its worktree's index: {@code git update-index --assume-unchanged FILE} or
 * {@code --skip-worktree FILE} made {@code git add -A} pass its edit (or deletion) of FILE over, so the commit Swarmflow
 * makes of the ticket's work left it out, and the diff stat did not show it. {@link GitWorktrees#commitAll} now clears
 * both bits first.
 */
class IndexFlagsTest {
    @TempDir
    Path tmp;

    @Test
    void editsAndDeletionsOfFilesMarkedAssumeUnchangedOrSkipWorktreeAreCommitted() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        for (String f : new String[]{"assumed.txt", "skipped.txt", "both.txt", "deleted.txt", "plain.txt"}) {
            Files.writeString(repo.resolve(f), f + "\n");
        }
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("run/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());

        // what the ticket does: hide its edits, then make them
        git(w.dir(), "update-index", "--assume-unchanged", "assumed.txt", "both.txt", "deleted.txt");
        git(w.dir(), "update-index", "--skip-worktree", "skipped.txt", "both.txt");
        Files.writeString(w.dir().resolve("assumed.txt"), "edited\n");
        Files.writeString(w.dir().resolve("skipped.txt"), "edited\n");
        Files.writeString(w.dir().resolve("both.txt"), "edited\n");
        Files.delete(w.dir().resolve("deleted.txt"));

        assertThat(GitWorktrees.commitAll(w, "the ticket's work")).isPresent();
        for (String f : new String[]{"assumed.txt", "skipped.txt", "both.txt"}) {
            assertThat(git(repo, "show", "swarm/r/t:" + f)).as(f).isEqualTo("edited\n");
        }
        assertThat(git(repo, "ls-tree", "--name-only", "swarm/r/t")).doesNotContain("deleted.txt").contains("plain.txt");
        assertThat(git(w.dir(), "ls-files", "-v")).as("no entry flagged any longer").doesNotContainPattern("(?m)^([a-z]|S) ");
    }
}
