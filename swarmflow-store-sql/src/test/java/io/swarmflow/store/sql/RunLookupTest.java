package io.swarmflow.store.sql;

import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.RunService;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.RunView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SqlRunStore#newestRunsLeased} and {@link SqlRunStore#runIdsStartingWith}, on SQLite and on PostgreSQL
 * ({@link PostgresTestDatabase}): they return what the old way returned ({@link RunStore#newestRuns} then
 * {@link RunStore#lease} of each run; {@link RunStore#runs()} filtered by {@link String#startsWith}), and
 * {@link RunService} lists the runs and resolves a run-id prefix with them, without a lease query per run or a read
 * of every run.
 */
class RunLookupTest {
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

    /** Creates run {@code runId} and brings it to {@code state}; {@code release}: its coordinator gives its lease up. */
    private void run(String runId, RunState state, boolean release) {
        store.createRun(TestPlans.created(runId, 1));
        if (state == RunState.CREATED) return;
        long epoch = store.claimRun(runId, "otherhost:1@1", 60_000);
        List<RunEvent> events = new ArrayList<>(List.of(new RunEvent.RunStarted(epoch, "otherhost:1@1", false)));
        if (state != RunState.RUNNING) events.add(new RunEvent.RunFinished(state));
        store.append(runId, epoch, events).join();
        if (release) store.releaseRun(runId, epoch);
    }

    /** The store, counting the calls of each of its methods in {@code calls}. */
    private RunStore counted(Map<String, Integer> calls) {
        return (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    calls.merge(method.getName(), 1, Integer::sum);
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** Runs in every state, some holding their lease, some not (a killed coordinator's run is running without one). */
    private void someRuns() {
        run("created", RunState.CREATED, false);
        run("held", RunState.RUNNING, false);
        run("killed", RunState.RUNNING, true);
        run("ok", RunState.SUCCEEDED, true);
        run("bad", RunState.FAILED, true);
        run("okHeld", RunState.SUCCEEDED, false);
        run("cancelled", RunState.CANCELLED, true);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theRunsWithTheirLeasesAreWhatTheListingThenALeaseQueryPerRunRead(Engine engine) {
        open(engine);
        assertThat(store.newestRunsLeased(3, null)).isEqualTo(new RunStore.LeasedListing(List.of(), 0));
        someRuns();
        RunState[] states = RunState.values();
        for (int mask = 0; mask < 1 << states.length; mask++) {
            Set<RunState> chosen = mask == 0 ? null : EnumSet.noneOf(RunState.class);
            for (int i = 0; i < states.length; i++) if ((mask & 1 << i) != 0) chosen.add(states[i]);
            for (int limit : new int[]{1, 2, 3, 7, 8, Integer.MAX_VALUE}) {
                RunStore.RunListing old = store.newestRuns(limit, chosen);
                List<RunStore.LeasedRun> oldWay = old.runs().stream()
                        .map(r -> new RunStore.LeasedRun(r, store.lease(r.runId()).orElseThrow())).toList();
                assertThat(store.newestRunsLeased(limit, chosen)).as("%s, limit %d", chosen, limit)
                        .isEqualTo(new RunStore.LeasedListing(oldWay, old.matching()));
            }
        }
        assertThat(store.newestRunsLeased(1, null).runs().getFirst().lease().expiresAtMillis()).as("released").isZero();
        assertThat(store.newestRunsLeased(1, EnumSet.of(RunState.RUNNING)).runs().getFirst().run().runId()).isEqualTo("killed");
        assertThatThrownBy(() -> store.newestRunsLeased(0, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.newestRunsLeased(1, EnumSet.noneOf(RunState.class))).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * {@code swarm runs} (with and without {@code --limit}, {@code --state}): the service sees what it saw when it read each
     * run's lease on its own ({@link RunService#observe} of each run), and reads no lease on its own.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void theServiceListsRunsWithoutALeaseQueryPerRun(Engine engine) {
        open(engine);
        someRuns();
        RunService plain = new RunService(store, null);
        List<RunService.Observed> oldWay = store.runs().stream().map(r -> plain.observe(r.runId())).toList();
        assertThat(oldWay).filteredOn(RunService.Observed::executing).extracting(o -> o.run().runId()).containsExactly("held");
        assertThat(oldWay).filteredOn(RunService.Observed::stopped).extracting(o -> o.run().runId()).containsExactly("killed");

        Map<String, Integer> calls = new ConcurrentHashMap<>();
        RunService service = new RunService(counted(calls), null);
        assertThat(service.observeAll()).isEqualTo(oldWay);
        assertThat(service.observeNewest(2, null).runs()).isEqualTo(oldWay.subList(0, 2));
        assertThat(service.observeNewest(5, EnumSet.of(RunState.RUNNING)).runs())
                .isEqualTo(oldWay.stream().filter(o -> o.run().state() == RunState.RUNNING).toList());
        assertThat(calls).containsEntry("newestRunsLeased", 3).doesNotContainKeys("lease", "runs", "newestRuns");
    }

    /** Run ids with characters a LIKE pattern or a collation treats apart, and ids of several lengths sharing starts. */
    private static final List<String> IDS = List.of("20261205-0901-aaaa", "20261205-0901-aaab", "20261205-0902-b9zz",
            "a%b", "a_c", "ab", "Ab", "a", "ab\\x", "zé1", "zè2", "z\uD83D\uDE00x", "z\uFFFFy", "-dash", "A-b", "a b");

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aPrefixSelectsWhatStartsWithSelectsNewestFirst(Engine engine) {
        open(engine);
        for (String id : IDS) run(id, RunState.CREATED, false);
        List<String> newestFirst = store.runs().stream().map(RunView::runId).toList();
        Set<String> prefixes = new LinkedHashSet<>(List.of("%", "_", "a%", "a_", "A", "a", "2026", "20261205-090", "z", "zé",
                "z\uD83D", "\\", "ab\\", "*", "[", "y", "20261206", "\uDBFF\uDFFF", "a\uDBFF\uDFFF", "Z", " "));
        for (String id : IDS) for (int n = 1; n <= id.length(); n++) prefixes.add(id.substring(0, n));
        for (String prefix : prefixes) {
            List<String> oldWay = newestFirst.stream().filter(id -> id.startsWith(prefix)).toList();
            if (!isWellFormed(prefix)) oldWay = List.of(); // no id holds a half of a surrogate pair: the database cannot
            for (int limit : new int[]{1, 2, 3, Integer.MAX_VALUE}) {
                assertThat(store.runIdsStartingWith(prefix, limit)).as("'%s', limit %d", prefix, limit)
                        .isEqualTo(oldWay.subList(0, Math.min(limit, oldWay.size())));
            }
        }
        assertThat(store.runIdsStartingWith("2026", 2)).containsExactly("20261205-0902-b9zz", "20261205-0901-aaab");
        assertThat(store.runIdsStartingWith("a%", 5)).containsExactly("a%b");
        assertThat(store.runIdsStartingWith("a_", 5)).containsExactly("a_c");
        assertThat(store.runIdsStartingWith("%", 5)).isEmpty();
        assertThat(store.runIdsStartingWith("_", 5)).isEmpty();
        assertThat(store.runIdsStartingWith("a\0", 5)).isEmpty();
        assertThatThrownBy(() -> store.runIdsStartingWith("", 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one character");
        assertThatThrownBy(() -> store.runIdsStartingWith("a", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean isWellFormed(String s) {
        return s.codePoints().noneMatch(p -> p >= Character.MIN_SURROGATE && p <= Character.MAX_SURROGATE);
    }

    /**
     * A command's RUN resolved by the service: a unique start names its run, an ambiguous one and one that names none are
     * refused with the messages of before (the ambiguous one lists the ids newest first), {@code %}, {@code _} and the
     * empty string match no run; and every run is never read.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void aRunIdPrefixIsResolvedWithoutReadingEveryRun(Engine engine) {
        open(engine);
        for (int i = 0; i < 7; i++) run("20261205-0901-a" + i, RunState.SUCCEEDED, true);
        run("20261205-0902-bbbb", RunState.SUCCEEDED, true);
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        RunService service = new RunService(counted(calls), null, "the state directory S");

        assertThat(service.resolveRunId("20261205-0902")).isEqualTo("20261205-0902-bbbb");
        assertThat(service.resolveRunId("20261205-0901-a3")).isEqualTo("20261205-0901-a3");
        assertThatThrownBy(() -> service.resolveRunId("20261205-09")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("'20261205-09' is the start of 8 runs' ids (20261205-0902-bbbb, 20261205-0901-a6, 20261205-0901-a5, "
                        + "20261205-0901-a4, 20261205-0901-a3, ...) in the state directory S; give more of the id (`swarm runs` lists them)");
        assertThatThrownBy(() -> service.resolveRunId("20261205-0901-a")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("'20261205-0901-a' is the start of 7 runs' ids (20261205-0901-a6, ");
        for (String none : List.of("19991231", "%", "_", "", "2026%", "20261205-0901-a_")) {
            assertThatThrownBy(() -> service.resolveRunId(none)).as("'%s'", none).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("no run '" + none + "' in the state directory S; `swarm runs` lists the runs there (a run kept in "
                            + "another state directory needs --state-dir DIR or SWARM_STATE_DIR)");
        }
        assertThat(calls).doesNotContainKeys("runs", "newestRuns", "newestRunsLeased").containsKey("runIdsStartingWith");
    }

    /** Successors: the last code point that can grow grows, past the surrogates, and what follows it goes. */
    @Test
    void theSuccessorOfAPrefixIsTheLeastStringAboveAllThatStartWithIt() {
        assertThat(SqlRunStore.prefixSuccessor("ab")).isEqualTo("ac");
        assertThat(SqlRunStore.prefixSuccessor("a%")).isEqualTo("a&");
        assertThat(SqlRunStore.prefixSuccessor("a\uD7FF")).isEqualTo("a\uE000");
        assertThat(SqlRunStore.prefixSuccessor("a\uFFFF")).isEqualTo("a\uD800\uDC00"); // U+10000
        assertThat(SqlRunStore.prefixSuccessor("a\uDBFF\uDFFF")).isEqualTo("b"); // U+10FFFF cannot grow
        assertThat(SqlRunStore.prefixSuccessor("\uDBFF\uDFFF\uDBFF\uDFFF")).isNull();
    }

    /**
     * The queries use indexes on SQLite: the prefix lookup searches the ids' index (no scan of the runs table), and a
     * listing by state and its count search V7's state index (no scan of the table).
     */
    @Test
    void theQueriesUseTheirIndexesOnSqlite() throws Exception {
        open(Engine.SQLITE);
        try (Connection c = SqliteDialect.dataSource(dir.resolve(".swarm").resolve("swarm.db")).getConnection()) {
            assertThat(plan(c, store.prefixQuery(true))).contains("SEARCH runs USING INDEX sqlite_autoindex_runs_1 (run_id>? AND run_id<?)");
            for (boolean leases : new boolean[] {false, true}) {
                for (int states = 1; states <= 2; states++) {
                    // the store's own statement (rows and count in one), as newestRuns and newestRunsLeased run it
                    assertThat(plan(c, store.listingQuery(states, leases))).as("%d states, leases %s", states, leases)
                            .contains("SEARCH runs USING INDEX runs_state_no (state=?)",
                                    "SCALAR SUBQUERY", "SEARCH runs USING COVERING INDEX runs_state_no (state=?)")
                            .doesNotContain("SCAN runs");
                }
            }
        }
    }

    private static String plan(Connection c, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (PreparedStatement s = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 1; i <= s.getParameterMetaData().getParameterCount(); i++) s.setString(i, "x");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.append(rs.getString(4)).append('\n');
            }
        }
        return out.toString();
    }
}
