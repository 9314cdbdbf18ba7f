package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unquoted reference in a {@code [ ]} list is a YAML syntax error that names the list's key: also when the {@code [}
 * is not on the key's line, as when it is on the line below, or an item of a block list ({@code - [a, b]}), where the key
 * used to be left out.
 */
class ListKeyBlockStyleTest {
    private static final String WHY = "; references do not work in lists (needs and matrix values are used as written): "
            + "write the items themselves";
    private static final String NEEDS = "; needs take ticket ids as written, and a matrix ticket's id stands for all of its "
            + "expansions: write the ids themselves";

    @TempDir
    Path dir;

    @Test
    void aListOnTheLineBelowItsKeyNamesTheKey() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    run: echo
                  - id: b
                    needs:   # what b waits for
                      [a, ${{ vars.v }}]
                    run: echo
                """)).containsExactly("swarm.yaml:7:11: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('needs')" + NEEDS);
    }

    @Test
    void aListThatIsAnItemOfABlockListNamesTheBlockListsKey() throws IOException {
        assertThat(errors(dir, """
                vars: {v: x}
                tickets:
                  - id: a
                    run: echo
                  - id: b
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
