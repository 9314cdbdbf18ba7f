package io.swarmflow.store.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review DWG F1: a reading command ({@code runs}, {@code status}, {@code logs}) opened a writable state directory whose
 * database no swarm had open (no {@code swarm.db-wal}: every swarm that wrote it had ended) as an immutable file. Another
 * swarm that then started, wrote and ended (its close checkpoints into {@code swarm.db}) left the reader mixing the pages
 * it had cached with the rewritten ones, and {@code runs}' quick_check called the healthy database damaged. Now such a
 * directory is read with SQLite's locks, so each read sees one committed state: the reader's quick_check, between another
 * swarm's writes and after its close, never finds damage, and the reader sees what was committed.
 */
class ReadWhileAnotherSwarmWritesTest {
    @TempDir
    Path dir;

    @Test
    void aSwarmWritingAndEndingWhileAReaderHasTheStoreOpenIsNeverTakenForDamage() {
        Path state = dir.resolve(".swarm");
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            for (int i = 0; i < 30; i++) w.createRun(TestPlans.created("old" + i, 1000));
        }
        assertThat(state.resolve("swarm.db-wal")).as("an idle state directory").doesNotExist();

        List<String> found = new ArrayList<>();
        int written = 0;
        for (int round = 0; round < 5; round++) {
            try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
                // the listing and the check read (and cache) every page before the other swarm starts
                assertThat(r.run("old0")).isPresent();
                r.quickCheck().ifPresent(found::add);
                // another swarm starts, writes (new pages, split ones) and ends, checkpointing into swarm.db
                try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
                    for (int i = 0; i < 5; i++) w.createRun(TestPlans.created("new" + written++, 1000));
                }
                r.quickCheck().ifPresent(found::add);
                assertThat(found).as("damage reported of a healthy database, round %d", round).isEmpty();
                assertThat(r.run("new" + (written - 1))).as("what the other swarm committed, round %d", round).isPresent();
            }
        }
        assertThat(found).as("damage reported of a healthy database").isEmpty();
    }

    /**
     * What quick_check finds is confirmed by a second check, on a connection of its own, before it is called damage: a
     * first view torn by another swarm's write (here: a page damaged and then put back) is not reported; damage that
     * stays is.
     */
    @Test
    void damageIsReportedOnlyWhenASecondCheckFindsItToo() throws Exception {
        Path state = dir.resolve(".swarm");
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            for (int i = 0; i < 3; i++) w.createRun(TestPlans.created("r" + i, 300));
        }
        Path db = state.resolve("swarm.db");
        long page;
        int pageSize;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro"); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("PRAGMA page_size")) {
                pageSize = r.getInt(1);
            }
            try (ResultSet r = s.executeQuery("SELECT pageno FROM dbstat WHERE name = 'tickets' AND pagetype = 'leaf' ORDER BY path LIMIT 1 OFFSET 1")) {
                assertThat(r.next()).isTrue();
                page = r.getLong(1);
            }
        }
        byte[] intact = new byte[200];
        byte[] junk = new byte[200];
        Arrays.fill(junk, (byte) 0xff);
        long at = (page - 1) * pageSize + 100;
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            f.seek(at);
            f.readFully(intact);
            f.seek(at);
            f.write(junk);
        }
        try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
            assertThat(r.quickCheck()).as("damage that stays").isPresent();
            AtomicInteger confirmations = new AtomicInteger();
            r.beforeConfirmingDamage = () -> {
                confirmations.incrementAndGet();
                try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
                    f.seek(at);
                    f.write(intact);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            assertThat(r.quickCheck()).as("damage gone by the second check").isEmpty();
            assertThat(confirmations).hasValue(1);
        }
    }
}
