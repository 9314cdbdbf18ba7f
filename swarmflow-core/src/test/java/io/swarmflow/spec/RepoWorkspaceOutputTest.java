package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file output of a ticket in workspace: repo (the repository, read-only to the ticket) can only be a file already in the
 * repository: one that is not gets a warning at its line, as the ticket could never write it (unless its profile has
 * sandbox: off, which shows the repository writable).
 */
class RepoWorkspaceOutputTest {
    @TempDir
    Path dir;

    @Test
    void aFileOutputNotInTheRepositoryOfARepoTicketIsWarnedAbout() throws Exception {
        SpecFiles.gitInit(dir);
        Files.writeString(dir.resolve("VERSION"), "1.0\n");
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                agents: {open: {kind: shell, sandbox: "off"}}
                tickets:
                  - id: gen
                    run: mkdir -p out; echo 42 > out/answer.txt
                    outputs: {answer: out/answer.txt, version: VERSION, v: {json: v}}
                  - id: scratch
                    workspace: run
                    run: echo 42 > answer.txt
                    outputs: {answer: answer.txt}
                  - id: unsandboxed
                    agent: open
                    run: echo 42 > answer.txt
                    outputs: {answer: answer.txt}
                  - id: m
                    matrix: {os: [linux, mac]}
                    run: "true"
                    outputs:
                      log: {file: "${{ matrix.os }}.log"}
                """);
        List<String> warnings = new ArrayList<>();
        Plan plan = new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));
        assertThat(plan.tickets()).hasSize(5);
        String repo = dir.toString();
        assertThat(warnings).containsExactly(
                file + ":5:23: output 'answer' of ticket 'gen' is the file out/answer.txt, which is not in the repository "
                        + repo + "; the ticket runs in workspace: repo, the repository read-only in the sandbox, so it cannot write it (without bubblewrap it would write into your checkout); "
                        + "set workspace: run or workspace: worktree on the ticket, or use a {json: key} output",
                // once for the output written in the spec, not once per expansion
                file + ":18:19: output 'log' of ticket 'm' is the file ${{ matrix.os }}.log, in its expansions linux.log, mac.log, "
                        + "which are not in the repository " + repo + "; the ticket runs in workspace: repo, the repository "
                        + "read-only in the sandbox, so it cannot write them (without bubblewrap it would write into your checkout); "
                        + "set workspace: run or workspace: worktree on the ticket, or use a {json: key} output");
    }
}
