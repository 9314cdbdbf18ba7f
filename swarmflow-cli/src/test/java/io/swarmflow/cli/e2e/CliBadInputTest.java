package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad input of every kind: exit code 2, a message on stderr that names the problem, and nothing stored
 * (no state directory, or no new run and no new event in an existing one).
 */
class CliBadInputTest {
    @TempDir
    Path tmp;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Stream<Arguments> badSpecs() {
        StringBuilder big = new StringBuilder("tickets:\n  - id: a\n    run: echo\n# ");
        big.append("x".repeat(10 * 1024 * 1024)).append('\n');

        StringBuilder bomb = new StringBuilder("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            String prev = "*" + (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, prev))).append("]\n");
        }
        bomb.append("tickets:\n  - id: a\n    run: echo\n");

        String deep = "tickets:\n  - id: a\n    run: echo\n    env: " + "{a: ".repeat(100) + "1" + "}".repeat(100) + "\n";

        byte[] garbage = new byte[4096];
        new Random(42).nextBytes(garbage);
        byte[] notUtf8 = utf8("tickets:\n  - id: a\n    run: echo X\n");
        notUtf8[notUtf8.length - 3] = (byte) 0xff; // invalid UTF-8, no NUL byte

        return Stream.of(
                Arguments.of("cycle", utf8("""
                        tickets:
                          - id: a
                            needs: [b]
                            run: echo a
                          - id: b
                            needs: [a]
                            run: echo b
                        """), List.of("dependency cycle: a -> b -> a"), 2),
                Arguments.of("longer cycle", utf8("""
                        tickets:
                          - id: a
                            needs: [c]
                            run: echo
                          - id: b
                            needs: [a]
                            run: echo
                          - id: c
                            needs: [b]
                            run: echo
                          - id: ok
                            run: echo
                        """), List.of("dependency cycle: a -> c -> b -> a"), 2),
                Arguments.of("missing dependency", utf8("""
                        tickets:
                          - id: build
                            run: echo
                          - id: test
                            needs: [buld]
                            run: echo
                        """), List.of("ticket 'test' needs 'buld', which is not a ticket", "did you mean 'build'?"), 5),
                Arguments.of("duplicate id", utf8("""
                        tickets:
                          - id: a
                            run: echo
                          - id: a
                            run: echo
                        """), List.of("duplicate ticket id 'a'"), 4),
                Arguments.of("unknown key", utf8("""
                        tickets:
                          - id: a
                            neds: [b]
                            run: echo
                          - id: b
                            run: echo
                        """), List.of("unknown key 'neds' in a ticket; did you mean 'needs'?"), 3),
                Arguments.of("path in an id", utf8("tickets:\n  - id: ../x\n    run: echo\n"), List.of("invalid ticket id '../x'"), 2),
                Arguments.of("10 MiB file", utf8(big.toString()), List.of("10.0 MiB", "limit is 1.0 MiB"), 0),
                Arguments.of("alias bomb", utf8(bomb.toString()), List.of("too many YAML aliases", "alias bombs"), 0),
                Arguments.of("deep nesting", utf8(deep), List.of("nested deeper than 32 levels"), 0),
                Arguments.of("invalid durations", utf8("""
                        tickets:
                          - id: a
                            run: echo
                            timeout: 10x
                            retries: {max: 2, backoff: {initial: 5, max: -1s}}
                        """), List.of("invalid duration '10x'", "invalid duration '5'", "invalid duration '-1s'", "3 errors"), 4),
                Arguments.of("binary garbage", garbage, List.of("not a text file"), 0),
                Arguments.of("not UTF-8", notUtf8, List.of("invalid UTF-8: byte 0xFF", "save it as UTF-8"), 3),
                Arguments.of("not a mapping", utf8("- just\n- a list\n"), List.of("swarm.yaml"), 0),
                Arguments.of("empty", new byte[0], List.of("swarm.yaml"), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void aBadSpecIsRejectedWithAClearMessageAndNothingStored(String name, byte[] content, List<String> expected, int line)
            throws IOException {
        Path spec = tmp.resolve("swarm.yaml");
        Files.write(spec, content);
        Path state = tmp.resolve("state");
        for (String command : List.of("run", "validate")) {
            Result r = command.equals("run") ? swarm("run", spec.toString(), "--plain", "--state-dir", state.toString())
                    : swarm("validate", spec.toString(), "--state-dir", state.toString());
            assertThat(r.code()).as("%s %s: %s", command, name, r).isEqualTo(2);
            assertThat(r.err()).as(name).contains(expected);
            // validate runs nothing, so it does not say so
            if (command.equals("run")) assertThat(r.err()).as(name).contains("nothing was run");
            else assertThat(r.err()).as(name).doesNotContain("nothing was run");
            if (line > 0) assertThat(r.err()).as(name).containsPattern("(?m)^" + java.util.regex.Pattern.quote(spec.toString()) + ":" + line + ":\\d+: ");
            else assertThat(r.err()).as(name).contains(spec.toString());
            assertThat(r.out()).as(name).isEmpty();
            assertThat(state).as("state dir after %s %s", command, name).doesNotExist();
        }
    }

    @Test
    void aStateDirectoryThatIsAFileIsInvalidInput() throws Exception {
        Path file = Cli.write(tmp.resolve("afile"), "not a directory\n");
        Path spec = Cli.write(tmp.resolve("ok.yaml"), "tickets:\n  - id: a\n    run: echo\n");
        for (Path stateDir : List.of(file, file.resolve("sub"))) {
            Result r = swarm("run", spec.toString(), "--state-dir", stateDir.toString());
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).contains("the state directory " + stateDir + " cannot be created", file + " is a file, not a directory",
                    "point --state-dir (or SWARM_STATE_DIR) at a directory").doesNotContain("internal error", "Exception");
        }
        assertThat(Files.readString(file)).isEqualTo("not a directory\n");
    }

    @Test
    void aStateDirectoryThatCannotBeWrittenIsInvalidInput() throws Exception {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        for (Path readOnly : List.of(state, db)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(makeReadOnly(readOnly, true), "cannot make a file read-only here");
            try {
                byte[] before = Files.readAllBytes(db);
                for (String[] args : List.of(new String[]{"run", tmp.resolve("ok.yaml").toString(), "--plain"},
                        new String[]{"resume", run}, new String[]{"report", run})) {
                    Result r = swarm(with(args, "--state-dir", state.toString()));
                    assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
                    assertThat(r.err()).contains("the state directory " + state + " cannot be written: " + readOnly + " is read-only",
                            "point --state-dir (or SWARM_STATE_DIR) at a directory").doesNotContain("internal error", "Exception");
                }
                // the commands that only read it read it (ReadOnlyStateDirTest)
                Result status = swarm("status", run, "--state-dir", state.toString());
                assertThat(status.code()).as("%s", status).isZero();
                assertThat(Files.readAllBytes(db)).isEqualTo(before);
            } finally {
                makeReadOnly(readOnly, false);
            }
        }
        assertThat(state.resolve("runs").toFile().list()).containsExactly(run);
    }

    /** chmod for a user, the immutable attribute for root (whom permissions do not stop); false when neither works. */
    private static boolean makeReadOnly(Path p, boolean readOnly) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                    readOnly ? (Files.isDirectory(p) ? "r-xr-xr-x" : "r--r--r--") : (Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--")));
            return Files.isWritable(p) != readOnly;
        }
        try {
            Process chattr = new ProcessBuilder("chattr", readOnly ? "+i" : "-i", p.toString()).redirectErrorStream(true).start();
            chattr.getInputStream().readAllBytes();
            return chattr.waitFor() == 0 && Files.isWritable(p) != readOnly;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void badVarFlagsAreInvalidInputWithClearMessages() {
        Path spec = Cli.write(tmp.resolve("v.yaml"), "vars: {who: me}\ntickets:\n  - id: a\n    run: echo ${{ vars.who }}\n");
        Result noName = swarm("validate", spec.toString(), "--var", "=x");
        assertThat(noName.code()).as("%s", noName).isEqualTo(2);
        // review R LOW-1: a command-line mistake, not one of the spec's ("v.yaml: ...", "the spec has 1 error")
        assertThat(noName.err()).startsWith("swarm: --var '=x' has no variable name before '='; write --var NAME=VALUE")
                .doesNotContain("v.yaml", "the spec has");
        Result noEquals = swarm("validate", spec.toString(), "--var", "x");
        assertThat(noEquals.code()).as("%s", noEquals).isEqualTo(2);
        assertThat(noEquals.err()).contains("swarm: --var 'x' has no '=' between the variable's name and its value; write --var x=VALUE")
                .doesNotContain("option option").doesNotContain("KEY=VALUE format");
        for (String command : List.of("validate", "run")) {
            Result twice = swarm(command, spec.toString(), "--var", "who=a", "--var", "who=b", "--state-dir", tmp.resolve("st").toString());
            assertThat(twice.code()).as("%s", twice).isEqualTo(2);
            assertThat(twice.err()).contains("--var who is given twice, as 'a' and as 'b'; give each variable once");
        }
        assertThat(tmp.resolve("st")).doesNotExist();
        Result same = swarm("validate", spec.toString(), "--var", "who=a", "--var", "who=a");
        assertThat(same.code()).as("%s", same).isZero();
        Result unknown = swarm("validate", spec.toString(), "--var", "whom=x");
        assertThat(unknown.code()).as("%s", unknown).isEqualTo(2);
        assertThat(unknown.err()).contains("--var whom is not declared in vars", "did you mean 'who'?");
    }

    @Test
    void aMissingSpecFileIsInvalidInput() {
        Path state = tmp.resolve("state");
        Result r = swarm("run", tmp.resolve("nope.yaml").toString(), "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml");
        assertThat(state).doesNotExist();
    }

    @Test
    void aBadSpecAddsNoRunToAnExistingStateDirectory() {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path bad = Cli.write(tmp.resolve("bad.yaml"), "tickets:\n  - id: a\n    needs: [a]\n    run: echo\n  - id: b\n    needs: [c]\n    run: echo\n  - id: c\n    needs: [b]\n    run: echo\n");
        Result r = swarm("run", bad.toString(), "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("ticket 'a' needs itself", "dependency cycle: b -> c -> b");
        Result runs = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(runs.json()).hasSize(1);
        assertThat(runs.json().get(0).get("id").asText()).isEqualTo(run);
        assertThat(Arrays.stream(state.resolve("runs").toFile().list()).toList()).containsExactly(run);
    }

    /** A finished run of two noop tickets; returns its id. */
    private String finishedRun(Path state) {
        Path spec = Cli.write(tmp.resolve("ok.yaml"), """
                tickets:
                  - id: a
                    agent: noop
                  - id: b
                    agent: noop
                    needs: [a]
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        return CliEndToEndTest.runId(r);
    }

    private static List<String[]> commandsOn(String run) {
        return List.of(
                new String[]{"status", run},
                new String[]{"report", run},
                new String[]{"status", run, "--json"},
                new String[]{"resume", run, "--plain"},
                new String[]{"logs", run, "a"},
                new String[]{"approve", run, "a"},
                new String[]{"reject", run, "a", "--reason", "no"},
                new String[]{"cancel", run});
    }

    private static String[] with(String[] args, String... more) {
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void anUnknownRunIdIsInvalidInputNamesTheStateDirectorySearchedAndChangesNothing() {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        long events = CliEndToEndTest.eventCount(state, run);
        for (String id : List.of("no-such-run", "../" + run, "")) {
            for (String[] args : commandsOn(id)) {
                Result r = swarm(with(args, "--state-dir", state.toString()));
                assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
                assertThat(r.err()).as("%s", List.of(args)).contains("no run '" + id + "' in the state directory "
                        + state.toAbsolutePath().normalize() + ";", "swarm runs", "--state-dir DIR or SWARM_STATE_DIR");
            }
        }
        assertThat(CliEndToEndTest.eventCount(state, run)).isEqualTo(events);
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.runs()).hasSize(1);
            assertThat(store.pendingCommands(run)).isEmpty();
            assertThat(store.pendingCommands("no-such-run")).isEmpty();
        }
    }

    @Test
    void commandsOnAFinishedRunThatCannotApplyAreInvalidInput() {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        long events = CliEndToEndTest.eventCount(state, run);
        for (String[] args : List.of(new String[]{"approve", run, "a"}, new String[]{"reject", run, "b", "--reason", "late"},
                new String[]{"cancel", run}, new String[]{"approve", run, "zz"})) {
            Result r = swarm(with(args, "--state-dir", state.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains("run " + run + " has already succeeded; ");
        }
        assertThat(CliEndToEndTest.eventCount(state, run)).isEqualTo(events);
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.pendingCommands(run)).isEmpty();
        }
    }

    @Test
    void commandsWithoutAStateDirectoryAreInvalidInputAndCreateNone() {
        Path state = tmp.resolve("absent");
        for (String[] args : commandsOn("some-run")) {
            Result r = swarm(with(args, "--state-dir", state.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).contains("no Swarmflow state in " + state);
        }
        assertThat(state).doesNotExist();
    }

    @Test
    void runsWithoutAStateDirectoryListsNoRunsAndCreatesNone() {
        Path state = tmp.resolve("absent");
        Result table = swarm("runs", "--state-dir", state.toString());
        assertThat(table.code()).as("%s", table).isZero();
        assertThat(table.out()).contains("no runs in " + state);
        Result json = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(json.code()).as("%s", json).isZero();
        assertThat(json.json().isArray()).isTrue();
        assertThat(json.json()).isEmpty();
        assertThat(state).doesNotExist();
    }

    @Test
    void readingCommandsOnAStateDirectoryThatIsAFileSayItIsAFile() throws IOException {
        Path state = tmp.resolve("state");
        finishedRun(state);
        Path db = state.resolve("swarm.db");
        Path file = Cli.write(tmp.resolve("afile"), "not a directory\n");
        for (String[] args : List.of(new String[]{"status"}, new String[]{"runs"}, new String[]{"runs", "--json"},
                new String[]{"logs", "r", "a"}, new String[]{"cancel", "r"})) {
            Result r = swarm(with(args, "--state-dir", file.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains("the state directory " + file + " is a file, not a directory",
                    "at the directory that holds swarm.db").doesNotContain("no Swarmflow state");
            Result onDb = swarm(with(args, "--state-dir", db.toString()));
            assertThat(onDb.code()).as("%s: %s", List.of(args), onDb).isEqualTo(2);
            assertThat(onDb.err()).as("%s", List.of(args)).contains(db + " is a file, not a directory",
                    "at the directory that holds it, " + state);
        }
        assertThat(Files.readString(file)).isEqualTo("not a directory\n");
    }

    @Test
    void aDatabaseOverwrittenWithGarbageIsReportedWithTheFileAndTheWayOut() throws IOException {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        byte[] garbage = new byte[64 * 1024];
        new Random(7).nextBytes(garbage);
        Files.write(db, garbage);
        assertCorruptStateIsReported(state, run, db, "not a readable Swarmflow database");
    }

    @Test
    void aDamagedPageFoundAfterTheDatabaseOpenedIsReportedWithTheFileAndTheWayOut() throws Exception {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        long page;
        int size;
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement()) {
            // the index that finds a run by its id: opening the database reads no index, looking a run up does
            page = s.executeQuery("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_runs_1'").getLong(1);
            size = s.executeQuery("PRAGMA page_size").getInt(1);
        }
        byte[] garbage = new byte[size];
        new Random(3).nextBytes(garbage);
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek((page - 1) * size);
            f.write(garbage);
        }
        byte[] before = Files.readAllBytes(db);
        for (String[] args : List.of(new String[]{"resume", run, "--plain"}, new String[]{"status", run}, new String[]{"logs", run, "a"},
                new String[]{"approve", run, "a"})) {
            Result r = swarm(with(args, "--state-dir", state.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains(db.toString(), "not a readable Swarmflow database", "malformed",
                    "mv " + state + " " + state + ".broken").doesNotContain("internal error", "Exception");
        }
        assertThat(Files.readAllBytes(db)).as("the damaged file is left as it was").isEqualTo(before);
    }

    @Test
    void aTruncatedDatabaseIsReportedWithTheFileAndTheWayOut() throws IOException {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        assertThat(state.resolve("swarm.db-wal")).doesNotExist(); // everything is in the main file after a clean close
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.setLength(f.length() / 2); // the header survives and promises pages that are gone
        }
        assertCorruptStateIsReported(state, run, db, "not a readable Swarmflow database");
    }

    @Test
    void anEmptiedOrDeletedDatabaseBesideRunFilesIsReportedAndNotRecreated() throws IOException {
        Path state = tmp.resolve("state");
        String run = finishedRun(state);
        Path db = state.resolve("swarm.db");
        for (boolean delete : new boolean[]{false, true}) {
            Files.write(db, new byte[0]); // truncated to nothing, as by a failed copy or `> swarm.db`
            if (delete) Files.delete(db);
            for (String[] args : List.of(new String[]{"resume", run, "--plain"}, new String[]{"status", run}, new String[]{"runs"},
                    new String[]{"status"}, new String[]{"run", tmp.resolve("ok.yaml").toString(), "--plain"})) {
                Result r = swarm(with(args, "--state-dir", state.toString()));
                assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
                assertThat(r.err()).as("%s", List.of(args)).contains(db.toString(), delete ? "is missing" : "is empty (0 bytes)",
                        "1 run (" + run + ")", "nothing was changed", "from a backup", "mv " + state + " " + state + ".lost");
                assertThat(r.err()).doesNotContain("internal error", "Exception");
            }
            if (delete) assertThat(db).as("not created again").doesNotExist();
            else assertThat(db).as("left empty").isEmptyFile();
        }
    }

    @Test
    void aDatabaseThatLostItsWriteAheadLogIsReportedAndLeftAsItIs() throws Exception {
        // a run killed early keeps everything in swarm.db-wal; without that file, swarm.db is its first page: no tables
        Path lost = tmp.resolve("lost");
        String run = finishedRun(tmp.resolve("state"));
        Files.createDirectories(lost.resolve("runs").resolve(run));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + lost.resolve("swarm.db"));
             java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
        }
        assertForgottenRunIsReported(lost, run);

        Path older = tmp.resolve("older"); // a database that lost the last writes: it holds the first run, not the second
        String first = finishedRun(older);
        byte[] before = Files.readAllBytes(older.resolve("swarm.db"));
        String second = finishedRun(older);
        Files.write(older.resolve("swarm.db"), before);
        assertThat(second).isNotEqualTo(first);
        assertForgottenRunIsReported(older, second);
    }

    private static void assertForgottenRunIsReported(Path state, String run) throws IOException {
        Path db = state.resolve("swarm.db");
        byte[] before = Files.readAllBytes(db);
        List<String> files = Arrays.stream(state.toFile().list()).sorted().toList();
        for (String[] args : List.of(new String[]{"resume", run, "--plain"}, new String[]{"status", run}, new String[]{"runs"},
                new String[]{"run", state.resolveSibling("ok.yaml").toString(), "--plain"})) {
            Result r = swarm(with(args, "--state-dir", state.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains("the database " + db + " does not hold", run, "swarm.db-wal",
                    "nothing was changed", "from a backup", "mv " + state + " " + state + ".lost");
            assertThat(r.err()).doesNotContain("internal error", "Exception");
        }
        assertThat(Files.readAllBytes(db)).as("the database is left as it was").isEqualTo(before);
        assertThat(Arrays.stream(state.toFile().list()).sorted().toList()).as("no file added").isEqualTo(files);
    }

    private static void assertCorruptStateIsReported(Path state, String run, Path db, String what) throws IOException {
        byte[] before = Files.readAllBytes(db);
        for (String[] args : List.of(new String[]{"resume", run, "--plain"}, new String[]{"status", run}, new String[]{"runs"},
                new String[]{"approve", run, "a"})) {
            Result r = swarm(with(args, "--state-dir", state.toString()));
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains(db.toString(), what, "mv " + state + " " + state + ".broken", "aside");
            assertThat(r.err()).doesNotContain("internal error", "Exception");
        }
        assertThat(Files.readAllBytes(db)).as("the damaged file is left as it was").isEqualTo(before);
    }
}
