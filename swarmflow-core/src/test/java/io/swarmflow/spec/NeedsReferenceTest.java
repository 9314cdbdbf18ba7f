package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/spec.md, Tickets: needs take ticket ids as written, and a matrix ticket's id stands for all its expansions. A
 * reference in a needs entry ({@code build-${{ matrix.os }}}, meant as "the build of my os") got only the message for a
 * reference in any value; it now says what needs take and names the id to write.
 */
class NeedsReferenceTest {
    /** Lines 1 to 6 of the specs that go on with test's needs on line 7: two matrix tickets over the same os values. */
    private static final String BUILD_AND_TEST = """
            tickets:
              - id: build
                matrix: {os: [linux, mac]}
                run: make
              - id: test
                matrix: {os: [linux, mac]}
            """;

    @TempDir
    Path dir;

    @Test
    void aMatrixValueInNeedsNamesTheMatrixTicketsId() throws IOException {
        assertThat(errors(dir, BUILD_AND_TEST + """
                    needs: ["build-${{ matrix.os }}"]
                    run: make test
                  - id: ship
                    needs: ["build_${{ matrix.os }}"]
                    run: ship
                """)).containsExactly(
                "swarm.yaml:7:13: 'build-${{ matrix.os }}' in needs is not substituted: needs take ticket ids as written, and the "
                        + "id of the matrix ticket build stands for all of its expansions; write needs: [build]: each expansion of "
                        + "test then waits for every expansion of build (to hand each expansion its own result, write it to a "
                        + "file in $SWARM_SCRATCH named by the matrix value)",
                "swarm.yaml:10:13: 'build_${{ matrix.os }}' in needs is not substituted: needs take ticket ids as written, and the "
                        + "id of the matrix ticket build stands for all of its expansions; write needs: [build]: ship then waits "
                        + "for every expansion of build");
    }

    /** Unquoted in [ ], the reference ends the YAML value: a syntax error, which names the id to write too. */
    @Test
    void anUnquotedMatrixValueInNeedsNamesTheIdToWrite() throws IOException {
        assertThat(errors(dir, BUILD_AND_TEST + """
                    needs: [lint, build-${{ matrix.os }}]
                    run: make test
                """)).containsExactly("swarm.yaml:7:25: YAML syntax error: a reference ${{ ... }} cannot be an item of a list "
                + "('needs'); needs take ticket ids as written, and a matrix ticket's id stands for all of its expansions: "
                + "write build, not build-${{ ... }}");
    }

    @Test
    void aVariableInNeedsNamesTheTicketItHolds() throws IOException {
        assertThat(errors(dir, """
                vars: {dep: lint, other: x}
                tickets:
                  - id: lint
                    run: make lint
                  - id: test
                    needs: [lint, "${{ vars.dep }}"]
                    run: make test
                  - id: ship
                    needs:
                      - "${{ vars.other }}-x"
                    run: ship
                """)).containsExactly(
                "swarm.yaml:6:19: '${{ vars.dep }}' in needs is not substituted: needs take ticket ids as written; "
                        + "write needs: [lint]",
                "swarm.yaml:10:9: '${{ vars.other }}-x' in needs is not substituted: needs take ticket ids as written; "
                        + "write the ticket id itself; to wait for a matrix ticket, write its id (such as build for build-linux "
                        + "and build-mac): it stands for all of its expansions");
    }
}
