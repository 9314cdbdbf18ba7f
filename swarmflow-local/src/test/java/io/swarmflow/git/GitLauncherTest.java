package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * git runs through {@link GitWorktrees#LAUNCHER}, a shell that adds 022 to the umask: a stricter umask stays as it is,
 * and a git that cannot be started is reported as before, as not installed. The umask and {@code PATH} are the
 * process's, so {@link GitWorktrees} runs in a child JVM ({@link #main}).
 */
class GitLauncherTest {
    @TempDir
    Path tmp;

    @Test
    void aStricterUmaskIsKept() throws Exception {
        Path repo = Files.createDirectory(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "initial");

        assertThat(child("077", Map.of(), "worktree", repo.toString(), tmp.resolve("wt").toString())).isEqualTo("");

        for (Path p : List.of(repo.resolve(".git/worktrees"), repo.resolve(".git/worktrees/wt"), tmp.resolve("wt"))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as("%s", p).isEqualTo("rwx------");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(repo.resolve(".git/worktrees/wt/HEAD"))))
                .isEqualTo("rw-------");
    }

    @Test
    void aGitThatIsNotOnThePathIsReportedAsNotInstalled() throws Exception {
        String said = child("022", Map.of("PATH", tmp.resolve("empty").toString()), "look", tmp.toString());

        assertThat(said).startsWith("cannot run git rev-parse: swarmflow-git: ")
                .endsWith("git: not found; is git installed? (the command: git rev-parse --is-inside-work-tree (in " + tmp + "))\n");
    }

    /** Runs {@link #main} with {@code args} in a child JVM under {@code umask}, {@code env} added; returns what it printed. */
    private static String child(String umask, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", "umask " + umask + "; exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                GitLauncherTest.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /**
     * The child JVM: {@code worktree REPO DIR} creates a worktree of {@code REPO} at {@code DIR} from its {@code HEAD};
     * {@code look DIR} prints why {@code DIR} is not a repository.
     */
    public static void main(String[] a) throws Exception {
        switch (a[0]) {
            case "worktree" -> GitWorktrees.createWorktree(Path.of(a[1]), Path.of(a[2]), "swarm/r/t");
            case "look" -> System.out.println(GitWorktrees.notRepository(Path.of(a[1])).orElse("a repository"));
            default -> throw new IllegalArgumentException(a[0]);
        }
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", cmd, out).isZero();
    }
}
