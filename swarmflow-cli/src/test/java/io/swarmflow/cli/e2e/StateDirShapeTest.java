package io.swarmflow.cli.e2e;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.e2e.Cli.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory whose parts have the wrong shape (review R1, findings 2, 3 and 6): {@code runs} a file,
 * {@code swarm.db} a directory, or a directory where no database file can be made. Every command refuses it before
 * anything is stored (exit 2), naming the path, what is wrong with it and the fix.
 */
class StateDirShapeTest {
    @TempDir
    Path tmp;

    private Path spec() {
        return Cli.write(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
    }

    /** A state directory holding one finished run; its id. */
    private String finishedRun(Path state) {
        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        Result runs = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isZero();
        return runs.json().get(0).get("id").asText();
    }

    @Test
    void runsThatIsAFileIsRefusedByEveryCommandBeforeAnythingIsStored() throws Exception {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path runs = state.resolve("runs");
        Path kept = Files.move(runs, tmp.resolve("runs-kept"));
        Files.writeString(runs, "x\n");
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));

        for (List<String> command : List.of(List.of("run", spec().toString(), "--plain"), List.of("resume", run),
                List.of("report", run), List.of("status", run), List.of("runs"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: " + runs + " is a file, not a directory")
                    .contains("nothing was changed", "Remove or rename it").doesNotContain("resume", "disk space");
        }
        assertThat(Files.readAllBytes(state.resolve("swarm.db"))).as("no run created").isEqualTo(db);
        Files.delete(runs);
        Files.move(kept, runs);
        Result after = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(after.json()).as("%s", after).hasSize(1);
    }

    @Test
    void runsThatIsAFileInANewStateDirectoryMakesNoDatabase() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Files.writeString(state.resolve("runs"), "x\n");

        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: " + state.resolve("runs") + " is a file, not a directory");
        try (var files = Files.list(state)) {
            assertThat(files.toList()).containsExactly(state.resolve("runs"));
        }
    }

    @Test
    void aDatabaseThatIsADirectoryBesideRunsIsNamedWithTheRunsItLost() throws Exception {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        Files.delete(db);
        Files.createDirectory(db);

        for (List<String> command : List.of(List.of("runs"), List.of("status", run), List.of("report", run),
                List.of("run", spec().toString(), "--plain"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: " + db + " is a directory, not a database file, but "
                    + state.resolve("runs") + " holds the files of 1 run (" + run + ")")
                    .contains("nothing was changed", "Remove or rename it", "restore " + db + " from a backup")
                    .doesNotContain("no Swarmflow state", "SQLITE");
        }
        try (var files = Files.list(state.resolve("runs"))) {
            assertThat(files.toList()).as("no run created").hasSize(1);
        }
    }

    @Test
    void aDatabaseThatIsADirectoryWithoutRunsIsRefused() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = Files.createDirectory(state.resolve("swarm.db"));

        for (List<String> command : List.of(List.of("runs"), List.of("run", spec().toString(), "--plain"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).startsWith("swarm: " + db + " is a directory, not a database file; nothing was "
                    + "changed. Remove or rename it");
        }
        try (var files = Files.list(state)) {
            assertThat(files.toList()).containsExactly(db);
        }
    }

    /** /proc takes no new file (ENOENT for root, EACCES otherwise): the reason and the fix, exit 2, no class name. */
    @Test
    void aStateDirectoryWhereNoDatabaseCanBeMadeIsRefusedWithTheReason() {
        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", "/proc");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory /proc cannot be used: cannot create /proc/swarm.db: ")
                .contains("(/proc is not a directory you can write to); point --state-dir (or SWARM_STATE_DIR) at a directory "
                        + "you can write to").doesNotContain("Exception", "disk space");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void aStateDirectoryThatCannotBeMadeSaysWhyWithoutAClassName() {
        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", "/proc/self/x");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: the state directory /proc/self/x cannot be created: ")
                .contains("(/proc/self is not a directory you can write to); point --state-dir").doesNotContain("Exception", "java.");
    }
}
