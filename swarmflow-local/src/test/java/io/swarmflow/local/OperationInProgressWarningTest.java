package io.swarmflow.local;

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
 * A run started while its repository is in the middle of a rebase: its worktree tickets silently started from the
 * intermediate commit git had detached {@code HEAD} at. The run's start warns, naming the operation and the commit.
 */
class OperationInProgressWarningTest {
    @TempDir
    Path tmp;

    @Test
    void aRunStartedMidRebaseWarnsOnceNamingTheOperationAndTheBase() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            f.git("branch", "other");
            Files.writeString(f.repo.resolve("README.md"), "main\n");
            f.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "main");
            f.git("switch", "-q", "other");
            Files.writeString(f.repo.resolve("README.md"), "other\n");
            f.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "other");
            try {
                f.git("-c", "user.name=t", "-c", "user.email=t@t", "rebase", "main");
            } catch (IllegalStateException conflict) {
                // stopped on the conflict, HEAD detached at main's commit
            }
            String head = f.git("rev-parse", "HEAD");
            PlannedTicket ticket = Fixture.ticket("t", "true").workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            f.warnings.clear();

            f.executor.prepareRun("r1", plan, f.runDir);
            f.executor.prepareRun("r1", plan, f.runDir); // a resume: the base is pinned already, said once

            assertThat(f.warnings).singleElement().asString().isEqualTo(f.repo + " is in the middle of a rebase (HEAD detached): "
                    + "the run's worktree tickets start from its HEAD, commit " + head.substring(0, 12) + ", an intermediate "
                    + "commit of it (kept for this run, also on resume); for them to start from a finished one, finish the "
                    + "rebase (git rebase --continue) or abort it (git rebase --abort) and start a new run");
        }
    }

    /** A merge stopped on conflicts leaves HEAD at the commit before it, not at an intermediate commit of it. */
    @Test
    void aRunStartedMidMergeSaysItsHeadIsTheCommitBeforeTheMerge() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            f.git("branch", "other");
            Files.writeString(f.repo.resolve("README.md"), "main\n");
            f.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "main");
            f.git("switch", "-q", "other");
            Files.writeString(f.repo.resolve("README.md"), "other\n");
            f.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "other");
            f.git("switch", "-q", "-");
            try {
                f.git("-c", "user.name=t", "-c", "user.email=t@t", "merge", "other");
            } catch (IllegalStateException conflict) {
                // stopped on the conflict, HEAD at main's commit
            }
            String head = f.git("rev-parse", "HEAD");
            PlannedTicket ticket = Fixture.ticket("t", "true").workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            f.warnings.clear();

            f.executor.prepareRun("r1", plan, f.runDir);

            assertThat(f.warnings).singleElement().asString().isEqualTo(f.repo + " is in the middle of a merge: "
                    + "the run's worktree tickets start from its HEAD, commit " + head.substring(0, 12) + ", the commit before "
                    + "it, without what it would add (kept for this run, also on resume); for them to start from a finished one, "
                    + "finish the merge (git commit) or abort it (git merge --abort) and start a new run");
        }
    }

    @Test
    void aRunStartedOnAFinishedCommitDoesNotWarn() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("t", "true").workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            f.warnings.clear();
            f.executor.prepareRun("r1", plan, f.runDir);
            assertThat(f.warnings).isEmpty();
        }
    }
}
