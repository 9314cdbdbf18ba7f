package io.swarmflow.git;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.swarmflow.git.NestedRepositoryTest.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A FIFO a process the ticket left running swaps in for a worktree's {@code .git}, or for its record's {@code gitdir}
 * file, after its type was checked and before it is read: opening a FIFO for reading waits for a writer, so a reader that
 * opened it plainly would hang ({@code swarm status}, a resume). Each reader refuses it without blocking. Each check runs
 * under {@link org.junit.jupiter.api.Assertions#assertTimeoutPreemptively}: a reader that blocked fails the test instead of
 * hanging the build (no time is measured: the bound only ends a hang).
 */
class FifoSwappedInTest {
    /** Far above what a read takes; only a blocked open reaches it. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @AfterEach
    void noHooks() {
        GitWorktrees.betweenCheckAndRead = () -> {};
        GitWorktrees.betweenRecordCheckAndRead = () -> {};
    }

    private Worktree worktree() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
    }

    private static Runnable fifoInPlaceOf(Path file) {
        return () -> {
            try {
                Files.delete(file);
                assertThat(new ProcessBuilder("mkfifo", file.toString()).inheritIO().start().waitFor()).isZero();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    @Test
    void aDotGitSwappedForAFifoAfterItsCheckIsNotGitsOwnAndIsNotWaitedOn() throws Exception {
        Worktree w = worktree();
        GitWorktrees.betweenCheckAndRead = fifoInPlaceOf(w.dir().resolve(".git"));

        boolean own = assertTimeoutPreemptively(HANG, () -> GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir()));

        assertThat(own).isFalse();
        assertThat(Files.isRegularFile(w.dir().resolve(".git"))).as("the FIFO is there").isFalse();
    }

    @Test
    void aDotGitSwappedForAFifoWhileItIsRestoredIsReplacedWithoutBeingWaitedOn() throws Exception {
        Worktree w = worktree();
        Files.writeString(w.dir().resolve(".git"), "gitdir: /elsewhere\n");
        GitWorktrees.betweenCheckAndRead = fifoInPlaceOf(w.dir().resolve(".git"));

        var said = assertTimeoutPreemptively(HANG, () -> GitWorktrees.restoreGitFile(w));

        assertThat(said).hasValueSatisfying(s -> assertThat(s).startsWith("a file replaced while it was read"));
        GitWorktrees.betweenCheckAndRead = () -> {};
        assertThat(w.dir().resolve(".git")).hasContent(w.gitFile().strip());
        assertThat(GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir())).isTrue();
    }

    @Test
    void aRecordSwappedForAFifoAfterItsCheckIsNotWaitedOn() throws Exception {
        Worktree w = worktree();
        Path record = w.gitDir().resolve("gitdir");
        GitWorktrees.betweenRecordCheckAndRead = fifoInPlaceOf(record);

        boolean own = assertTimeoutPreemptively(HANG, () -> GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir()));

        assertThat(own).as("a record that is a FIFO names nothing").isFalse();
        GitWorktrees.betweenRecordCheckAndRead = () -> {};
        var dirty = assertTimeoutPreemptively(HANG, () -> GitWorktrees.uncommitted(w.repo(), tmp.resolve("state/runs/r")));
        assertThat(dirty).as("a record that cannot be read is not the run's").isEmpty();
        var restored = assertTimeoutPreemptively(HANG, () -> GitWorktrees.restoreGitFiles(w.repo(), tmp.resolve("state/runs/r")));
        assertThat(restored).isEmpty();
    }
}
