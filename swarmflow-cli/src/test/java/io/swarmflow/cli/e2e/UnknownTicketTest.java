package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A TICKET the run does not have ({@code swarm logs RUN nosuch}), in every command that takes one: exit 2, and the error
 * says which run has no such ticket and how to find the right id: the nearest id, else a few of the run's ids (it named
 * only {@code swarm status RUN}).
 */
class UnknownTicketTest {
    @TempDir
    Path tmp;

    @Test
    void everyCommandTakingATicketNamesANearIdOrAFewOfTheRunsIds() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), """
                tickets:
                  - id: gate
                    approval: before-run
                    run: "true"
                  - {id: build, needs: [gate], run: "true"}
                  - {id: lint, needs: [gate], run: "true"}
                  - {id: test, needs: [gate], run: "true"}
                  - {id: docs, needs: [gate], run: "true"}
                  - {id: package, needs: [gate], run: "true"}
                  - {id: publish, needs: [gate], run: "true"}
                """);
        // approve and reject check a ticket only in a run that has not ended: the run waits at its gate meanwhile
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        try {
            CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
            String none = "swarm: run " + id + " has no ticket 'nosuch'; its tickets include gate, build, lint, test, docs and 2 "
                    + "more; `swarm status " + id + "` lists them all\n";
            for (String[] command : new String[][] {{"logs", id, "nosuch"}, {"status", id, "nosuch"}, {"approve", id, "nosuch"},
                    {"reject", id, "nosuch", "--reason", "no"}}) {
                Result r = swarm(with(command, "--state-dir", state.toString()));
                assertThat(r.code()).as("%s", r).isEqualTo(2);
                assertThat(r.err()).as(command[0]).isEqualTo(none);
            }
            Result mistyped = swarm("logs", id, "buld", "--state-dir", state.toString());
            assertThat(mistyped.code()).as("%s", mistyped).isEqualTo(2);
            assertThat(mistyped.err()).isEqualTo("swarm: run " + id + " has no ticket 'buld'; did you mean 'build'? `swarm status "
                    + id + "` lists its tickets\n");
        } finally {
            assertThat(swarm("cancel", id, "--state-dir", state.toString()).code()).isZero();
            assertThat(run.exit()).isEqualTo(130);
        }

        // a run of a few tickets: all of them
        Result small = swarm("run", Cli.write(tmp.resolve("two.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n"
                + "  - {id: b, run: \"true\"}\n").toString(), "--plain", "--state-dir", state.toString());
        assertThat(small.code()).as("%s", small).isZero();
        String two = CliEndToEndTest.runId(small);
        Result logs = swarm("logs", two, "nosuch", "--state-dir", state.toString());
        assertThat(logs.code()).as("%s", logs).isEqualTo(2);
        assertThat(logs.err()).isEqualTo("swarm: run " + two + " has no ticket 'nosuch'; its tickets are a, b; `swarm status "
                + two + "` lists them\n");
    }

    private static String[] with(String[] command, String... more) {
        String[] all = java.util.Arrays.copyOf(command, command.length + more.length);
        System.arraycopy(more, 0, all, command.length, more.length);
        return all;
    }
}
