package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Capture;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.store.RunView;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every {@code swarm} command and exit code, end to end and in-process: real specs, the SQLite store,
 * sandboxed shell attempts, git worktrees. Commands "from another terminal" (approve, reject, cancel)
 * are made while the run executes on another thread.
 */
class CliEndToEndTest {
    private static final Pattern RUN_LINE = Pattern.compile("(?m)^run (\\S+): ");

    /** One finished run shared by the read-only tests (status, runs, logs, resume of a finished run). */
    @TempDir
    static Path shared;
    static Path sharedState;
    static Path sharedRepo;
    static Result sharedResult;
    static String sharedRun;

    @TempDir
    Path tmp;

    @BeforeAll
    static void runTheSharedSwarm() {
        sharedRepo = Cli.gitRepo(shared.resolve("repo"));
        sharedState = shared.resolve("state");
        Path spec = Cli.write(sharedRepo.resolve("swarm.yaml"), """
                name: e2e
                concurrency: 3
                tickets:
                  - id: hello
                    run: |
                      echo "hello from $SWARM_TICKET_ID"
                      echo "a warning on stderr" >&2
                  - id: flaky
                    run: |
                      if [ "$SWARM_ATTEMPT" -lt 2 ]; then echo "attempt $SWARM_ATTEMPT fails"; echo "boom $SWARM_ATTEMPT" >&2; exit 1; fi
                      echo "attempt $SWARM_ATTEMPT ok"
                    retries: {max: 2, backoff: {initial: 10ms, max: 50ms}}
                  - id: build
                    needs: [hello]
                    workspace: worktree
                    run: |
                      echo built > built.txt
                      echo '{"answer": "42"}'
                    outputs:
                      answer: {json: answer}
                  - id: final
                    needs: [build, flaky]
                    env: {ANSWER: "${{ tickets.build.outputs.answer }}"}
                    run: echo "answer is $ANSWER"
                """);
        sharedResult = swarm("run", spec.toString(), "--plain", "--state-dir", sharedState.toString());
        sharedRun = runId(sharedResult);
    }

    static String runId(Result r) {
        Matcher m = RUN_LINE.matcher(r.out());
        assertThat(m.find()).as("run id in %s", r).isTrue();
        return m.group(1);
    }

