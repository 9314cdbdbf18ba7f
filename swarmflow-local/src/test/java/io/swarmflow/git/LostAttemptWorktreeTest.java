package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.swarmflow.git.NestedRepositoryTest.git;
import static io.swarmflow.git.NestedRepositoryTest.hostile;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worktrees of attempts whose coordinator was killed (kill -9) while their ticket had replaced the worktree's
 * {@code .git}: nothing restored it then, and the worktree stays locked. A resume restores it; {@code swarm clean}
 * removes the worktree and its record whatever is there, and neither runs git in what the ticket left.
 */
class LostAttemptWorktreeTest {
    @TempDir
    Path tmp;

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return repo;
    }

    /** A repository of the ticket's, in the run's scratch, whose configuration writes markers. */
    private Path hostileRepository(Path runDir, Path markers) throws Exception {
        Path other = Files.createDirectories(runDir.resolve("scratch/other"));
        git(other, "init", "-q");
        hostile(other.resolve(".git"), other, markers, "other");
        return other;
    }

    private static List<String> markers(Path markers) throws Exception {
        try (var s = Files.list(markers)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aResumeMakesEveryWorktreesDotGitGitsOwnAgain() throws Exception {
        Path repo = repo();
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path runDir = tmp.resolve("state/runs/r");
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        Path other = hostileRepository(runDir, markers);
        Worktree pointed = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/pointed"), "swarm/r/pointed", base);
        Worktree deleted = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/deleted"), "swarm/r/deleted", base);
        Worktree directory = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/directory"), "swarm/r/directory", base);
        Worktree untouched = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/untouched"), "swarm/r/untouched", base);
        Worktree otherRun = GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r2/worktrees/t"), "swarm/r2/t", base);
        Files.writeString(pointed.dir().resolve(".git"), "gitdir: " + other.resolve(".git") + "\n");
        Files.delete(deleted.dir().resolve(".git"));
        Files.delete(directory.dir().resolve(".git"));
        git(directory.dir(), "init", "-q");
        hostile(directory.dir().resolve(".git"), directory.dir(), markers, "directory");
        Files.writeString(otherRun.dir().resolve(".git"), "gitdir: " + other.resolve(".git") + "\n");

        Map<Path, String> restored = GitWorktrees.restoreGitFiles(repo, runDir);

        assertThat(restored).containsOnlyKeys(pointed.dir(), deleted.dir(), directory.dir());
        assertThat(restored.get(pointed.dir())).isEqualTo("a file saying gitdir: " + other.resolve(".git"));
        assertThat(restored.get(deleted.dir())).isEqualTo("deleted");
        assertThat(restored.get(directory.dir())).startsWith("a directory");
        for (Worktree w : List.of(pointed, deleted, directory, untouched)) {
            assertThat(w.dir().resolve(".git")).as("%s", w.dir()).hasContent(w.gitFile().strip());
            assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("%s", w.dir()).isTrue();
        }
        assertThat(otherRun.dir().resolve(".git")).as("another run's worktree is not this run's to change")
                .hasContent("gitdir: " + other.resolve(".git"));
        assertThat(GitWorktrees.restoreGitFiles(repo, runDir)).as("nothing left to do").isEmpty();
        // git run there by the user now reads the worktree's records
        git(pointed.dir(), "status", "--short");
        git(directory.dir(), "status", "--short");
        assertThat(markers(markers)).isEmpty();
    }

    /**
     * git's records of other worktrees (the user's own, of a directory named in Latin-1; one whose path this JVM cannot
     * map) are not this run's: each is skipped on its own, and every worktree of the run is restored all the same.
     */
    @Test
    void aRecordThatCannotBeReadOrMappedStopsNoOtherRestore() throws Exception {
        Path repo = repo();
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path runDir = tmp.resolve("state/runs/r");
        Worktree deleted = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/deleted"), "swarm/r/deleted", base);
        Worktree emptied = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/emptied"), "swarm/r/emptied", base);
        Files.delete(deleted.dir().resolve(".git"));
        Files.writeString(emptied.dir().resolve(".git"), "");
        Path records = repo.resolve(".git/worktrees");
        // not UTF-8: a user's worktree of a directory named in Latin-1 ("café"); both sort before this run's records
        Path latin1 = Files.createDirectories(records.resolve("a-latin1"));
        byte[] name = (tmp + "/caf\u00e9/.git\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(latin1.resolve("gitdir"), name);
        // a path no JVM maps (a NUL in it), as a non-ASCII one is in the C locale; even one that reads as the run's
        Path unmappable = Files.createDirectories(records.resolve("b-unmappable"));
        Files.writeString(unmappable.resolve("gitdir"), runDir.resolve("worktrees") + "/x\u0000y/.git\n");
        Path elsewhere = Files.createDirectories(records.resolve("c-unmappable"));
        Files.writeString(elsewhere.resolve("gitdir"), tmp + "/x\u0000y/.git\n");

        Map<Path, String> restored = GitWorktrees.restoreGitFiles(repo, runDir);

        assertThat(restored).containsOnlyKeys(deleted.dir(), emptied.dir());
        assertThat(restored.get(deleted.dir())).isEqualTo("deleted");
        assertThat(restored.get(emptied.dir())).isEqualTo("an empty file");
        for (Worktree w : List.of(deleted, emptied)) {
            assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("%s", w.dir()).isTrue();
        }
        assertThat(GitWorktrees.uncommitted(repo, runDir)).as("the same records skipped there").isEmpty();
    }

    /**
     * git 2.48+ with {@code worktree.useRelativePaths} writes both links relative (the worktree's {@code .git} to the
     * worktree, the record's {@code gitdir} to the record): that is git's own, not restored.
     */
    @Test
    void relativeLinksAsGitWritesThemAreGitsOwn() throws Exception {
        Path repo = repo();
        Path runDir = tmp.resolve("state/runs/r");
        Worktree w = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
        Path record = Path.of(Files.readString(w.dir().resolve(".git")).substring("gitdir: ".length()).strip());
        Path dir = w.dir().toRealPath();
        Files.writeString(w.dir().resolve(".git"), "gitdir: " + dir.relativize(record.toRealPath()) + "\n");
        Files.writeString(record.resolve("gitdir"), record.toRealPath().relativize(dir.resolve(".git")) + "\n");
        assertThat(Files.readString(w.dir().resolve(".git"))).startsWith("gitdir: ../");

        assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).isTrue();
        assertThat(GitWorktrees.restoreGitFiles(repo, runDir)).as("nothing to restore").isEmpty();
        git(w.dir(), "status", "--short"); // git reads them so too
    }

    /**
     * A worktree whose record is relative (git 2.48+ with {@code worktree.useRelativePaths}) gets its {@code .git} back
     * relative too, as git writes the pair: an absolute one would break when the repository and its run are moved together.
     * An absolute record still gets an absolute {@code .git}.
     */
    @Test
    void aRestoredDotGitKeepsTheFormOfItsRecord() throws Exception {
        Path repo = repo();
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path runDir = tmp.resolve("state/runs/r");
        Worktree relative = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/relative"), "swarm/r/relative", base);
        Worktree absolute = GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/absolute"), "swarm/r/absolute", base);
        Path record = relative.gitDir().toRealPath();
        Path dir = relative.dir().toRealPath();
        Files.writeString(record.resolve("gitdir"), record.relativize(dir.resolve(".git")) + "\n");
        Files.delete(relative.dir().resolve(".git"));
        Files.delete(absolute.dir().resolve(".git"));

        Map<Path, String> restored = GitWorktrees.restoreGitFiles(repo, runDir);

        assertThat(restored).containsOnlyKeys(relative.dir(), absolute.dir());
        assertThat(relative.dir().resolve(".git")).hasContent("gitdir: " + dir.relativize(record));
        assertThat(Files.readString(relative.dir().resolve(".git"))).startsWith("gitdir: ../");
        assertThat(absolute.dir().resolve(".git")).hasContent(absolute.gitFile().strip());
        assertThat(absolute.gitFile()).startsWith("gitdir: /");
        for (Worktree w : List.of(relative, absolute)) {
            assertThat(GitWorktrees.dotGitIsGitsOwn(repo, w.dir())).as("%s", w.dir()).isTrue();
            git(w.dir(), "status", "--short"); // git reads it so too
        }
    }

    @Test
    void swarmCleanRemovesALockedWorktreeAndItsRecordWhateverItsDotGitIs() throws Exception {
        Path repo = repo();
        String base = GitWorktrees.headCommit(repo).orElseThrow();
        Path runDir = tmp.resolve("state/runs/r");
        Path markers = Files.createDirectories(tmp.resolve("markers"));
        Path other = hostileRepository(runDir, markers);
        Map<String, Worktree> shapes = new java.util.TreeMap<>();
        for (String shape : List.of("pointed", "directory", "fifo", "link", "unreadable")) {
            shapes.put(shape, GitWorktrees.createWorktree(repo, runDir.resolve("worktrees/" + shape), "swarm/r/" + shape, base));
        }
        Files.writeString(shapes.get("pointed").dir().resolve(".git"), "gitdir: " + other.resolve(".git") + "\n");
        Path dir = shapes.get("directory").dir();
        Files.delete(dir.resolve(".git"));
        git(dir, "init", "-q");
        hostile(dir.resolve(".git"), dir, markers, "directory");
        Files.delete(shapes.get("fifo").dir().resolve(".git"));
        new ProcessBuilder("mkfifo", shapes.get("fifo").dir().resolve(".git").toString()).start().waitFor();
        Files.delete(shapes.get("link").dir().resolve(".git"));
        Files.createSymbolicLink(shapes.get("link").dir().resolve(".git"), other.resolve(".git"));
        Files.setPosixFilePermissions(shapes.get("unreadable").dir().resolve(".git"), java.util.Set.of());
        // the coordinator was killed: the worktrees stay locked

        GitWorktrees.pruneStale(repo, runDir);

        assertThat(runDir.resolve("worktrees")).doesNotExist();
        ProcessBuilder list = new ProcessBuilder("git", "-C", repo.toString(), "worktree", "list", "--porcelain");
        String records = new String(list.start().getInputStream().readAllBytes());
        assertThat(records).doesNotContain(runDir.toString());
        for (String shape : shapes.keySet()) GitWorktrees.deleteBranch(repo, "swarm/r/" + shape); // no longer checked out
        assertThat(other.resolve(".git")).isDirectory();
        assertThat(markers(markers)).isEmpty();
    }
}
