package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm run spec.yaml > /dev/full} (as a full disk) that does not end normally: cancelled with {@code swarm cancel}
 * from another process, interrupted (Ctrl-C), stopped by its store (exit 4), interrupted while its database is locked.
 * Each ending says once which file could not be written, with words that fit it: only the normal end said it, and the
 * others left an empty (or cut) log unexplained. Each command runs in a JVM of its own whose standard output is
 * /dev/full ({@link OutputClosedTest#inItsOwnJvm}).
 */
class RunOutputFileEndingsTest {
    private static final String LOST = "could not write the output to /dev/full: No space left on device";

    @TempDir
    Path tmp;

    /** A coordinator in a JVM of its own, its standard output /dev/full, its standard error in a file. */
    private record Coordinator(Process process, Path err) {
        static Coordinator start(List<String> command, Path err) throws Exception {
            Process p = new ProcessBuilder(command).redirectOutput(new java.io.File("/dev/full")).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            return new Coordinator(p, err);
        }

        Result exit() throws Exception {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("ended: %s", Files.readString(err)).isTrue();
            return new Result(process.exitValue(), "", Files.readString(err, StandardCharsets.UTF_8));
        }
    }

    /** A run of {@link CliEndToEndTest#GATED} started into /dev/full, once its gate waits for approval: its id. */
    private Coordinator gated(Path state) throws Exception {
        Path spec = Cli.write(tmp.resolve("gated.yaml"), CliEndToEndTest.GATED);
        return Coordinator.start(OutputClosedTest.inItsOwnJvm("run", spec.toString(), "--plain", "--state-dir", state.toString()),
                tmp.resolve("coordinator.err"));
    }

    /** The id of the only run in {@code state}, once its ticket {@code ticketId} is {@code wanted}. */
    private static String awaitLatest(Path state, String ticketId, String wanted) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Result st = swarm("status", "--json", "--state-dir", state.toString());
            assertThat(st.code()).as("%s", st).isZero();
            assertThat(Cli.ticket(st.json(), ticketId).get("state").asText()).isEqualTo(wanted);
        });
        return latest(state);
    }

    private static String latest(Path state) {
        Result st = swarm("status", "--json", "--state-dir", state.toString());
        assertThat(st.code()).as("%s", st).isZero();
        return st.json().get("run").get("id").asText();
    }

    /** The line saying the file that could not be written, checked to be said once. */
    private static String saidOnce(Result r) {
        assertThat(r.err()).as("%s", r).contains(LOST);
        assertThat(r.err().indexOf(LOST)).as("said once: %s", r).isEqualTo(r.err().lastIndexOf(LOST));
        return r.err().lines().filter(l -> l.contains(LOST)).findFirst().orElseThrow();
    }

    /** {@code swarm resume ID} is said once: the line saying the file does not repeat what the ending said above it. */
    private static void resumeSaidOnce(Result r, String id) {
        String resume = "`swarm resume " + id + "`";
        assertThat(r.err().indexOf(resume)).as("said once: %s", r).isNotNegative().isEqualTo(r.err().lastIndexOf(resume));
    }

    @Test
    void aRunCancelledWithSwarmCancelFromAnotherProcessSaysHowToResumeIt() throws Exception {
        Path state = tmp.resolve("state");
        Coordinator run = gated(state);
        String id = awaitLatest(state, "gate", "awaiting-approval");

        Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();

        Result r = run.exit();
        assertThat(r.code()).as("%s", r).isEqualTo(130);
        assertThat(saidOnce(r)).contains("run " + id + " ended (cancelled) and is recorded", "`swarm status " + id + "`",
                "`swarm resume " + id + "` continues it");
        assertThat(swarm("status", id, "--json", "--state-dir", state.toString()).json().get("run").get("state").asText())
                .isEqualTo("cancelled");
    }

    @Test
    void aRunInterruptedWithCtrlCSaysHowToResumeIt() throws Exception {
        Path state = tmp.resolve("state");
        Coordinator run = gated(state);
        String id = awaitLatest(state, "gate", "awaiting-approval");

        Cli.signal(run.process().pid(), "INT");

        Result r = run.exit();
        assertThat(r.code()).as("%s", r).isEqualTo(130);
        assertThat(saidOnce(r)).contains("run " + id + " ended (cancelled) and is recorded", "`swarm resume " + id + "` continues it");
    }

    /**
     * Stopped by its store (a file-size limit stops the database's write-ahead log from growing, as a full disk would, as
     * in {@link StoreUnavailableTest}): exit 4, and the file is said with the run stopped by its store and how to continue,
     * without pointing to {@code swarm status}, which may not read the store either until the cause is fixed.
     */
    @Test
    void aRunStoppedByItsStoreSaysSoWithoutPromisingItsStatus() throws Exception {
        Path spec = StoreUnavailableTest.fatSpec(tmp);
        Path state = tmp.resolve("state");
        List<String> command = StoreUnavailableTest.underFileSizeLimit("run", spec.toString(), "--plain", "--quiet", "--state-dir",
                state.toString());
        Result r = Coordinator.start(command, tmp.resolve("coordinator.err")).exit();

        assertThat(r.code()).as("%s", r).isEqualTo(4);
        String id = latest(state);
        assertThat(r.err()).contains("swarm: run " + id + " stopped: its running attempts were stopped",
                "once the cause is fixed (a lock another process holds, free disk space, permissions, the database server), "
                + "`swarm resume " + id + "` continues it").doesNotContain("swarm status");
        assertThat(saidOnce(r)).endsWith("What became of the run is said above; it was not because of this.");
        resumeSaidOnce(r, id);
    }

    /**
     * A run that ended, but whose report could not be written (the file-size limit of
     * {@link StoreUnavailableTest#loudFailuresSpec}): the file is said after the lines saying the run's end and
     * {@code swarm report RUN}, without "`swarm status RUN` shows it", which it said before though the store may not read.
     */
    @Test
    void aRunWhoseReportCouldNotBeWrittenSaysSoWithoutPromisingItsStatus() throws Exception {
        Path spec = StoreUnavailableTest.loudFailuresSpec(tmp);
        Path state = tmp.resolve("state");
        Result r = Coordinator.start(StoreUnavailableTest.underFileSizeLimit("run", spec.toString(), "--plain", "--quiet",
                "--state-dir", state.toString()), tmp.resolve("coordinator.err")).exit();

        assertThat(r.code()).as("%s", r).isEqualTo(4);
        String id = latest(state);
        assertThat(r.err()).contains("swarm: run " + id + " ended (failed) and is recorded, but its report was not written",
                "`swarm report " + id + "` writes it").doesNotContain("swarm status", "internal error");
        assertThat(saidOnce(r)).endsWith("What became of the run is said above; it was not because of this.");
    }

    /**
     * Ctrl-C while another process holds the database locked ({@link LockedDatabaseInterruptTest}): the stop is not
     * recorded, and the file is said with that.
     */
    @Test
    void aRunInterruptedWhileItsDatabaseIsLockedSaysTheStopWasNotRecorded() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("sleeper.yaml"), """
                tickets:
                  - id: sleeper
                    run: touch "$SWARM_SCRATCH/started"; sleep 600
                """);
        Coordinator run = Coordinator.start(OutputClosedTest.inItsOwnJvm("run", spec.toString(), "--plain", "--grace", "1",
                "--state-dir", state.toString()), tmp.resolve("coordinator.err"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                && Files.list(state.resolve("runs")).anyMatch(d -> Files.exists(d.resolve("scratch").resolve("started"))));
        String id = latest(state);
        Result r;
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + state.resolve("swarm.db"));
             Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            Cli.signal(run.process().pid(), "INT");
            r = run.exit();
            s.execute("ROLLBACK");
        }
        assertThat(r.code()).as("%s", r).isEqualTo(130);
        assertThat(r.err()).contains("swarm: run " + id + " stopped (interrupted: SIGINT (Ctrl-C)), but the database did not "
                + "record the stop", "`swarm resume " + id + "` continues the run");
        assertThat(saidOnce(r)).endsWith("What became of the run is said above; it was not because of this.");
        resumeSaidOnce(r, id);
    }
}
