package io.swarmflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A run cancelled and resumed: swarm status, swarm runs and swarm report gave its time from its start alone, which
 * counts the time it stood stopped (an hour reads as "1h00m" for 20 s of running). They read its sessions from its
 * events and say the time it ran over that span. (The times here are the store's clock, milliseconds apart: the test
 * checks the shape and the wiring; RunTimesTest and RunReportTest check the figures.)
 */
class ResumedRunDurationTest {
    @TempDir
    Path tmp;

    @Test
    void statusRunsAndReportSayTheTimeAResumedRunRan() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            OtherHostRun.session(w, id, 1, new RunEvent.RunFinished(RunState.CANCELLED));
            OtherHostRun.session(w, id, 2, new RunEvent.RunFinished(RunState.CANCELLED));
        });
        Path stateDir = created.stateDir();
        String run = created.run();
        String state = "--state-dir=" + stateDir;

        String status = swarm("status", run, state);
        assertThat(status).containsPattern("\\Qrun " + run + " (\\E[^)]*\\Q): cancelled, \\E\\S+ running over \\S+ \\(resumed once\\)\n");

        String runs = swarm("runs", state);
        assertThat(runs).containsPattern(" \\S+ \\(over \\S+\\) ").contains(io.swarmflow.cli.view.Durations.OVER_NOTE);

        // the end of swarm resume: its header and report.json as swarm status and swarm report say them
        String resumed = swarm("resume", run, state, "--plain");
        assertThat(resumed).containsPattern("\\Qrun " + run + " (\\E[^)]*\\Q): succeeded, \\E\\S+ running over \\S+ \\(resumed 2 times\\)\n")
                .doesNotContain("from its start");
        Path dir;
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            dir = w.runDir(run);
        }
        JsonNode atEnd = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(atEnd.at("/run/runningMillis").isNumber()).as("%s", atEnd.get("run")).isTrue();
        assertThat(swarm("status", run, state))
                .containsPattern("\\Qrun " + run + " (\\E[^)]*\\Q): succeeded, \\E\\S+ running over \\S+ \\(resumed 2 times\\)\n");

        swarm("report", run, state);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.at("/run/runningMillis").isNumber()).as("%s", json.get("run")).isTrue();
        assertThat(json.at("/run/runningMillis").asLong()).isLessThanOrEqualTo(json.at("/run/durationMillis").asLong());
        assertThat(json.at("/run/runningMillis").asLong()).isEqualTo(atEnd.at("/run/runningMillis").asLong());
        assertThat(json.at("/run/durationMillis").asLong()).isEqualTo(atEnd.at("/run/durationMillis").asLong());
        assertThat(Files.readString(dir.resolve("report.html"))).containsPattern("Duration</span>\\S+ running over \\S+ \\(resumed 2 times\\)");
    }

    /**
     * A coordinator killed while an attempt ran: the resume records the attempt lease-expired, later. swarm status RUN TICKET
     * (its table and --json) and report.json counted the time up to that record; they end it at the killed coordinator's
     * last event, as the timeline bar does, and the table says "at least".
     */
    @Test
    void anAttemptLostWithItsCoordinatorEndsAtThatCoordinatorsLastEvent() throws Exception {
        long[] times = new long[3]; // start, lastOfKilled, lost
        OtherHostRun created = OtherHostRun.create(tmp, (w, run) -> {
            long first = OtherHostRun.start(w, run, 1);
            w.store.append(run, first, List.of(new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 60_000))).join();
            times[0] = w.service.events(run, 0, 100).getLast().atEpochMillis();
            laterThan(times[0]);
            w.store.append(run, first, List.of(new RunEvent.AttemptProcessStarted("a", 1, 42, 7))).join();
            times[1] = w.service.events(run, 0, 100).getLast().atEpochMillis();
            w.store.releaseRun(run, first); // killed: no RunFinished (released only so that the resume's claim needs no wait)
            laterThan(times[1]);
            OtherHostRun.session(w, run, 2,
                    new RunEvent.AttemptFinished("a", 1, io.swarmflow.store.Outcome.LEASE_EXPIRED, null, "lease expired", Map.of()),
                    new RunEvent.TicketCancelled("a", "run cancelled"), new RunEvent.RunFinished(RunState.CANCELLED));
            times[2] = w.service.events(run, 0, 100).getLast().atEpochMillis();
        });
        Path stateDir = created.stateDir();
        String run = created.run();
        long start = times[0], lastOfKilled = times[1], lost = times[2];
        assertThat(lost).as("the loss is recorded after the killed coordinator's last event").isGreaterThan(lastOfKilled);
        String state = "--state-dir=" + stateDir;
        long ran = lastOfKilled - start;

        assertThat(swarm("status", run, "a", state))
                .containsPattern("\n1 +lease-expired +- +[-0-9: ]+ +\\Qat least " + io.swarmflow.cli.view.Durations.format(ran) + "\\E +lease expired")
                .contains(QueryCommands.Status.LOST_ATTEMPT_NOTE);
        JsonNode status = new ObjectMapper().readTree(swarm("status", run, "a", state, "--json"));
        assertThat(status.at("/attempts/0/durationMillis").asLong()).as("%s", status.get("attempts")).isEqualTo(ran);

        swarm("report", run, state);
        Path dir;
        try (Wiring w = Wiring.existing(stateDir, new PrintStream(new ByteArrayOutputStream()))) {
            dir = w.runDir(run);
        }
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(json.at("/tickets/0/attempts/0/durationMillis").asLong()).as("%s", json.at("/tickets/0/attempts")).isEqualTo(ran);
    }

    /**
     * A ticket a cancel cut in two (started before it, finished after the resume): swarm status gives it its time running
     * over its span; swarm resume of the finished run printed its span alone. It prints the same cell now.
     */
    @Test
    void resumeOfAFinishedRunSaysATicketsDurationAsStatusDoes() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, run) -> {
            long first = OtherHostRun.start(w, run, 1, new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 1, 60_000));
            laterThan(w.service.events(run, 0, 100).getLast().atEpochMillis());
            w.store.append(run, first, List.of(new RunEvent.AttemptFinished("a", 1, io.swarmflow.store.Outcome.CANCELLED, null, "cancelled", Map.of()),
                    new RunEvent.TicketCancelled("a", "run cancelled"), new RunEvent.RunFinished(RunState.CANCELLED))).join();
            w.store.releaseRun(run, first);
            laterThan(w.service.events(run, 0, 100).getLast().atEpochMillis() + 5);
            long second = OtherHostRun.start(w, run, 2,
                    new RunEvent.TicketRequeued("a", "run resumed"), new RunEvent.TicketReady("a"), new RunEvent.AttemptStarted("a", 2, 60_000));
            laterThan(w.service.events(run, 0, 100).getLast().atEpochMillis());
            w.store.append(run, second, List.of(new RunEvent.AttemptFinished("a", 2, io.swarmflow.store.Outcome.SUCCEEDED, 0, null, Map.of()),
                    new RunEvent.TicketSucceeded("a", 2), new RunEvent.RunFinished(RunState.SUCCEEDED))).join();
            w.store.releaseRun(run, second);
        });
        Path stateDir = created.stateDir();
        String run = created.run();
        String state = "--state-dir=" + stateDir;
        java.util.regex.Matcher cell = java.util.regex.Pattern.compile("\\S+ \\(over \\S+\\)").matcher(swarm("status", run, state));
        assertThat(cell.find()).as("status gives the ticket its time running over its span").isTrue();
        String resumed = swarm("resume", run, state, "--plain");
        assertThat(resumed).startsWith("run " + run + " has already succeeded; nothing to resume").contains(cell.group());
    }

    /**
     * Waits (no sleep) until the store's clock, which is this host's, is past {@code millis}, so that the next write is
     * recorded later than an earlier one.
     */
    private static void laterThan(long millis) {
        while (System.currentTimeMillis() <= millis) Thread.onSpinWait();
    }

    private static String swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("%s\n%s", text, err.toString(StandardCharsets.UTF_8)).isZero();
        return text;
    }
}
