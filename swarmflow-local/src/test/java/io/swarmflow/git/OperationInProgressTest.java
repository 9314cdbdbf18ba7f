package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A repository in the middle of a rebase, merge, cherry-pick, revert or bisect, as git's state files say. */
class OperationInProgressTest {
    @TempDir
    Path tmp;

    /** git, failing or not (a command that stops on conflicts exits non-zero). */
    private static void gitAnyway(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_EDITOR", "true");
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    /** main with a.txt "main", branch other with a.txt "other": each applies to the other with a conflict. */
    static Path conflicting(Path repo) throws Exception {
        Files.createDirectories(repo);
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "base\n");
        NestedRepositoryTest.git(repo, "add", "-A");
        NestedRepositoryTest.git(repo, "commit", "-q", "-m", "base");
        NestedRepositoryTest.git(repo, "branch", "other");
        Files.writeString(repo.resolve("a.txt"), "main\n");
        NestedRepositoryTest.git(repo, "commit", "-q", "-am", "main");
        NestedRepositoryTest.git(repo, "switch", "-q", "other");
        Files.writeString(repo.resolve("a.txt"), "other\n");
        NestedRepositoryTest.git(repo, "commit", "-q", "-am", "other");
        NestedRepositoryTest.git(repo, "switch", "-q", "main");
        return repo;
    }

    @Test
    void eachOperationIsNamed() throws Exception {
        Path rebase = conflicting(tmp.resolve("rebase"));
        gitAnyway(rebase, "rebase", "other");
        Path merge = conflicting(tmp.resolve("merge"));
        gitAnyway(merge, "merge", "other");
        Path pick = conflicting(tmp.resolve("pick"));
        gitAnyway(pick, "cherry-pick", "other");
        Path revert = conflicting(tmp.resolve("revert"));
        gitAnyway(revert, "revert", "--no-edit", "main~0");
        Files.writeString(revert.resolve("a.txt"), "changed\n"); // nothing conflicting: revert made its commit
        Path bisect = conflicting(tmp.resolve("bisect"));
        gitAnyway(bisect, "bisect", "start", "main", "main~1");
        Path clean = conflicting(tmp.resolve("clean"));

        assertThat(GitWorktrees.operationInProgress(rebase)).hasValueSatisfying(o -> assertThat(o).startsWith("a rebase"));
        assertThat(GitWorktrees.headDetached(rebase)).isTrue();
        assertThat(GitWorktrees.operationInProgress(merge)).hasValueSatisfying(o -> assertThat(o).startsWith("a merge"));
        assertThat(GitWorktrees.headDetached(merge)).isFalse();
        assertThat(GitWorktrees.operationInProgress(pick)).hasValueSatisfying(o -> assertThat(o).startsWith("a cherry-pick"));
        assertThat(GitWorktrees.operationInProgress(bisect)).hasValueSatisfying(o -> assertThat(o).containsExactly("a bisect",
                "git bisect good or bad until it names the first bad commit, then git bisect reset", "git bisect reset"));
        assertThat(GitWorktrees.operationInProgress(revert)).isEmpty();
        assertThat(GitWorktrees.operationInProgress(clean)).isEmpty();
        assertThat(GitWorktrees.operationInProgress(tmp.resolve("none"))).isEmpty();
    }

    /**
     * base, x (a.txt x), y (a.txt y): reverting x, then y, stops on a conflict at x; resolved with git commit, only
     * git's {@code sequencer} is left, of a revert (git cherry-pick --continue refuses it). The same with cherry-picks.
     */
    @Test
    void aSequenceWhoseConflictWasCommittedIsNamedByItsCommand() throws Exception {
        Path revert = twoChanges(tmp.resolve("revert"));
        gitAnyway(revert, "revert", "--no-edit", "HEAD~1", "HEAD");
        Path pick = twoChanges(tmp.resolve("pick"));
        NestedRepositoryTest.git(pick, "switch", "-q", "-c", "side", "HEAD~2");
        Files.writeString(pick.resolve("a.txt"), "side\n");
        NestedRepositoryTest.git(pick, "commit", "-q", "-am", "side");
        gitAnyway(pick, "cherry-pick", "main~1", "main");
        for (Path repo : List.of(revert, pick)) {
            Files.writeString(repo.resolve("a.txt"), "resolved\n");
            gitAnyway(repo, "commit", "-q", "-am", "resolved");
        }
        assertThat(revert.resolve(".git/sequencer")).as("the revert stopped").exists();
        assertThat(revert.resolve(".git/REVERT_HEAD")).doesNotExist();
        assertThat(pick.resolve(".git/sequencer")).as("the cherry-pick stopped").exists();
        assertThat(pick.resolve(".git/CHERRY_PICK_HEAD")).doesNotExist();

        assertThat(GitWorktrees.operationInProgress(revert)).hasValue(List.of("a revert sequence", "git revert --continue",
                "git revert --abort"));
        assertThat(GitWorktrees.operationInProgress(pick)).hasValue(List.of("a cherry-pick sequence", "git cherry-pick --continue",
                "git cherry-pick --abort"));
    }

