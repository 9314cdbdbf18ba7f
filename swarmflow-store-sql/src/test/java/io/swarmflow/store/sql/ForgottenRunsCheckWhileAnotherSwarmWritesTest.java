package io.swarmflow.store.sql;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The check for runs the database forgot ({@code SqliteDialect.refuseForgottenRuns}, before every open) read a writable
 * state directory that had no {@code swarm.db-wal} as an immutable file: another swarm that started, wrote and ended
 * while it read (its close checkpoints into {@code swarm.db}, splitting the pages the read was walking) could leave it
 * missing runs the database holds, and the directory was refused as having lost writes. It now reads as the reading
 * commands do, with SQLite's locks, and sees one committed state.
 */
class ForgottenRunsCheckWhileAnotherSwarmWritesTest {
    private static final int RUNS = 600;

    @TempDir
    Path dir;

    @AfterEach
    void unhook() {
        SqliteDialect.whileReadingRuns = () -> {};
    }

    @Test
    void aSwarmWritingAndEndingWhileTheCheckReadsTheRunsIsNotTakenForLostWrites() throws Exception {
        Path state = dir.resolve(".swarm");
        try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
            create(w, "r", "");
        }
        for (int i = 0; i < RUNS; i++) Files.createDirectories(state.resolve("runs").resolve(id("r", i, "")));
        assertThat(state.resolve("swarm.db-wal")).as("an idle state directory").doesNotExist();

        AtomicInteger hooks = new AtomicInteger();
        SqliteDialect.whileReadingRuns = () -> {
            if (hooks.incrementAndGet() != 1) return; // the other swarm's own open checks too
            // another swarm starts, creates runs whose ids fall between the ones being read (splitting their pages), ends
            try (SqlRunStore w = SqlRunStore.openSqlite(state)) {
                create(w, "r", "x");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThatCode(() -> SqlRunStore.refuseLostDatabase(state, state.resolve("swarm.db")))
                .as("the runs the database held all along").doesNotThrowAnyException();
        assertThat(hooks).as("the other swarm wrote while the check read").hasValueGreaterThanOrEqualTo(1);
        try (SqlRunStore r = SqlRunStore.openSqliteReadOnly(state, true)) {
            assertThat(r.run(id("r", RUNS - 1, "x"))).as("what the other swarm committed").isPresent();
        }
    }

    private static String id(String prefix, int i, String suffix) {
        return String.format("%s%04d%s", prefix, i, suffix);
    }

    /** {@link #RUNS} runs of one ticket, 8 at a time (group commit). */
    private static void create(SqlRunStore w, String prefix, String suffix) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                String id = id(prefix, i, suffix);
                done.add(pool.submit(() -> w.createRun(TestPlans.created(id, 1))));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdown();
        }
    }
}
