package io.swarmflow.cli.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.swarmflow.cli.e2e.Cli.swarm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a ticket is handed by a swarm whose JVM runs in the C locale ({@code java -jar}, not {@code ./swarm}): the JVM
 * hands a child process its environment in ASCII, so every other character of a script ({@code SWARM_SCRIPT}), an env
 * value, a var or matrix value put in, or an output of another ticket would reach bash as {@code ?} (a glob: another
 * file deleted); a {@code --var} argument is read with U+FFFD in place of each such character. {@code run},
 * {@code validate} and {@code resume} refuse the plan before anything is stored; an attempt whose text is only known when
 * it starts is refused then, its process not started. {@code --json} is ASCII there, with escapes, and loses nothing.
 * The CLI runs as a child process, its locale set, and its non-ASCII arguments given as bytes by {@code bash}.
 * (The C locale of {@code CLocaleSecretsTest}, for a value of swarm's environment.)
 */
class CLocaleTicketTextTest {
    private static final String FIX = "; run swarm with LC_ALL=C.UTF-8 (./swarm does)";

    @TempDir
    Path tmp;

    @Test
    void runAndValidateInTheCLocaleRefuseATicketsTextOtherThanAsciiAndAMangledVarAndStoreNothing() throws Exception {
        Path spec = Cli.write(tmp.resolve("text.yaml"), """
                name: text
                vars: {who: x}
                tickets:
                  - id: a
                    env: {W: "${{ vars.who }}"}
                    run: |
                      printf '%s' "$W" | od -An -tx1
                      printf '%s' 'donn\u00e9es' | od -An -tx1
                """);
        Path state = tmp.resolve("state");

        // --var who=José, as the bytes a UTF-8 terminal types
        Result run = launch("C", "\"$@\" --var who=$'Jos\\xc3\\xa9'", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.out()).as("%s", run).contains(
                "swarm: the variable 'who' holds U+FFFD, the character the JVM reads in place of each one of an argument (--var "
                        + "who=...) it cannot decode in this locale (ANSI_X3.4-1968, LANG/LC_ALL=C): its value is not what was "
                        + "typed, and the run would store and use it so" + FIX + "\n",
                "swarm: ticket 'a' hands its process text with characters other than ASCII (line 2 of its run: script, env: W), "
                        + "which the JVM cannot encode in this locale (ANSI_X3.4-1968, LANG/LC_ALL=C): the process would be "
                        + "handed '?' in their place and run a different command than written" + FIX + "\n"
                        + "swarm: the plan cannot run here; nothing was run").doesNotContain(" 3f");
        assertThat(state.resolve("runs")).doesNotExist();

        Result validate = launch("C", "\"$@\"", "validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.out()).as("%s", validate).contains("swarm: ticket 'a' hands its process text with characters other "
                + "than ASCII (line 2 of its run: script)").doesNotContain("variable 'who'").doesNotContain(": ok:");

        // in C.UTF-8 (what ./swarm picks) the ticket is handed the UTF-8 bytes written
        Result utf8 = launch("C.UTF-8", "\"$@\" --var who=$'Jos\\xc3\\xa9'", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(utf8.code()).as("%s", utf8).isZero();
        assertThat(utf8.out()).as("%s", utf8).contains("a |  4a 6f 73 c3 a9", "a |  64 6f 6e 6e c3 a9 65 73").doesNotContain("other than ASCII");
    }

    /** The stored plan is right; the resuming JVM would hand it on mangled. */
    @Test
    void resumeInTheCLocaleOfARunCreatedInUtf8RefusesAndChangesNothing() throws Exception {
        Path spec = Cli.write(tmp.resolve("gated.yaml"), """
                name: gated
                tickets:
                  - id: gate
                    approval: before-run
                    run: printf '%s' 'gr\u00f6\u00dfe' | od -An -tx1
                """);
        Path state = tmp.resolve("state");
        Process run = start("C.UTF-8", tmp.resolve("run.out"), "\"$@\"", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        String id;
        try {
            id = await().atMost(Duration.ofSeconds(60)).until(() -> {
                Result st = swarm("status", "--json", "--state-dir", state.toString());
                if (st.code() != 0) return null;
                JsonNode json = st.json();
                return Cli.ticket(json, "gate").get("state").asText().equals("awaiting-approval") ? json.get("run").get("id").asText() : null;
            }, java.util.Objects::nonNull);
            Result cancel = swarm("cancel", id, "--state-dir", state.toString());
            assertThat(cancel.code()).as("%s", cancel).isZero();
            assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(tmp.resolve("run.out"))).isEqualTo(130);
        } finally {
            run.destroyForcibly();
        }

        Result resume = launch("C", "\"$@\"", "resume", id, "--plain", "--auto-approve", "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isEqualTo(2);
        assertThat(resume.out()).as("%s", resume).contains("run " + id + " cannot resume here:",
                "ticket 'gate' hands its process text with characters other than ASCII (line 1 of its run: script)",
                "nothing was changed").doesNotContain("resuming").doesNotContain(" 3f");
        JsonNode status = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(status.get("run").get("state").asText()).isEqualTo("cancelled");
        assertThat(Cli.ticket(status, "gate").get("attempts").asInt()).as("no attempt started").isZero();

        Result utf8 = launch("C.UTF-8", "\"$@\"", "resume", id, "--plain", "--auto-approve", "--state-dir", state.toString());
        assertThat(utf8.code()).as("%s", utf8).isZero();
        assertThat(utf8.out()).as("%s", utf8).contains("gate |  67 72 c3 b6 c3 9f 65");
    }

    /**
     * An output of another ticket is put in when the attempt starts: then the attempt is refused, saying why, and its
     * process is not started.
     */
    @Test
    void anAttemptWhoseOutputPutInIsNotAsciiIsRefusedWhenItStartsInTheCLocale() throws Exception {
        Path spec = Cli.write(tmp.resolve("outputs.yaml"), """
                name: outputs
                tickets:
                  - id: p
                    run: |
                      printf '{"k": "z\\303\\274rich"}\\n'
                    outputs: {v: {json: k}}
                  - id: c
                    needs: [p]
                    env: {V: "${{ tickets.p.outputs.v }}"}
                    run: printf '%s' "$V" | od -An -tx1; touch ran
                """);
        Path state = tmp.resolve("state");
        Result run = launch("C", "\"$@\"", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        JsonNode c = Cli.ticket(swarm("status", "--json", "--state-dir", state.toString()).json(), "c");
        assertThat(c.get("state").asText()).isEqualTo("failed");
        String id = swarm("status", "--json", "--state-dir", state.toString()).json().get("run").get("id").asText();
        JsonNode ticket = swarm("status", id, "c", "--json", "--state-dir", state.toString()).json();
        assertThat(ticket.toString()).contains("not started: its text holds characters other than ASCII, which this JVM's locale "
                + "(ANSI_X3.4-1968, LANG/LC_ALL=C) would hand the process as other bytes; run the spec again with LC_ALL=C.UTF-8 "
                + "(./swarm does). The text, with the outputs of the tickets it needs put in: env: V");
        assertThat(run.out()).as("%s", run).doesNotContain("c |");
        try (var files = Files.walk(state)) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("ran")).toList()).as("c's process never ran").isEmpty();
        }
    }

    /** JSON is UTF-8 (RFC 8259); in an ASCII locale it is written ASCII, with escapes, the same value. Tables degrade only. */
    @Test
    void statusJsonInTheCLocaleIsAsciiAndLosesNothing() throws Exception {
        Path spec = Cli.write(tmp.resolve("names.yaml"), """
                name: \u00fcberswarm
                tickets:
                  - {id: n, agent: noop, title: "Gr\u00f6\u00dfe \u2713 \ud83d\ude00"}
                """);
        Path state = tmp.resolve("state");
        Result run = launch("C", "\"$@\"", "run", spec.toString(), "--plain", "--quiet", "--state-dir", state.toString());
        assertThat(run.code()).as("a noop ticket is handed nothing: %s", run).isZero();

        Path json = tmp.resolve("status.json");
        Process p = start("C", json, "\"$@\" 2>/dev/null", "status", "--json", "--state-dir", state.toString());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        byte[] bytes = Files.readAllBytes(json);
        for (byte b : bytes) assertThat(b & 0xff).as("ASCII").isLessThan(0x80);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(text).contains("\\u00FCberswarm");
        JsonNode status = Cli.JSON.readTree(text);
        assertThat(status.get("run").get("name").asText()).isEqualTo("\u00fcberswarm");
        assertThat(Cli.ticket(status, "n").get("title").asText()).isEqualTo("Gr\u00f6\u00dfe \u2713 \ud83d\ude00");

        Result runs = launch("C", "\"$@\" 2>/dev/null", "runs", "--json", "--state-dir", state.toString());
        assertThat(runs.code()).as("%s", runs).isZero();
        assertThat(Cli.JSON.readTree(runs.out()).toString()).contains("\u00fcberswarm");

        Result table = launch("C", "\"$@\"", "status", "--state-dir", state.toString());
        assertThat(table.code()).as("%s", table).isZero();
        assertThat(table.out()).as("%s", table).contains("(?berswarm)");
    }

    /**
     * Runs the CLI of the test classpath as a child with {@code LC_ALL=locale} (no other locale variable), through
     * {@code bash -c "exec " + command}, where {@code "$@"} is the java command line and {@code args} (so that the
     * command can add arguments as bytes, {@code $'\xc3\xa9'}, whatever this JVM's locale); stdout and stderr
     * together, decoded as UTF-8.
     */
    private Result launch(String locale, String command, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = start(locale, out, command, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), "");
    }

    /** {@link #launch}, not waited for; its output goes to {@code out}. */
    private Process start(String locale, Path out, String command, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c", "exec " + command, "launch",
                java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", locale);
        return pb.start();
    }
}
