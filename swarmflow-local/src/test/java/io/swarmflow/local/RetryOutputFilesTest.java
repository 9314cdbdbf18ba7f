package io.swarmflow.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.store.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry in the run's shared directory does not succeed with the output file a failed earlier attempt of its ticket
 * left (review-B F2, its retry part): that file is deleted before the retry, which must write its own; a file that was
 * there before the first attempt and that no attempt changed stays.
 */
class RetryOutputFilesTest {
    @TempDir
    Path tmp;

    private static AttemptResult attempt(Fixture f, PlannedTicket ticket, int n) throws Exception {
        Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
        return f.executor.execute(f.request(plan, ticket, n), new TestControl());
    }

    @Test
    void aRetryDoesNotTakeTheFileAFailedAttemptLeft() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket lazy = Fixture.ticket("lazy", "if [ \"$SWARM_ATTEMPT\" = 1 ]; then echo from-1 > out.txt; exit 1; fi")
                    .output(new OutputSpec("r", "out.txt", null)).build();
            assertThat(attempt(f, lazy, 1).outcome()).isEqualTo(Outcome.FAILED);
            AttemptResult second = attempt(f, lazy, 2);

            assertThat(second.outcome()).as("%s", second.outputs()).isEqualTo(Outcome.FAILED);
            assertThat(second.reason()).startsWith("output 'r': file out.txt not found in the run's shared directory ")
                    .endsWith(" (the one an earlier attempt of the ticket left was deleted before this attempt, which did "
                            + "not write it again)");

            PlannedTicket writes = Fixture.ticket("writes", "echo from-$SWARM_ATTEMPT > sub/w.txt; [ \"$SWARM_ATTEMPT\" = 3 ]")
                    .output(new OutputSpec("w", "sub/w.txt", null)).build();
            Files.createDirectories(f.runDir.resolve("scratch/sub"));
            assertThat(attempt(f, writes, 1).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(attempt(f, writes, 2).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(attempt(f, writes, 3).outputs()).containsEntry("w", "from-3");
        }
    }

    /** A file a ticket it needs wrote before its first attempt, which no attempt changed, is no earlier attempt's. */
    @Test
    void aFileThereBeforeTheFirstAttemptThatNoAttemptChangedStays() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket check = Fixture.ticket("check", "grep -q ready given.txt && [ \"$SWARM_ATTEMPT\" = 2 ]")
                    .output(new OutputSpec("g", "given.txt", null)).build();
            Files.createDirectories(f.runDir.resolve("scratch"));
            Files.writeString(f.runDir.resolve("scratch/given.txt"), "ready\n");

            assertThat(attempt(f, check, 1).outcome()).isEqualTo(Outcome.FAILED);
            AttemptResult second = attempt(f, check, 2);
            assertThat(second.outcome()).as(second.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(second.outputs()).containsEntry("g", "ready");
        }
    }

    /**
     * A file a ticket it needs wrote, which this ticket edits in place before failing (review D4 F1), stays for the
     * retry: it was there before the first attempt. Deleting it lost the other ticket's work for every later attempt.
     */
    @Test
    void aFileThereBeforeTheFirstAttemptThatAnAttemptEditedStays() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket edit = Fixture.ticket("edit", "echo edited-$SWARM_ATTEMPT >> data.txt; [ \"$SWARM_ATTEMPT\" = 2 ]")
                    .output(new OutputSpec("d", "data.txt", null)).build();
            Files.createDirectories(f.runDir.resolve("scratch"));
            Files.writeString(f.runDir.resolve("scratch/data.txt"), "from-upstream\n");

            assertThat(attempt(f, edit, 1).outcome()).isEqualTo(Outcome.FAILED);
            AttemptResult second = attempt(f, edit, 2);
            assertThat(second.outcome()).as(second.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(f.runDir.resolve("scratch/data.txt"))).isEqualTo("from-upstream\nedited-1\nedited-2\n");
        }
    }
}
