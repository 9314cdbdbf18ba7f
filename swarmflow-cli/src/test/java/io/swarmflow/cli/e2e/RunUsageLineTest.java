package io.swarmflow.cli.e2e;

import org.junit.jupiter.api.Test;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The usage lines of {@code swarm run} and {@code swarm resume} read as every other command's: one bracket per optional
 * option. Their shared options were an argument group, which picocli wrote as a group in brackets
 * ({@code [[--fail-fast] [--auto-approve] [--plain] [--quiet] [--grace=SECONDS]]}), and whose option given twice was
 * refused as "expected only one match but got [[--fail-fast] ...]={--grace=1} and ...". docs/cli.md shows the same
 * lines (CliReferenceTest).
 */
class RunUsageLineTest {
    @Test
    void runAndResumeHaveNoNestedBracketsInTheirUsageLines() {
        for (String command : new String[] {"run", "resume"}) {
            Cli.Result r = swarm(command, "--help");
            assertThat(r.code()).as("%s", r).isZero();
            String usage = r.out().substring(0, r.out().indexOf('\n'));
            String synopsis = r.out().substring(0, r.out().indexOf("\n" + (command.equals("run") ? "Validates" : "Continues")))
                    .replaceAll("\\s+", " ");
            assertThat(usage).startsWith("Usage: swarm " + command + " [-hV]");
            assertThat(synopsis).doesNotContain("[[", "]]")
                    .contains("[--auto-approve] [--fail-fast] [--no-network] [--plain] [--quiet] "
                            + (command.equals("resume") ? "[--take-over] " : "") + "[--grace=SECONDS] "
                            + "[--sandbox=required|best-effort] [--state-dir=DIR] [--allow-env=NAME,...]...")
                    .endsWith(command.equals("run") ? " [--var=KEY=VALUE]... SPEC" : " RUN");
        }
    }

    @Test
    void anOptionOfRunGivenTwiceIsRefusedInWords() {
        Cli.Result r = swarm("run", "--grace", "1", "--grace", "2", "spec.yaml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("option '--grace' (SECONDS) should be specified only once").doesNotContain("expected only one match");
        Cli.Result resume = swarm("resume", "--fail-fast", "--fail-fast", "R");
        assertThat(resume.code()).isEqualTo(2);
        assertThat(resume.err()).contains("option '--fail-fast' should be specified only once").doesNotContain("[[");
    }
}
