package io.swarmflow.cli;

import io.swarmflow.engine.InvalidRequestException;
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
 * {@code swarm approve} on a run no coordinator executes, racing a coordinator that settles the gate (and finishes the
 * run) between the approval's check and its insert: the approval must not say it was recorded, and says what happened.
 */
class DecisionRaceTest {
    @TempDir
    Path tmp;

    @Test
    void anApprovalInsertedAfterTheGateWasRejectedSaysAnotherDecisionWon() throws Exception {
        String run = stoppedAtGate("tickets:\n  - id: gate\n    approval: before-run\n    run: echo ran\n");
        approveRacing(run, w -> {
            // another terminal rejected, and a resumed coordinator applied it and finished the run, after this
            // approval's check: then this approval's insert
            RunCommand reject = w.store.submitCommand(new RunCommand(0, run, RunCommand.Kind.REJECT, "gate", "bob", "no", 0));
            long epoch = w.store.claimRun(run, "otherhost:2@2", 60_000);
            w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:2@2", true),
                    new RunEvent.ApprovalRejected("gate", "bob", "no", reject.id()), new RunEvent.TicketFailed("gate", "rejected by bob: no"),
                    new RunEvent.RunFinished(RunState.FAILED))).join();
            w.store.markCommandsApplied(run, epoch, List.of(reject.id()));
            w.store.releaseRun(run, epoch);
        }, "not approved: another decision reached gate first (it has failed: rejected by bob: no)");
    }

    /**
     * The gate is skipped by {@code --fail-fast} (another ticket failed) and the run ends between the approval's check and
     * its insert: no decision reached the gate, so the approval must not say one did, nor that it was recorded.
     */
    @Test
    void anApprovalInsertedAfterFailFastSkippedTheGateSaysTheTicketLeftItsGate() throws Exception {
        String run = stoppedAtGate("tickets:\n  - id: gate\n    approval: before-run\n    run: echo ran\n  - id: build\n    run: exit 1\n");
        approveRacing(run, w -> {
            // a resumed coordinator with --fail-fast saw build fail, skipped the gate and finished the run after this
            // approval's check: then this approval's insert
            long epoch = w.store.claimRun(run, "otherhost:2@2", 60_000);
            w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:2@2", true),
                    new RunEvent.TicketFailed("build", "exit code 1"), new RunEvent.TicketSkipped("gate", "fail-fast: build failed"),
                    new RunEvent.RunFinished(RunState.FAILED))).join();
            w.store.releaseRun(run, epoch);
        }, "not approved: gate left its approval gate before this decision was applied (it was skipped: fail-fast: build failed)");
    }

    /** A run of {@code yaml} whose ticket {@code gate} waits at its gate, and whose coordinator has stopped. */
    private String stoppedAtGate(String yaml) throws Exception {
        Path spec = Files.writeString(tmp.resolve("gated.yaml"), yaml);
        Plan plan = new SpecLoader().load(spec, Map.of());
        try (Wiring w = Wiring.create(stateDir(), Wiring.executor(stateDir(), new PrintStream(new ByteArrayOutputStream())))) {
            String run = w.service.create(plan, spec.toString());
            long epoch = w.store.claimRun(run, "otherhost:1@1", 60_000);
            w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false),
                    new RunEvent.TicketAwaitingApproval("gate"))).join();
            w.store.releaseRun(run, epoch); // its coordinator stopped: nothing executes the run now
            return run;
        }
    }

    private Path stateDir() {
        return tmp.resolve("state");
    }

    /** What happens between the check of {@code swarm approve RUN gate} and its insert. */
    private interface Between {
        void run(Wiring w) throws Exception;
    }

    /** Runs {@code swarm approve RUN gate} with {@code between} done after its check, and expects {@code error}. */
    private void approveRacing(String run, Between between, String error) {
        StateOptions state = new StateOptions();
        state.stateDir = stateDir();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        try {
            assertThatThrownBy(() -> ControlCommands.decide(null, state, run, java.util.List.of("gate"), RunCommand.Kind.APPROVE, (w, id, ticket) -> {
                try {
                    between.run(w);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return w.store.submitCommand(new RunCommand(0, id, RunCommand.Kind.APPROVE, "gate", "ann", null, 0));
            })).isInstanceOf(InvalidRequestException.class).hasMessage(error);
        } finally {
            Streams.clear();
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("approved gate");
    }
}
