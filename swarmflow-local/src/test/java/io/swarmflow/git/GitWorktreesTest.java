package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GitWorktreesTest {
    @TempDir
    Path tmp;

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    /** Another git process holding .git/config.lock for a moment must not fail the worktree: git gives up at once, we retry. */
    @Test
    void aLockHeldBrieflyByAnotherGitProcessIsWaitedFor() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        Path lock = Files.writeString(repo.resolve(".git/config.lock"), ""); // as `git config` in another process holds it
        Thread release = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                Files.delete(lock);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t"); // records its base in .git/config

        release.join();
        assertThat(w.dir().resolve("a.txt")).exists();
    }

    @Test
    void lockContentionIsRecognisedFromGitsMessages() {
        assertThat(GitWorktrees.lockContention("error: could not lock config file .git/config: File exists")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: Unable to create '/r/.git/index.lock': File exists.")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: cannot lock ref 'refs/heads/x': reference already exists")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: invalid reference: nope")).isFalse();
    }
}
