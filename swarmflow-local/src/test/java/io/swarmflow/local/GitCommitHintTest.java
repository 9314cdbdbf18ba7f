package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Under bubblewrap a worktree's git metadata is read-only, so a ticket that commits fails on git's index lock: the
 * reason says to leave the changes for Swarmflow to commit (review-ux F15).
 */
class GitCommitHintTest {
    @TempDir
    Path tmp;

    @Test
    void aWorktreeTicketThatCommitsIsToldToLeaveItToSwarmflow() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            AttemptResult r = f.run(Fixture.ticket("selfcommit", "echo more >> README.md; "
                    + "git -c user.name=t -c user.email=t@t commit -qam 'my own message'").workspace(WorkspaceMode.WORKTREE).build(),
                    new TestControl());

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).startsWith("exited with code 128 (a ticket cannot run git add/commit itself: its git metadata is "
                    + "read-only; leave the changes uncommitted and Swarmflow commits them): fatal: Unable to create '")
                    .endsWith(LocalExecutor.INDEX_LOCK_READ_ONLY);
        }
    }

    @Test
    void theHintIsForGitsIndexLockOnly() {
        assertThat(LocalExecutor.gitMetadataHint("fatal: Unable to create '/r/.git/worktrees/t/index.lock': Read-only file system"))
                .contains("leave the changes uncommitted");
        assertThat(LocalExecutor.gitMetadataHint("cp: cannot create regular file '/usr/x': Read-only file system")).isEmpty();
        assertThat(LocalExecutor.gitMetadataHint(null)).isEmpty();
    }
}
