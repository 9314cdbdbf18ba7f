package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code approve}, {@code reject}, {@code cancel}, {@code clean} and {@code report} act, then print what they did. When
 * their output is a file that cannot be written ({@code > /dev/full}, as a full disk) they exit 4 as any command does
 * then, but say that the action took effect and what could not be written: they said "run the command again", which
 * would then be refused (a decision already recorded) or do nothing. When the reader of their output went away
 * ({@code | true}) they exit 141 quietly, as git and coreutils do, the action taken all the same.
 */
class ControlOutputFileTest {
    private static final String LOST = "could not write the output to /dev/full: No space left on device";
    private static final String TOOK_EFFECT = "The command took effect all the same";

    private static final String TWO_GATES = """
            tickets:
              - id: g1
                approval: before-run
                run: echo one
              - id: g2
                approval: before-run
                run: echo two
            """;

    @TempDir
    Path tmp;

    private static void saidTookEffect(Result r, String... what) {
        assertThat(r.code()).as("%s", r).isEqualTo(4);
        assertThat(r.err()).contains(LOST, TOOK_EFFECT).contains(what).doesNotContain("run the command again");
        assertThat(r.err().indexOf(LOST)).as("said once: %s", r).isEqualTo(r.err().lastIndexOf(LOST));
    }

    private static void quiet141(Result r) {
        assertThat(r.code()).as("%s", r).isEqualTo(141);
        assertThat(r.err()).as("%s", r).isEmpty();
    }

    /** A run of {@code yaml} in this JVM, once each of {@code gates} waits for approval. */
    private CliEndToEndTest.Background atTheGates(Path state, String name, String yaml, String... gates) {
        Path spec = Cli.write(tmp.resolve(name + ".yaml"), yaml);
        CliEndToEndTest.Background run = CliEndToEndTest.Background.start("run", spec.toString(), "--plain", "--state-dir", state.toString());
        for (String gate : gates) CliEndToEndTest.awaitTicket(state, run.runId(), gate, "awaiting-approval");
        return run;
    }

