package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket that reads its own outputs (directly, or through {@code defaults.env}, or those of another expansion of its
 * matrix) is told so, not to add itself to its needs, which would then be refused as a ticket needing itself.
 */
class OwnOutputReferenceTest {
    @TempDir
    Path dir;

    @Test
    void readingItsOwnOutputsIsNotFixedByNeedingItself() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  env: {V: "${{ tickets.a.outputs.o }}"}
                tickets:
                  - id: a
                    run: "true"
                    outputs: {o: {json: o}}
                  - id: m
                    needs: [a]
                    matrix: {os: [x, y]}
                    run: echo ${{ tickets.m-y.outputs.p }}
                    outputs: {p: {json: p}}
                """)).containsExactly(
                "swarm.yaml:2:13: ticket 'a' reads outputs of 'a', its own, which exist only once it has run; "
                        + "remove the reference, or read them in another ticket that needs a",
                "swarm.yaml:10:15: ticket 'm' reads outputs of 'm-y', one of its own expansions, which exist only once it has run; "
                        + "remove the reference, or read them in another ticket that needs m-y");
    }
}
