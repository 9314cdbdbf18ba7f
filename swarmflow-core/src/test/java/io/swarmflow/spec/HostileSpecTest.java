package io.swarmflow.spec;

import static io.swarmflow.spec.SpecFiles.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specs written to hurt the loader (huge graphs, odd numbers, control characters) get ordinary errors, quickly. */
class HostileSpecTest {
    @TempDir
    Path dir;

    @Test
    void manyOverlappingCyclesAreOneErrorWithOneExampleCycle() {
        // t0 -> t1 -> ... -> t2999, and each ticket also needs t0: 2,999 cycles sharing tickets, ~4.5 million ids long
        int n = 3000;
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < n - 1; i++) {
            yaml.append("  - {id: t").append(i).append(", needs: [t").append(i + 1).append(i > 0 ? ", t0" : "").append("]}\n");
        }
        yaml.append("  - {id: t").append(n - 1).append(", needs: [t0]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).containsExactly("swarm.yaml:3:5: dependency cycles among 3,000 tickets (t0, t1, t2, t3, t4, t5, t6, "
                + "t7, t8, t9 and 2,990 more), for example t0 -> t1 -> t0; "
                + "remove needs until none of these tickets needs itself, directly or through others");
    }

    @Test
    void aLongCycleIsShortenedInTheMiddle() {
        int n = 20_000;
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < n; i++) yaml.append("  - {id: t").append(i).append(", needs: [t").append((i + 1) % n).append("]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).containsExactly("swarm.yaml:3:5: dependency cycle: t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 "
                + "-> t8 -> t9 -> (19,989 more) -> t19999 -> t0; remove one of these needs");
    }

    @Test
    void eachGroupOfTicketsInACycleIsOneError() throws Exception {
        assertThat(errors(dir, """
                defaults: {agent: noop}
                tickets:
                  - {id: a, needs: [b]}
                  - {id: b, needs: [a, c]}
                  - {id: c, needs: [a]}
                  - {id: d, needs: [a]}
                  - {id: e, needs: [f]}
                  - {id: f, needs: [e]}
                """)).containsExactly(
                "swarm.yaml:3:5: dependency cycles among 3 tickets (a, b, c), for example a -> b -> a; "
                        + "remove needs until none of these tickets needs itself, directly or through others",
                "swarm.yaml:7:5: dependency cycle: e -> f -> e; remove one of these needs");
    }

    /** A ticket whose matrix has {@code 10 x 10 x 10} values: 1,000 expansions in one line. */
    private static String thousandFold(String id, String needs) {
        String ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
        return "  - {id: " + id + ", matrix: {a: " + ten + ", b: " + ten + ", c: " + ten + "}" + needs + "}\n";
    }

    @Test
    void moreThanAHundredThousandTicketsAfterExpansionAreRefused() {
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < 101; i++) yaml.append(thousandFold("m" + i, ""));
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).containsExactly("swarm.yaml:103:10: the spec has 101,000 tickets after matrix expansion, more than "
                + "the limit of 100,000; this ticket passes it; split the swarm into several specs, or use fewer matrix values");
    }

    @Test
    void moreThanTwoMillionDependenciesAfterExpansionAreRefused() {
        // each matrix needing the previous one: 1,000 x 1,000 dependencies per pair
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n").append(thousandFold("m0", ""));
        for (int i = 1; i < 4; i++) yaml.append(thousandFold("m" + i, ", needs: [m" + (i - 1) + "]"));
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).singleElement().asString().startsWith("swarm.yaml:6:137: the spec has 3,000,000 dependencies after "
                + "matrix expansion, more than the limit of 2,000,000; the needs of this ticket pass it; a ticket needing a "
                + "matrix ticket depends on each of its expansions");
    }

    @Test
    void outputReferencesOfManyExpansionsAreCheckedInLittleMemory() throws Exception {
        // 98,000 expansions each read an output of m0-0-0-0, which they need through m1-0-0-0
        StringBuilder yaml = new StringBuilder("tickets:\n")
                .append(thousandFold("m0", ", run: x, outputs: {x: {json: x}}"))
                .append(thousandFold("m1", ", needs: [m0], run: x"));
        for (int i = 2; i < 100; i++) {
            yaml.append(thousandFold("m" + i, ", needs: [m1-0-0-0], run: 'echo ${{ tickets.m0-0-0-0.outputs.x }}'"));
        }
        Path file = SpecFiles.write(dir, "swarm.yaml", yaml.toString());
        // one ancestor set per expansion took 98,000 x 12.5 KB = 1.2 GB
        assertThat(loadInSmallHeap(file)).isEqualTo("100000 tickets");
    }

    @Test
    void aFileEndingInsideAnEscapeSequenceIsASyntaxError() throws Exception {
        // SnakeYAML throws NumberFormatException for the missing hexadecimal digits
        assertThat(errors(dir, "tickets:\n  - id: a\n    run: \"echo \\x")).containsExactly(
                "swarm.yaml:3:18: YAML syntax error: the file ends inside an escape sequence of a quoted string; "
                        + "complete the escape sequence (such as \\x41 or \\u0041) and close the quote");
    }

    @Test
    void anAgentKindWithoutAValueIsAnError() throws Exception {
        assertThat(errors(dir, """
                agents:
                  x:
                    kind:
                  y: {kind: ~}
                tickets:
                  - {id: a, agent: x}
                  - {id: b, agent: y}
                """)).containsExactly(
                "swarm.yaml:3:5: agent profile 'x' has an empty 'kind'; write kind: shell or kind: noop",
                "swarm.yaml:4:7: agent profile 'y' has an empty 'kind'; write kind: shell or kind: noop");
    }

    @Test
    void aNulCharacterInAnyTextIsAnError() throws Exception {
        String nul = "a NUL character (written \\0, \\x00 or \\u0000) cannot be passed to a process, in a script, an "
                + "argument or the environment; remove it; write it with printf '\\0' in the script if it needs one";
        Path file = SpecFiles.write(dir, "swarm.yaml", """
                vars: {v: "a\\x00b"}
                agents:
                  p: {kind: shell, env: {P: "\\u0000"}}
                tickets:
                  - id: a
                    run: "echo \\0"
                    env: {A: "x\\0y"}
                  - {id: b, agent: p, run: "true", title: "\\0"}
                """);
        assertThat(errors(file, java.util.Map.of("v", "x\0y"))).containsExactly(
                "swarm.yaml: --var v holds a NUL character, which cannot be passed to a process; remove it from the value",
                "swarm.yaml:1:11: " + nul,
                "swarm.yaml:3:29: " + nul,
                "swarm.yaml:6:10: " + nul,
                "swarm.yaml:7:14: " + nul,
                "swarm.yaml:8:43: " + nul);
    }

    @Test
    void scriptsAndEnvironmentsTooLargeToStartAProcessAreRefused() throws Exception {
        String big = "x".repeat(100 * 1024);
        assertThat(errors(dir, """
                vars: {big: %s}
                tickets:
                  - {id: fits, run: "%s"}
                  - {id: long, run: "%s"}
                  - {id: twice, run: "echo ${{ vars.big }} ${{ vars.big }}"}
                  - {id: env, run: "true", env: {V: "${{ vars.big }}${{ vars.big }}"}}
                  - id: all
                    run: "true"
                    env: {A: "${{ vars.big }}", B: "${{ vars.big }}", C: "${{ vars.big }}", D: "${{ vars.big }}",
                          E: "${{ vars.big }}", F: "${{ vars.big }}", G: "${{ vars.big }}", H: "${{ vars.big }}",
                          I: "${{ vars.big }}", J: "${{ vars.big }}", K: "${{ vars.big }}"}
                  - {id: idle, agent: noop, run: "${{ vars.big }}${{ vars.big }}"}
                """.formatted(big, "y".repeat(SpecLoader.MAX_SCRIPT_BYTES), "y".repeat(SpecLoader.MAX_SCRIPT_BYTES + 1))))
                .containsExactly(
                        "swarm.yaml:4:21: the script of ticket 'long' is 130,049 bytes; the limit is 130,048 bytes (127 KiB) "
                                + "(it reaches bash in one environment variable, and Linux passes at most 128 KiB in one); put the script in a file in the repository and run that file",
                        "swarm.yaml:5:22: the script of ticket 'twice' is 200.0 KiB; the limit is 127.0 KiB (it reaches bash in one "
                                + "environment variable, and Linux passes at most 128 KiB in one); put the script in a file in the repository and run that file",
                        "swarm.yaml:6:37: environment variable V of ticket 'env' is 200.0 KiB; the limit is 127.0 KiB (Linux passes "
                                + "at most 128 KiB in one variable); put the value in a file and pass its path",
                        "swarm.yaml:7:5: the script and environment of ticket 'all' are 1.1 MiB; the limit is 1.0 MiB in all (Linux "
                                + "passes about 2 MiB of arguments and environment, part of it the launcher's); put large scripts and "
                                + "values in files",
                        // a noop ticket's run starts no process: refused as written, not as too large
                        "swarm.yaml:12:34: ticket 'idle' has a run, but noop agents run nothing; remove run:, or use agent: shell");
    }

    @Test
    void oddNumbersAndWrongTypesSayWhereWhatAndHowToFix() throws Exception {
        assertThat(errors(dir, """
                concurrency: 99999999999999999999
                tickets:
                  - {id: a, agent: noop, priority: 0x, retries: {max: 1e999, backoff: {multiplier: .nan}}}
                  - {id: b, agent: noop, priority: -99999999999999999999, retries: {backoff: {multiplier: 1e999}}}
                  - {id: c, agent: noop, when: [x], kind: shell, network: 1}
                """)).containsExactly(
                "swarm.yaml:1:14: 'concurrency' is too large: 99999999999999999999; use at most 2147483647",
                "swarm.yaml:3:36: 'priority' must be an integer, not a string ('0x'); write a whole number in decimal digits, such as 2",
                "swarm.yaml:3:55: 'max' must be an integer, not a number (1e999); write a whole number in decimal digits, such as 2",
                "swarm.yaml:3:84: 'multiplier' must be a finite number, not .nan; write a number such as 2 or 1.5",
                "swarm.yaml:4:36: 'priority' is too small: -99999999999999999999; use -2147483648 or more",
                "swarm.yaml:4:91: 'multiplier' is too large: 1e999; write a number such as 2 or 1.5",
                "swarm.yaml:5:32: 'when' must be one of success, failure, always, not a list; write when: success",
                "swarm.yaml:5:37: 'kind' belongs to an agent profile, not a ticket; set it under agents: (or defaults: for sandbox "
                        + "and limits)",
                "swarm.yaml:5:59: 'network' must be true or false, not a number (1); write network: true or network: false");
    }

    @Test
    void controlCharactersQuotedInErrorsAreEscaped() throws Exception {
        assertThat(errors(dir, """
                tickets:
                  - {id: "a\\e[2J", run: "true"}
                  - {id: b, agent: "x\\u202Ey\\x9b", run: "true", priority: "1\\n2\\t3\\r"}
                  - {id: c, run: "true", "\\e]0;title\\a": 1}
                """)).containsExactly(
                "swarm.yaml:2:10: invalid ticket id 'a\\u001B[2J'; use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit",
                "swarm.yaml:3:20: unknown agent 'x\\u202Ey\\u009B'; declare it under agents: or use shell or noop",
                "swarm.yaml:3:59: 'priority' must be an integer, not a string ('1\\n2\\t3\\r'); write a whole number in decimal "
                        + "digits, such as 2",
                "swarm.yaml:4:26: unknown key '\\u001B]0;title\\u0007' in a ticket; allowed keys: id, title, needs, agent, run, "
                        + "env, timeout, retries, priority, when, approval, workspace, network, outputs, matrix, duration");
    }

    @Test
    void printableEscapesWhatATerminalWouldObey() {
        assertThat(SpecError.printable("plain, é, ✓, 😀")).isEqualTo("plain, é, ✓, 😀");
        assertThat(SpecError.printable("\u0000\u0007\b\t\n\u000B\f\r\u001B\u007F\u0085\u009B\u2028\u200F\u202E\u2066"))
                .isEqualTo("\\u0000\\u0007\\u0008\\t\\n\\u000B\\u000C\\r\\u001B\\u007F\\u0085\\u009B\\u2028\\u200F\\u202E\\u2066");
    }

    @Test
    void thousandsOfUnknownNeedsAreReportedQuickly() {
        // each unknown need is compared with every ticket id for a did-you-mean: 20,000 x 20,000 took minutes
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n  - {id: ticket0, needs: [tickt1]}\n");
        for (int i = 1; i < 20_000; i++) yaml.append("  - {id: ticket").append(i).append(", needs: [nope").append(i).append("]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> errors(dir, yaml.toString()));
        assertThat(errors).hasSize(201).startsWith(
                "swarm.yaml:3:27: ticket 'ticket0' needs 'tickt1', which is not a ticket; did you mean 'ticket1'?",
                "swarm.yaml:4:27: ticket 'ticket1' needs 'nope1', which is not a ticket; check the id, or add a ticket with that id");
    }

    @Test
    void manyNeedsAmongManyBrokenMatricesAreCheckedQuickly() {
        // each unknown need was compared with every broken matrix, whose expansions it could name: 60,000 x 12,000
        StringBuilder yaml = new StringBuilder("defaults: {agent: noop}\ntickets:\n");
        for (int i = 0; i < 12_000; i++) yaml.append("  - {id: m").append(i).append(", matrix: {}}\n");
        yaml.append("  - {id: z, needs: [m5-a, ").append(IntStream.range(0, 60_000).mapToObj(i -> "q" + i).collect(Collectors.joining(", ")))
                .append("]}\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> errors(dir, yaml.toString()));
        assertThat(errors).hasSize(201).startsWith(
                "swarm.yaml:3:22: 'matrix' is empty; give it a key with a list of values, such as os: [linux, mac], or remove it");
        assertThat(String.join("\n", errors)).doesNotContain("'m5-a'");
    }

    @Test
    void aTextWithThousandsOfBadReferencesIsReportedQuickly() {
        // each reference was located by scanning the text again, and each incomplete one by searching the rest of it
        String script = IntStream.range(0, 25_000).mapToObj(i -> "${{ run.idx }}").collect(Collectors.joining(" "))
                + " " + IntStream.range(0, 25_000).mapToObj(i -> "${{ x").collect(Collectors.joining(" "));
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(15),
                () -> errors(dir, "tickets:\n  - id: a\n    agent: noop\n    title: \"" + script + "\"\n"));
        assertThat(errors).hasSize(201).startsWith(
                "swarm.yaml:4:13: unknown reference '${{ run.idx }}'; did you mean '${{ run.id }}'?",
                "swarm.yaml:4:28: unknown reference '${{ run.idx }}'; did you mean '${{ run.id }}'?");
    }

    @Test
    void thousandsOfUnknownVariablesAmongThousandsOfVariablesAreReportedQuickly() {
        // each unknown variable was compared with every variable for a did-you-mean: 25,000 x 25,000 took minutes
        StringBuilder yaml = new StringBuilder("vars:\n");
        for (int i = 0; i < 25_000; i++) yaml.append("  v").append(i).append(": x\n");
        yaml.append("tickets:\n  - id: a\n    agent: noop\n    title: \"")
                .append(IntStream.range(0, 25_000).mapToObj(i -> "${{ vars.w" + i + " }}").collect(Collectors.joining(" "))).append("\"\n");
        List<String> errors = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> errors(dir, yaml.toString()));
        assertThat(errors).hasSize(201).startsWith(
                "swarm.yaml:25005:13: unknown variable 'w0' in '${{ vars.w0 }}'; did you mean 'v0'?");
    }

    @Test
    void environmentVariableNamesAProcessCannotBeGivenAreRefusedWhereWritten() throws Exception {
        assertThat(errors(dir, """
                agents:
                  p: {kind: shell, env: {"A=B": x}}
                defaults: {env: {"": x}}
                tickets:
                  - {id: a, agent: p, run: "true", env: {"1X": x, "X Y": y, "X\\tY": z}}
                """)).containsExactly(
                "swarm.yaml:2:26: invalid environment variable name 'A=B'; use 1-128 characters of letters, digits and '_', starting with a letter or '_'",
                "swarm.yaml:3:18: invalid environment variable name ''; use 1-128 characters of letters, digits and '_', starting with a letter or '_'",
                "swarm.yaml:5:42: invalid environment variable name '1X'; use 1-128 characters of letters, digits and '_', starting with a letter or '_'",
                "swarm.yaml:5:51: invalid environment variable name 'X Y'; use 1-128 characters of letters, digits and '_', starting with a letter or '_'",
                "swarm.yaml:5:61: invalid environment variable name 'X\\tY'; use 1-128 characters of letters, digits and '_', starting with a letter or '_'");
    }

    /** Loads {@code file} in a new JVM of 256 MiB of heap; what {@link Load} prints. */
    private static String loadInSmallHeap(Path file) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Load.class.getName(), file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Prints how many tickets the spec given as argument has, or its errors. */
    static final class Load {
        public static void main(String[] args) throws Exception {
            try {
                System.out.println(new SpecLoader().load(Path.of(args[0]), java.util.Map.of()).tickets().size() + " tickets");
            } catch (SpecException e) {
                System.out.println(e.getMessage());
            }
        }
    }
}
