package io.swarmflow.git;

import io.swarmflow.files.OrdinaryUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static io.swarmflow.git.NestedRepositoryTest.git;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Review D2 F2-F5 through {@link GitWorktrees}: a worktree's {@code .git} and its record are read with one non-blocking,
 * read-only open. A FIFO the ticket's leftover process swaps in and then makes its directory unwritable is refused
 * without blocking (the reader it replaced opened it plainly there, and hung), also as an ordinary user (CI runs both);
 * git's own {@code .git} made read-only ({@code chmod 444}) is still git's own to an ordinary user (it was reported as
 * unreadable and rewritten); a device swapped in is not read; a read lease on it is not broken (an open for writing
 * waited up to 45 s on it). Each call runs under {@code assertTimeoutPreemptively}: the bound only ends a hang.
 */
class DotGitReadNeverBlocksTest {
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @AfterEach
    void noHooks() {
        GitWorktrees.betweenCheckAndRead = () -> {};
    }

    /**
     * Where the records cannot be read without the risk of blocking, uncommitted() (swarm clean's check) fails saying why,
     * rather than count no worktree as holding work and let swarm clean remove it: in a JVM where JNA's native library
     * cannot be loaded (its system properties keep it from unpacking or finding one), with the real reader. Review D5 #1
     * (the reader failing at run time with JNA loaded, no readable {@code /proc/self/fd}) ends in the same
     * {@code UnavailableException}, caught at the same place.
     */
    @Test
    void withoutTheNonBlockingReadUncommittedWorkIsNotReportedAsNone() throws Exception {
        Worktree w = worktree();
        Files.writeString(w.dir().resolve("a.txt"), "changed\n");
        assertThat(GitWorktrees.uncommitted(w.repo(), tmp.resolve("state/runs/r"))).hasSize(1);

        String said = withoutJna("uncommittedOrWhyNot", w.repo().toString(), tmp.resolve("state/runs/r").toString());

        assertThat(said).startsWith("cannot tell which worktrees of " + tmp.resolve("state/runs/r") + " hold uncommitted work: "
                + "git's record ").contains("cannot be read here without the risk of blocking on a FIFO",
                "JNA's native library could not be loaded");
    }

    /** Step: what uncommitted() says, in a JVM that must not have loaded JNA's native library. */
    static String uncommittedOrWhyNot(String... a) throws Exception {
        if (io.swarmflow.files.NonBlockingRead.available()) return "JNA was loaded: the test's JVM options did not keep it out";
        try {
            return "no failure: " + GitWorktrees.uncommitted(Path.of(a[0]), Path.of(a[1]));
        } catch (GitException e) {
            return e.getMessage();
        }
    }

