package io.swarmflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A permanent failure (no retry: every attempt would fail the same way) after an ordinary one, as {@code swarm status}
 * and report.json show it: its attempt says {@code "permanent": true} in {@code swarm status RUN TICKET --json} and
 * report.json, the ordinary one before it {@code false}; and the views that cut a long reason keep its closing
 * {@code (no retry: ...)} clause, which a guard's reason of some 300 characters used to push past the cut.
 */
class PermanentFailureStatusTest {
    private static final String CLAUSE = " (no retry: it would fail the same way)";
    /** As long as the locale guard's reasons: past both cuts (100 in the ticket table, 200 in a line). */
    private static final String REFUSED = "not started: " + "the text cannot be passed in this locale; ".repeat(7)
            + "run swarm with LC_ALL=C.UTF-8";

    @TempDir
    Path tmp;

    private Path stateDir;
    private String run;

    private void failedRun() throws Exception {
        Path spec = Files.writeString(tmp.resolve("refused.yaml"), """
                tickets:
                  - id: refused
                    run: exit 1
                    retries: 3
                """);
        Plan plan = new SpecLoader().load(spec, Map.of());
        stateDir = tmp.resolve("state");
        try (Wiring w = Wiring.create(stateDir, Wiring.executor(stateDir, new PrintStream(new ByteArrayOutputStream())))) {
            run = w.service.create(plan, spec.toString());
            long epoch = OtherHostRun.start(w, run, 1, new RunEvent.TicketReady("refused"),
                    new RunEvent.AttemptStarted("refused", 1, 60_000));
            w.store.append(run, epoch, List.of(
                    new RunEvent.AttemptFinished("refused", 1, Outcome.FAILED, 1, "exited with code 1", Map.of(), 0L),
                    new RunEvent.TicketRetryScheduled("refused", 0), new RunEvent.TicketReady("refused"),
                    new RunEvent.AttemptStarted("refused", 2, 60_000))).join();
            // as the engine records it (RunEngine.onDone): the attempt's end and the ticket's failure in one append
            w.store.append(run, epoch, List.of(
                    new RunEvent.AttemptFinished("refused", 2, Outcome.FAILED, null, REFUSED, Map.of(), null, true),
                    new RunEvent.TicketFailed("refused", REFUSED + " (after 2 attempts)" + CLAUSE),
                    new RunEvent.RunFinished(RunState.FAILED))).join();
            w.store.releaseRun(run, epoch);
        }
    }

    private static String call(Callable<Integer> command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Streams.set(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        try {
            assertThat(command.call()).isZero();
        } finally {
            Streams.clear();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private String status(String ticket, boolean json) throws Exception {
        QueryCommands.Status status = new QueryCommands.Status();
        status.runId = run;
        status.ticketId = ticket;
        status.json = json;
        status.state = new StateOptions();
        status.state.stateDir = stateDir;
        return call(status);
    }

    @Test
    void statusOfTheTicketAsJsonMarksOnlyThePermanentAttempt() throws Exception {
        failedRun();

        JsonNode json = new ObjectMapper().readTree(status("refused", true));

        assertThat(json.get("attempts")).extracting(a -> a.get("attempt").asInt() + " " + a.get("permanent").asBoolean())
                .containsExactly("1 false", "2 true");
        assertThat(json.get("attempts").get(1).get("permanent").isBoolean()).isTrue();
        assertThat(json.get("tickets").get(0).get("reason").asText()).endsWith(CLAUSE);
    }

    @Test
    void reportJsonMarksOnlyThePermanentAttempt() throws Exception {
        failedRun();
        QueryCommands.Report report = new QueryCommands.Report();
        report.runId = run;
        report.state = new StateOptions();
        report.state.stateDir = stateDir;
        call(report);

        JsonNode json = new ObjectMapper().readTree(stateDir.resolve("runs").resolve(run).resolve("report.json").toFile());

        assertThat(json.get("tickets").get(0).get("attempts"))
                .extracting(a -> a.get("attempt").asInt() + " " + a.get("permanent").asBoolean())
                .containsExactly("1 false", "2 true");
    }

    @Test
    void theViewsThatCutTheLongReasonKeepItsNoRetryClause() throws Exception {
        failedRun();
        String reason = REFUSED + " (after 2 attempts)" + CLAUSE;
        assertThat(reason.length()).as("past the cut of a line").isGreaterThan(io.swarmflow.cli.view.Printable.REASON_CHARS);

        String table = status(null, false);
        assertThat(table).as(table).containsPattern("\nrefused +failed +2 .*…" + java.util.regex.Pattern.quote(CLAUSE) + " *\n");

        String ticket = status("refused", false);
        String first = ticket.lines().findFirst().orElseThrow();
        assertThat(first).as(ticket).contains(" …" + CLAUSE + " (" + reason.length() + " characters, all below)");
    }
}
