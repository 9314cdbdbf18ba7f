package io.swarmflow.sandbox;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D5 #7: a stop whose TERM ends the group's leader at once (a shell in {@code wait}) while a member of its group
 * ignores TERM ({@code trap '' TERM}): the leader is reaped during the grace, and the member must still get the KILL when
 * the grace is over, not be taken for gone with its leader. Without bubblewrap it keeps the rest of the grace first;
 * under bubblewrap the leader's end ends the sandbox's PID namespace, and the member with it. Also where JNA cannot load
 * (the group is then looked at by reading {@code /proc} and signalled with kill(1)). No {@code SWARM_*} markers in the
 * attempt's environment: the escapee scan ({@link Escapees}) cannot find the member, the group's KILL must.
 */
class LeaderEndsOnTermTest {
    private static final Duration GRACE = Duration.ofSeconds(2);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "bubblewrap {0}, process limit {1}")
    @CsvSource({"false, 0", "false, 64", "true, 0", "true, 64"})
    void aMemberThatIgnoresTermIsKilledAfterTheGraceThoughTheLeaderEndedOnTerm(boolean bubblewrap, int processes)
            throws Exception {
        Bubblewrap.Status status = bubblewrap ? Bubblewrap.probe() : Bubblewrap.Status.unavailable("off in this test");
        if (bubblewrap) assumeTrue(status.usable(), () -> "bubblewrap is not usable here: " + status.problem());

        String seen = stopAndLook(Files.createDirectories(tmp.resolve("ws")), status, processes);

        assertThat(seen).isEqualTo("CANCELLED killed=true" + (bubblewrap ? "" : " graceKept=true"));
    }

    /** The same where JNA cannot load, in a JVM of its own (as {@link KillCommandFallbackTest} runs one). */
    @Test
    void withoutJnaToo() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Djna.nosys=true", "-Djna.nounpack=true", "-Djna.boot.library.path=" + tmp.resolve("none"),
                "-cp", System.getProperty("java.class.path"), WithoutJna.class.getName(),
                Files.createDirectories(tmp.resolve("ws")).toString()))
                .redirectErrorStream(true).start();
        String out;
        try {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            child.destroyForcibly();
        }
        assertThat(out).as(out).isEqualTo("available=false\nCANCELLED killed=true graceKept=true\n");
    }

    /** The child JVM of {@link #withoutJnaToo}: whether kill(2) is available, then {@link #stopAndLook} without bubblewrap. */
    static final class WithoutJna {
        public static void main(String[] args) throws Exception {
            System.out.println("available=" + Kill.available());
            System.out.println(stopAndLook(Path.of(args[0]), Bubblewrap.Status.unavailable("off in this test"), 0));
        }
    }

    /**
     * Starts the leader (bash in {@code wait}, which the TERM ends) and its member (which ignores TERM) in {@code workspace},
     * cancels it once the member runs, and says what came of it: the termination, whether the member is gone within 10 s
     * of the end of the wait ({@code killed}), and without bubblewrap whether the stop lasted the grace ({@code graceKept}).
     */
    static String stopAndLook(Path workspace, Bubblewrap.Status status, int processes) throws Exception {
        boolean bubblewrap = status.usable();
        String marker = "4" + (100_000_000 + ThreadLocalRandom.current().nextInt(800_000_000));
        try (Sandbox sandbox = new Sandbox(status, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(bubblewrap ? Isolation.REQUIRED : Isolation.OFF)
                    .workspaceWritable(true).limits(new ProcessLimits(0, 0, 0, processes)).grace(GRACE).build();
            // the marker only in the member's command line (found by it), not in the leader's
            Files.writeString(workspace.resolve("marker"), marker);
            String script = "sh -c 'trap \"\" TERM; exec sleep $(cat marker)' & wait";
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", script), LineListener.NONE);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> TestProcesses.withArgument(marker) == 1);

            long stop = System.nanoTime();
            p.cancel();
            SandboxResult result = p.waitFor();
            long stoppedMillis = (System.nanoTime() - stop) / 1_000_000;

            boolean killed;
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                        .until(() -> TestProcesses.withArgument(marker) == 0);
                killed = true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                killed = false;
            }
            return result.termination() + " killed=" + killed + (bubblewrap ? "" : " graceKept=" + (stoppedMillis >= GRACE.toMillis()));
        } finally {
            TestProcesses.killWithArgument(marker);
        }
    }
}
