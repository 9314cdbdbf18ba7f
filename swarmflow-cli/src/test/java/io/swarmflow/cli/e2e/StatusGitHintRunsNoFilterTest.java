package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.git;
import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code git status} that {@code swarm status RUN TICKET} suggests for a failed worktree ticket runs none of the
 * user's filter drivers (git-lfs's {@code clean}) on what the ticket wrote, nor its {@code core.fsmonitor}: a plain
 * {@code git status} there does (docs/sandbox.md).
 */
class StatusGitHintRunsNoFilterTest {
    @TempDir
    Path tmp;

    @Test
    void theSuggestedGitStatusRunsNoFilterDriverNorFsmonitor() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path cleaned = tmp.resolve("clean-ran");
        Path processed = tmp.resolve("process-ran");
        Path monitored = tmp.resolve("fsmonitor-ran");
        Cli.write(repo.resolve(".gitattributes"), "*.txt filter=mark\n");
        Cli.write(repo.resolve("a.txt"), "a\n");
        git(repo, "add", ".gitattributes", "a.txt");
        git(repo, "commit", "-q", "-m", "a filtered file");
        Path spec = Cli.write(tmp.resolve("w.yaml"), """
                repo: %s
                tickets:
                  - id: wfail
                    workspace: worktree
                    run: exit 2
                """.formatted(repo));
        String st = tmp.resolve("state").toString();
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", st);
        assertThat(r.code()).as("%s", r).isEqualTo(1);
        String run = runId(r);
        Path worktree = tmp.resolve("state").resolve("runs").resolve(run).resolve("worktrees").resolve("wfail");
        // your configuration (set after the run, which needs none of it): a clean filter that says it ran, a driver
        // whose name needs quoting, and an fsmonitor that says it ran
        git(repo, "config", "filter.mark.clean", "touch '" + cleaned + "'; cat");
        git(repo, "config", "filter.mark.required", "true");
        git(repo, "config", "filter.other one.process", "touch '" + processed + "'; exit 1");
        Path fsmonitor = Cli.write(tmp.resolve("fsmonitor.sh"), "#!/bin/sh\ntouch '" + monitored + "'\nexit 1\n");
        fsmonitor.toFile().setExecutable(true);
        git(repo, "config", "core.fsmonitor", fsmonitor.toString());
        // what the ticket could have left: a file of the same size, an older time, so that git must read it to compare
        Files.writeString(worktree.resolve("a.txt"), "b\n");
        Files.setLastModifiedTime(worktree.resolve("a.txt"), FileTime.fromMillis(1_000_000_000_000L));

        Result status = swarm("status", run, "wfail", "--state-dir", st);
        assertThat(status.code()).as("%s", status).isZero();
        Matcher m = Pattern.compile("kept: `([^`]*)` shows it without running your filter drivers or fsmonitor").matcher(status.out());
        assertThat(m.find()).as("%s", status).isTrue();
        String command = m.group(1);
        assertThat(command).startsWith("git -C " + worktree + " -c core.fsmonitor=false ")
                .contains(" -c filter.mark.clean= -c filter.mark.process= -c filter.mark.required=false ")
                .contains(" -c 'filter.other one.clean=' -c 'filter.other one.process=' -c 'filter.other one.required=false' ")
                .endsWith(" status --no-renames");

        Sh safe = sh(command);
        assertThat(safe.code()).as("%s", safe.out()).isZero();
        assertThat(safe.out()).contains("a.txt");
        assertThat(cleaned).as("the clean filter did not run").doesNotExist();
        assertThat(processed).as("the process filter did not run").doesNotExist();
        assertThat(monitored).as("the fsmonitor did not run").doesNotExist();

        // the control: a plain git status there runs both (so the check above checks something)
        sh("git -C '" + worktree + "' status");
        assertThat(cleaned).as("a plain git status runs the clean filter").exists();
        assertThat(monitored).as("a plain git status runs the fsmonitor").exists();
    }

    private record Sh(int code, String out) {}

    private static Sh sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Sh(p.exitValue(), out);
    }
}
