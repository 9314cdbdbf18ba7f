package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * In the C or POSIX locale (a container, cron, {@code su -}) a JVM reads file names and arguments as ASCII and prints
 * ASCII: a spec under a non-ASCII directory could not be named, and a ticket's "ü" printed as "?". {@code ./swarm}
 * runs the JVM in C.UTF-8 there ({@code swarm_jvm_locale} in scripts/find-jdk.sh); a JVM started otherwise says why
 * the name was lost. The CLI runs as a process here, with {@code LC_ALL=C} and no other locale variable.
 */
class CLocaleTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final String WORD = "gr\u00fc\u00dfe \u2713";

    @TempDir
    Path tmp;

    @Test
    void theLauncherRunsTheJvmInUtf8SoNonAsciiPathsAndOutputSurvive() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(WORD));
        Path spec = Cli.write(dir.resolve("swarm.yaml"), """
                name: locale
                tickets:
                  - id: a
                    title: "Gr\u00fc\u00dfe"
                    run: echo "%s"
                """.formatted(WORD));
        Path state = dir.resolve("state");
        Result run = launch(true, dir, "run", spec.toString(), "--plain", "--state-dir", state.toString());
        assertThat(run.code).as(run.out).isZero();
        assertThat(run.out).contains("a | " + WORD, "\u2713 a succeeded").doesNotContain("?");

        Result relative = launch(true, dir, "status", "--state-dir", "state");
        assertThat(relative.code).as(relative.out).isZero();
        assertThat(relative.out).contains("spec " + spec, "succeeded");
    }

    /**
     * A minimal image has no {@code locale} program (the step finds none on its PATH here): the step still runs the JVM in
     * C.UTF-8, so the ticket is handed its script as written (in the C locale, swarm refuses it: CLocaleTicketTextTest).
     */
    @Test
    void theLauncherRunsTheJvmInUtf8WithoutTheLocaleProgramToo() throws Exception {
        Path spec = Cli.write(tmp.resolve("swarm.yaml"), """
                name: locale
                tickets:
                  - id: a
                    run: echo "%s"
                """.formatted(WORD));
        Path state = tmp.resolve("state");
        Result run = launch(". \"$1\" && PATH=/nonexistent swarm_jvm_locale && ", tmp, "run", spec.toString(), "--plain",
                "--state-dir", state.toString());
        assertThat(run.code).as(run.out).isZero();
        assertThat(run.out).contains("a | " + WORD).doesNotContain("?");
    }

    @Test
    void aJvmStartedInTheCLocaleSaysWhyANonAsciiNameIsLost() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(WORD));
        Path spec = Cli.write(dir.resolve("swarm.yaml"), "name: locale\ntickets:\n  - id: a\n    run: 'true'\n");
        Result r = launch(false, tmp, "validate", spec.toString());
        assertThat(r.code).as(r.out).isEqualTo(2);
        assertThat(r.out).contains("Malformed input or input contains unmappable characters",
                "swarm: this JVM reads file names and arguments as ANSI_X3.4-1968 (the C or POSIX locale), so a non-ASCII "
                        + "name is lost; run it with LC_ALL=C.UTF-8 (./swarm does that itself)");
    }

    record Result(int code, String out) {}

    /**
     * Runs the CLI of the test classpath with {@code LC_ALL=C} in {@code cwd}, through the launcher's locale step
     * ({@code swarm_jvm_locale}) when {@code launcher}; stdout and stderr together, decoded as UTF-8.
     */
    private Result launch(boolean launcher, Path cwd, String... args) throws Exception {
        return launch(launcher ? ". \"$1\" && swarm_jvm_locale && " : "", cwd, args);
    }

    /** {@link #launch(boolean, Path, String...)} through {@code step}, bash that ends with {@code && } ($1: find-jdk.sh). */
    private Result launch(String step, Path cwd, String... args) throws Exception {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c",
                step + "shift && exec \"$@\"", "launch",
                ROOT.resolve("scripts/find-jdk.sh").toString(),
                java, "-XX:TieredStopAtLevel=1", "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.equals("LANG") || k.equals("LANGUAGE") || k.startsWith("LC_"));
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
