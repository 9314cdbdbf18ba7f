package io.swarmflow.cli.report;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.spec.Plan;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code swarm report} of a run whose directory is missing: the directory of a started run that can be resumed is not
 * made again (its logs, scratch files and worktrees are gone, and {@code swarm resume} must still see that); an ended
 * run, or one that never started, gets one made owner-only, as its coordinator makes it.
 */
class ReportRunDirectoryTest {
    @TempDir
    Path tmp;

    private static RunReport.Source source(RunView run) {
        return new RunReport.Source() {
            @Override public RunView run() { return run; }
            @Override public Plan plan() { return Fixtures.finishedPlan(); }
            @Override public List<TicketView> tickets() { return Fixtures.finishedTickets(); }
            @Override public List<AttemptView> attempts() { return Fixtures.finishedAttempts(); }
        };
    }

    @Test
    void theMissingDirectoryOfARunThatCanBeResumedIsNotMadeAgain() {
        RunView end = Fixtures.finishedRun();
        RunView run = new RunView(end.runId(), end.name(), end.specPath(), RunState.CANCELLED, end.createdAtMillis(),
                end.startedAtMillis(), end.finishedAtMillis(), end.epoch(), end.owner(), false, end.ticketCount(), end.lastSeq());
        Path runDir = tmp.resolve("runs").resolve(run.runId());

        assertThatThrownBy(() -> RunReport.writeCurrent(source(run), runDir))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("the directory of run " + run.runId() + ", " + runDir + ", is missing")
                .hasMessageContaining("nothing was written");
        assertThat(runDir).doesNotExist();
        assertThat(runDir.getParent()).doesNotExist();
    }

    /** An ended run cannot be resumed: its report is written from the store into a new, owner-only directory. */
    @Test
    void anEndedRunGetsAnOwnerOnlyDirectoryAgain() throws Exception {
        RunView run = Fixtures.finishedRun(); // failed
        Path runDir = tmp.resolve("runs").resolve(run.runId());

        RunReport.writeCurrent(source(run), runDir);

        assertThat(runDir.resolve("report.json")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir))).isEqualTo("rwx------");
    }

    @Test
    void aRunThatNeverStartedGetsAnOwnerOnlyDirectory() throws Exception {
        RunView end = Fixtures.finishedRun();
        RunView created = new RunView(end.runId(), end.name(), end.specPath(), RunState.CREATED, end.createdAtMillis(),
                0, 0, end.epoch(), end.owner(), false, end.ticketCount(), end.lastSeq());
        Path runDir = tmp.resolve("runs").resolve(end.runId());

        RunReport.writeCurrent(source(created), runDir);

        assertThat(runDir.resolve("report.html")).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir.getParent()))).isEqualTo("rwx------");
    }
}
