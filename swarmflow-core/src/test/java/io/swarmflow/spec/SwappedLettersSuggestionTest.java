package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two adjacent letters swapped, the commonest typo, get a "did you mean" as one wrong letter does; a name made of a
 * matrix ticket's id and a value not in its matrix gets that ticket's expansions.
 */
class SwappedLettersSuggestionTest {
    @TempDir
    Path dir;

    @Test
    void swappedLettersAndAValueNotInTheMatrixGetAHint() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: "true"
                    outputs: {version: {json: version}}
                  - id: test
                    matrix: {os: [Linux, mac]}
                    run: "true"
                  - id: b
                    needs: [biuld, test-windows]
                    env: {V: "${{ tickets.biuld.outputs.version }}", W: "${{ tickets.test-windows.outputs.x }}"}
                    tiemout: 1m
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:9:13: ticket 'b' needs 'biuld', which is not a ticket; did you mean 'build'?",
                "swarm.yaml:9:20: ticket 'b' needs 'test-windows', which is not a ticket; 'test' is a matrix ticket; its "
                        + "expansions are test-linux, test-mac (add the value to its matrix, or name one of them)",
                "swarm.yaml:10:15: unknown ticket 'biuld' in '${{ tickets.biuld.outputs.version }}'; did you mean 'build'?",
                "swarm.yaml:10:58: unknown ticket 'test-windows' in '${{ tickets.test-windows.outputs.x }}'; 'test' is a "
                        + "matrix ticket; its expansions are test-linux, test-mac (add the value to its matrix, or name one of them)",
                "swarm.yaml:11:5: unknown key 'tiemout' in a ticket; did you mean 'timeout'?");
    }
}