    private static int pendingCommands(Path state, String run) {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            return store.pendingCommands(run).size();
        }
    }

    private static String runState(Path state, String run) {
        return swarm("status", run, "--json", "--state-dir", state.toString()).json().get("run").get("state").asText();
    }

    @Test
    void decisionsAndCancelsTakeEffectWhateverHappensToTheirOutput() throws Exception {
        Path state = tmp.resolve("state");
        String st = state.toString();
        CliEndToEndTest.Background first = atTheGates(state, "first", TWO_GATES, "g1", "g2");
        String id = first.runId();

        // cancel into /dev/full: the run is cancelled, and that is said
        Result cancel = OutputClosedTest.intoDevFull("cancel", id, "--state-dir", st);
        saidTookEffect(cancel, "run " + id + " was cancelled; `swarm resume " + id + "` continues it");
        assertThat(first.exit()).isEqualTo(130);
        assertThat(runState(state, id)).isEqualTo("cancelled");

        // decisions into /dev/full and into a closed pipe: each is recorded (the run is not executing: pending)
        Result approve = OutputClosedTest.intoDevFull("approve", id, "g1", "--state-dir", st);
        saidTookEffect(approve, "g1 was approved in run " + id, "`swarm status " + id + "` shows it");
        assertThat(pendingCommands(state, id)).as("the approval is recorded").isEqualTo(1);
        quiet141(OutputClosedTest.intoClosedPipe("reject", id, "g2", "--reason", "no", "--state-dir", st));
        assertThat(pendingCommands(state, id)).as("the rejection is recorded").isEqualTo(2);

        // and the other way round on a second run: a rejection into /dev/full, an approval into a closed pipe
        CliEndToEndTest.Background second = atTheGates(state, "second", TWO_GATES, "g1", "g2");
        String id2 = second.runId();
        quiet141(OutputClosedTest.intoClosedPipe("cancel", id2, "--state-dir", st));
        assertThat(second.exit()).isEqualTo(130);
        assertThat(runState(state, id2)).isEqualTo("cancelled");
        Result reject = OutputClosedTest.intoDevFull("reject", id2, "g1", "g2", "--reason", "no", "--state-dir", st);
        saidTookEffect(reject, "g1, g2 were rejected in run " + id2, "`swarm status " + id2 + "` shows them");
        assertThat(pendingCommands(state, id2)).as("both rejections are recorded").isEqualTo(2);
    }

    @Test
    void cleanAndReportTakeEffectWhateverHappensToTheirOutput() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path state = tmp.resolve("state");
        String st = state.toString();
        Path spec = Cli.write(repo.resolve("swarm.yaml"), """
                tickets:
                  - id: fix
                    workspace: worktree
                    run: echo fixed > fixed.txt
                """);
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(run.code()).as("%s", run).isZero();
        String id = CliEndToEndTest.runId(run);
        Path runDir = state.resolve("runs").resolve(id);
        Path worktree = runDir.resolve("worktrees").resolve("fix");
        assertThat(worktree).isDirectory();

        Result clean = OutputClosedTest.intoDevFull("clean", id, "--state-dir", st);
        saidTookEffect(clean, "for run " + id + ": removed 1 worktree");
        assertThat(worktree).doesNotExist();
        assertThat(Cli.git(repo, "worktree", "list")).doesNotContain(id);

        Result again = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(again.code()).as("%s", again).isZero();
        String id2 = CliEndToEndTest.runId(again);
        Path worktree2 = state.resolve("runs").resolve(id2).resolve("worktrees").resolve("fix");
        assertThat(worktree2).isDirectory();
        quiet141(OutputClosedTest.intoClosedPipe("clean", id2, "--state-dir", st));
        assertThat(worktree2).doesNotExist();

        Path html = runDir.resolve("report.html");
        Path json = runDir.resolve("report.json");
        Files.delete(html);
        Files.delete(json);
        Result report = OutputClosedTest.intoDevFull("report", id, "--state-dir", st);
        saidTookEffect(report, "the report of run " + id + " was written, " + html + " and report.json beside it");
        assertThat(html).isRegularFile();
        assertThat(json).isRegularFile();

        Files.delete(html);
        Files.delete(json);
        quiet141(OutputClosedTest.intoClosedPipe("report", id, "--state-dir", st));
        assertThat(html).isRegularFile();
        assertThat(json).isRegularFile();
    }

    /**
     * 141 after the action took effect is the Unix convention (git, coreutils), but a script with {@code pipefail} reads
     * it as "not done" unless told: {@code swarm --help}, the README's exit codes and docs/cli.md's say it.
     */
    @Test
    void helpAndReadmeSayThatA141OfTheseCommandsCameAfterTheActionTookEffect() throws Exception {
        String out = swarm("--help").out();
        String help = out.substring(out.indexOf("Exit codes:")).replaceAll("\\s+", " ");
        String line141 = help.substring(help.indexOf(" 141 "));
        assertThat(line141).contains("the command stops quietly; for `approve`, `reject`, `cancel`, `clean` and `report` the "
                + "action had already taken effect");
        String help4 = help.substring(help.indexOf(" 4 "), help.indexOf(" 129 "));
        assertThat(help4).contains("`approve`, `reject`, `cancel`, `clean` and `report` whose output file fails say what took effect");

        String readme = Files.readString(Path.of("..", "README.md"));
        String table = readme.substring(readme.indexOf("### Exit codes"), readme.indexOf("Spec errors are listed"));
        String row141 = table.lines().filter(l -> l.startsWith("| 141 |")).findFirst().orElseThrow();
        assertThat(row141).contains("`approve`, `reject`, `cancel`, `clean` and `report` had already taken effect");
        // the whole story in the CLI reference
        String page = Files.readString(Path.of("..", "docs", "cli.md"));
        String reference = page.substring(page.indexOf("## Exit codes"));
        assertThat(reference.lines().filter(l -> l.startsWith("| 141 |")).findFirst().orElseThrow())
                .contains("`approve`, `reject`, `cancel`, `clean` and `report` had already taken effect when their output was cut");
        String row4 = reference.lines().filter(l -> l.startsWith("| 4 |")).findFirst().orElseThrow();
        assertThat(row4).contains("`approve`, `reject`, `cancel`, `clean` and `report` whose output file cannot be written say so "
                + "with what took effect all the same");
    }
}
