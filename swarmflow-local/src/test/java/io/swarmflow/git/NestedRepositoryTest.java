package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ticket makes repositories of its own inside its worktree, whose configuration runs a command ({@code core.fsmonitor},
 * {@code core.hooksPath}, a filter driver): no git command of Swarmflow's (the commit, its checks, the dirty check of
 * {@code swarm clean}, the removal) may start git inside them, and no git command is suggested to the user in a worktree
 * where a plain {@code git status} would.
 */
class NestedRepositoryTest {
    @TempDir
    Path tmp;

    static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null"); // the test's own git: not the HOME a test gives Swarmflow's
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    /**
     * Configures the repository at {@code dir} (its {@code .git} directory {@code gitDir}) as a hostile ticket would: each
     * command it can make git run writes a file named after it into {@code markers}.
     */
    static void hostile(Path gitDir, Path work, Path markers, String name) throws Exception {
        Path hooks = Files.createDirectories(gitDir.resolve("evil-hooks"));
        for (String hook : List.of("pre-commit", "post-commit", "post-index-change", "post-checkout", "reference-transaction",
                "pre-auto-gc", "fsmonitor-watchman")) {
            Path h = hooks.resolve(hook);
            Files.writeString(h, "#!/bin/sh\ntouch '" + markers.resolve(name + "-hook-" + hook) + "'\n");
            h.toFile().setExecutable(true);
        }
        Path config = gitDir.resolve("config");
        Files.writeString(config, Files.readString(config) + "[core]\n\thooksPath = " + hooks + "\n\tfsmonitor = touch '"
                + markers.resolve(name + "-fsmonitor") + "'; false\n\tuntrackedCache = true\n"
                + "[filter \"x\"]\n\tclean = touch '" + markers.resolve(name + "-clean") + "'; cat\n\tsmudge = touch '"
                + markers.resolve(name + "-smudge") + "'; cat\n\trequired = true\n"
                + "[status]\n\tsubmoduleSummary = true\n[diff]\n\tignoreSubmodules = none\n[submodule]\n\trecurse = true\n");
        Files.writeString(work.resolve(".gitattributes"), "* filter=x\n");
    }

    /** The worktree of a ticket that made {@code sub} with {@code git init} and {@code sub2} with a {@code .git} file naming a repository elsewhere. */
    private record Nested(Path repo, Path runDir, Worktree worktree, Path markers) {}

    private Nested ticketWithNestedRepositories() throws Exception {
        return ticketWithNestedRepositories(tmp);
    }

    private static Nested ticketWithNestedRepositories(Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        Path runDir = tmp.resolve("state/runs/r");
        Worktree w = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Path markers = Files.createDirectories(tmp.resolve("markers"));

        // what the ticket does: a repository of its own with a commit, configured to run commands
        Path sub = Files.createDirectories(w.dir().resolve("sub"));
        git(sub, "init", "-q");
        Files.writeString(sub.resolve("f"), "f\n");
        git(sub, "add", "f");
        git(sub, "commit", "-q", "-m", "s");
        hostile(sub.resolve(".git"), sub, markers, "sub");
        // and one whose .git is a file naming a repository elsewhere (the run's scratch, say)
        Path other = Files.createDirectories(runDir.resolve("scratch/other"));
        git(other, "init", "-q");
        Files.writeString(other.resolve("y"), "y\n");
        git(other, "add", "y");
        git(other, "commit", "-q", "-m", "o");
        Path sub2 = Files.createDirectories(w.dir().resolve("sub2"));
        Files.writeString(sub2.resolve(".git"), "gitdir: " + other.resolve(".git") + "\n");
        Files.writeString(sub2.resolve("y"), "y\n");
        hostile(other.resolve(".git"), sub2, markers, "other");
        Files.writeString(w.dir().resolve("top.txt"), "top\n");
        // and it points its worktree's .git at the repository elsewhere too
        Files.writeString(w.dir().resolve(".git"), "gitdir: " + other.resolve(".git") + "\n");
        return new Nested(repo, runDir, w, markers);
    }

