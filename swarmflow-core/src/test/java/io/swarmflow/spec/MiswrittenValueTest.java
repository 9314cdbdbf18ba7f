package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static io.swarmflow.spec.SpecFiles.gitInit;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spec.md, Errors: every problem is reported, and only once. A key whose value is refused (reported) is not taken
 * for an absent key by the checks that follow: its ticket then seemed to need nothing (when: failure), to declare no
 * such output, to have no worktree (no commit output), or to run the default agent, and each gave a second error with a
 * wrong fix.
 */
class MiswrittenValueTest {
    @TempDir
    Path dir;

    @Test
    void refusedNeedsAreNotNoNeeds() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                  - id: b
                    needs: a
                    when: failure
                    run: "true"
                  - id: c
                    needs: [on]
                    when: failure
                    run: "true"
                  - id: d
                    needs: [~]
                    when: failure
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:5:12: 'needs' must be a list of ticket ids, not a string ('a'); write needs: [a]",
                "swarm.yaml:9:13: 'needs' entry 'on' is a boolean to YAML, not text; write it in quotes: needs: ['on']",
                "swarm.yaml:13:13: an entry of 'needs' is empty; write a ticket id, or remove the entry");
    }

    @Test
    void refusedOutputsAreNotMissingOnes() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    run: "true"
                    outputs: [x.txt]
                  - id: b
                    run: "true"
                    ouputs: {x: x.txt}
                  - id: c
                    run: "true"
                    outputs: {x: {file: x.txt, json: x}, y: ../y.txt, z: z.txt}
                  - id: use
                    needs: [a, b, c]
                    env:
                      A: "${{ tickets.a.outputs.x }}"
                      B: "${{ tickets.b.outputs.x }}"
                      X: "${{ tickets.c.outputs.x }}"
                      Y: "${{ tickets.c.outputs.y }}"
                      W: "${{ tickets.c.outputs.w }}"
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:4:14: 'outputs' must be a mapping, not a list; write key: value pairs",
                "swarm.yaml:7:5: unknown key 'ouputs' in a ticket; did you mean 'outputs'?",
                "swarm.yaml:10:18: output 'x' needs exactly one of 'file' and 'json'; write {file: result.txt} or {json: key}",
                "swarm.yaml:10:45: output file '../y.txt' is not a relative path inside the workspace; use a path such as "
                        + "out/result.txt, without '..' or a leading '/'",
                "swarm.yaml:18:11: ticket 'c' has no output 'w'; declare it under outputs: of c");
    }

    @Test
    void aRefusedWorkspaceOrAgentMayStillGiveWorktreeOutputs() throws Exception {
        gitInit(dir);
        assertThat(errors(dir, """
                defaults:
                  agent: noop
                tickets:
                  - id: build
                    workspace: worktre
                    title: build
                  - id: make
                    agent: [shell]
                    workspace: worktree
                    run: "true"
                  - id: ship
                    needs: [build, make]
                    env:
                      C: "${{ tickets.build.outputs.commit }}"
                      M: "${{ tickets.make.outputs.commit }}"
                    agent: shell
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:5:16: invalid workspace 'worktre'; use repo, run, worktree; did you mean 'worktree'?",
                "swarm.yaml:8:12: 'agent' must be a string, not a list; write one value, in quotes (\"...\") if it starts with [ or {");
    }

    @Test
    void aRefusedAgentIsNoKindToCheckAgainst() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - id: idle
                    agent: [noop]
                    duration: 1s
                """)).containsExactly(
                "swarm.yaml:3:12: 'agent' must be a string, not a list; write one value, in quotes (\"...\") if it starts with [ or {");
    }

    /**
     * A misspelled {@code defaults} (or one that is not a mapping) may have held any key: its tickets are not told they
     * have no run, or no commit output, which the defaults as meant would have given them.
     */
    @Test
    void misspelledDefaultsCouldHaveGivenAnything() throws Exception {
        gitInit(dir);
        assertThat(errors(dir, """
                defautls:
                  run: make
                  workspace: worktree
                tickets:
                  - id: a
                  - id: b
                    needs: [a]
                    env: {C: "${{ tickets.a.outputs.commit }}"}
                  - id: c
                    run: "true"
                    duration: 1s
                """)).containsExactly("swarm.yaml:1:1: unknown key 'defautls' in the spec; did you mean 'defaults'?");
        assertThat(errors(dir, """
                defaults: [run, make]
                tickets:
                  - id: a
                """)).containsExactly("swarm.yaml:1:11: defaults must be a mapping, not a list; write key: value pairs with "
                + "keys agent, run, env, timeout, retries, priority, when, approval, workspace, network, duration, sandbox, limits");
    }

    /**
     * A misspelled matrix is no reason to say its references are outside a matrix ticket, needs written wrongly none to
     * say outputs are read of a ticket not needed, and variables written wrongly none to call their references unknown.
     */
    @Test
    void referencesToWhatIsWrittenWronglyAreNotErrorsAgain() throws Exception {
        assertThat(errors(dir, """
                vars: {v: 1, "my var": 2, list: [3]}
                tickets:
                  - id: a
                    run: echo ${{ vars.v }} ${{ vars.list }}
                    outputs: {x: x.txt}
                  - id: b
                    matirx: {os: [linux]}
                    run: echo ${{ matrix.os }}
                    title: "b ${{ matrix.os }}"
                  - id: c
                    neds: [a]
                    env: {X: "${{ tickets.a.outputs.x }}"}
                    run: "true"
                  - id: d
                    needs: a
                    env: {X: "${{ tickets.a.outputs.x }}", Y: "${{ vars.nope }}"}
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:1:14: invalid variable name 'my var'; use 1-64 characters of letters, digits, '_' and '-', starting with a letter or '_'",
                "swarm.yaml:1:33: variable 'list' must be a string, number or boolean, not a list; write one value, in quotes "
                        + "(\"...\") if it starts with [ or {",
                "swarm.yaml:7:5: unknown key 'matirx' in a ticket; did you mean 'matrix'?",
                "swarm.yaml:11:5: unknown key 'neds' in a ticket; did you mean 'needs'?",
                "swarm.yaml:15:12: 'needs' must be a list of ticket ids, not a string ('a'); write needs: [a]",
                "swarm.yaml:16:48: unknown variable 'nope' in '${{ vars.nope }}'; declare it under vars:");
        assertThat(errors(dir, """
                var: {w: 1}
                tickets:
                  - id: a
                    run: echo ${{ vars.w }}
                """)).containsExactly("swarm.yaml:1:1: unknown key 'var' in the spec; did you mean 'vars'?");
        assertThat(errors(dir, """
                vars: [w]
                tickets:
                  - id: a
                    run: echo ${{ vars.w }}
                """)).containsExactly("swarm.yaml:1:7: 'vars' must be a mapping, not a list; write key: value pairs");
    }

    /** A ticket's agent whose profile is written wrongly, or under a misspelled agents:, is not also an unknown agent. */
    @Test
    void anAgentWhoseProfileIsWrittenWronglyIsNotUnknown() throws Exception {
        assertThat(errors(dir, """
                agents:
                  QA: {kind: noop}
                  qb: [kind, shell]
                tickets:
                  - id: a
                    agent: QA
                    duration: 1s
                  - id: b
                    agent: qb
                  - id: c
                    agent: qc
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:2:3: invalid agent profile name 'QA'; use 1-63 characters of a-z, 0-9, '-' and '_', starting with "
                        + "a letter or digit",
                "swarm.yaml:3:7: agent profile 'qb' must be a mapping, not a list; write key: value pairs with keys kind, "
                        + "sandbox, limits, env, concurrency, duration",
                "swarm.yaml:11:12: unknown agent 'qc'; declare it under agents: or use shell or noop");
        assertThat(errors(dir, """
                agnets:
                  qa: {kind: shell}
                tickets:
                  - id: a
                    agent: qa
                    run: "true"
                """)).containsExactly("swarm.yaml:1:1: unknown key 'agnets' in the spec; did you mean 'agents'?");
    }

    /** A --var of a variable declared wrongly (reported) is not also "not declared in vars". */
    @Test
    void aVarOverrideOfAVariableDeclaredWronglyIsNotUndeclared() throws Exception {
        Path spec = SpecFiles.write(dir, "swarm.yaml", """
                vars: {list: [3], v: 1}
                tickets:
                  - id: a
                    run: echo ${{ vars.list }} ${{ vars.v }}
                """);
        assertThat(errors(spec, java.util.Map.of("list", "x", "w", "y"))).containsExactly(
                "swarm.yaml: --var w is not declared in vars; declare it under vars: in the spec; declared: v",
                "swarm.yaml:1:14: variable 'list' must be a string, number or boolean, not a list; write one value, in quotes "
                        + "(\"...\") if it starts with [ or {");
        Path misspelled = SpecFiles.write(dir, "var.yaml", """
                var: {v: 1}
                tickets:
                  - id: a
                    run: echo ${{ vars.v }}
                """);
        assertThat(errors(misspelled, java.util.Map.of("v", "2"))).containsExactly(
                "var.yaml:1:1: unknown key 'var' in the spec; did you mean 'vars'?");
    }
}
