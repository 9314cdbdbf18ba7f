package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's git configuration cannot make Swarmflow miss a ticket's edit of a tracked file: {@code core.checkStat=minimal}
 * with {@code core.trustctime=false} (git compares only the size and the whole second of the modification time) nor
 * {@code core.ignoreStat=true} (the checkout marks every file "assume unchanged"). Swarmflow's git runs in a child JVM
 * whose {@code HOME} holds that configuration (git reads {@code $HOME/.gitconfig}; Swarmflow drops
 * {@code GIT_CONFIG_GLOBAL} with the other {@code GIT_*} variables, so a temporary {@code HOME} stands for it).
 */
class EveryChangeSeenTest {
    @TempDir
    Path tmp;

    /** git with no configuration but the repository's, whatever HOME says. */
    static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** Runs {@code step} of this class in a child JVM with {@code HOME=home}; returns what it returned. */
    private static String withHome(Path home, String step, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), io.swarmflow.files.OrdinaryUser.class.getName(),
                EveryChangeSeenTest.class.getName(), step));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("GIT_"));
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_CONFIG_HOME");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("base.txt"), "x\n");
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "initial");
        return repo;
    }

    private Path home(String config) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.writeString(home.resolve(".gitconfig"), config);
        return home;
    }

    /**
     * A ticket's attempt that rewrites base.txt in place with as many bytes and puts its modification time back. The
     * index first records an old modification time (as for a file checked out a second or more before the checkout
     * ended: not "racily clean", so git trusts its status), and the edit comes in a later second than that record's
     * change time (git compares whole seconds unless built with nanoseconds). Returns what commitAll did.
     */
    static String sameSizeSameTime(String... a) throws Exception {
        Path repo = Path.of(a[0]);
        Worktree w = GitWorktrees.createWorktree(repo, Path.of(a[1]), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Path file = w.dir().resolve("base.txt");
        FileTime old = FileTime.from(Instant.parse("2001-01-01T00:00:00Z"));
        Files.setLastModifiedTime(file, old);
        Process refresh = new ProcessBuilder("git", "-C", w.dir().toString(), "update-index", "-q", "--refresh")
                .redirectErrorStream(true).start();
        refresh.getInputStream().readAllBytes();
        if (refresh.waitFor() != 0) throw new AssertionError("git update-index --refresh failed");
        long recorded = ((FileTime) Files.getAttribute(file, "unix:ctime")).toInstant().getEpochSecond();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (Instant.now().getEpochSecond() <= recorded) { // the clock into the next second
            if (System.nanoTime() > deadline) throw new AssertionError("the clock did not pass second " + recorded);
            Thread.sleep(10);
        }
        Files.writeString(file, "X\n");
        Files.setLastModifiedTime(file, old);
        return GitWorktrees.commitAll(w, "t").isPresent() ? "committed" : "nothing committed";
    }

    /** A ticket's attempt that adds a line to base.txt. Returns what commitAll did. */
    static String addLine(String... a) throws Exception {
        Path repo = Path.of(a[0]);
        Worktree w = GitWorktrees.createWorktree(repo, Path.of(a[1]), "swarm/r/t", GitWorktrees.headCommit(repo).orElseThrow());
        Files.writeString(w.dir().resolve("base.txt"), "x\ny\n");
        return GitWorktrees.commitAll(w, "t").isPresent() ? "committed" : "nothing committed";
    }

    @Test
    void anEditKeepingSizeAndModificationTimeIsCommittedWhateverTheUsersCheckStat() throws Exception {
        Path repo = repo();
        Path home = home("[core]\n\tcheckStat = minimal\n\ttrustctime = false\n");

        String done = withHome(home, "sameSizeSameTime", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(done).isEqualTo("committed");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("X\n");
    }

    @Test
    void anEditIsCommittedWhenTheUserIgnoresStat() throws Exception {
        Path repo = repo();
        Path home = home("[core]\n\tignoreStat = true\n");

        String done = withHome(home, "addLine", repo.toString(), tmp.resolve("state/runs/r/worktrees/t").toString());

        assertThat(done).isEqualTo("committed");
        assertThat(git(repo, "show", "swarm/r/t:base.txt")).isEqualTo("x\ny\n");
    }

    /** The repository's own settings do not turn the checks off either: they are pinned last, over its values. */
    @Test
    void theStatChecksArePinnedOverTheRepositorysOwn() throws Exception {
        Path repo = repo();
        git(repo, "config", "core.checkStat", "minimal");
        git(repo, "config", "core.trustctime", "false");
        git(repo, "config", "core.ignoreStat", "true");

        List<String> options = GitWorktrees.sameOnEveryMachine(repo);

        assertThat(options.subList(options.size() - 6, options.size())).containsExactly("-c", "core.checkStat=default",
                "-c", "core.trustctime=true", "-c", "core.ignoreStat=false");
    }
}
