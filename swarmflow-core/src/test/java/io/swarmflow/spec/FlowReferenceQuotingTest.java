package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unquoted <code>${{ ... }}</code> inside a mapping or list written with brackets is reported where it is (with
 * quoting as the fix in a mapping; in a list, that references do not work there), rather than as a bracket left open
 * (whose hint, adding a closing bracket, does not help). The error names the list's key: also when the {@code [} is not
 * on the key's line, as when it is on the line below, or an item of a block list ({@code - [a, b]}), where the key used
 * to be left out.
 */
class FlowReferenceQuotingTest {
    private static final String WHY = "; references do not work in lists (needs and matrix values are used as written): "
            + "write the items themselves";
    private static final String NEEDS = "; needs take ticket ids as written, and a matrix ticket's id stands for all of its "
            + "expansions: write the ids themselves";
    /** Lines 1 to 5 of the specs that go on with ticket b's needs on line 6. */
    private static final String A_AND_B = """
            vars: {v: x}
            tickets:
              - id: a
                run: echo
              - id: b
            """;

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

    /** The only lists (needs, matrix values) are used as written: quoting the reference would not make it work. */
    @Test
    void unquotedReferenceInBracketsSaysListsTakeNoReferences() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    matrix: {os: [linux, ${{ vars.v }}]}
                    run: echo
                """)).containsExactly("swarm.yaml:4:26: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('os')" + WHY);
    }

    @Test
    void unquotedReferenceInNeedsNamesNeeds() throws IOException {
        assertThat(errors(dir, A_AND_B + """
                    needs: [a, ${{ vars.v }}]
                    run: echo
                """)).containsExactly("swarm.yaml:6:16: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('needs')" + NEEDS);
    }

    @Test
    void unquotedReferenceInNestedListNamesNoKey() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: a
                    matrix: {os: [[linux, ${{ vars.v }}]]}
                    run: echo
                """)).containsExactly("swarm.yaml:3:27: YAML syntax error: a reference ${{ ... }} cannot be an item of a list"
                + WHY);
    }

    @Test
    void aListOnTheLineBelowItsKeyNamesTheKey() throws IOException {
        assertThat(errors(dir, A_AND_B + """
                    needs:   # what b waits for
                      [a, ${{ vars.v }}]
                    run: echo
                """)).containsExactly("swarm.yaml:7:11: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('needs')" + NEEDS);
    }

    @Test
    void aListThatIsAnItemOfABlockListNamesTheBlockListsKey() throws IOException {
        assertThat(errors(dir, A_AND_B + """
                    needs:
                      - a
                      - [${{ vars.v }}]
                    run: echo
                """)).containsExactly("swarm.yaml:8:10: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('needs')" + NEEDS);
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    matrix:
                      os:

                        [linux, ${{ vars.v }}]
                    run: echo
                """)).containsExactly("swarm.yaml:7:17: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('os')" + WHY);
    }
}
