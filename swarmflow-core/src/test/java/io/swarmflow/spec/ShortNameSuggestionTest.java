package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A one-character name is not "corrected" into another one-character name that shares nothing with it. */
class ShortNameSuggestionTest {
    @TempDir
    Path dir;

    @Test
    void noSuggestionThatReplacesEveryCharacter() throws IOException {
        assertThat(errors(dir, """
                vars: {n: "1", xy: "2"}
                tickets:
                  - id: a
                    matrix: {k: [1, 2]}
                    run: echo ${{ matrix.v }} ${{ vars.x }} ${{ vars.m }}
                """)).containsExactly(
                "swarm.yaml:5:15: unknown matrix key 'v' in '${{ matrix.v }}'; matrix keys: k",
                "swarm.yaml:5:31: unknown variable 'x' in '${{ vars.x }}'; did you mean 'xy'?",
                "swarm.yaml:5:45: unknown variable 'm' in '${{ vars.m }}'; declare it under vars:");
    }
}
