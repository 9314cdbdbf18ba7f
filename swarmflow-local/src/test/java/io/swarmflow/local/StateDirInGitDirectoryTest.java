package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SandboxPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory that is a repository's git directory or lies inside it ({@code --state-dir .git}, {@code .git/refs},
 * a linked worktree's or a separate git directory) is refused before anything is created (review-A F2): swarm.db and
 * runs/ there were taken for git's own files, and every later run in the repository was refused.
 */
class StateDirInGitDirectoryTest {
    @TempDir
    Path tmp;

    private static List<String> preflight(Fixture f, Path stateDir, Plan plan) {
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(stateDir, f.warnings::add)
                .withoutBubblewrap("disabled by the test"))) {
            return executor.preflight(plan);
        }
    }

    @Test
    void aStateDirectoryInTheRepositorysGitDirectoryIsRefusedAndNothingIsCreated() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile shell = Fixture.shell(SandboxPolicy.BEST_EFFORT);
            Plan plan = f.plan(shell, Fixture.ticket("a", "true").build());
            Path gitDir = f.repo.resolve(".git").toRealPath();

            assertThat(preflight(f, f.repo.resolve(".git"), plan)).singleElement().asString()
                    .startsWith("the state directory " + f.repo.resolve(".git") + " is the git directory " + gitDir
                            + " of a repository, where git keeps its history and refs")
                    .contains("keep the state in .swarm inside the repository");
            assertThat(preflight(f, f.repo.resolve(".git/refs"), plan)).singleElement().asString()
                    .startsWith("the state directory " + f.repo.resolve(".git/refs") + " is inside the git directory " + gitDir);
            assertThat(preflight(f, f.repo.resolve(".git/st/deeper"), plan)).singleElement().asString()
                    .startsWith("the state directory " + f.repo.resolve(".git/st/deeper") + " is inside the git directory " + gitDir);
            Path link = Files.createSymbolicLink(tmp.resolve("link"), f.repo.resolve(".git/refs"));
            assertThat(preflight(f, link.resolve("st"), plan)).as("a link into the git directory").hasSize(1);
            // a plan without a repository, or without shell tickets, is refused all the same
            Plan noop = new Plan("test", "", 4, java.util.Map.of(), null, tmp.toString(),
                    java.util.Map.of("noop", Fixture.profile("noop", SandboxPolicy.BEST_EFFORT, io.swarmflow.spec.ResourceLimits.DEFAULTS, 0)),
                    List.of(Fixture.ticket("n", "").agent("noop").build()), "digest");
            assertThat(preflight(f, f.repo.resolve(".git"), noop)).hasSize(1);
            assertThat(f.repo.resolve(".git/st")).doesNotExist();
            assertThat(f.repo.resolve(".git/swarm.db")).doesNotExist();

            assertThat(preflight(f, f.repo.resolve(".swarm"), plan)).isEmpty();
            assertThat(preflight(f, tmp.resolve("elsewhere/state"), plan)).isEmpty();
            assertThat(preflight(f, f.repo.resolve(".gitstate"), plan)).isEmpty();
        }
    }

    /** A linked worktree's git directory lies in the main one's; a separate git directory is found by its files. */
    @Test
    void linkedWorktreesAndSeparateGitDirectoriesAreFoundToo() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), Fixture.ticket("a", "true").build());
            f.git("worktree", "add", "-q", tmp.resolve("wt").toString());
            Path worktreeGitDir = f.repo.resolve(".git/worktrees/wt");
            assertThat(preflight(f, worktreeGitDir.resolve("st"), plan)).singleElement().asString()
                    .contains("is inside the git directory " + worktreeGitDir.toRealPath());
            assertThat(preflight(f, tmp.resolve("wt/.swarm"), plan)).isEmpty();

            Process p = new ProcessBuilder("git", "init", "-q", "--separate-git-dir", tmp.resolve("sep.git").toString(),
                    tmp.resolve("other").toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            assertThat(preflight(f, tmp.resolve("sep.git"), plan)).singleElement().asString()
                    .contains("is the git directory " + tmp.resolve("sep.git").toRealPath());
            assertThat(preflight(f, tmp.resolve("other/.swarm"), plan)).isEmpty();
        }
    }
}
