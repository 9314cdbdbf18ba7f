package io.swarmflow.cli;

import io.swarmflow.store.RunState;
import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
        // its coordinator stopped: nothing executes the run now
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> OtherHostRun.session(w, id, 1));
        Path spec = created.spec();
        Path stateDir = created.stateDir();
        String run = created.run();
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
