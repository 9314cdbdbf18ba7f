package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The expansions of a matrix ticket in {@code workspace: repo} with {@code sandbox: off} naming one output file in the
 * checkout, judged by a real repository's {@code HEAD} commit: a file it holds they only read (no warning); one it does
 * not hold, even when it is on disk, each of them writes, at the same time: {@code swarm validate} and {@code swarm run}
 * refuse the spec, where the file is named.
 */
class MatrixOutputInTheCheckoutTest {
    @TempDir
    Path tmp;

    private static final String SPEC = """
            agents: {loose: {kind: shell, sandbox: "off"}}
            tickets:
              - id: m
                agent: loose
                matrix: {os: [linux, mac]}
                run: cat VERSION
                outputs: {v: VERSION}
            """;

    private record Said(int code, String out, String err) {}

    private Said swarm(String command, Path spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[] {command, spec.toString(), "--state-dir", tmp.resolve("state").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Said(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path repo() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        StateDirRefusals.git(repo, "init", "-q");
        Files.writeString(repo.resolve("README"), "r\n");
        StateDirRefusals.git(repo, "add", "README");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "one");
        return repo;
    }

    @Test
    void aFileOfTheHeadCommitIsNeitherRefusedNorWarnedAbout() throws Exception {
        Path repo = repo();
        Files.writeString(repo.resolve("VERSION"), "1\n");
        StateDirRefusals.git(repo, "add", "VERSION");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "version");
        Path spec = Files.writeString(repo.resolve("swarm.yaml"), SPEC);

        Said validate = swarm("validate", spec);

        assertThat(validate.code()).as(validate.err()).isZero();
        assertThat(validate.err()).doesNotContain("warning", "VERSION");
        assertThat(validate.out()).contains("ok: swarm 'swarm', 2 tickets");
    }

    @Test
    void aFileNotInTheHeadCommitIsRefusedByValidateAndRunThoughItIsOnDisk() throws Exception {
        Path repo = repo();
        Files.writeString(repo.resolve("VERSION"), "1\n"); // in the checkout, staged, not committed
        StateDirRefusals.git(repo, "add", "VERSION");
        Path spec = Files.writeString(repo.resolve("swarm.yaml"), SPEC);

        for (String command : new String[] {"validate", "run"}) {
            Said said = swarm(command, spec);
            assertThat(said.code()).as(command + ": " + said.err()).isEqualTo(2);
            assertThat(said.err()).as(command).contains(spec + ":7:18: output 'v' of matrix ticket 'm' is the file VERSION in "
                    + "your checkout (workspace: repo, sandbox: off) for each of its expansions m-linux, m-mac, which may run "
                    + "at the same time and overwrite each other's file: a ticket reading the output of one would get "
                    + "whichever was written last; VERSION is not a file of the repository's HEAD commit, so each expansion "
                    + "writes it; name the file by the matrix value: v: \"VERSION-${{ matrix.os }}\", or set workspace: "
                    + "worktree, which gives each expansion its own directory, or use a {json: key} output");
        }
        assertThat(tmp.resolve("state/runs")).as("no run was created").doesNotExist();
    }
}
