package io.swarmflow.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code swarm run -} with standard input closed: the Java runtime's first file (its lib/modules) takes file descriptor 0,
 * and reading /dev/stdin read that file as the spec ("spec is 139.2 MiB"). The spec is refused as standard input closed.
 */
class ClosedStandardInputTest {
    /** Loads {@code -} (for the command {@code args[1]}, when given) and prints the error: run in a JVM started with its standard input closed. */
    public static void main(String[] args) {
        try {
            SpecLoader loader = args.length > 1 ? new SpecLoader().forCommand(args[1]) : new SpecLoader();
            loader.load(Path.of(args[0]), Map.of());
            System.out.println("loaded");
        } catch (SpecException e) {
            System.out.println(e.getMessage());
        }
    }

    @Test
    void aClosedStandardInputIsSaidSo() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String given : new String[] {"-", "/dev/stdin", "/dev/fd/0"}) {
            Process p = new ProcessBuilder("bash", "-c", "exec \"$0\" -cp \"$1\" " + ClosedStandardInputTest.class.getName()
                    + " \"$2\" <&-", java, System.getProperty("java.class.path"), given).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).as(given).contains((given.equals("-") ? "/dev/stdin" : given) + ": standard input is closed; pipe the spec in: swarm run - < spec.yaml")
                    .doesNotContain("MiB");
        }
    }

    /** The example names the command that reads the spec: {@code swarm validate -} is told to pipe into validate, not run. */
    @Test
    void theExampleNamesTheCommand() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("bash", "-c", "exec \"$0\" -cp \"$1\" " + ClosedStandardInputTest.class.getName()
                + " - validate <&-", java, System.getProperty("java.class.path")).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("/dev/stdin: standard input is closed; pipe the spec in: swarm validate - < spec.yaml");
    }

    @Test
    void aCommandThatIsNoWordIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SpecLoader().forCommand("run; rm"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRuntimesOwnFilesAreWhatAClosedInputLandsOn() {
        assertThat(SpecLoader.openedByRuntime(Path.of("/opt/jdk/lib/modules"), "/opt/jdk", "")).isTrue();
        assertThat(SpecLoader.openedByRuntime(Path.of("/w/swarm.jar"), "/opt/jdk", "/w/swarm.jar")).isTrue();
        assertThat(SpecLoader.openedByRuntime(Path.of("/w/spec.yaml"), "/opt/jdk", "/w/swarm.jar")).isFalse();
        assertThat(SpecLoader.openedByRuntime(Path.of("pipe:[123]"), "/opt/jdk", "/w/swarm.jar")).isFalse();
        assertThat(SpecLoader.isStandardInput(Path.of("/dev/fd/3"))).isFalse();
        assertThat(SpecLoader.isStandardInput(Path.of("/proc/self/fd/0"))).isTrue();
    }
}
