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
 * A secret ({@code ${{ env.S }}}) that is not ASCII, handed to a ticket by a swarm whose JVM runs in the C locale
 * ({@code java -jar}, not {@code ./swarm}): the JVM reads {@code S=pässwort} as {@code p\uFFFD\uFFFDsswort} and would
 * hand the ticket {@code p??sswort}, which the masking (looking for the UTF-8 bytes of U+FFFD) lets through. {@code run},
 * {@code resume} and {@code validate} refuse it before anything is stored; in C.UTF-8 the ticket gets the value and its
 * output masks it. The CLI runs as a child process, its locale and {@code S} (as bytes) set by {@code bash}.
 */
class CLocaleSecretsTest {
    /** {@code pässwort-1234} in UTF-8, as {@code bash} writes bytes ({@code $'...'}), whatever this JVM's locale. */
    private static final String SECRET_BYTES = "$'p\\xc3\\xa4sswort-1234'";
    private static final String REFUSAL = "swarm: the environment variable S (${{ env.S }} in the env: of ticket 'a') holds characters the "
            + "JVM cannot read in this locale (ANSI_X3.4-1968, LANG/LC_ALL=C), so a ticket would be handed it mangled and print "
            + "it unmasked; run swarm with LC_ALL=C.UTF-8 (./swarm does)";

    @TempDir
    Path tmp;

    @Test
    void runAndValidateInTheCLocaleRefuseANonAsciiSecretAndStoreNothing() throws Exception {
        Path spec = Cli.write(tmp.resolve("secret.yaml"), """
                name: secret
                tickets:
                  - id: a
                    env: {S: "${{ env.S }}"}
                    run: printf 'secret=%s\\n' "$S"
                """);
        Path state = tmp.resolve("state");

        Result run = launch("C", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code()).as("%s", run).isEqualTo(2);
        assertThat(run.out()).as("%s", run).contains(REFUSAL + "\nswarm: the plan cannot run here; nothing was run")
                .doesNotContain("sswort").doesNotContain("secret=");
        assertThat(state.resolve("runs")).doesNotExist();
        assertThat(swarm("runs", "--state-dir", state.toString()).out()).doesNotContain("secret");

        Result validate = launch("C", "validate", spec.toString(), "--state-dir", state.toString());
        assertThat(validate.code()).as("%s", validate).isEqualTo(2);
        assertThat(validate.out()).as("%s", validate).contains(REFUSAL + "\nswarm: the plan cannot run here").doesNotContain(": ok:");

        // in C.UTF-8 (what ./swarm picks) nothing changes: the ticket gets the value, and what it prints is masked
        Result utf8 = launch("C.UTF-8", "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(utf8.code()).as("%s", utf8).isZero();
        assertThat(utf8.out()).as("%s", utf8).contains("a | secret=***").doesNotContain("sswort").doesNotContain("cannot read");
    }

    @Test
    void resumeInTheCLocaleRefusesANonAsciiSecretAndChangesNothing() throws Exception {
        Path spec = Cli.write(tmp.resolve("gated.yaml"), """
                name: gated
                tickets:
                  - id: gate
                    approval: before-run
                    env: {S: "${{ env.S }}"}
                    run: printf 'secret=%s\\n' "$S"
                """);
        Path state = tmp.resolve("state");
        Process run = start("C.UTF-8", tmp.resolve("run.out"), "run", spec.toString(), "--plain", "--state-dir", state.toString());
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

        Result resume = launch("C", "resume", id, "--plain", "--auto-approve", "--state-dir", state.toString());
        assertThat(resume.code()).as("%s", resume).isEqualTo(2);
        assertThat(resume.out()).as("%s", resume).contains("run " + id + " cannot resume here:", REFUSAL.substring("swarm: ".length()).replace("ticket 'a'", "ticket 'gate'"),
                "nothing was changed").doesNotContain("resuming").doesNotContain("sswort").doesNotContain("secret=");
        JsonNode status = swarm("status", id, "--json", "--state-dir", state.toString()).json();
        assertThat(status.get("run").get("state").asText()).isEqualTo("cancelled");
        assertThat(Cli.ticket(status, "gate").get("attempts").asInt()).as("no attempt started").isZero();

        Result utf8 = launch("C.UTF-8", "resume", id, "--plain", "--auto-approve", "--state-dir", state.toString());
        assertThat(utf8.code()).as("%s", utf8).isZero();
        assertThat(utf8.out()).as("%s", utf8).contains("gate | secret=***").doesNotContain("sswort");
    }

    /**
     * Runs the CLI of the test classpath as a child with {@code LC_ALL=locale} (no other locale variable) and
     * {@code S} set to {@link #SECRET_BYTES}; stdout and stderr together, decoded as UTF-8.
     */
    private Result launch(String locale, String... args) throws Exception {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Process p = start(locale, out, args);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), "");
    }

    /** {@link #launch}, not waited for; its output goes to {@code out}. */
    private Process start(String locale, Path out, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c", "export S=" + SECRET_BYTES + " && exec \"$@\"", "launch",
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
