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
 * checkout, judged by a real repository's {@code HEAD} commit: a file it holds they may only read, or rewrite (a
 * warning); one it does not hold, even when it is on disk, each of them writes, at the same time: {@code swarm validate}
 * and {@code swarm run} refuse the spec, where the file is named; one inside a submodule cannot be told (a warning).
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

    /**
     * A file of the commit they may only read, but without the sandbox nothing keeps them from rewriting it: a warning,
     * not a refusal (review DWG F2).
     */
    @Test
    void aFileOfTheHeadCommitIsWarnedAboutNotRefused() throws Exception {
        Path repo = repo();
        Files.writeString(repo.resolve("VERSION"), "1\n");
        StateDirRefusals.git(repo, "add", "VERSION");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "version");
        Path spec = Files.writeString(repo.resolve("swarm.yaml"), SPEC);

        Said validate = swarm("validate", spec);

        assertThat(validate.code()).as(validate.err()).isZero();
        assertThat(validate.err()).contains(spec + ":7:18: output 'v' of matrix ticket 'm' is the file VERSION in your "
                + "checkout", "(unless they only read it as the repository's HEAD commit has it: without the sandbox nothing "
                + "keeps them from rewriting it)");
        assertThat(validate.out()).contains("ok: swarm 'swarm', 2 tickets");
    }

    /**
     * A file inside a submodule: git's tree of HEAD holds only a link to the submodule's commit, so whether the file is
     * committed cannot be told from it: a warning, not a refusal of a spec that may be valid (review DWG F3).
     */
    @Test
    void aFileInsideASubmoduleIsWarnedAboutNotRefused() throws Exception {
        Path sub = Files.createDirectories(tmp.resolve("sub"));
        StateDirRefusals.git(sub, "init", "-q");
        Files.writeString(sub.resolve("VERSION"), "1\n");
        StateDirRefusals.git(sub, "add", "VERSION");
        StateDirRefusals.git(sub, "commit", "-q", "-m", "sub");
        Path repo = repo();
        StateDirRefusals.git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.toUri().toString(), "vendor");
        StateDirRefusals.git(repo, "commit", "-q", "-m", "submodule");
        Path spec = Files.writeString(repo.resolve("swarm.yaml"), SPEC.replace("VERSION", "vendor/VERSION"));

        Said validate = swarm("validate", spec);

        assertThat(validate.code()).as(validate.err()).isZero();
        assertThat(validate.err()).contains("output 'v' of matrix ticket 'm' is the file vendor/VERSION in your checkout",
                "(unless they only read it as the repository has it)");
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
                    + "worktree, which gives each expansion its own directory, or use a {json: key} output, or, when a "
                    + "ticket they need writes it for them to read, name the file in that ticket's outputs too");
        }
        assertThat(tmp.resolve("state/runs")).as("no run was created").doesNotExist();
    }
}
