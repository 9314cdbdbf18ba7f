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

    /**
     * {@code runs} a symbolic link to nothing (review R6, finding 2): followed, it looked like "no runs yet", and
     * {@code swarm run} stored a run whose directory could not be made, listed as {@code created} for ever. Refused as
     * {@code runs} a file is, by every command, before anything is stored; fails without the dangling-link check (exit 4
     * after the run was created).
     */
    @Test
    void runsThatIsASymbolicLinkToNothingIsRefusedByEveryCommandBeforeAnythingIsStored() throws Exception {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path runs = state.resolve("runs");
        Path kept = Files.move(runs, tmp.resolve("runs-kept"));
        Path nowhere = tmp.resolve("nowhere-runs");
        Files.createSymbolicLink(runs, nowhere);
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));

        for (List<String> command : List.of(List.of("run", spec().toString(), "--plain"), List.of("resume", run),
                List.of("status", run), List.of("runs"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));

            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).isEqualTo("swarm: " + runs + " is a symbolic link to " + nowhere + ", which does "
                    + "not exist: swarm keeps each run's logs, worktrees and report in it: a run created would never start; "
                    + "nothing was changed. Make that directory (owner-only: `mkdir -m 700 " + nowhere + "`), or remove the "
                    + "link (`rm " + runs + "`), and run the command again\n");
        }
        assertThat(Files.readAllBytes(state.resolve("swarm.db"))).as("no run created").isEqualTo(db);
        assertThat(nowhere).doesNotExist();
        Files.delete(runs);
        Files.move(kept, runs);
        Result after = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(after.json()).as("%s", after).hasSize(1);
    }

    /** The same in a new state directory: no database is made. */
    @Test
    void runsThatIsASymbolicLinkToNothingInANewStateDirectoryMakesNoDatabase() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Files.createSymbolicLink(state.resolve("runs"), tmp.resolve("nowhere-runs"));

        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).startsWith("swarm: " + state.resolve("runs") + " is a symbolic link to "
                + tmp.resolve("nowhere-runs") + ", which does not exist");
        try (var files = Files.list(state)) {
            assertThat(files.toList()).containsExactly(state.resolve("runs"));
        }
    }

    /** {@code runs} a symbolic link to a directory stays accepted: the runs' files go there. */
    @Test
    void runsThatIsASymbolicLinkToADirectoryIsUsed() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere-runs"));
        Files.createSymbolicLink(state.resolve("runs"), elsewhere);

        String run = finishedRun(state);

        assertThat(elsewhere.resolve(run)).isDirectory();
        Result status = swarm("status", run, "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
    }

    /**
     * {@code swarm.db} a symbolic link to nothing (review R6, finding 6): SQLite made the database at the link's target
     * with the umask's mode (0644), where swarm's own is 0600 (it holds {@code --var} values and env). Refused, and the
     * target is not made; fails without the dangling-link check (exit 0, the target 0644).
     */
    @Test
    void aDatabaseThatIsASymbolicLinkToNothingIsRefusedAndNotMade() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path db = state.resolve("swarm.db");
        Path nowhere = tmp.resolve("nowhere.db");
        Files.createSymbolicLink(db, nowhere);

        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).isEqualTo("swarm: " + db + " is a symbolic link to " + nowhere + ", which does not "
                + "exist: SQLite would create the database there, with the umask's mode rather than owner-only; nothing was "
                + "changed. Make that file (owner-only: `install -m 600 /dev/null " + nowhere + "`), or remove the link (`rm "
                + db + "`), and run the command again\n");
        assertThat(nowhere).doesNotExist();
    }

    /**
     * {@code swarm.db.migration-lock} a directory (review R6, finding 4): exit 2, as docs/cli.md says, with the fix
     * (remove or rename it), not "check the permissions" and the generic line of an unavailable store.
     */
    @Test
    void aMigrationLockThatIsADirectoryIsRefusedWithTheFix() throws Exception {
        Path state = Files.createDirectory(tmp.resolve("state"));
        Path lock = Files.createDirectory(state.resolve("swarm.db.migration-lock"));

        Result r = swarm("run", spec().toString(), "--plain", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).isEqualTo("swarm: cannot open " + state.resolve("swarm.db") + ": cannot lock " + lock
                + " to migrate its schema: it is a directory, not the empty lock file swarm makes there; nothing was changed. "
                + "Remove or rename it (for example `mv " + lock + " " + lock + ".old`) and run the command again\n");
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
