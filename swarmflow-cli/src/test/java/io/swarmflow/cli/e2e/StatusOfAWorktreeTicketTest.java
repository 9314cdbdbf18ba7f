package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code swarm status RUN TICKET} of worktree tickets: a multi-line output on lines of its own, and where failed work is kept. */
class StatusOfAWorktreeTicketTest {
    @TempDir
    Path tmp;

    /** A run of two worktree tickets in a fresh repository: fix changes two files, wfail changes one and exits 2. */
    private String twoWorktreeTickets(String st) {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(repo.resolve("w.yaml"), """
                tickets:
                  - id: fix
                    workspace: worktree
                    run: echo a > a.txt; echo c > c.txt
                  - id: wfail
                    workspace: worktree
                    run: echo half >> README.md; exit 2
                """);
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        return runId(r);
    }

    @Test
    void aDiffstatIsShownOnIndentedLines() {
        String st = tmp.resolve("state").toString();
        String run = twoWorktreeTickets(st);
        Result fix = swarm("status", run, "fix", "--state-dir", st);
        assertThat(fix.code()).as("%s", fix).isZero();
        // it was one line, "  diffstat:  a.txt | 1 +^J c.txt | 1 +^J 2 files changed, 2 insertions(+)"
        assertThat(fix.out()).contains("\n  diffstat:\n     a.txt | 1 +\n     c.txt | 1 +\n     2 files changed, 2 insertions(+)\n") // git starts each line with a space
                .contains("\n  branch: swarm/" + run + "/fix\n").doesNotContain("^J").doesNotContain("worktree:");
    }

    @Test
    void aFailedTicketsKeptWorktreeIsNamed() throws Exception {
        String st = tmp.resolve("state").toString();
        String run = twoWorktreeTickets(st);
        Result failed = swarm("status", run, "wfail", "--state-dir", st);
        assertThat(failed.code()).as("%s", failed).isZero();
        Path worktree = tmp.resolve("state").resolve("runs").resolve(run).resolve("worktrees").resolve("wfail");
        assertThat(Files.readString(worktree.resolve("README.md"))).as("the work is kept there").endsWith("half\n");
        // a git status that runs none of your filter drivers (the ones your configuration defines are named: -c
        // filter.D.clean= ...; StatusGitHintRunsNoFilterTest) nor your hooks or fsmonitor
        assertThat(failed.out()).contains("\nworktree: " + worktree + " (branch swarm/" + run + "/wfail)\n"
                + "  what its last attempt left there is kept: `git -C " + worktree + " --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null ")
                .contains(" status --no-renames` shows it without running your filter drivers, hooks or fsmonitor on it; `swarm clean "
                        + run + "` removes it\n");
    }
}
