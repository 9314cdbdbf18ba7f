package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.git.GitWorktrees;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A ticket that makes its worktree's {@code .git} unusable (sandbox off): the attempt's outcome is the script's, its work
 * is committed, git's own {@code .git} is back, nothing was written through a link, and the warning says what was there.
 */
@Timeout(300) // a restore that opened the FIFO would wait for a writer for ever: fail instead of hanging the build
class UnusableDotGitTicketTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "chmod 000 .git|",
            "rm .git && mkdir -p .git/objects && echo x > .git/objects/f && chmod 000 .git/objects .git|a directory (a repository of the ticket's own)",
            "rm .git && mkfifo .git|a special file (a FIFO, a socket or a device)",
            "rm .git && ln -s \"$TARGET\" .git|a symbolic link to ",
            "rm .git && mkfifo \"$SWARM_SCRATCH/fifo\" && ln -s \"$SWARM_SCRATCH/fifo\" .git|a symbolic link to "})
    void theOutcomeIsTheTicketsAndTheWarningSaysWhatWasThere(String unusable, String found) throws Exception {
        Path target = Files.writeString(tmp.resolve("target"), "the user's file\n");
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.shell(SandboxPolicy.OFF), Fixture.ticket("t", "TARGET='" + target + "'; "
                    + unusable + " && echo work > w.txt").workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.git("show", "swarm/r1/t:w.txt")).isEqualTo("work");
            Path worktree = f.runDir.resolve("worktrees/t");
            assertThat(GitWorktrees.dotGitIsGitsOwn(f.repo, worktree)).isTrue();
            assertThat(target).hasContent("the user's file");
            if (found == null && io.swarmflow.files.OrdinaryUser.root()) {
                // root reads git's own content whatever the mode: nothing to replace
                assertThat(f.warnings).noneMatch(w -> w.contains(".git"));
            } else {
                String words = found != null ? found : "a file that cannot be read (mode 000";
                assertThat(f.warnings).anyMatch(w -> w.startsWith("ticket t: the ticket left its worktree's .git as " + words));
            }
        }
    }
}
