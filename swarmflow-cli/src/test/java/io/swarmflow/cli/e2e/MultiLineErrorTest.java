package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An error that lists what it concerns (the worktrees {@code swarm clean} would delete) prints one item per line; a
 * line break in a quoted argument is still shown escaped.
 */
class MultiLineErrorTest {
    @TempDir
    Path tmp;

    @Test
    void cleanListsTheDirtyWorktreesOnLinesOfTheirOwn() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: fix
                    workspace: worktree
                    run: echo fixed > fixed.txt
                """);
        Result ran = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        Matcher m = Pattern.compile("(?m)^run (\\S+): ").matcher(ran.out());
        assertThat(m.find()).as("%s", ran).isTrue();
        String run = m.group(1);
        Path worktree = state.resolve("runs").resolve(run).resolve("worktrees").resolve("fix");
        Cli.write(worktree.resolve("notes.txt"), "new\n");

        Result refused = swarm("clean", run, "--state-dir", state.toString());

        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).as("%s", refused)
                .contains("which cleaning would delete:\n  fix: 1 changed path in " + worktree.toRealPath() + "\nlook at them")
                .doesNotContain("\\n");
        assertThat(worktree.resolve("notes.txt")).exists();

        Result odd = swarm("logs", run, "a\nb", "--state-dir", state.toString());
        assertThat(odd.code()).as("%s", odd).isEqualTo(2);
        assertThat(odd.err()).as("a quoted argument stays on one line").contains("no ticket 'a\\nb'");
    }
}
