package io.swarmflow.cli;

import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm status} of a live run with a cancel requested shows "being cancelled" whether the coordinator applied it
 * before the run was read, after, or between the reads: it read the run for its snapshot, then the pending commands, and a
 * cancel applied in between was in neither (the race {@code swarm resume}'s check had: {@link CancelUnderWayOrderTest}).
 * Here the coordinator applies the cancel before each of the store reads in turn, and after them all.
 */
class StatusCancelOrderTest {
    @TempDir
    Path tmp;

    private static final Set<String> READS = Set.of("run", "pendingCommands");

    @Test
    void aCancelAppliedBetweenTheReadsIsShown() throws Exception {
        for (int applyBefore = 0; applyBefore <= READS.size(); applyBefore++) {
            Path dir = tmp.resolve("gap" + applyBefore);
            java.nio.file.Files.createDirectories(dir);
            long[] epoch = new long[1];
            OtherHostRun created = OtherHostRun.create(dir, (w, id) -> {
                epoch[0] = OtherHostRun.start(w, id, 1);
                w.store.submitCommand(new RunCommand(0, id, RunCommand.Kind.CANCEL, null, "me@laptop", null, 0));
            });
            String run = created.run();
            try (Wiring w = Wiring.existing(created.stateDir(), new PrintStream(new ByteArrayOutputStream()))) {
                RunView snapshot = w.store.run(run).orElseThrow(); // the run as status read it, the cancel not applied yet
                AtomicInteger reads = new AtomicInteger();
                int gap = applyBefore;
                Runnable apply = OtherHostRun.cancelApplier(w, run, epoch[0]);
                RunStore racing = OtherHostRun.racing(w.store, READS, gap, reads, apply);
                QueryCommands.Status.CancelShown shown = QueryCommands.Status.cancelShown(racing, snapshot, true);
                if (reads.get() <= gap) apply.run();
                assertThat(shown.applied() || shown.pending().isPresent()).as("cancel applied before read %d of %d", gap,
                        reads.get()).isTrue();
                assertThat(w.store.run(run).orElseThrow().cancelRequested()).as("the cancel was applied").isTrue();
            }
        }
    }
}
