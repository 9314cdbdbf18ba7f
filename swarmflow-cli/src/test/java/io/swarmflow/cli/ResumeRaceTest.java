package io.swarmflow.cli;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.StoreException;
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
 * Two {@code swarm resume RUN} started at once: both pass the check that no coordinator executes the run, and only one
 * claims it. The other printed "resuming run R (running)" (and the note on an edited spec) before it was refused, as if
 * it went on with the run. It now says only why it was refused.
 */
class ResumeRaceTest {
    @TempDir
    Path tmp;

    @Test
    void aResumeThatLosesTheRunToAnotherSaysNothingButWhy() throws Exception {
        Path spec = Files.writeString(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    run: echo a\n");
        Plan plan = new SpecLoader().load(spec, Map.of());
        Path stateDir = tmp.resolve("state");
        String run;
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            run = w.service.create(plan, spec.toString());
            long epoch = w.store.claimRun(run, "otherhost:1@1", 60_000);
            w.store.append(run, epoch, List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false))).join();
            w.store.releaseRun(run, epoch); // its coordinator stopped: nothing executes the run now
            Files.createDirectories(w.runDir(run)); // made when the run started
        }
        Files.writeString(spec, "tickets:\n  - id: a\n    run: echo edited\n"); // a resume notes the edit
        RunCommands.Resume resume = new RunCommands.Resume();
        resume.runId = run;
        resume.state = new StateOptions();
        resume.state.stateDir = stateDir;
        resume.exec.plain = true;
        // the other resume, started at the same time, claims the run after this one's check
        resume.beforeClaim = w -> w.store.claimRun(run, "otherhost:2@2", 60_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThatThrownBy(resume::call).isInstanceOf(StoreException.RunLocked.class).hasMessageContaining("is held by otherhost:2@2");
        } finally {
            Streams.clear();
        }

        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(w.service.requireRun(run).state()).isEqualTo(RunState.RUNNING);
            assertThat(w.store.lease(run).orElseThrow().owner()).isEqualTo("otherhost:2@2");
        }
    }
}
