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

    /**
     * A bound the ticket writes wrongly (reported) is not replaced by defaults' for the comparison: "initial 2m is longer
     * than max 10s" named a value the ticket overrides, a second error with a wrong fix. A bound it does not write still
     * is, and a wrong one in defaults does not hide a ticket's own two bounds.
     */
    @Test
    void aBoundWrittenWronglyIsNotTakenFromDefaults() throws IOException {
        assertThat(errors(dir, """
                defaults:
                  retries: {max: 2, backoff: {initial: 2m, max: 5x}}
                tickets:
                  - id: a
                    run: "true"
                    retries: {backoff: {initial: 1.5s, max: 10s}}
                  - id: b
                    run: "true"
                    retries: {backoff: {intial: 1s, max: 10s}}
                  - id: c
                    run: "true"
                    retries: {max: 1, backoff: 1s}
                  - id: d
                    run: "true"
                    retries: {backoff: {max: 10s}}
                  - id: e
                    run: "true"
                    retries: {backoff: {initial: 1m, max: 20s}}
                  - id: f
                    run: "true"
                """)).containsExactly(
                "swarm.yaml:2:40: backoff initial 2m is longer than backoff max 10s (in the retries of ticket 'd', line 15); "
                        + "raise max or lower initial",
                "swarm.yaml:2:49: invalid duration '5x'; use a number with a unit: 500ms, 90s, 10m, 1h",
                "swarm.yaml:6:34: invalid duration '1.5s'; use a number with a unit: 500ms, 90s, 10m, 1h; did you mean '1500ms'?",
                "swarm.yaml:9:25: unknown key 'intial' in backoff; did you mean 'initial'?",
                "swarm.yaml:12:32: backoff must be a mapping, not a string ('1s'); write key: value pairs with keys initial, max, "
                        + "multiplier",
                "swarm.yaml:18:34: backoff initial 1m is longer than backoff max 20s; raise max or lower initial");
    }
}
