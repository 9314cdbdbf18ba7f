package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Review S F1: a write-ahead log damaged in the middle, while transactions committed after the damage follow, is
 * refused before SQLite opens the database (SQLite's recovery would silently use only the frames before the damage, and
 * its checkpoint would fold that older state into swarm.db and delete the log); what a crash leaves (the last
 * transaction broken or cut) is opened as SQLite recovers it. Real SQLite logs: written by the store, copied (with the
 * database) while it is open, as a killed coordinator leaves them.
 */
class DamagedWriteAheadLogTest {
    private static final int BATCHES = 6;

    @TempDir
    Path dir;
    private Path written;

    /** A state directory whose swarm.db-wal holds the migration, a run's creation and {@link #BATCHES} appends. */
    @BeforeEach
    void writeARunAndKeepItsLog() throws IOException {
        Path live = dir.resolve("live");
        written = dir.resolve("written");
        Files.createDirectories(written);
        try (SqlRunStore store = SqlRunStore.openSqlite(live)) {
            store.createRun(TestPlans.created("r1", BATCHES));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false))).join();
            for (int i = 0; i < BATCHES; i++) {
                store.append("r1", epoch, List.of(new RunEvent.TicketReady("t" + i))).join();
            }
            Files.copy(live.resolve("swarm.db"), written.resolve("swarm.db"));
            Files.copy(live.resolve("swarm.db-wal"), written.resolve("swarm.db-wal"));
        }
        assertThat(WalCheck.check(written.resolve("swarm.db-wal"), 0)).as("the log as written is intact").isNull();
        assertThat(commitFrames(written.resolve("swarm.db-wal")).size()).as("one commit frame a transaction").isGreaterThan(BATCHES + 2);
    }

    @Test
    void aLogIntactButUncheckpointedIsOpenedWithAllItsTransactions() throws IOException {
        Path state = copy("intact");
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.events("r1", 0, 100)).hasSize(1 + 1 + BATCHES);
        }
    }

    @Test
    void aFrameGarbledBeforeLaterCommitsIsRefusedNamingItAndNothingIsChanged() throws IOException {
        Path state = copy("garbled");
        Path wal = state.resolve("swarm.db-wal");
        long frameBytes = 24 + pageSize(wal);
        int frames = (int) ((Files.size(wal) - 32) / frameBytes);
        long offset = 32 + 2 * frameBytes; // frame 3: an early one, several transactions committed after it
        garble(wal, offset + 24 + 100);
        byte[] walBefore = Files.readAllBytes(wal);
        byte[] dbBefore = Files.readAllBytes(state.resolve("swarm.db"));
        List<String> files = listing(state);

        for (var open : List.<java.util.function.Function<Path, SqlRunStore>>of(SqlRunStore::openSqlite, SqlRunStore::openSqliteReadOnly)) {
            assertThatThrownBy(() -> open.apply(state).close())
                    .isInstanceOf(StoreException.Corrupt.class)
                    .hasMessageContaining("the write-ahead log " + wal + " of the database " + state.resolve("swarm.db") + " is damaged")
                    .hasMessageContaining("frame 3 of " + frames + " (byte offset " + offset + ") fails its checksum")
                    .hasMessageContaining("committed after the one holding it follow")
                    .hasMessageContaining("Nothing was changed")
                    .hasMessageContaining("from a backup")
                    .hasMessageContaining("`cp -p " + wal + " " + wal + ".damaged && truncate -s " + offset + " " + wal + "`");
            assertThat(Files.readAllBytes(wal)).as("the log is left as it was").isEqualTo(walBefore);
            assertThat(Files.readAllBytes(state.resolve("swarm.db"))).as("nothing checkpointed").isEqualTo(dbBefore);
            assertThat(listing(state)).as("no file added or removed").isEqualTo(files);
        }

    }

    /**
     * Review D4 F1: a live coordinator writing frames while another command reads the log can make one read see commits
     * after a frame it read before it was written. A broken frame that a second read no longer finds is not damage.
     */
    @Test
    void aBrokenFrameThatASecondReadNoLongerFindsIsNotDamage() throws IOException {
        Path state = copy("written-meanwhile");
        Path wal = state.resolve("swarm.db-wal");
        long at = 32 + 2 * (24 + pageSize(wal)) + 24 + 100;
        garble(wal, at);
        java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
        WalCheck.betweenPasses = () -> {
            if (passes.incrementAndGet() == 1) {
                try {
                    garble(wal, at); // the writer finished the frame
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        try {
            assertThat(WalCheck.check(wal, 0)).isNull();
            assertThat(passes.get()).as("read twice").isEqualTo(1);
        } finally {
            WalCheck.betweenPasses = () -> {};
        }
        garble(wal, at);
        assertThat(WalCheck.check(wal, 0)).as("damage at rest is still found").isNotNull();
    }

    /** The way out the message gives: keep a copy, cut the log at the broken frame; SQLite then keeps what was committed before it. */
    @Test
    void cuttingTheLogAtTheBrokenFrameKeepsTheTransactionsCommittedBeforeIt() throws IOException {
        Path state = copy("cutAtDamage");
        Path wal = state.resolve("swarm.db-wal");
        long frameBytes = 24 + pageSize(wal);
        List<Integer> commits = commitFrames(wal);
        int broken = commits.get(commits.size() - 4) + 1; // the first frame of the third transaction from the end
        long offset = 32 + broken * frameBytes;
        garble(wal, offset + 24 + 100);
        assertThatThrownBy(() -> SqlRunStore.openSqlite(state).close())
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("frame " + (broken + 1) + " of ")
                .hasMessageContaining("yet 2 transactions committed after the one holding it follow")
                .hasMessageContaining("truncate -s " + offset + " " + wal);
        Files.copy(wal, state.resolve("swarm.db-wal.damaged"));
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            f.setLength(offset);
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.events("r1", 0, 100)).as("the last 3 appends lost, the rest kept").hasSize(1 + 1 + BATCHES - 3);
        }
    }

    @Test
    void aLogWhoseHeaderFailsItsChecksumWhileCommittedFramesFollowIsRefused() throws IOException {
        Path state = copy("header");
        Path wal = state.resolve("swarm.db-wal");
        garble(wal, 12); // the checkpoint sequence number: under the header's checksum, not the magic, page size or salts
        byte[] walBefore = Files.readAllBytes(wal);
        assertThatThrownBy(() -> SqlRunStore.openSqlite(state).close())
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining(wal.toString())
                .hasMessageContaining("its header (the first 32 bytes) fails its checksum")
                .hasMessageContaining("SQLite would silently drop the whole log")
                .hasMessageContaining("truncate -s 0 " + wal);
        assertThat(Files.readAllBytes(wal)).isEqualTo(walBefore);
    }

    @Test
    void theLastTransactionBrokenAsACrashLeavesItIsOpenedWithout() throws IOException {
        Path state = copy("last");
        Path wal = state.resolve("swarm.db-wal");
        long frameBytes = 24 + pageSize(wal);
        List<Integer> commits = commitFrames(wal);
        int firstOfLast = commits.get(commits.size() - 2) + 1; // the last transaction's first frame (0-based)
        garble(wal, 32 + firstOfLast * frameBytes + 24 + 100);
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.events("r1", 0, 100)).as("the last append was dropped, the rest kept").hasSize(1 + BATCHES);
        }
    }

    @Test
    void aLogCutInTheMiddleOfItsLastFrameIsOpenedWithoutItsLastTransaction() throws IOException {
        Path state = copy("cut");
        Path wal = state.resolve("swarm.db-wal");
        long frameBytes = 24 + pageSize(wal);
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            f.setLength(f.length() - frameBytes / 2);
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            assertThat(store.events("r1", 0, 100)).hasSize(1 + BATCHES);
        }
    }

    /**
     * Frames a rolled-back transaction spilled to the log (its cache overflowed) and that later, shorter transactions did not
     * overwrite carry the log's salts and break its checksum chain, but none commits: not damage.
     */
    @Test
    void framesLeftByARolledBackTransactionAreNotDamage() throws Exception {
        Path live = dir.resolve("spill");
        Files.createDirectories(live);
        Path copy = dir.resolve("spillCopy");
        Files.createDirectories(copy);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + live.resolve("swarm.db"));
             java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA cache_size = 10");
            s.execute("CREATE TABLE t (x BLOB)");
            s.execute("INSERT INTO t VALUES (zeroblob(100))");
            c.setAutoCommit(false);
            s.execute("INSERT INTO t SELECT randomblob(3000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                    + "WHERE i < 500) SELECT i FROM n)");
            long spilled = Files.size(live.resolve("swarm.db-wal"));
            c.rollback();
            c.setAutoCommit(true);
            s.execute("INSERT INTO t VALUES (zeroblob(10))");
            s.execute("INSERT INTO t VALUES (zeroblob(20))");
            Path wal = live.resolve("swarm.db-wal");
            assertThat(Files.size(wal)).as("the rolled-back transaction spilled frames beyond the later commits")
                    .isEqualTo(spilled).isGreaterThan(32 + 20L * (24 + pageSize(wal)));
            Files.copy(live.resolve("swarm.db"), copy.resolve("swarm.db"));
            Files.copy(wal, copy.resolve("swarm.db-wal"));
        }
        assertThat(WalCheck.check(copy.resolve("swarm.db-wal"), 0)).isNull();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("swarm.db"));
             java.sql.Statement s = c.createStatement(); java.sql.ResultSet r = s.executeQuery("SELECT count(*) FROM t")) {
            assertThat(r.getInt(1)).as("SQLite recovers the committed rows").isEqualTo(3);
        }
    }

    /**
     * A log whose last FULL commit is followed by transactions committed with synchronous=NORMAL (process-start records
     * only), as a power loss leaves it: the disk wrote the frame headers of those transactions but not their pages, or
     * some bytes of each frame wrong and the last frame in part. SQLite drops that torn tail; so does the open, keeping
     * everything up to the last FULL commit. Damage before a FULL commit is still refused though the tail is torn too.
     */
    @Test
    void aTornTailOfTransactionsCommittedWithoutSyncIsNotDamage() throws IOException {
        Path live = dir.resolve("normal");
        Path written = dir.resolve("normalWritten");
        Files.createDirectories(written);
        int firstUnsynced;
        int unsyncedCommits = 3;
        try (SqlRunStore store = SqlRunStore.openSqlite(live)) {
            store.createRun(TestPlans.created("r1", 1));
            long epoch = store.claimRun("r1", "host:1", 60_000);
            store.append("r1", epoch, List.of(new RunEvent.RunStarted(epoch, "host:1", false))).join();
            store.append("r1", epoch, List.of(new RunEvent.TicketReady("t0"))).join();
            store.append("r1", epoch, List.of(new RunEvent.AttemptStarted("t0", 1, 60_000))).join();
            List<Integer> fullCommits = commitFrames(live.resolve("swarm.db-wal"));
            firstUnsynced = fullCommits.getLast() + 1;
            SqlRunStore.CommitCounts before = store.commitCounts();
            for (int i = 0; i < unsyncedCommits; i++) {
                store.append("r1", epoch, List.of(new RunEvent.AttemptProcessStarted("t0", 1, 4242 + i, 99, "host:1"))).join();
            }
            assertThat(store.commitCounts()).as("the process starts committed without waiting for the disk")
                    .isEqualTo(new SqlRunStore.CommitCounts(before.synced(), before.unsynced() + unsyncedCommits));
            Files.copy(live.resolve("swarm.db"), written.resolve("swarm.db"));
            Files.copy(live.resolve("swarm.db-wal"), written.resolve("swarm.db-wal"));
        }
        Path writtenWal = written.resolve("swarm.db-wal");
        long frameBytes = 24 + pageSize(writtenWal);
        List<Integer> commits = commitFrames(writtenWal);
        assertThat(commits).as("one commit frame a transaction without sync, after the last FULL one")
                .filteredOn(c -> c >= firstUnsynced).hasSize(unsyncedCommits);
        int frames = (int) ((Files.size(writtenWal) - 32) / frameBytes);
        int fullEvents = 1 + 1 + 1 + 1; // created, started, ready, attempt started

        // the pages of the unsynced frames never written (zeros), their headers (salts, commit sizes) written
        Path unwritten = copyOf(written, "unwrittenPages");
        for (int f = firstUnsynced; f < frames; f++) fill(unwritten.resolve("swarm.db-wal"), 32 + f * frameBytes + 24, frameBytes - 24, (byte) 0);
        // one wrong byte in every unsynced frame, the last frame written in part
        Path garbled = copyOf(written, "garbledAndCut");
        for (int f = firstUnsynced; f < frames; f++) garble(garbled.resolve("swarm.db-wal"), 32 + f * frameBytes + 24 + 100 + f);
        try (RandomAccessFile w = new RandomAccessFile(garbled.resolve("swarm.db-wal").toFile(), "rw")) {
            w.setLength(w.length() - frameBytes / 3);
        }
        for (Path state : List.of(unwritten, garbled)) {
            assertThat(WalCheck.check(state.resolve("swarm.db-wal"), 0)).as("a torn tail, " + state.getFileName()).isNull();
            try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
                assertThat(store.events("r1", 0, 100)).as("everything up to the last FULL commit, " + state.getFileName())
                        .hasSize(fullEvents)
                        .noneMatch(e -> e.event() instanceof RunEvent.AttemptProcessStarted);
            }
        }

        // a frame broken before the last FULL commit, the tail torn as well: the FULL commits after it would be lost
        Path middle = copyOf(written, "middleAndTorn");
        Path middleWal = middle.resolve("swarm.db-wal");
        int brokenFull = commits.get(commits.indexOf(firstUnsynced - 1) - 3) + 1; // first frame of the third FULL transaction from the end
        garble(middleWal, 32 + brokenFull * frameBytes + 24 + 100);
        for (int f = firstUnsynced; f < frames; f++) fill(middleWal, 32 + f * frameBytes + 24, frameBytes - 24, (byte) 0);
        assertThatThrownBy(() -> SqlRunStore.openSqlite(middle).close())
                .isInstanceOf(StoreException.Corrupt.class)
                .hasMessageContaining("frame " + (brokenFull + 1) + " of " + frames)
                .hasMessageContaining("yet 2 transactions committed after the one holding it follow");
    }

    private Path copyOf(Path from, String name) throws IOException {
        Path state = dir.resolve(name);
        Files.createDirectories(state);
        Files.copy(from.resolve("swarm.db"), state.resolve("swarm.db"));
        Files.copy(from.resolve("swarm.db-wal"), state.resolve("swarm.db-wal"));
        return state;
    }

    private static void fill(Path file, long at, long length, byte value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] b = new byte[(int) length];
            Arrays.fill(b, value);
            f.seek(at);
            f.write(b);
        }
    }

    private Path copy(String name) throws IOException {
        Path state = dir.resolve(name);
        Files.createDirectories(state);
        Files.copy(written.resolve("swarm.db"), state.resolve("swarm.db"));
        Files.copy(written.resolve("swarm.db-wal"), state.resolve("swarm.db-wal"));
        return state;
    }

    private static List<String> listing(Path state) {
        return Arrays.stream(state.toFile().list()).sorted().toList();
    }

    private static void garble(Path file, long at) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    private static int pageSize(Path wal) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(wal), 8, 4).getInt();
    }

    /** The 0-based indexes of the log's commit frames (non-zero commit size). */
    private static List<Integer> commitFrames(Path wal) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wal));
        int frameBytes = 24 + b.getInt(8);
        List<Integer> commits = new ArrayList<>();
        for (int i = 0; 32 + (long) (i + 1) * frameBytes <= b.capacity(); i++) {
            if (b.getInt(32 + i * frameBytes + 4) != 0) commits.add(i);
        }
        return commits;
    }
}
