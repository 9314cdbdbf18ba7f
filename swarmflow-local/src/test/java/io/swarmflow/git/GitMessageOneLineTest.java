package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Review RCLI LOW-4: git's message for a repository of another owner is several lines (a blank one, then an indented
 * command), and the error it went into was printed with its line breaks and tab escaped ({@code \n\n\tgit config ...}).
 * Git's stderr is now one line in the message. The text is what git 2.39 writes for such a repository.
 */
class GitMessageOneLineTest {
    @Test
    void gitsLinesAreJoinedAndTheCommandAfterACallColonFollowsIt() {
        String dubious = "fatal: detected dubious ownership in repository at '/tmp/r/repo'\n"
                + "To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory /tmp/r/repo\n";
        assertThat(GitWorktrees.oneLine(dubious)).isEqualTo("fatal: detected dubious ownership in repository at '/tmp/r/repo'; "
                + "To add an exception for this directory, call: git config --global --add safe.directory /tmp/r/repo");
        assertThat(GitWorktrees.oneLine("fatal: not a git repository: /x\r\n")).isEqualTo("fatal: not a git repository: /x");
        assertThat(GitWorktrees.oneLine("  \n")).isEmpty();
    }
}
