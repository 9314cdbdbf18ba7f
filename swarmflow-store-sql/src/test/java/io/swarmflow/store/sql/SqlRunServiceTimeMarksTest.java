package io.swarmflow.store.sql;

import io.swarmflow.engine.RunService;
import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RunService#cancel}'s pending-cancel check and {@link RunService#decidingCommand} on the SQL stores: from the time
 * marks of a run, reading none of its events, as from its events; and a run whose marks are not complete (as one recorded
 * before migration V5: {@code runs.time_marks} 0, no {@code time_marks} rows) read from its events, with the same result.
 */
class SqlRunServiceTimeMarksTest {
    static final long T0 = 1_738_324_800_000L;
    static final int FILLER = 2_500;

    @TempDir
    Path tmp;

    private final AtomicLong eventReads = new AtomicLong();

    /**
     * {@code store} counting its {@code events} calls, with or without its time marks; its {@code submitCommand} returns
     * the command unrecorded, so that a cancel asked of it changes nothing.
     */
    private RunService service(RunStore store, boolean withMarks) {
        RunStore view = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[]{RunStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("timeMarks") && !withMarks) return Optional.empty();
                    if (method.getName().equals("events")) eventReads.incrementAndGet();
                    if (method.getName().equals("submitCommand")) return args[0];
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new RunService(view, null);
    }

    /**
     * The answers of the run's lookups: what {@code swarm cancel} does ("asked" or its refusal), and the deciding command of
     * the approval, of the lost one, and of the approval after its decision.
     */
    record Answers(String cancel, Optional<Long> decided, Optional<Long> lost, Optional<Long> afterDecision) {}

    /** A run resumed after a cancel its second coordinator ignores, whose gate t1 an approval decided, with a later cancel. */
    record Run(String id, RunCommand approve, RunCommand lost, long before, long decidedAt) {}

    private static void write(SqlRunStore store, String id, long epoch, AtomicLong clock, long offset, List<RunEvent> events) {
        if (clock != null) clock.set(T0 + offset);
        store.append(id, epoch, events).join();
    }

    private static List<RunEvent> filler() {
        List<RunEvent> batch = new ArrayList<>();
        for (int i = 0; i < FILLER; i++) batch.add(new RunEvent.AttemptProcessStarted("t0", 1, 1000 + i, i));
        return batch;
    }

    /**
     * @param clock the store's clock, moved before each write; null for a store on the server's clock (PostgreSQL), whose
     *              times only do not go backwards
     */
    private static Run resumed(SqlRunStore store, AtomicLong clock) {
        String id = "r-" + Long.toHexString(System.nanoTime());
        store.createRun(TestPlans.created(id, 3));
        if (clock != null) clock.set(T0);
        long e1 = store.claimRun(id, "otherhost:1@1", 3_600_000);
        write(store, id, e1, clock, 0, List.of(new RunEvent.RunStarted(e1, "otherhost:1@1", false)));
        if (clock != null) clock.set(T0 + 1_000);
        store.submitCommand(new RunCommand(0, id, RunCommand.Kind.CANCEL, null, "alice@host", null, 0)); // never applied
        store.releaseRun(id, e1);
        if (clock != null) clock.set(T0 + 10_000);
        long e2 = store.claimRun(id, "otherhost:2@2", 3_600_000);
        write(store, id, e2, clock, 10_000, List.of(new RunEvent.RunStarted(e2, "otherhost:2@2", true), new RunEvent.TicketReady("t0"),
                new RunEvent.AttemptStarted("t0", 1, 3_600_000), new RunEvent.TicketAwaitingApproval("t1")));
        long before = store.run(id).orElseThrow().lastSeq();
        RunCommand approve = store.submitCommand(new RunCommand(0, id, RunCommand.Kind.APPROVE, "t1", "alice@host", null, 0));
        RunCommand lost = new RunCommand(approve.id() + 100, id, RunCommand.Kind.APPROVE, "t1", "bob@host", null, 0);
        write(store, id, e2, clock, 11_000, filler());
        write(store, id, e2, clock, 12_000, List.of(new RunEvent.ApprovalGranted("t1", "alice@host", approve.id())));
        long decidedAt = store.run(id).orElseThrow().lastSeq();
        write(store, id, e2, clock, 13_000, filler());
        return new Run(id, approve, lost, before, decidedAt);
    }

