package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What validate says about a bad spec, what runs, status and report say about a state directory without runs, and how
 * reject's help names its reason.
 */
class ValidateAndRunsWordingTest {
    @TempDir
    Path tmp;

    /** validate never runs anything, so its summary of a bad spec does not say "nothing was run"; run's does. */
    @Test
    void validateCountsTheErrorsWithoutSayingNothingWasRun() throws Exception {
        Path spec = Cli.write(tmp.resolve("bad.yaml"), "tickets:\n  - id: a\n    run: x\n    needs: [nope]\n");
        Result validate = swarm("validate", spec.toString());
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.err()).endsWith("swarm: the spec has 1 error\n");
        Result run = swarm("run", spec.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.err()).endsWith("swarm: the spec has 1 error; nothing was run\n");
        Cli.write(spec, "tickets:\n  - {id: a, run: x, needs: [nope, nor]}\n");
        assertThat(swarm("validate", spec.toString()).err()).endsWith("swarm: the spec has 2 errors\n");
    }

    /**
     * Past 200 problems the summary counts every problem, shown or not, and not the line that counts the ones not shown
     * (review R2 finding 1: 260 problems were summed up as "201 errors"); one problem not shown is "1 more error".
     */
    @Test
    void theSummaryPast200ProblemsCountsEveryProblemAndNotTheLineThatCountsTheRest() throws Exception {
        Path spec = tmp.resolve("many.yaml");
        Cli.write(spec, unknownKeys(260));
        Result validate = swarm("validate", spec.toString());
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.err()).endsWith(spec + ": 60 more errors not shown; fix the ones above first\n"
                + "swarm: the spec has 260 errors\n");
        Result run = swarm("run", spec.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(run.err()).endsWith("swarm: the spec has 260 errors; nothing was run\n");
        assertThat(tmp.resolve("state")).doesNotExist();
        Cli.write(spec, unknownKeys(201));
        assertThat(swarm("validate", spec.toString()).err()).endsWith(spec + ": 1 more error not shown; fix the ones above first\n"
                + "swarm: the spec has 201 errors\n");
        Cli.write(spec, unknownKeys(200));
        assertThat(swarm("validate", spec.toString()).err()).doesNotContain("not shown").endsWith("swarm: the spec has 200 errors\n");
    }

    private static String unknownKeys(int tickets) {
        StringBuilder yaml = new StringBuilder("tickets:\n");
        for (int i = 0; i < tickets; i++) yaml.append("  - {id: t").append(i).append(", neds: [x], run: \"true\"}\n");
        return yaml.toString();
    }

    /**
     * validate's help described --state-dir as "where runs are kept", as if it stored runs there: it stores nothing, and
     * checks, as run does, that the state directory is not the repository itself.
     */
    @Test
    void validateSaysWhatItDoesWithTheStateDirectory() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(repo.resolve("swarm.yaml"), "repo: .\ntickets:\n  - {id: a, run: \"true\"}\n");
        Result refused = swarm("validate", spec.toString(), "--state-dir", repo.toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(2);
        assertThat(refused.err()).contains("the state directory " + repo + " is the repository " + repo + " itself");
        Result ok = swarm("validate", spec.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(ok.code()).as("%s", ok).isZero();
        assertThat(tmp.resolve("state")).doesNotExist();
        assertThat(swarm("validate", "--help").out().replaceAll("\\s+", " ")).contains("--state-dir=DIR The state directory a run of "
                + "this spec would use: validate stores nothing there, and checks only that it is not the spec's repository itself");
    }

    /** The line that starts a run counts its tickets in English: "1 ticket", "2 tickets". */
    @Test
    void runCountsItsTicketsWithTheRightNumber() {
        Path spec = Cli.write(tmp.resolve("one.yaml"), "tickets:\n  - {id: a, run: \"true\"}\n");
        Result run = swarm("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(run.code()).as("%s", run).isZero();
        assertThat(run.out()).containsPattern("(?m)^run \\S+: 1 ticket, concurrency 4 ");
    }

    /** An empty state directory (mkdir .swarm ahead of the first run) has no runs, as a missing one has: exit 0. */
    @Test
    void runsOfAnEmptyStateDirectoryIsNoRunsNotAnError() throws Exception {
        Path state = Files.createDirectories(tmp.resolve(".swarm"));
        Result runs = swarm("runs", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isZero();
        assertThat(runs.out()).isEqualTo("no runs in " + state + " (it holds no Swarmflow state yet)\n");
        Result json = swarm("runs", "--json", "--state-dir", state.toString());
        assertThat(json.code()).as("%s", json).isZero();
        assertThat(json.out().strip()).isEqualTo("[]");
        assertThat(state).isEmptyDirectory(); // nothing was created
    }

    /** reject's help names the reason's value as the README does: --reason TEXT. */
    @Test
    void rejectsHelpNamesTheReasonText() {
        Result help = swarm("reject", "--help");
        assertThat(help.code()).as("%s", help).isZero();
        assertThat(help.out()).contains("--reason=TEXT").doesNotContain("<reason>");
    }

    /** A state directory whose database holds no run: status and report say so, and how to start one. */
    @Test
    void statusAndReportOfAStateDirectoryWithoutRunsSayHowToStartOne() throws Exception {
        Path state = tmp.resolve("state");
        io.swarmflow.store.sql.SqlRunStore.openSqlite(state).close();
        for (String command : new String[] {"status", "report"}) {
            Result r = swarm(command, "--state-dir", state.toString());
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.err()).contains("no runs in " + state + " yet; start one with swarm run SPEC");
        }
    }
}
