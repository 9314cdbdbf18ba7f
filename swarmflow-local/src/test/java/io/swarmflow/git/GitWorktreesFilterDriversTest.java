package io.swarmflow.git;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link GitWorktrees#filterDrivers}, the one listing of the filter drivers for Swarmflow's own commits and for the
 * {@code git status} that {@code swarm status RUN TICKET} suggests: every driver git would run ({@code [filter ""]}
 * too), which of them {@code git -c} cannot name, and a deadline that holds when the configuration blocks git.
 */
class GitWorktreesFilterDriversTest {
    @TempDir
    Path tmp;

    @Test
    void listsEveryDriverAndSaysWhichGitDashCCannotName() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        // [filter ""], a name with '=', one with a dot, one whose byte is not UTF-8, a section written in capitals
        java.io.ByteArrayOutputStream config = new java.io.ByteArrayOutputStream();
        config.writeBytes("""
                [filter ""]
                \tclean = cat
                [filter "a=b"]
                \tclean = cat
                [filter "x.y"]
                \tprocess = cat
                [Filter "Up"]
                \tclean = cat
                [filter \"""".getBytes(StandardCharsets.UTF_8));
        config.write(0xe9);
        config.writeBytes("\"]\n\tclean = cat\n".getBytes(StandardCharsets.UTF_8));
        Files.write(repo.resolve(".git/config"), config.toByteArray(), StandardOpenOption.APPEND);

        List<String> drivers = GitWorktrees.filterDrivers(repo, Duration.ofSeconds(30));

        assertThat(drivers).contains("", "a=b", "x.y", "Up", "\uFFFD");
        assertThat(GitWorktrees.whyFilterDriverCannotBeNamed("")).isEmpty();
        assertThat(GitWorktrees.whyFilterDriverCannotBeNamed("x.y")).isEmpty();
        assertThat(GitWorktrees.whyFilterDriverCannotBeNamed("a=b")).get().asString().contains("'='");
        assertThat(GitWorktrees.whyFilterDriverCannotBeNamed("\uFFFD")).get().asString().contains("not UTF-8");
    }

    /** {@code git config} blocks for good on a FIFO its configuration includes: the listing fails at its deadline. */
    @Test
    void aConfigurationThatIncludesAFifoFailsAtTheDeadline() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        NestedRepositoryTest.git(repo, "init", "-q", "-b", "main");
        Path fifo = tmp.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        Files.writeString(repo.resolve(".git/config"), "[include]\n\tpath = " + fifo + "\n", StandardOpenOption.APPEND);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(
                    () -> GitWorktrees.filterDrivers(repo, Duration.ofMillis(500)))
                    .isInstanceOf(GitException.class).hasMessageContaining("did not finish within 500 ms"));
        } finally {
            // a git still waiting to open the FIFO (a failed run of this test) opens it, reads its end and ends
            try (RandomAccessFile open = new RandomAccessFile(fifo.toFile(), "rw")) {
                assertThat(open.getFD().valid()).isTrue();
            }
        }
    }
}
