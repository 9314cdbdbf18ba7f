package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.store.Outcome;
import io.swarmflow.git.GitWorktrees;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coordinator killed (kill -9) while a worktree ticket had replaced its worktree's {@code .git}: nothing restored it.
 * The run's resume ({@link LocalExecutor#afterRecovery}, once the coordinator killed what the lost attempts left running)
 * does, and says so; {@link LocalExecutor#prepareRun}, before that, does not.
 */
class LostWorktreeDotGitTest {
    @TempDir
    Path tmp;

    @Test
    void aResumeRestoresTheDotGitALostAttemptLeftAndWarns() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("lost", "echo half > work.txt; exit 1").workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            f.executor.prepareRun("r1", plan, f.runDir);
            AttemptResult result = f.executor.execute(f.request(plan, ticket, 1), new TestControl());
            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            Path worktree = f.runDir.resolve("worktrees/lost");
            String own = Files.readString(worktree.resolve(".git"));
            // what a ticket leaves when its coordinator dies before the attempt's end restores it
            Path evil = Files.createDirectories(f.runDir.resolve("scratch/evil"));
            Files.writeString(worktree.resolve(".git"), "gitdir: " + evil + "\n");
            f.warnings.clear();

            f.executor.prepareRun("r1", plan, f.runDir);
            assertThat(worktree.resolve(".git")).as("not before the lost attempts' processes are killed")
                    .hasContent("gitdir: " + evil);
            f.executor.afterRecovery("r1", plan, f.runDir);

            assertThat(worktree.resolve(".git")).hasContent(own.strip());
            assertThat(GitWorktrees.dotGitIsGitsOwn(f.repo, worktree)).isTrue();
            assertThat(worktree.resolve("work.txt")).hasContent("half");
            assertThat(f.warnings).singleElement().asString().startsWith("the worktree " + worktree + " held a file saying gitdir: "
                    + evil + " in place of its .git file (its ticket put it there, and its attempt was lost before Swarmflow "
                    + "could restore it); Swarmflow wrote git's own .git file back");
        }
    }
}
