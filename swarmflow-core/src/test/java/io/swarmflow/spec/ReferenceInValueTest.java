package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code ${{ ... }}} in a value of {@code vars} or {@code matrix} written in the spec is never substituted (values are
 * inserted as they are): it is an error at its place, and {@code $${{} there stands for a literal {@code ${{}, as in
 * every text. A {@code --var} value is taken as written.
 */
class ReferenceInValueTest {
    @TempDir
    Path dir;

    @Test
    void aReferenceInAVariableOrMatrixValueIsAnErrorAtItsPlace() throws Exception {
        assertThat(errors(dir, """
                vars: {a: x, b: "${{ vars.a }}-y"}
                tickets:
                  - id: t
                    matrix: {os: ["${{ vars.a }}", linux]}
                    env: {B: "${{ vars.b }}"}
                    run: echo "$B ${{ matrix.os }}"
                """)).containsExactly(
                "swarm.yaml:1:18: '${{ vars.a }}-y' in variable 'b' is not substituted: references work only in run, env, "
                        + "title, repo and output file paths; write the value itself, or combine the references where the "
                        + "variable is used (run, env); $${{ for a literal ${{",
                "swarm.yaml:4:20: '${{ vars.a }}' in matrix 'os' is not substituted: references work only in run, env, "
                        + "title, repo and output file paths; write the value itself, or $${{ for a literal ${{");
    }

    @Test
    void dollarDollarBraceInAVariableOrMatrixValueIsALiteral() throws Exception {
        Path file = SpecFiles.write(dir, "lit.yaml", """
                vars: {b: "$${{ vars.a }}-y"}
                tickets:
                  - id: t
                    matrix: {os: ["$${{ x }}"]}
                    title: "${{ vars.b }} ${{ matrix.os }}"
                    run: "true"
                """);
        Plan plan = new SpecLoader().load(file, Map.of());
        assertThat(plan.vars()).containsEntry("b", "${{ vars.a }}-y");
        PlannedTicket t = plan.tickets().getFirst();
        assertThat(t.matrix()).containsEntry("os", "${{ x }}");
        assertThat(t.title()).isEqualTo("${{ vars.a }}-y ${{ x }}");
        assertThat(t.id()).isEqualTo("t-----x---");

        // a --var value is taken as written, references and $${{ alike
        Plan given = new SpecLoader().load(file, Map.of("b", "${{ vars.a }} $${{"));
        assertThat(given.vars()).containsEntry("b", "${{ vars.a }} $${{");
    }
}
