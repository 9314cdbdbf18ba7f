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
 * makes of the ticket's work left it out, and the diff stat did not show it. {@link GitWorktrees#commitAll} stages the
 * work in an index of its own, made from HEAD's tree, which nothing of the worktree's index reaches.
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
        assertThat(git(w.dir(), "status", "--porcelain")).as("the worktree's index agrees with the commit").isEmpty();
        assertThat(w.gitDir().resolve(GitWorktrees.PRIVATE_INDEX)).doesNotExist();
    }

    /**
     * Without any mark: the ticket stages its edit ({@code git add}), then writes the base's content into that entry of
     * the index, keeping the edited file's status (size, times, inode). git add -A in that index takes the file as
     * unchanged without reading it, so the edit was left out; the commit's own index, made from HEAD, reads every file.
     */
    @Test
    void anIndexEntryThatGivesTheEditedFileTheBasesContentDoesNotHideTheEdit() throws Exception {
        OneCommitRepo made = OneCommitRepo.make(tmp, "repo", "f.txt", "base\n");
        Path repo = made.repo();
        Worktree w = made.worktree();

        Path f = w.dir().resolve("f.txt");
        Files.writeString(f, "edit\n"); // the same size
        // older than the index, so git does not read it again as a file changed in the second the index was written
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));
        git(w.dir(), "add", "f.txt");
        replaceInIndex(w.gitDir().resolve("index"), git(w.dir(), "rev-parse", ":f.txt").strip(),
                git(w.dir(), "rev-parse", "HEAD:f.txt").strip());
        assertThat(git(w.dir(), "status", "--porcelain")).as("the ticket's index hides the edit from git").isEmpty();

        assertThat(GitWorktrees.commitAll(w, "the ticket's work")).isPresent();
        assertThat(git(repo, "show", "swarm/r/t:f.txt")).isEqualTo("edit\n");
        assertThat(git(w.dir(), "status", "--porcelain")).isEmpty();
    }

    /** The commit's index is made from HEAD: a file git ignores is left out though the ticket staged it (git add -f). */
    @Test
    void aFileGitIgnoresIsLeftOutThoughTheTicketStagedIt() throws Exception {
        OneCommitRepo made = OneCommitRepo.make(tmp, "repo", ".gitignore", "*.log\n");
        Path repo = made.repo();
        Worktree w = made.worktree();
        Files.writeString(w.dir().resolve("build.log"), "log\n");
        Files.writeString(w.dir().resolve("result.txt"), "done\n");
        git(w.dir(), "add", "-f", "build.log");

        assertThat(GitWorktrees.commitAll(w, "the ticket's work")).isPresent();
        assertThat(git(repo, "ls-tree", "--name-only", "swarm/r/t")).contains("result.txt").doesNotContain("build.log");
    }

    /** Writes object id {@code to} where the index holds {@code from} (hex), and the index's checksum again (SHA-1). */
    private static void replaceInIndex(Path index, String from, String to) throws Exception {
        byte[] b = Files.readAllBytes(index);
        byte[] old = java.util.HexFormat.of().parseHex(from);
        int at = -1;
        for (int i = 0; i + old.length <= b.length - 20 && at < 0; i++) {
            if (java.util.Arrays.equals(b, i, i + old.length, old, 0, old.length)) at = i;
        }
        assertThat(at).as("the entry's object id in the index").isPositive();
        System.arraycopy(java.util.HexFormat.of().parseHex(to), 0, b, at, 20);
        java.security.MessageDigest sha1 = java.security.MessageDigest.getInstance("SHA-1");
        sha1.update(b, 0, b.length - 20);
        System.arraycopy(sha1.digest(), 0, b, b.length - 20, 20);
        Files.write(index, b);
    }
}
