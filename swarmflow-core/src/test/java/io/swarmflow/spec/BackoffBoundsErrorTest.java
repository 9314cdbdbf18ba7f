package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backoff {@code initial} above its {@code max} quotes both as written, and says where a max from defaults is. */
class BackoffBoundsErrorTest {
    @TempDir
    Path dir;

    @Test
    void boundsAreQuotedAsWrittenWithWhereTheMaxIs() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  retries: {max: 2, backoff: {max: 10s}}
                tickets:
                  - id: a
                    run: "true"
                    retries: {backoff: {initial: 1m}}
                  - id: b
                    run: "true"
                    retries: {backoff: {initial: 1h, max: 90s}}
                """)).containsExactly(
                "swarm.yaml:6:34: backoff initial 1m is longer than backoff max 10s (in defaults.retries, line 2); "
                        + "raise max or lower initial",
                "swarm.yaml:9:34: backoff initial 1h is longer than backoff max 90s; raise max or lower initial");
    }

    @Test
    void anInitialFromDefaultsNamesTheTicketWhoseMaxIsBelowIt() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  retries: {max: 2, backoff: {initial: 1m}}
                tickets:
                  - id: a
                    run: "true"
                    retries: {backoff: {max: 10s}}
                """)).containsExactly("swarm.yaml:2:40: backoff initial 1m is longer than backoff max 10s "
                + "(in the retries of ticket 'a', line 6); raise max or lower initial");
    }
}
