package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.swarmflow.cli.e2e.Cli.git;
import static io.swarmflow.cli.e2e.Cli.swarm;
import static io.swarmflow.cli.e2e.CliEndToEndTest.runId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code git status} that {@code swarm status RUN TICKET} suggests for a failed worktree ticket runs none of the
 * user's filter drivers (git-lfs's {@code clean}) on what the ticket wrote, nor its {@code core.fsmonitor}, nor a hook
 * ({@code post-index-change}): a plain {@code git status} there does (docs/sandbox.md). When a driver cannot be named
 * on a command line, no command is suggested (when the drivers cannot be listed in time, neither:
 * {@code GitWorktreesFilterDriversTest}).
 */
class StatusGitHintRunsNoFilterTest {
    @TempDir
    Path tmp;

    /** A failed worktree ticket's run, its worktree and the state directory. */
    private record Failed(Path repo, String run, Path worktree, String stateDir) {}

    /**
     * A failed worktree ticket of a repository whose committed {@code .gitattributes} sends {@code *.txt} through driver
     * {@code mark} and {@code e.dat} through the driver with the empty name ({@code filter=}).
     */
    private Failed failedTicket() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Cli.write(repo.resolve(".gitattributes"), "*.txt filter=mark\ne.dat filter=\n");
        Cli.write(repo.resolve("a.txt"), "a\n");
        Cli.write(repo.resolve("e.dat"), "e\n");
        git(repo, "add", ".gitattributes", "a.txt", "e.dat");
        git(repo, "commit", "-q", "-m", "filtered files");
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
        return new Failed(repo, run, tmp.resolve("state").resolve("runs").resolve(run).resolve("worktrees").resolve("wfail"), st);
    }

    @Test
    void theSuggestedGitStatusRunsNoFilterDriverNorHookNorFsmonitor() throws Exception {
        Failed f = failedTicket();
        Path repo = f.repo();
        Path worktree = f.worktree();
        Path cleaned = tmp.resolve("clean-ran");
        Path processed = tmp.resolve("process-ran");
        Path emptyCleaned = tmp.resolve("empty-name-clean-ran");
        Path monitored = tmp.resolve("fsmonitor-ran");
        Path hooked = tmp.resolve("hook-ran");
        // your configuration (set after the run, which needs none of it): a clean filter that says it ran, a driver
        // whose name needs quoting, one whose name is empty ([filter ""]), an fsmonitor and a hook that say they ran
        git(repo, "config", "filter.mark.clean", "touch '" + cleaned + "'; cat");
        git(repo, "config", "filter.mark.required", "true");
        git(repo, "config", "filter.other one.process", "touch '" + processed + "'; exit 1");
        git(repo, "config", "filter..clean", "touch '" + emptyCleaned + "'; cat");
        Path fsmonitor = Cli.write(tmp.resolve("fsmonitor.sh"), "#!/bin/sh\ntouch '" + monitored + "'\nexit 1\n");
        fsmonitor.toFile().setExecutable(true);
        git(repo, "config", "core.fsmonitor", fsmonitor.toString());
        Path hook = Cli.write(repo.resolve(".git/hooks/post-index-change"), "#!/bin/sh\ntouch '" + hooked + "'\n");
        hook.toFile().setExecutable(true);
        // what the ticket could have left: files of the same size, an older time, so that git must read them to compare,
        // and a file it touched but left as it was, whose new time a git status writes to the index
        Files.writeString(worktree.resolve("a.txt"), "b\n");
        Files.setLastModifiedTime(worktree.resolve("a.txt"), FileTime.fromMillis(1_000_000_000_000L));
        Files.writeString(worktree.resolve("e.dat"), "f\n");
        Files.setLastModifiedTime(worktree.resolve("e.dat"), FileTime.fromMillis(1_000_000_000_000L));
        Files.setLastModifiedTime(worktree.resolve("README.md"), FileTime.fromMillis(1_100_000_000_000L));

        Result status = swarm("status", f.run(), "wfail", "--state-dir", f.stateDir());
        assertThat(status.code()).as("%s", status).isZero();
        Matcher m = Pattern.compile("kept: `([^`]*)` shows it without running your filter drivers, hooks or fsmonitor")
                .matcher(status.out());
        assertThat(m.find()).as("%s", status).isTrue();
        String command = m.group(1);
        assertThat(command).startsWith("git -C " + worktree + " --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null ")
                .contains(" -c filter.mark.clean= -c filter.mark.process= -c filter.mark.required=false ")
                .contains(" -c 'filter.other one.clean=' -c 'filter.other one.process=' -c 'filter.other one.required=false' ")
                .contains(" -c filter..clean= -c filter..process= -c filter..required=false ")
                .endsWith(" status --no-renames");

        Sh safe = sh(command);
        assertThat(safe.code()).as("%s", safe.out()).isZero();
        assertThat(safe.out()).contains("a.txt", "e.dat");
        assertThat(cleaned).as("the clean filter did not run").doesNotExist();
        assertThat(processed).as("the process filter did not run").doesNotExist();
        assertThat(emptyCleaned).as("the clean filter of the driver named '' did not run").doesNotExist();
        assertThat(monitored).as("the fsmonitor did not run").doesNotExist();
        assertThat(hooked).as("the post-index-change hook did not run").doesNotExist();

        // the control: a plain git status there runs them (so the checks above check something)
        sh("git -C '" + worktree + "' status");
        assertThat(cleaned).as("a plain git status runs the clean filter").exists();
        assertThat(emptyCleaned).as("a plain git status runs the clean filter of the driver named ''").exists();
        assertThat(monitored).as("a plain git status runs the fsmonitor").exists();
        assertThat(hooked).as("a plain git status runs the post-index-change hook").exists();
    }

    /**
     * A driver whose name {@code git -c} cannot name ({@code a=b}: git cuts {@code -c} at the first {@code =}), or that
     * the printed line would name otherwise than git does (a tab, shown as a space; a byte that is not UTF-8): no command,
     * and why. Each given as the hex of the bytes of its name in the config file.
     */
    @ParameterizedTest
    @ValueSource(strings = {"613d62", "610962", "e9"})
    void aDriverTheCommandCannotNameGivesNoCommand(String nameHex) throws Exception {
        Failed f = failedTicket();
        byte[] name = HexFormat.of().parseHex(nameHex);
        Path cleaned = tmp.resolve("clean-ran");
        Files.write(f.repo().resolve(".git/config"), concat(("[filter \"").getBytes(StandardCharsets.US_ASCII), name,
                ("\"]\n\tclean = touch '" + cleaned + "'; cat\n").getBytes(StandardCharsets.UTF_8)), StandardOpenOption.APPEND);
        // the ticket's attributes select it
        Files.write(f.worktree().resolve(".gitattributes"), concat("a.txt filter=".getBytes(StandardCharsets.US_ASCII), name,
                "\n".getBytes(StandardCharsets.US_ASCII)));

        Result status = swarm("status", f.run(), "wfail", "--state-dir", f.stateDir());
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).as("%s", status).doesNotContain("kept: `")
                .contains("what its last attempt left there is kept, but your git configuration defines a filter driver named '")
                .contains("do not run git there before you have renamed it")
                .contains("`swarm clean " + f.run() + "` removes it");
        if (nameHex.equals("613d62")) assertThat(status.out()).contains("named 'a=b'", "'='");
        assertThat(cleaned).doesNotExist();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    private record Sh(int code, String out) {}

    private static Sh sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Sh(p.exitValue(), out);
    }
}
