package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket left out of the plan because its id is invalid or taken, or its matrix is broken, still has its body checked:
 * docs/spec.md "Errors" promises every problem at once, not one round per fix.
 */
class LeftOutTicketBodyTest {
    @TempDir
    Path dir;

    @Test
    void theBodyOfATicketWithAnInvalidIdOrABrokenMatrixIsChecked() throws Exception {
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - id: A
                    agent: nope
                    run: echo ${{ vars.nov }}
                    outputs: {x: ../etc/passwd}
                    needs: [zz]
                  - id: b
                    agent: nope2
                    run: echo ${{ vars.nov2 }} ${{ matrix.os }} ${{ matrix.cpu }}
                    matrix: {os: []}
                """)).containsExactly(
                "swarm.yaml:2:9: invalid ticket id 'A'; use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit",
                "swarm.yaml:3:12: unknown agent 'nope'; declare it under agents: or use shell or noop",
                "swarm.yaml:4:15: unknown variable 'nov' in '${{ vars.nov }}'; declare it under vars:",
                "swarm.yaml:5:18: output file '../etc/passwd' is not a relative path inside the workspace; use a path such as "
                        + "out/result.txt, without '..' or a leading '/'",
                "swarm.yaml:6:13: ticket 'A' needs 'zz', which is not a ticket; check the id, or add a ticket with that id",
                "swarm.yaml:8:12: unknown agent 'nope2'; declare it under agents: or use shell or noop",
                "swarm.yaml:9:15: unknown variable 'nov2' in '${{ vars.nov2 }}'; declare it under vars:",
                "swarm.yaml:9:49: unknown matrix key 'cpu' in '${{ matrix.cpu }}'; matrix keys: os",
                "swarm.yaml:10:18: matrix 'os' is empty; give at least one value");
    }

    /**
     * Also left out, and still checked: an agent profile with an invalid name, a ticket without an id, a ticket whose
     * matrix is not a mapping (its keys unknown, so only its matrix references go unchecked).
     */
    @Test
    void theBodiesOfAnInvalidProfileNameAMissingIdAndAListMatrixAreChecked() throws Exception {
        assertThat(SpecFiles.errors(dir, """
                agents:
                  Bad:
                    kind: shel
                    sandbox: of
                tickets:
                  - agent: nope
                    run: echo ${{ vars.nov }}
                  - id: m
                    matrix: [linux, mac]
                    agent: nope2
                    run: echo ${{ matrix.os }} ${{ vars.nov2 }}
                """)).containsExactly(
                "swarm.yaml:2:3: invalid agent profile name 'Bad'; use 1-63 characters of a-z, 0-9, '-' and '_', starting "
                        + "with a letter or digit",
                "swarm.yaml:3:11: unknown agent kind 'shel'; use shell or noop; did you mean 'shell'?",
                "swarm.yaml:4:14: invalid sandbox 'of'; use required, best-effort, off; did you mean 'off'?",
                "swarm.yaml:6:5: ticket has no 'id'; add id: with a short name such as build",
                "swarm.yaml:6:12: unknown agent 'nope'; declare it under agents: or use shell or noop",
                "swarm.yaml:7:15: unknown variable 'nov' in '${{ vars.nov }}'; declare it under vars:",
                "swarm.yaml:9:13: 'matrix' must be a mapping, not a list; write key: value pairs",
                "swarm.yaml:10:12: unknown agent 'nope2'; declare it under agents: or use shell or noop",
                // ${{ matrix.os }} is not reported: the keys of a matrix that is not a mapping are unknown
                "swarm.yaml:11:32: unknown variable 'nov2' in '${{ vars.nov2 }}'; declare it under vars:");
    }

    @Test
    void theSecondTicketOfADuplicateIdIsChecked() throws Exception {
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - {id: a, run: "true"}
                  - id: a
                    run: echo ${{ tickets.nope.outputs.x }}
                """)).containsExactly(
                "swarm.yaml:3:9: duplicate ticket id 'a' (first at line 2); give each ticket a unique id",
                "swarm.yaml:4:15: unknown ticket 'nope' in '${{ tickets.nope.outputs.x }}'; check the id");
    }

    @Test
    void aNeedListedTwiceIsAnError() throws Exception {
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - {id: e, run: "true"}
                  - {id: f, needs: [e, e], run: "true"}
                """)).containsExactly("swarm.yaml:3:24: 'e' is listed twice in the needs of ticket 'f'; remove one");
    }

    @Test
    void aMatrixWhoseExpansionsAreAllRefusedGetsNoEmptyListOfThem() throws Exception {
        String id = "x".repeat(63);
        assertThat(SpecFiles.errors(dir, """
                tickets:
                  - id: %s
                    matrix: {os: [linux]}
                    run: "true"
                  - {id: z, needs: [%s-linux], run: "true"}
                """.formatted(id, id))).containsExactly(
                "swarm.yaml:3:13: matrix expansion id '" + id + "-linux' is not a valid ticket id; ids are at most 63 "
                        + "characters of a-z, 0-9, '-' and '_'; use shorter matrix values or a shorter id");
    }
}
