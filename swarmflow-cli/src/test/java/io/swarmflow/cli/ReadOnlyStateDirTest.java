package io.swarmflow.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state directory that cannot be written (a read-only mount, an archived CI state directory): the commands that only
 * read it ({@code runs}, {@code status}, {@code logs}) read it, changing no file; those that write still refuse it with
 * exit 2. Made read-only for real where the test can: {@code chmod a-w} as an ordinary user, {@code chattr +i} as root
 * (which passes permissions; needs CAP_LINUX_IMMUTABLE, which a container often lacks). Else, as root without it, the
 * check swarm makes ({@code Wiring.writable}) is told the directory is read-only, and the store is opened read-only on a
 * directory that could be written: that no file is created or changed is then what shows it wrote nothing.
 */
class ReadOnlyStateDirTest {
    @TempDir
    Path tmp;

    private final List<Runnable> undo = new ArrayList<>();

    @AfterEach
    void writableAgain() {
        Wiring.writable = Files::isWritable;
        Wiring.readable = Files::isReadable;
        undo.reversed().forEach(Runnable::run);
    }

    private record Result(int code, String out, String err) {
    }

    private static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A state directory holding one finished run whose ticket {@code t} printed {@code hello}; its run id. */
    private String finishedRun(Path state) throws Exception {
        Path spec = Files.writeString(tmp.resolve("hello.yaml"), "name: hello\ntickets:\n  - {id: t, run: echo hello}\n");
        Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String runId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(swarm("runs", "--json", "--state-dir",
                state.toString()).out()).get(0).get("id").asText();
        // a writable state directory is read with SQLite's locks (review DWG F1): where no swarm had the database open,
        // that leaves an empty log and its -shm, with swarm.db's permissions, for the next writer to use and remove
        Path db = state.resolve("swarm.db");
        assertThat(state.resolve("swarm.db-wal")).isEmptyFile();
        for (String f : List.of("swarm.db-wal", "swarm.db-shm")) {
            assertThat(Files.getPosixFilePermissions(state.resolve(f))).as(f).isEqualTo(Files.getPosixFilePermissions(db));
            assertThat(Files.getOwner(state.resolve(f))).as(f).isEqualTo(Files.getOwner(db));
        }
        Result report = swarm("report", "--state-dir", state.toString());
        assertThat(report.code()).as("%s", report).isZero();
        assertThat(state.resolve("swarm.db-wal")).as("removed by the writer").doesNotExist();
        assertThat(state.resolve("swarm.db-shm")).doesNotExist();
        return runId;
    }

