package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SqlRunStore#newestRuns}, on SQLite and on PostgreSQL ({@link PostgresTestDatabase}): the newest runs in the
 * states asked for, up to the limit, in the order of {@link RunStore#runs()}, with the count of all the matching runs,
 * reading no row beyond the limit.
 */
class NewestRunsTest {
    enum Engine { SQLITE, POSTGRES }

    @TempDir
    Path dir;

    private String schema;
    private SqlRunStore store;

    @AfterEach
    void close() {
        if (store != null) store.close();
        PostgresTestDatabase.drop(schema);
    }

    private SqlRunStore open(Engine engine) {
        if (engine == Engine.POSTGRES) {
            PostgresTestDatabase.assumeReachable();
            schema = PostgresTestDatabase.newSchema();
            store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema);
        } else {
            store = SqlRunStore.openSqlite(dir.resolve(".swarm"));
        }
        return store;
    }

    /** Runs {@code sql} on a connection of its own to the store's database. */
    private void execute(Engine engine, String sql) throws Exception {
        if (engine == Engine.POSTGRES) {
            PostgresTestDatabase.execute(schema, sql);
            return;
        }
        try (Connection c = SqliteDialect.dataSource(dir.resolve(".swarm").resolve("swarm.db")).getConnection();
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Creates run {@code runId} and brings it to {@code state}, as its coordinator would record it. */
    private void run(String runId, RunState state) {
        store.createRun(TestPlans.created(runId, 1));
        if (state == RunState.CREATED) return;
        long epoch = store.claimRun(runId, "host:1", 60_000);
        List<RunEvent> events = new ArrayList<>(List.of(new RunEvent.RunStarted(epoch, "host:1", false)));
        if (state != RunState.RUNNING) events.add(new RunEvent.RunFinished(state));
        store.append(runId, epoch, events).join();
        store.releaseRun(runId, epoch);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theNewestRunsUpToTheLimitAndTheCountOfAll(Engine engine) {
        open(engine);
        assertThat(store.newestRuns(3, null)).isEqualTo(new RunStore.RunListing(List.of(), 0));
        for (String id : List.of("a", "b", "c", "d", "e")) run(id, RunState.SUCCEEDED);

        assertThat(store.newestRuns(2, null).runs()).extracting(RunView::runId).containsExactly("e", "d");
        assertThat(store.newestRuns(2, null).matching()).isEqualTo(5);
        assertThat(store.newestRuns(1, null).runs()).extracting(RunView::runId).containsExactly("e");
        assertThat(store.newestRuns(5, null)).isEqualTo(new RunStore.RunListing(store.runs(), 5));
        assertThat(store.newestRuns(Integer.MAX_VALUE, null)).isEqualTo(new RunStore.RunListing(store.runs(), 5));
        assertThat(store.newestRuns(2, null).runs().getFirst()).as("whole rows, as run() reads them")
                .isEqualTo(store.run("e").orElseThrow());
    }

    /**
     * Every choice of states and every limit selects what filtering {@link RunStore#runs()} in Java selected (the order
     * included: runs created in the same millisecond keep their creation order), and counts what it counted.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyChoiceOfStatesAndLimitSelectsWhatFilteringEveryRunSelects(Engine engine) {
        open(engine);
        RunState[] states = RunState.values();
        List<RunState> made = List.of(RunState.SUCCEEDED, RunState.CREATED, RunState.FAILED, RunState.SUCCEEDED,
                RunState.RUNNING, RunState.CANCELLED, RunState.FAILED, RunState.SUCCEEDED); // none cancelled twice: 1 of a kind
        for (int i = 0; i < made.size(); i++) run("r" + i, made.get(i));
        List<RunView> all = store.runs();
        assertThat(all).hasSize(made.size());

        for (int mask = 1; mask < 1 << states.length; mask++) {
            Set<RunState> chosen = EnumSet.noneOf(RunState.class);
            for (int i = 0; i < states.length; i++) if ((mask & 1 << i) != 0) chosen.add(states[i]);
            List<RunView> expected = all.stream().filter(r -> chosen.contains(r.state())).toList();
            for (int limit = 1; limit <= made.size() + 1; limit++) {
                assertThat(store.newestRuns(limit, chosen)).as("%s, limit %d", chosen, limit).isEqualTo(
                        new RunStore.RunListing(expected.subList(0, Math.min(limit, expected.size())), expected.size()));
            }
        }
        assertThat(store.newestRuns(1, null)).isEqualTo(new RunStore.RunListing(all.subList(0, 1), all.size()));
    }

    /**
     * Only the runs returned are read: a run beyond the limit whose row could not be read as a run (a state this build
     * does not know, written by a newer one, say) does not matter, as it did when every run was read. It is counted.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void noRowBeyondTheLimitIsRead(Engine engine) throws Exception {
        open(engine);
        run("old", RunState.SUCCEEDED);
        run("mid", RunState.FAILED);
        run("new", RunState.SUCCEEDED);
        execute(engine, "UPDATE runs SET state = 'paused' WHERE run_id = 'old'");
        assertThatThrownBy(store::runs).as("every run read").isInstanceOf(IllegalArgumentException.class);

        assertThat(store.newestRuns(2, null).runs()).extracting(RunView::runId).containsExactly("new", "mid");
        assertThat(store.newestRuns(2, null).matching()).isEqualTo(3);
        assertThat(store.newestRuns(5, EnumSet.of(RunState.SUCCEEDED)).runs()).extracting(RunView::runId).containsExactly("new");
        assertThat(store.newestRuns(5, EnumSet.of(RunState.SUCCEEDED)).matching()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aLimitBelowOneOrNoStatesIsRefused(Engine engine) {
        open(engine);
        run("a", RunState.SUCCEEDED);
        assertThatThrownBy(() -> store.newestRuns(0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be 1 or more (Integer.MAX_VALUE for every run), not 0");
        assertThatThrownBy(() -> store.newestRuns(-1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.newestRuns(1, Set.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("states must name at least one run state, or be null for every state");
        assertThat(store.newestRuns(1, null).runs()).extracting(RunView::runId).containsExactly("a");
    }

    /** A store that cannot be read says so, as its other reads do. */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aStoreThatCannotBeReadSaysSo(Engine engine) throws Exception {
        open(engine);
        run("a", RunState.SUCCEEDED);
        execute(engine, "ALTER TABLE runs RENAME TO runs_gone");
        assertThatThrownBy(() -> store.newestRuns(1, null)).isInstanceOf(StoreException.class).hasMessageContaining("cannot read");
    }
}
