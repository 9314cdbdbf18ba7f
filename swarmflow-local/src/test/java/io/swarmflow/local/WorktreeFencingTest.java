package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worktree ticket's attempt creates and commits its worktree only while its coordinator still holds the run
 * ({@code AttemptControl.confirmHeld}): a coordinator frozen past its lease and taken over used to recreate the worktree
 * under the new coordinator's attempt (which then failed), or commit that attempt's half-written files when it woke.
 */
class WorktreeFencingTest {
    @TempDir
    Path tmp;

    /** A control whose coordinator was taken over from the {@code from}-th confirmation on (1 = the first). */
    private static TestControl takenOverFrom(int from, RuntimeException refusal) {
        AtomicInteger asked = new AtomicInteger();
        return new TestControl() {
            @Override
            public void confirmHeld() {
                if (asked.incrementAndGet() >= from) throw refusal;
            }
        };
    }

    @Test
    void aCoordinatorTakenOverBeforeTheWorktreeIsCreatedCreatesNothingAndStartsNoProcess() throws Exception {
        try (Fixture f = new Fixture(tmp, Fixture.Mode.NO_BWRAP)) {
            TestControl control = takenOverFrom(1, new StoreException.Fenced("run r1 was taken over"));
            AttemptResult result = f.run(Fixture.ticket("w", "touch started").workspace(WorkspaceMode.WORKTREE).build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(result.reason()).isEqualTo("another coordinator took run r1 over; this one did not go on creating the "
                    + "worktree of ticket w");
            assertThat(control.pid).as("no process was started").isZero();
            assertThat(f.runDir.resolve("worktrees/w")).doesNotExist();
            assertThat(f.git("branch", "--list", "swarm/r1/w")).isEmpty();
        }
    }

    @Test
    void aCoordinatorTakenOverWhileTheScriptRanCommitsNothing() throws Exception {
        try (Fixture f = new Fixture(tmp, Fixture.Mode.NO_BWRAP)) {
            String base = f.git("rev-parse", "HEAD");
            TestControl control = takenOverFrom(2, new StoreException.Fenced("run r1 was taken over"));
            AttemptResult result = f.run(Fixture.ticket("w", "echo half > written.txt").workspace(WorkspaceMode.WORKTREE).build(),
                    control);

            assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(result.reason()).isEqualTo("another coordinator took run r1 over; this one did not go on committing the "
                    + "worktree of ticket w");
            assertThat(f.runDir.resolve("worktrees/w/written.txt")).as("the script ran").exists();
            assertThat(f.git("rev-parse", "swarm/r1/w")).as("nothing committed on the branch").isEqualTo(base);
        }
    }

    @Test
    void aStoreThatCannotConfirmFailsTheAttemptAndLeavesTheWorktreeUncommitted() throws Exception {
        try (Fixture f = new Fixture(tmp, Fixture.Mode.NO_BWRAP)) {
            String base = f.git("rev-parse", "HEAD");
            TestControl control = takenOverFrom(2, new StoreException.Unavailable("could not write to the store: No space left on device", null));
            AttemptResult result = f.run(Fixture.ticket("w", "echo half > written.txt").workspace(WorkspaceMode.WORKTREE).build(),
                    control);

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).isEqualTo("cannot confirm that this coordinator still holds run r1 before committing the "
                    + "worktree of ticket w, so it was left alone: could not write to the store: No space left on device");
            assertThat(f.git("rev-parse", "swarm/r1/w")).isEqualTo(base);
        }
    }

    /**
     * Refused at the commit, the attempt leaves the worktree's lock alone: by then the path may hold the newer attempt's
     * worktree, locked so that {@code git worktree prune} keeps it (a review: the stale attempt unlocked it).
     */
    @Test
    void aCoordinatorTakenOverBeforeTheCommitLeavesTheNewerAttemptsWorktreeLocked() throws Exception {
        try (Fixture f = new Fixture(tmp, Fixture.Mode.NO_BWRAP)) {
            Path dir = f.runDir.resolve("worktrees/w");
            AtomicInteger asked = new AtomicInteger();
            TestControl control = new TestControl() {
                @Override
                public void confirmHeld() {
                    if (asked.incrementAndGet() < 2) return;
                    try { // meanwhile the new coordinator's attempt recreated (and locked) the worktree
                        f.git("worktree", "remove", "--force", "--force", dir.toString());
                        f.git("worktree", "add", "--quiet", "--force", "--lock", "-B", "swarm/r1/w", dir.toString(), "HEAD");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    throw new StoreException.Fenced("run r1 was taken over");
                }
            };
            AttemptResult result = f.run(Fixture.ticket("w", "echo half > written.txt").workspace(WorkspaceMode.WORKTREE).build(),
                    control);

            assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(f.git("worktree", "list", "--porcelain")).contains("locked");
        }
    }
}
