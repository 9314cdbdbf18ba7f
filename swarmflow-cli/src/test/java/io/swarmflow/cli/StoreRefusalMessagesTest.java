package io.swarmflow.cli;

import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code swarm} says of an append refused because an earlier append of the same coordinator failed
 * ({@link StoreException.EarlierAppendFailed}): the first failure, and how to go on, not "another coordinator took the run
 * over", which is said of a real takeover only.
 */
class StoreRefusalMessagesTest {
    private record Said(int code, String err) {}

    private static Said handle(Exception e) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = SwarmCli.handle(e, err, "run");
        return new Said(code, bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aRefusalAfterAFailedWriteSaysThatFailureExits4AndHowToResume() {
        StoreException.Unavailable full = new StoreException.Unavailable("could not write to /s/swarm.db: [SQLITE_FULL] database or disk "
                + "is full; nothing of these writes was recorded", null);

        Said said = handle(new StoreException.EarlierAppendFailed("r-1", 3, full));

        assertThat(said.code()).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(said.err()).isEqualTo("""
                swarm: could not write to /s/swarm.db: [SQLITE_FULL] database or disk is full; nothing of these writes was recorded
                swarm: run r-1 stopped: an earlier write of it failed, so the later ones were refused; what was recorded before this error is kept
                swarm: once the cause is fixed (a lock another process holds, free disk space, permissions, the database server), `swarm resume r-1` continues it
                """).doesNotContain("another coordinator", "internal error");
    }

    @Test
    void aRefusalAfterATakeoverAndATakeoverItselfSayAnotherCoordinatorTookTheRunOver() {
        StoreException.Fenced takeover = new StoreException.Fenced("run r-1 was taken over by another coordinator (epoch 4, this one "
                + "has 3); this coordinator must stop");
        String expected = "swarm: " + takeover.getMessage() + "; another coordinator took the run over\n";

        Said direct = handle(takeover);
        Said refused = handle(new StoreException.EarlierAppendFailed("r-1", 3, takeover));

        assertThat(direct.err()).isEqualTo(expected);
        assertThat(refused.err()).isEqualTo(expected);
        assertThat(refused.code()).isEqualTo(direct.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    }
}
