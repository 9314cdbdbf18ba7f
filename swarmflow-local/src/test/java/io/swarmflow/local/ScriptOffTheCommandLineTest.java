package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.sandbox.TestProcesses;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A shell ticket's script holds {@code --var} values, matrix values and other tickets' outputs: it reaches bash through
 * the environment ({@link LocalExecutor#SCRIPT_VARIABLE}), never a command line, which every local user can read in
 * {@code /proc/PID/cmdline} (setsid's, prlimit's and bwrap's outside the sandbox's PID namespace too).
 */
class ScriptOffTheCommandLineTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void noProcessOfTheAttemptHasTheScriptOnItsCommandLine(Mode mode) throws Exception {
        String secret = "VarValue" + Math.abs(UUID.randomUUID().getMostSignificantBits());
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl();
            // the shell's own command line and its parent's (under bubblewrap: bwrap's process inside the namespace)
            String script = "token=" + secret + "; tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; "
                    + "echo ready; sleep 600";
            CompletableFuture<AttemptResult> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.run(Fixture.ticket("secretive", script).build(), control);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> control.stdout.contains("ready"));
                // every process on the host, as another local user would look (setsid, prlimit, bwrap, bash)
                assertThat(TestProcesses.withArgument(secret)).as("processes with the value on their command line").isZero();
                // ...while the attempt's processes are there to be seen, with the shell's fixed argument
                assertThat(TestProcesses.withArgument("$" + LocalExecutor.SCRIPT_VARIABLE)).isPositive();
            } finally {
                control.cancel();
            }
            assertThat(result.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(control.stdout.getFirst()).as("the shell's own command line").contains("bash", "eval").doesNotContain(secret);
            assertThat(control.stdout.get(1)).as("its parent's").doesNotContain(secret);
            if (mode == Mode.BWRAP) assertThat(control.stdout.get(1)).contains("bwrap");
        }
    }

    /** Through the environment and {@code eval}, the script runs as with {@code bash -c}: {@code $0}, line numbers, {@code -e}. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void theScriptRunsAsWithBashDashC(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl();
            String script = "echo \"${0##*/} $LINENO [${" + LocalExecutor.SCRIPT_VARIABLE + "-unset}]\"\n"
                    + "env | grep -c '^" + LocalExecutor.SCRIPT_VARIABLE + "=' || true\n"
                    + "shopt -s expand_aliases; alias hi='echo hi'\n"
                    + "hi there\n"
                    + "set -u\n"
                    + "echo \"$nope\"\n"
                    + "echo not reached\n";
            AttemptResult r = f.run(Fixture.ticket("dashc", script).build(), control);

            assertThat(control.stdout).containsExactly("bash 1 [unset]", "0", "hi there");
            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).isEqualTo("exited with code 1: /usr/bin/bash: line 6: nope: unbound variable");
        }
    }
}
