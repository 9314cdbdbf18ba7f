package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ticket with {@code when: failure} and no needs has no dependency that could fail, so every run would skip it:
 * the spec is refused, rather than validated and then skipped as "no dependency failed".
 */
class WhenFailureWithoutNeedsTest {
    @TempDir
    Path dir;

    @Test
    void whenFailureWithoutNeedsIsAnError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: make
                  - id: notify
                    when: failure
                    run: echo build failed
                  - id: cleanup
                    needs: [build]
                    when: failure
                    run: echo ok
                """)).containsExactly("swarm.yaml:5:11: ticket 'notify' has when: failure but needs nothing, so it never "
                + "runs; add the tickets whose failure it handles to its needs, or remove when: failure");
    }

    @Test
    void aMisspelledNeedsGetsNoSecondError() throws IOException {
        assertThat(errors(dir, """
                tickets:
                  - id: build
                    run: make
                  - id: notify
                    neds: [build]
                    when: failure
                    run: echo build failed
                """)).containsExactly("swarm.yaml:5:5: unknown key 'neds' in a ticket; did you mean 'needs'?");
    }
}
