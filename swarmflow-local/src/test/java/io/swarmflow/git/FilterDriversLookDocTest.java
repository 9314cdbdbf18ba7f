package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/sandbox.md's command to list the filter drivers before looking at a worktree without them: run in the worktree,
 * it lists a driver that an {@code [includeIf "onbranch:swarm/**"]} include defines (which git status there applies);
 * run in the user's checkout it does not (review D2 F8).
 */
class FilterDriversLookDocTest {
    @TempDir
    Path tmp;

    private static String output(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("HOME", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    @Test
    void theDocumentedCommandListsADriverAnOnbranchIncludeDefines() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve(".gitattributes"), "x.txt filter=x\n");
        Files.writeString(repo.resolve("x.txt"), "x\n");
        NestedRepositoryTest.git(repo, "add", "-A");
        NestedRepositoryTest.git(repo, "commit", "-q", "-m", "base");
        Files.writeString(repo.resolve(".git/inc"), "[filter \"x\"]\n\tclean = cat\n");
        NestedRepositoryTest.git(repo, "config", "includeIf.onbranch:swarm/**.path", "inc");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());

        String doc = Files.readString(Path.of("..", "docs", "sandbox.md"));
        assertThat(doc.replaceAll("\\s+", " ")).contains("for each driver `git -C <worktree> config --get-regexp '^filter\\.'` lists");
        assertThat(output(w.dir(), "config", "--get-regexp", "^filter\\.")).as("in the worktree").contains("filter.x.clean cat");
        assertThat(output(repo, "config", "--get-regexp", "^filter\\.")).as("in the user's checkout").doesNotContain("filter.x");
    }
}
