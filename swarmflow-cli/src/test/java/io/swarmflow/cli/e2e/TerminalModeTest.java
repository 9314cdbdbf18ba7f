package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README: on a terminal {@code run} shows the live view; in CI or when piped, plain timestamped lines. A child JVM
 * runs {@code swarm run} on a real pseudo-terminal made by util-linux's {@code script}, or on a pipe.
 */
class TerminalModeTest {
    @TempDir
    Path tmp;

    @Test
    void onATerminalRunDrawsTheLiveView() throws Exception {
        String out = run(true, Map.of("TERM", "xterm"));
        assertThat(out).contains("\033[?7l", "[##############################] 2/2", "run succeeded")
                .doesNotContainPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  run started");
    }

    @Test
    void pipedInCiOrOnADumbTerminalRunPrintsPlainTimestampedLines() throws Exception {
        for (String out : List.of(run(false, Map.of("TERM", "xterm")), run(true, Map.of("TERM", "xterm", "CI", "true")),
                run(true, Map.of("TERM", "dumb")))) {
            assertThat(out).containsPattern("(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  run started")
                    .contains("✓ b succeeded").doesNotContain("\033[?7l", "[####");
        }
    }

    @Test
    void onATerminalLogsShowsATicketsControlCharactersAndALoneCrAsALineEndPipedItPrintsTheBytesAsWritten() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "logs");
        // the clipboard (OSC 52), the window title, a hyperlink, clearing the screen, a C1 CSI, a bidi override
        Path spec = Cli.write(dir.resolve("s.yaml"), "name: tty\ntickets:\n  - id: a\n    run: |\n"
                + "      printf 'x\\033]52;c;aGk=\\007 \\033]0;T\\007 \\033]8;;http://e\\033\\\\l \\033[2J \\302\\233 \\342\\200\\256y\\n'\n"
                // a progress bar: each state ends with a lone CR
                + "  - id: bar\n    run: printf '\\r 10%%\\r 20%%\\r100%%\\r\\ndone\\n'\n");
        String state = dir.resolve("state").toString();
        Cli.Result run = Cli.swarm("run", spec.toString(), "--state-dir", state);
        assertThat(run.code()).as(run.toString()).isZero();
        String runId;
        try (var runs = Files.list(dir.resolve("state").resolve("runs"))) {
            runId = runs.findFirst().orElseThrow().getFileName().toString();
        }

        String onTerminal = swarm(true, Map.of("TERM", "xterm"), "logs", runId, "a", "--state-dir", state);
        assertThat(onTerminal).contains("x^[]52;c;aGk=^G ^[]0;T^G ^[]8;;http://e^[\\l ^[[2J \\x9b \\u202ey")
                .doesNotContain("\033", "\u009b", "\u202e");
        // standard output a terminal, standard input not (the JDK's Console then says no terminal)
        String inputRedirected = swarm(true, Map.of("TERM", "xterm", NO_INPUT, "1"), "logs", runId, "a", "--state-dir", state);
        assertThat(inputRedirected).contains("x^[]52;c;aGk=^G").doesNotContain("\033", "\u009b", "\u202e");
        String piped = swarm(false, Map.of(), "logs", runId, "a", "--state-dir", state);
        assertThat(piped).isEqualTo("x\033]52;c;aGk=\007 \033]0;T\007 \033]8;;http://e\033\\l \033[2J \u009b \u202ey\n");

        // a lone CR ends a line (it showed as ^M, the states of the bar run together); the pty turns LF into CRLF
        String bar = swarm(true, Map.of("TERM", "xterm"), "logs", runId, "bar", "--state-dir", state);
        assertThat(bar).isEqualTo(" 10%\r\n 20%\r\n100%\r\r\ndone\r\n");
        assertThat(swarm(false, Map.of(), "logs", runId, "bar", "--state-dir", state)).isEqualTo("\r 10%\r 20%\r100%\r\ndone\n");
    }

    /** Runs a two-ticket spec in a child JVM, on a pty ({@code script}) or a pipe; returns everything it printed. */
    private String run(boolean terminal, Map<String, String> env) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "run");
        Path spec = Cli.write(dir.resolve("s.yaml"), "name: tty\ntickets:\n  - {id: a, run: echo a}\n  - {id: b, needs: [a], run: echo b}\n");
        return swarm(terminal, env, "run", spec.toString(), "--state-dir", dir.resolve("state").toString());
    }

    /** In {@link #swarm}'s env: on the pty, standard input is {@code /dev/null}. */
    private static final String NO_INPUT = "SWARM_TEST_NO_INPUT";

    /** Runs {@code swarm ARGS} in a child JVM, on a pty ({@code script}) or a pipe; returns everything it printed. */
    private String swarm(boolean terminal, Map<String, String> env, String... args) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> swarm = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SwarmCli.class.getName()));
        swarm.addAll(List.of(args));
        List<String> cmd = new ArrayList<>();
        if (terminal) {
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux's script is not installed");
            // script -q -e -c CMD FILE: runs CMD on a new pty, copies what it prints to our stdout (and FILE)
            cmd.addAll(List.of("/usr/bin/script", "-q", "-e", "-c", shellQuote(swarm) + (env.containsKey(NO_INPUT) ? " < /dev/null" : ""),
                    "/dev/null"));
        } else {
            cmd.addAll(swarm);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().remove("CI");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String shellQuote(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) sb.append(sb.isEmpty() ? "" : " ").append('\'').append(a.replace("'", "'\\''")).append('\'');
        return sb.toString();
    }
}
