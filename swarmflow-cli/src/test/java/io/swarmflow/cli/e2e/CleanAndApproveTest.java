package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.Cli.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code swarm clean} keeping work the run did not record, and how its failures exit; decisions and logs of a run
 * whose coordinator is not running. End to end and in-process, as {@link CliEndToEndTest}.
 */
class CleanAndApproveTest {
    @TempDir
    Path tmp;

    private static String run(Path spec, Path state) {
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        return CliEndToEndTest.runId(r);
    }

    @Test
    void cleanKeepsANestedRepositoryAndFilesInASubmodulesDirectoryUnlessForced() throws Exception {
        Path lib = Cli.gitRepo(tmp.resolve("lib"));
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Cli.git(repo, "-c", "protocol.file.allow=always", "submodule", "--quiet", "add", lib.toString(), "lib");
        Cli.git(repo, "commit", "-q", "-m", "a submodule");
        Path state = tmp.resolve("state");
        Path spec = Cli.write(tmp.resolve("nested.yaml"), """
                repo: %s
                tickets:
                  - id: vendor
                    workspace: worktree
                    run: |
                      mkdir vendor && cd vendor && git init -q lib && cd lib && echo v > v.txt
                      git add v.txt && git -c user.name=t -c user.email=t@t commit -q -m "only in the worktree"
                  - id: sub
                    workspace: worktree
                    run: echo x > lib/lib.txt
                """.formatted(repo));
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isZero();
        String run = CliEndToEndTest.runId(r);
        Path worktrees = state.resolve("runs").resolve(run).resolve("worktrees");
        assertThat(Cli.git(repo, "ls-tree", "swarm/" + run + "/vendor", "vendor/")).as("a link, not the files").contains("160000 commit");
        assertThat(r.err()).contains("ticket vendor: the commit on swarm/" + run + "/vendor does not hold the content of vendor/lib");
        assertThat(swarm("logs", run, "vendor", "--state-dir", state.toString()).out())
                .contains("swarm: warning: the commit on swarm/" + run + "/vendor does not hold the content of vendor/lib");

        Result refused = swarm("clean", run, "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("vendor: content in vendor/lib (a nested git repository or a submodule's directory",
                "sub: content in lib (", "`swarm clean " + run + " --force` to delete them anyway");
        assertThat(worktrees.resolve("vendor/vendor/lib/v.txt")).exists();
        assertThat(worktrees.resolve("sub/lib/lib.txt")).exists();

        Result forced = swarm("clean", run, "--force", "--state-dir", state.toString());
        assertThat(forced.code()).as("%s", forced).isZero();
        assertThat(forced.out()).contains("removed 2 worktrees");
        assertThat(worktrees).doesNotExist();
    }

    /** A resume keeps the worktrees whose work `swarm clean` protects: a failed ticket's, one with a nested repository. */
    @Test
    void aResumeKeepsAFailedTicketsWorktreeAndNestedRepositoryContent() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: broken
                    workspace: worktree
                    run: echo "half done" > work.txt && exit 1
                  - id: vendor
                    workspace: worktree
                    run: git init -q lib && cd lib && echo v > v.txt && git add v.txt && git -c user.name=t -c user.email=t@t commit -qm v
                  - id: gate
                    needs: [broken, vendor]
                    when: always
                    approval: before-run
                    run: "true"
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        Path worktrees = state.resolve("runs").resolve(id).resolve("worktrees");

        Result resumed = swarm("resume", id, "--plain", "--auto-approve", "--state-dir", st);

        assertThat(resumed.code()).as("%s", resumed).isEqualTo(1);
        assertThat(worktrees.resolve("broken/work.txt")).hasContent("half done");
        assertThat(worktrees.resolve("vendor/lib/v.txt")).exists();
        Result refused = swarm("clean", id, "--state-dir", st);
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("broken: 1 changed path", "vendor: content in lib (");
    }

    private static final String TWO_WORKTREES = """
            tickets:
              - id: fix
                workspace: worktree
                run: echo fixed > fixed.txt
              - id: docs
                workspace: worktree
                run: echo docs > docs.txt
            """;