    /** Event count of a run, read from the store (and checked against the run's last sequence number). */
    static long eventCount(Path state, String runId) {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            long n = store.events(runId, 0, Integer.MAX_VALUE).size();
            RunView run = store.run(runId).orElseThrow();
            assertThat(run.lastSeq()).isEqualTo(n);
            return n;
        }
    }

    // ---- run, report, status, runs, logs, resume of a finished run (shared run) ----

    @Test
    void runSucceedsAndWritesTheReport() throws Exception {
        assertThat(sharedResult.code()).as("%s", sharedResult).isZero();
        assertThat(sharedResult.out()).contains("run succeeded", "✓ final succeeded", "report: ");
        Path runDir = sharedState.resolve("runs").resolve(sharedRun);
        assertThat(runDir.resolve("report.json")).isRegularFile();
        assertThat(runDir.resolve("report.html")).isRegularFile();
        JsonNode report = Cli.JSON.readTree(runDir.resolve("report.json").toFile());
        assertThat(report.toString()).contains(sharedRun, "flaky", "final");
        assertThat(Files.readString(runDir.resolve("report.html"))).contains("<html", "flaky");
    }

    @Test
    void worktreeTicketCommitsOnItsBranchAndPassesOutputsOn() {
        JsonNode build = ticket(swarm("status", sharedRun, "--json", "--state-dir", sharedState.toString()).json(), "build");
        assertThat(build.get("outputs").get("answer").asText()).isEqualTo("42");
        String branch = build.get("outputs").get("branch").asText();
        assertThat(branch).isEqualTo("swarm/" + sharedRun + "/build");
        assertThat(Cli.git(sharedRepo, "show", branch + ":built.txt")).isEqualTo("built\n");
        assertThat(Cli.git(sharedRepo, "rev-parse", branch).trim()).isEqualTo(build.get("outputs").get("commit").asText());
        Result logs = swarm("logs", sharedRun, "final", "--state-dir", sharedState.toString());
        assertThat(logs.out()).contains("answer is 42");
    }

    @Test
    void aNewStateDirectoryKeepsItselfOutOfGit() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(repo.resolve("swarm.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Cli.git(repo, "add", "swarm.yaml");
        Cli.git(repo, "commit", "-q", "-m", "spec");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", repo.resolve(".swarm").toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(Cli.git(repo, "status", "--porcelain")).isEmpty();

        Path existing = Cli.write(tmp.resolve("mine/notes.txt"), "mine\n").getParent();
        assertThat(swarm("run", spec.toString(), "--plain", "--state-dir", existing.toString()).code()).isZero();
        assertThat(existing.resolve(".gitignore")).as("only a directory swarm created").doesNotExist();
    }

    @Test
    void logsOfAnAttemptThatDoesNotExistIsInvalidInput() {
        Result none = swarm("logs", sharedRun, "final", "--attempt", "0", "--state-dir", sharedState.toString());
        assertThat(none.code()).as("%s", none).isEqualTo(2);
        assertThat(none.err()).isEqualTo("swarm: final has one attempt, 1; there is no attempt 0 (`swarm status " + sharedRun
                + " final` lists them)\n");
        Result later = swarm("logs", sharedRun, "final", "--attempt", "2", "--state-dir", sharedState.toString());
        assertThat(later.code()).as("%s", later).isEqualTo(2);
        assertThat(later.err()).contains("there is no attempt 2");
    }

    @Test
    void valuesAreLiteralTextWhereverTheyAreSubstituted() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("literal.yaml"), """
                vars: {v: "x", w: "y"}
                tickets:
                  - id: a
                    outputs: {o: {json: o}}
                    run: |
                      echo '{"o": "out $${{ run.id }}"}'
                  - id: b
                    needs: [a]
                    run: |
                      echo 'var=${{ vars.v }}|override=${{ vars.w }}|output=${{ tickets.a.outputs.o }}|escaped=$${{ vars.v }}|id=${{ run.id }}'
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--var", "w=${{ run.id }} ${{", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        String id = runId(r);
        assertThat(swarm("logs", id, "b", "--state-dir", state.toString()).out())
                .contains("var=x|override=${{ run.id }} ${{|output=out ${{ run.id }}|escaped=${{ vars.v }}|id=" + id + "\n");
    }

    /** docs/spec.md: an output of a dependency that did not succeed renders as an empty string. */
    @Test
    void anOutputOfADependencyThatFailedIsAnEmptyString() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("failed-output.yaml"), """
                tickets:
                  - id: a
                    outputs: {o: {json: o}}
                    run: |
                      echo '{"o": "value"}'
                      exit 1
                  - id: b
                    needs: [a]
                    when: failure
                    env: {O: "${{ tickets.a.outputs.o }}"}
                    run: echo "env=[$O] script=[${{ tickets.a.outputs.o }}]"
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(swarm("logs", runId(r), "b", "--stream", "stdout", "--state-dir", state.toString()).out()).isEqualTo("env=[] script=[]\n");
    }

    /**
     * README: control characters that tickets print are shown in caret notation in the plain view and in the
     * summary; the log files, and {@code swarm logs}, keep the bytes as written.
     */
    @Test
    void controlCharactersAreShownInCaretNotationButLogsKeepTheBytes() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("escapes.yaml"), """
                name: "evil\\e]0;title\\a"
                tickets:
                  - id: a
                    run: printf 'x\\033]0;pwned\\007y\\033[2Jz\\n'
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("a | x^[]0;pwned^Gy^[[2Jz\n", "(evil^[]0;title^G): succeeded").doesNotContain("\u001b", "\u0007");
        String id = runId(r);
        String raw = "x\u001b]0;pwned\u0007y\u001b[2Jz\n";
        assertThat(swarm("logs", id, "a", "--stream", "stdout", "--state-dir", state.toString()).out()).isEqualTo(raw);
        assertThat(Files.readString(state.resolve("runs").resolve(id).resolve("logs/a/1/stdout.log"))).isEqualTo(raw);
        assertThat(swarm("status", id, "--state-dir", state.toString()).out()).contains("(evil^[]0;title^G)").doesNotContain("\u001b");
    }

    @Test
    void cleanRemovesTheRunsWorktreesAndWithBranchesItsBranches() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                name: cleanup
                tickets:
                  - id: fix
                    workspace: worktree
                    run: echo fixed > fixed.txt
                  - id: other
                    run: "true"
                """);
        String run = runId(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()));
        Path worktree = state.resolve("runs").resolve(run).resolve("worktrees").resolve("fix");
        assertThat(worktree).isDirectory();
        assertThat(Cli.git(repo, "worktree", "list")).contains(worktree.getFileName().toString());

        Result quiet = swarm("logs", run, "other", "--state-dir", state.toString());
        assertThat(quiet.out()).as("nothing but the ticket's bytes on stdout").isEmpty();
        assertThat(quiet.err()).as("a quiet attempt leaves no log file").isEqualTo("swarm: no output recorded for other attempt 1\n");
        assertThat(state.resolve("runs").resolve(run).resolve("logs").resolve("other")).as("nor folder").doesNotExist();

        // an edit after the run is work that was never committed: clean refuses and says where, --force deletes it
        Cli.write(worktree.resolve("fixed.txt"), "edited by hand\n");
        Cli.write(worktree.resolve("notes.txt"), "new\n");
        Result refused = swarm("clean", run, "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("has worktrees with changes that were never committed",
                "fix: 2 changed paths in " + worktree.toRealPath(), "`swarm clean " + run + " --force`");
        assertThat(worktree.resolve("notes.txt")).exists();

        Result keep = swarm("clean", run, "--force", "--state-dir", state.toString());
        assertThat(keep.code()).as("%s", keep).isZero();
        assertThat(keep.out()).contains("removed 1 worktree", "kept branch swarm/" + run + "/fix (--branches deletes it)");
        assertThat(worktree).doesNotExist();
        assertThat(Cli.git(repo, "worktree", "list")).doesNotContain(run);
        assertThat(Cli.git(repo, "show", "swarm/" + run + "/fix:fixed.txt")).isEqualTo("fixed\n");

        Result drop = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(drop.code()).as("%s", drop).isZero();
        assertThat(drop.out()).contains("deleted branch swarm/" + run + "/fix (was ");
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).isBlank();

        Result again = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(again.out()).contains("run " + run + " left no worktrees or branches");
        assertThat(swarm("status", run, "--state-dir", state.toString()).out()).as("events stay").contains("succeeded", "fix");
        Result unknown = swarm("clean", "no-such-run", "--state-dir", state.toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no run 'no-such-run'");
    }

    @Test
    void aMatrixTicketsOwnIdIsAnsweredWithItsExpansions() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("matrix.yaml"), """
                tickets:
                  - id: test
                    agent: noop
                    matrix: {os: [linux, mac]}
                """);
        String run = runId(swarm("run", spec.toString(), "--plain", "--state-dir", state.toString()));

        Result logs = swarm("logs", run, "test", "--state-dir", state.toString());

        assertThat(logs.code()).isEqualTo(2);
        assertThat(logs.err()).contains("run " + run + " has no ticket 'test'; it is a matrix ticket, expanded to test-linux, "
                + "test-mac; name one of those");
    }

    @Test
    void statusShowsTheLatestRunOrTheNamedOne() {
        Result latest = swarm("status", "--state-dir", sharedState.toString());
        Result byId = swarm("status", sharedRun, "--state-dir", sharedState.toString());
        for (Result r : List.of(latest, byId)) {
            assertThat(r.code()).as("%s", r).isZero();
            assertThat(r.out()).contains(sharedRun, "succeeded", "hello", "flaky", "build", "final");
        }
        assertThat(latest.out()).isEqualTo(byId.out());
    }

    @Test
    void statusJsonHasTheRunAndEveryTicket() {
        Result r = swarm("status", sharedRun, "--json", "--state-dir", sharedState.toString());
        assertThat(r.code()).as("%s", r).isZero();
        JsonNode s = r.json();
        JsonNode run = s.get("run");
        assertThat(run.get("id").asText()).isEqualTo(sharedRun);
        assertThat(run.get("state").asText()).isEqualTo("succeeded");
        Instant started = Instant.parse(run.get("startedAt").asText());
        Instant finished = Instant.parse(run.get("finishedAt").asText());
        assertThat(finished).isAfterOrEqualTo(started);
        assertThat(s.get("tickets")).hasSize(4);
        for (JsonNode t : s.get("tickets")) {
            assertThat(t.has("id") && t.has("state") && t.has("attempts") && t.has("exitCode") && t.has("startedAt")
                    && t.has("finishedAt") && t.has("reason")).as("fields of %s", t).isTrue();
            assertThat(t.get("state").asText()).isEqualTo("succeeded");
            assertThat(t.get("exitCode").asInt()).isZero();
            Instant ts = Instant.parse(t.get("startedAt").asText());
            Instant tf = Instant.parse(t.get("finishedAt").asText());
            assertThat(ts).isBetween(started, finished);
            assertThat(tf).isBetween(ts, finished);
            assertThat(t.get("reason").isNull()).isTrue();
        }
        assertThat(ticket(s, "flaky").get("attempts").asInt()).isEqualTo(2);
        assertThat(ticket(s, "hello").get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void runsListsTheRunAsTableAndJson() {
        Result table = swarm("runs", "--state-dir", sharedState.toString());
        assertThat(table.code()).isZero();
        assertThat(table.out()).contains("RUN", "STATE", sharedRun, "e2e", "succeeded");
        Result json = swarm("runs", "--json", "--state-dir", sharedState.toString());
        assertThat(json.code()).isZero();
        JsonNode runs = json.json();
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).get("id").asText()).isEqualTo(sharedRun);
        assertThat(runs.get(0).get("state").asText()).isEqualTo("succeeded");
        assertThat(runs.get(0).get("tickets").asInt()).isEqualTo(4);
        assertThat(runs.get(0).get("finishedAt").isNull()).isFalse();
    }

    @Test
    void logsPrintsAnAttemptsOutputByStream() {
        String st = sharedState.toString();
        Result both = swarm("logs", sharedRun, "hello", "--state-dir", st);
        assertThat(both.code()).isZero();
        assertThat(both.out()).contains("hello from hello", "a warning on stderr");
        Result out = swarm("logs", sharedRun, "hello", "--stream", "stdout", "--state-dir", st);
        assertThat(out.out()).contains("hello from hello").doesNotContain("a warning on stderr");
        Result err = swarm("logs", sharedRun, "hello", "--stream", "stderr", "--state-dir", st);
        assertThat(err.code()).isZero();
        assertThat(err.out()).contains("a warning on stderr").doesNotContain("hello from hello");

        Result first = swarm("logs", sharedRun, "flaky", "--attempt", "1", "--state-dir", st);
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("attempt 1 fails", "boom 1").doesNotContain("attempt 2");
        assertThat(first.err()).as("the attempt asked for needs no note saying which it is").isEmpty();
        Result last = swarm("logs", sharedRun, "flaky", "--state-dir", st);
        assertThat(last.out()).contains("attempt 2 ok").doesNotContain("attempt 1 fails", "of 2");
        assertThat(last.err()).contains("swarm: flaky attempt 2 of 2; see another with --attempt N");
        // --follow starts at the latest attempt too; it said nothing of which one that was, then "following it and any
        // retry" of a ticket that had ended, which has none
        Result followed = swarm("logs", sharedRun, "flaky", "--follow", "--state-dir", st);
        assertThat(followed.out()).isEqualTo(last.out());
        assertThat(followed.err()).isEqualTo(last.err()).contains("swarm: flaky attempt 2 of 2; see another with --attempt N");
        assertThat(both.err()).doesNotContain("attempt"); // one attempt: nothing to choose from
        Result firstErr = swarm("logs", sharedRun, "flaky", "--attempt", "1", "--stream", "stderr", "--state-dir", st);
        assertThat(firstErr.out()).contains("boom 1").doesNotContain("attempt 1 fails");
    }

    @Test
    void logsLabelsTheStreamsWhenBothHaveOutputEachHeaderOnALineOfItsOwn() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("nl.yaml"), "tickets:\n  - id: a\n    run: printf 'no newline at end'; echo err >&2\n"
                + "  - id: b\n    run: echo only on stderr >&2\n");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(swarm("logs", runId(r), "a", "--state-dir", state.toString()).out())
                .isEqualTo("==> stdout.log <==\nno newline at end\n==> stderr.log <==\nerr\n");
        // one stream with output is printed as it is, byte for byte, as --follow prints it: a header said "stderr.log" for
        // a ticket that wrote only there, and a script had to strip it
        Result b = swarm("logs", runId(r), "b", "--state-dir", state.toString());
        assertThat(b.out()).isEqualTo("only on stderr\n");
        assertThat(b.err()).isEmpty();
        assertThat(swarm("logs", runId(r), "b", "--follow", "--state-dir", state.toString()).out()).isEqualTo(b.out());
        // the stream asked for is empty: said on stderr, with --follow as without ("(no output recorded for b attempt 1)"
        // was printed on stdout, into `logs > file`, and --follow said nothing), naming the stream and the one with output
        for (List<String> follow : List.of(List.<String>of(), List.of("--follow"))) {
            List<String> args = new ArrayList<>(List.of("logs", runId(r), "b", "--stream", "stdout", "--state-dir", state.toString()));
            args.addAll(follow);
            Result none = swarm(args.toArray(String[]::new));
            assertThat(none.code()).as("%s", none).isZero();
            assertThat(none.out()).as("%s", follow).isEmpty();
            assertThat(none.err()).as("%s", follow).isEqualTo("swarm: no output on stdout recorded for b attempt 1; it wrote to stderr: "
                    + "`--stream stderr` prints that\n");
        }
    }

    /**
     * A silent attempt leaves no log folder, and its end records that it wrote 0 bytes; an attempt recorded as having
     * written some whose folder, or the run's whole logs/, was deleted is not silent, and logs says the output is gone.
     */
    @Test
    void logsOfARunWhoseLogDirectoryWasDeletedSaysTheOutputIsGone() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gone.yaml"), "tickets:\n  - {id: a, run: echo hello}\n  - {id: quiet, run: \"true\"}\n");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        String run = runId(r);
        Path logs = state.resolve("runs").resolve(run).resolve("logs");
        deleteTree(logs.resolve("a"));

        Result folderGone = swarm("logs", run, "a", "--state-dir", state.toString());
        assertThat(folderGone.code()).as("%s", folderGone).isEqualTo(4);
        assertThat(folderGone.out()).isEmpty();
        assertThat(folderGone.err()).isEqualTo("swarm: the log folder " + logs.resolve("a").resolve("1") + " of a attempt 1 is "
                + "missing (deleted or moved, or it could not be made while the attempt ran), so its output is gone; restore it "
                + "from a backup to read it\n");
        assertThat(swarm("logs", run, "quiet", "--state-dir", state.toString()).err()).isEqualTo("swarm: no output recorded for quiet attempt 1\n");
        assertThat(logs.resolve("quiet")).doesNotExist();
        deleteTree(logs);

        Result gone = swarm("logs", run, "a", "--state-dir", state.toString());

        assertThat(gone.code()).as("%s", gone).isEqualTo(4);
        assertThat(gone.out()).isEmpty();
        assertThat(gone.err()).isEqualTo("swarm: the log directory " + logs + " of run " + run + " is missing (deleted or moved), "
                + "so the output of a's attempts is gone; restore it from a backup to read it\n");
    }

    /**
     * An attempt that ended without a recorded size (an older swarm's, or one its coordinator left running) and without a
     * log folder was said to have "no output recorded", as if it had printed nothing: its folder may have been deleted too.
     */
    @Test
    void logsOfAnAttemptWithoutARecordedSizeOrFolderSaysWhichItCannotTell() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("sizes.yaml"), "tickets:\n  - {id: quiet, run: \"true\"}\n  - {id: idle, agent: noop}\n");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        String run = runId(r);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + state.resolve("swarm.db"));
             java.sql.Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE attempts SET output_bytes = NULL")).isEqualTo(2); // as recorded before the count
        }

        Result quiet = swarm("logs", run, "quiet", "--state-dir", state.toString());
        assertThat(quiet.code()).as("%s", quiet).isZero();
        assertThat(quiet.out()).isEmpty();
        assertThat(quiet.err()).isEqualTo("swarm: no output found for quiet attempt 1: it has no log folder, and the size of its "
                + "output was not recorded, so it may have printed nothing, or its folder "
                + state.resolve("runs").resolve(run).resolve("logs").resolve("quiet").resolve("1") + " may have been deleted\n");
        // a noop ticket starts no process: it printed nothing
        assertThat(swarm("logs", run, "idle", "--state-dir", state.toString()).err()).isEqualTo("swarm: no output recorded for idle attempt 1\n");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** A log file that cannot be read (here a directory in its place, which root cannot read either) is named, exit 4. */
    @Test
    void logsOfALogFileThatCannotBeReadNamesIt() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("odd.yaml"), "tickets:\n  - {id: a, run: echo hello >&2}\n");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        String run = runId(r);
        Path log = state.resolve("runs").resolve(run).resolve("logs").resolve("a").resolve("1").resolve("stderr.log");
        Files.delete(log);
        Files.createDirectory(log);

        Result odd = swarm("logs", run, "a", "--state-dir", state.toString());

        assertThat(odd.code()).as("%s", odd).isEqualTo(4);
        assertThat(odd.err()).startsWith("swarm: the log file " + log + " cannot be read: Is a directory\n")
                .doesNotContain("internal error", "Exception");
    }

    @Test
    void logsPrintsALogLargerThanItsReadBufferWholeAndByteForByte() throws Exception {
        Path state = tmp.resolve("state");
        // 4 MB of 4-byte characters and newlines: the read buffer's edges fall inside characters
        Path spec = Cli.write(tmp.resolve("big.yaml"), "tickets:\n  - id: a\n    run: yes '\uD83D\uDE00' | head -c 4000000 || true; echo END\n");
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        Path log = state.resolve("runs").resolve(runId(r)).resolve("logs/a/1/stdout.log");
        assertThat(Files.size(log)).isGreaterThan(3L << 20);
        Cli.Capture out = new Cli.Capture();
        int code = io.swarmflow.cli.SwarmCli.execute(new String[]{"logs", runId(r), "a", "--stream", "stdout", "--state-dir", state.toString()},
                out.stream, new Cli.Capture().stream);
        assertThat(code).isZero();
        assertThat(out.bytes()).isEqualTo(Files.readAllBytes(log));
    }

    @Test
    void logsOfAnUnknownTicketOrAttemptIsInvalidInput() {
        String st = sharedState.toString();
        Result ticket = swarm("logs", sharedRun, "nope", "--state-dir", st);
        assertThat(ticket.code()).as("%s", ticket).isEqualTo(2);
        assertThat(ticket.err()).contains("no ticket 'nope'");
        Result attempt = swarm("logs", sharedRun, "hello", "--attempt", "7", "--state-dir", st);
        assertThat(attempt.code()).isEqualTo(2);
        assertThat(attempt.err()).contains("no attempt 7");
        Result stream = swarm("logs", sharedRun, "hello", "--stream", "stdin", "--state-dir", st);
        assertThat(stream.code()).isEqualTo(2);
        assertThat(stream.err()).contains("--stream");
    }

    @Test
    void resumeOfAFinishedRunChangesNothing() {
        String st = sharedState.toString();
        long events = eventCount(sharedState, sharedRun);
        String before = swarm("status", sharedRun, "--json", "--state-dir", st).out();
        Result r = swarm("resume", sharedRun, "--plain", "--state-dir", st);
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("run " + sharedRun + " has already succeeded; nothing to resume");
        // a bad flag is invalid input here too, as for a run that would resume (it was taken for the run's summary, exit 0)
        Result badGrace = swarm("resume", sharedRun, "--grace", "-1", "--state-dir", st);
        assertThat(badGrace.code()).as("%s", badGrace).isEqualTo(2);
        assertThat(badGrace.out()).isEmpty();
        // worded as cancel's --wait -1 is (it said "--grace must be >= 0 seconds", without the value or that nothing changed)
        assertThat(badGrace.err()).isEqualTo("swarm: --grace must be 0 or more seconds (got -1); nothing was changed\n");
        assertThat(eventCount(sharedState, sharedRun)).isEqualTo(events);
        assertThat(swarm("status", sharedRun, "--json", "--state-dir", st).out()).isEqualTo(before);
    }

    // ---- runs of their own ----

    @Test
    void aFailingTicketFailsTheRunAndSkipsItsDependents() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("fail.yaml"), """
                tickets:
                  - id: broken
                    run: echo "about to fail" >&2; exit 3
                  - id: child
                    needs: [broken]
                    run: echo never
                  - id: grandchild
                    needs: [child]
                    run: echo never
                  - id: bystander
                    run: echo fine
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        JsonNode s = swarm("status", runId(r), "--json", "--state-dir", state.toString()).json();
        assertThat(s.get("run").get("state").asText()).isEqualTo("failed");
        assertThat(ticket(s, "broken").get("state").asText()).isEqualTo("failed");
        assertThat(ticket(s, "broken").get("exitCode").asInt()).isEqualTo(3);
        assertThat(ticket(s, "child").get("state").asText()).isEqualTo("skipped");
        assertThat(ticket(s, "child").get("reason").asText()).isEqualTo("dependency broken failed");
        assertThat(ticket(s, "child").get("attempts").asInt()).isZero();
        assertThat(ticket(s, "grandchild").get("state").asText()).isEqualTo("skipped");
        assertThat(ticket(s, "grandchild").get("reason").asText()).isEqualTo("dependency child was skipped (broken failed)");
        assertThat(ticket(s, "bystander").get("state").asText()).isEqualTo("succeeded");
        assertThat(swarm("logs", runId(r), "broken", "--state-dir", state.toString()).out()).contains("about to fail");
        Result cancel = swarm("cancel", runId(r), "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isEqualTo(2);
        assertThat(cancel.err()).contains("run " + runId(r) + " has already failed; nothing to cancel");
    }

    @Test
    void failFastStopsAfterTheFirstFailure() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("ff.yaml"), """
                concurrency: 1
                tickets:
                  - id: first
                    priority: 10
                    run: exit 1
                  - id: second
                    run: echo second
                  - id: third
                    run: echo third
                """);
        Result r = swarm("run", spec.toString(), "--fail-fast", "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        JsonNode s = swarm("status", "--json", "--state-dir", state.toString()).json();
        assertThat(s.get("run").get("state").asText()).isEqualTo("failed");
        assertThat(ticket(s, "first").get("state").asText()).isEqualTo("failed");
        for (String id : List.of("second", "third")) {
            assertThat(ticket(s, id).get("state").asText()).isEqualTo("skipped");
            assertThat(ticket(s, id).get("attempts").asInt()).isZero();
            assertThat(ticket(s, id).get("reason").asText()).startsWith("fail-fast").contains("first");
        }
    }

    @Test
    void validateAndRunWarnAboutAnOutputPastedIntoAScriptAndGoOn() {
        Path spec = Cli.write(tmp.resolve("paste.yaml"), """
                tickets:
                  - id: a
                    run: |
                      echo '{"v": "x; echo INJECTED"}'
                    outputs: {v: {json: v}}
                  - id: b
                    needs: [a]
                    run: echo ${{ tickets.a.outputs.v }}
                """);
        String warning = "swarm: warning: " + spec + ":8:15: ticket 'b' pastes '${{ tickets.a.outputs.v }}' into its run script";

        Result validated = swarm("validate", spec.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(validated.code()).as("%s", validated).isZero();
        assertThat(validated.err()).contains(warning, "pass it through env instead: env: {V: ");

        Result ran = swarm("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(ran.code()).as("%s", ran).isZero();
        assertThat(ran.err()).contains(warning);
        assertThat(ran.out()).as("what the warning is about").contains("b | INJECTED");
    }

    @Test
    void validateChecksTheSpecAndStoresNothing() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("v.yaml"), """
                name: checked
                tickets:
                  - id: a
                    run: echo a
                  - id: b
                    needs: [a]
                    run: echo b
                """);
        Result r = swarm("validate", spec.toString(), "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("ok", "'checked'", "2 tickets", "b [shell, run] needs a");
        assertThat(state).doesNotExist();
    }

    static final String GATED = """
            tickets:
              - id: prep
                run: echo prepared
              - id: gate
                needs: [prep]
                approval: before-run
                run: echo "gate ran"
              - id: after
                needs: [gate]
                run: echo after
            """;

    @Test
    void logsFollowPrintsOutputAsItComesAndReturnsWhenTheAttemptEnds() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("follow.yaml"), """
                name: follow
                tickets:
                  - id: ticker
                    workspace: run
                    run: |
                      for i in 1 2 3; do echo "tick $i"; sleep 0.3; done
                      until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                      echo last
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        Path scratch = state.resolve("runs").resolve(id).resolve("scratch");
        awaitTicket(state, id, "ticker", "running");

        Background follow = Background.start("logs", id, "ticker", "--follow", "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().text().contains("tick 3"));
        assertThat(follow.code()).as("still following while the attempt runs").isNotDone();
        Files.writeString(scratch.resolve("go"), "");

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).contains("tick 1", "tick 2", "tick 3", "last");
        assertThat(run.exit()).isZero();
    }

    /** {@code swarm logs RUN T --follow | head -1}: once the reader is gone, logs stops at once, quietly, with 128 + SIGPIPE. */
    @Test
    void logsFollowEndsQuietlyWith141WhenItsReaderGoesAway() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("chatty.yaml"), """
                tickets:
                  - id: chatty
                    run: |
                      until [ -e "$SWARM_SCRATCH/go" ]; do echo "still here"; sleep 0.1; done
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "chatty", "running");
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        java.io.OutputStream pipe = new java.io.OutputStream() { // what a closed pipe does: the first write passes, then EPIPE
            @Override
            public void write(int b) throws java.io.IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                if (writes.incrementAndGet() > 1) throw new java.io.IOException("Broken pipe");
            }
        };
        Capture err = new Capture();
        int code = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> SwarmCli.execute(
                new String[]{"logs", id, "chatty", "--follow", "--state-dir", state.toString()}, new java.io.PrintStream(pipe), err.stream));
        assertThat(code).as("while the attempt still runs; stderr: %s", err.text()).isEqualTo(141);
        assertThat(err.text()).isEmpty();
        Files.writeString(state.resolve("runs").resolve(id).resolve("scratch").resolve("go"), "");
        assertThat(run.exit()).isZero();
    }

    @Test
    void logsFollowWaitsForATicketToStartAndCarriesOnIntoItsRetry() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("retry.yaml"), """
                tickets:
                  - id: gate
                    run: until [ -e "$SWARM_SCRATCH/go" ]; do sleep 0.05; done
                  - id: flaky
                    needs: [gate]
                    retries: {max: 1, backoff: {initial: 10ms, max: 10ms}}
                    run: |
                      echo "attempt $SWARM_ATTEMPT"
                      [ "$SWARM_ATTEMPT" -ge 2 ]
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "running");
        Background follow = Background.start("logs", id, "flaky", "--follow", "--state-dir", state.toString());
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !follow.code().isDone());
        Files.writeString(state.resolve("runs").resolve(id).resolve("scratch").resolve("go"), "");

        assertThat(follow.exit()).isZero();
        assertThat(follow.out().text()).isEqualTo("attempt 1\n==> attempt 2 <==\nattempt 2\n");
        assertThat(run.exit()).isZero();
    }

    /** A command executing on a virtual thread, with its output readable while it runs. */
    record Background(CompletableFuture<Integer> code, Capture out, Capture err) {
        static Background start(String... args) {
            Capture out = new Capture();
            Capture err = new Capture();
            CompletableFuture<Integer> code = new CompletableFuture<>();
            Thread.ofVirtual().name("swarm-" + args[0]).start(() -> {
                try {
                    code.complete(SwarmCli.execute(args, out.stream, err.stream));
                } catch (Throwable t) {
                    code.completeExceptionally(t);
                }
            });
            return new Background(code, out, err);
        }

        int exit() throws Exception {
            try {
                return code.get(60, TimeUnit.SECONDS);
            } finally {
                // on failure the output explains what happened
                System.out.println(out.text() + err.text());
            }
        }

        String runId() {
            await().atMost(Duration.ofSeconds(30)).until(() -> RUN_LINE.matcher(out.text()).find() || code.isDone());
            Matcher m = RUN_LINE.matcher(out.text());
            assertThat(m.find()).as("run id; stderr: %s", err.text()).isTrue();
            return m.group(1);
        }
    }

    static void awaitTicket(Path state, String run, String ticketId, String wanted) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Result st = swarm("status", run, "--json", "--state-dir", state.toString());
            assertThat(st.code()).as("%s", st).isZero();
            assertThat(ticket(st.json(), ticketId).get("state").asText()).isEqualTo(wanted);
        });
    }

    @Test
    void approveFromAnotherTerminalLetsTheRunFinish() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(run.code().isDone()).isFalse();

        Result approve = swarm("approve", id, "gate", "--state-dir", state.toString());
        assertThat(approve.code()).as("%s", approve).isZero();
        assertThat(approve.out()).contains("approved gate in run " + id + " (applied; the ticket ").doesNotContain("gate ran");

        assertThat(run.exit()).isZero();
        assertThat(run.out().text()).contains("run succeeded").doesNotContain("approved gate");
        JsonNode s = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        for (String t : List.of("prep", "gate", "after")) assertThat(ticket(s, t).get("state").asText()).isEqualTo("succeeded");
    }

    /** Several gates in one command: if one cannot be decided, none is; otherwise each is applied and reported. */
    @Test
    void approveOfSeveralTicketsDecidesAllOrNone() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("regions.yaml"), """
                tickets:
                  - id: deploy
                    matrix: {region: [eu, us, ap]}
                    approval: before-run
                    run: echo ${{ matrix.region }}
                  - {id: after, needs: [deploy], run: "true"}
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        for (String t : List.of("deploy-eu", "deploy-us", "deploy-ap")) awaitTicket(state, id, t, "awaiting-approval");

        Result refused = swarm("approve", id, "deploy-eu", "after", "deploy-eu", "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).isEqualTo("""
                swarm: not approved:
                  ticket after has no approval gate (its spec has no `approval: before-run`), so there is nothing to approve or reject; only tickets waiting at an approval gate can be approved or rejected
                  deploy-eu is named twice
                nothing was approved (of deploy-eu, after, deploy-eu); fix the above and run the command again
                """);
        awaitTicket(state, id, "deploy-eu", "awaiting-approval");

        Result approve = swarm("approve", id, "deploy-eu", "deploy-us", "deploy-ap", "--state-dir", state.toString());
        assertThat(approve.code()).as("%s", approve).isZero();
        for (String t : List.of("deploy-eu", "deploy-us", "deploy-ap")) {
            assertThat(approve.out()).contains("approved " + t + " in run " + id + " (applied; the ticket ");
        }
        assertThat(run.exit()).isZero();
        Result late = swarm("approve", id, "deploy-eu", "deploy-us", "--state-dir", state.toString());
        assertThat(late.err()).as("the run's problem once, not once per ticket").isEqualTo("swarm: not approved:\n  run " + id
                + " has already succeeded; its gates can no longer be decided\nnothing was approved (of deploy-eu, deploy-us); "
                + "fix the above and run the command again\n");
    }

    @Test
    void ofAnApprovalAndARejectionRacingOnlyOneTakesEffectAndTheOtherSaysSo() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "awaiting-approval");

        Background approve = Background.start("approve", id, "gate", "--state-dir", state.toString());
        Background reject = Background.start("reject", id, "gate", "--reason", "no", "--state-dir", state.toString());
        List<Integer> codes = List.of(approve.exit(), reject.exit());
        assertThat(codes).as("approve: %s %s / reject: %s %s", approve.out().text(), approve.err().text(), reject.out().text(),
                reject.err().text()).containsExactlyInAnyOrder(0, 2);
        Background lost = approve.exit() == 2 ? approve : reject;
        // which message depends on how far the winner got: still pending, applied, or the run already ended by it
        assertThat(lost.err().text()).containsAnyOf("another decision reached gate first", "not awaiting approval",
                "gate already has an approval pending", "gate already has a rejection pending",
                "its gates can no longer be decided");
        run.exit();
        String gate = ticket(swarm("status", id, "--json", "--state-dir", state.toString()).json(), "gate").get("state").asText();
        assertThat(gate).isEqualTo(approve.exit() == 0 ? "succeeded" : "failed");
    }

    @Test
    void rejectFromAnotherTerminalFailsTheGateWithTheReason() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), GATED);
        Background run = Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        awaitTicket(state, id, "gate", "awaiting-approval");

        Result reject = swarm("reject", id, "gate", "--reason", "not on a Friday", "--state-dir", state.toString());
        assertThat(reject.code()).as("%s", reject).isZero();

        assertThat(run.exit()).isEqualTo(1);
        JsonNode s = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        JsonNode gate = ticket(s, "gate");
        assertThat(gate.get("state").asText()).isEqualTo("failed");
        assertThat(gate.get("attempts").asInt()).isZero();
        assertThat(gate.get("reason").asText()).startsWith("rejected by ").endsWith(": not on a Friday");
        assertThat(ticket(s, "after").get("state").asText()).isEqualTo("skipped");
        assertThat(ticket(s, "after").get("reason").asText()).isEqualTo("dependency gate failed");
    }

    @Test
    void rejectNeedsAReason() {
        Result r = swarm("reject", "some-run", "gate", "--state-dir", tmp.resolve("state").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--reason");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void autoApprovePassesEveryGate() {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("gated.yaml"), GATED);
        Result r = swarm("run", spec.toString(), "--auto-approve", "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        JsonNode s = swarm("status", "--json", "--state-dir", state.toString()).json();
        assertThat(ticket(s, "gate").get("state").asText()).isEqualTo("succeeded");
        assertThat(swarm("logs", runId(r), "gate", "--state-dir", state.toString()).out()).contains("gate ran");
    }

    @Test
    void cancelFromAnotherTerminalInterruptsAndResumeFinishes() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                tickets:
                  - id: long
                    run: |
                      if [ -e "$SWARM_SCRATCH/long.started" ]; then echo "second time: quick"; exit 0; fi
                      touch "$SWARM_SCRATCH/long.started"
                      sleep 120
                  - id: after
                    needs: [long]
                    run: echo after
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--grace", "1", "--state-dir", state.toString());
        String id = run.runId();
        Path marker = state.resolve("runs").resolve(id).resolve("scratch").resolve("long.started");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(marker));
        Result clean = swarm("clean", id, "--state-dir", state.toString());
        assertThat(clean.code()).as("%s", clean).isEqualTo(2);
        assertThat(clean.err()).contains("run " + id + " is executing; wait for it to end, or `swarm cancel " + id + "` first");

        Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(cancel.out()).as("it waited for the run to end").isEqualTo("cancel requested for run " + id + "\nrun " + id
                + " cancelled; `swarm resume " + id + "` continues it\n");
        // cancel returns once the run is recorded cancelled and its coordinator gave it back (so that `swarm cancel RUN &&
        // swarm resume RUN` is not refused as executing); the coordinator then prints its summary
        Result cleanNow = swarm("clean", id, "--state-dir", state.toString()); // refused, like resume, while it is executing
        assertThat(cleanNow.code()).as("clean right after cancel returned: %s", cleanNow).isZero();
        assertThat(run.code()).succeedsWithin(Duration.ofSeconds(10));

        assertThat(run.exit()).isEqualTo(130);
        assertThat(run.out().text()).contains("swarm resume " + id).containsPattern("cancel requested by swarm cancel \\(\\S+@\\S+\\)");
        JsonNode s = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(s.get("run").get("state").asText()).isEqualTo("cancelled");
        assertThat(ticket(s, "long").get("state").asText()).isEqualTo("cancelled");
        assertThat(java.time.Instant.parse(ticket(s, "long").get("finishedAt").asText()))
                .as("when it stopped").isAfterOrEqualTo(java.time.Instant.parse(ticket(s, "long").get("startedAt").asText()));
        assertThat(ticket(s, "after").get("attempts").asInt()).isZero();
        // status says how to go on, as the end of the run and `swarm cancel` did (it showed the table alone)
        assertThat(swarm("status", id, "--state-dir", state.toString()).out()).contains("): cancelled, ")
                .contains("\n  cancelled before it ended; `swarm resume " + id + "` continues it\n\nTICKET ");
        Result again = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(again.code()).as("%s", again).isEqualTo(2);
        assertThat(again.err()).contains("run " + id + " was already cancelled; nothing to cancel");

        // an edited spec does not change a run already created; resume says so
        Files.writeString(spec, Files.readString(spec).replace("echo after", "echo edited"));
        Result resume = swarm("resume", id, "--plain", "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isZero();
        assertThat(resume.err()).contains("swarm: note: " + spec + " has changed since run " + id + " was created; resume continues "
                + "the plan stored then", "start a new run: swarm run " + spec);
        s = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(s.get("run").get("state").asText()).isEqualTo("succeeded");
        assertThat(ticket(s, "long").get("attempts").asInt()).isEqualTo(2);
        assertThat(ticket(s, "after").get("state").asText()).isEqualTo("succeeded");
        assertThat(swarm("logs", id, "long", "--state-dir", state.toString()).out()).contains("second time: quick");
        assertThat(swarm("logs", id, "after", "--state-dir", state.toString()).out()).contains("after").doesNotContain("edited");
    }

    /**
     * {@code swarm run SPEC --plain FLAGS --state-dir STATE} in a JVM of its own (a coordinator to signal or kill), its
     * output in {@code coordinator.log}.
     */
    private Process coordinator(Path spec, Path state, String... flags) throws java.io.IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SwarmCli.class.getName(), "run", spec.toString(), "--plain"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("--state-dir", state.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile()).start();
        coordinators.add(p);
        return p;
    }

    /** The coordinators this test started ({@link #coordinator}), stopped after it whatever happened ({@link #stopCoordinators}). */
    private final List<Process> coordinators = new ArrayList<>();

    /**
     * Stops the coordinators the test started, with their process trees, should the test not have (an assertion failed
     * before its {@code finally}, or it has none): no coordinator waits at a gate, and no attempt sleeps on, after a test.
     */
    @org.junit.jupiter.api.AfterEach
    void stopCoordinators() throws InterruptedException {
        for (Process p : coordinators) stopTree(p);
    }

    /**
     * Kills {@code coordinator} (SIGKILL: it records nothing more, as a test that kills it mid-run expects) and then the
     * processes it had started (its attempts, in process groups of their own, which the kill leaves running unless
     * bubblewrap's {@code --die-with-parent} ends them: an attempt run without the sandbox), listed
     * before it dies, since once it is dead they are no longer its descendants. Killing them first would let the
     * coordinator record their end. Waits for the coordinator's end; idempotent.
     */
    static void stopTree(Process coordinator) throws InterruptedException {
        List<ProcessHandle> tree = coordinator.descendants().toList();
        coordinator.destroyForcibly();
        coordinator.waitFor();
        for (ProcessHandle h : tree) h.destroyForcibly(); // a process that already ended is left alone (its start time is checked)
    }

    /** Waits until an attempt of a run in {@code state} created {@code name} in the run's scratch directory. */
    private static void awaitScratch(Path state, String name) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(state.resolve("runs"))
                && Files.list(state.resolve("runs")).anyMatch(r -> Files.exists(r.resolve("scratch").resolve(name))));
    }

    /**
     * A run whose coordinator stopped while its only ticket waited at its approval gate: nothing ran, so "0ms up to its last
     * event" said nothing; status, runs and report.html say that no ticket started, and status and the report say how the
     * gate is decided.
     */
    @Test
    void aRunStoppedAtAnApprovalGateSaysNoTicketStartedAndHowToDecideTheGate() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("gate.yaml"), """
                name: gated
                tickets:
                  - id: deploy
                    approval: before-run
                    run: echo deployed
                """);
        Process coordinator = coordinator(spec, state);
        String id;
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> swarm("status", "--json", "--state-dir", st).code() == 0);
            id = swarm("status", "--json", "--state-dir", st).json().get("run").get("id").asText();
            awaitTicket(state, id, "deploy", "awaiting-approval");
            assertThat(swarm("status", id, "--state-dir", st).out()).as("live").contains("\n  deploy awaits approval: approve it with `swarm approve "
                    + id + " deploy`, or reject it with `swarm reject " + id + " deploy --reason TEXT`\n");
        } finally {
            stopTree(coordinator); // kill -9
        }
        Result status = swarm("status", id, "--state-dir", st);
        assertThat(status.out()).as("%s", status).startsWith("run " + id + " (gated): running (stopped), before any ticket started\n")
                .doesNotContain("0ms", "last event")
                .contains("\n  deploy awaits approval: approve it with `swarm approve " + id + " deploy`, or reject it with `swarm reject "
                        + id + " deploy --reason TEXT`; `swarm resume " + id + "` then applies the decision\n");
        assertThat(swarm("runs", "--state-dir", st).out()).containsPattern(id + "  gated  running \\(stopped\\)  1 +\\S+ \\S+  - +-\n"); // no duration, no description
        assertThat(swarm("report", id, "--state-dir", st).code()).isZero();
        assertThat(Files.readString(state.resolve("runs").resolve(id).resolve("report.html")))
                .contains("none <span class=\"muted\">(its coordinator stopped before any ticket started)</span>",
                        "<code>deploy</code> awaits approval: <code>swarm approve " + id + " deploy</code> approves")
                .doesNotContain("last event");
    }

    @Test
    void aSecondCancelWhileTheFirstIsPendingSaysItIsRequestedNotDone() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                tickets:
                  - id: long
                    run: touch "$SWARM_SCRATCH/long.started"; sleep 120
                """);
        Process coordinator = coordinator(spec, state, "--grace", "1");
        try {
            awaitScratch(state, "long.started");
            String id = swarm("status", "--json", "--state-dir", state.toString()).json().get("run").get("id").asText();
            Cli.signal(coordinator.pid(), "STOP"); // alive and holding the run, but reading no commands: the cancel stays pending
            try {
                Result first = swarm("cancel", id, "--state-dir", state.toString());
                assertThat(first.code()).as("%s", first).isZero();
                assertThat(first.out()).contains("cancel requested for run " + id, "its coordinator has not read it yet (it applies it "
                        + "when it does)");
                assertThat(swarm("status", id, "--state-dir", state.toString()).out()).contains("  being cancelled: a cancel was requested by ",
                        "; its coordinator applies it within a second");
                Result second = swarm("cancel", id, "--state-dir", state.toString());
                assertThat(second.code()).as("%s", second).isEqualTo(2);
                assertThat(second.err()).contains("a cancel of run " + id + " is already requested (by ", ") and pending: the run's "
                        + "coordinator applies it within a second; nothing was changed").doesNotContain("already cancelled");
                try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
                    assertThat(store.pendingCommands(id)).hasSize(1);
                }
            } finally {
                Cli.signal(coordinator.pid(), "CONT");
            }
            assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(coordinator.exitValue()).as(Files.readString(tmp.resolve("coordinator.log"))).isEqualTo(130);
            Result after = swarm("cancel", id, "--state-dir", state.toString());
            assertThat(after.err()).contains("run " + id + " was already cancelled; nothing to cancel");
        } finally {
            stopTree(coordinator);
        }
    }

    @Test
    void aSecondCancelDuringTheGracePeriodSaysTheRunIsBeingCancelled() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("stubborn.yaml"), """
                tickets:
                  - id: stubborn
                    run: |
                      trap '' TERM; touch "$SWARM_SCRATCH/started"
                      until [ -e "$SWARM_SCRATCH/stop" ]; do sleep 0.05; done
                """);
        Background run = Background.start("run", spec.toString(), "--plain", "--grace", "60", "--state-dir", state.toString());
        String id = run.runId();
        Path scratch = state.resolve("runs").resolve(id).resolve("scratch");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(scratch.resolve("started")));
        Background first = Background.start("cancel", id, "--state-dir", state.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> run.out().text().contains("cancelling: "));

        Result status = swarm("status", id, "--state-dir", state.toString());
        assertThat(status.out()).contains("): running, ", "  being cancelled: its coordinator is stopping the running attempts (TERM, "
                + "then KILL after the grace period); `swarm resume " + id + "` continues the run afterwards");
        assertThat(swarm("status", id, "--json", "--state-dir", state.toString()).json().get("run").get("cancelling").asBoolean()).isTrue();
        long beforeTheSecond = System.currentTimeMillis();
        Result again = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(again.code()).as("%s", again).isEqualTo(2);
        assertThat(again.err()).contains("run " + id + " is already being cancelled: its coordinator applied an earlier cancel and "
                + "is stopping the running attempts (TERM, then KILL after the grace period); nothing was changed");
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            // the first cancel's command is marked applied in a batch after its events: it may still be pending here
            assertThat(store.pendingCommands(id)).as("the second cancel added no command").hasSizeLessThanOrEqualTo(1)
                    .allSatisfy(c -> assertThat(c.createdAtMillis()).isLessThan(beforeTheSecond));
        }
        Files.writeString(scratch.resolve("stop"), "");
        assertThat(run.exit()).isEqualTo(130);
        assertThat(first.exit()).isZero();
        assertThat(first.out().text()).as("the first cancel waited while the attempt was being stopped") // up to 15 s on a slow machine
                .containsAnyOf("run " + id + " cancelled", "its coordinator is still stopping the running attempts");
    }

    @Test
    void statusAndRunsSayWhenARunsCoordinatorStopped() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("stop.yaml"), """
                tickets:
                  - id: long
                    run: |
                      if [ -e "$SWARM_SCRATCH/long.started" ]; then exit 0; fi
                      touch "$SWARM_SCRATCH/long.started"
                      sleep 120
                """);
        long launched = System.currentTimeMillis();
        Process coordinator = coordinator(spec, state);
        long seenStarted;
        try {
            awaitScratch(state, "long.started");
            seenStarted = System.currentTimeMillis();
            Result live = swarm("status", "--json", "--state-dir", state.toString());
            assertThat(live.json().get("run").get("executing").asBoolean()).as("%s", live).isTrue();
            assertThat(swarm("status", "--state-dir", state.toString()).out()).doesNotContain("coordinator stopped");
            String liveId = live.json().get("run").get("id").asText();
            Result resume = swarm("resume", liveId, "--plain", "--state-dir", state.toString());
            assertThat(resume.code()).as("%s", resume).isEqualTo(2);
            assertThat(resume.err()).contains("run " + liveId + " is being executed by another swarm process right now");
            assertThat(resume.out()).doesNotContain("resuming");
            // README: clean is refused while the run executes
            Result clean = swarm("clean", liveId, "--state-dir", state.toString());
            assertThat(clean.code()).as("%s", clean).isEqualTo(2);
            assertThat(clean.err()).contains("run " + liveId + " is executing; wait for it to end, or `swarm cancel " + liveId + "` first");
            // logs of an attempt still running prints what there is so far, and says that more may come
            Result logs = swarm("logs", liveId, "long", "--state-dir", state.toString());
            assertThat(logs.code()).as("%s", logs).isZero();
            assertThat(logs.err()).isEqualTo("swarm: long attempt 1 is still running; `swarm logs " + liveId
                    + " long --follow` keeps printing its output\n");
        } finally {
            stopTree(coordinator); // kill -9
        }
        long killedAt = System.currentTimeMillis();
        Result status = swarm("status", "--state-dir", state.toString());
        String id = status.out().substring(4, status.out().indexOf(' ', 4));
        // "174ms up to its last event" read as the run's length (for a run killed after 5 s): it is the time to its last event
        // milliseconds, or seconds on a loaded machine; at most the time until the attempt was seen started (its last event,
        // AttemptProcessStarted, is recorded about then), well short of the run's length (five swarm commands and a kill later)
        java.util.regex.Matcher toLast = java.util.regex.Pattern.compile("last event recorded (\\d+)ms after|last event recorded (\\d+\\.\\d)s after")
                .matcher(status.out());
        assertThat(toLast.find()).as("%s", status.out()).isTrue();
        long toLastMillis = toLast.group(1) != null ? Long.parseLong(toLast.group(1)) : Math.round(Double.parseDouble(toLast.group(2)) * 1000);
        assertThat(toLastMillis).as("%s", status.out()).isLessThanOrEqualTo(seenStarted - launched + 500);
        assertThat(status.out()).containsPattern("\\): running \\(stopped\\), last event recorded (\\d+ms|\\d+\\.\\ds) after the start\n")
                .contains("its coordinator stopped without recording an end (killed, crashed, or the database could not be written); `swarm resume "
                + id + "` continues it");
        // the running ticket's and attempt's durations end at that event too, and say so
        assertThat(status.out()).containsPattern("\nlong +running +1 +(\\d+ms|\\d+\\.\\ds) \\(last event\\) +- +\n")
                .endsWith("\n(last event): the time from its start to the run's last recorded event, not how long it ran\n");
        assertThat(swarm("status", id, "long", "--state-dir", state.toString()).out())
                .containsPattern("\n1 +running +- +\\S+ \\S+ +(\\d+ms|\\d+\\.\\ds) \\(last event\\) *\n")
                .contains("\n(last event): the time from its start to the run's last recorded event, not how long it ran\n");
        String runsBefore = swarm("runs", "--state-dir", state.toString()).out();
        Thread.sleep(1_200);
        assertThat(swarm("status", "--state-dir", state.toString()).out())
                .as("the durations of the run and its running ticket end at its last event: they do not grow").isEqualTo(status.out());
        assertThat(swarm("runs", "--state-dir", state.toString()).out()).isEqualTo(runsBefore);
        assertThat(swarm("status", id, "--json", "--state-dir", state.toString()).json().get("run").get("executing").asBoolean()).isFalse();
        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.out()).contains("running (stopped)", "(stopped): its coordinator stopped")
                .containsPattern("  (\\d+ms|\\d+\\.\\ds) \\(last event\\)  ")
                .contains("\n(last event): the time from its start to the run's last recorded event, not how long it ran\n");
        Path runDir = state.resolve("runs").resolve(id);
        assertThat(runDir.resolve("report.json")).as("the killed coordinator wrote none").doesNotExist();
        Result report = swarm("report", "--state-dir", state.toString());
        assertThat(report.code()).as("%s", report).isZero();
        assertThat(report.out()).contains(runDir.resolve("report.html").toString());
        JsonNode reportRun = Cli.JSON.readTree(runDir.resolve("report.json").toFile()).get("run");
        assertThat(reportRun.get("state").asText()).isEqualTo("running");
        // as in status: what is unfinished is measured up to the last event, not up to the report (written 1.2 s later)
        long started = java.time.Instant.parse(reportRun.get("startedAt").asText()).toEpochMilli();
        long stoppedAt = java.time.Instant.parse(reportRun.get("stoppedAt").asText()).toEpochMilli();
        assertThat(stoppedAt).isBetween(started, killedAt);
        assertThat(reportRun.get("durationMillis").asLong()).isEqualTo(stoppedAt - started);
        assertThat(Files.readString(runDir.resolve("report.html"))).contains("<html", "long",
                "not known <span class=\"muted\">(its coordinator stopped; last event recorded ",
                "its coordinator stopped without recording an end (killed, crashed, or the database could not be written), some time after its last recorded event (", "<code>swarm resume " + id + "</code> continues it");
        // the attempt is recorded as running, but nothing executes the run: following its log ends at once
        Result follow = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> swarm("logs", id, "long", "--follow", "--state-dir", state.toString()));
        assertThat(follow.code()).as("%s", follow).isZero();
        assertThat(follow.err()).isEqualTo("swarm: no output recorded for long attempt 1\nswarm: run " + id + " is not running: its coordinator stopped without recording an end "
                + "(killed, crashed, or the database could not be written)\nswarm: ticket long was interrupted in attempt 1; `swarm resume " + id + "` continues the run\n");
        // without --follow too, in status's words (it said nothing, as if the attempt had ended there)
        Result plainLogs = swarm("logs", id, "long", "--state-dir", state.toString());
        assertThat(plainLogs.code()).as("%s", plainLogs).isZero();
        // the attempt printed nothing: said on stderr, with --follow as without, so that `logs > file` gets its bytes alone
        assertThat(follow.out()).isEmpty();
        assertThat(plainLogs.out()).isEmpty();
        assertThat(plainLogs.err()).isEqualTo(follow.err());
        assertThat(swarm("resume", id, "--plain", "--state-dir", state.toString()).code()).isZero();
        assertThat(swarm("runs", "--state-dir", state.toString()).out()).doesNotContain("stopped");
        assertThat(Cli.JSON.readTree(runDir.resolve("report.json").toFile()).get("run").get("stoppedAt").isNull()).isTrue();
    }

    /** Closing the coordinator's terminal (SIGHUP) cancels the run as Ctrl-C does, and the cancel names the signal. */
    @Test
    void aHangupCancelsTheRunLikeCtrlCAndTheCancelNamesTheSignal() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("hup.yaml"), """
                tickets:
                  - id: long
                    run: touch "$SWARM_SCRATCH/started"; sleep 600
                """);
        Process coordinator = coordinator(spec, state, "--grace", "1");
        try {
            awaitScratch(state, "started");
            Cli.signal(coordinator.pid(), "HUP");
            assertThat(coordinator.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = Files.readString(tmp.resolve("coordinator.log"));
            assertThat(coordinator.exitValue()).as(log).isEqualTo(130);
            assertThat(log).contains("cancel requested by SIGHUP (the terminal closed)", "run cancelled");
            JsonNode s = swarm("status", "--json", "--state-dir", state.toString()).json();
            assertThat(s.get("run").get("state").asText()).isEqualTo("cancelled");
            assertThat(ticket(s, "long").get("state").asText()).isEqualTo("cancelled");
            try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
                assertThat(store.events(s.get("run").get("id").asText(), 0, Integer.MAX_VALUE)).map(e -> e.event())
                        .filteredOn(e -> e instanceof io.swarmflow.store.RunEvent.RunCancelRequested)
                        .containsExactly(new io.swarmflow.store.RunEvent.RunCancelRequested("SIGHUP (the terminal closed)"));
            }
        } finally {
            stopTree(coordinator);
        }
    }

    /** A run created but never started (its coordinator died before it began): status, runs and logs say so plainly. */
    @Test
    void aRunCreatedButNeverStartedIsShownAsNotStarted() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("never.yaml"), """
                tickets:
                  - id: a
                    run: echo a
                """);
        String id = "20260101-000000-nvr1";
        Files.createDirectories(state);
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            store.createRun(new io.swarmflow.store.RunEvent.RunCreated(id, new io.swarmflow.spec.SpecLoader().load(spec, java.util.Map.of()),
                    spec.toString()));
        }
        Result status = swarm("status", id, "--state-dir", state.toString());
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).startsWith("run " + id + " (never): created\n").contains("  it never started (the `swarm run` that "
                + "created it stopped before it began); `swarm resume " + id + "` starts it").doesNotContain("(stopped)");
        JsonNode json = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(json.get("run").get("state").asText()).isEqualTo("created");
        assertThat(json.get("run").get("executing").asBoolean()).isFalse();
        assertThat(swarm("runs", "--state-dir", state.toString()).out()).contains(id, " created ").doesNotContain("(stopped)")
                .endsWith("\ncreated: the `swarm run` that created it stopped before it began; `swarm resume RUN` starts it\n");
        Result logs = swarm("logs", id, "a", "--follow", "--state-dir", state.toString());
        assertThat(logs.code()).as("%s", logs).isZero();
        assertThat(logs.err()).contains("is not running: it never started (the `swarm run` that created it stopped before it "
                + "began)\nswarm: ticket a is pending; `swarm resume " + id + "` starts the run");
        Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isEqualTo(2);
        assertThat(cancel.err()).contains("run " + id + " is not executing (it never started); nothing to cancel");
    }

    @Test
    void aSecondInterruptKillsAttemptsThatIgnoreTheFirst() throws Exception {
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("stubborn.yaml"), """
                tickets:
                  - id: stubborn
                    run: trap '' TERM; touch "$SWARM_SCRATCH/started"; sleep 600
                """);
        Process coordinator = coordinator(spec, state, "--grace", "600");
        try {
            awaitScratch(state, "started");
            Cli.signal(coordinator.pid(), "INT");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(coordinator::isAlive); // TERM ignored: grace
            assertThat(Files.readString(tmp.resolve("coordinator.log"))).contains("interrupt again to kill the running attempts now");
            Cli.signal(coordinator.pid(), "INT");
            assertThat(coordinator.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("killed, not 600 s of grace").isTrue();
            assertThat(coordinator.exitValue()).isEqualTo(130);
            assertThat(Files.readString(tmp.resolve("coordinator.log"))).contains("killing the running attempts now", "stubborn");
        } finally {
            stopTree(coordinator);
        }
    }

    // ---- commands without state ----

    @Test
    void versionAndCompletion() {
        Result v = swarm("version");
        assertThat(v.code()).isZero();
        assertThat(v.out()).startsWith("swarm ").contains("java ", "\nlauncher posix_spawn\n");
        assertThat(v.out()).containsPattern("\nsandbox (bubblewrap [0-9.]+ \\(/.*bwrap\\)|: bubblewrap not usable: .+)\n");
        // -V (on swarm and on every command) printed the first two lines alone: one source, the same lines
        for (List<String> args : List.of(List.of("-V"), List.of("--version"), List.of("logs", "-V"))) {
            Result r = swarm(args.toArray(String[]::new));
            assertThat(r.code()).as("%s", args).isZero();
            assertThat(r.out()).as("%s", args).isEqualTo(v.out());
        }
        Result c = swarm("generate-completion");
        assertThat(c.code()).isZero();
        assertThat(c.out()).contains("complete", "swarm", "resume", "approve");
        // what it does not take is refused, as by every other command (picocli's help command took anything, exit 0)
        for (List<String> args : List.of(List.of("--state-dir", tmp.toString()), List.of("bash"), List.of("--frobnicate"))) {
            List<String> line = new ArrayList<>(List.of("generate-completion"));
            line.addAll(args);
            Result r = swarm(line.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", line, r).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).startsWith("swarm: ").contains("See `swarm generate-completion --help`.");
        }
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("run", "resume", "status", "logs", "validate", "approve", "reject", "cancel", "clean", "runs", "report", "version")) {
            for (String flag : List.of("--help", "-h")) {
                Result r = swarm(command, flag);
                assertThat(r.code()).as("%s %s: %s", command, flag, r).isZero();
                // swarm --help's table of exit codes was repeated in each: a command's help names its own codes alone
                assertThat(r.out()).as("%s %s", command, flag).startsWith("Usage: swarm " + command).contains("`swarm --help` lists")
                        .doesNotContain("every ticket succeeded", "internal error", "State lives in");
            }
        }
    }

    /** Each argument's line in a command's help says what to give (RUN, TICKET and SPEC had a bare label in eight commands). */
    @Test
    void everyArgumentInTheHelpIsDescribed() {
        for (String command : List.of("run", "resume", "status", "logs", "validate", "approve", "reject", "cancel", "clean", "report", "help")) {
            String help = swarm(command, "--help").out();
            List<String> bare = help.lines().filter(l -> l.matches(" {6}\\[?[A-Z]+(\\.\\.\\.)?]?\\s*")).toList();
            assertThat(bare).as("%s --help:%n%s", command, help).isEmpty();
        }
        assertThat(swarm("status", "--help").out()).contains("[RUN]             The run id (see `swarm runs`), or its start");
        assertThat(swarm("logs", "--help").out()).endsWith("\nExit codes of its own (`swarm --help` lists them all):\n  4   the run's "
                + "log directory or the attempt's log folder is missing, or a log\n        file cannot be read\n");
        assertThat(swarm("clean", "--help").out()).contains("\n  1   something could not be removed");
        // picocli's column follows the longest option (--sandbox=required|best-effort), so the line may wrap
        assertThat(swarm("run", "--help").out()).containsPattern("\n {6}SPEC +The swarm spec \\(YAML\\); - reads it from standard\\s+input\\.");
    }

    @Test
    void unknownCommandsAndFlagsAreInvalidInput() {
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[]{"frobnicate"});
        bad.add(new String[]{"status", "--frobnicate", "--state-dir", tmp.resolve("state").toString()});
        bad.add(new String[]{"run", "--state-dir", tmp.resolve("state").toString()});
        bad.add(new String[]{});
        for (String[] args : bad) {
            Result r = swarm(args);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.err()).startsWith("swarm: ");
        }
        assertThat(swarm("frobnicate").err()).contains("'frobnicate'");
        assertThat(swarm("status", "--frobnicate").err()).contains("swarm: unknown option: '--frobnicate'");
        // the nearest command only: picocli suggested 'swarm status or swarm validate or swarm generate-completion' for 'statu'
        assertThat(swarm("statu").err()).isEqualTo("swarm: unknown command 'statu'; did you mean `swarm status`?\nSee `swarm --help`.\n");
        assertThat(swarm("statsu").err()).startsWith("swarm: unknown command 'statsu'; did you mean `swarm status`?\n");
        // the name other tools give the command (gh completion, kubectl completion) is part of swarm's
        assertThat(swarm("completion", "bash").err()).isEqualTo("swarm: unknown command 'completion'; did you mean "
                + "`swarm generate-completion`?\nSee `swarm --help`.\n");
        assertThat(swarm("frobnicate").err()).startsWith("swarm: unknown command 'frobnicate'; the commands are run, resume, status, logs,");
        // no command: what to type, said once (it ended "or `swarm --help`" followed by "See `swarm --help`.")
        assertThat(swarm().err()).isEqualTo("swarm: missing command, such as `swarm run SPEC`; the commands are run, resume, status, logs, "
                + "validate, approve, reject, cancel, clean, runs, report, version, generate-completion, help\nSee `swarm --help`.\n");
        // an argument is quoted back with its control characters escaped: it cannot clear the screen or retitle the window
        assertThat(swarm("status", "--frob\u001B[2J\u001B]0;x\u0007").err())
                .contains("swarm: unknown option: '--frob\\u001B[2J\\u001B]0;x\\u0007'").doesNotContain("\u001B");
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void helpWithAnArgumentItDoesNotTakeIsInvalidInput() {
        for (String[] args : List.of(new String[]{"help", "status", "--bogus"}, new String[]{"help", "status", "extra"},
                new String[]{"help", "-x"}, new String[]{"status", "--bogus", "--help"}, new String[]{"status", "--help", "--bogus"},
                new String[]{"--version", "x"})) {
            Result r = swarm(args);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(2);
            assertThat(r.out()).as("%s", List.of(args)).isEmpty();
            assertThat(r.err()).startsWith("swarm: ").contains(args[args.length - 1].equals("--help") ? "--bogus" : args[args.length - 1]);
        }
        Result unknown = swarm("help", "nosuchcommand");
        assertThat(unknown.code()).as("%s", unknown).isEqualTo(2);
        assertThat(unknown.err()).contains("there is no command 'nosuchcommand'", "the commands are run, resume, status,", "See `swarm --help`.");
        Result help = swarm("help", "status");
        assertThat(help.code()).as("%s", help).isZero();
        assertThat(help.out()).startsWith("Usage: swarm status");
        assertThat(swarm("help").out()).startsWith("Usage: swarm [");
    }

    /**
     * Picocli said "Unmatched argument at index 2: 'extra'" or "Unknown options: '--state-dir', 'DIR'"; each says what to
     * type. Picocli's messages start lowercase, as swarm's own do ("Unknown option" was capitalized).
     */
    @Test
    void misplacedOptionsUnknownCommandsAndExtraArgumentsSayWhatToType() {
        String st = tmp.resolve("state").toString();
        java.util.Map<List<String>, String> expected = new java.util.LinkedHashMap<>();
        expected.put(List.of("--state-dir", st, "status"), "swarm: options go after the command: swarm status --state-dir " + st + "\n");
        expected.put(List.of("--json", "runs", "--state-dir", st), "swarm: options go after the command: swarm runs --json --state-dir " + st + "\n");
        expected.put(List.of("frobnicate"), "swarm: unknown command 'frobnicate'; the commands are ");
        expected.put(List.of("run", "a.yaml", "extra"), "swarm: unexpected argument 'extra': `swarm run` takes SPEC\n");
        expected.put(List.of("status", "r", "t", "extra"), "swarm: unexpected argument 'extra': `swarm status` takes [RUN] [TICKET]\n");
        expected.put(List.of("runs", "extra"), "swarm: unexpected argument 'extra': `swarm runs` takes no arguments, only options\n");
        expected.forEach((args, first) -> {
            Result r = swarm(args.toArray(String[]::new));
            assertThat(r.code()).as("%s: %s", args, r).isEqualTo(2);
            assertThat(r.err()).as("%s", args).startsWith(first);
        });
        assertThat(swarm("run", "a.yaml", "--concurrency", "8").err()).startsWith("swarm: unknown options: '--concurrency', '8'; the number "
                + "of attempts at once is the spec's `concurrency: N` (top level, for the run; under an agent profile, for its tickets)");
        assertThat(swarm("resume", "r", "-j8").err()).contains("the spec's `concurrency: N`");
        // review R LOW-4: not followed by picocli's "Possible solutions: --json", which would contradict it
        for (String[] args : new String[][]{{"status", "-j", "4"}, {"runs", "-j", "2"}}) {
            assertThat(swarm(args).err()).as("%s", List.of(args)).contains("the spec's `concurrency: N`")
                    .doesNotContain("Possible solutions");
        }
        // a resume cannot change variables; a new run can
        for (String[] args : new String[][]{{"resume", "r", "--var", "target=x"}, {"resume", "r", "--var=target=x"}}) {
            Result r = swarm(args);
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).as("%s", r).contains("; a resumed run keeps the variables it was created with: `swarm run SPEC "
                    + "--var KEY=VALUE` starts a new run with other values\n");
        }
        // an option no command has is not moved
        assertThat(swarm("--frob", "status").err()).startsWith("swarm: unknown option: '--frob'\n");
        assertThat(tmp.resolve("state")).doesNotExist();
    }
}