    /** A bisect that has named the first bad commit is still in progress (BISECT_LOG, HEAD detached) until git bisect reset. */
    @Test
    void aBisectThatFoundItsCommitIsEndedOnlyByReset() throws Exception {
        Path bisect = twoChanges(tmp.resolve("bisect"));
        gitAnyway(bisect, "bisect", "start", "HEAD", "HEAD~2");
        gitAnyway(bisect, "bisect", "bad");
        gitAnyway(bisect, "bisect", "bad");
        assertThat(GitWorktrees.operationInProgress(bisect)).hasValueSatisfying(o -> assertThat(o.get(1)).endsWith("git bisect reset"));
        gitAnyway(bisect, "bisect", "reset");
        assertThat(GitWorktrees.operationInProgress(bisect)).isEmpty();
    }

    /**
     * A cherry-pick of two commits stopped on a conflict at the second (CHERRY_PICK_HEAD and sequencer, as git 2.39 leaves
     * them) has HEAD at the first one picked, not at the commit before the operation: named a sequence, and HEAD said to
     * hold the commits picked so far (review D2 F7). The same for a revert of two; a single cherry-pick keeps "the
     * commit before it".
     */
    @Test
    void aSequenceStoppedOnAConflictHoldsTheCommitsMadeSoFar() throws Exception {
        Path pick = twoChanges(tmp.resolve("pick"));
        NestedRepositoryTest.git(pick, "switch", "-q", "-c", "side", "HEAD~2");
        Files.writeString(pick.resolve("b.txt"), "b\n");
        NestedRepositoryTest.git(pick, "add", "-A");
        NestedRepositoryTest.git(pick, "commit", "-q", "-m", "b");
        NestedRepositoryTest.git(pick, "switch", "-q", "main");
        gitAnyway(pick, "cherry-pick", "side", "main~1"); // b applies; x conflicts with y
        assertThat(pick.resolve(".git/CHERRY_PICK_HEAD")).as("stopped on x").exists();
        assertThat(pick.resolve(".git/sequencer")).exists();
        assertThat(pick.resolve("b.txt")).as("HEAD holds b, picked before").exists();
        Path revert = twoChanges(tmp.resolve("revert"));
        Files.writeString(revert.resolve("b.txt"), "b\n");
        NestedRepositoryTest.git(revert, "add", "-A");
        NestedRepositoryTest.git(revert, "commit", "-q", "-m", "b");
        gitAnyway(revert, "revert", "--no-edit", "HEAD", "HEAD~2"); // b reverted; x then conflicts with y
        assertThat(revert.resolve("b.txt")).as("HEAD holds b's revert, made before").doesNotExist();
        assertThat(revert.resolve(".git/REVERT_HEAD")).as("stopped on x").exists();
        assertThat(revert.resolve(".git/sequencer")).exists();
        Path single = conflicting(tmp.resolve("single"));
        gitAnyway(single, "cherry-pick", "other");
        assertThat(single.resolve(".git/sequencer")).as("git keeps no sequencer for one commit").doesNotExist();

        assertThat(GitWorktrees.operationInProgress(pick)).hasValue(List.of("a cherry-pick sequence", "git cherry-pick --continue",
                "git cherry-pick --abort"));
        assertThat(GitWorktrees.headDuring("a cherry-pick sequence")).isEqualTo("the commits picked so far, without those still to come");
        assertThat(GitWorktrees.operationInProgress(revert)).hasValue(List.of("a revert sequence", "git revert --continue",
                "git revert --abort"));
        assertThat(GitWorktrees.headDuring("a revert sequence")).isEqualTo("the reverts made so far, without those still to come");
        assertThat(GitWorktrees.operationInProgress(single)).hasValueSatisfying(o -> assertThat(o.get(0)).isEqualTo("a cherry-pick"));
        assertThat(GitWorktrees.headDuring("a cherry-pick")).isEqualTo("the commit before it, without what it would add");
    }

    /** main: base (a.txt base), x (a.txt x), y (a.txt y). */
    private static Path twoChanges(Path repo) throws Exception {
        Files.createDirectories(repo);
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        for (String content : List.of("base", "x", "y")) {
            Files.writeString(repo.resolve("a.txt"), content + "\n");
            NestedRepositoryTest.git(repo, "add", "-A");
            NestedRepositoryTest.git(repo, "commit", "-q", "-m", content);
        }
        return repo;
    }
}
