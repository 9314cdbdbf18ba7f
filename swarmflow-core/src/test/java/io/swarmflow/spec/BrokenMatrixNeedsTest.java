package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spec.md, Errors: every problem is reported. A matrix ticket whose matrix is malformed is not expanded, but the
 * problems of its needs are reported with the matrix's, rather than only once the matrix is fixed.
 */
class BrokenMatrixNeedsTest {
    @TempDir
    Path dir;

    @Test
    void needsOfAnUnexpandedMatrixTicketAreChecked() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: make
                  - id: test
                    needs: [buld, test, build]
                    matrix: {os: []}
                    run: make test
                  - id: deploy
                    needs: [test-linux]
                    run: ship
                """)).containsExactly(
                "swarm.yaml:5:13: ticket 'test' needs 'buld', which is not a ticket; did you mean 'build'?",
                "swarm.yaml:5:19: ticket 'test' needs itself; remove 'test' from needs",
                "swarm.yaml:6:18: matrix 'os' is empty; give at least one value");
    }
}
