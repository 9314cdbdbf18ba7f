package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A noop ticket produces no outputs: declaring some is refused, where the ticket succeeded without them and the tickets
 * reading them got empty strings.
 */
class NoopOutputsTest {
    @TempDir
    Path dir;

    @Test
    void outputsOfANoopTicketAreAnError() throws IOException {
        assertThat(errors(dir, """
                agents:
                  wait: {kind: noop, duration: 10ms}
                tickets:
                  - id: a
                    agent: wait
                    outputs: {version: {json: version}}
                  - id: b
                    needs: [a]
                    run: echo ${{ tickets.a.outputs.version }}
                """)).containsExactly("swarm.yaml:6:15: ticket 'a' declares outputs, but noop agents produce none; "
                + "remove outputs:, or use a shell agent that writes them");
    }

    @Test
    void worktreeOutputsOfANoopTicketAreAnError() throws IOException, InterruptedException {
        SpecFiles.gitInit(dir);
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    agent: noop
                    workspace: worktree
                  - id: b
                    needs: [a]
                    run: echo ${{ tickets.a.outputs.branch }}
                """)).containsExactly("swarm.yaml:7:15: ticket 'a' has no output 'branch': noop agents make no commit in their "
                + "worktree; read branch of a shell ticket with workspace: worktree");
    }
}
