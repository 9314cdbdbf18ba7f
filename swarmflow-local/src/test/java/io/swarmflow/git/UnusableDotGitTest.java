package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static io.swarmflow.git.NestedRepositoryTest.git;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worktree's {@code .git} a ticket made unusable ({@code chmod 000 .git}, a directory, a FIFO, a symbolic link) is
 * replaced by git's own without being opened or followed: no hang on a FIFO, nothing written through a link, and what
 * was there is said.
 */
@Timeout(300) // a restore that opened the FIFO would wait for a writer for ever: fail instead of hanging the build
class UnusableDotGitTest {
    @TempDir
    Path tmp;

    private Worktree worktree() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
    }

    private static void assertGitsOwn(Worktree w) throws Exception {
        assertGitsContent(w);
        assertThat(GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir())).isTrue();
    }

    /** For a tree {@link io.swarmflow.files.OrdinaryUser} gave to nobody, where git run as root sees dubious ownership. */
    private static void assertGitsContent(Worktree w) throws Exception {
        assertThat(Files.isRegularFile(w.dir().resolve(".git"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isTrue();
        assertThat(w.dir().resolve(".git")).hasContent(w.gitFile().strip());
    }

    private static void mkfifo(Path p) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor()).isZero();
    }

    /**
     * A {@code .git} swapped for a link after it was checked to be a file (a process the ticket left running) is not
     * followed when it is read: git's own content behind a link is not git's own {@code .git}.
     */
    @Test
    void aDotGitSwappedForALinkAfterItsCheckIsNotFollowed() throws Exception {
        Worktree w = worktree();
        Path file = w.dir().resolve(".git");
        Path copy = Files.writeString(tmp.resolve("copy-of-git-file"), Files.readString(file));
        GitWorktrees.betweenCheckAndRead = () -> {
            try {
                Files.delete(file);
                Files.createSymbolicLink(file, copy);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try {
            assertThat(GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir())).isFalse();
        } finally {
            GitWorktrees.betweenCheckAndRead = () -> {};
        }
        assertThat(Files.isSymbolicLink(file)).as("swapped").isTrue();
    }

    /**
     * The worktree's record in the repository ({@code .git/worktrees/NAME/gitdir}), which a ticket without bubblewrap can
     * write, made a link to {@code /dev/zero}: read through the link without limit, {@code swarm status} ran out of memory
     * (review D6 F5). Not git's own, and read no further.
     */
    @Test
    void aRecordLinkedToAnEndlessFileIsNotFollowed() throws Exception {
        Worktree w = worktree();
        Path admin = Path.of(Files.readString(w.dir().resolve(".git")).substring("gitdir: ".length()).strip());
        Path record = admin.resolve("gitdir");
        Files.delete(record);
        Files.createSymbolicLink(record, Path.of("/dev/zero"));

        assertThat(GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir())).isFalse();
    }

    @Test
    void aFifoIsReplacedWithoutBeingOpened() throws Exception {
        Worktree w = worktree();
        Files.delete(w.dir().resolve(".git"));
        mkfifo(w.dir().resolve(".git"));

        assertThat(GitWorktrees.restoreGitFile(w)).contains("a special file (a FIFO, a socket or a device)");
        assertGitsOwn(w);
    }

    @Test
    void aLinkIsReplacedAndNothingIsWrittenThroughIt() throws Exception {
        Worktree w = worktree();
        Path target = Files.writeString(tmp.resolve("target"), "the user's file\n");
        Files.delete(w.dir().resolve(".git"));
        Files.createSymbolicLink(w.dir().resolve(".git"), target);

        assertThat(GitWorktrees.restoreGitFile(w)).contains("a symbolic link to " + target);
        assertGitsOwn(w);
        assertThat(target).hasContent("the user's file");

        // to a FIFO, and to a directory: neither opened nor followed
        Path fifo = tmp.resolve("fifo");
        mkfifo(fifo);
        Files.delete(w.dir().resolve(".git"));
        Files.createSymbolicLink(w.dir().resolve(".git"), fifo);
        assertThat(GitWorktrees.restoreGitFile(w)).contains("a symbolic link to " + fifo);
        assertGitsOwn(w);
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        Files.writeString(dir.resolve("kept"), "kept\n");
        Files.delete(w.dir().resolve(".git"));
        Files.createSymbolicLink(w.dir().resolve(".git"), dir);
        assertThat(GitWorktrees.restoreGitFile(w)).contains("a symbolic link to " + dir);
        assertGitsOwn(w);
        assertThat(dir.resolve("kept")).hasContent("kept");
    }

    @Test
    void aDirectoryNoOneCanOpenIsReplaced() throws Exception {
        Worktree w = worktree();
        Files.delete(w.dir().resolve(".git"));
        Files.createDirectories(w.dir().resolve(".git/objects/deep"));
        Files.writeString(w.dir().resolve(".git/objects/deep/f"), "f\n");
        Files.setPosixFilePermissions(w.dir().resolve(".git/objects"), java.util.Set.of());
        Files.setPosixFilePermissions(w.dir().resolve(".git"), java.util.Set.of());

        String said = io.swarmflow.files.OrdinaryUser.call(tmp, UnusableDotGitTest.class, "restore", w.repo().toString(),
                w.dir().toString(), w.gitDir().toString(), w.gitFile());

        assertThat(said).isEqualTo("a directory (a repository of the ticket's own)");
        assertGitsContent(w);
    }

    /** chmod 000 .git: an ordinary user cannot read it (root can), and it is replaced all the same, unread. */
    @Test
    void aFileNoOneCanReadIsReplaced() throws Exception {
        Worktree w = worktree();
        Files.writeString(w.dir().resolve(".git"), "gitdir: /elsewhere\n");
        Files.setPosixFilePermissions(w.dir().resolve(".git"), java.util.Set.of());

        String said = io.swarmflow.files.OrdinaryUser.call(tmp, UnusableDotGitTest.class, "restore", w.repo().toString(),
                w.dir().toString(), w.gitDir().toString(), w.gitFile());

        assertThat(said).isEqualTo("a file that cannot be read (mode 000, AccessDeniedException)");
        assertGitsContent(w);
    }

    /** As root, git's own content with mode 000 is read and left as it is. */
    @Test
    void gitsOwnFileWithModeZeroIsGitsOwnToRootAndReplacedForOthers() throws Exception {
        Worktree w = worktree();
        Files.setPosixFilePermissions(w.dir().resolve(".git"), java.util.Set.of());
        Optional<String> said = GitWorktrees.restoreGitFile(w);
        if (io.swarmflow.files.OrdinaryUser.root()) assertThat(said).isEmpty();
        else assertThat(said).contains("a file that cannot be read (mode 000, AccessDeniedException)");
    }

    /** {@link GitWorktrees#restoreGitFile} as a step: what it says was there. */
    static String restore(String... a) throws Exception {
        return GitWorktrees.restoreGitFile(new Worktree(Path.of(a[0]), Path.of(a[1]), "swarm/r/t", null, Path.of(a[2]), null, a[3]))
                .orElse("nothing");
    }
}
