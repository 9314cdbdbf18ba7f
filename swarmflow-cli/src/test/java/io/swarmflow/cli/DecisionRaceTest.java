package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.RunService;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code swarm approve} on a run no coordinator executes, racing a rejection that another coordinator applies (and
 * finishes the run with) between the approval's check and its insert: the approval must not say it was recorded.
 */
class DecisionRaceTest {
    @TempDir
    Path tmp;

    @Test
    void anApprovalInsertedAfterTheGateWasRejectedSaysAnotherDecisionWon() throws Exception {
        Path stateDir = tmp.resolve("state");
        Path spec = Files.writeString(tmp.resolve("gated.yaml"), "tickets:\n  - id: gate\n    approval: before-run\n    run: echo ran\n");
        Plan plan = new SpecLoader().load(spec, Map.of());
        String run;
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            run = w.service.create(plan, spec.toString());
            long epoch = w.store.claimRun(run, "otherhost:1@1", 60_000);
            w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false),
                    new RunEvent.TicketAwaitingApproval("gate"))).join();
            w.store.releaseRun(run, epoch); // its coordinator stopped: nothing executes the run now
        }
        StateOptions state = new StateOptions();
        state.stateDir = stateDir;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        try {
            assertThatThrownBy(() -> ControlCommands.decide(null, state, run, "gate", w -> {
                // another terminal rejected, and a resumed coordinator applied it and finished the run, after this
                // approval's check: then this approval's insert
                RunCommand reject = w.store.submitCommand(new RunCommand(0, run, RunCommand.Kind.REJECT, "gate", "bob", "no", 0));
                long epoch = w.store.claimRun(run, "otherhost:2@2", 60_000);
                w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:2@2", true),
                        new RunEvent.ApprovalRejected("gate", "bob", "no", reject.id()), new RunEvent.TicketFailed("gate", "rejected by bob: no"),
                        new RunEvent.RunFinished(RunState.FAILED))).join();
                w.store.markCommandsApplied(run, epoch, List.of(reject.id()));
                w.store.releaseRun(run, epoch);
                return w.store.submitCommand(new RunCommand(0, run, RunCommand.Kind.APPROVE, "gate", "ann", null, 0));
            }, "approved")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("not approved: another decision reached gate first (it has failed: rejected by bob: no)");
        } finally {
            Streams.clear();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("approved gate");
    }
}
