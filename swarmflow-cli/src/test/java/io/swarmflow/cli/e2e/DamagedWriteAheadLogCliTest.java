package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review S F1 through the commands: a state directory whose swarm.db-wal is damaged in an early frame, with runs
 * committed after it, is refused by reading and writing commands alike (exit 2, as a damaged swarm.db), naming the log
 * and the frame; nothing is checkpointed or deleted, where before `status` showed an older state, exit 0, and deleted
 * the log.
 */
class DamagedWriteAheadLogCliTest {
    @TempDir
    Path tmp;

    @Test
    void aLogDamagedBeforeLaterCommitsIsRefusedByEveryCommandAndLeftAsItIs() throws Exception {
        Path live = tmp.resolve("live");
        Path spec = Cli.write(tmp.resolve("ok.yaml"), """
                tickets:
                  - id: a
                    agent: noop
                  - id: b
                    agent: noop
                    needs: [a]
                """);
        Result first = swarm("run", spec.toString(), "--plain", "--state-dir", live.toString());
        assertThat(first.code()).as("%s", first).isZero();
        String run;
        // a connection held open keeps the log when the command closes (only the last connection checkpoints and
        // deletes it), as a killed coordinator leaves it
        try (Connection held = DriverManager.getConnection("jdbc:sqlite:" + live.resolve("swarm.db"));
             Statement s = held.createStatement()) {
            s.execute("PRAGMA journal_mode");
            Result second = swarm("run", spec.toString(), "--plain", "--state-dir", live.toString());
            assertThat(second.code()).as("%s", second).isZero();
            run = CliEndToEndTest.runId(second);
            copy(live, tmp.resolve("intact"));
            copy(live, tmp.resolve("damaged"));
        }
        Result intact = swarm("status", run, "--state-dir", tmp.resolve("intact").toString());
        assertThat(intact.code()).as("%s", intact).isZero();
        assertThat(intact.out()).contains("succeeded");

        Path state = tmp.resolve("damaged");
        Path wal = state.resolve("swarm.db-wal");
        // the first frame of the third transaction from the end: the run stays in the database, its last writes would go
        ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(wal));
        int frameBytes = 24 + log.getInt(8);
        List<Integer> commits = new java.util.ArrayList<>();
        for (int i = 0; 32 + (long) (i + 1) * frameBytes <= log.capacity(); i++) {
            if (log.getInt(32 + i * frameBytes + 4) != 0) commits.add(i);
        }
        int broken = commits.get(commits.size() - 4) + 1;
        long offset = 32 + (long) broken * frameBytes;
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            long at = offset + 24 + 100;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
        byte[] walBefore = Files.readAllBytes(wal);
        byte[] dbBefore = Files.readAllBytes(state.resolve("swarm.db"));
        List<String> files = Arrays.stream(state.toFile().list()).sorted().toList();
        for (String[] args : List.of(new String[]{"status", run}, new String[]{"runs"}, new String[]{"logs", run, "a"},
                new String[]{"resume", run, "--plain"}, new String[]{"run", spec.toString(), "--plain"})) {
            String[] all = Stream.concat(Arrays.stream(args), Stream.of("--state-dir", state.toString())).toArray(String[]::new);
            Result r = swarm(all);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).as("%s", List.of(args)).contains("the write-ahead log " + wal, "is damaged: frame " + (broken + 1) + " of ",
                    "(byte offset " + offset + ") fails its checksum", "2 transactions committed after the one holding it",
                    "Nothing was changed", "from a backup", "truncate -s " + offset + " " + wal);
            assertThat(r.err()).doesNotContain("internal error", "Exception");
            assertThat(Files.readAllBytes(wal)).as("the log is left as it was").isEqualTo(walBefore);
            assertThat(Files.readAllBytes(state.resolve("swarm.db"))).as("nothing checkpointed").isEqualTo(dbBefore);
            assertThat(Arrays.stream(state.toFile().list()).sorted().toList()).as("no file added or removed").isEqualTo(files);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                if (p.getFileName().toString().equals("swarm.db-shm")) continue;
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }
}
