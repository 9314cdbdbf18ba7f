package io.swarmflow.cli.view;

import io.swarmflow.engine.RunService;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.memory.InMemoryRunStore;
import io.swarmflow.store.sql.SqlRunStore;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunTimes#read} of a resumed, gated run: folded from the store's time marks (a handful of rows) it gives what
 * the fold of all of the run's events gives, on the in-memory store and on SQLite; and a run written before the store
 * kept time marks (a database at schema version 4, then migrated), or appended to by a swarm that keeps none, is read
 * from its events, with the same result.
 */
class RunTimesReadTest {
    static final long T0 = 1_738_324_800_000L;

    @TempDir
    Path tmp;

    /**
     * Killed with an attempt running and a ticket at its gate, resumed (the loss recorded, the gate approved, another
     * gate), cancelled, resumed again and a gated ticket cancelled at its gate.
     *
     * @param clock moved by the test before each write, or null to leave the store's clock alone
     */
    private static String resumedAndGated(RunStore store, Plan plan, AtomicLong clock) {
        String id = "r-" + Long.toHexString(System.nanoTime());
        store.createRun(new RunEvent.RunCreated(id, plan, "swarm.yaml"));
        long e1 = store.claimRun(id, "host:1@1", 60_000);
        write(store, id, e1, clock, 0, new RunEvent.RunStarted(e1, "host:1@1", false));
        write(store, id, e1, clock, 1_000, new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 60_000),
                new RunEvent.TicketAwaitingApproval("gate"));
        write(store, id, e1, clock, 4_000, new RunEvent.AttemptProcessStarted("a", 1, 42, 7));
        store.releaseRun(id, e1); // killed: no end recorded
        long e2 = store.claimRun(id, "host:2@2", 60_000);
        write(store, id, e2, clock, 600_000, new RunEvent.RunStarted(e2, "host:2@2", true),
                new RunEvent.AttemptFinished("a", 1, Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()), new RunEvent.TicketReady("a"));
        write(store, id, e2, clock, 601_000, new RunEvent.ApprovalGranted("gate", "alice@host"), new RunEvent.TicketAwaitingApproval("b"));
        write(store, id, e2, clock, 603_000, new RunEvent.RunFinished(RunState.CANCELLED));
        store.releaseRun(id, e2);
        long e3 = store.claimRun(id, "host:3@3", 60_000);
        write(store, id, e3, clock, 700_000, new RunEvent.RunStarted(e3, "host:3@3", true));
        write(store, id, e3, clock, 701_000, new RunEvent.TicketCancelled("b", "cancelled by alice"));
        write(store, id, e3, clock, 702_000, new RunEvent.RunFinished(RunState.FAILED));
        store.releaseRun(id, e3);
        return id;
    }

    private static void write(RunStore store, String id, long epoch, AtomicLong clock, long offset, RunEvent... events) {
        if (clock != null) clock.set(T0 + offset);
        store.append(id, epoch, List.of(events)).join();
    }

    private Plan plan() throws Exception {
        Path spec = Files.writeString(tmp.resolve("three.yaml"), "tickets:\n  - id: a\n    run: echo a\n  - id: gate\n    run: echo g\n"
                + "    approval: before-run\n  - id: b\n    run: echo b\n    approval: before-run\n");
        return new SpecLoader().load(spec, Map.of());
    }

    private static void assertSame(RunTimes actual, RunTimes expected) {
        assertThat(actual.sessions()).isEqualTo(expected.sessions());
        assertThat(actual.approvalWaits()).isEqualTo(expected.approvalWaits());
        assertThat(actual.known()).isTrue();
    }

    @Test
    void fromTheTimeMarksOfTheInMemoryStoreAsFromAllEvents() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        InMemoryRunStore store = new InMemoryRunStore(clock::get);
        String id = resumedAndGated(store, plan(), clock);
        RunService service = new RunService(store, null);
        assertThat(store.timeMarks(id)).isPresent();

        RunTimes times = RunTimes.read(service, id);
        assertThat(times.sessions()).containsExactly(new RunTimes.Session(T0, T0 + 4_000, false, RunTimes.Ending.STOPPED),
                new RunTimes.Session(T0 + 600_000, T0 + 603_000, true, RunTimes.Ending.CANCELLED),
                new RunTimes.Session(T0 + 700_000, T0 + 702_000, true, RunTimes.Ending.ENDED));
        assertThat(times.approvalWaits()).containsExactly(
                new RunTimes.ApprovalWait("gate", T0 + 1_000, T0 + 4_000, "its coordinator stopped"),
                new RunTimes.ApprovalWait("gate", T0 + 600_000, T0 + 601_000, "approved by alice@host"),
                new RunTimes.ApprovalWait("b", T0 + 601_000, T0 + 603_000, "the run was cancelled"),
                new RunTimes.ApprovalWait("b", T0 + 700_000, T0 + 701_000, "cancelled"));
        assertSame(times, RunTimes.readEvents(service, id));
        assertThat(times.lostAttemptEndMillis(T0 + 1_000, T0 + 600_000)).isEqualTo(T0 + 4_000);
    }

    /**
     * {@code swarm runs} and {@code swarm status} read a resumed run's times for each such run: from all of its events they
     * took time in proportion to its size (RunTimesScale). They read none of its events now.
     */
    @Test
    void readsNoEventOfARunWhoseStoreKeptItsTimeMarks() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        InMemoryRunStore memory = new InMemoryRunStore(clock::get);
        String id = resumedAndGated(memory, plan(), clock);
        AtomicLong eventReads = new AtomicLong();
        RunStore counting = (RunStore) java.lang.reflect.Proxy.newProxyInstance(RunStore.class.getClassLoader(),
                new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("events")) eventReads.incrementAndGet();
                    try {
                        return method.invoke(memory, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RunService service = new RunService(counting, null);
        RunTimes times = RunTimes.read(service, id);
        assertThat(eventReads.get()).as("pages of events read").isZero();
        assertThat(times.resumes()).isEqualTo(2);
        assertSame(times, RunTimes.readEvents(service, id));
    }

    @Test
    void fromTheTimeMarksOfSqliteAsFromAllEventsAndFromTheEventsOfARunWrittenBeforeTheStoreKeptThem() throws Exception {
        Plan plan = plan();
        Path current = Files.createDirectories(tmp.resolve("current"));
        List<String> ids = new ArrayList<>();
        try (SqlRunStore store = SqlRunStore.openSqlite(current)) {
            for (int i = 0; i < 2; i++) ids.add(resumedAndGated(store, plan, null));
            RunService service = new RunService(store, null);
            for (String id : ids) {
                assertThat(store.timeMarks(id)).isPresent();
                RunTimes times = RunTimes.read(service, id);
                assertThat(times.sessions()).hasSize(3);
                assertThat(times.approvalWaits()).hasSize(4);
                assertSame(times, RunTimes.readEvents(service, id));
            }
        }

        // a swarm from before time marks (one that does not refuse a newer schema) appends to the first run: its marks are
        // no longer complete, and it is read from its events, also after this store appends to it again
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + current.resolve("swarm.db")); Statement s = c.createStatement()) {
            String id = ids.getFirst();
            s.execute("INSERT INTO event_batches (run_id, first_seq, last_seq, at, payload) SELECT run_id, first_seq + 1, last_seq + 1, "
                    + "at + 1, '[{\"type\":\"run-cancel-requested\",\"by\":\"old@host\"}]' FROM event_batches WHERE run_id = '" + id
                    + "' ORDER BY first_seq DESC LIMIT 1");
            assertThat(s.executeUpdate("UPDATE runs SET last_seq = last_seq + 1 WHERE run_id = '" + id + "'")).isEqualTo(1);
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(current)) {
            String id = ids.getFirst();
            RunService service = new RunService(store, null);
            assertThat(store.events(id, 0, Integer.MAX_VALUE).getLast().event()).isInstanceOf(RunEvent.RunCancelRequested.class);
            assertThat(store.timeMarks(id)).isEmpty();
            long epoch = store.claimRun(id, "host:4@4", 60_000);
            store.append(id, epoch, List.of(new RunEvent.RunStarted(epoch, "host:4@4", true))).join();
            assertThat(store.timeMarks(id)).isEmpty();
            RunTimes times = RunTimes.read(service, id);
            assertThat(times.sessions()).hasSize(4);
            assertSame(times, RunTimes.of(store.events(id, 0, Integer.MAX_VALUE)));
            assertThat(store.timeMarks(ids.getLast())).isPresent();
        }

        // the same rows in a database at schema version 4, before time marks: then migrated by opening it
        Path old = Files.createDirectories(tmp.resolve("old"));
        String url = "jdbc:sqlite:" + old.resolve("swarm.db");
        Flyway.configure(SqlRunStore.class.getClassLoader()).dataSource(url, null, null)
                .locations("classpath:db/migration/sqlite").target("4").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("ATTACH DATABASE '" + current.resolve("swarm.db") + "' AS src");
            for (String table : List.of("runs", "tickets", "attempts", "event_batches")) {
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("PRAGMA main.table_info(" + table + ")")) {
                    while (rs.next()) columns.add(rs.getString("name"));
                }
                assertThat(columns).doesNotContain("time_marks");
                String list = String.join(", ", columns);
                s.execute("INSERT INTO main." + table + " (" + list + ") SELECT " + list + " FROM src." + table);
            }
        }
        try (SqlRunStore store = SqlRunStore.openSqlite(old)) {
            RunService service = new RunService(store, null);
            for (String id : ids) {
                assertThat(store.timeMarks(id)).as("not backfilled: read from the events").isEmpty();
                List<StoredEvent> events = store.events(id, 0, Integer.MAX_VALUE);
                RunTimes times = RunTimes.read(service, id);
                assertThat(times.sessions()).hasSize(id.equals(ids.getFirst()) ? 4 : 3); // the first resumed once more above
                assertSame(times, RunTimes.of(events));
            }
            // a run created after the migration keeps its marks
            String later = resumedAndGated(store, plan, null);
            assertThat(store.timeMarks(later)).isPresent();
            assertSame(RunTimes.read(service, later), RunTimes.readEvents(service, later));
        }
    }
}
