package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review RCLI LOW-4: {@code swarm validate} and {@code swarm run} of a spec with matrix tickets over a repository git
 * refuses (here its {@code .git} file names a git directory that is gone) printed git's error once per expansion, and
 * again for every other ticket, git's line breaks escaped. Now it is one problem naming every ticket that needs the
 * repository, git's message on the same line.
 */
class MatrixOverARepositoryGitRefusesTest {
    @TempDir
    Path tmp;

    private record Said(int code, String out, String err) {}

    private Said swarm(String command, Path spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[] {command, spec.toString(), "--state-dir", tmp.resolve("state").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Said(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void oneProblemNamesEveryExpansionAndGitsMessageStaysOnItsLine() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        StateDirRefusals.git(repo, "init", "-q");
        StateDirRefusals.git(repo, "commit", "-q", "--allow-empty", "-m", "one");
        Path spec = Files.writeString(tmp.resolve("swarm.yaml"), """
                repo: repo
                agents: {loose: {kind: shell, sandbox: "off"}}
                tickets:
                  - id: m
                    agent: loose
                    matrix: {os: [linux, mac]}
                    workspace: repo
                    run: "true"
                  - id: w
                    matrix: {os: [linux, mac]}
                    workspace: worktree
                    run: "true"
                """);
        Path gone = tmp.resolve("gone");
        Files.move(repo.resolve(".git"), tmp.resolve("git-aside"));
        Files.writeString(repo.resolve(".git"), "gitdir: " + gone + "\n");

        for (String command : new String[] {"validate", "run"}) {
            Said said = swarm(command, spec);

            assertThat(said.code()).as(said.err()).isEqualTo(2);
            assertThat(said.err().split("is not a git repository for git", -1)).as(said.err()).hasSize(2);
            assertThat(said.err()).contains("swarm: " + repo + " is not a git repository for git (git rev-parse said: fatal: not a "
                    + "git repository: " + gone + "), and tickets m-linux, m-mac, w-linux and w-mac need one (workspace: repo or "
                    + "worktree); restore the repository there if it was moved or its .git deleted, else fix what git reports\n")
                    .doesNotContain("\\n", "\\t");
        }
    }
}
