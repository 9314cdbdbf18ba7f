package io.swarmflow.cli;

import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
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
                Runnable apply = () -> { // as RunEngine does: the event durable first, then the command marked applied
                    List<Long> ids = w.store.pendingCommands(run).stream().map(RunCommand::id).toList();
                    w.store.append(run, epoch[0], List.of(new RunEvent.RunCancelRequested("swarm cancel (me@laptop)"))).join();
                    w.store.markCommandsApplied(run, epoch[0], ids);
                };
                RunStore racing = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                        (proxy, method, args) -> {
                            if (READS.contains(method.getName()) && reads.getAndIncrement() == gap) apply.run();
                            try {
                                return method.invoke(w.store, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                QueryCommands.Status.CancelShown shown = QueryCommands.Status.cancelShown(racing, snapshot, true);
                if (reads.get() <= gap) apply.run();
                assertThat(shown.applied() || shown.pending().isPresent()).as("cancel applied before read %d of %d", gap,
                        reads.get()).isTrue();
                assertThat(w.store.run(run).orElseThrow().cancelRequested()).as("the cancel was applied").isTrue();
            }
        }
    }
}
