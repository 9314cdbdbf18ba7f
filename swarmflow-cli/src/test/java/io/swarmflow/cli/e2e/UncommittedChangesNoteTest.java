package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worktree tickets start from the repository's last commit: `swarm run` says so when the working tree has changes. */
class UncommittedChangesNoteTest {
    @TempDir
    Path tmp;

    @Test
    void aRunWithWorktreeTicketsNamesTheUncommittedChangesTheyWillNotSee() {
        Path repo = repoWithCommittedFile();
        String head = Cli.git(repo, "rev-parse", "HEAD").strip();
        Path spec = Cli.write(tmp.resolve("s.yaml"), """
                repo: %s
                tickets:
                  - id: t
                    workspace: worktree
                    run: cat a.txt
                """.formatted(repo));
        Path state = tmp.resolve("state");

        Result clean = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(clean.code()).as("%s", clean).isZero();
        assertThat(clean.err()).doesNotContain("note:");

        Cli.write(repo.resolve("a.txt"), "edited, not committed\n");
        Cli.write(repo.resolve("untracked.txt"), "not counted\n");
        Result dirty = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());

        assertThat(dirty.code()).as("%s", dirty).isZero();
        assertThat(dirty.err()).contains("swarm: note: " + repo + " has uncommitted changes to 1 tracked file (a.txt): worktree "
                + "tickets start from its last commit (" + head.substring(0, 12) + ") and do not see them; commit them first for "
                + "the tickets to work on them").doesNotContain("untracked.txt");
        assertThat(dirty.out()).contains("t | committed");
    }

    @Test
    void aRunWithoutWorktreeTicketsSaysNothing() {
        Path repo = repoWithCommittedFile();
        Cli.write(repo.resolve("a.txt"), "edited\n");
        Path spec = Cli.write(tmp.resolve("s.yaml"), "repo: %s\ntickets:\n  - {id: t, run: cat a.txt}\n".formatted(repo));

        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.err()).doesNotContain("note:");
    }

    /** A repository whose a.txt holds "committed\n", committed. */
    private Path repoWithCommittedFile() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Cli.write(repo.resolve("a.txt"), "committed\n");
        Cli.git(repo, "add", "a.txt");
        Cli.git(repo, "commit", "-q", "-m", "a");
        return repo;
    }
}
