package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code repo:} made from a {@code --var} that names no repository: the error names the {@code --var} (the spec's line
 * is not what is wrong) and, for a relative path, says it starts at the spec's directory and how to give the one meant.
 */
class RepoFromVarTest {
    @TempDir
    Path dir;

    @Test
    void aRepoFromARelativeVarIsNamedWithTheWayToGiveIt() throws Exception {
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                vars: {repo: ., other: x}
                repo: ${{ vars.repo }}
                tickets:
                  - {id: a, run: "true"}
                """);
        assertThat(SpecFiles.errors(file, Map.of("repo", "relative/dir", "other", "y"))).containsExactly(
                "swarm.yaml:2:7: repo " + dir.resolve("relative/dir") + " does not exist (repo: ${{ vars.repo }} with --var "
                        + "repo=relative/dir); relative paths start at the spec's directory, " + dir + ", not the working "
                        + "directory; give an absolute path, such as --var repo=$PWD/relative/dir");
        assertThat(SpecFiles.errors(file, Map.of("repo", "/nonexistent/swarm-repo"))).containsExactly(
                "swarm.yaml:2:7: repo /nonexistent/swarm-repo does not exist (repo: ${{ vars.repo }} with --var "
                        + "repo=/nonexistent/swarm-repo); give the repository's path: --var repo=PATH");
        // the spec's own value: the message is about the spec's line, as before
        assertThat(SpecFiles.errors(file, Map.of())).containsExactly(
                "swarm.yaml:2:7: repo " + dir + " is not a git repository; point repo: at the top of a git working tree, "
                        + "or run 'git init' there");
    }

    /** A relative value inside an absolute repo: path made no relative path: no advice to give it as $PWD/VALUE. */
    @Test
    void aRelativeValueInAnAbsoluteRepoPathGetsNoRelativePathAdvice() throws Exception {
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                vars: {base: /, name: x}
                repo: ${{ vars.base }}${{ vars.name }}
                tickets:
                  - {id: a, run: "true"}
                """);
        assertThat(SpecFiles.errors(file, Map.of("base", dir.toString() + "/", "name", "nope"))).singleElement().asString()
                .contains("repo " + dir.resolve("nope") + " does not exist")
                .doesNotContain("$PWD", "not the working directory");
    }
}
