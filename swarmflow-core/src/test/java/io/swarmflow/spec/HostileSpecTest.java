package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specs written to hurt the loader (huge graphs, odd numbers, control characters) get ordinary errors, quickly. */
class HostileSpecTest {
    @TempDir
    Path dir;

    @Test
    void manyOverlappingCyclesAreOneErrorWithOneExampleCycle() {
        // t0 -> t1 -> ... -> t2999, and each ticket also needs t0: 2,999 cycles sharing tickets, ~4.5 million ids long
        int n = 3000;
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < n - 1; i++) {
            yaml.append("  - {id: t").append(i).append(", needs: [t").append(i + 1).append(i > 0 ? ", t0" : "").append("]}\n");
        }
        yaml.append("  - {id: t").append(n - 1).append(", needs: [t0]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).containsExactly("swarm.yaml:3:5: dependency cycles among 3,000 tickets (t0, t1, t2, t3, t4, t5, t6, "
                + "t7, t8, t9 and 2,990 more), for example t0 -> t1 -> t0; "
                + "remove needs until none of these tickets needs itself, directly or through others");
    }

    @Test
    void aLongCycleIsShortenedInTheMiddle() {
        int n = 20_000;
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < n; i++) yaml.append("  - {id: t").append(i).append(", needs: [t").append((i + 1) % n).append("]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).containsExactly("swarm.yaml:3:5: dependency cycle: t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 "
                + "-> t8 -> t9 -> (19,989 more) -> t19999 -> t0; remove one of these needs");
    }

    @Test
    void eachGroupOfTicketsInACycleIsOneError() throws Exception {
        assertThat(errors(dir, """
                defaults: {agent: noop}
                tickets:
                  - {id: a, needs: [b]}
                  - {id: b, needs: [a, c]}
                  - {id: c, needs: [a]}
                  - {id: d, needs: [a]}
                  - {id: e, needs: [f]}
                  - {id: f, needs: [e]}
                """)).containsExactly(
                "swarm.yaml:3:5: dependency cycles among 3 tickets (a, b, c), for example a -> b -> a; "
                        + "remove needs until none of these tickets needs itself, directly or through others",
                "swarm.yaml:7:5: dependency cycle: e -> f -> e; remove one of these needs");
    }
}
