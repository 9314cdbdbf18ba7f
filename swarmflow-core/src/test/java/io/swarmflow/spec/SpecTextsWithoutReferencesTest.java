package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static io.swarmflow.spec.SpecFiles.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reference in a text that is used as written (the name, the description, an output's json key) is refused at load
 * time, rather than kept as those characters: a json key holding one validated and then failed every attempt.
 */
class SpecTextsWithoutReferencesTest {
    @TempDir
    Path dir;

    @Test
    void referenceInNameDescriptionOrJsonKeyIsAnError() throws IOException {
        assertThat(errors(dir, """
                name: deploy-${{ vars.env }}
                description: deploys to ${{ vars.env }}
                vars: {env: prod}
                tickets:
                  - id: a
                    run: "true"
                    outputs:
                      o: {json: "${{ vars.env }}"}
                """)).containsExactly(
                "swarm.yaml:1:14: '${{ vars.env }}' in name is not substituted: references work only in run, env, title, "
                        + "repo and output file paths; write the text itself, or $${{ for a literal ${{",
                "swarm.yaml:2:25: '${{ vars.env }}' in description is not substituted: references work only in run, env, "
                        + "title, repo and output file paths; write the text itself, or $${{ for a literal ${{",
                "swarm.yaml:8:18: '${{ vars.env }}' in an output's json key is not substituted: references work only in run, "
                        + "env, title, repo and output file paths; write the text itself, or $${{ for a literal ${{");
    }

    @Test
    void escapedOpeningIsALiteralThere() throws IOException, SpecException {
        Plan plan = new SpecLoader().load(write(dir, "swarm.yaml", """
                name: a $${{ b }}
                description: c $${{ d }}
                tickets:
                  - id: a
                    run: "true"
                    outputs:
                      o: {json: "$${{ k }}"}
                """), Map.of());
        assertThat(plan.name()).isEqualTo("a ${{ b }}");
        assertThat(plan.description()).isEqualTo("c ${{ d }}");
        assertThat(plan.tickets().get(0).outputs().get("o").jsonKey()).isEqualTo("${{ k }}");
    }

    /**
     * An agent is a profile's name as written: a reference in it (from defaults too) is said not to be substituted,
     * rather than "unknown agent '${{ vars.a }}'; declare it under agents:", which asked to declare a profile by that name.
     */
    @Test
    void referenceInAgentIsNotSubstituted() throws IOException {
        assertThat(errors(dir, """
                vars: {a: qa}
                agents:
                  qa: {kind: shell}
                defaults:
                  agent: ${{ vars.a }}
                tickets:
                  - id: a
                    agent: "${{ vars.a }}"
                    run: "true"
                  - id: b
                    run: "true"
                  - id: c
                    agent: qb
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:5:10: '${{ vars.a }}' in agent is not substituted: references work only in run, env, title, "
                        + "repo and output file paths; write the name of a profile under agents:, or shell or noop",
                "swarm.yaml:8:13: '${{ vars.a }}' in agent is not substituted: references work only in run, env, title, "
                        + "repo and output file paths; write the name of a profile under agents:, or shell or noop",
                "swarm.yaml:13:12: unknown agent 'qb'; did you mean 'qa'?");
    }

    /**
     * A value that is not a text (a duration, size, number, boolean or choice) and a needs entry are used as written: a
     * reference in one is said not to be substituted, rather than "invalid duration '${{ vars.t }}'; use a number with a
     * unit", which did not say why a declared variable was not used.
     */
    @Test
    void referenceInAValueThatIsNotATextIsNotSubstituted() throws IOException {
        String why = " is not substituted: references work only in run, env, title, repo and output file paths; write the value itself";
        assertThat(errors(dir, """
                vars: {t: 5m, w: worktree, n: "true", p: "3", a: qa}
                agents:
                  qa: {kind: shell, concurrency: "${{ vars.p }}", limits: {log-size: "${{ vars.p }}"}, sandbox: "${{ vars.w }}"}
                tickets:
                  - id: a
                    timeout: ${{ vars.t }}
                    workspace: "${{ vars.w }}"
                    network: ${{ vars.n }}
                    priority: "${{ vars.p }}"
                    retries: {max: "${{ vars.p }}", backoff: {multiplier: "${{ vars.p }}"}}
                    run: "true"
                  - id: b
                    needs: ["${{ vars.a }}"]
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:3:34: '${{ vars.p }}' in concurrency" + why,
                "swarm.yaml:3:70: '${{ vars.p }}' in log-size" + why,
                "swarm.yaml:3:97: '${{ vars.w }}' in sandbox" + why,
                "swarm.yaml:6:14: '${{ vars.t }}' in timeout" + why,
                "swarm.yaml:7:16: '${{ vars.w }}' in workspace" + why,
                "swarm.yaml:8:14: '${{ vars.n }}' in network" + why,
                "swarm.yaml:9:15: '${{ vars.p }}' in priority" + why,
                "swarm.yaml:10:20: '${{ vars.p }}' in max" + why,
                "swarm.yaml:10:59: '${{ vars.p }}' in multiplier" + why,
                "swarm.yaml:13:13: '${{ vars.a }}' in needs is not substituted: needs take ticket ids as written; write the "
                        + "ticket id itself; to wait for a matrix ticket, write its id (such as build for build-linux and "
                        + "build-mac): it stands for all of its expansions");
    }
}
