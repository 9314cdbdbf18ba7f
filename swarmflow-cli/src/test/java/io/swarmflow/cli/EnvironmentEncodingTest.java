package io.swarmflow.cli;

import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link EnvironmentEncoding}, for the encodings a test JVM cannot be started in here (ISO-8859-1: no such locale is
 * installed); the C locale end to end is {@code CLocaleSecretsTest}. The spec reads {@code PATH} and {@code HOME}
 * (set in every test JVM, so that it loads); their values are the ones given, not this JVM's.
 */
class EnvironmentEncodingTest {
    @TempDir
    Path tmp;

    private Plan plan() throws Exception {
        Path spec = Files.writeString(tmp.resolve("swarm.yaml"), """
                agents:
                  tool: {kind: shell, env: {H: "${{ env.HOME }}"}}
                  idle: {kind: noop}
                tickets:
                  - id: a
                    env: {P: "${{ env.PATH }}"}
                    run: "true"
                  - id: wait
                    agent: idle
                    duration: 1ms
                  - id: w2
                    agent: noop
                """);
        return new SpecLoader().load(spec, Map.of());
    }

    @Test
    void inTheCLocaleANonAsciiValueReadAsUFFFDIsRefusedAndAnAsciiOneIsNot() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\uFFFD\uFFFDsswort", "HOME", "/home/ascii");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ANSI_X3.4-1968")).containsExactly(
                "the environment variable PATH (${{ env.PATH }} in the env: of ticket 'a') holds characters the JVM cannot read in "
                        + "this locale (ANSI_X3.4-1968, LANG/LC_ALL=C), so a ticket would be handed it mangled and print it "
                        + "unmasked; run swarm with LC_ALL=C.UTF-8 (./swarm does)");
    }

    /** A profile's env reaches a ticket through the ticket's planned env: one no ticket uses hands nothing to anyone. */
    @Test
    void aProfileNoTicketUsesAndNoopTicketsAreNotChecked() throws Exception {
        Map<String, String> env = Map.of("PATH", "/bin", "HOME", "/home/gr\uFFFD\uFFFD");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ANSI_X3.4-1968")).isEmpty();

        Path spec = Files.writeString(tmp.resolve("used.yaml"), """
                agents:
                  tool: {kind: shell, env: {H: "${{ env.HOME }}"}}
                defaults:
                  env: {D: "${{ env.PATH }}"}
                tickets:
                  - {id: b, agent: tool, run: "true"}
                  - {id: c, agent: tool, run: "true"}
                  - {id: idle, agent: noop}
                """);
        Map<String, String> more = Map.of("HOME", "/home/gr\uFFFD\uFFFD", "PATH", "/b\uFFFDn");
        assertThat(EnvironmentEncoding.problems(new SpecLoader().load(spec, Map.of()), more::get, "ANSI_X3.4-1968"))
                .extracting(line -> line.substring(0, line.indexOf(") ") + 1)).containsExactly(
                        "the environment variable HOME (${{ env.HOME }} in the env: of tickets 'b' and 1 more)",
                        "the environment variable PATH (${{ env.PATH }} in the env: of tickets 'b' and 1 more)");
    }

    /** Read whole, but handed on as ISO-8859-1 bytes, which the masking (UTF-8) does not look for. */
    @Test
    void inAnotherNonUtf8LocaleANonAsciiValueIsRefusedToo() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\u00e4sswort", "HOME", "/home/ascii");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "ISO-8859-1")).containsExactly(
                "the environment variable PATH (${{ env.PATH }} in the env: of ticket 'a') holds characters other than ASCII, which "
                        + "the JVM hands a ticket in ISO-8859-1, the encoding of this locale, while the masking of secrets looks "
                        + "for their UTF-8 bytes: a ticket would print it unmasked; run swarm with LC_ALL=C.UTF-8");
    }

    /** In UTF-8 a byte that is not UTF-8 is read as U+FFFD and handed on as EF BF BD, what the masking looks for. */
    @Test
    void inUtf8NothingIsRefused() throws Exception {
        Map<String, String> env = Map.of("PATH", "p\uFFFD\u00e4sswort", "HOME", "/home/\u2713");
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "UTF-8")).isEmpty();
        assertThat(EnvironmentEncoding.problems(plan(), env::get, "")).as("unknown").isEmpty();
    }
}