    private static List<String> markers(Path markers) throws Exception {
        try (var s = Files.list(markers)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void noGitCommandOfSwarmflowsRunsWhatANestedRepositoryConfigures() throws Exception {
        assertThat(lifecycle(tmp.toString())).as("the markers written").isEqualTo("[]");
    }

    /**
     * The same with a user's configuration that has git look into submodules wherever it can ({@code status.submoduleSummary},
     * {@code diff.ignoreSubmodules=none}, {@code submodule.recurse}, {@code diff.submodule=log}), in a child JVM whose
     * {@code HOME} holds it (Swarmflow drops {@code GIT_CONFIG_GLOBAL} with the other {@code GIT_*} variables).
     */
    @Test
    void noGitCommandOfSwarmflowsRunsWhatANestedRepositoryConfiguresWhateverTheUsersConfig() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), "[status]\n\tsubmoduleSummary = true\n[diff]\n\tignoreSubmodules = none\n"
                + "\tsubmodule = log\n[submodule]\n\trecurse = true\n[fetch]\n\trecurseSubmodules = true\n");
        Path work = Files.createDirectories(tmp.resolve("work"));
        // with ./swarm's flag: the .git reads load JNA (NonBlockingRead), which JDK 24+ warns about without it
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                NestedRepositoryTest.class.getName(), "lifecycle", work.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).as("the markers written").isEqualTo("[]");
    }

    /**
     * A ticket's attempt with nested repositories, its commit, {@code swarm clean}'s dirty check, a new attempt and
     * {@code swarm clean}'s removal, in {@code a[0]}; returns the markers written (none is right).
     */
    static String lifecycle(String... a) throws Exception {
        Path tmp = Path.of(a[0]);
        Nested n = ticketWithNestedRepositories(tmp);
        Worktree w = n.worktree();
        // an attempt's end, as LocalExecutor.finish does it
        assertThat(GitWorktrees.restoreGitFile(w)).isPresent();
        assertThat(GitWorktrees.unfinishedOperation(w)).isEmpty();
        assertThat(GitWorktrees.checkedOutBranch(w)).contains("refs/heads/swarm/r/t");
        assertThat(GitWorktrees.commitAll(w, "t")).isPresent();
        assertThat(GitWorktrees.nestedWork(w)).containsExactly("sub", "sub2");
        assertThat(GitWorktrees.diffStat(n.repo(), w.base(), w.branch())).contains("sub2");
        GitWorktrees.unlock(w);
        // the nested repositories change afterwards (their files, and what is checked out): swarm clean's dirty check
        Files.writeString(w.dir().resolve("sub/f"), "changed\n");
        Files.writeString(w.dir().resolve("sub2/y"), "changed\n");
        Files.writeString(w.dir().resolve("sub/new"), "new\n");
        assertThat(GitWorktrees.uncommitted(n.repo(), n.runDir())).containsKey(w.dir().toRealPath());
        assertThat(GitWorktrees.uncommittedTrackedPaths(n.repo())).isEmpty();
        // a new attempt of the ticket replaces the worktree; swarm clean removes it
        Worktree again = GitWorktrees.createWorktree(n.repo(), w.dir(), w.branch(), w.base());
        Files.createDirectories(again.dir().resolve("sub"));
        GitWorktrees.pruneStale(n.repo(), n.runDir());

        return markers(n.markers()).toString();
    }

    /**
     * {@code swarm status} suggests {@code git -C WORKTREE status} for a failed ticket's worktree only when that runs
     * nothing of the ticket's: a plain {@code git status} starts {@code git status} inside every gitlink's directory that
     * holds a repository, which runs that repository's {@code core.fsmonitor} and hooks.
     */
    @Test
    void gitIsNotSuggestedInAWorktreeWhereGitStatusWouldEnterANestedRepository() throws Exception {
        Nested n = ticketWithNestedRepositories();
        Worktree w = n.worktree();
        GitWorktrees.restoreGitFile(w);
        GitWorktrees.commitAll(w, "t");
        Files.writeString(w.dir().resolve("sub/f"), "changed\n");

        assertThat(GitWorktrees.dotGitIsGitsOwn(n.repo(), w.dir())).isFalse();
        // said as what it is (swarm status prints it), not as a .git that is not git's own
        assertThat(GitWorktrees.whyGitIsUnsafeIn(n.repo(), w.dir())).contains("it holds 2 repositories the ticket made "
                + "(sub, sub2), which git status would enter and run the commands it configures");
        // what the suggestion would have done: git status, as a user types it
        ProcessBuilder pb = new ProcessBuilder("git", "-C", w.dir().toString(), "status", "--short").redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        Process p = pb.start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        assertThat(markers(n.markers())).as("git status does run them: the suggestion must not be made").isNotEmpty();
    }

    @Test
    void gitIsStillSuggestedWhereAGitlinksDirectoryIsEmpty() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        // a submodule of the base commit, not initialised in the worktree: an empty directory
        git(repo, "update-index", "--add", "--cacheinfo", "160000," + GitWorktrees.headCommit(repo).orElseThrow() + ",lib");
        git(repo, "commit", "-q", "-m", "gitlink");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        assertThat(w.dir().resolve("lib")).isEmptyDirectory();
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).isTrue();
        assertThat(GitWorktrees.whyGitIsUnsafeIn(repo, w.dir())).isEmpty();
        Files.delete(w.dir().resolve(".git"));
        assertThat(GitWorktrees.whyGitIsUnsafeIn(repo, w.dir())).contains("its .git is not git's own");
    }
}
