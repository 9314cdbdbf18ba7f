package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Review DWG F7: two {@code swarm resume} of one run at once. The second read the tickets (attempt 0 of ticket a) before
 * the first started attempt 1, and listed the log folders after it: it took the first's live attempt for a write the
 * database lost, and told the user to move its folder aside. It now reads the tickets again once it sees such a folder.
 * And where several folders are above the record, the refusal names each one to move.
 */
class LostAttemptWritesTest {
    @TempDir
    Path tmp;

    private static TicketView ticket(String id, TicketState state, int attempt) {
        return new TicketView("r", id, 0, state, attempt, 0, 0, null, null, Map.of(), null, 0, 0, 0);
    }

    @Test
    void aFolderOfAnAttemptAnotherResumeStartedMeanwhileIsNoLoss() throws Exception {
        Path runDir = tmp.resolve("runs/r");
        Path folder = Files.createDirectories(runDir.resolve("logs/a/1"));
        // the first read, from before the other resume started attempt 1; the second, after: the attempt is recorded
        Deque<List<TicketView>> reads = new ArrayDeque<>(List.of(List.of(ticket("a", TicketState.READY, 0)),
                List.of(ticket("a", TicketState.RUNNING, 1))));
        assertThatNoException().isThrownBy(() -> LostAttemptWrites.refuse("r", runDir, reads::pop, tmp.resolve("swarm.db")));
        assertThat(reads).as("read twice").isEmpty();
        assertThat(folder).isDirectory();
    }

    @Test
    void aLossSeenTwiceIsRefused_namingEachFolderToMove() throws Exception {
        Path runDir = tmp.resolve("runs/r");
        Path one = Files.createDirectories(runDir.resolve("logs/a/1"));
        Path two = Files.createDirectories(runDir.resolve("logs/a/2"));
        List<TicketView> stale = List.of(ticket("a", TicketState.READY, 0));
        assertThatThrownBy(() -> LostAttemptWrites.refuse("r", runDir, () -> stale, tmp.resolve("swarm.db")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("ticket a: the database records no attempt, yet " + one + " holds the logs of attempt 1 "
                        + "(the highest found is 2)")
                .hasMessageContaining("move the folders aside (`mv " + one + " " + one + ".lost`, `mv " + two + " " + two
                        + ".lost`) and resume again");
    }
}
