package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.WorkspaceMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review RCLI LOW-4: a repository git refuses (here a {@code .git} file naming a git directory that is not there; also
 * another user's repository, or a moved one) was reported once per ticket, so a matrix ticket's expansions repeated the
 * same sentence, git's message and all, once each, and again for each other ticket. Now one problem names every ticket
 * that needs the repository.
 */
class RepositoryGitRefusesTest {
    @TempDir
    Path tmp;

    @Test
    void oneProblemNamesEveryExpansionOfAMatrixTicketOverARepositoryGitRefuses() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile shell = Fixture.shell(SandboxPolicy.BEST_EFFORT);
            Plan plan = f.plan(shell,
                    Fixture.ticket("t-linux", "true").workspace(WorkspaceMode.REPO).build(),
                    Fixture.ticket("t-mac", "true").workspace(WorkspaceMode.REPO).build(),
                    Fixture.ticket("t-win", "true").workspace(WorkspaceMode.REPO).build(),
                    Fixture.ticket("w", "true").workspace(WorkspaceMode.WORKTREE).build());
            Path aside = Files.move(f.repo.resolve(".git"), tmp.resolve("git-aside"));
            try {
                Files.writeString(f.repo.resolve(".git"), "gitdir: " + tmp.resolve("gone") + "\n");
                List<String> problems = preflight(f, plan);
                assertThat(problems).hasSize(1);
                assertThat(problems.get(0)).startsWith(f.repo + " is not a git repository for git (git rev-parse said: fatal: not "
                        + "a git repository: " + tmp.resolve("gone") + "), and tickets").doesNotContain("\n", "\t")
                        .endsWith("), and tickets t-linux, t-mac, t-win and w need one (workspace: repo or worktree); "
                        + "restore the repository there if it was moved or its .git deleted, else fix what git reports");
            } finally {
                Files.delete(f.repo.resolve(".git"));
                Files.move(aside, f.repo.resolve(".git"));
            }
        }
    }

    @Test
    void aProblemOfManyTicketsNamesTenAndCountsTheRest() {
        java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        TicketProblems perTicket = new TicketProblems(problems);
        perTicket.add("a", "uses agent kind 'x', which the local executor cannot run; use shell or noop");
        problems.add("another problem");
        IntStream.rangeClosed(1, 12).forEach(i -> perTicket.add("m-" + i, "needs sandbox: required but bubblewrap is not usable here"));
        assertThat(problems).containsExactly("ticket a uses agent kind 'x', which the local executor cannot run; use shell or noop",
                "another problem",
                "tickets m-1, m-2, m-3, m-4, m-5, m-6, m-7, m-8, m-9, m-10 and 2 more: each needs sandbox: required but bubblewrap "
                        + "is not usable here");
    }

    private static List<String> preflight(Fixture f, Plan plan) {
        return f.executor.preflight(plan);
    }
}
