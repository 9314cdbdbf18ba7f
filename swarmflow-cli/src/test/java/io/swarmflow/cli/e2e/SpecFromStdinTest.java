package io.swarmflow.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.swarmflow.cli.SwarmCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spec read from standard input ({@code swarm run -}, {@code /dev/stdin}) or a process substitution ({@code <(...)}):
 * it has no directory of its own, so the working directory's repository is the default {@code repo}. A separate
 * process, for its own working directory and standard input.
 */
class SpecFromStdinTest {
    @TempDir
    Path tmp;

    private static final String SPEC = """
            tickets:
              - id: fix
                workspace: worktree
                run: echo fixed > fixed.txt
            """;

    @Test
    void validateAndRunReadTheSpecFromStandardInputWithTheWorkingDirectorysRepository() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));

        String[] validated = swarmIn(repo, SPEC, "validate", "-");
        assertThat(validated[0]).as(validated[1]).isEqualTo("0");
        assertThat(validated[1]).contains("/dev/stdin: ok: swarm 'stdin', ", "repo " + repo.toRealPath()).doesNotContain("reading the spec");
        String[] invalid = swarmIn(repo, SPEC + "    neds: [x]\n", "validate", "-");
        assertThat(invalid[0]).as(invalid[1]).isEqualTo("2");
        assertThat(invalid[1]).as("named as the ok line names it").contains("/dev/stdin:5:5: unknown key 'neds'");

        String[] ran = swarmIn(repo, SPEC, "run", "/dev/stdin", "--plain", "--state-dir", tmp.resolve("state").toString());
        assertThat(ran[0]).as(ran[1]).isEqualTo("0");
        assertThat(Cli.git(repo, "branch", "--list", "swarm/*")).contains("/fix");
    }

    @Test
    void aProcessSubstitutionIsReadTheSameWay() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        Path spec = Cli.write(tmp.resolve("elsewhere/spec.yaml"), SPEC);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("bash", "-c", "exec \"$0\" -cp \"$1\" \"$2\" validate <(cat \"$3\")", java,
                System.getProperty("java.class.path"), SwarmCli.class.getName(), spec.toString())
                .directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("/dev/fd/", ": ok:", "repo " + repo.toRealPath()).doesNotContain("named pipe");
        // named as `swarm validate -` names it, not after the descriptor the shell picked (/dev/fd/63: swarm '63')
        assertThat(out).contains(": ok: swarm 'stdin', ");
    }

    /** `swarm run -` typed on a terminal by mistake looked hung: it says it waits for the spec, and how to end it. */
    @Test
    void onATerminalItSaysItWaitsForTheSpecAndHowToEndIt() throws Exception {
        Path repo = Cli.gitRepo(tmp.resolve("repo"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // script -q -e -c CMD FILE (util-linux): runs CMD on a new pty, to which it copies its own standard input
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", "exec \"$SWARM_JAVA\" --enable-native-access=ALL-UNNAMED -cp \"$SWARM_CP\" "
                + SwarmCli.class.getName() + " validate -", "/dev/null").directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().put("SWARM_JAVA", java);
        pb.environment().put("SWARM_CP", System.getProperty("java.class.path"));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write((SPEC + "\u0004").getBytes(StandardCharsets.UTF_8)); // Ctrl-D at the start of a line: the end of input
            in.flush();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("swarm: reading the spec from standard input, a terminal: type or paste it, then press "
                    + "Ctrl-D on a line of its own (Ctrl-C to stop); or give a file, as in `swarm validate swarm.yaml`", "/dev/stdin: ok:");
        }
    }

    /** Exit code and output (stdout and stderr) of the CLI run in {@code cwd} with {@code stdin} as its standard input. */
    private static String[] swarmIn(Path cwd, String stdin, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), SwarmCli.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new String[] {String.valueOf(p.exitValue()), out};
    }
}
