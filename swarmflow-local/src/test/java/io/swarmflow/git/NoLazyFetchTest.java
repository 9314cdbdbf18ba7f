package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In a partial clone ({@code --filter=blob:none}, {@code tree:0}), git fetches a missing object from the promisor remote
 * when a command needs it ({@code git ls-tree}, {@code cat-file}, a checkout): over the network, where it may hang. Every
 * git command Swarmflow runs has {@code GIT_NO_LAZY_FETCH=1}, which makes such a command fail instead (git 2.44 and
 * later; older git ignores the variable, so these tests check that it is passed, not what git does with it).
 */
class NoLazyFetchTest {
    @TempDir
    Path tmp;

    @Test
    void theEnvironmentOfGitForbidsLazyFetchingWhateverTheParentSet() {
        Map<String, String> env = new HashMap<>(Map.of("GIT_NO_LAZY_FETCH", "0", "HOME", "/h"));
        GitWorktrees.environment(env);
        assertThat(env).containsEntry("GIT_NO_LAZY_FETCH", "1").containsEntry("HOME", "/h");
    }

    /** What a git Swarmflow started passes on to a hook it runs (post-checkout, when the worktree is made) is what it got. */
    @Test
    void aGitCommandSwarmflowRunsGetsTheVariable() throws Exception {
        Path repo = Files.createDirectory(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "initial");
        Path seen = tmp.resolve("seen");
        Path hook = repo.resolve(".git/hooks/post-checkout");
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "#!/bin/sh\nprintf '%s' \"${GIT_NO_LAZY_FETCH-unset}\" > '" + seen + "'\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));

        GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t");

        assertThat(Files.readString(seen)).isEqualTo("1");
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
    }
}
