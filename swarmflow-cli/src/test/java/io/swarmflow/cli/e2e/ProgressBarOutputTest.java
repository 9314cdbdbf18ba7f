package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Capture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A ticket printing a progress bar ({@code \r 10%\r 20%}, no LF until it is done) through a real run: plain output
 * prints a bar once, as its last state (what a terminal finally shows of it), not each state as a line; it shows where a
 * bar stands while it waits, not only when it ends; and a failure's reason is the last line after the bar's last CR, not
 * a smear of its states.
 */
class ProgressBarOutputTest {
    private static final Pattern RUN_LINE = Pattern.compile("(?m)^run (\\S+): ");

    @TempDir
    Path tmp;

    /**
     * A bar that stops half-way is shown at the state it stopped at (once no state followed it for
     * {@code ProgressView.SETTLE_MILLIS}), its first state drawn over at once is not; when it goes on, its last state.
     * Each run of states the test asserts is not printed is written in one write with the state drawn over it, and read
     * at once: no state waits on another write, so none depends on how long apart two writes come.
     */
    @Test
    void plainOutputShowsWhereAWaitingBarStandsThenItsLastState() throws Exception {
        Path state = tmp.resolve("state");
        // bar stops half-way until the test lets it go on
        Path spec = Cli.write(tmp.resolve("bar.yaml"), """
                name: bars
                tickets:
                  - id: bar
                    # should the test fail before it writes go (no run line seen), the bar does not wait forever
                    timeout: 120s
                    run: |
                      printf '\\r 10%%\\r 20%%\\r'
                      until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                      printf ' 30%%\\r\\r 90%%\\r100%%\\n'
                """);
        Capture out = new Capture();
        Capture err = new Capture();
        CompletableFuture<Integer> code = new CompletableFuture<>();
        Thread.ofVirtual().name("swarm-run").start(() -> {
            try {
                code.complete(SwarmCli.execute(new String[]{"run", spec.toString(), "--plain", "--state-dir", state.toString()},
                        out.stream, err.stream));
            } catch (Throwable t) {
                code.completeExceptionally(t);
            }
        });
        Path go = null;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> RUN_LINE.matcher(out.text()).find() || code.isDone());
            Matcher m = RUN_LINE.matcher(out.text());
            assertThat(m.find()).as("run id; stderr: %s", err.text()).isTrue();
            String runId = m.group(1);
            go = state.resolve("runs").resolve(runId).resolve("scratch").resolve("go");

            // the state the bar waits at is shown while it waits: it printed no LF yet
            await().atMost(Duration.ofSeconds(30)).until(() -> out.text().contains("bar |  20%\n") || code.isDone());
            assertThat(code).as("the run waits for the bar to go on").isNotDone();
            assertThat(out.text()).contains("bar |  20%\n").doesNotContain("10%", "30%", "^M", "bar succeeded");

            Files.writeString(go, "");
            assertThat(code.get(60, TimeUnit.SECONDS)).isZero();
            assertThat(out.text()).contains("bar |  20%\n", "bar | 100%\n", "✓ bar succeeded").doesNotContain("10%", "30%", "^M");
            assertThat(out.text()).containsOnlyOnce("bar |  20%\n");
            // the log files keep the bytes as written
            assertThat(swarm("logs", runId, "bar", "--state-dir", state.toString()).out())
                    .isEqualTo("\r 10%\r 20%\r 30%\r\r 90%\r100%\n");
        } finally {
            // a failed assertion leaves no bar waiting
            if (go != null && Files.isDirectory(go.getParent())) Files.writeString(go, "");
            // on failure the output explains what happened
            System.out.println(out.text() + err.text());
        }
    }

    /**
     * A fast bar ({@code printf '%d%%\r'} from 0 to 100, then an LF) printed 101 lines in plain output, one per state,
     * flooding a CI log: it prints one, its last state, as does a second bar; the lines around them are printed as they
     * were. The log file keeps every state. The states of a bar are one write; its LF, another, may come any time after it
     * (its last state is printed once, whether the LF or the settle time ends it).
     */
    @Test
    void aFastBarIsOneLineInPlainOutput() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("fast.yaml"), """
                name: fast
                tickets:
                  - id: fast
                    run: |
                      echo building
                      printf '%d%%\\r' $(seq 0 100)
                      printf '\\n'
                      printf 'fetch %d/20\\r' $(seq 1 20)
                      printf '\\n'
                      echo done
                """);
        Cli.Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out().lines().filter(l -> l.contains("  fast | ")).map(l -> l.substring(l.indexOf("  fast | ") + 2)))
                .containsExactly("fast | building", "fast | 100%", "fast | fetch 20/20", "fast | done");
        Matcher m = RUN_LINE.matcher(run.out());
        assertThat(m.find()).as("%s", run).isTrue();
        assertThat(swarm("logs", m.group(1), "fast", "--state-dir", state.toString()).out()).contains("0%\r1%\r2%\r", "99%\r100%\r\n");
    }

    /** The reason of a failure is stderr's last line after its last CR: {@code error: boom}, not the bar's states before it. */
    @Test
    void aFailuresReasonIsTheTextAfterTheLastCrOfStderr() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("boom.yaml"), """
                name: boom
                tickets:
                  - id: boom
                    run: |
                      printf 'compiling\\n\\r 10%%\\r 50%%\\rerror: boom\\n' >&2
                      exit 3
                """);
        Cli.Result run = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isNotZero();
        // the error is drawn over the bar, as on a terminal: plain output shows it, not the bar's states
        assertThat(run.out()).contains("boom | compiling\n", "boom | error: boom\n", "✗ boom FAILED: exited with code 3: error: boom\n")
                .doesNotContain("10%", "50%", "^M");
        Matcher m = RUN_LINE.matcher(run.out());
        assertThat(m.find()).as("%s", run).isTrue();
        assertThat(ticket(swarm("status", m.group(1), "--json", "--state-dir", state.toString()).json(), "boom")
                .get("reason").asText()).isEqualTo("exited with code 3: error: boom");
    }
}
