package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A noop ticket produces no outputs: declaring some is refused, where the ticket succeeded without them and the tickets
 * reading them got empty strings. It runs nothing either: a run: written on it is refused, and the references of the run
 * it has (its own, or the one of defaults) get the checks a shell ticket's get, where they were not checked at all.
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

    @Test
    void aRunOnANoopTicketIsAnErrorAndItsReferencesAreChecked() throws IOException {
        assertThat(errors(dir, """
                name: t
                tickets:
                  - id: a
                    agent: noop
                    run: echo ${{ tickets.zzz.outputs.q }} ${{ nonsense }} ${{ vars.nope }} ${{ vars.x
                """)).containsExactly(
                "swarm.yaml:5:10: ticket 'a' has a run, but noop agents run nothing; remove run:, or use agent: shell",
                "swarm.yaml:5:15: unknown ticket 'zzz' in '${{ tickets.zzz.outputs.q }}'; check the id",
                "swarm.yaml:5:44: unknown reference '${{ nonsense }}'; " + "use vars.NAME, matrix.NAME, tickets.ID.outputs.NAME, "
                        + "run.id, or env.NAME in env: values",
                "swarm.yaml:5:60: unknown variable 'nope' in '${{ vars.nope }}'; declare it under vars:",
                "swarm.yaml:5:77: '${{ vars.x' in run is not a complete reference; write ${{ vars.NAME }} (or matrix.NAME, "
                        + "tickets.ID.outputs.NAME, run.id), or $${{ for a literal ${{");
    }

    @Test
    void aRunOfANoopProfileTicketIsAnErrorToo() throws IOException {
        assertThat(errors(dir, """
                agents:
                  wait: {kind: noop, duration: 10ms}
                tickets:
                  - {id: a, agent: wait, run: "true"}
                """)).containsExactly(
                "swarm.yaml:4:31: ticket 'a' has a run, but noop agents run nothing; remove run:, or use agent: shell");
    }

    @Test
    void aRunFromDefaultsIsNoErrorOnANoopTicketButItsReferencesAreChecked() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  run: echo ${{ matrix.os }} ${{ tickets.b.outputs.x }}
                tickets:
                  - {id: a, agent: noop}
                  - {id: b, run: "true", outputs: {x: {json: x}}}
                """)).containsExactly(
                "swarm.yaml:2:13: '${{ matrix.os }}' is used outside a matrix ticket (in defaults, for ticket 'a'); "
                        + "add a matrix: to the ticket or remove the reference",
                "swarm.yaml:2:30: ticket 'a' reads outputs of 'b', which it does not need; add b to needs");
    }

    @Test
    void aGoodRunFromDefaultsOnANoopTicketLoadsWithoutAWarningForIt() throws Exception {
        java.nio.file.Path file = SpecFiles.write(dir, "swarm.yaml", """
                defaults:
                  run: echo ${{ tickets.b.outputs.x }}
                tickets:
                  - {id: b, run: "true", outputs: {x: {json: x}}}
                  - {id: a, agent: noop, needs: [b]}
                """);
        List<String> warnings = new ArrayList<>();
        Plan plan = new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));
        assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactly("b", "a");
        assertThat(plan.tickets().get(1).run()).isEmpty();
        assertThat(warnings).isEmpty();
    }
}
