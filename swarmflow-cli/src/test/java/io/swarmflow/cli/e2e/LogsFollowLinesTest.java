package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.CliEndToEndTest.Background;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static io.swarmflow.cli.e2e.CliEndToEndTest.awaitTicket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm logs RUN TICKET --follow} while the run goes on: whole lines of each stream, a header on a line of its
 * own, and a word on stderr while it waits for a ticket that has not started. Before, each log file was copied to its
 * end whatever its last byte: a stderr line was spliced into a stdout line written at that moment, and
 * {@code ==> attempt 2 <==} was glued to attempt 1's last line when it had no newline; a ticket waiting for an approval
 * or its dependencies was followed in silence.
 */
class LogsFollowLinesTest {
    @TempDir
    Path tmp;

    @Test
    void aLineNotEndedYetIsNotCutByTheOtherStreamsLine() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("split.yaml"), """
                tickets:
                  - id: split
                    run: |
                      printf 'out-start'
                      echo 'err line' >&2
                      until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                      echo ' out-end'
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        String id = run.runId();
        Path scratch = state.resolve("runs").resolve(id).resolve("scratch");
        Path logs = state.resolve("runs").resolve(id).resolve("logs").resolve("split").resolve("1");
        // both in the log files (the coordinator copies each stream on its own), the stdout line not ended
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Files.exists(logs.resolve("stderr.log"))
                && Files.readString(logs.resolve("stderr.log")).equals("err line\n")
                && Files.readString(logs.resolve("stdout.log")).equals("out-start"));

        Background follow = Background.start("logs", id, "split", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().text().contains("err line"));
        Files.writeString(scratch.resolve("go"), "");

        assertThat(follow.exit()).isZero();
        // before: "out-starterr line\n out-end\n"
        assertThat(follow.out().text()).isEqualTo("err line\nout-start out-end\n");
        assertThat(run.exit()).isZero();
    }

    @Test
    void aPromptWithoutANewlineStillShowsWhileTheAttemptRuns() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("prompt.yaml"), """
                tickets:
                  - id: ask
                    run: |
                      echo 'asking' >&2
                      printf 'Continue? '
                      until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                      echo yes
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        String id = run.runId();
        Path logs = state.resolve("runs").resolve(id).resolve("logs").resolve("ask").resolve("1");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Files.exists(logs.resolve("stdout.log"))
                && Files.readString(logs.resolve("stderr.log")).equals("asking\n"));

        Background follow = Background.start("logs", id, "ask", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().text().contains("Continue? "));
        assertThat(follow.code()).as("still following while the attempt runs").isNotDone();
        Files.writeString(state.resolve("runs").resolve(id).resolve("scratch").resolve("go"), "");

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).isEqualTo("asking\nContinue? yes\n");
        assertThat(run.exit()).isZero();
    }

    /** Followed into its retry, attempt 1 ending without a newline. */
    @Test
    void theAttemptHeaderStartsALineOfItsOwn() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("retry.yaml"), """
                tickets:
                  - id: flaky
                    retries: {max: 1, backoff: {initial: 10ms, max: 10ms}}
                    run: |
                      if [ "$SWARM_ATTEMPT" = 1 ]; then
                        printf 'partial'
                        until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                        exit 1
                      fi
                      echo second
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        String id = run.runId();
        Path first = state.resolve("runs").resolve(id).resolve("logs").resolve("flaky").resolve("1").resolve("stdout.log");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Files.readString(first).equals("partial"));
        Background follow = Background.start("logs", id, "flaky", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().text().contains("partial"));
        Files.writeString(state.resolve("runs").resolve(id).resolve("scratch").resolve("go"), "");

        assertThat(follow.exit()).isZero();
        // before: "partial==> attempt 2 <==\nsecond\n"
        assertThat(follow.out().text()).isEqualTo("partial\n==> attempt 2 <==\nsecond\n");
        assertThat(run.exit()).isZero();
    }

    /** F6: a ticket pending on {@code gate}, followed before it starts. */
    @Test
    void aPendingTicketIsSaidOnceWithWhatItWaitsFor() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("pending.yaml"), """
                tickets:
                  - id: gate
                    run: until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                  - id: later
                    needs: [gate]
                    run: echo ran
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "running");
        Background follow = Background.start("logs", id, "later", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.err().text().contains("waiting"));
        Files.writeString(state.resolve("runs").resolve(id).resolve("scratch").resolve("go"), "");

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).isEqualTo("ran\n");
        // before: nothing until the attempt began
        assertThat(follow.err().text()).isEqualTo("swarm: later has not started yet (pending: waits for gate (running)); "
                + "waiting for its first attempt\n");
        assertThat(run.exit()).isZero();
    }

    @Test
    void aTicketAwaitingApprovalIsSaidWithTheCommandsThatDecideIt() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), CliEndToEndTest.GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "awaiting-approval");
        Background follow = Background.start("logs", id, "gate", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.err().text().contains("waiting"));
        assertThat(Cli.swarm("approve", id, "gate", "--state-dir", state.toString()).code()).isZero();

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).isEqualTo("gate ran\n");
        assertThat(follow.err().text()).isEqualTo("swarm: gate has not started yet (awaiting-approval: approve it with `swarm approve "
                + id + " gate`, or reject it with `swarm reject " + id + " gate --reason TEXT`); waiting for its first attempt\n");
        assertThat(run.exit()).isZero();
    }

    /** N5: "attempt 2 of 2" read as the last of two while a third could come. */
    @Test
    void theLatestAttemptIsSaidOfUpToHowManyWhileMoreMayCome() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("three.yaml"), """
                tickets:
                  - id: fl
                    retries: {max: 2, backoff: {initial: 10ms, max: 10ms}}
                    run: |
                      echo "attempt $SWARM_ATTEMPT"
                      if [ "$SWARM_ATTEMPT" = 2 ]; then
                        touch "$SWARM_SCRATCH/second"
                        until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                      fi
                      [ "$SWARM_ATTEMPT" = 3 ]
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        Path scratch = state.resolve("runs").resolve(id).resolve("scratch");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(scratch.resolve("second")));
        Background follow = Background.start("logs", id, "fl", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().text().contains("attempt 2"));
        Files.writeString(scratch.resolve("go"), "");

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).isEqualTo("attempt 2\n==> attempt 3 <==\nattempt 3\n");
        // before: "swarm: fl attempt 2 of 2; following it and any retry; ..."
        assertThat(follow.err().text()).startsWith("swarm: fl attempt 2 (of up to 3); following it and any retry; "
                + "see another with --attempt N\n");
        // once it has ended, the last of three
        Cli.Result after = Cli.swarm("logs", id, "fl", "--state-dir", state.toString());
        assertThat(after.err()).isEqualTo("swarm: fl attempt 3 of 3; see another with --attempt N\n");
        assertThat(run.exit()).isZero();
    }
}
