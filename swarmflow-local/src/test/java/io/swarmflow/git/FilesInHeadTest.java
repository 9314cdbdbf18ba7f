package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GitWorktrees#filesInHead}: which files the commit {@code HEAD} names holds, not what is on disk or staged, as
 * validation asks it of matrix expansions sharing an output file in the checkout.
 */
class FilesInHeadTest {
    @TempDir
    Path tmp;

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void committedFilesAreInHeadAndNothingElseIs() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(Files.createDirectories(repo.resolve("dir")).resolve("a b.txt"), "1\n");
        Files.writeString(repo.resolve("VERSION"), "1\n");
        Files.createSymbolicLink(repo.resolve("link"), Path.of("VERSION"));
        Files.writeString(repo.resolve("gone"), "1\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "one");
        Files.delete(repo.resolve("gone")); // deleted in the checkout: still in the commit
        Files.writeString(repo.resolve("staged"), "1\n");
        git(repo, "add", "staged"); // staged, not committed
        Files.writeString(repo.resolve("untracked"), "1\n");

        Map<String, Boolean> inHead = GitWorktrees.filesInHead(repo, List.of("VERSION", "dir/a b.txt", "link", "gone",
                "staged", "untracked", "missing", "dir", "line\nbreak"));

        assertThat(inHead).containsExactlyInAnyOrderEntriesOf(Map.of("VERSION", true, "dir/a b.txt", true, "link", true,
                "gone", true, "staged", false, "untracked", false, "missing", false, "dir", false));
    }

    @Test
    void aRepositoryWithoutACommitHoldsNoFile() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(repo.resolve("VERSION"), "1\n");
        git(repo, "add", "VERSION");

        assertThat(GitWorktrees.filesInHead(repo, List.of("VERSION"))).containsExactlyEntriesOf(Map.of("VERSION", false));
    }

    @Test
    void whatGitCannotTellIsLeftOut() throws Exception {
        Path notARepository = Files.createDirectories(tmp.resolve("plain"));
        assertThat(GitWorktrees.filesInHead(notARepository, List.of("VERSION"))).isEmpty();
        assertThat(GitWorktrees.filesInHead(tmp.resolve("missing"), List.of("VERSION"))).isEmpty();
    }
}
