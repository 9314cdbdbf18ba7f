package io.swarmflow.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every git command Swarmflow runs ends at its deadline, also one that blocks before it prints anything: reading its
 * stdout first (review HINT's finding) made the deadline start only once git had ended, so a FIFO the configuration
 * includes hung {@code swarm status} and worktree commits for good.
 */
class GitDeadlineTest {
    @TempDir
    Path tmp;

    @Test
    void aGitBlockedOnAFifoItsConfigurationIncludesFailsAtTheDeadline() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        Path fifo = tmp.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        Files.writeString(repo.resolve(".git/config"), "[include]\n\tpath = " + fifo + "\n", StandardOpenOption.APPEND);
        long before = GitWorktrees.timeoutMillis;
        GitWorktrees.timeoutMillis = 500;
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> GitWorktrees.topLevel(repo))
                    .isInstanceOf(GitException.class).hasMessageContaining("did not finish within 500 ms"));
        } finally {
            GitWorktrees.timeoutMillis = before;
            // a git still waiting to open the FIFO (a failed run of this test) opens it, reads its end and ends
            try (RandomAccessFile open = new RandomAccessFile(fifo.toFile(), "rw")) {
                assertThat(open.getFD().valid()).isTrue();
            }
        }
    }
}
