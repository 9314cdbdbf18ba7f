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
 * reading them got empty strings. It runs nothing either: a run: written on it is refused, and its references get the
 * checks a shell ticket's get, where they were not checked at all. The run of defaults is neither refused nor checked on a
 * noop ticket: it is checked on the tickets that run it, for which its matrix.KEY or outputs may be written (review R5).
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
        // the worktree from defaults: a noop ticket may not set a workspace of its own (NoopSettingsTest)
        assertThat(errors(dir, """
                defaults: {workspace: worktree}
                tickets:
                  - id: a
                    agent: noop
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
    void aRunFromDefaultsIsNeitherAnErrorNorCheckedOnANoopTicket() throws Exception {
        // b sets its own run: no ticket runs the one of defaults, whose references fit none of them
        Plan plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                defaults:
                  run: echo ${{ matrix.os }} ${{ tickets.b.outputs.x }}
                tickets:
                  - {id: a, agent: noop}
                  - {id: b, run: "true", outputs: {x: {json: x}}}
                """), Map.of());
        assertThat(plan.tickets()).extracting(PlannedTicket::run).containsExactly("", "true");
    }

    /** Matrix shell tickets take a run using matrix.KEY from defaults; a noop barrier beside them loads (review R5). */
    @Test
    void aNoopBarrierLoadsBesideMatrixTicketsRunningARunOfDefaultsThatUsesTheMatrix() throws Exception {
        java.nio.file.Path file = SpecFiles.write(dir, "swarm.yaml", """
                defaults:
                  run: echo building for ${{ matrix.os }}
                tickets:
                  - {id: build, workspace: run, matrix: {os: [linux, mac]}}
                  - {id: all-built, agent: noop, needs: [build]}
                """);
        List<String> warnings = new ArrayList<>();
        Plan plan = new SpecLoader().load(file, Map.of(), w -> warnings.add(w.format()));
        // the matrix value is filled in when an attempt starts: the plan keeps the reference
        assertThat(plan.tickets()).extracting(PlannedTicket::id, PlannedTicket::run).containsExactly(
                org.assertj.core.groups.Tuple.tuple("build-linux", "echo building for ${{ matrix.os }}"),
                org.assertj.core.groups.Tuple.tuple("build-mac", "echo building for ${{ matrix.os }}"),
                org.assertj.core.groups.Tuple.tuple("all-built", ""));
        assertThat(plan.tickets().getFirst().matrix()).containsExactly(Map.entry("os", "linux"));
        assertThat(warnings).isEmpty();

        // the same with another ticket's output, read by the tickets that run it and not by a noop ticket that does not
        // need its ticket
        plan = new SpecLoader().load(SpecFiles.write(dir, "swarm.yaml", """
                defaults:
                  run: echo ${{ matrix.os }} ${{ tickets.v.outputs.v }}
                tickets:
                  - {id: v, run: "true", outputs: {v: {json: v}}}
                  - {id: build, needs: [v], matrix: {os: [linux]}}
                  - {id: idle, agent: noop}
                """), Map.of(), w -> {});
        assertThat(plan.tickets()).extracting(PlannedTicket::id).containsExactlyInAnyOrder("v", "build-linux", "idle");
    }

    /** The run of defaults is checked on the shell tickets that run it: its errors name those, not the noop ticket. */
    @Test
    void aRunFromDefaultsIsCheckedOnTheShellTicketsThatRunIt() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  run: echo ${{ matrix.os }} ${{ tickets.b.outputs.x }}
                tickets:
                  - {id: a, agent: noop}
                  - {id: b, run: "true", outputs: {x: {json: x}}}
                  - {id: c}
                """)).containsExactly(
                "swarm.yaml:2:13: '${{ matrix.os }}' is used outside a matrix ticket (in defaults, for ticket 'c'); "
                        + "add a matrix: to the ticket or remove the reference",
                "swarm.yaml:2:30: ticket 'c' reads outputs of 'b', which it does not need; add b to needs");
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
