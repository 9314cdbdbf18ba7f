package io.swarmflow.cli;

import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm resume} of a run whose cancel is under way says "is being cancelled". It read the run's
 * {@code cancelRequested} from a run read before, then the pending commands: a coordinator that applied the cancel
 * between the two (recorded {@code RunCancelRequested}, then marked the command applied) was missed by both checks, and
 * resume said "being executed by another swarm process" (a rare CancelWaitTest failure under load). It now reads the
 * pending commands first, then the run. Here the coordinator applies the cancel before each of the check's reads of the
 * store in turn (and after them all): the check sees it every time.
 */
class CancelUnderWayOrderTest {
    @TempDir
    Path tmp;

    /** The store's reads the check is made of; the cancel is applied before the read numbered {@code applyBefore}. */
    private static final Set<String> READS = Set.of("run", "pendingCommands");

    @Test
    void aCancelAppliedBetweenTheReadsIsSeen() throws Exception {
        for (int applyBefore = 0; applyBefore <= READS.size(); applyBefore++) {
            Path dir = tmp.resolve("gap" + applyBefore);
            java.nio.file.Files.createDirectories(dir);
            long[] epoch = new long[1];
            OtherHostRun created = OtherHostRun.create(dir, (w, id) -> {
                epoch[0] = OtherHostRun.start(w, id, 1); // its coordinator holds the run
                w.store.submitCommand(new RunCommand(0, id, RunCommand.Kind.CANCEL, null, "me@laptop", null, 0));
            });
            String run = created.run();
            try (Wiring w = Wiring.existing(created.stateDir(), new PrintStream(new ByteArrayOutputStream()))) {
                AtomicInteger reads = new AtomicInteger();
                int gap = applyBefore;
                Runnable apply = OtherHostRun.cancelApplier(w, run, epoch[0]);
                RunStore racing = OtherHostRun.racing(w.store, READS, gap, reads, apply);
                boolean underWay = RunCommands.cancelUnderWay(racing, run);
                if (reads.get() <= gap) apply.run(); // applied after every read: the check saw the cancel pending
                assertThat(underWay).as("cancel applied before read %d of %d", gap, reads.get()).isTrue();
                assertThat(w.store.run(run).orElseThrow().cancelRequested()).as("the cancel was applied").isTrue();
                assertThat(w.store.pendingCommands(run)).isEmpty();
            }
        }
    }
}
