package io.swarmflow.git;

import static io.swarmflow.git.EveryChangeSeenTest.git;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review G HIGH-1: a ticket without the sandbox rewrote the {@code commondir} file of its worktree's git directory to a
 * copy of the repository's git directory; the commit of its work then went to the copy's branch, the repository's
 * branch stayed at the base (an empty diff stat) and the {@code commit} output named a commit the repository does not
 * have. The commit writes the file back first ({@code ../..}, as {@code git worktree add} writes it).
 */
class CommonDirPinnedTest {
    @TempDir
    Path tmp;

    @Test
    void aRewrittenCommondirDoesNotSendTheCommitElsewhere() throws Exception {
        OneCommitRepo made = OneCommitRepo.make(tmp, "repo", "f", "a\n");
        Path repo = made.repo();
        Worktree w = made.worktree();

        // the ticket: edits f, and points its git directory's commondir at a copy of the repository's .git
        Files.writeString(w.dir().resolve("f"), "EDIT\n");
        Path fake = tmp.resolve("fake");
        Process cp = new ProcessBuilder("cp", "-a", repo.resolve(".git").toString(), fake.toString()).inheritIO().start();
        assertThat(cp.waitFor()).isZero();
        Files.writeString(w.gitDir().resolve("commondir"), fake + "\n");

        String commit = GitWorktrees.commitAll(w, "the ticket's work").orElseThrow();
        assertThat(git(repo, "rev-parse", "swarm/r/t").strip()).as("the repository's branch has the commit").isEqualTo(commit);
        assertThat(git(repo, "show", "swarm/r/t:f")).isEqualTo("EDIT\n");
        assertThat(Files.readString(w.gitDir().resolve("commondir"))).as("written back").isEqualTo("../..\n");
    }

    /**
     * Review G MEDIUM-2: the commit's first git command (the check for an unfinished merge) read the commondir the
     * ticket chose, whose config could include a FIFO and hold the coordinator; it is written back before that command.
     */
    @Test
    void theChecksBeforeTheCommitWriteTheCommondirBackFirst() throws Exception {
        Worktree w = OneCommitRepo.make(tmp, "repo2", "f", "a\n").worktree();
        Files.writeString(w.gitDir().resolve("commondir"), tmp.resolve("nowhere") + "\n");
        assertThat(GitWorktrees.unfinishedOperation(w)).isEmpty();
        assertThat(Files.readString(w.gitDir().resolve("commondir"))).isEqualTo("../..\n");
        Files.writeString(w.gitDir().resolve("commondir"), tmp.resolve("nowhere") + "\n");
        assertThat(GitWorktrees.checkedOutBranch(w)).contains("refs/heads/swarm/r/t");
        assertThat(Files.readString(w.gitDir().resolve("commondir"))).isEqualTo("../..\n");
    }

    @Test
    void onlyALinkedWorktreesGitDirectoryHasACommonDirectory() {
        assertThat(GitWorktrees.commonDirOf(Path.of("/r/.git/worktrees/t"))).contains(Path.of("/r/.git"));
        assertThat(GitWorktrees.commonDirOf(Path.of("/r/.git"))).isEmpty();
    }
}