    @Test
    void cleanBranchesKeepsABranchWithCommitsAddedAfterTheRunUnlessForced() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), TWO_WORKTREES + """
                  - id: broken
                    workspace: worktree
                    run: exit 1
                """), state);
        Path fix = state.resolve("runs").resolve(run).resolve("worktrees").resolve("fix");
        Cli.write(fix.resolve("more.txt"), "the user's own work\n");
        Cli.git(fix, "add", "more.txt");
        Cli.git(fix, "commit", "-q", "-m", "more, after the run");

        Result refused = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("has branches with commits the run did not record, which deleting them would lose",
                "swarm/" + run + "/fix: at ", "not at the commit the run recorded for fix (", "; 1 commit the run did not record",
                "`swarm clean " + run + " --branches --force`", "nothing was cleaned")
                .doesNotContain("/docs:", "/broken:");
        assertThat(fix).as("nothing was cleaned").isDirectory();
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).contains("/fix", "/docs", "/broken");

        Result forced = swarm("clean", run, "--branches", "--force", "--state-dir", state.toString());
        assertThat(forced.code()).as("%s", forced).isZero();
        assertThat(forced.out()).contains("deleted branch swarm/" + run + "/fix", "deleted branch swarm/" + run + "/broken");
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).isBlank();
    }

    @Test
    void cleanBranchesRefusesABranchCheckedOutElsewhereAndPrunesWorktreesDeletedByHand() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), TWO_WORKTREES), state);
        Path worktrees = state.resolve("runs").resolve(run).resolve("worktrees");

        Cli.git(repo, "checkout", "-q", "--ignore-other-worktrees", "swarm/" + run + "/fix");
        Result refused = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("swarm/" + run + "/fix is checked out in " + repo, "git switch", "nothing was cleaned");
        assertThat(worktrees.resolve("docs")).as("nothing was cleaned").isDirectory();
        Cli.git(repo, "checkout", "-q", "main");

        // a worktree deleted by hand: git still has it checked out until its record is pruned
        try (var walk = Files.walk(worktrees.resolve("docs"))) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Result cleaned = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(cleaned.code()).as("%s", cleaned).isZero();
        assertThat(cleaned.out()).contains("deleted branch swarm/" + run + "/docs", "deleted branch swarm/" + run + "/fix");
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).isBlank();
        assertThat(Cli.git(repo, "worktree", "list")).doesNotContain(run);
    }

    @Test
    void aBranchThatCannotBeDeletedExitsOneAndSaysWhat() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), TWO_WORKTREES), state);
        // another git process holding the branch's lock all along
        Cli.write(repo.resolve(".git/refs/heads/swarm/" + run + "/fix.lock"), "");

        Result r = swarm("clean", run, "--branches", "--state-dir", state.toString());
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).contains("removed 2 worktrees", "deleted branch swarm/" + run + "/docs");
        assertThat(r.err()).contains("swarm: could not delete branch swarm/" + run + "/fix: ",
                "swarm: run " + run + " was not cleaned completely (the rest was); fix the above and run `swarm clean " + run
                        + " --branches` again");
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).contains("/fix").doesNotContain("/docs");
    }

    /**
     * The refusal names a nested repository a ticket made by its path in the worktree, with control characters escaped:
     * a name the ticket chose cannot move the cursor or set the window title. (It is not masked: the values the run read
     * from the environment are never stored, so clean does not have them.)
     */
    @Test
    void theRefusalNamesANestedRepositoryWithControlCharactersEscaped() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: vendor
                    workspace: worktree
                    run: |
                      d=$(printf 'n\\033]0;t\\007d'); git init -q "$d" && cd "$d" && echo v > v.txt
                      git add v.txt && git -c user.name=t -c user.email=t@t commit -q -m "only in the worktree"
                """), state);

        Result refused = swarm("clean", run, "--state-dir", state.toString());

        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("vendor: content in n\\u001B]0;t\\u0007d (a nested git repository")
                .doesNotContain("\u001B", "\u0007");
    }

    /**
     * What clean removed and what it could not are printed escaped, as its refusals are: a path in them (the worktrees'
     * directory, git's or the file system's message naming a file, which can be one a ticket made) cannot move the
     * cursor or set the window title. Here the state directory's and the repository's names hold control characters.
     */
    @Test
    void whatCleanRemovedAndCouldNotIsPrintedWithControlCharactersEscaped() {
        Path repo = Cli.gitRepo(tmp.resolve("re\u001B[31mpo"));
        Path state = tmp.resolve("st\u001B]0;title\u0007ate");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), TWO_WORKTREES), state);
        Cli.write(repo.resolve(".git/refs/heads/swarm/" + run + "/fix.lock"), "");

        Result r = swarm("clean", run, "--branches", "--state-dir", state.toString());

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).contains("removed 2 worktrees (", "st\\u001B]0;title\\u0007ate").doesNotContain("\u001B", "\u0007");
        assertThat(r.err()).contains("swarm: could not delete branch swarm/" + run + "/fix: ", "re\\u001B[31mpo")
                .doesNotContain("\u001B");
    }

    /** git failing on a worktree (a corrupt index): clean cannot tell whether it holds work, and says so rather than crash. */
    @Test
    void aWorktreeGitCannotReadIsRefusedWithTheReasonAndForceStillCleans() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String run = run(Cli.write(repo.resolve("swarm.yaml"), TWO_WORKTREES), state);
        Files.writeString(repo.resolve(".git/worktrees/fix/index"), "garbage\n");

        Result refused = swarm("clean", run, "--state-dir", state.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("swarm: cannot check the worktrees of run " + run + " for uncommitted work: ",
                "index file smaller than expected", "nothing was cleaned", "`swarm clean " + run + "` again, or add --force")
                .doesNotContain("internal error", "Exception");
        assertThat(state.resolve("runs").resolve(run).resolve("worktrees/docs")).as("nothing was cleaned").isDirectory();

        Result forced = swarm("clean", run, "--force", "--state-dir", state.toString());
        assertThat(forced.code()).as("%s", forced).isZero();
        assertThat(forced.out()).contains("removed 2 worktrees");
        assertThat(Cli.git(repo, "worktree", "list")).doesNotContain(run);
    }

    // ---- decisions and logs of a run whose coordinator is not running ----

    /** A run of {@link CliEndToEndTest#GATED} cancelled while {@code gate} waits for approval: no coordinator, the gate still waiting. */
    private String cancelledAtTheGate(Path state) throws Exception {
        return cancelledAtTheGates(state, CliEndToEndTest.GATED, "gate");
    }

    /** A run of {@code yaml} cancelled once each of {@code gates} waits for approval: no coordinator, the gates still waiting. */
    private String cancelledAtTheGates(Path state, String yaml, String... gates) throws Exception {
        Path spec = Cli.write(tmp.resolve("gated.yaml"), yaml);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id = run.runId();
        for (String gate : gates) CliEndToEndTest.awaitTicket(state, id, gate, "awaiting-approval");
        Result cancel = swarm("cancel", id, "--state-dir", state.toString());
        assertThat(cancel.code()).as("%s", cancel).isZero();
        assertThat(run.exit()).isEqualTo(130);
        return id;
    }

    /** {@code swarm logs RUN TICKET --follow}, which must end by itself. */
    private static Result follow(String run, String ticket, Path state) {
        return org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> swarm("logs", run, ticket, "--follow", "--state-dir", state.toString()));
    }

    private static int pendingCommands(Path state, String run) {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            return store.pendingCommands(run).size();
        }
    }

    /** Several gates rejected at once while no coordinator runs: each is recorded, and the resume applies them all. */
    @Test
    void rejectsOfSeveralGatesOfARunNotExecutingAreAppliedByTheResume() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        String id = cancelledAtTheGates(state, """
                tickets:
                  - {id: g, matrix: {n: [a, b]}, approval: before-run, run: echo ran}
                """, "g-a", "g-b");

        Result reject = swarm("reject", id, "g-a", "g-b", "--reason", "not today", "--state-dir", st);

        assertThat(reject.code()).as("%s", reject).isZero();
        assertThat(reject.out()).isEqualTo("rejected g-a in run " + id + "\nrejected g-b in run " + id + "\n"
                + "  the run is not executing now; `swarm resume " + id + "` applies it\n");
        assertThat(pendingCommands(state, id)).isEqualTo(2);
        Result resume = swarm("resume", id, "--plain", "--state-dir", st);
        assertThat(resume.code()).as("%s", resume).isEqualTo(1);
        for (String t : List.of("g-a", "g-b")) {
            JsonNode gate = ticket(swarm("status", id, "--json", "--state-dir", st).json(), t);
            assertThat(gate.get("state").asText()).isEqualTo("failed");
            assertThat(gate.get("reason").asText()).endsWith(": not today");
        }
        // the report written at the end of the resume, not only `swarm report`, draws the waits at the gates
        String html = Files.readString(state.resolve("runs").resolve(id).resolve("report.html"));
        for (String t : List.of("g-a", "g-b")) {
            assertThat(html).contains("<rect class=\"bar b-awaiting-approval\" data-ticket=\"" + t + "\"");
        }
    }

    @Test
    void aSecondDecisionWhileTheFirstIsPendingIsRefusedWhetherTheSameOrTheOpposite() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        String run = cancelledAtTheGate(state);

        Result approve = swarm("approve", run, "gate", "--state-dir", st);
        assertThat(approve.code()).as("%s", approve).isZero();
        assertThat(approve.out()).contains("approved gate in run " + run, "`swarm resume " + run + "` applies it");

        Result again = swarm("approve", run, "gate", "--state-dir", st);
        assertThat(again.code()).as("%s", again).isEqualTo(2);
        assertThat(again.err()).contains("not approved: gate already has an approval pending (by ",
                "which `swarm resume " + run + "` applies; nothing was changed");
        Result reject = swarm("reject", run, "gate", "--reason", "changed my mind", "--state-dir", st);
        assertThat(reject.code()).as("%s", reject).isEqualTo(2);
        assertThat(reject.err()).contains("not rejected: gate already has an approval pending (by ",
                "which `swarm resume " + run + "` applies; a recorded decision cannot be withdrawn; nothing was changed");
        assertThat(pendingCommands(state, run)).as("only the first decision is recorded").isEqualTo(1);

        Result resume = swarm("resume", run, "--plain", "--state-dir", st);
        assertThat(resume.code()).as("%s", resume).isZero();
        assertThat(ticket(swarm("status", run, "--json", "--state-dir", st).json(), "gate").get("state").asText()).isEqualTo("succeeded");
    }

    @Test
    void aResumeOfARunWhoseDirectoryIsMissingIsRefusedAndChangesNothing() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        String run = cancelledAtTheGate(state);
        Path runDir = state.resolve("runs").resolve(run);
        Path aside = Files.move(runDir, tmp.resolve("aside"));
        long events = CliEndToEndTest.eventCount(state, run);

        Result resume = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), // not waiting at the gate
                () -> swarm("resume", run, "--plain", "--state-dir", st));
        assertThat(resume.code()).as("%s", resume).isEqualTo(2);
        assertThat(resume.err()).contains("the directory of run " + run + ", " + runDir + ", is missing", "nothing was changed",
                "Restore " + runDir + " from a backup").doesNotContain("Exception");
        assertThat(runDir).as("not created again").doesNotExist();
        assertThat(CliEndToEndTest.eventCount(state, run)).isEqualTo(events);

        Files.move(aside, runDir);
        assertThat(swarm("approve", run, "gate", "--state-dir", st).code()).isZero();
        Result restored = swarm("resume", run, "--plain", "--state-dir", st);
        assertThat(restored.code()).as("%s", restored).isZero();
    }

    @Test
    void aResumeOfARunWhoseRepositoryIsNoLongerAGitRepositoryIsRefusedAndChangesNothing() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: gate
                    approval: before-run
                    run: "true"
                  - id: fix
                    needs: [gate]
                    workspace: worktree
                    run: echo fixed > fixed.txt
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        Path aside = Files.move(repo.resolve(".git"), tmp.resolve("git-aside"));
        long events = CliEndToEndTest.eventCount(state, id);

        Result resume = swarm("resume", id, "--plain", "--auto-approve", "--state-dir", st);

        assertThat(resume.code()).as("%s", resume).isEqualTo(2);
        assertThat(resume.err()).contains("run " + id + " cannot resume here:", repo + " is not a git repository",
                "restore the repository there", "restore what it needs and resume again", "nothing was changed").doesNotContain("Exception");
        assertThat(CliEndToEndTest.eventCount(state, id)).isEqualTo(events);

        Files.move(aside, repo.resolve(".git"));
        Result restored = swarm("resume", id, "--plain", "--auto-approve", "--state-dir", st);
        assertThat(restored.code()).as("%s", restored).isZero();
        assertThat(Cli.git(repo, "show", "swarm/" + id + "/fix:fixed.txt")).isEqualTo("fixed\n");
    }

    /** Only the tickets still to run are checked on resume: a finished worktree ticket no longer needs the repository. */
    @Test
    void aResumeWhoseRemainingTicketsDoNotNeedTheLostRepositoryRuns() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: fix
                    workspace: worktree
                    run: echo fixed > fixed.txt
                  - id: gate
                    needs: [fix]
                    approval: before-run
                    workspace: run
                    run: "true"
                  - id: after
                    needs: [gate]
                    workspace: run
                    run: echo done > "$SWARM_SCRATCH/done.txt"
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir", st);
        String id = run.runId();
        CliEndToEndTest.awaitTicket(state, id, "gate", "awaiting-approval");
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);
        Files.move(repo.resolve(".git"), tmp.resolve("git-aside"));

        Result resume = swarm("resume", id, "--plain", "--auto-approve", "--state-dir", st);

        assertThat(resume.code()).as("%s", resume).isZero();
        assertThat(state.resolve("runs").resolve(id).resolve("scratch/done.txt")).hasContent("done");
    }

    @Test
    void anApprovalAfterAPendingRejectionIsRefused() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        String run = cancelledAtTheGate(state);

        Result reject = swarm("reject", run, "gate", "--reason", "not today", "--state-dir", st);
        assertThat(reject.code()).as("%s", reject).isZero();
        Result approve = swarm("approve", run, "gate", "--state-dir", st);
        assertThat(approve.code()).as("%s", approve).isEqualTo(2);
        assertThat(approve.err()).contains("not approved: gate already has a rejection pending (by ", ": not today), "
                + "which `swarm resume " + run + "` applies; a recorded decision cannot be withdrawn; nothing was changed");
        Result again = swarm("reject", run, "gate", "--reason", "still not", "--state-dir", st);
        assertThat(again.code()).as("%s", again).isEqualTo(2);
        assertThat(again.err()).contains("not rejected: gate already has a rejection pending");
        assertThat(pendingCommands(state, run)).isEqualTo(1);

        Result resume = swarm("resume", run, "--plain", "--state-dir", st);
        assertThat(resume.code()).as("%s", resume).isEqualTo(1);
        assertThat(ticket(swarm("status", run, "--json", "--state-dir", st).json(), "gate").get("reason").asText())
                .endsWith(": not today");
    }

    @Test
    void logsFollowOfATicketThatCannotGoOnWithoutAResumeSaysSoAndEnds() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(tmp.resolve("long.yaml"), """
                tickets:
                  - id: long
                    run: echo "long started"; sleep 120
                  - id: after
                    needs: [long]
                    run: echo after
                """);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--grace", "1",
                "--state-dir", st);
        String id = run.runId();
        Path log = state.resolve("runs").resolve(id).resolve("logs/long/1/stdout.log");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(log) && Files.readString(log).contains("long started"));
        assertThat(swarm("cancel", id, "--state-dir", st).code()).isZero();
        assertThat(run.exit()).isEqualTo(130);

        Result interrupted = follow(id, "long", state);
        assertThat(interrupted.code()).as("%s", interrupted).isZero();
        // "Terminated": the script's shell outlives the TERM (LocalExecutor.GRACE_TRAP) and reports, on stderr, how sleep ended
        assertThat(interrupted.out()).isEqualTo("long started\nTerminated\n");
        assertThat(interrupted.err()).isEqualTo("swarm: run " + id + " is not running: it was cancelled\nswarm: ticket long was "
                + "interrupted in attempt 1; `swarm resume " + id + "` continues the run\n");

        Result pending = follow(id, "after", state);
        assertThat(pending.code()).as("%s", pending).isZero();
        assertThat(pending.out()).isEmpty();
        assertThat(pending.err()).isEqualTo("swarm: after has not started yet (pending)\nswarm: run " + id + " is not running: it was cancelled\nswarm: ticket after is pending; "
                + "`swarm resume " + id + "` continues the run\n");

        Result plain = swarm("logs", id, "long", "--state-dir", st);
        assertThat(plain.out()).isEqualTo("==> stdout.log <==\nlong started\n==> stderr.log <==\nTerminated\n");
        assertThat(plain.err()).as("without --follow too").isEqualTo(interrupted.err());
        assertThat(swarm("logs", id, "after", "--state-dir", st).err()).isEqualTo(pending.err());
    }

    @Test
    void logsFollowOfAGateOfARunNotExecutingSaysHowItGoesOn() throws Exception {
        Path state = tmp.resolve("state");
        String run = cancelledAtTheGate(state);
        Result r = follow(run, "gate", state);
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("swarm: gate has not started yet (awaiting-approval)\nswarm: run " + run + " is not running: it was cancelled\nswarm: ticket gate is awaiting approval: "
                + "approve it with `swarm approve " + run + " gate` (or reject it), then `swarm resume " + run
                + "` continues the run\n");
        Result done = swarm("logs", run, "prep", "--follow", "--state-dir", state.toString());
        assertThat(done.out()).isEqualTo("prepared\n");
        assertThat(done.err()).as("a ticket that ended needs no resume").isEmpty();
    }
}