    /** Runs {@code step} of this class in a child JVM where JNA's native library cannot be loaded; returns what it returned. */
    private static String withoutJna(String step, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djna.nounpack=true", "-Djna.nosys=true",
                "-Djna.noclasspath=true", "-Djna.boot.library.path=/nonexistent", "-cp", System.getProperty("java.class.path"),
                OrdinaryUser.class.getName(), DotGitReadNeverBlocksTest.class.getName(), step));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private Worktree worktree() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "a\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return GitWorktrees.createWorktree(repo, tmp.resolve("state/runs/r/worktrees/t"), "swarm/r/t",
                GitWorktrees.headCommit(repo).orElseThrow());
    }

    private static void run(String... cmd) {
        try {
            assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).as(String.join(" ", cmd)).isZero();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Step: a FIFO in place of {@code .git} after its check, then its directory made unwritable; says whether .git is git's own. */
    static String fifoInAnUnwritableDirectory(String... a) {
        Path dir = Path.of(a[1]);
        GitWorktrees.betweenCheckAndRead = () -> {
            try {
                Files.delete(dir.resolve(".git"));
                run("mkfifo", dir.resolve(".git").toString());
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        };
        try {
            return String.valueOf(assertTimeoutPreemptively(HANG, () -> GitWorktrees.dotGitIsGitsOwn(Path.of(a[0]), dir)));
        } finally {
            GitWorktrees.betweenCheckAndRead = () -> {};
        }
    }

    @Test
    void aFifoSwappedInWhoseDirectoryIsThenMadeUnwritableIsNotWaitedOn() throws Exception {
        Worktree w = worktree();

        assertThat(OrdinaryUser.call(tmp, DotGitReadNeverBlocksTest.class, "fifoInAnUnwritableDirectory", w.repo().toString(),
                w.dir().toString())).isEqualTo("false");
    }

    /**
     * Step: whether .git is git's own, what restoring it says was there, and which worktrees of the run hold uncommitted
     * work ({@code swarm clean} keeps those).
     */
    static String ownAndRestored(String... a) throws Exception {
        Worktree w = new Worktree(Path.of(a[0]), Path.of(a[1]), "swarm/r/t", null, Path.of(a[2]), null, a[3]);
        return GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir()) + " " + GitWorktrees.restoreGitFile(w).orElse("nothing") + " "
                + GitWorktrees.uncommitted(w.repo(), Path.of(a[4])).keySet().stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void gitsOwnDotGitMadeReadOnlyIsStillGitsOwn() throws Exception {
        Worktree w = worktree();
        Files.setPosixFilePermissions(w.dir().resolve(".git"), PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(w.gitDir().resolve("gitdir"), PosixFilePermissions.fromString("r--r--r--"));
        Files.writeString(w.dir().resolve("a.txt"), "changed\n");
        String runDir = tmp.resolve("state/runs/r").toString();

        assertThat(ownAndRestored(w.repo().toString(), w.dir().toString(), w.gitDir().toString(), w.gitFile(), runDir))
                .isEqualTo("true nothing [t]");
        assertThat(OrdinaryUser.call(tmp, DotGitReadNeverBlocksTest.class, "ownAndRestored", w.repo().toString(), w.dir().toString(),
                w.gitDir().toString(), w.gitFile(), runDir)).isEqualTo("true nothing [t]");
    }

    /** A device (made as root: only root can) swapped in after the check is not read as git's file. */
    @Test
    void aDeviceSwappedInIsNotRead() throws Exception {
        Worktree w = worktree();
        Path file = w.dir().resolve(".git");
        Files.writeString(file, "gitdir: /elsewhere\n");
        if (!OrdinaryUser.root()) {
            // no device can be made: /dev/null named through a link is refused as a link instead
            assertThat(GitWorktrees.restoreGitFile(w)).hasValueSatisfying(s -> assertThat(s).startsWith("a file saying gitdir: /elsewhere"));
            return;
        }
        GitWorktrees.betweenCheckAndRead = () -> {
            try {
                Files.delete(file);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            run("mknod", "-m", "0666", file.toString(), "c", "1", "3"); // /dev/null's numbers
        };

        var said = assertTimeoutPreemptively(HANG, () -> GitWorktrees.restoreGitFile(w));

        assertThat(said).hasValueSatisfying(s -> assertThat(s).startsWith("a file replaced while it was read"));
        GitWorktrees.betweenCheckAndRead = () -> {};
        assertThat(GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir())).isTrue();
    }

    /** Needs python3 for fcntl(F_SETLEASE); skipped without it. */
    @Test
    void aReadLeaseOnDotGitIsNotBroken() throws Exception {
        Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v python3").start().waitFor() == 0, "python3 is needed to take a lease");
        Worktree w = worktree();
        Path file = w.dir().resolve(".git");
        String script = String.join("\n",
                "import fcntl, os, signal, sys",
                "broken = []",
                "signal.signal(signal.SIGIO, lambda *a: broken.append(1))",
                "fd = os.open(sys.argv[1], os.O_RDONLY)",
                "fcntl.fcntl(fd, 1024, fcntl.F_RDLCK)",
                "print('ready', flush=True)",
                "sys.stdin.readline()",
                "print('broken' if broken or fcntl.fcntl(fd, 1025) != fcntl.F_RDLCK else 'intact', flush=True)");
        Process holder = new ProcessBuilder("python3", "-c", script, file.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("ready");

            assertThat(assertTimeoutPreemptively(HANG, () -> GitWorktrees.dotGitIsGitsOwn(w.repo(), w.dir()))).isTrue();

            holder.getOutputStream().write('\n');
            holder.getOutputStream().flush();
            assertThat(out.readLine()).as("the lease after the read").isEqualTo("intact");
        } finally {
            holder.destroyForcibly();
            holder.waitFor();
        }
    }
}
