package io.swarmflow.cli;

import io.swarmflow.store.AttemptView;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm status RUN TICKET} said an orphaned attempt's process group "no longer runs" where it could not know: a
 * {@code /proc} of another PID namespace (a container sharing the host's), a pid {@code /proc} hides, a process of
 * another time namespace. It now says it cannot tell, and why.
 */
class StatusOrphanCannotBeToldTest {
    private static final String WHY = "/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)";

    @Test
    void anOrphanWhoseStateCannotBeToldIsNotSaidToBeGone() {
        AttemptView a = attempt();

        String line = QueryCommands.Status.orphanLine(new QueryCommands.Status.Orphan(a, false, WHY), "r1");

        assertThat(line).isEqualTo("  attempt 1's process group (5273): whether it still runs cannot be told here: " + WHY
                + "; `swarm resume r1` does not kill it either");
        assertThat(line).doesNotContain("no longer runs");
    }

    @Test
    void oneThatCanBeToldIsSaidAsBefore() {
        assertThat(QueryCommands.Status.orphanLine(new QueryCommands.Status.Orphan(attempt(), false), "r1"))
                .startsWith("  attempt 1's process group (5273) no longer runs; `swarm resume r1` still ends ");
        assertThat(QueryCommands.Status.orphanLine(new QueryCommands.Status.Orphan(attempt(), true), "r1"))
                .startsWith("  attempt 1's process (group 5273) still runs, left by the stopped coordinator; ");
    }

    private static AttemptView attempt() {
        return new AttemptView("r1", "a", 1, null, null, null, 1, 0, 5273, 42, null);
    }
}
