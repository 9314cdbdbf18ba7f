package io.swarmflow.cli;

import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchException;

/**
 * The store fails after the run exists but before it executes (here the database file was moved away and a directory
 * put in its place: SQLite cannot open it, as a file it may not read; or its write-ahead log cannot be opened). {@code swarm run} said
 * "fix the cause and run the command again", and a second {@code swarm run} starts a second run: it now says the run
 * was created but not started, and that {@code swarm resume RUN} starts it. {@code swarm resume} names the run to
 * resume again. Both exit 4.
 */
class StoreFailsBeforeExecutionTest {
    @TempDir
    Path tmp;

    private record Said(int code, String out, String err) {}

    /** Calls {@code command} as {@code swarm NAME}, then says what {@link SwarmCli#handle} says of what it threw. */
    private static Said call(Callable<Integer> command, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), errStream);
        Exception thrown;
        try {
            thrown = catchException(command::call);
        } finally {
            Streams.clear();
        }
        assertThat(thrown).as("what %s threw", name).isNotNull();
        int code = SwarmCli.handle(thrown, errStream, name);
        return new Said(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Moves the database aside and puts a directory in its place: SQLite cannot open it (SQLITE_CANTOPEN, as for a file
     * it may not read), so the next connection the store opens fails.
     */
    private static void moveAside(Path stateDir) {
        try {
            Files.move(stateDir.resolve(Wiring.DB_FILE), stateDir.resolve("aside.db"));
            Files.createDirectory(stateDir.resolve(Wiring.DB_FILE));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void moveBack(Path stateDir) throws java.io.IOException {
        Files.delete(stateDir.resolve(Wiring.DB_FILE));
        Files.move(stateDir.resolve("aside.db"), stateDir.resolve(Wiring.DB_FILE));
    }

    @Test
    void runWhoseStoreFailsBeforeItExecutesSaysTheRunWasCreatedAndHowToStartItNotToRunAgain() throws Exception {
        Path spec = Files.writeString(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    run: echo a\n");
        Path stateDir = tmp.resolve("state");
        RunCommands.Run run = new RunCommands.Run();
        new CommandLine(run).parseArgs(spec.toString(), "--plain", "--state-dir", stateDir.toString());
        String[] created = new String[1];
        run.afterCreate = (w, runId) -> {
            created[0] = runId;
            moveAside(w.stateDir);
        };

        Said said = call(run, "run");

        String id = created[0];
        assertThat(said.code()).as("%s", said).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(said.err()).as("%s", said).contains(
                        "swarm: run " + id + " was created but not started: the state could not be read or written; it stays as it "
                                + "is, and "
                                + "`swarm run` again would start another run\n"
                                + "swarm: once the cause is fixed (a lock another process holds, free disk space, permissions, the "
                                + "database server), `swarm resume " + id + "` starts it\n")
                .doesNotContain("run the command again", "internal error", "\tat ");
        moveBack(stateDir);
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            List<RunView> runs = w.store.runs();
            assertThat(runs).singleElement().satisfies(r -> {
                assertThat(r.runId()).isEqualTo(id);
                assertThat(r.state()).isEqualTo(RunState.CREATED);
            });
        }
    }

    @Test
    void resumeWhoseStoreCannotBeReadNamesTheRunToResumeAgain() throws Exception {
        Path spec = Files.writeString(tmp.resolve("one.yaml"), "tickets:\n  - id: a\n    run: echo a\n");
        Path stateDir = tmp.resolve("state");
        String id;
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            id = w.service.create(new SpecLoader().load(spec, Map.of()), spec.toString());
        }
        RunCommands.Resume resume = new RunCommands.Resume();
        String prefix = id.substring(0, 10);
        new CommandLine(resume).parseArgs(prefix, "--plain", "--state-dir", stateDir.toString());
        // the write-ahead log cannot be opened (a directory in its place), so the database cannot be read: the run is
        // named as given, a prefix of its id
        Path log = stateDir.resolve(Wiring.DB_FILE + "-wal");
        Files.deleteIfExists(log);
        Files.createDirectory(log);

        Said said = call(resume, "resume");

        assertThat(said.code()).as("%s", said).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        assertThat(said.err()).as("%s", said).contains("swarm: run " + prefix + " was not resumed: the state could not be read "
                        + "or written; it stays as it is\nswarm: once the cause is fixed (a lock another process holds, free disk space, "
                        + "permissions, the database server), run `swarm resume " + prefix + "` again\n")
                .doesNotContain("run the command again", "internal error", "\tat ");
        assertThat(said.out()).isEmpty();
        Files.delete(log);
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            assertThat(w.service.requireRun(id).state()).isEqualTo(RunState.CREATED);
        }
    }
}
