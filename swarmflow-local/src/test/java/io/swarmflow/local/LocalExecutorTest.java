package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.local.Fixture.Mode;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class LocalExecutorTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Mode.class)
    void outputsComeFromAFileAndTheLastJsonLineOfStdout(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            String script = """
                    mkdir -p out; printf '  1.2.3\\n\\n' > out/version.txt
                    echo '{"status": "early"}'
                    echo '{"status": "ok", "count": 3, "tags": ["a"], "none": null}'
                    echo '{not json}'
                    echo done
                    """;
            AttemptResult result = f.run(Fixture.ticket("outs", script)
                    .output(new OutputSpec("version", "out/version.txt", null))
                    .output(new OutputSpec("status", null, "status"))
                    .output(new OutputSpec("count", null, "count"))
                    .output(new OutputSpec("tags", null, "tags"))
                    .output(new OutputSpec("none", null, "none")).build(), new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.outputs()).containsEntry("version", "1.2.3").containsEntry("status", "ok")
                    .containsEntry("count", "3").containsEntry("tags", "[\"a\"]").containsEntry("none", "");
        }
    }

    /**
     * An attempt's result counts what its process wrote to stdout and stderr (recorded with its end, for `swarm logs`);
     * one that wrote nothing leaves no log folder, as nothing is made before the process starts.
     */
    @Test
    void theResultCountsTheBytesWrittenAndAQuietAttemptLeavesNoLogFolder() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult quiet = f.run(Fixture.ticket("quiet", "true").build(), new TestControl());
            AttemptResult both = f.run(Fixture.ticket("both", "printf abc; printf de >&2").build(), new TestControl());
            AttemptResult failed = f.run(Fixture.ticket("failed", "echo no >&2; exit 3").build(), new TestControl());

            assertThat(quiet.outputBytes()).isZero();
            assertThat(f.runDir.resolve("logs").resolve("quiet")).doesNotExist();
            assertThat(both.outputBytes()).isEqualTo(5);
            assertThat(f.runDir.resolve("logs/both/1/stdout.log")).hasContent("abc");
            assertThat(failed.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(failed.outputBytes()).isEqualTo(3);
        }
    }

    /**
     * The executor tells the engine which output lines continue the line before them (a progress bar's states after its
     * first, drawn over it after a lone CR, as the sandbox's output pump says) and which the next line may continue, so
     * that plain output can print a bar once and a line ended by LF at once:
     * on both streams, for a ticket with network and one without (whose stderr is also looked at for a failed lookup).
     */
    @Test
    void theLinesOfAProgressBarAreToldTheyContinueTheLineBeforeThem() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String script = "printf 'start\\n 10%%\\r 50%%\\r100%%\\n'; printf 'get\\r1/2\\r2/2\\r\\ndone\\n' >&2";
            for (boolean network : new boolean[]{true, false}) {
                TestControl control = new TestControl();
                AttemptResult r = f.run(Fixture.ticket("bar", script).network(network).build(), control);
                assertThat(r.outcome()).as("%s", r).isEqualTo(Outcome.SUCCEEDED);
                assertThat(control.stdout).containsExactly("start", " 10%", " 50%", "100%");
                assertThat(control.stderr).containsExactly("get", "1/2", "2/2", "done");
                assertThat(control.continuing).as("network: %s", network)
                        .containsExactlyInAnyOrder("stdout: 50%", "stdout:100%", "stderr:1/2", "stderr:2/2");
                // and which the next may continue: those a lone CR ended, not those LF or CR LF did (each printf is one
                // write, read at once: a CR LF is seen whole)
                assertThat(control.mayBeContinued).as("network: %s", network)
                        .containsExactlyInAnyOrder("stdout: 10%", "stdout: 50%", "stderr:get", "stderr:1/2");
            }
        }
    }

    /**
     * A ticket without network under bubblewrap whose client says it could not resolve a host (git's https client here,
     * which is curl's message) gets a hint naming {@code network: true}; a ticket given the network, a run without
     * bubblewrap (whose network is the host's) and a failure that is not about the network get none. The host is in
     * {@code .invalid} (RFC 6761), which never resolves, so the message is the same with or without network.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aTicketThatCouldNotReachTheNetworkWithoutOneIsToldHowToAskForIt(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            String fetch = "git ls-remote https://swarmflow.invalid/x.git";
            AttemptResult without = f.run(Fixture.ticket("without", fetch).build(), new TestControl());
            AttemptResult with = f.run(Fixture.ticket("with", fetch).network(true).build(), new TestControl());
            AttemptResult other = f.run(Fixture.ticket("other", "echo 'no such file' >&2; exit 3").build(), new TestControl());

            String hint = " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
            assertThat(without.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(without.reason()).contains("Could not resolve host: swarmflow.invalid");
            assertThat(with.reason()).contains("Could not resolve host: swarmflow.invalid").doesNotContain(hint);
            assertThat(other.reason()).isEqualTo("exited with code 3: no such file");
            if (mode == Mode.BWRAP) assertThat(without.reason()).startsWith("exited with code 128" + hint + ": ");
            else assertThat(without.reason()).doesNotContain(hint);
        }
    }

    /**
     * The no-network hint matched "failed to resolve" anywhere: rustc's {@code error[E0433]: failed to resolve: use of
     * undeclared crate or module} and Vite's {@code Rollup failed to resolve import}, which have nothing to do with the
     * network, got the hint; the messages of clients that could not resolve a host still get it.
     */
    @Test
    void theNoNetworkHintComesWithResolverMessagesOnlyNotWithCompilersFailingToResolveANames() {
        for (String network : List.of(
                "curl: (6) Could not resolve host: example.com",
                "fatal: unable to access 'https://github.com/a/b.git/': Could not resolve host: github.com",
                "wget: unable to resolve host address 'example.com'",
                "ssh: Could not resolve hostname github.com: Temporary failure in name resolution",
                // ssh's own words where a resolver answers that the name does not exist, and for an address it cannot reach
                "ssh: Could not resolve hostname swarmflow.invalid: Name or service not known",
                "ssh: connect to host 192.0.2.1 port 22: Network is unreachable",
                "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='example.com', port=443): Max retries exceeded "
                        + "with url: / (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f>: "
                        + "Failed to resolve 'example.com' ([Errno -3] Temporary failure in name resolution)\"))",
                "socket.gaierror: [Errno -2] Name or service not known",
                "npm error request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org",
                "Error: getaddrinfo ENOTFOUND example.com",
                "go: example.com/x@v1.0.0: Get \"https://proxy.golang.org/x\": dial tcp: lookup proxy.golang.org on "
                        + "127.0.0.53:53: connect: network is unreachable")) {
            assertThat(LocalExecutor.noNetworkHint(network)).as(network).contains("network: true");
        }
        for (String other : List.of(
                "error[E0433]: failed to resolve: use of undeclared crate or module `serde`",
                "[vite]: Rollup failed to resolve import \"lodash\" from \"src/main.js\".",
                "Error: failed to resolve symbol 'foo'",
                "no such file",
                "error: could not compile `x` (bin \"x\") due to 1 previous error")) {
            assertThat(LocalExecutor.noNetworkHint(other)).as(other).isEmpty();
        }
    }

    /**
     * npm, Node.js and pip name the failed lookup a few lines before their last line of stderr (npm's "A complete log of
     * this run can be found in", Node.js's version, pip's "No matching distribution found"): the hint looked at the last
     * line only, so it never came for them. A line that said so long before the end still brings none.
     */
    @Test
    void theNoNetworkHintComesWhenOneOfTheLastLinesOfStderrNamesTheFailedLookup() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String npm = "echo 'npm error code EAI_AGAIN' >&2; echo 'npm error syscall getaddrinfo' >&2; "
                    + "echo 'npm error request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo EAI_AGAIN "
                    + "registry.npmjs.org' >&2; echo >&2; "
                    + "echo 'npm error A complete log of this run can be found in: /home/u/.npm/_logs/x-debug-0.log' >&2; exit 1";
            String pip = "echo \"WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after "
                    + "connection broken by 'NameResolutionError(\\\"<pip._vendor.urllib3.connection.HTTPSConnection object at "
                    + "0x7f>: Failed to resolve 'pypi.org' ([Errno -3] Temporary failure in name resolution)\\\")': /simple/x/\" >&2; "
                    + "echo 'ERROR: Could not find a version that satisfies the requirement x (from versions: none)' >&2; "
                    + "echo 'ERROR: No matching distribution found for x' >&2; exit 1";
            String longAgo = "echo 'curl: (6) Could not resolve host: example.com' >&2; "
                    + "for i in $(seq 12); do echo \"step $i failed\" >&2; done; exit 1";
            String hint = " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
            AttemptResult npmResult = f.run(Fixture.ticket("npm", npm).build(), new TestControl());
            assertThat(npmResult.reason()).startsWith("exited with code 1" + hint + ": npm error A complete log");
            assertThat(f.run(Fixture.ticket("pip", pip).build(), new TestControl()).reason())
                    .isEqualTo("exited with code 1" + hint + ": ERROR: No matching distribution found for x");
            assertThat(f.run(Fixture.ticket("npmnet", npm).network(true).build(), new TestControl()).reason())
                    .doesNotContain(hint);
            assertThat(f.run(Fixture.ticket("longago", longAgo).build(), new TestControl()).reason())
                    .isEqualTo("exited with code 1: step 12 failed");
        }
    }

    /**
     * A progress bar on stderr after the line that named the failed lookup: since a lone CR ends a line for the listener
     * (OutputPump), each of the bar's states came as a line of its own, ten of them pushed the lookup's line out of the
     * last {@link LocalExecutor.NoNetworkLines#RECENT} and the hint was lost. A bar's states, drawn over each other after
     * lone CRs, now count as one line whatever they hold, with the real pump: a bare percentage, tqdm's labelled bar, pip's
     * bar (letters, no percentage) and curl's meter (k and M units). Lines ended by LF still count one each.
     */
    @Test
    void aProgressBarAfterTheFailedLookupDoesNotTakeTheHintAway() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String hint = " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
            String lookup = "echo 'curl: (6) Could not resolve host: example.com' >&2; ";
            String bare = lookup + "for i in $(seq 0 5 100); do printf '\\r%3d%%' $i >&2; done; echo >&2; exit 1";
            StringBuilder states = new StringBuilder();
            for (int i = 0; i <= 10; i++) {
                states.append(String.format("\\rmodel.bin: %3d%%%%|%-10s| %d/10 [00:%02d<00:09, 1.00it/s]", i * 10, "#".repeat(i), i, i));
            }
            String labelled = lookup + "printf '" + states + "' >&2; echo >&2; echo 'Error: model.bin is empty' >&2; exit 1";
            TestControl bareControl = new TestControl();
            AttemptResult bareResult = f.run(Fixture.ticket("bare", bare).build(), bareControl);
            assertThat(bareControl.stderr).as("each state a line").hasSize(22).endsWith(" 95%", "100%");
            assertThat(bareResult.reason()).isEqualTo("exited with code 1" + hint + ": 100%");

            TestControl labelledControl = new TestControl();
            AttemptResult labelledResult = f.run(Fixture.ticket("labelled", labelled).build(), labelledControl);
            assertThat(labelledControl.stderr).as("each state a line").hasSize(13)
                    .contains("model.bin:  50%|#####     | 5/10 [00:05<00:09, 1.00it/s]");
            assertThat(labelledResult.reason()).isEqualTo("exited with code 1" + hint + ": Error: model.bin is empty");

            TestControl pipControl = new TestControl();
            AttemptResult pipResult = f.run(Fixture.ticket("pip", lookup + "printf '" + pipBar(11, "\\r", "\\342\\224\\201") + "\\n' >&2; "
                    + "echo 'ERROR: x.whl is not a wheel' >&2; exit 1").build(), pipControl);
            assertThat(pipControl.stderr).as("each state a line").hasSize(13)
                    .contains("   " + "\u2501".repeat(40) + " 5.0/5.0 MB 3.4 MB/s eta 0:00:00");
            assertThat(pipResult.reason()).isEqualTo("exited with code 1" + hint + ": ERROR: x.whl is not a wheel");

            TestControl curlControl = new TestControl();
            AttemptResult curlResult = f.run(Fixture.ticket("curl", lookup + "printf '" + curlMeter(11, "\\r") + "\\n' >&2; "
                    + "echo 'gzip: stdin: unexpected end of file' >&2; exit 1").build(), curlControl);
            assertThat(curlControl.stderr).as("each state a line").hasSize(13);
            assertThat(curlResult.reason()).isEqualTo("exited with code 1" + hint + ": gzip: stdin: unexpected end of file");

            TestControl columnControl = new TestControl();
            AttemptResult columnResult = f.run(Fixture.ticket("column", lookup + "seq 10 >&2; exit 1").build(), columnControl);
            assertThat(columnResult.reason()).as("ten lines ended by LF, however alike").isEqualTo("exited with code 1: 10");
        }
    }

    /**
     * {@code states} states of pip's download bar (rich's: letters, no percentage), each after {@code cr}, from an empty
     * bar to a full one of 40 {@code block}s (U+2501, or printf's octal escapes of its UTF-8 bytes for a script: the
     * JVM may pass a command line on in ASCII).
     */
    private static String pipBar(int states, String cr, String block) {
        StringBuilder bar = new StringBuilder();
        for (int i = 0; i < states; i++) {
            int done = 40 * i / (states - 1);
            bar.append(cr).append(String.format(java.util.Locale.ROOT, "   %s%s %.1f/5.0 MB 3.4 MB/s eta 0:00:%02d", block.repeat(done),
                    " ".repeat(40 - done), 5.0 * i / (states - 1), states - 1 - i));
        }
        return bar.toString();
    }

    /** {@code states} states of curl's progress meter (sizes and speeds in k and M), each after {@code cr}. */
    private static String curlMeter(int states, String cr) {
        StringBuilder meter = new StringBuilder();
        for (int i = 0; i < states; i++) {
            int percent = 100 * i / (states - 1);
            meter.append(cr).append(String.format(java.util.Locale.ROOT, "%3d 4096k  %3d %4dk    0     0  %4dk      0  0:00:04  0:00:%02d  0:00:%02d 1%d.2M",
                    percent, percent, 40 * percent, 900 + i, i, states - 1 - i, i % 10));
        }
        return meter.toString();
    }

    /**
     * Which lines of stderr count toward {@link LocalExecutor.NoNetworkLines#RECENT}: a line of the terminal counts once,
     * however many states a lone CR drew on it (told by the pump: {@code afterLoneCr}) and whatever they hold, and a
     * lookup named in any of them was named on it; lines ended by LF count one each, however alike (a column of numbers,
     * {@code step N failed}); stdout and blank lines none. Every line is passed on, told as it came.
     */
    @Test
    void eachLineOfTheTerminalCountsOnceAmongTheLastLinesOfStderr() {
        List<String> passed = new ArrayList<>();
        LocalExecutor.NoNetworkLines bars = new LocalExecutor.NoNetworkLines(new io.swarmflow.sandbox.LineListener() {
            @Override
            public void line(String stream, String line) {
                passed.add(stream + ":?" + line); // not told whether it continues the line before
            }

            @Override
            public void line(String stream, String line, boolean afterLoneCr) {
                passed.add(stream + ":" + (afterLoneCr ? "+" : "") + line);
            }
        });
        bars.line("stderr", "curl: (6) Could not resolve host: example.com", false);
        states(bars, pipBar(101, "\r", "\u2501"));
        states(bars, curlMeter(101, "\r"));
        states(bars, "\r   \r|\r/\r-\r\\\r|\r/\r-\rdone");
        for (int i = 0; i < 20; i++) bars.line("stdout", "out " + i, i > 0);
        for (int i = 0; i < 20; i++) bars.line("stderr", " ", i % 2 == 1);
        for (int i = 1; i <= 6; i++) bars.line("stderr", "line " + (char) ('a' + i), false);
        assertThat(bars.recentlySaid()).as("the lookup, 3 bars and 6 lines ago").isTrue();
        bars.line("stderr", "line z", false);
        assertThat(bars.recentlySaid()).as("the lookup, 3 bars and 7 lines ago").isFalse();
        assertThat(passed).as("every line passed on").hasSize(1 + 101 + 101 + 9 + 20 + 20 + 7)
                .contains("stderr:+   " + "\u2501".repeat(20) + " ".repeat(20) + " 2.5/5.0 MB 3.4 MB/s eta 0:00:50",
                        "stderr:   ", "stderr:+|", "stdout:+out 3", "stderr:line z");

        LocalExecutor.NoNetworkLines column = new LocalExecutor.NoNetworkLines(io.swarmflow.sandbox.LineListener.NONE);
        column.line("stderr", "curl: (6) Could not resolve host: example.com", false);
        for (int i = 1; i <= 9; i++) column.line("stderr", Integer.toString(i), false);
        assertThat(column.recentlySaid()).isTrue();
        column.line("stderr", "10", false);
        assertThat(column.recentlySaid()).as("ten lines ended by LF, a column of numbers").isFalse();

        LocalExecutor.NoNetworkLines steps = new LocalExecutor.NoNetworkLines(io.swarmflow.sandbox.LineListener.NONE);
        steps.line("stderr", "curl: (6) Could not resolve host: example.com");
        for (int i = 1; i <= 9; i++) steps.line("stderr", "step " + i + " failed");
        assertThat(steps.recentlySaid()).isTrue();
        steps.line("stderr", "step 10 failed");
        assertThat(steps.recentlySaid()).as("ten lines told nothing of a CR").isFalse();

        LocalExecutor.NoNetworkLines later = new LocalExecutor.NoNetworkLines(io.swarmflow.sandbox.LineListener.NONE);
        later.line("stderr", "Downloading https://example.com/x.tar.gz", false);
        later.line("stderr", "curl: (6) Could not resolve host: example.com", true);
        for (int i = 1; i <= 9; i++) later.line("stderr", "line " + i, false);
        assertThat(later.recentlySaid()).as("named in the second state of the line 9 lines ago").isTrue();
        later.line("stderr", "line 10", false);
        assertThat(later.recentlySaid()).isFalse();
    }

    /** Passes {@code text}'s parts between CRs on to {@code lines} as the pump does: each after the first told it continues. */
    private static void states(LocalExecutor.NoNetworkLines lines, String text) {
        boolean first = true;
        for (String state : text.split("\r")) {
            if (state.isEmpty()) continue;
            lines.line("stderr", state, !first);
            first = false;
        }
    }

    /**
     * git over ssh ends with its own generic lines ("fatal: Could not read from remote repository.", "Please make sure you
     * have the correct access rights", "and the repository exists."), after ssh's line naming the cause: the hint comes
     * from ssh's line, a few lines before the last, with the real ssh client and git, for a host name (the resolver
     * fails) and for an address (no route: the sandbox has only a loopback interface; 192.0.2.1 is TEST-NET-1, RFC 5737).
     */
    @Test
    void gitOverSshWithoutNetworkGetsTheHintFromSshsLine() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String hint = " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
            TestControl byName = new TestControl();
            AttemptResult name = f.run(Fixture.ticket("byname", "git clone git@github.com:o/r.git r").build(), byName);
            assertThat(byName.stderr).anyMatch(l -> l.startsWith("ssh: Could not resolve hostname github.com: "))
                    .contains("fatal: Could not read from remote repository.");
            assertThat(name.reason()).isEqualTo("exited with code 128" + hint + ": and the repository exists.");

            TestControl byAddress = new TestControl();
            AttemptResult address = f.run(Fixture.ticket("byaddress", "git clone ssh://git@192.0.2.1/o/r.git r").build(), byAddress);
            assertThat(byAddress.stderr).contains("ssh: connect to host 192.0.2.1 port 22: Network is unreachable");
            assertThat(address.reason()).isEqualTo("exited with code 128" + hint + ": and the repository exists.");

            AttemptResult ssh = f.run(Fixture.ticket("ssh", "ssh -o BatchMode=yes 192.0.2.1 true").build(), new TestControl());
            assertThat(ssh.reason()).isEqualTo("exited with code 255" + hint
                    + ": ssh: connect to host 192.0.2.1 port 22: Network is unreachable");
        }
    }

    /**
     * The hint ended the reason, which the progress view and {@code swarm status} cut after 200 characters
     * (Printable.REASON_CHARS): after git's line for a repository of a long name it was cut away where it is read. It
     * now follows the exit code, before the line.
     */
    @Test
    void theNoNetworkHintSurvivesTheCutOfALongReason() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.BWRAP)) {
            String git = "fatal: unable to access 'https://github.com/an-organisation/a-repository-with-a-rather-long-name.git/': "
                    + "Could not resolve host: github.com";
            AttemptResult r = f.run(Fixture.ticket("git", "echo \"" + git + "\" >&2; exit 128").build(), new TestControl());
            String hint = " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
            assertThat(r.reason()).isEqualTo("exited with code 128" + hint + ": " + git);
            assertThat(r.reason().substring(0, 200)).contains("network: true");
        }
    }

    @Test
    void missingOutputsFailTheAttemptWithTheReason() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult noFile = f.run(Fixture.ticket("nofile", "true")
                    .output(new OutputSpec("version", "out/version.txt", null)).build(), new TestControl());
            AttemptResult noKey = f.run(Fixture.ticket("nokey", "echo '{\"a\": 1}'")
                    .output(new OutputSpec("b", null, "b")).build(), new TestControl());
            AttemptResult noJson = f.run(Fixture.ticket("nojson", "echo plain")
                    .output(new OutputSpec("b", null, "b")).build(), new TestControl());
            AttemptResult noFileInWorktree = f.run(Fixture.ticket("wt", "true").workspace(WorkspaceMode.WORKTREE)
                    .output(new OutputSpec("version", "out/version.txt", null)).build(), new TestControl());
            AttemptResult noFileInRepo = f.run(Fixture.ticket("rp", "true").workspace(WorkspaceMode.REPO)
                    .output(new OutputSpec("version", "out/version.txt", null)).build(), new TestControl());

            assertThat(noFile.outcome()).isEqualTo(Outcome.FAILED);
            // where it was looked for: the reader need not know which directory each workspace is
            assertThat(noFile.reason()).isEqualTo("output 'version': file out/version.txt not found in the run's shared directory "
                    + f.runDir.resolve("scratch"));
            assertThat(noFileInWorktree.reason()).isEqualTo("output 'version': file out/version.txt not found in the ticket's "
                    + "worktree " + f.runDir.resolve("worktrees").resolve("wt"));
            assertThat(noFileInRepo.reason()).isEqualTo("output 'version': file out/version.txt not found in the repository " + f.repo);
            assertThat(noKey.reason()).isEqualTo("output 'b': key 'b' is not in the last JSON line of stdout");
            assertThat(noJson.reason()).isEqualTo("output 'b': no line of stdout (up to 1 MiB long) is a JSON object");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void jsonOutputsComeFromTheWholeOfStdoutPastTheLogCap(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            AgentProfile small = Fixture.profile("shell", SandboxPolicy.BEST_EFFORT, new ResourceLimits(60, 0, 0, 0, 20_000, 0), 0);
            // 20000 lines (about 110 KB) under a 20 KB log cap, then the result; and a 200 KB JSON line before it
            String script = "seq 1 20000; printf '{\"big\": \"%0200000d\"}\\n' 0; echo '{\"v\": \"found\"}'";
            TestControl control = new TestControl();
            AttemptResult r = f.run(small, Fixture.ticket("noisy", script).output(new OutputSpec("v", null, "v")).build(), control);

            assertThat(r.outcome()).as("%s", r.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.outputs()).containsEntry("v", "found");
            assertThat(Files.readString(f.runDir.resolve("logs/noisy/1/stdout.log"))).endsWith("[swarm: output truncated after 20000 bytes, inside the line above]\n")
                    .doesNotContain("found");
            assertThat(control.stdout).last().isEqualTo("[swarm: output truncated after 20000 bytes, inside the line above]");
        }
    }

    @Test
    void aJsonLineTooLongToReadAfterTheLastOneFailsTheAttemptRatherThanLeaveAnOlderValue() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            // the result holds a small key next to a 2 MB one: the line is past the 1 MiB read for outputs
            String tooLong = "echo '{\"v\": \"old\"}'; printf '{\"v\": \"new\", \"pad\": \"%02000000d\"}\\n' 0; echo done";
            AttemptResult r = f.run(Fixture.ticket("long", tooLong).output(new OutputSpec("v", null, "v")).build(), new TestControl());
            // a line too long that does not look like JSON, or one followed by a readable JSON line, changes nothing
            String thenShort = "printf '%02000000d\\n' 0; echo '{\"v\": \"old\"}'; printf '{\"pad\": \"%02000000d\"}\\n' 0; "
                    + "echo '{\"v\": \"new\"}'";
            AttemptResult ok = f.run(Fixture.ticket("short", thenShort).output(new OutputSpec("v", null, "v")).build(), new TestControl());

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).startsWith("output 'v': the last line of stdout that starts like a JSON object is longer than 1 MiB");
            assertThat(ok.outcome()).as("%s", ok.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(ok.outputs()).containsEntry("v", "new");
        }
    }

    @Test
    void anOutputValueOverTheLimitFailsTheAttemptAndSaysWhatToDo() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult file = f.run(Fixture.ticket("bigfile", "head -c 70000 /dev/zero | tr '\\0' a > big.txt")
                    .output(new OutputSpec("o", "big.txt", null)).build(), new TestControl());
            AttemptResult json = f.run(Fixture.ticket("bigjson", "printf '{\"k\": \"%070000d\"}\\n' 0")
                    .output(new OutputSpec("k", null, "k")).build(), new TestControl());
            // leading whitespace must not hide the excess: the value is checked after stripping the whole file
            AttemptResult padded = f.run(Fixture.ticket("padded", "printf '%10s' '' > pad.txt; head -c 70000 /dev/zero | tr '\\0' a >> pad.txt")
                    .output(new OutputSpec("o", "pad.txt", null)).build(), new TestControl());
            AttemptResult invalid = f.run(Fixture.ticket("invalid", "head -c 65536 /dev/zero | tr '\\0' '\\377' > bad.txt")
                    .output(new OutputSpec("o", "bad.txt", null)).build(), new TestControl()); // 64 KiB of U+FFFD: 192 KiB
            AttemptResult huge = f.run(Fixture.ticket("huge", "head -c 2000000 /dev/zero | tr '\\0' ' ' > huge.txt")
                    .output(new OutputSpec("o", "huge.txt", null)).build(), new TestControl());
            // review R2 finding 2: 1 MiB of spaces and one byte of value is over the read window, not the value limit
            AttemptResult padMiB = f.run(Fixture.ticket("padmib", "head -c 1048576 /dev/zero | tr '\\0' ' ' > padmib.txt; printf x >> padmib.txt")
                    .output(new OutputSpec("o", "padmib.txt", null)).build(), new TestControl());
            AttemptResult fits = f.run(Fixture.ticket("fits", "head -c 65536 /dev/zero | tr '\\0' a > ok.txt; echo >> ok.txt")
                    .output(new OutputSpec("o", "ok.txt", null)).build(), new TestControl());

            assertThat(file.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(file.reason()).isEqualTo("output 'o': file big.txt holds more than the 64 KiB an output may hold; "
                    + "write large results to a file in $SWARM_SCRATCH and make its path the output");
            assertThat(json.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(json.reason()).isEqualTo("output 'k': key 'k' of the last JSON line of stdout holds 70000 bytes, more than the 64 KiB "
                    + "an output may hold; write large results to a file in $SWARM_SCRATCH and make its path the output");
            assertThat(padded.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(padded.reason()).isEqualTo(file.reason().replace("big.txt", "pad.txt"));
            assertThat(invalid.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(invalid.reason()).isEqualTo(file.reason().replace("big.txt", "bad.txt"));
            assertThat(huge.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(huge.reason()).isEqualTo("output 'o': file huge.txt is larger than 1 MiB, the most read for an output file; "
                    + "write large results to a file in $SWARM_SCRATCH and make its path the output");
            assertThat(padMiB.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(padMiB.reason()).isEqualTo(huge.reason().replace("huge.txt", "padmib.txt"));
            assertThat(fits.outcome()).as("%s", fits.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(fits.outputs().get("o")).hasSize(65536);
        }
    }

    /** The shell is started by the host's path, so a PATH the spec grants cannot break the launch itself. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aGrantedPathAffectsTheScriptNotTheLaunch(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl();
            AttemptResult r = f.run(Fixture.ticket("path", "echo \"PATH=$PATH\"; ls").env("PATH", "/nonexistent").build(), control);

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(control.stdout).containsExactly("PATH=/nonexistent");
            assertThat(control.stderr).anySatisfy(l -> assertThat(l).contains("ls: command not found"));
        }
    }

    /** A NUL cannot travel in the environment or a script: the ticket that produced it fails, and says why. */
    @Test
    void anOutputWithANulCharacterFailsTheTicketThatProducedIt() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult file = f.run(Fixture.ticket("nulfile", "printf 'a\\000b' > o.txt")
                    .output(new OutputSpec("o", "o.txt", null)).build(), new TestControl());
            AttemptResult json = f.run(Fixture.ticket("nuljson", "echo '{\"k\": \"n\\u0000ul\"}'")
                    .output(new OutputSpec("k", null, "k")).build(), new TestControl());

            assertThat(file.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(file.reason()).isEqualTo("output 'o': file o.txt holds a NUL character; outputs are text, which cannot "
                    + "contain NUL (binary data belongs in a file in $SWARM_SCRATCH, whose path can be the output)");
            assertThat(json.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(json.reason()).startsWith("output 'k': key 'k' of the last JSON line of stdout holds a NUL character; ");
        }
    }

    /**
     * A lone surrogate escape ({@code "x\\ud800y"}, valid JSON) decodes to half a character, which has no UTF-8 form: it
     * became {@code x?y} unsaid in the store and the environment; the ticket that produced it fails, and says why. A
     * whole pair (an emoji) is a character.
     */
    @Test
    void aJsonOutputWithALoneSurrogateFailsTheTicketThatProducedIt() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult high = f.run(Fixture.ticket("high", "echo '{\"o\": \"x\\ud800y\"}'")
                    .output(new OutputSpec("o", null, "o")).build(), new TestControl());
            AttemptResult low = f.run(Fixture.ticket("low", "echo '{\"o\": \"x\\udc00\"}'")
                    .output(new OutputSpec("o", null, "o")).build(), new TestControl());
            AttemptResult pair = f.run(Fixture.ticket("pair", "echo '{\"o\": \"x\\ud83d\\ude00\"}'")
                    .output(new OutputSpec("o", null, "o")).build(), new TestControl());

            assertThat(high.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(high.reason()).isEqualTo("output 'o': key 'o' of the last JSON line of stdout holds a lone surrogate "
                    + "escape (\\ud800), half of a character; outputs are text, which cannot contain half a character (it has "
                    + "no UTF-8 form): escape a character beyond U+FFFF as a whole pair (\\ud83d\\ude00) or write it as it is "
                    + "(binary data belongs in a file in $SWARM_SCRATCH, whose path can be the output)");
            assertThat(low.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(low.reason()).contains("holds a lone surrogate escape (\\udc00)");
            assertThat(pair.outcome()).as(pair.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(pair.outputs()).containsEntry("o", "x\ud83d\ude00");
        }
    }

    /** A script over Linux's 128 KiB per argument cannot be started: the reason says so, with sizes and what to do. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aScriptTooLargeForTheKernelSaysSo(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            AttemptResult r = f.run(Fixture.ticket("huge", "true # " + "x".repeat(200_000)).build(), new TestControl());

            assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(r.reason()).contains("too large for the kernel (E2BIG)", "the largest environment variable SWARM_SCRIPT (the script) 195 KiB",
                    "write large values to files in $SWARM_SCRATCH");
        }
    }

    @Test
    void outputFileSymlinkedOutsideTheWorkspaceIsRefused() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("leak", "ln -sf /etc/hostname secret")
                    .output(new OutputSpec("secret", "secret", null)).build(), new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).isEqualTo("output 'secret': file secret refused: secret is a symbolic link "
                    + "(output files are read without following links)");
        }
    }

    /** Output files are read without following links (BeneathReaderTest: a link swapped in while the file is read). */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void outputFilesAreReadWithoutFollowingLinksOrOpeningFifos(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            AttemptResult inside = f.run(Fixture.ticket("inside", "mkdir -p real; echo v > real/out; ln -s real dir")
                    .output(new OutputSpec("o", "dir/out", null)).build(), new TestControl());
            AttemptResult fifo = f.run(Fixture.ticket("fifo", "mkfifo pipe").output(new OutputSpec("o", "pipe", null)).build(), new TestControl());
            AttemptResult nested = f.run(Fixture.ticket("nested", "mkdir -p a/b; echo ' value ' > a/b/out")
                    .output(new OutputSpec("o", "a/b/out", null)).build(), new TestControl());
            AttemptResult directory = f.run(Fixture.ticket("directory", "mkdir -p a/b").output(new OutputSpec("o", "a/b", null)).build(),
                    new TestControl());

            assertThat(inside.reason()).isEqualTo("output 'o': file dir/out refused: dir is a symbolic link "
                    + "(output files are read without following links)");
            assertThat(fifo.reason()).isEqualTo("output 'o': file pipe refused: pipe is not a regular file "
                    + "(output files are read without following links)");
            assertThat(directory.reason()).isEqualTo("output 'o': file a/b refused: a/b is a directory, not a file; "
                    + "name a file in it, or write the output to a file");
            assertThat(nested.outcome()).as("%s", nested.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(nested.outputs()).containsEntry("o", "value");
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void logsAreCappedWithATruncationMarker(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            ResourceLimits limits = new ResourceLimits(60, 0, 0, 0, 1000, 0);
            AgentProfile profile = Fixture.profile("shell", SandboxPolicy.BEST_EFFORT, limits, 0);
            TestControl control = new TestControl();
            AttemptResult result = f.run(profile, Fixture.ticket("loud", "for i in $(seq 1 500); do echo \"line $i\"; done").build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            String log = Files.readString(f.runDir.resolve("logs/loud/1/stdout.log"));
            assertThat(log).startsWith("line 1\nline 2\n").endsWith("\n[swarm: output truncated after 1000 bytes, inside the line above]\n");
            assertThat(log.length()).isEqualTo(1000 + "\n[swarm: output truncated after 1000 bytes, inside the line above]\n".length());
            assertThat(control.stdout).last().isEqualTo("[swarm: output truncated after 1000 bytes, inside the line above]");
            assertThat(control.stdout).doesNotContain("line 500");
        }
    }

    /** A failure's reason ends with the last line the script wrote to stderr, also when that is past the log cap. */
    @Test
    void failureReasonHasTheLastStderrLinePastTheLogCap() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile profile = Fixture.profile("shell", SandboxPolicy.BEST_EFFORT, new ResourceLimits(60, 0, 0, 0, 1000, 0), 0);
            AttemptResult result = f.run(profile, Fixture.ticket("noisy",
                    "for i in $(seq 1 500); do echo \"warning $i\" >&2; done; echo 'error: the real cause' >&2; exit 3").build(),
                    new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).isEqualTo("exited with code 3: error: the real cause");
            assertThat(Files.readString(f.runDir.resolve("logs/noisy/1/stderr.log")))
                    .endsWith("[swarm: output truncated after 1000 bytes, inside the line above]\n").doesNotContain("the real cause");
        }
    }

    @Test
    void worktreeTicketCommitsItsChangesOnItsBranch() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("feature", "echo new > added.txt; echo more >> README.md")
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult result = f.run(ticket, new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.outputs()).containsEntry("branch", "swarm/r1/feature");
            assertThat(result.outputs().get("commit")).isEqualTo(f.git("rev-parse", "swarm/r1/feature"));
            assertThat(result.outputs().get("diffstat")).contains("added.txt", "README.md", "2 files changed")
                    .startsWith(" ").doesNotEndWith("\n"); // as git prints it: every line indented, the first too
            assertThat(f.git("log", "-1", "--format=%an <%ae>|%s", "swarm/r1/feature")).isEqualTo("Swarmflow <swarm@localhost>|Ticket feature");
            assertThat(f.git("status", "--porcelain")).isEmpty();
        }
    }

    /**
     * docs/spec.md: a worktree ticket's diffstat names at most 400 files and 100 lines of git's summary, so the line with
     * the totals stays for 2,000 files; one still longer than 64 KiB (long paths in the summary) is cut, with a marker.
     */
    @Test
    void aLargeDiffstatKeepsItsTotalsAndIsCutAt64KiBWithAMarker() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("many", "for i in $(seq 1 2000); do echo $i > file-with-a-rather-long-name-$i.txt; done")
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult result = f.run(ticket, new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
            String diffstat = result.outputs().get("diffstat");
            assertThat(diffstat).startsWith(" file-with-a-rather-long-name-").contains("\n ...\n 2000 files changed, 2000 insertions(+)\n")
                    .doesNotContain("[swarm: cut at");

            String deep = "d".repeat(200) + "/" + "e".repeat(200) + "/" + "f".repeat(200);
            PlannedTicket longPaths = Fixture.ticket("deep", "mkdir -p " + deep + " && for i in $(seq 1 150); do echo $i > " + deep
                    + "/file-$i.txt; done").workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult cut = f.run(longPaths, new TestControl());

            assertThat(cut.outcome()).as("%s", cut.reason()).isEqualTo(Outcome.SUCCEEDED);
            String cutStat = cut.outputs().get("diffstat");
            assertThat(cutStat).contains(" 150 files changed").endsWith("\n[swarm: cut at 64 KiB]");
            assertThat(cutStat.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isBetween(60_000, 64 * 1024);
        }
    }

    /** Without bubblewrap a ticket can switch branches; its work is not committed elsewhere in its name. */
    @Test
    void aWorktreeTicketThatSwitchesBranchFailsAndNothingIsCommittedElsewhere() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("switch", "git switch -q -c elsewhere; echo three > three.txt")
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult result = f.run(ticket, new TestControl());
            PlannedTicket detached = Fixture.ticket("detach", "git switch -q --detach; echo four > four.txt")
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult detachedResult = f.run(detached, new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).contains("left its branch swarm/r1/switch checked out as branch elsewhere");
            assertThat(f.git("log", "-1", "--format=%s", "elsewhere")).isEqualTo("initial");
            assertThat(detachedResult.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(detachedResult.reason()).contains("as a detached HEAD");
        }
    }

    /** A cancel that arrives while the worktree is created stops the attempt before its process starts. */
    @Test
    void aCancelDuringWorktreeCreationStartsNoProcess() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            Path worktree = f.runDir.resolve("worktrees/late");
            TestControl control = new TestControl() {
                @Override
                public synchronized boolean isCancelled() {
                    if (Files.exists(worktree)) cancel(); // the cancel lands once the worktree exists
                    return super.isCancelled();
                }
            };
            AttemptResult result = f.run(Fixture.ticket("late", "touch started").workspace(WorkspaceMode.WORKTREE).build(), control);

            assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(control.pid).as("no process was started").isZero();
            assertThat(worktree.resolve("started")).doesNotExist();
        }
    }

    /**
     * A ticket owns its worktree, including the {@code .git} file: it can swap in a repository of its own whose
     * config runs a command whenever git looks at the tree. Swarmflow's commit afterwards runs on the host, so it must
     * use the worktree's recorded administrative directory, never what the worktree's {@code .git} now says.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aWorktreeTicketCannotMakeTheHostsGitRunItsCommands(Mode mode) throws Exception {
        Path escaped = tmp.resolve("ESCAPED");
        try (Fixture f = new Fixture(tmp, mode)) {
            String script = "rm -f .git; git init -q .; git config core.fsmonitor \"touch " + escaped + "; false\"; "
                    + "git config core.hooksPath hooks; mkdir hooks; printf '#!/bin/sh\\ntouch " + escaped + "\\n' > hooks/post-commit; "
                    + "chmod +x hooks/post-commit; echo change > new.txt";
            AttemptResult result = f.run(Fixture.ticket("escape", script).workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(escaped).as("a command of the ticket's git config ran on the host").doesNotExist();
            assertThat(result.outputs().get("commit")).isEqualTo(f.git("rev-parse", "swarm/r1/escape"));
            assertThat(f.git("ls-tree", "-r", "--name-only", "swarm/r1/escape")).contains("new.txt", "hooks/post-commit")
                    .doesNotContain(".git/");
            assertDotGitIsGitsOwn(f, "escape", escaped);
        }
    }

    /**
     * The worktree a failed, timed-out or succeeded ticket leaves is git's own again, whatever the ticket put in place
     * of its {@code .git} file (a file naming a repository whose config runs a command, a directory): {@code git -C
     * <worktree> status}, which {@code swarm status} suggests for a failed ticket, runs nothing the ticket configured.
     * The attempt's outcome is the script's, and its stderr log and the user's warnings say what was replaced.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void theDotGitFileATicketReplacedIsGitsOwnAgainWhateverTheOutcome(Mode mode) throws Exception {
        Path escaped = tmp.resolve("ESCAPED");
        String evil = "git init -q --bare \"$SWARM_SCRATCH/evil\"; git --git-dir=\"$SWARM_SCRATCH/evil\" config core.bare false; "
                + "git --git-dir=\"$SWARM_SCRATCH/evil\" config core.worktree \"$PWD\"; "
                + "git --git-dir=\"$SWARM_SCRATCH/evil\" config core.fsmonitor \"touch " + escaped + "; false\"; "
                + "rm -f .git; echo \"gitdir: $SWARM_SCRATCH/evil\" > .git; echo work > w.txt";
        try (Fixture f = new Fixture(tmp, mode)) {
            AttemptResult failed = f.run(Fixture.ticket("failed", evil + "; exit 3").workspace(WorkspaceMode.WORKTREE).build(),
                    new TestControl());
            assertThat(failed.outcome()).as("%s", failed.reason()).isEqualTo(Outcome.FAILED);
            assertThat(failed.exitCode()).isEqualTo(3);
            assertDotGitIsGitsOwn(f, "failed", escaped);
            assertThat(f.runDir.resolve("logs/failed/1/stderr.log")).content()
                    .contains("swarm: warning: the ticket left its worktree's .git as a file saying gitdir: ")
                    .contains("Swarmflow wrote git's own .git file back");
            assertThat(f.warnings).anyMatch(w -> w.startsWith("ticket failed: the ticket left its worktree's .git as a file saying"));

            AttemptResult slow = f.run(Fixture.ticket("slow", evil + "; sleep 600").workspace(WorkspaceMode.WORKTREE)
                    .timeout(3000).build(), new TestControl());
            assertThat(slow.outcome()).as("%s", slow.reason()).isEqualTo(Outcome.TIMED_OUT);
            assertDotGitIsGitsOwn(f, "slow", escaped);

            AttemptResult dir = f.run(Fixture.ticket("dir", "rm .git && git init -q . && echo work > w.txt")
                    .workspace(WorkspaceMode.WORKTREE).build(), new TestControl());
            assertThat(dir.outcome()).as("%s", dir.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.git("show", "swarm/r1/dir:w.txt")).isEqualTo("work");
            assertDotGitIsGitsOwn(f, "dir", escaped);
            assertThat(f.runDir.resolve("logs/dir/1/stderr.log")).content()
                    .contains("the ticket left its worktree's .git as a directory (a repository of the ticket's own); Swarmflow "
                            + "wrote git's own .git file back in place of that directory");

            AttemptResult deleted = f.run(Fixture.ticket("deleted", "rm -rf .git && echo work > w.txt")
                    .workspace(WorkspaceMode.WORKTREE).build(), new TestControl());
            assertThat(deleted.outcome()).as("a ticket that deletes .git, as packaging scripts do, succeeds: %s", deleted.reason())
                    .isEqualTo(Outcome.SUCCEEDED);
            assertDotGitIsGitsOwn(f, "deleted", escaped);
            assertThat(f.runDir.resolve("logs/deleted/1/stderr.log")).content().contains("the ticket deleted its worktree's .git file");
        }
    }

    /** The ticket's worktree has git's own {@code .git} file, and {@code git -C <worktree> status} runs nothing of the ticket's. */
    private static void assertDotGitIsGitsOwn(Fixture f, String ticket, Path escaped) throws Exception {
        Path worktree = f.runDir.resolve("worktrees").resolve(ticket);
        Path admin = Path.of(f.git("rev-parse", "--git-common-dir")).isAbsolute() ? Path.of(f.git("rev-parse", "--git-common-dir"))
                : f.repo.resolve(f.git("rev-parse", "--git-common-dir"));
        assertThat(worktree.resolve(".git")).isRegularFile();
        assertThat(Files.readString(worktree.resolve(".git")))
                .isEqualTo("gitdir: " + admin.toRealPath().resolve("worktrees").resolve(ticket) + "\n");
        Process p = new ProcessBuilder("git", "-C", worktree.toString(), "status", "--porcelain").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(escaped).as("git status in the worktree ran the ticket's fsmonitor on the host").doesNotExist();
    }

    /**
     * A ticket that deletes its worktree's {@code .git} file while another worktree is created (whose {@code git worktree
     * prune} the ticket stands in for) still gets its work committed.
     */
    @Test
    void aTicketThatDeletesItsDotGitFileKeepsItsWorkWhenGitPrunesWorktreesMeanwhile() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("nogit", "rm .git; echo work > work.txt; git -C '" + f.repo + "' worktree prune")
                    .workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.git("show", "swarm/r1/nogit:work.txt")).isEqualTo("work");
            assertThat(f.git("worktree", "list", "--porcelain")).as("unlocked once committed").doesNotContain("locked");
        }
    }

    /** A ticket that deletes its whole worktree directory (possible only without bubblewrap) fails and says so. */
    @Test
    void aTicketThatDeletesItsWorktreeDirectoryFailsAndSaysSo() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("gone", "cd .. && rm -rf gone").workspace(WorkspaceMode.WORKTREE).build(),
                    new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).contains("the ticket deleted (or replaced) its worktree directory "
                    + f.runDir.resolve("worktrees/gone"), "delete what is in it instead");
        }
    }

    /**
     * Without bubblewrap a ticket can leave a git operation half done in its worktree; committing it would seal conflict
     * markers (and, for a merge, a second parent) as the ticket's work.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "git merge other | a merge in progress with conflicts in README.md (finish it with git commit, or abort it with git merge --abort)",
            "git cherry-pick other | a cherry-pick in progress with conflicts in README.md (finish it with git cherry-pick --continue, or abort it with git cherry-pick --abort)",
            "git merge --no-commit --no-ff clean | a merge in progress (finish it with git commit",
            "git rebase other | a rebase in progress with conflicts in README.md (finish it with git rebase --continue, or abort it with git rebase --abort)",
            "git revert --no-edit HEAD~1 | a revert in progress with conflicts in README.md (finish it with git revert --continue, or abort it with git revert --abort)",
            "echo mine > README.md; git stash -q; g checkout -q other -- README.md; git stash pop | unresolved conflicts in README.md"})
    void aTicketThatLeavesAGitOperationUnfinishedFailsAndNothingIsCommitted(String operation, String reason) throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String script = "g() { git -c user.name=a -c user.email=a@a \"$@\"; }; "
                    + "g branch clean; g checkout -q clean; echo c > c.txt; g add c.txt; g commit -qm clean; g checkout -q - ; "
                    + "g branch other; g checkout -q other; echo theirs > README.md; g commit -qam theirs; g checkout -q - ; "
                    + "echo ours > README.md; g commit -qam ours; "
                    + "export GIT_AUTHOR_NAME=a GIT_AUTHOR_EMAIL=a@a GIT_COMMITTER_NAME=a GIT_COMMITTER_EMAIL=a@a; "
                    + operation + " >/dev/null 2>&1 || true";
            AttemptResult result = f.run(Fixture.ticket("half", script).workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).contains("the ticket left " + reason, "nothing was committed on swarm/r1/half");
            assertThat(f.git("log", "--format=%s", "swarm/r1/half")).doesNotContain("Ticket half");
        }
    }

    @Test
    void retryStartsFromACleanWorktreeAtTheBranchBase() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String base = f.git("rev-parse", "HEAD");
            PlannedTicket ticket = Fixture.ticket("retry", "test ! -e attempt1.txt; echo \"$SWARM_ATTEMPT\" > \"attempt$SWARM_ATTEMPT.txt\"")
                    .workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            AttemptResult first = f.executor.execute(f.request(plan, ticket, 1), new TestControl());
            AttemptResult second = f.executor.execute(f.request(plan, ticket, 2), new TestControl());

            assertThat(first.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.git("rev-parse", "swarm/r1/retry~1")).isEqualTo(base);
            assertThat(second.outputs().get("diffstat")).contains("attempt2.txt").doesNotContain("attempt1.txt");
            // the branch held attempt 1's commit (as after a coordinator died before recording it): kept, and said so
            assertThat(f.git("rev-parse", "swarm/r1/retry.before-attempt-2")).isEqualTo(first.outputs().get("commit"));
            String note = "swarm/r1/retry held commits its base " + base.substring(0, 12) + " does not have (made by an earlier "
                    + "attempt, or by hand); they are kept on branch swarm/r1/retry.before-attempt-2, "
                    + "and this attempt starts from the base";
            assertThat(f.warnings).filteredOn(w -> w.startsWith("ticket ")).containsExactly("ticket retry: " + note);
            assertThat(f.request(plan, ticket, 2).logDir().resolve("stderr.log")).hasContent("swarm: note: " + note);
        }
    }

    /**
     * The commit a new attempt kept on {@code .before-attempt-N} is one Swarmflow may have made itself (an attempt whose
     * end a stopped coordinator did not record): {@code clean --branches} names it as unrecorded, not as someone else's.
     */
    @Test
    void unrecordedBranchWorkSaysWhereTheCommitsKeptBeforeAnAttemptMayComeFrom() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String base = f.git("rev-parse", "HEAD");
            PlannedTicket ticket = Fixture.ticket("retry", "echo \"$SWARM_ATTEMPT\" > \"attempt$SWARM_ATTEMPT.txt\"")
                    .workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            AttemptResult first = f.executor.execute(f.request(plan, ticket, 1), new TestControl());
            AttemptResult second = f.executor.execute(f.request(plan, ticket, 2), new TestControl());
            assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);

            // attempt 1's end was not recorded (its coordinator was killed): only attempt 2's commit is the run's
            List<String> lines = f.executor.unrecordedBranchWork("r1", plan, f.runDir, Map.of("retry", second.outputs().get("commit")));

            assertThat(lines).containsExactly("swarm/r1/retry.before-attempt-2: at " + first.outputs().get("commit").substring(0, 12)
                    + ", not at the run's base (" + base.substring(0, 12) + "); 1 commit the run did not record, kept from "
                    + "swarm/r1/retry when attempt 2 started: made by an earlier attempt whose end was not recorded (its "
                    + "coordinator stopped) or that failed, or by hand");
            // with no attempt recorded at all (a coordinator killed after Swarmflow committed, never resumed)
            assertThat(f.executor.unrecordedBranchWork("r1", plan, f.runDir, Map.of())).contains("swarm/r1/retry: at "
                    + second.outputs().get("commit").substring(0, 12) + ", not at the run's base (" + base.substring(0, 12)
                    + "); 1 commit the run did not record (made by an attempt whose end was not recorded or that failed, or by hand)");
        }
    }

    /** A branch a new attempt resets keeps nothing aside when it holds no commit beyond the base (attempt 1 changed nothing). */
    @Test
    void aRetryOfATicketThatChangedNothingKeepsNoBranch() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("same", "test \"$SWARM_ATTEMPT\" = 1 || echo x > x.txt").workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            assertThat(f.executor.execute(f.request(plan, ticket, 1), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.executor.execute(f.request(plan, ticket, 2), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);

            assertThat(f.git("branch", "--list", "swarm/r1/*")).doesNotContain("before-attempt");
            assertThat(f.warnings).filteredOn(w -> w.startsWith("ticket ")).isEmpty();
        }
    }

    /** Without bubblewrap a ticket can commit itself; commit is then its commit, not the base. */
    @Test
    void worktreeTicketThatCommittedItselfReportsItsCommit() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("self", "echo x > new.txt; git add new.txt; "
                    + "git -c user.name=agent -c user.email=agent@localhost commit -qm 'by the agent'")
                    .workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(result.outputs().get("commit")).isEqualTo(f.git("rev-parse", "swarm/r1/self"))
                    .isNotEqualTo(f.git("rev-parse", "HEAD"));
            assertThat(result.outputs().get("diffstat")).contains("new.txt");
        }
    }

    /** Worktree tickets running at once must not trip over git's locks (config, worktree records). */
    @Test
    void manyWorktreeTicketsAtOnceAllGetTheirWorktree() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            List<PlannedTicket> tickets = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                tickets.add(Fixture.ticket("w" + i, "echo " + i + " > out.txt").workspace(WorkspaceMode.WORKTREE).build());
            }
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), tickets.toArray(PlannedTicket[]::new));
            f.executor.prepareRun("r1", plan, f.runDir);
            List<java.util.concurrent.Future<AttemptResult>> results = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(12)) {
                for (PlannedTicket t : tickets) {
                    results.add(pool.submit(() -> f.executor.execute(new io.swarmflow.agent.AttemptRequest("r1", plan, t, plan.profileOf(t), 1,
                            t.run(), t.env(), f.runDir), new TestControl())));
                }
            }
            for (var r : results) assertThat(r.get().outcome()).as("%s", r.get().reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(f.repo.resolve(".git/config"))).as("nothing left in .git/config").doesNotContain("swarmflowBase");
        }
    }

    /** All worktree tickets of a run start from the commit that was HEAD when the run was first prepared. */
    @Test
    void worktreeTicketsStartFromTheRunsPinnedBaseEvenAfterTheRepositoryMovedOn() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String base = f.git("rev-parse", "HEAD");
            AttemptResult first = f.run(Fixture.ticket("first", "echo 1 > one.txt").workspace(WorkspaceMode.WORKTREE).build(), new TestControl());
            Files.writeString(f.repo.resolve("later.txt"), "committed after the run started\n");
            f.git("add", "later.txt");
            f.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "later");
            AttemptResult second = f.run(Fixture.ticket("second", "ls").workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(first.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(f.runDir.resolve("worktree-base")).strip()).isEqualTo(base);
            assertThat(f.git("rev-parse", "swarm/r1/second")).isEqualTo(base);
            assertThat(f.git("rev-parse", "swarm/r1/first~1")).isEqualTo(base);
        }
    }

    /**
     * git add skips a directory it cannot open with only a warning: a ticket that left one (chmod 000) fails rather than
     * succeed with a commit missing its files (an ordinary user's case: root opens any directory).
     */
    @Test
    void worktreeTicketThatLeftADirectoryNobodyCanOpenFailsAndCommitsNothing() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("closed", "mkdir -p out/d cache/c; echo work > out/d/f; echo top > top.txt; "
                            + "echo cache/ > .gitignore; chmod 000 out/d cache/c") // an ignored one alone would not matter
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult result = f.run(ticket, new TestControl());

            if (root) { // root opens a 000 directory: git commits its files, and the check must not fail the ticket
                assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(f.git("show", "--name-only", "--format=", "swarm/r1/closed")).contains("out/d/f", "top.txt");
            } else {
                assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(result.reason()).contains("cannot be opened (out/d),", "nothing was committed on swarm/r1/closed", "chmod u+rx");
                assertThat(f.git("rev-parse", "swarm/r1/closed")).isEqualTo(f.git("rev-parse", "HEAD"));
            }
            Files.setPosixFilePermissions(f.runDir.resolve("worktrees/closed/out/d"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

            PlannedTicket ignoredOnly = Fixture.ticket("cache", "mkdir -p cache/c; echo top > top.txt; echo cache/ > .gitignore; chmod 000 cache/c")
                    .workspace(WorkspaceMode.WORKTREE).build();
            AttemptResult cached = f.run(ignoredOnly, new TestControl());
            assertThat(cached.outcome()).as("%s", cached.reason()).isEqualTo(Outcome.SUCCEEDED);
            Files.setPosixFilePermissions(f.runDir.resolve("worktrees/cache/cache/c"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            Files.setPosixFilePermissions(f.runDir.resolve("worktrees/closed/cache/c"), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    /**
     * git cannot open a directory whose path is longer than PATH_MAX and skips it with only a warning: a ticket that
     * wrote files that deep fails rather than succeed with a commit missing them, for root as well, and the worktree
     * it left is still deleted when the ticket runs again.
     */
    @Test
    void worktreeTicketThatWroteDeeperThanPathMaxFailsAndItsWorktreeIsStillReplaced() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            String deep = "d=$(printf 'x%.0s' $(seq 1 200)); for i in $(seq 1 30); do mkdir $d; cd $d; done; echo work > f";
            PlannedTicket ticket = Fixture.ticket("deep", "echo top > top.txt; (" + deep + ")").workspace(WorkspaceMode.WORKTREE).build();

            AttemptResult result = f.run(ticket, new TestControl());

            assertThat(result.outcome()).as("%s", result.reason()).isEqualTo(Outcome.FAILED);
            assertThat(result.reason()).contains("cannot be opened (xxxx", " … ", "nothing was committed on swarm/r1/deep",
                    "shorter than 4096 bytes").hasSizeLessThan(1000);
            assertThat(f.git("rev-parse", "swarm/r1/deep")).isEqualTo(f.git("rev-parse", "HEAD"));

            AttemptResult again = f.run(Fixture.ticket("deep", "echo top > top.txt").workspace(WorkspaceMode.WORKTREE).build(),
                    new TestControl());
            assertThat(again.outcome()).as("%s", again.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.git("show", "--name-only", "--format=", "swarm/r1/deep")).isEqualTo("top.txt");
        }
    }

    @Test
    void worktreeTicketWithoutChangesMakesNoCommit() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("idle", "true").workspace(WorkspaceMode.WORKTREE).build(), new TestControl());

            assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
            // commit is the branch's head, usable by dependents (git merge, git show) whether or not anything changed
            assertThat(result.outputs()).containsEntry("commit", f.git("rev-parse", "HEAD")).containsEntry("diffstat", "");
            assertThat(f.git("rev-parse", "swarm/r1/idle")).isEqualTo(f.git("rev-parse", "HEAD"));
        }
    }

    /**
     * A resume prepares the run again: the worktrees its tickets left stay (a failed ticket's uncommitted work is what
     * `swarm clean` refuses to delete), and only a ticket that runs again gets a fresh one.
     */
    @Test
    void prepareRunOnResumeKeepsTheWorktreesAndANewAttemptStartsClean() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket broken = Fixture.ticket("broken", "echo half > work.txt; exit 1").workspace(WorkspaceMode.WORKTREE).build();
            PlannedTicket left = Fixture.ticket("left", "ls; echo $SWARM_ATTEMPT > x.txt; [ $SWARM_ATTEMPT = 2 ]")
                    .workspace(WorkspaceMode.WORKTREE).build();
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), broken, left);
            assertThat(f.executor.execute(f.request(plan, broken, 1), new TestControl()).outcome()).isEqualTo(Outcome.FAILED);
            assertThat(f.executor.execute(f.request(plan, left, 1), new TestControl()).outcome()).isEqualTo(Outcome.FAILED);

            f.executor.prepareRun("r1", plan, f.runDir);

            assertThat(f.runDir.resolve("worktrees/broken/work.txt")).hasContent("half");
            assertThat(f.git("worktree", "list")).contains("worktrees/broken", "worktrees/left");
            assertThat(f.executor.uncommittedWork("r1", plan, f.runDir)).hasSize(2);

            TestControl second = new TestControl();
            AttemptResult again = f.executor.execute(f.request(plan, left, 2), second);
            assertThat(again.outcome()).as("%s", again.reason()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(second.stdout).as("attempt 1's file is gone").noneMatch(l -> l.contains("x.txt"));
            assertThat(f.git("show", "swarm/r1/left:x.txt")).isEqualTo("2");
            assertThat(f.runDir.resolve("worktrees/broken/work.txt")).hasContent("half");
        }
    }

    @Test
    void bestEffortWithoutBubblewrapWarnsOnceAndRuns() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AttemptResult one = f.run(Fixture.ticket("one", "true").build(), new TestControl());
            AttemptResult two = f.run(Fixture.ticket("two", "true").build(), new TestControl());

            assertThat(one.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(two.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(f.warnings).singleElement().asString()
                    .contains("bubblewrap is not usable here (disabled by the test)", "apt-get install bubblewrap");
        }
    }

    @Test
    void requiredSandboxWithoutBubblewrapIsAPreflightProblemAndNeverRunsUnisolated() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile strict = Fixture.shell(SandboxPolicy.REQUIRED);
            PlannedTicket ticket = Fixture.ticket("strict", "touch \"$SWARM_SCRATCH/ran\"").build();
            Plan plan = f.plan(strict, ticket);

            assertThat(f.executor.preflight(plan)).containsExactly("ticket strict needs sandbox: required but bubblewrap "
                    + "is not usable here: disabled by the test; install it (apt-get install bubblewrap) or set sandbox: best-effort");
            AttemptResult result = f.executor.execute(f.request(plan, ticket, 1), new TestControl());
            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(f.runDir.resolve("scratch/ran")).doesNotExist();
        }
    }

    /**
     * A branch named {@code swarm} keeps git from making any worktree ticket's branch {@code swarm/<run>/<ticket>}: a
     * preflight problem naming it and the fix, not a failure of every ticket once the run has started.
     */
    @Test
    void aBranchNamedSwarmIsAPreflightProblemWithItsFix() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("wt", "true").workspace(WorkspaceMode.WORKTREE).build();
            f.git("branch", "swarm");

            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket))).containsExactly(
                    "ticket wt uses workspace: worktree but " + f.repo + " has a branch named swarm, so git cannot make the "
                            + "worktree ticket's branch swarm/<run>/wt (a branch's name cannot also be a directory of branches); "
                            + "rename it (git -C " + f.repo + " branch -m swarm swarm-old) and run again");
            f.git("branch", "-m", "swarm", "swarm-old");
            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket))).isEmpty();
        }
    }

    /** A repository whose checked-out branch is an orphan without commits is not called a repository without commits. */
    @Test
    void worktreeTicketOnAnOrphanBranchIsAPreflightProblemNamingTheBranch() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("wt", "true").workspace(WorkspaceMode.WORKTREE).build();
            f.git("checkout", "-q", "--orphan", "fresh");

            assertThat(f.executor.preflight(f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket))).singleElement().asString()
                    .contains("the branch checked out in " + f.repo + ", fresh, has no commit yet (an orphan branch)",
                            "git switch NAME")
                    .doesNotContain("has no commit yet, so", "--allow-empty");
        }
    }

    /**
     * Checking a plan (what {@code swarm validate} does: notes and preflight) lists nothing, as it persists nothing;
     * preparing a run lists its state directory before any attempt.
     */
    @Test
    void aRunIsListedWhenPreparedAndCheckingAPlanListsNothing() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.NO_BWRAP, list)) {
            Plan plan = f.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), Fixture.ticket("a", "true").workspace(WorkspaceMode.WORKTREE).build());
            f.executor.notes(plan);
            f.executor.preflight(plan);
            assertThat(list.getParent()).doesNotExist();

            f.executor.prepareRun("r1", plan, f.runDir);

            assertThat(Files.readString(list)).isEqualTo(f.state.toRealPath() + "\0");
        }
    }

    /**
     * An attempt is launched again only when all its process did was bubblewrap's failure to make the mount point of a
     * directory that no longer exists: a script that printed the same line, printed more, or named a directory that
     * exists is not run twice.
     */
    @Test
    void onlyBubblewrapsFailureOverAVanishedDirectoryCountsAsOne() throws Exception {
        Path gone = tmp.resolve("gone");
        String line = "bwrap: Can't mkdir " + gone + ": Read-only file system";
        java.util.function.BiFunction<String, Long, io.swarmflow.sandbox.SandboxResult> exited1 = (l, extra) ->
                new io.swarmflow.sandbox.SandboxResult(io.swarmflow.sandbox.Termination.EXITED, 1, 5, 0,
                        l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 + extra, false, l, false);

        List<Path> hidden = List.of(gone, tmp);
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(line, 0L), hidden, List.of())).isEqualTo(gone);
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply("bwrap: Can't mkdir parents for " + gone + "/deeper: "
                + "Read-only file system", 0L), hidden, List.of())).isEqualTo(gone.resolve("deeper"));
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(line, 0L), List.of(tmp.resolve("other")), List.of()))
                .as("not a directory the launch hid").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(line, 10L), hidden, List.of())).as("more on stderr").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply("bwrap: Can't mkdir " + tmp + ": File exists", 0L), hidden, List.of()))
                .as("exists").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(new io.swarmflow.sandbox.SandboxResult(io.swarmflow.sandbox.Termination.EXITED,
                2, 5, 0, line.length() + 1, false, line, false), hidden, List.of())).as("exit code 2").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(new io.swarmflow.sandbox.SandboxResult(io.swarmflow.sandbox.Termination.EXITED,
                1, 5, 3, line.length() + 1, false, line, false), hidden, List.of())).as("stdout").isNull();
    }

    /**
     * The same for a host Unix socket the launch covered with /dev/null and that was deleted before bubblewrap's mounts:
     * bubblewrap's line names the socket ("Can't create file at", or "Can't mkdir parents for" when its directory went
     * too), and only one of the launch's masked files that is gone counts.
     */
    @Test
    void onlyBubblewrapsFailureOverAVanishedMaskedSocketCountsAsOne() throws Exception {
        Path gone = tmp.resolve("gone/app.sock");
        Path there = Files.writeString(tmp.resolve("there.sock"), "");
        java.util.function.Function<String, io.swarmflow.sandbox.SandboxResult> exited1 = l ->
                new io.swarmflow.sandbox.SandboxResult(io.swarmflow.sandbox.Termination.EXITED, 1, 5, 0,
                        l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1, false, l, false);
        List<Path> masked = List.of(gone, there);
        String create = "bwrap: Can't create file at " + gone + ": Read-only file system";
        String parents = "bwrap: Can't mkdir parents for " + gone + ": Read-only file system";

        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(create), List.of(), masked)).isEqualTo(gone);
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(parents), List.of(), masked)).isEqualTo(gone);
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(create), List.of(), List.of(there)))
                .as("not a file the launch covered").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply("bwrap: Can't create file at " + there + ": Read-only file "
                + "system"), List.of(), masked)).as("exists").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply("bwrap: Can't mkdir " + gone + ": Read-only file system"),
                List.of(), masked)).as("a directory's line for a covered file").isNull();
        assertThat(LocalExecutor.vanishedMountPoint(exited1.apply(create), List.of(gone), List.of()))
                .as("a file's line for a hidden directory").isNull();
    }

    /**
     * Where Unix sockets or listed state directories come and go all the time (another JVM binding and removing sockets
     * under /var/tmp), the one relaunch after bubblewrap's failure over a vanished mount point could lose the same race,
     * and the attempt failed with "bwrap: Can't mkdir ...". It is now launched again up to
     * {@link LocalExecutor#MAX_RELAUNCHES} times, each time only for such a failure. A stand-in bwrap deletes, at each of
     * its first {@code vanishings} launches, one of the listed state directories that launch's argv mounts over, then
     * runs the real one: two vanishings in a row end with the third launch, whose output alone the logs and the live view
     * hold.
     */
    @Test
    void anAttemptIsLaunchedAgainAfterEachOfSeveralMountPointsVanished() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        try {
            Relaunches r = launchWhileMountPointsVanish(outside, 2, "echo ran; echo said >&2");

            assertThat(r.launches).as("launched three times").hasSize(3);
            assertThat(r.launches.get(1)).as("the second launch left out what the first lost")
                    .doesNotContain(outside.resolve("gone1") + " ").contains(outside.resolve("gone2") + " ");
            assertThat(r.result.outcome()).as("%s %s", r.result.reason(), r.control.stderr).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.control.stdout).containsExactly("ran");
            assertThat(r.control.stderr).as("bubblewrap's lines are not shown live").containsExactly("said");
            assertThat(r.logs.resolve("stdout.log")).hasContent("ran");
            assertThat(r.logs.resolve("stderr.log")).as("nor are they in the attempt's log").hasContent("said");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    /**
     * A mount point that vanishes at every launch fails the attempt after the last relaunch, with bubblewrap's line as
     * its reason, in its stderr log and shown live, once: the launches are not endless.
     */
    @Test
    void mountPointsThatKeepVanishingFailTheAttemptAfterTheLastRelaunch() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        try {
            Relaunches r = launchWhileMountPointsVanish(outside, LocalExecutor.MAX_RELAUNCHES + 2, "echo ran");

            assertThat(r.launches).as("launched once and relaunched the most times").hasSize(1 + LocalExecutor.MAX_RELAUNCHES);
            assertThat(r.result.outcome()).isEqualTo(Outcome.FAILED);
            Path lastGone = outside.resolve("gone" + (1 + LocalExecutor.MAX_RELAUNCHES));
            assertThat(r.control.stderr).singleElement().asString().startsWith("bwrap: Can't ").contains(lastGone.toString());
            assertThat(r.result.reason()).isEqualTo("exited with code 1: " + r.control.stderr.getFirst());
            assertThat(r.control.stdout).as("the script never ran").isEmpty();
            assertThat(r.logs.resolve("stderr.log")).hasContent(r.control.stderr.getFirst());
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    private record Relaunches(AttemptResult result, TestControl control, List<String> launches, Path logs) {}

    /**
     * Runs {@code script} as one attempt under a stand-in bwrap that deletes listed state directory {@code goneN} of
     * {@code outside} at its launch N, for the first {@code vanishings} launches (of {@link LocalExecutor#MAX_RELAUNCHES}
     * + 2 listed), and then runs the real bubblewrap with its arguments: what the attempt did, and each launch's argv.
     */
    private Relaunches launchWhileMountPointsVanish(Path outside, int vanishings, String script) throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.BWRAP, list)) {
            StringBuilder listed = new StringBuilder();
            for (int i = 1; i <= LocalExecutor.MAX_RELAUNCHES + 2; i++) {
                Path gone = Files.createDirectories(outside.resolve("gone" + i));
                Files.writeString(gone.resolve("swarm.db"), "another run's variables");
                listed.append(gone).append('\0');
            }
            Files.createDirectories(list.getParent());
            Files.writeString(list, listed.toString());
            io.swarmflow.sandbox.Bubblewrap.Status real = io.swarmflow.sandbox.Bubblewrap.probe();
            Path fake = Files.createDirectories(tmp.resolve("fake")).resolve("bwrap");
            Path launched = tmp.resolve("fake/launched");
            Files.writeString(fake, "#!/bin/sh\necho \"$*\" >> " + launched + "\nn=$(wc -l < " + launched + ")\n"
                    + "if [ \"$n\" -le " + vanishings + " ]; then rm -rf " + outside + "/gone$n; fi\nexec " + real.path() + " \"$@\"\n");
            Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            PlannedTicket ticket = Fixture.ticket("one", script).build();
            TestControl control = new TestControl();
            AttemptResult result;
            try (LocalExecutor executor = new LocalExecutor(new LocalExecutor.Options(f.state, f.warnings::add, Duration.ofMillis(500),
                    new io.swarmflow.sandbox.Bubblewrap.Status(true, fake.toString(), real.version(), null), list))) {
                result = executor.execute(f.request(f.plan(Fixture.shell(SandboxPolicy.REQUIRED), ticket), ticket, 1), control);
            }
            return new Relaunches(result, control, Files.readAllLines(launched), f.runDir.resolve("logs/one/1"));
        }
    }

    /**
     * A lock on the list that another process keeps made the run hang at its start. It now waits for it a few seconds
     * once, says which lock and what to do, and goes on: the list is left as it is, and its directories are still read.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aLockOnTheListKeptByAnotherProcessIsWaitedForOnceAndSaidWhy() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        Path other = Files.createDirectories(tmp.resolve("other")).toRealPath();
        Files.createDirectories(list.getParent());
        Files.writeString(list, other + "\0");
        Process holder = StateDirRegistryTest.holdLock(list.resolveSibling("state-dirs.lock"));
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.NO_BWRAP, list)) {
            long t0 = System.nanoTime();
            assertThat(f.run(Fixture.ticket("a", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(System.nanoTime() - t0).as("waited").isGreaterThanOrEqualTo(StateDirRegistry.LOCK_WAIT.toNanos());
            long t1 = System.nanoTime();
            assertThat(f.run(Fixture.ticket("b", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(System.nanoTime() - t1).as("not again").isLessThan(StateDirRegistry.LOCK_WAIT.toNanos());

            assertThat(f.warnings.stream().filter(w -> w.contains("list of state directories")).toList()).singleElement().asString()
                    .startsWith("cannot update the list of state directories " + list
                    + ": another process has held " + list.resolveSibling("state-dirs.lock") + " for more than 5 s (fuser -v ")
                    .contains("this run's state directory is not added to it", "resume or end that process");
            assertThat(Files.readString(list)).isEqualTo(other + "\0");
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    /**
     * After one wait for the list's lock timed out, every later attempt of the run tried the lock without waiting, for the
     * rest of the run: a lock another run held for a moment later on then failed at once, and the run's state directory
     * went unlisted. Once an attempt gets the lock, the next lock kept by another process is waited for again (and the
     * attempts without a wait add the run's state directory as soon as the lock is free).
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aTryThatGetsTheListsLockAgainEndsTheTriesWithoutWaiting() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        Path other = Files.createDirectories(tmp.resolve("other")).toRealPath();
        Files.createDirectories(list.getParent());
        Files.writeString(list, other + "\0");
        Path lock = list.resolveSibling("state-dirs.lock");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.NO_BWRAP, list)) {
            Process holder = StateDirRegistryTest.holdLock(lock);
            try {
                assertThat(f.run(Fixture.ticket("a", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            } finally {
                holder.getOutputStream().close();
                holder.waitFor();
            }
            assertThat(f.run(Fixture.ticket("b", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Files.readString(list)).as("added once the lock was free").isEqualTo(other + "\0" + f.state.toRealPath() + "\0");

            holder = StateDirRegistryTest.holdLock(lock);
            try {
                Files.writeString(list, other + "\0"); // another change: the list is read again
                long t0 = System.nanoTime();
                assertThat(f.run(Fixture.ticket("c", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(System.nanoTime() - t0).as("waited again").isGreaterThanOrEqualTo(StateDirRegistry.LOCK_WAIT.toNanos());
            } finally {
                holder.getOutputStream().close();
                holder.waitFor();
            }
            assertThat(f.warnings.stream().filter(w -> w.contains("list of state directories")).toList()).hasSize(1);
        }
    }

    /** A list of state directories deleted while a run goes on (by hand, a cleaner of ~/.local) gets its entry again. */
    @Test
    void aDeletedListOfStateDirectoriesGetsTheRunsEntryAgain() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.NO_BWRAP, list)) {
            assertThat(f.run(Fixture.ticket("a", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);
            Files.delete(list);
            assertThat(f.run(Fixture.ticket("b", "true").build(), new TestControl()).outcome()).isEqualTo(Outcome.SUCCEEDED);

            assertThat(Files.readString(list)).isEqualTo(f.state.toRealPath() + "\0");
        }
    }

    /**
     * A list of state directories that cannot be kept (here its directory is a file) is said once, not at every attempt,
     * with why: java.nio's exception named only the path.
     */
    @Test
    void aListOfStateDirectoriesThatCannotBeKeptIsWarnedAboutOnce() throws Exception {
        Files.writeString(tmp.resolve("not-a-directory"), "");
        try (Fixture f = new Fixture(tmp.resolve("f"), Mode.NO_BWRAP, tmp.resolve("not-a-directory/state-dirs"))) {
            for (String id : List.of("a", "b")) {
                TestControl control = new TestControl();
                assertThat(f.run(Fixture.ticket(id, "true").build(), control).outcome()).as("%s", control.stderr)
                        .isEqualTo(Outcome.SUCCEEDED);
            }

            assertThat(f.warnings.stream().filter(w -> w.startsWith("cannot keep the list")).toList()).singleElement().asString()
                    .startsWith("cannot keep the list of state directories " + tmp.resolve("not-a-directory/state-dirs") + " ("
                            + tmp.resolve("not-a-directory") + ": exists and is not a directory); ").contains("set XDG_STATE_HOME");
        }
    }

    /**
     * A state directory that is the repository itself ({@code --state-dir .} in its top level) cannot be hidden from
     * tickets that see the repository: swarm.db and every run's logs would be readable, so the run is refused.
     */
    @Test
    void stateDirectoryThatIsTheRepositoryIsAPreflightProblem() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile shell = Fixture.shell(SandboxPolicy.BEST_EFFORT);
            Plan plan = f.plan(shell, Fixture.ticket("r", "true").workspace(WorkspaceMode.REPO).build());
            LocalExecutor inRepo = new LocalExecutor(LocalExecutor.Options.of(f.repo.resolve("."), f.warnings::add)
                    .withoutBubblewrap("disabled by the test"));

            assertThat(f.executor.preflight(plan)).isEmpty();
            assertThat(inRepo.preflight(plan)).singleElement().asString()
                    .contains("the state directory", "is the repository " + f.repo + " itself", "swarm.db",
                            "keep the state in .swarm inside the repository");
        }
    }

    @Test
    void worktreeTicketWithoutAGitRepositoryIsAPreflightProblem() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("wt", "true").workspace(WorkspaceMode.WORKTREE).build();
            AgentProfile shell = Fixture.shell(SandboxPolicy.BEST_EFFORT);
            Path notRepo = Files.createDirectories(tmp.resolve("plain"));
            Plan plain = new Plan("t", "", 1, java.util.Map.of(), notRepo.toString(), notRepo.toString(),
                    java.util.Map.of("shell", shell), java.util.List.of(ticket), "d");
            Plan none = new Plan("t", "", 1, java.util.Map.of(), null, notRepo.toString(),
                    java.util.Map.of("shell", shell), java.util.List.of(ticket), "d");

            assertThat(f.executor.preflight(f.plan(shell, ticket))).isEmpty();
            assertThat(f.executor.preflight(plain)).singleElement().asString()
                    .contains(notRepo + " is not a git repository", "and ticket wt needs one (workspace: worktree)");
            assertThat(f.executor.preflight(none)).singleElement().asString()
                    .contains("ticket wt uses workspace: worktree but the swarm has no git repository");

            Path empty = Files.createDirectories(tmp.resolve("empty-repo"));
            new ProcessBuilder("git", "init", "-q", empty.toString()).inheritIO().start().waitFor();
            Plan noCommit = new Plan("t", "", 1, java.util.Map.of(), empty.toString(), empty.toString(),
                    java.util.Map.of("shell", shell), java.util.List.of(ticket), "d");
            assertThat(f.executor.preflight(noCommit)).singleElement().asString()
                    .contains("ticket wt uses workspace: worktree but " + empty + " has no commit yet")
                    .contains("git commit --allow-empty -m init");
        }
    }

    /**
     * A repository the spec's loader accepted (it has a {@code .git}) that git refuses, here a {@code .git} file naming a
     * git directory that is gone: the problem says what git says, not only that it was moved or lost its .git.
     */
    @Test
    void aRepositoryGitRefusesIsAPreflightProblemWithGitsReason() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            PlannedTicket ticket = Fixture.ticket("wt", "true").workspace(WorkspaceMode.WORKTREE).build();
            AgentProfile shell = Fixture.shell(SandboxPolicy.BEST_EFFORT);
            Path broken = Files.createDirectories(tmp.resolve("broken"));
            Files.writeString(broken.resolve(".git"), "gitdir: " + tmp.resolve("gone") + "\n");
            Plan plan = new Plan("t", "", 1, java.util.Map.of(), broken.toString(), broken.toString(),
                    java.util.Map.of("shell", shell), java.util.List.of(ticket), "d");

            assertThat(f.executor.preflight(plan)).singleElement().asString()
                    .contains(broken + " is not a git repository for git (git rev-parse said: fatal: not a git repository: "
                            + tmp.resolve("gone") + ")", "and ticket wt needs one (workspace: worktree)", "restore the repository there");
        }
    }

    /** A second interrupt: the grace period under way for a group that ignores TERM is cut short with KILL. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void killEndsACancelledAttemptWithoutWaitingOutItsGrace(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            TestControl control = new TestControl(600_000); // ten minutes of grace
            CompletableFuture<AttemptResult> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.run(Fixture.ticket("stubborn", "trap '' TERM; echo ready; sleep 600").build(), control);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> control.stdout.contains("ready"));
            control.cancel();
            // TERM is ignored: the attempt waits for its grace period
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !result.isDone());
            control.kill();
            AttemptResult r = result.get(30, TimeUnit.SECONDS);
            assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
            assertThat(ProcessHandle.of(control.pid)).isEmpty();
        }
    }

    /**
     * {@code --grace 0} (the engine's grace period 0) was taken for "no grace given", and the executor's own grace period
     * (5 s by default) was waited out for a script that ignores TERM. 0 means KILL right after the TERM: here the
     * executor's fallback is ten minutes, so the attempt would not end within the test's wait.
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void graceZeroKillsRightAfterTheTerm(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode, tmp.resolve("state-dirs"), Duration.ofMinutes(10))) {
            TestControl control = new TestControl(0);
            CompletableFuture<AttemptResult> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.run(Fixture.ticket("stubborn", "trap 'echo got TERM' TERM; echo ready; "
                            + "while true; do sleep 0.2 || true; done").build(), control);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> control.stdout.contains("ready"));
                control.cancel();

                AttemptResult r = result.get(60, TimeUnit.SECONDS);
                assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
                assertThat(r.reason()).isEqualTo("cancelled; it was killed (SIGKILL) right after TERM: the grace period is 0s");
                assertThat(ProcessHandle.of(control.pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            } finally {
                control.kill(); // a failure above leaves nothing running for the ten minutes
                result.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** The executor's own grace period cannot be negative: said at once, with the value, rather than at a cancel. */
    @Test
    void aNegativeGracePeriodIsRefused() {
        LocalExecutor.Options options = LocalExecutor.Options.of(tmp, w -> { });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> options.withGracePeriod(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("gracePeriod must be 0 or more, got -1 ms");
        assertThat(options.withGracePeriod(Duration.ZERO).gracePeriod()).isZero();
    }

    /** A control that gives no grace period (a negative one) gets the executor's own, {@link LocalExecutor.Options#gracePeriod()}. */
    @Test
    void aControlWithoutAGracePeriodGetsTheExecutorsOwn() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP, tmp.resolve("state-dirs"), Duration.ofMillis(300))) {
            TestControl control = new TestControl(-1);
            AttemptResult r = f.run(Fixture.ticket("stubborn", "trap '' TERM; echo started; while :; do sleep 0.1; done")
                    .timeout(1000).build(), control);

            assertThat(r.outcome()).isEqualTo(Outcome.TIMED_OUT);
            assertThat(r.reason()).isEqualTo("timed out after 1s; it did not end within the 0.3s grace period after TERM "
                    + "and was killed (SIGKILL)");
        }
    }

    /**
     * A first line of stderr that looks like bubblewrap's failure over a vanished directory waits to be shown until the
     * launch is known to be kept; when the thread waiting for the attempt is interrupted (a coordinator shutting down),
     * the launch is the attempt's all the same, and the line still reaches the live view (it was held back forever).
     */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void aLineHeldBackIsShownWhenTheWaitIsInterrupted(Mode mode) throws Exception {
        try (Fixture f = new Fixture(tmp, mode)) {
            String line = "bwrap: Can't mkdir /no-such-dir-of-swarmflow-tests: Read-only file system";
            TestControl control = new TestControl();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Thread waiting = Thread.ofPlatform().start(() -> {
                try {
                    f.run(Fixture.ticket("held", "echo \"" + line + "\" >&2; sleep 600").build(), control);
                    ended.complete(null);
                } catch (Throwable e) {
                    ended.complete(e);
                }
            });
            Path log = f.runDir.resolve("logs/held/1/stderr.log");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log) && Files.readString(log).contains(line));
            waiting.interrupt();

            assertThat(ended.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> control.stderr.contains(line));
            assertThat(control.stderr).containsExactly(line);
            assertThat(log).hasContent(line);
            assertThat(ProcessHandle.of(control.pid)).isEmpty();
        }
    }

    /**
     * As an ordinary user without bubblewrap there is no PID namespace and no cgroup to end a process that left the
     * attempt's process group: a daemon started with setsid outlived the attempt and the run, and nobody was told. It is
     * now found by the attempt's environment, ended, and named in a warning and the attempt's stderr log.
     */
    @Test
    void aDaemonThatLeftTheGroupWithoutASandboxIsEndedAndNamed() throws Exception {
        String[] out = io.swarmflow.files.OrdinaryUser.call(tmp, LocalExecutorTest.class, "leaveADaemonStep", tmp.toString())
                .split("\n", 4);
        long pid = Long.parseLong(out[1]);
        try {
            assertThat(out[0]).isEqualTo("SUCCEEDED");
            await().atMost(Duration.ofSeconds(10)).until(() -> !running(pid));
            String named = pid + " (sleep 1000)";
            assertThat(out[2]).contains(" | ticket daemon: attempt 1 left a process running outside its process group "
                    + "(setsid, a daemon): " + named + "; Swarmflow ended it (TERM, then KILL after the grace period).");
            assertThat(out[3]).startsWith("swarm: warning: attempt 1 left a process running").contains(named);
        } finally {
            if (running(pid)) new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        }
    }

    /** Runs a ticket that leaves a daemon: its outcome, the daemon's pid, the warnings and the stderr log, one a line. */
    static String leaveADaemonStep(String... a) throws Exception {
        try (Fixture f = new Fixture(Path.of(a[0]).resolve("f"), Mode.NO_BWRAP)) {
            AttemptResult result = f.run(Fixture.ticket("daemon", """
                    setsid sh -c 'echo $$ > "$SWARM_SCRATCH/daemon.pid.tmp"; mv "$SWARM_SCRATCH/daemon.pid.tmp" "$SWARM_SCRATCH/daemon.pid"; exec sleep 1000' >/dev/null 2>&1 &
                    until [ -e "$SWARM_SCRATCH/daemon.pid" ]; do sleep 0.01; done
                    # the pid is written before the exec: the attempt ends (and the daemon is named) once it is sleep
                    until [ "$(cat /proc/$(cat "$SWARM_SCRATCH/daemon.pid")/comm 2>/dev/null)" = sleep ]; do sleep 0.01; done""").build(),
                    new TestControl());
            Path stderr = f.runDir.resolve("logs/daemon/1/stderr.log");
            return result.outcome() + "\n" + Files.readString(f.runDir.resolve("scratch/daemon.pid")).strip() + "\n"
                    + String.join(" | ", f.warnings) + "\n" + (Files.exists(stderr) ? Files.readString(stderr) : "");
        }
    }

    /**
     * The same daemon, left by an attempt whose wait is then interrupted (a coordinator shutting down): the group is
     * killed, and what left it must go too, as a cgroup's or bubblewrap's would; it outlived the run.
     */
    @Test
    void aDaemonThatLeftTheGroupIsEndedAlsoWhenTheWaitIsInterrupted() throws Exception {
        String[] out = io.swarmflow.files.OrdinaryUser.call(tmp, LocalExecutorTest.class, "leaveADaemonAndInterruptStep",
                tmp.toString()).split("\n", 2);
        long pid = Long.parseLong(out[0]);
        try {
            assertThat(out[1]).isEqualTo(InterruptedException.class.getName());
            // a bound, not a figure: it timed out at 10 s once while the machine's load was 13 (two cores)
            await().atMost(Duration.ofSeconds(60)).until(() -> !running(pid));
        } finally {
            if (running(pid)) new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
        }
    }

    /** Runs a ticket that leaves a daemon, then waits, and interrupts the wait: the daemon's pid and what the run threw. */
    static String leaveADaemonAndInterruptStep(String... a) throws Exception {
        try (Fixture f = new Fixture(Path.of(a[0]).resolve("f"), Mode.NO_BWRAP)) {
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Thread waiting = Thread.ofPlatform().start(() -> {
                try {
                    f.run(Fixture.ticket("daemon", """
                            setsid sh -c 'echo $$ > "$SWARM_SCRATCH/daemon.pid.tmp"; mv "$SWARM_SCRATCH/daemon.pid.tmp" "$SWARM_SCRATCH/daemon.pid"; exec sleep 1000' >/dev/null 2>&1 &
                            sleep 600""").build(), new TestControl());
                    ended.complete(null);
                } catch (Throwable e) {
                    ended.complete(e);
                }
            });
            Path pidFile = f.runDir.resolve("scratch/daemon.pid");
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(pidFile));
            waiting.interrupt();
            Throwable thrown = ended.get(30, TimeUnit.SECONDS);
            return Files.readString(pidFile).strip() + "\n" + (thrown == null ? "none" : thrown.getClass().getName());
        }
    }

    /** Whether process {@code pid} is alive (not a zombie). */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * Two runs active at once in different state directories: each attempt read the list again when its stamp had
     * changed and moved its run's state directory to the end, so the two rewrote the list in turn at every attempt (and
     * took its lock each time). A run moves its own to the end when it starts or resumes; an attempt leaves the list as
     * it is once both are listed.
     */
    @Test
    void twoActiveRunsDoNotRewriteTheListAtEveryAttempt() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture a = new Fixture(tmp.resolve("a"), Mode.NO_BWRAP, list);
             Fixture b = new Fixture(tmp.resolve("b"), Mode.NO_BWRAP, list)) {
            PlannedTicket ticket = Fixture.ticket("t", "true").build();
            Plan planA = a.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            Plan planB = b.plan(Fixture.shell(SandboxPolicy.BEST_EFFORT), ticket);
            a.executor.prepareRun("r1", planA, a.runDir);
            b.executor.prepareRun("r1", planB, b.runDir);
            List<Object> stamps = new ArrayList<>();
            for (int attempt = 1; attempt <= 4; attempt++) {
                for (Fixture f : List.of(a, b)) {
                    Plan plan = f == a ? planA : planB;
                    AttemptResult r = f.executor.execute(new io.swarmflow.agent.AttemptRequest("r1", plan, ticket,
                            plan.profileOf(ticket), attempt, ticket.run(), ticket.env(), f.runDir), new TestControl());
                    assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
                    stamps.add(StateDirRegistry.stamp(list));
                }
            }
            assertThat(stamps).as("the list's stamp after each attempt").containsOnly(stamps.getFirst());
            assertThat(new String(Files.readAllBytes(list), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(a.state.toRealPath() + "\0" + b.state.toRealPath() + "\0");
        }
    }

    @Test
    void noopSucceedsAtOnceWaitsItsDurationAndHonoursTimeoutAndCancel() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            AgentProfile noop = Fixture.profile("noop", SandboxPolicy.BEST_EFFORT, ResourceLimits.DEFAULTS, 0);
            assertThat(f.run(noop, Fixture.ticket("instant", "").agent("noop").build(), new TestControl()).outcome())
                    .isEqualTo(Outcome.SUCCEEDED);

            long start = System.nanoTime();
            AttemptResult waited = f.run(noop, Fixture.ticket("wait", "").agent("noop").duration(200).build(), new TestControl());
            assertThat(waited.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));

            AttemptResult timedOut = f.run(noop, Fixture.ticket("slow", "").agent("noop").duration(60_000).timeout(100).build(), new TestControl());
            assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMED_OUT);

            TestControl control = new TestControl();
            CompletableFuture<AttemptResult> cancelled = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.run(noop, Fixture.ticket("long", "").agent("noop").duration(60_000).build(), control);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            control.cancel();
            assertThat(cancelled.get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.CANCELLED);
        }
    }

    @Test
    void killOrphanKillsTheRecordedGroupOnlyWhenTheStartTimeMatches() throws Exception {
        try (Fixture f = new Fixture(tmp, Mode.NO_BWRAP)) {
            TestControl control = new TestControl();
            CompletableFuture<AttemptResult> result = CompletableFuture.supplyAsync(() -> {
                try {
                    return f.run(Fixture.ticket("orphan", "echo ready; sleep 300").build(), control);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> control.stdout.contains("ready"));
            long pid = control.pid;
            assertThat(control.startTicks).isPositive();

            boolean wrongStart = f.executor.killOrphan(new AttemptView("r1", "orphan", 1, null, null, null, 0, 0, pid, control.startTicks + 1, null));
            assertThat(wrongStart).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

            boolean killed = f.executor.killOrphan(new AttemptView("r1", "orphan", 1, null, null, null, 0, 0, pid, control.startTicks, null));
            assertThat(killed).isTrue();
            assertThat(result.get(10, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.FAILED);
        }
    }

    /** A result's reason and outputs are masked as the attempt's output is; its outcome, exit code and byte count stay. */
    @Test
    void aResultIsMaskedInItsReasonAndOutputs() {
        java.util.Set<String> secrets = java.util.Set.of("s3cr3t-value", "abc");
        AttemptResult failed = new AttemptResult(Outcome.FAILED, 0, "cannot commit: d-s3cr3t-value is a repository", java.util.Map.of(),
                12L);
        AttemptResult masked = LocalExecutor.masked(failed, secrets);
        assertThat(masked).isEqualTo(new AttemptResult(Outcome.FAILED, 0, "cannot commit: d-*** is a repository", java.util.Map.of(), 12L));
        assertThat(LocalExecutor.masked(AttemptResult.succeeded(java.util.Map.of("o", "x s3cr3t-value abc")), secrets).outputs())
                .isEqualTo(java.util.Map.of("o", "x *** abc"));
        assertThat(LocalExecutor.masked(failed, java.util.Set.of())).isSameAs(failed);
    }
}
