package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading {@code branch}, {@code commit} or {@code diffstat} of a ticket that is not in a worktree: the workspace is
 * what is wrong, so the error says so rather than "declare it under outputs:".
 */
class WorktreeOnlyOutputsTest {
    @TempDir
    Path dir;

    @Test
    void aWorktreeOutputOfATicketInAnotherWorkspaceNamesItsWorkspace() throws Exception {
        SpecFiles.gitInit(dir);
        assertThat(errors(dir, """
                tickets:
                  - id: plain
                    run: "true"
                  - id: m
                    workspace: run
                    matrix: {os: [linux]}
                    run: "true"
                    outputs: {commit: {json: c}}
                  - id: b
                    needs: [plain, m]
                    env:
                      B: "${{ tickets.plain.outputs.branch }}"
                      D: "${{ tickets.m-linux.outputs.diffstat }}"
                      C: "${{ tickets.m-linux.outputs.commit }}"
                      X: "${{ tickets.plain.outputs.bran }}"
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:12:11: 'branch' is set only for workspace: worktree tickets; plain runs in workspace repo; "
                        + "set workspace: worktree on plain to read its branch",
                "swarm.yaml:13:11: 'diffstat' is set only for workspace: worktree tickets; m-linux runs in workspace run; "
                        + "set workspace: worktree on m to read its diffstat",
                "swarm.yaml:15:11: ticket 'plain' has no output 'bran'; declare it under outputs: of plain");
    }
}