    /**
     * Makes {@code state} and its database read-only for real (chmod, or chattr +i as root), or else tells swarm's check
     * so; says which.
     */
    private String makeReadOnly(Path state, boolean really) throws Exception {
        Path db = state.resolve("swarm.db");
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0; // by uid: it may have no name
        if (!really) {
            Wiring.writable = p -> !p.startsWith(state) && Files.isWritable(p); // other tests' directories are theirs
            return "Wiring.writable";
        }
        if (!root) {
            for (Path p : List.of(db, state)) {
                var before = Files.getPosixFilePermissions(p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(p.equals(db) ? "r--------" : "r-x------"));
                undo.add(() -> {
                    try {
                        Files.setPosixFilePermissions(p, before);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
            }
            return "chmod";
        }
        if (chattr("+i", db) && chattr("+i", state)) {
            undo.add(() -> chattr("-i", db));
            undo.add(() -> chattr("-i", state));
            if (!Files.isWritable(state)) return "chattr +i";
        }
        chattr("-i", state);
        chattr("-i", db);
        Wiring.writable = p -> !p.startsWith(state) && Files.isWritable(p); // other tests' directories are theirs
        return "Wiring.writable";
    }

    private static boolean chattr(String flag, Path p) {
        try {
            Process c = new ProcessBuilder("chattr", flag, p.toString()).redirectErrorStream(true).start();
            c.getInputStream().readAllBytes();
            return c.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Each file in {@code dir} (recursively) by path, with its size and SHA-256: what changed shows. */
    private static TreeMap<String, String> files(Path dir) throws Exception {
        TreeMap<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(p);
                files.put(dir.relativize(p).toString(), bytes.length + " " + HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(bytes)));
            }
        }
        return files;
    }

    @Test
    void theCommandsThatReadReadIt_thoseThatWriteRefuseIt_andNoFileChanges() throws Exception {
        readersReadWritersRefuse(true);
    }

    /**
     * The same when only swarm's check says the directory is read-only: the store is opened read-only where files could
     * be made, and makes none (with chattr +i above, as root, the same run reads a directory that is read-only for real).
     */
    @Test
    void theStoreOpenedReadOnlyMakesNoFile() throws Exception {
        readersReadWritersRefuse(false);
    }

    private void readersReadWritersRefuse(boolean really) throws Exception {
        Path state = tmp.resolve("state");
        String runId = finishedRun(state);
        assertThat(runId).isNotBlank();
        TreeMap<String, String> before = files(state);
        assertThat(before).containsKey("swarm.db").doesNotContainKeys("swarm.db-wal", "swarm.db-shm");
        String how = makeReadOnly(state, really);

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s (read-only by %s)", runs, how).isZero();
        assertThat(runs.out()).contains(runId).contains("hello").contains("succeeded");
        Result runsJson = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(runsJson.code()).as("%s", runsJson).isZero();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(runsJson.out()).get(0).get("id").asText())
                .isEqualTo(runId);
        Result status = swarm("status", "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains(runId).contains("tickets: 1 (succeeded 1)");
        Result ticket = swarm("status", runId, "t", "--state-dir", state.toString());
        assertThat(ticket.code()).as("%s", ticket).isZero();
        Result logs = swarm("logs", runId, "t", "--state-dir", state.toString());
        assertThat(logs.code()).as("%s", logs).isZero();
        assertThat(logs.out()).isEqualTo("hello\n");

        for (String[] writer : List.of(new String[]{"resume", runId}, new String[]{"cancel", runId}, new String[]{"report", runId})) {
            List<String> args = new ArrayList<>(List.of(writer));
            args.addAll(List.of("--state-dir", state.toString()));
            Result refused = swarm(args.toArray(String[]::new));
            assertThat(refused.code()).as("%s: %s", args, refused).isEqualTo(2);
            assertThat(refused.err()).as("%s", args).startsWith("swarm: the state directory " + state + " cannot be written: ")
                    .contains("is read-only for you (its permissions, an immutable attribute or a read-only mount); nothing was changed");
        }
        assertThat(files(state)).as("read-only by %s: no file made or changed", how).isEqualTo(before);
    }

    /**
     * A write-ahead log without its {@code -shm} file (copied without it, while a coordinator had the database open): the
     * changes it may hold cannot be read in a directory where SQLite cannot make the {@code -shm}; showing the database
     * without them would show an older state as now.
     */
    @Test
    void aLogWhoseChangesCannotBeReadIsSaidNotLeftOut() throws Exception {
        Path live = tmp.resolve("live");
        finishedRun(live);
        Path state = tmp.resolve("state");
        Path spec = Files.writeString(tmp.resolve("second.yaml"), "name: second\ntickets:\n  - {id: u, run: echo}\n");
        try (Wiring w = Wiring.create(live, Wiring.executor(live, new PrintStream(new ByteArrayOutputStream())))) {
            w.service.create(new io.swarmflow.spec.SpecLoader().load(spec, java.util.Map.of()), spec.toString());
            try (Stream<Path> all = Files.walk(live)) {
                for (Path p : all.filter(p -> !p.getFileName().toString().equals("swarm.db-shm")).toList()) {
                    Files.copy(p, state.resolve(live.relativize(p).toString()));
                }
            }
        }
        assertThat(Files.size(state.resolve("swarm.db-wal"))).as("the second run in the log").isPositive();
        TreeMap<String, String> before = files(state);
        String how = makeReadOnly(state, true);

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
        String copy = "copy the state directory to one you can write (for example `cp -a " + state + " /tmp/swarm-state-copy`) "
                + "and point --state-dir at the copy";
        // the other cases (only the database read-only, ...): ReadOnlyLogRefusalTest
        assertThat(runs.err()).as(how).contains(how.equals("Wiring.writable")
                ? "swarm: cannot read " + state.resolve("swarm.db") + " opened for reading only: its write-ahead log "
                + "swarm.db-wal may hold changes not yet in swarm.db, and SQLite reads them only with swarm.db-shm, which is "
                + "missing, and a read-only open makes no file; nothing was changed. The state directory " + state + " and its "
                + "database can be written now: run the command again, or " + copy
                : "swarm: cannot read " + state.resolve("swarm.db") + " in the read-only state directory " + state + ": its "
                + "write-ahead log swarm.db-wal may hold changes not yet in swarm.db, and SQLite reads them only with "
                + "swarm.db-shm, which is missing and cannot be made there; nothing was changed. Make the directory writable "
                + "(and make swarm.db writable too: it is read-only as well), or " + copy);
        assertThat(runs.out()).isEmpty();
        assertThat(files(state)).isEqualTo(before);
    }

    /**
     * An empty write-ahead log (0 bytes, no change in it) without its {@code -shm}: the database is read as without a log,
     * and no file is made or changed.
     */
    @Test
    void anEmptyLogWithoutShmIsReadAsNoLog() throws Exception {
        emptyLogRead(true);
    }

    /** The same where only swarm's check says the directory is read-only (see {@link #theStoreOpenedReadOnlyMakesNoFile}). */
    @Test
    void anEmptyLogWithoutShmIsReadAsNoLogByTheStoreOpenedReadOnly() throws Exception {
        emptyLogRead(false);
    }

    private void emptyLogRead(boolean really) throws Exception {
        Path state = tmp.resolve("state");
        String runId = finishedRun(state);
        Files.write(state.resolve("swarm.db-wal"), new byte[0]);
        TreeMap<String, String> before = files(state);
        String how = makeReadOnly(state, really);

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s (read-only by %s)", runs, how).isZero();
        assertThat(runs.out()).contains(runId).contains("succeeded");
        assertThat(files(state)).as("read-only by %s: no file made or changed", how).isEqualTo(before);
    }

    /**
     * A live (or killed) coordinator leaves its latest changes in the write-ahead log, with {@code swarm.db-shm}: a
     * read-only reader reads them too, not the older state of {@code swarm.db} alone.
     */
    @Test
    void theChangesInTheLogOfAnOpenDatabaseAreRead() throws Exception {
        Path state = tmp.resolve("state");
        String first = finishedRun(state);
        Path spec = Files.writeString(tmp.resolve("second.yaml"), "name: second\ntickets:\n  - {id: u, run: echo}\n");
        try (Wiring w = Wiring.create(state, Wiring.executor(state, new PrintStream(new ByteArrayOutputStream())))) {
            String second = w.service.create(new io.swarmflow.spec.SpecLoader().load(spec, java.util.Map.of()), spec.toString());
            assertThat(state.resolve("swarm.db-wal")).as("the change is in the log").exists();
            assertThat(state.resolve("swarm.db-shm")).exists();
            makeReadOnly(state, false);

            Result runs = swarm("runs", "--json", "--state-dir", state.toString());
            assertThat(runs.code()).as("%s", runs).isZero();
            var ids = new ArrayList<String>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(runs.out()).forEach(r -> ids.add(r.get("id").asText()));
            assertThat(ids).containsExactlyInAnyOrder(first, second);
        }
    }

    /**
     * A database that reads as damaged in a read-only directory: it may have been written meanwhile through another
     * mount (it is read as a file that cannot change), and moving the directory aside is not possible there; the way out
     * is to run again, or to copy it.
     */
    @Test
    void aDamagedDatabaseReadOnlyGetsAdviceThatFitsAReadOnlyDirectory() throws Exception {
        Path state = tmp.resolve("state");
        finishedRun(state);
        byte[] db = Files.readAllBytes(state.resolve("swarm.db"));
        java.util.Arrays.fill(db, 100, db.length, (byte) 0x5a); // the header kept, every page garbage
        Files.write(state.resolve("swarm.db"), db);
        makeReadOnly(state, false);

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isNotZero();
        assertThat(runs.err()).as("%s", runs).contains("run the command again").contains("cp -a " + state)
                .doesNotContain("mv " + state);
    }

    /**
     * A database that cannot be read either (mode 000, another user's file): a clear refusal naming it, its owner and mode,
     * not SQLite's "unable to open database file".
     */
    @Test
    void anUnreadableDatabaseIsRefusedClearly() throws Exception {
        Path state = tmp.resolve("state");
        finishedRun(state);
        makeReadOnly(state, false);
        Path db = state.resolve("swarm.db");
        Wiring.readable = p -> !p.equals(db) && Files.isReadable(p); // as a user without read permission sees it

        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isEqualTo(2);
        assertThat(runs.err()).startsWith("swarm: the state directory " + state + " cannot be read: its database " + db
                + " is not readable for you (owned by ").contains("nothing was changed").doesNotContain("SQLITE");
    }
}
