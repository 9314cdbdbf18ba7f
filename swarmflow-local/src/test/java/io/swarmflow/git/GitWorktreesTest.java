package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GitWorktreesTest {
    @TempDir
    Path tmp;

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    /** A new repository at {@code dir} with one commit of one file. */
    private static Path repoWithFile(Path dir, String file) throws Exception {
        Files.createDirectories(dir);
        git(dir, "init", "-q", "-b", "main");
        Files.writeString(dir.resolve(file), file + "\n");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "initial");
        return dir;
    }

    @Test
    void theWorktreesDirectoryIsOwnerOnlyWhateverTheUmask() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path run = tmp.resolve("state/runs/r");
        Files.createDirectories(run); // as the umask leaves it (0755 under 022), unlike the executor's 0700 run directory
        GitWorktrees.createWorktree(repo, run.resolve("worktrees/t"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("worktrees"))))
                .isEqualTo("rwx------");
        // a worktrees/ that exists keeps its mode: not changed behind the user's back
        Files.setPosixFilePermissions(run.resolve("worktrees"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        GitWorktrees.createWorktree(repo, run.resolve("worktrees/u"), "swarm/r/u", GitWorktrees.headCommit(repo).orElseThrow());
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("worktrees"))))
                .isEqualTo("rwxr-x---");
    }

    @Test
    void aBranchCheckedOutInTheUsersWorkingTreeIsNamedAndItsOldWorktreeKept() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(dir.resolve("work.txt"), "the first attempt's work\n");
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow()); // its own: replaced
        assertThat(dir.resolve("work.txt")).doesNotExist();
        Files.writeString(dir.resolve("work.txt"), "the second attempt's work\n");
        // the user looks at the ticket's branch in their own working tree (git needs it free of the worktree first)
        git(dir, "checkout", "-q", "--detach");
        git(repo, "checkout", "-q", "swarm/r/t");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.createWorktree(repo, dir, "swarm/r/t",
                        GitWorktrees.headCommit(repo).orElseThrow()))
                .isInstanceOf(GitException.class)
                .hasMessage("branch swarm/r/t is checked out in " + repo.toRealPath() + ", so the ticket cannot start again from a "
                        + "fresh worktree on it; switch that working tree to another branch (git -C " + repo.toRealPath()
                        + " switch -) before the ticket runs again");
        assertThat(dir.resolve("work.txt")).hasContent("the second attempt's work"); // nothing was changed
    }

    /**
     * A ticket that leaves directories its owner cannot write or enter (chmod 500, chmod 000) does not stop the next
     * attempt's fresh worktree. Root deletes them regardless of their mode, so the next attempt's worktree is made as
     * an ordinary user (as root: as nobody, in a child JVM; {@link io.swarmflow.files.OrdinaryUser}).
     */
    @Test
    void aWorktreeWithDirectoriesTheTicketMadeReadOnlyIsReplacedByTheNextAttempt() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base);
        Files.writeString(Files.createDirectories(dir.resolve("ro/inner")).resolve("f"), "x");
        Files.writeString(Files.createDirectories(dir.resolve("closed/deeper")).resolve("g"), "y");
        Files.setPosixFilePermissions(dir.resolve("ro"), java.nio.file.attribute.PosixFilePermissions.fromString("r-x------"));
        Files.setPosixFilePermissions(dir.resolve("closed/deeper"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(dir.resolve("closed"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));

        io.swarmflow.files.OrdinaryUser.call(tmp, GitWorktreesTest.class, "createWorktree", repo.toString(), dir.toString(),
                "swarm/r/t", base);

        assertThat(dir.resolve("a.txt")).exists();
        assertThat(dir.resolve("ro")).doesNotExist();
        assertThat(dir.resolve("closed")).doesNotExist();
    }

    /**
     * A directory in a worktree that its owner cannot open (a ticket's chmod 000) hides its files from git status; it
     * counts as uncommitted work, so swarm clean does not delete it without --force. Root reads it, so the look runs
     * as an ordinary user (as root: as nobody, in a child JVM; {@link io.swarmflow.files.OrdinaryUser}).
     */
    @Test
    void aDirectoryNobodyCanOpenCountsAsUncommittedWork() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path runDir = tmp.resolve("state/runs/r");
        Path dir = runDir.resolve("worktrees/t");
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(Files.createDirectories(dir.resolve("d")).resolve("f"), "the ticket's work");
        Files.setPosixFilePermissions(dir.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
        try {
            assertThat(io.swarmflow.files.OrdinaryUser.call(tmp, GitWorktreesTest.class, "uncommitted", repo.toString(),
                    runDir.toString())).isEqualTo(dir.toRealPath() + "\n");
        } finally {
            Files.setPosixFilePermissions(dir.resolve("d"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /** {@link GitWorktrees#createWorktree(Path, Path, String, String)}: a step for {@link io.swarmflow.files.OrdinaryUser}. */
    static String createWorktree(String... a) throws Exception {
        GitWorktrees.createWorktree(Path.of(a[0]), Path.of(a[1]), a[2], a[3]);
        return "";
    }

    /** The worktrees {@link GitWorktrees#uncommitted} names, a line each: a step for {@link io.swarmflow.files.OrdinaryUser}. */
    static String uncommitted(String... a) throws Exception {
        StringBuilder b = new StringBuilder();
        for (Path p : GitWorktrees.uncommitted(Path.of(a[0]), Path.of(a[1])).keySet()) b.append(p).append('\n');
        return b.toString();
    }

    /** Commits added to a ticket's branch (by hand, say) survive its next attempt on a branch of their own. */
    @Test
    void commitsOnlyTheBranchHoldsAreKeptWhenANewAttemptResetsIt() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        assertThat(GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base, "swarm/r/t.before-attempt-1").kept())
                .as("a new branch holds nothing to keep").isNull();
        Files.writeString(dir.resolve("fix.txt"), "by hand\n");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "by hand");
        String tip = GitWorktrees.tip(repo, "swarm/r/t");

        Worktree second = GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base, "swarm/r/t.before-attempt-2");

        assertThat(second.kept()).isEqualTo("swarm/r/t.before-attempt-2");
        assertThat(GitWorktrees.tip(repo, "swarm/r/t.before-attempt-2")).isEqualTo(tip);
        assertThat(GitWorktrees.tip(repo, "swarm/r/t")).isEqualTo(base);
        assertThat(dir.resolve("fix.txt")).doesNotExist();
    }

    /** A branch of that name at another commit is not overwritten: the attempt fails before anything changes. */
    @Test
    void anExistingKeepBranchElsewhereStopsTheResetAndChangesNothing() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base, "swarm/r/t.before-attempt-1");
        Files.writeString(dir.resolve("fix.txt"), "by hand\n");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "by hand");
        String tip = GitWorktrees.tip(repo, "swarm/r/t");
        git(repo, "branch", "swarm/r/t.before-attempt-2", base);
        Files.writeString(dir.resolve("uncommitted.txt"), "left\n");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base,
                        "swarm/r/t.before-attempt-2"))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("branch swarm/r/t.before-attempt-2 already exists (at " + base + ")")
                .hasMessageContaining("rename or delete it");
        assertThat(GitWorktrees.tip(repo, "swarm/r/t")).isEqualTo(tip);
        assertThat(dir.resolve("uncommitted.txt")).hasContent("left");
    }

    /**
     * Another git process holding .git/config.lock for a moment must not fail the worktree: git gives up at once, we retry.
     * The lock is held until 300 ms after {@code git worktree add} (which does not take it) has checked the files out, so
     * the next step, {@code git config} recording the base, meets it: let go a fixed 300 ms after the call, the lock could
     * be gone before that step on a loaded machine, and the test then passed without any retry.
     */
    @Test
    void aLockHeldBrieflyByAnotherGitProcessIsWaitedFor() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path lock = Files.writeString(repo.resolve(".git/config.lock"), ""); // as `git config` in another process holds it
        Path worktree = tmp.resolve("wt");
        java.util.concurrent.CompletableFuture<Void> release = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(1))
                        .until(() -> Files.exists(worktree.resolve("a.txt")));
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Files.deleteIfExists(lock);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });

        Worktree w = GitWorktrees.createWorktree(repo, worktree, "swarm/r/t"); // records its base in .git/config

        release.get(70, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(w.dir().resolve("a.txt")).exists();
        assertThat(GitWorktrees.recordedBase(repo, "swarm/r/t")).contains(GitWorktrees.headCommit(repo).orElseThrow());
    }

    /**
     * A ticket owns its worktree, submodule directories included: it can make one a repository whose config has a
     * clean filter. Looking for uncommitted work (swarm clean) runs git on the host and must not enter it.
     */
    @Test
    void lookingForUncommittedWorkDoesNotRunGitInsideASubmoduleTheTicketRewrote() throws Exception {
        Path lib = repoWithFile(tmp.resolve("lib"), "h.txt");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        git(repo, "-c", "protocol.file.allow=always", "submodule", "--quiet", "add", lib.toString(), "lib");
        git(repo, "commit", "-q", "-m", "with a submodule");
        Path runDir = tmp.resolve("state/runs/r1");
        Worktree w = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/t"), "swarm/r1/t", GitWorktrees.headCommit(repo).orElseThrow());

        // what the ticket does in its worktree: the submodule directory becomes a repository of its own, with a filter
        Path sub = w.dir().resolve("lib");
        Path pwned = tmp.resolve("PWNED");
        git(sub, "init", "-q");
        git(sub, "fetch", "-q", lib.toString());
        git(sub, "reset", "-q", "--hard", "FETCH_HEAD");
        git(sub, "config", "filter.evil.clean", "sh -c 'touch " + pwned + "; cat'");
        Files.writeString(sub.resolve(".git/info/attributes"), "* filter=evil\n");
        git(sub, "config", "core.fsmonitor", "sh -c 'touch " + pwned + "'");
        Files.setLastModifiedTime(sub.resolve("h.txt"), java.nio.file.attribute.FileTime.fromMillis(978_307_200_000L)); // 2001

        GitWorktrees.uncommitted(repo, runDir);

        assertThat(pwned).as("a command of the ticket's, run on the host").doesNotExist();
    }

    /**
     * A worktree gets its submodules uninitialized (empty directories), and a commit records a repository inside the
     * worktree only as a link: neither shows in {@code git status --ignore-submodules=all}, yet removing the worktree
     * loses them. Untouched submodule directories are no work.
     */
    @Test
    void contentInGitlinkDirectoriesCountsAsWorkThatCleaningWouldLose() throws Exception {
        Path lib = repoWithFile(tmp.resolve("lib"), "h.txt");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        git(repo, "-c", "protocol.file.allow=always", "submodule", "--quiet", "add", lib.toString(), "lib");
        git(repo, "-c", "protocol.file.allow=always", "submodule", "--quiet", "add", lib.toString(), "other");
        git(repo, "commit", "-q", "-m", "with submodules");
        Path runDir = tmp.resolve("state/runs/r1");
        Worktree w = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/t"), "swarm/r1/t", GitWorktrees.headCommit(repo).orElseThrow());
        assertThat(GitWorktrees.uncommitted(repo, runDir)).as("uninitialized submodules are empty directories").isEmpty();

        Files.writeString(w.dir().resolve("lib/lib.txt"), "written into the submodule's directory\n");
        Path nested = Files.createDirectories(w.dir().resolve("vendor/nested"));
        git(nested, "init", "-q");
        Files.writeString(nested.resolve("n.txt"), "n\n");
        git(nested, "add", "-A");
        git(nested, "commit", "-q", "-m", "only in the worktree");
        assertThat(GitWorktrees.commitAll(w, "the ticket's work")).isPresent(); // records vendor/nested as a gitlink

        assertThat(GitWorktrees.nestedWork(w)).containsExactly("lib", "vendor/nested");
        assertThat(GitWorktrees.uncommitted(repo, runDir))
                .containsExactly(java.util.Map.entry(w.dir().toRealPath(), new GitWorktrees.Uncommitted(0, List.of("lib", "vendor/nested"))));
    }

    /**
     * A ticket may delete its worktree's {@code .git} file; a {@code git worktree prune} meanwhile (another worktree ticket
     * starting, another run, the user) must not delete the worktree's record, or its work could not be committed.
     */
    @Test
    void aWorktreeWhoseDotGitFileIsDeletedIsNotPrunedUntilUnlocked() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r1/worktrees/t"), "swarm/r1/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Files.delete(w.dir().resolve(".git"));
        Files.writeString(w.dir().resolve("work.txt"), "the ticket's work\n");

        git(repo, "worktree", "prune");

        assertThat(GitWorktrees.commitAll(w, "the ticket's work")).isPresent();
        assertThat(GitWorktrees.diffStat(repo, w.base(), w.branch())).contains("work.txt");
        GitWorktrees.unlock(w);
        git(repo, "worktree", "prune");
        assertThat(w.gitDir()).as("an unlocked record is git's to prune again").doesNotExist();
    }

    /**
     * What a ticket leaves in place of its worktree's {@code .git} file (deleted, pointed at a repository of its own, a
     * symbolic link, a directory) is replaced by git's own file, so git run in the worktree afterwards reads the
     * worktree's records in the main repository and nothing the ticket configured.
     */
    @Test
    void whatATicketLeftInPlaceOfItsDotGitFileIsReplacedByGitsOwn() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Path dotGit = w.dir().resolve(".git");
        String gits = Files.readString(dotGit);
        assertThat(gits).isEqualTo("gitdir: " + w.gitDir() + "\n");
        assertThat(GitWorktrees.restoreGitFile(w)).as("git's own file is left as it is").isEmpty();

        Path evil = tmp.resolve("evil");
        git(tmp, "init", "-q", "--bare", evil.toString());
        Files.delete(dotGit);
        Files.writeString(dotGit, "gitdir: " + evil + "\n");
        assertThat(GitWorktrees.restoreGitFile(w)).contains("a file saying gitdir: " + evil);
        assertThat(dotGit).isRegularFile().hasContent(gits.strip());
        assertThat(Files.readString(dotGit)).isEqualTo(gits);

        Files.delete(dotGit);
        assertThat(GitWorktrees.restoreGitFile(w)).contains("deleted");
        assertThat(Files.readString(dotGit)).isEqualTo(gits);

        Files.delete(dotGit);
        Files.createSymbolicLink(dotGit, evil);
        assertThat(GitWorktrees.restoreGitFile(w)).contains("a symbolic link to " + evil);
        assertThat(Files.isSymbolicLink(dotGit)).isFalse();
        assertThat(Files.readString(dotGit)).isEqualTo(gits);
        assertThat(evil.resolve("HEAD")).as("the link was replaced, not what it named").exists();

        Files.delete(dotGit);
        git(w.dir(), "init", "-q"); // a repository of the ticket's own, whose config git would follow
        assertThat(GitWorktrees.restoreGitFile(w)).contains("a directory (a repository of the ticket's own)");
        assertThat(dotGit).isRegularFile();
        assertThat(Files.readString(dotGit)).isEqualTo(gits);
        try (var left = Files.list(w.dir())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file is left").containsExactlyInAnyOrder(".git", "a.txt");
        }
        Process p = new ProcessBuilder("git", "-C", w.dir().toString(), "rev-parse", "--absolute-git-dir").start();
        assertThat(new String(p.getInputStream().readAllBytes()).strip()).isEqualTo(w.gitDir().toString());
    }

    /**
     * A coordinator killed while its ticket had replaced the worktree's {@code .git} file leaves the worktree locked and
     * git unable to validate it: the next attempt's worktree is made all the same (the stale record of its own path
     * unlocked and pruned), not refused with the branch "checked out" at that very path.
     */
    @Test
    void aNewAttemptGetsItsWorktreeAfterAKilledCoordinatorLeftItsDotGitReplaced() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Worktree first = GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base);
        Files.delete(first.dir().resolve(".git"));
        Files.writeString(first.dir().resolve(".git"), "gitdir: /nonexistent\n");
        // no unlock, no restore: the coordinator was killed

        Worktree second = GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base);

        assertThat(second.dir()).isEqualTo(first.dir());
        assertThat(Files.readString(second.dir().resolve(".git"))).isEqualTo("gitdir: " + second.gitDir() + "\n");
        Files.writeString(second.dir().resolve("w.txt"), "work\n");
        assertThat(GitWorktrees.commitAll(second, "work")).isPresent();
    }

    /**
     * A {@code .gitattributes} the ticket wrote cannot send its files through a filter driver of git's configuration:
     * neither the commit nor the look for uncommitted work runs its clean or process command on the host, and the
     * file is committed as the bytes the ticket left (also for a required driver, and one whose name has a dot).
     */
    @Test
    void noConfiguredFilterDriverRunsOnTheTicketsFiles() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path ran = tmp.resolve("FILTER_RAN");
        for (String driver : List.of("x", "a.b")) {
            git(repo, "config", "filter." + driver + ".clean", "sh -c 'echo clean >> " + ran + "; tr a-z A-Z'");
            git(repo, "config", "filter." + driver + ".smudge", "sh -c 'echo smudge >> " + ran + "; cat'");
            git(repo, "config", "filter." + driver + ".process", "sh -c 'echo process >> " + ran + "; exit 1'");
            git(repo, "config", "filter." + driver + ".required", "true");
        }
        Path run = tmp.resolve("state/runs/r");
        Worktree w = GitWorktrees.createWorktree(repo, run.resolve("worktrees/t"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve(".gitattributes"), "*.dat filter=x\n*.bin filter=a.b\n");
        Files.writeString(w.dir().resolve("f.dat"), "data\n");
        Files.writeString(w.dir().resolve("g.bin"), "bin\n");

        assertThat(GitWorktrees.commitAll(w, "filtered?")).isPresent();
        Files.writeString(w.dir().resolve("f.dat"), "changed\n");
        assertThat(GitWorktrees.uncommitted(repo, run)).containsKey(w.dir().toRealPath());

        assertThat(ran).as("a filter driver ran on the host").doesNotExist();
        Process show = new ProcessBuilder("git", "-C", repo.toString(), "show", "swarm/r/t:f.dat", "swarm/r/t:g.bin").start();
        assertThat(new String(show.getInputStream().readAllBytes())).isEqualTo("data\nbin\n");
    }

    /**
     * What {@code swarm status} checks before it suggests {@code git -C WORKTREE status}: the worktree's {@code .git} is
     * git's own, not one a ticket wrote (pointing at a repository of its own), nor a link, nor gone.
     */
    @Test
    void aDotGitIsGitsOwnOnlyAsGitWroteIt() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Path dotGit = w.dir().resolve(".git");
        String own = Files.readString(dotGit);
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).isTrue();

        Path evil = Files.createDirectories(tmp.resolve("state/runs/r/scratch/x/worktrees/evil"));
        Files.writeString(evil.resolve("gitdir"), dotGit + "\n");
        Files.writeString(dotGit, "gitdir: " + evil + "\n");
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("a repository of the ticket's own").isFalse();
        Files.delete(dotGit);
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("deleted").isFalse();
        Path elsewhere = Files.writeString(tmp.resolve("own-git-file"), own);
        Files.createSymbolicLink(dotGit, elsewhere);
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("a link to git's content").isFalse();
        Files.delete(dotGit);
        Files.writeString(dotGit, own);
        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).isTrue();
    }

    /** A title that begins with {@code #} is the commit's message whatever {@code commit.cleanup} says (a review). */
    @Test
    void aTitleBeginningWithAHashIsCommittedAsItIs() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        git(repo, "config", "commit.cleanup", "strip");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve("f.txt"), "x\n");

        assertThat(GitWorktrees.commitAll(w, "#42 fix the build")).isPresent();

        Process log = new ProcessBuilder("git", "-C", repo.toString(), "log", "-1", "--format=%s", "swarm/r/t").start();
        assertThat(new String(log.getInputStream().readAllBytes()).strip()).isEqualTo("#42 fix the build");
    }

    /** A driver with an empty name ({@code [filter ""]}, chosen by {@code filter=} with no value) is no exception (a review). */
    @Test
    void aFilterDriverWithAnEmptyNameDoesNotRunEither() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path ran = tmp.resolve("FILTER_RAN");
        git(repo, "config", "filter..clean", "sh -c 'echo clean >> " + ran + "; tr a-z A-Z'");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve(".gitattributes"), "*.e filter=\n");
        Files.writeString(w.dir().resolve("f.e"), "data\n");

        assertThat(GitWorktrees.commitAll(w, "filtered?")).isPresent();

        assertThat(ran).as("a filter driver ran on the host").doesNotExist();
        Process show = new ProcessBuilder("git", "-C", repo.toString(), "show", "swarm/r/t:f.e").start();
        assertThat(new String(show.getInputStream().readAllBytes())).isEqualTo("data\n");
    }

    /** diffstat says what the stat alone hides: a mode change (shown as {@code | 0}), a symbolic link created, a file deleted. */
    @Test
    void diffStatNamesModeChangesLinksAndDeletions() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Files.writeString(repo.resolve("gone.txt"), "x\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "gone");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.setPosixFilePermissions(w.dir().resolve("a.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(w.dir().resolve("link"), Path.of("a.txt"));
        Files.delete(w.dir().resolve("gone.txt"));
        GitWorktrees.commitAll(w, "modes");

        assertThat(GitWorktrees.diffStat(repo, w.base(), w.branch())).contains(" a.txt    | 0", " mode change 100644 => 100755 a.txt",
                " create mode 120000 link", " delete mode 100644 gone.txt");
    }

    /**
     * The commit leaves out what the repository's ignore rules do, not what the user's own excludes file does
     * ({@code core.excludesFile}, here set in the repository's config, as it is by default in {@code ~/.config/git/ignore}):
     * the same spec commits the same files on every machine, and cleaning counts such a file as work it would lose.
     */
    @Test
    void theUsersOwnIgnoreRulesDoNotDecideWhatIsCommitted() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Files.writeString(tmp.resolve("my-ignore"), "*.out\nbuild/\n");
        git(repo, "config", "core.excludesFile", tmp.resolve("my-ignore").toString());
        Files.writeString(repo.resolve(".gitignore"), "*.tmp\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "ignore");
        Path run = tmp.resolve("state/runs/r");
        Worktree w = GitWorktrees.createWorktree(repo, run.resolve("worktrees/t"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.createDirectories(w.dir().resolve("build"));
        Files.writeString(w.dir().resolve("build/app"), "app\n");
        Files.writeString(w.dir().resolve("result.out"), "out\n");
        Files.writeString(w.dir().resolve("scratch.tmp"), "tmp\n");

        GitWorktrees.commitAll(w, "work");

        assertThat(GitWorktrees.diffStat(repo, w.base(), w.branch())).contains("build/app", "result.out").doesNotContain("scratch.tmp");
        Files.writeString(w.dir().resolve("late.out"), "after the commit\n");
        assertThat(GitWorktrees.uncommitted(repo, run)).containsEntry(w.dir().toRealPath(), new GitWorktrees.Uncommitted(1, List.of()));
    }

    /** A branch with thousands of new files keeps git's line with the totals in a diffstat of a few dozen KiB. */
    @Test
    void aDiffStatOfManyFilesKeepsTheTotals() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        for (int i = 0; i < 3000; i++) Files.writeString(w.dir().resolve("file-with-a-longish-name-" + i + ".txt"), "x\n");
        // its stat line begins as the totals line does, and sorts first (a review)
        Files.writeString(w.dir().resolve("3 files changed"), "x\n");
        GitWorktrees.commitAll(w, "many");

        String stat = GitWorktrees.diffStat(repo, w.base(), w.branch());

        assertThat(stat).contains("\n ...\n 3001 files changed, 3001 insertions(+)\n create mode 100644 3 files changed\n")
                .endsWith("\n … and " + (3001 - GitWorktrees.SUMMARY_LINES) + " more lines of the summary (git diff --summary "
                        + w.base() + ".." + w.branch() + " shows them all)");
        assertThat(stat.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThan(64 * 1024);
    }

    /**
     * In a repository with a sparse checkout, a ticket's worktree has every file of the base commit, and what the ticket
     * writes outside the sparse directories is committed; the repository's own checkout stays sparse.
     */
    @Test
    void aSparseCheckoutOfTheRepositoryDoesNotMakeTheWorktreeSparse() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Files.createDirectories(repo.resolve("keep"));
        Files.createDirectories(repo.resolve("drop"));
        Files.writeString(repo.resolve("keep/k"), "k\n");
        Files.writeString(repo.resolve("drop/d"), "d\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "dirs");
        git(repo, "sparse-checkout", "set", "keep");
        assertThat(repo.resolve("drop")).doesNotExist();
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());

        assertThat(w.dir().resolve("drop/d")).hasContent("d");
        Files.writeString(w.dir().resolve("drop/d2"), "new\n");
        assertThat(GitWorktrees.commitAll(w, "outside the cone")).isPresent();

        assertThat(GitWorktrees.diffStat(repo, w.base(), w.branch())).contains("drop/d2");
        assertThat(repo.resolve("drop")).as("the repository's own checkout stays sparse").doesNotExist();
    }

    @Test
    void diffStatPrintsNonAsciiPathsAsTheyAre() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve("résumé ü.txt"), "x\n");
        GitWorktrees.commitAll(w, "unicode");

        assertThat(GitWorktrees.diffStat(repo, w.base(), w.branch())).contains("résumé ü.txt |").doesNotContain("\\303");
    }

    /** git cannot record a nested repository that has no commit; the error says which one and what to do. */
    @Test
    void committingANestedRepositoryWithoutACommitSaysWhichAndWhatToDo() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Path nested = Files.createDirectories(w.dir().resolve("tools/gen"));
        git(nested, "init", "-q");
        Files.writeString(nested.resolve("g.txt"), "g\n");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.commitAll(w, "work"))
                .isInstanceOf(GitException.class)
                .hasMessage("tools/gen in the worktree is a git repository without a commit, which git cannot record (it records a "
                        + "nested repository as a link to its current commit); commit in it, or delete its .git to have its files "
                        + "committed with the rest");
    }

    /**
     * A branch {@code swarm/r} (or {@code swarm}) makes git refuse {@code swarm/r/t} for good: said at once with the fix,
     * and git's "exists; cannot create" is never taken for another process's lock (which would be tried 8 times).
     */
    @Test
    void aBranchWhoseNameIsADirectoryOfTheTicketsBranchIsNamedWithItsFix() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        git(repo, "branch", "swarm/r");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t",
                        GitWorktrees.headCommit(repo).orElseThrow()))
                .isInstanceOf(GitException.class)
                .hasMessage(repo.toRealPath() + " has a branch named swarm/r, so git cannot make the worktree ticket's branch "
                        + "swarm/r/t (a branch's name cannot also be a directory of branches); rename it (git -C " + repo.toRealPath()
                        + " branch -m swarm/r swarm/r-old) and run again");
        assertThat(tmp.resolve("wt")).doesNotExist();
        assertThat(GitWorktrees.lockContention("fatal: cannot lock ref 'refs/heads/swarm/r/t': 'refs/heads/swarm' exists; "
                + "cannot create 'refs/heads/swarm/r/t'")).isFalse();
    }

    /** A failed git command's message leads with a short name of the command and git's words; the whole command comes last. */
    @Test
    void aFailedGitCommandLeadsWithGitsOwnWords() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.deleteBranch(repo, "nope"))
                .isInstanceOf(GitException.class)
                .message().startsWith("git rev-parse --short failed: fatal: ")
                .endsWith(" (exit code 128; the command: git rev-parse --short refs/heads/nope (in " + repo.toRealPath() + "))");
        assertThat(GitWorktrees.commandName("--git-dir=/r/.git/worktrees/t", "--work-tree=/w", "-c", "core.fsmonitor=false", "add", "-A"))
                .isEqualTo("add -A");
        assertThat(GitWorktrees.commandName("worktree", "add", "--quiet", "--force", "--lock", "-B", "swarm/r/t", "/w", "abc"))
                .isEqualTo("worktree add --quiet --force --lock -B");
    }

    /**
     * A commit message longer than Linux takes in one argument (128 KiB: a long ticket title) is committed whole, as
     * it goes to git on stdin; an argument that long elsewhere fails without asking whether git is installed, and
     * without copying the whole argument into the message.
     */
    @Test
    void aCommitMessageLongerThanAnArgumentMayBeIsCommittedWhole() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Worktree w = GitWorktrees.createWorktree(repo, tmp.resolve("wt"), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve("w.txt"), "work\n");
        String title = "x".repeat(150_000);

        assertThat(GitWorktrees.commitAll(w, title)).isPresent();
        Process log = new ProcessBuilder("git", "-C", repo.toString(), "log", "-1", "--format=%B", "swarm/r/t").start();
        assertThat(new String(log.getInputStream().readAllBytes()).strip()).isEqualTo(title);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GitWorktrees.deleteBranch(repo, "y".repeat(200_000)))
                .isInstanceOf(GitException.class)
                .message().startsWith("cannot run git rev-parse --short: ").contains("Argument list too long")
                .contains("(Linux takes at most 128 KiB in one argument)").doesNotContain("is git installed")
                .hasSizeLessThan(2_000);
    }

    @Test
    void lockContentionIsRecognisedFromGitsMessages() {
        assertThat(GitWorktrees.lockContention("error: could not lock config file .git/config: File exists")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: Unable to create '/r/.git/index.lock': File exists.")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: cannot lock ref 'refs/heads/x': reference already exists")).isTrue();
        assertThat(GitWorktrees.lockContention("fatal: invalid reference: nope")).isFalse();
        // a directory git cannot write: no other process holds a lock, so no retry helps
        assertThat(GitWorktrees.lockContention("fatal: cannot lock ref 'refs/heads/swarm/r/t': unable to create directory for "
                + ".git/refs/heads/swarm/r/t")).isFalse();
        assertThat(GitWorktrees.lockContention("error: could not lock config file .git/config: Permission denied")).isFalse();
        assertThat(GitWorktrees.lockContention("error: could not lock config file .git/config: Read-only file system")).isFalse();
    }

    /**
     * git's stderr holds more than the lock line: run with another user's HOME ({@code su} without {@code -}), every
     * command that reads ignore rules warns "unable to access '/root/.config/git/ignore': Permission denied" before
     * it meets a held lock. That is still another process's lock, and worth a retry.
     */
    @Test
    void aPermissionWarningOnAnotherLineDoesNotHideLockContention() {
        assertThat(GitWorktrees.lockContention("git commit --quiet (in /r) failed with exit code 128: "
                + "warning: unable to access '/root/.config/git/ignore': Permission denied\n"
                + "fatal: cannot lock ref 'HEAD': Unable to create '/r/.git/HEAD.lock': File exists.\n\n"
                + "Another git process seems to be running in this repository")).isTrue();
        assertThat(GitWorktrees.lockContention("git config branch.b.swarmBase x (in /r) failed with exit code 255: "
                + "warning: unable to access '/root/.config/git/attributes': Permission denied\n"
                + "error: could not lock config file .git/config: File exists")).isTrue();
        // the lock line's own cause still decides
        assertThat(GitWorktrees.lockContention("warning: unable to access '/root/.config/git/ignore': Permission denied\n"
                + "error: could not lock config file .git/config: Permission denied")).isFalse();
    }

    /**
     * A repository whose git directory its user cannot write (a read-only checkout, another user's clone): the worktree
     * cannot be made, and the error leads with why, which git's "cannot lock ref" does not say. Root writes whatever the
     * mode, so the step runs as an ordinary user.
     */
    @Test
    void aRepositoryWhoseGitDirectoryIsNotWritableSaysSo() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        String base = GitWorktrees.headCommit(repo).orElseThrow();

        String said = io.swarmflow.files.OrdinaryUser.call(tmp, GitWorktreesTest.class, "createWorktreeInReadOnlyGitDir",
                repo.toString(), dir.toString(), "swarm/r/t", base);

        assertThat(said).startsWith(repo.resolve(".git").toRealPath() + " is not writable by you (user ")
                .contains("a worktree ticket makes its branch and worktree records there; give yourself write access to the "
                        + "repository's git directory, or give the ticket workspace: repo (read-only) or run. git said: git worktree add")
                .contains("cannot lock ref 'refs/heads/swarm/r/t'");
    }

    /** Makes the repository's .git read-only, then tries {@link GitWorktrees#createWorktree}: a step for {@link io.swarmflow.files.OrdinaryUser}. */
    static String createWorktreeInReadOnlyGitDir(String... a) throws Exception {
        Path git = Path.of(a[0]).resolve(".git");
        try (var walk = Files.walk(git)) {
            for (Path p : walk.filter(Files::isDirectory).toList()) {
                Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
            }
        }
        try {
            GitWorktrees.createWorktree(Path.of(a[0]), Path.of(a[1]), a[2], a[3], a.length > 4 ? a[4] : null);
            return "created";
        } catch (GitException e) {
            return e.getMessage();
        } finally {
            try (var walk = Files.walk(git)) {
                for (Path p : walk.filter(Files::isDirectory).toList()) {
                    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
        }
    }

    /**
     * The commits a new attempt keeps are branched off first: with a git directory its user cannot write, that {@code git
     * branch} is what fails, and its error leads with why, as the worktree's does.
     */
    @Test
    void keepingABranchInAGitDirectoryThatIsNotWritableSaysSo() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path dir = tmp.resolve("state/runs/r/worktrees/t");
        GitWorktrees.createWorktree(repo, dir, "swarm/r/t", base, "swarm/r/t.before-attempt-1");
        Files.writeString(dir.resolve("fix.txt"), "by hand\n");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "by hand");

        String said = io.swarmflow.files.OrdinaryUser.call(tmp, GitWorktreesTest.class, "createWorktreeInReadOnlyGitDir",
                repo.toString(), dir.toString(), "swarm/r/t", base, "swarm/r/t.before-attempt-2");

        assertThat(said).startsWith(repo.resolve(".git").toRealPath() + " is not writable by you (user ")
                .contains("git said: git branch --no-track failed: fatal: cannot lock ref").contains("Permission denied");
    }

    /**
     * A git directory on a read-only mount (a CD, a container's read-only volume) is not writable by anyone, root
     * included, and no change of mode helps: the error says it is the mount. The step runs in a mount namespace of
     * bubblewrap's, where the repository's .git is bound read-only.
     */
    @Test
    void aGitDirectoryOnAReadOnlyMountSaysSo() throws Exception {
        Path repo = repoWithFile(tmp.resolve("a repo"), "a.txt"); // mountinfo writes the space as \040
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path git = repo.resolve(".git").toRealPath();

        String said = onReadOnlyMount(git, "createWorktreeStep", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString(),
                "swarm/r/t", base);

        assertThat(said).startsWith(git + " is on a read-only mount, and a worktree ticket makes its branch and worktree "
                        + "records there; mount it read-write, or point repo: at a clone on a writable file system, or give the "
                        + "ticket workspace: repo (read-only) or run. git said: git worktree add")
                .doesNotContain("not writable by you");
        assertThat(tmp.resolve("state/runs/r/worktrees/t")).doesNotExist();
    }

    /**
     * The same in the C locale (a container without LANG, cron), on a machine with a mount point of other letters (a
     * USB stick's label, /home/josé): the JVM cannot make a path of that line of mountinfo, which made the whole of it
     * unreadable, and the error was again "not writable by you (user root)"; as did, in any locale, a mount point that is
     * not valid UTF-8.
     */
    @Test
    void aGitDirectoryOnAReadOnlyMountSaysSoInTheCLocaleBesideAMountOfOtherLetters() throws Exception {
        Path repo = repoWithFile(tmp.resolve("repo"), "a.txt");
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path git = repo.resolve(".git").toRealPath();
        bwrapMakesMountNamespaces();
        // the name is made by bash from its bytes: a JVM in the C locale could not make it
        // and one that is not UTF-8 at all (Latin-1's é): mountinfo was read strictly as UTF-8
        String script = "d=\"$0\"/$'\\xc3\\xa9t\\xc3\\xa9' && l=\"$0\"/$'\\xe9' && mkdir -p \"$d\" \"$l\" && exec bwrap "
                + "--dev-bind / / --ro-bind \"$1\" \"$1\" --bind \"$d\" \"$d\" --bind \"$l\" \"$l\" -- \"${@:2}\"";
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", script, tmp.toRealPath().toString(), git.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                io.swarmflow.files.OrdinaryUser.class.getName(), GitWorktreesTest.class.getName(), "createWorktreeStep",
                repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString(), "swarm/r/t", base));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(p.waitFor()).as(said).isZero();
        assertThat(said).startsWith(git + " is on a read-only mount, and a worktree ticket makes its branch and worktree records there")
                .doesNotContain("not writable by you");
    }

    /** Runs a step of this class in a child JVM under bubblewrap, with {@code dir} bound read-only over itself. */
    private static String onReadOnlyMount(Path dir, String step, String... args) throws Exception {
        List<String> bwrap = List.of("bwrap", "--dev-bind", "/", "/", "--ro-bind", dir.toString(), dir.toString(), "--");
        bwrapMakesMountNamespaces();
        List<String> jvm = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                GitWorktreesTest.class.getName(), step));
        jvm.addAll(List.of(args));
        Process p = new ProcessBuilder(concat(bwrap, jvm)).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** Skips the test where bwrap cannot make a mount namespace, and fails it there under CI=true. */
    private static void bwrapMakesMountNamespaces() throws Exception {
        boolean works;
        try {
            works = new ProcessBuilder("bwrap", "--dev-bind", "/", "/", "--ro-bind", "/", "/", "--", "true")
                    .redirectErrorStream(true).start().waitFor() == 0;
        } catch (java.io.IOException e) {
            works = false;
        }
        if (!works && "true".equals(System.getenv("CI"))) {
            org.junit.jupiter.api.Assertions.fail("CI=true but bwrap cannot make a mount namespace here: install bubblewrap");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(works, "bwrap cannot make a mount namespace here");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Tries {@link GitWorktrees#createWorktree} and returns its error: a step for {@link #onReadOnlyMount}. */
    static String createWorktreeStep(String... a) {
        try {
            GitWorktrees.createWorktree(Path.of(a[0]), Path.of(a[1]), a[2], a[3]);
            return "created";
        } catch (GitException e) {
            return e.getMessage();
        }
    }
}
