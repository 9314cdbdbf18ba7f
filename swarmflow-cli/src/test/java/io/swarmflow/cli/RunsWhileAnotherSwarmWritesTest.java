package io.swarmflow.cli;

import io.swarmflow.cli.RunsCommandCalls.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static io.swarmflow.cli.RunsCommandCalls.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review DWG F1 through the command: {@code swarm runs} of an idle state directory (no {@code swarm.db-wal}) while another
 * swarm starts, writes and ends between the listing and the damage check. It read the database as an immutable file and
 * called it damaged (exit 2, "move the state directory aside"); it now reads it with SQLite's locks and finds nothing.
 */
class RunsWhileAnotherSwarmWritesTest {
    @TempDir
    Path tmp;

    @AfterEach
    void noHook() {
        RunsDamage.beforeCheck = () -> {
        };
    }

    @Test
    void anotherSwarmWritingBetweenTheListingAndTheCheckIsNotDamage() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = RunsCommandCalls.manySpec(tmp, 1000);
        try (Wiring w = Wiring.create(state, Wiring.executor(state, new PrintStream(new ByteArrayOutputStream())))) {
            for (int i = 0; i < 5; i++) w.service.create(new io.swarmflow.spec.SpecLoader().load(spec, java.util.Map.of()), spec.toString());
        }
        AtomicInteger writes = new AtomicInteger();
        RunsDamage.beforeCheck = () -> {
            // another swarm starts, creates runs and ends (its close checkpoints into swarm.db)
            try (Wiring w = Wiring.create(state, Wiring.executor(state, new PrintStream(new ByteArrayOutputStream())))) {
                for (int i = 0; i < 2; i++) w.service.create(new io.swarmflow.spec.SpecLoader().load(spec, java.util.Map.of()), spec.toString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            writes.incrementAndGet();
        };
        for (int round = 0; round < 3; round++) {
            // idle again: a writer's open and close removes what the previous round's read left (an empty log, its -shm)
            Wiring.create(state, Wiring.executor(state, new PrintStream(new ByteArrayOutputStream()))).close();
            assertThat(state.resolve("swarm.db-shm")).as("round %d: nothing has the database open", round).doesNotExist();
            Result runs = swarm("runs", "--state-dir", state.toString());
            assertThat(runs.code()).as("round %d: %s", round, runs).isZero();
            assertThat(runs.err()).doesNotContain("damaged");
        }
        assertThat(writes).hasValue(3);
    }
}
