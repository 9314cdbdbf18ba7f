package io.swarmflow.cli;

import io.swarmflow.cli.view.Durations;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code swarm status RUN} of a live run (a coordinator on another host holds it): one ticket running, one waiting to
 * retry.
 * <ul>
 * <li>The run's header took the present once and the ticket table again later, so a ticket that started after the run
 * could show longer than the run; both now end at one {@code now}, taken once the run and its tickets are read.</li>
 * <li>The {@code report:} line was checked after the tickets were read, so a run that ended in between (its report
 * written) was shown as running with the report of its end; a run shown as running now names only a report that
 * existed before it was read, and says that it was written before the run ended.</li>
 * <li>The table said nothing of when a ticket waiting to retry retries; its REASON now begins with it, as
 * {@code swarm status RUN TICKET} and the live view say it ({@code retry 1 of 3 at ...}).</li>
 * </ul>
 */
class StatusSnapshotTest {
    @TempDir
    Path tmp;

    private String run;
    private Path stateDir;
    private long retryAt;

    private void liveRun() throws Exception {
        Path spec = Files.writeString(tmp.resolve("two.yaml"), """
                tickets:
                  - id: long
                    run: sleep 100
                  - id: flaky
                    run: exit 9
                    retries: 3
                """);
        Plan plan = new SpecLoader().load(spec, Map.of());
        stateDir = tmp.resolve("state");
        retryAt = System.currentTimeMillis() + 3_600_000;
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            run = w.service.create(plan, spec.toString());
            long epoch = OtherHostRun.start(w, run, 1, new RunEvent.TicketReady("long"), new RunEvent.TicketReady("flaky"));
            w.store.append(run, epoch, List.of(new RunEvent.AttemptStarted("flaky", 1, 60_000))).join();
            w.store.append(run, epoch, List.of(new RunEvent.AttemptFinished("flaky", 1, Outcome.FAILED, 9, "exited with code 9",
                    Map.of()), new RunEvent.TicketRetryScheduled("flaky", retryAt))).join();
            w.store.append(run, epoch, List.of(new RunEvent.AttemptStarted("long", 1, 60_000))).join();
        }
    }

    private String status(java.util.function.LongSupplier clock) throws Exception {
        QueryCommands.Status status = new QueryCommands.Status();
        status.runId = run;
        status.state = new StateOptions();
        status.state.stateDir = stateDir;
        status.clock = clock;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        try {
            assertThat(status.call()).isZero();
        } finally {
            Streams.clear();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theHeaderAndTheTableEndAtOneNowAndAReportWrittenAfterTheReadIsNotNamed() throws Exception {
        liveRun();
        RunView view;
        TicketView longTicket;
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            view = w.service.requireRun(run);
            longTicket = w.service.tickets(run).stream().filter(t -> t.ticketId().equals("long")).findFirst().orElseThrow();
        }
        Path html = stateDir.toRealPath().resolve("runs").resolve(run).resolve("report.html");
        // a clock that moves on 7s each time it is read: two reads give the header and the table different presents;
        // the first read writes the report, as a run that ended right after status read it would
        long base = System.currentTimeMillis() + 60_000;
        List<Long> reads = new ArrayList<>();
        String text = status(() -> {
            try {
                if (reads.isEmpty()) Files.writeString(html, "<html></html>");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            long now = base + 7_000L * reads.size();
            reads.add(now);
            return now;
        });
        long now = reads.getFirst();
        assertThat(text).as(text).contains("run " + run + " (two): running, " + Durations.format(now - view.startedAtMillis()) + "\n");
        assertThat(text).as(text).containsPattern("\nlong +running +1 +" + java.util.regex.Pattern.quote(
                Durations.format(now - longTicket.startedAtMillis())) + " ");
        assertThat(text).as("the report did not exist when the run was read as running").doesNotContain("report:");
        assertThat(text).as("when flaky retries").containsPattern("\nflaky +retry-wait +1 +.+ +9 +retry 1 of 3 at "
                + java.util.regex.Pattern.quote(io.swarmflow.cli.view.Tables.time(retryAt)) + "; exited with code 9\n");

        // the report existed before this status read the run: named, as written before the run ended
        String again = status(() -> base);
        assertThat(again).as(again).contains("  report: " + html + " (written while the run was not finished, so not its end; "
                + "`swarm report " + run + "` writes it anew)\n");
    }

    @Test
    void aTicketWaitingToRetryInARunNoCoordinatorExecutesRetriesWhenTheRunIsResumed() throws Exception {
        liveRun();
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            w.store.releaseRun(run, w.service.requireRun(run).epoch()); // its coordinator stopped
        }
        String text = status(System::currentTimeMillis);
        assertThat(text).as(text).containsPattern("\nflaky +retry-wait +1 +.+ +9 +retry 1 of 3 when the run is resumed; "
                + "exited with code 9\n");
    }
}
