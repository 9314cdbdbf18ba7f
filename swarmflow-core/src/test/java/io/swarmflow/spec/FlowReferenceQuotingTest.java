package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unquoted <code>${{ ... }}</code> inside a mapping or list written with brackets is reported where it is, with
 * quoting as the fix, rather than as a bracket left open (whose hint, adding a closing bracket, does not help).
 */
class FlowReferenceQuotingTest {
    @TempDir
    Path dir;

    @Test
    void unquotedReferenceInBracesAsksForQuotes() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    run: echo "$X"
                    env: {X: ${{ vars.v }}}
                """)).containsExactly("swarm.yaml:5:14: YAML syntax error: a reference ${{ ... }} inside { } must be in quotes; "
                + "write the value in quotes, such as {KEY: \"${{ vars.NAME }}\"}, or write one 'key: value' per line");
    }

    @Test
    void unquotedReferenceInBracketsAsksForQuotes() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    matrix: {os: [linux, ${{ vars.v }}]}
                    run: echo
                """)).containsExactly("swarm.yaml:4:26: YAML syntax error: a reference ${{ ... }} inside [ ] must be in quotes; "
                + "write the item in quotes, such as [a, \"${{ vars.NAME }}\"], or write the list one '- item' per line");
    }
}
