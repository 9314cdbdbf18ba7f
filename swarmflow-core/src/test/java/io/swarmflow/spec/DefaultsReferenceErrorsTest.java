package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A matrix reference in {@code defaults.run} or {@code defaults.env} that fails for some tickets is reported at
 * defaults naming each such ticket: the position alone does not say which of the tickets it is wrong for.
 */
class DefaultsReferenceErrorsTest {
    @TempDir
    Path dir;

    @Test
    void matrixReferenceInDefaultsNamesTheTicketItFailsFor() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  env: {OS: "${{ matrix.os }}"}
                  run: echo ${{ matrix.os }}
                tickets:
                  - id: build
                    run: echo
                  - id: test
                    matrix: {os: [a, b]}
                  - id: lint
                    matrix: {o: [a, b]}
                """)).containsExactly(
                "swarm.yaml:2:14: '${{ matrix.os }}' is used outside a matrix ticket (in defaults, for ticket 'build'); "
                        + "add a matrix: to the ticket or remove the reference",
                "swarm.yaml:2:14: unknown matrix key 'os' in '${{ matrix.os }}' (in defaults, for ticket 'lint'); did you mean 'o'?",
                "swarm.yaml:3:13: unknown matrix key 'os' in '${{ matrix.os }}' (in defaults, for ticket 'lint'); did you mean 'o'?");
    }
}
