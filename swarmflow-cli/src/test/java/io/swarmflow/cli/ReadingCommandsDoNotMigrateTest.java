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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands that only read the state directory ({@code status}, {@code status --json}, {@code runs}, {@code logs})
 * open its database read-only, also where it could be written: a database an older swarm made (its schema needs a
 * migration) is not migrated by them, nor is any byte of {@code swarm.db} or its write-ahead log written; they say to
 * run a command that writes first (exit 4), and after that one they read it. As an ordinary user {@code swarm.db} is
 * made {@code r--------} too (the directory stays writable); as root, which writes it anyway, it stays as it is: the
 * assertions hold for both.
 */
class ReadingCommandsDoNotMigrateTest {
    @TempDir
    Path tmp;

    private final List<Runnable> undo = new ArrayList<>();

    @AfterEach
    void restore() {
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

    private static String sha256(Path p) throws Exception {
        if (!Files.exists(p)) return "missing";
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    private static List<String> history(Path db) throws Exception {
        List<String> versions = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version FROM flyway_schema_history WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (r.next()) versions.add(r.getString(1));
        }
        return versions;
    }

    @Test
    void readingCommandsNeitherMigrateNorWrite_andSayToRunAWritingCommand() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Files.writeString(tmp.resolve("hello.yaml"), "name: hello\ntickets:\n  - {id: t, run: echo hello}\n");
        Result run = swarm("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        String runId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(swarm("runs", "--json", "--state-dir",
                state.toString()).out()).get(0).get("id").asText();
        Path db = state.resolve("swarm.db");
        Path wal = state.resolve("swarm.db-wal");
        // as an older swarm left it: without the newest migration (V8, attempts.permanent)
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE attempts DROP COLUMN permanent");
            s.execute("DELETE FROM flyway_schema_history WHERE version = '8'");
        }
        List<String> older = history(db);
        assertThat(older).doesNotContain("8").contains("7");
        boolean root = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0; // by uid: it may have no name
        if (!root) {
            var before = Files.getPosixFilePermissions(db);
            Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("r--------"));
            undo.add(() -> {
                try {
                    Files.setPosixFilePermissions(db, before);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
        String dbBefore = sha256(db);
        String walBefore = sha256(wal);

        for (List<String> command : List.of(List.of("status"), List.of("status", "--json"), List.of("runs"),
                List.of("runs", "--json"), List.of("logs", runId, "t"))) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--state-dir", state.toString()));
            Result r = swarm(args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", command, r).isEqualTo(ExitCodes.STORE_UNAVAILABLE);
            assertThat(r.err()).as("%s", command).contains("cannot read " + db + " without writing it", "those of an older swarm",
                    "nothing was changed", "a command that writes to it first, which migrates it", "swarm report --state-dir " + state);
            assertThat(sha256(db)).as("%s: swarm.db's bytes", command).isEqualTo(dbBefore);
            assertThat(sha256(wal)).as("%s: swarm.db-wal's bytes", command).isEqualTo(walBefore);
            assertThat(history(db)).as("%s: no migration", command).isEqualTo(older);
        }

        // the way out the message gives: a command that writes migrates it, then the reading ones read it
        undo.reversed().forEach(Runnable::run);
        undo.clear();
        Result report = swarm("report", "--state-dir", state.toString());
        assertThat(report.code()).as("%s", report).isZero();
        assertThat(history(db)).contains("8");
        Result status = swarm("status", "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains(runId, "succeeded");
    }
}
