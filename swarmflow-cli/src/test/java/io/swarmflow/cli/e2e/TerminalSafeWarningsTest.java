package io.swarmflow.cli.e2e;

import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A warning about an attempt carries text the ticket chose (here the name of a nested repository it made in its
 * worktree); swarm prints it with its control characters made visible, as it prints the ticket's output, so a ticket
 * cannot set the clipboard (OSC 52), the window title (OSC 0) or send a C1 CSI through swarm's own warnings.
 */
class TerminalSafeWarningsTest {
    @TempDir
    Path tmp;

    @Test
    void aNestedRepositoryNamedWithEscapeSequencesIsNamedInCaretNotation() {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(tmp.resolve("nest.yaml"), """
                repo: %s
                tickets:
                  - id: nest
                    workspace: worktree
                    run: |
                      d=$(printf 'Z\\033]52;c;cHduZWQ=\\007W\\033]0;TITLE\\007\\302\\2332J')
                      mkdir "$d" && cd "$d" && git init -q && echo v > v.txt && git add v.txt
                      git -c user.name=t -c user.email=t@t commit -q -m "only in the worktree"
                """.formatted(repo));
        Result r = swarm("run", spec.toString(), "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).contains("ticket nest: the commit on swarm/")
                .contains("Z^[]52;c;cHduZWQ=^GW^[]0;TITLE^G\\x9b2J");
        assertThat(r.err() + r.out()).as("no raw ESC, BEL or C1 CSI reaches the terminal")
                .doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u009b");
    }

    /**
     * A reason the plan cannot run here names what the spec chose (here its {@code repo:}, a directory whose name holds
     * an OSC 0 sequence): shown escaped, as a spec error is.
     */
    @Test
    void aPreflightProblemNamingASpecChosenPathIsEscaped() throws Exception {
        Path repo = java.nio.file.Files.createDirectories(tmp.resolve("r\u001b]0;TITLE\u0007"));
        Cli.git(repo, "init", "-q", "-b", "main");
        Path spec = Cli.write(tmp.resolve("empty.yaml"), """
                repo: "%s"
                tickets:
                  - id: w
                    workspace: worktree
                    run: "true"
                """.formatted(tmp + "/r\\e]0;TITLE\\a"));
        Result r = swarm("validate", spec.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains("has no commit yet").contains("r\\u001B]0;TITLE\\u0007")
                .doesNotContain("\u001b").doesNotContain("\u0007");
    }
}