    private Answers answers(SqlRunStore store, Run run, boolean withMarks) {
        RunService s = service(store, withMarks);
        String cancel;
        try {
            s.cancel(run.id(), "carol@host");
            cancel = "asked";
        } catch (io.swarmflow.engine.InvalidRequestException e) {
            cancel = e.getMessage();
        }
        return new Answers(cancel, s.decidingCommand(run.approve(), run.before()),
                s.decidingCommand(run.lost(), run.before()), s.decidingCommand(run.approve(), run.decidedAt()));
    }

    /** The answers from the marks, reading no event, equal to those from the events; returned. */
    private Answers sameBothWays(SqlRunStore store, Run run) {
        assertThat(store.timeMarks(run.id())).isPresent();
        eventReads.set(0);
        Answers fromMarks = answers(store, run, true);
        assertThat(eventReads.get()).as("pages of events read with time marks").isZero();
        Answers fromEvents = answers(store, run, false);
        assertThat(eventReads.get()).as("pages of events read without them").isGreaterThan(3);
        assertThat(fromMarks).isEqualTo(fromEvents);
        assertThat(fromMarks.decided()).contains(run.approve().id());
        assertThat(fromMarks.lost()).contains(run.approve().id());
        assertThat(fromMarks.afterDecision()).isEmpty();
        return fromMarks;
    }

    /** The run's marks made incomplete, as a run's recorded before V5; its answers from its events equal {@code expected}. */
    private void preV5(Function<Path, SqlRunStore> reopen, Path where, Run run, Answers expected, SqlStatements sql) throws Exception {
        sql.run("DELETE FROM time_marks WHERE run_id = '" + run.id() + "'",
                "UPDATE runs SET time_marks = 0 WHERE run_id = '" + run.id() + "'");
        try (SqlRunStore store = reopen.apply(where)) {
            assertThat(store.timeMarks(run.id())).isEmpty();
            eventReads.set(0);
            assertThat(answers(store, run, true)).isEqualTo(expected);
            assertThat(eventReads.get()).isGreaterThan(3);
        }
    }

    interface SqlStatements {
        void run(String... sql) throws Exception;
    }

    @Test
    void onSqlite() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        Run run;
        Answers expected;
        try (SqlRunStore store = SqlRunStore.openSqlite(tmp, clock::get)) {
            run = resumed(store, clock);
            expected = sameBothWays(store, run);
            assertThat(expected.cancel()).as("a cancel older than the resume's start does not count").isEqualTo("asked");
            clock.set(T0 + 20_000);
            store.submitCommand(new RunCommand(0, run.id(), RunCommand.Kind.CANCEL, null, "bob@host", null, 0));
            expected = sameBothWays(store, run);
            assertThat(expected.cancel()).contains("already requested (by bob@host) and pending");
        }
        preV5(dir -> SqlRunStore.openSqlite(dir, clock::get), tmp, run, expected, sql -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tmp.resolve("swarm.db")); Statement s = c.createStatement()) {
                for (String q : sql) assertThat(s.executeUpdate(q)).isPositive();
            }
        });
    }

    @Test
    void onPostgres() throws Exception {
        PostgresTestDatabase.assumeReachable();
        String schema = PostgresTestDatabase.newSchema();
        try {
            Run run;
            Answers expected;
            try (SqlRunStore store = SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema)) {
                run = resumed(store, null);
                sameBothWays(store, run);
                store.submitCommand(new RunCommand(0, run.id(), RunCommand.Kind.CANCEL, null, "bob@host", null, 0));
                expected = sameBothWays(store, run);
                assertThat(expected.cancel()).as("asked after the last start").contains("already requested (by bob@host) and pending");
            }
            preV5(dir -> SqlRunStore.openPostgres(PostgresTestDatabase.URL, schema), tmp, run, expected,
                    sql -> PostgresTestDatabase.execute(schema, sql));
        } finally {
            PostgresTestDatabase.drop(schema);
        }
    }
}
