package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A duration written another usual way gets the spelling swarm reads as its fix. */
class DurationHintTest {
    @TempDir
    Path dir;

    @Test
    void usualOtherSpellingsGetTheirFix() throws IOException {
        String base = "use a number with a unit: 500ms, 90s, 10m, 1h";
        assertThat(errors(dir, """
                tickets:
                  - {id: a, run: x, timeout: 1H}
                  - {id: b, run: x, timeout: 1h 30m}
                  - {id: c, run: x, timeout: 1.5h}
                  - {id: d, run: x, timeout: 30min}
                  - {id: e, run: x, timeout: 5 seconds}
                  - {id: f, run: x, timeout: 2w}
                  - {id: g, run: x, timeout: 0.5s}
                  - {id: h, run: x, timeout: 1.33h}
                  - {id: i, run: x, timeout: 10}
                """)).containsExactly(
                "swarm.yaml:2:30: invalid duration '1H'; " + base + "; did you mean '1h'?",
                "swarm.yaml:3:30: invalid duration '1h 30m'; " + base + "; did you mean '1h30m'?",
                "swarm.yaml:4:30: invalid duration '1.5h'; " + base + "; did you mean '90m'?",
                "swarm.yaml:5:30: invalid duration '30min'; " + base + "; did you mean '30m'?",
                "swarm.yaml:6:30: invalid duration '5 seconds'; " + base + "; did you mean '5s'?",
                "swarm.yaml:7:30: invalid duration '2w'; " + base + "; did you mean '14d'?",
                "swarm.yaml:8:30: invalid duration '0.5s'; " + base + "; did you mean '500ms'?",
                "swarm.yaml:9:30: invalid duration '1.33h'; " + base,
                "swarm.yaml:10:30: invalid duration '10'; " + base);
    }
}
