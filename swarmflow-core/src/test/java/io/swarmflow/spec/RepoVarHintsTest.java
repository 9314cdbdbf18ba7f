package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code repo: ${{ vars.repo }}} given with {@code --var}: every repo error says which {@code --var} to give instead
 * (the spec's line is not what is wrong), not "point repo: at", which would have the spec edited.
 */
class RepoVarHintsTest {
    @TempDir
    Path dir;

    @Test
    void everyRepoErrorOfAVarGivenOnTheCommandLineSaysWhichVarToGive() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/src"));
        SpecFiles.gitInit(work.getParent());
        Files.writeString(dir.resolve("work/notes.txt"), "text\n");
        Path bare = Files.createDirectories(dir.resolve("bare.git"));
        Files.createDirectories(bare.resolve("objects"));
        Files.createDirectories(bare.resolve("refs"));
        Files.writeString(bare.resolve("HEAD"), "ref: refs/heads/main\n");
        Path plain = Files.createDirectories(dir.resolve("plain"));
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                vars: {repo: .}
                repo: ${{ vars.repo }}
                tickets:
                  - {id: a, run: "true"}
                """);
        String top = dir.resolve("work").toString();
        assertThat(SpecFiles.errors(file, Map.of("repo", top + "/notes.txt"))).containsExactly(
                "swarm.yaml:2:7: repo " + top + "/notes.txt is a file, not a directory (repo: ${{ vars.repo }} with --var repo="
                        + top + "/notes.txt); give the top of its git repository: --var repo=" + top);
        assertThat(SpecFiles.errors(file, Map.of("repo", "work/src"))).containsExactly(
                "swarm.yaml:2:7: repo " + top + "/src is inside the git repository " + top + " but not at its top (repo: "
                        + "${{ vars.repo }} with --var repo=work/src); relative paths start at the spec's directory, " + dir
                        + ", not the working directory; give its top: --var repo=" + top);
        assertThat(SpecFiles.errors(file, Map.of("repo", bare.toString()))).containsExactly(
                "swarm.yaml:2:7: repo " + bare + " is a bare git repository, which has no working tree for tickets to read or "
                        + "branch from (repo: ${{ vars.repo }} with --var repo=" + bare + "); give a clone of it (git clone "
                        + bare + " DIR): --var repo=DIR");
        assertThat(SpecFiles.errors(file, Map.of("repo", plain.toString()))).containsExactly(
                "swarm.yaml:2:7: repo " + plain + " is not a git repository (repo: ${{ vars.repo }} with --var repo=" + plain
                        + "); give the repository's path: --var repo=PATH, or run 'git init' in " + plain);
        assertThat(SpecFiles.errors(file, Map.of("repo", "/nonexistent/swarm-repo"))).containsExactly(
                "swarm.yaml:2:7: repo /nonexistent/swarm-repo does not exist (repo: ${{ vars.repo }} with --var "
                        + "repo=/nonexistent/swarm-repo); give the repository's path: --var repo=PATH");
    }
}
