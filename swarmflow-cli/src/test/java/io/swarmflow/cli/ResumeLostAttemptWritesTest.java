package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm resume} of a run whose database lost writes that the file system kept (a {@code swarm.db} restored from an
 * older backup): an attempt it is about to start already has its log folder. It refuses (exit 2), naming the folder and
 * the ways out, and changes nothing: the run is not claimed, the folder's logs are not overwritten.
 */
class ResumeLostAttemptWritesTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static RunView read(Path stateDir, String run) {
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            return w.service.requireRun(run);
        }
    }

    @Test
    void anAttemptWhoseLogFolderIsThereButNotInTheDatabaseIsNotRunAgain() throws Exception {
        // a run whose coordinator started it and was killed; the database records no attempt of ticket a
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> OtherHostRun.session(w, id, 1));
        Path stateDir = created.stateDir();
        String run = created.run();
        // ... but attempt 1 ran and logged: the store lost its start (an older swarm.db restored)
        Path folder = stateDir.resolve("runs").resolve(run).resolve("logs").resolve("a").resolve("1");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("stdout.log"), "what attempt 1 printed\n");
        RunView before = read(stateDir, run);

        Result r = swarm("resume", run, "--plain", "--state-dir", stateDir.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).contains("run " + run + " cannot be resumed", stateDir.resolve("swarm.db") + " lost writes",
                "ticket a: the database records no attempt, yet " + folder + " holds the logs of attempt 1",
                "nothing was changed", "from a newer backup", "`mv " + folder + " " + folder + ".lost`");
        assertThat(Files.readString(folder.resolve("stdout.log"))).isEqualTo("what attempt 1 printed\n");
        RunView after = read(stateDir, run);
        assertThat(after.state()).isEqualTo(RunState.RUNNING);
        assertThat(after.lastSeq()).as("no event recorded").isEqualTo(before.lastSeq());
        assertThat(after.epoch()).as("not claimed").isEqualTo(before.epoch());

        // the way out it gives: the folder moved aside, the ticket runs again as attempt 1
        Files.move(folder, folder.resolveSibling("1.lost"));
        Result resumed = swarm("resume", run, "--plain", "--quiet", "--state-dir", stateDir.toString());
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(read(stateDir, run).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(Files.readString(folder.resolve("stdout.log"))).isEqualTo("a\n");
    }

    @Test
    void aFolderOfTheAttemptTheDatabaseRecordsIsNoLoss() throws Exception {
        // attempt 1 started (recorded) and its coordinator was killed: its folder is the recorded attempt's
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> OtherHostRun.session(w, id, 1,
                new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 60_000)));
        Path stateDir = created.stateDir();
        String run = created.run();
        Path folder = stateDir.resolve("runs").resolve(run).resolve("logs").resolve("a").resolve("1");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("stdout.log"), "cut short\n");

        Result resumed = swarm("resume", run, "--plain", "--quiet", "--state-dir", stateDir.toString());

        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(Files.readString(folder.resolveSibling("2").resolve("stdout.log"))).isEqualTo("a\n");
        assertThat(Files.readString(folder.resolve("stdout.log"))).isEqualTo("cut short\n");
    }
}
