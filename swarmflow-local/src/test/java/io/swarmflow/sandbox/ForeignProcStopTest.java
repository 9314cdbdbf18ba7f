package io.swarmflow.sandbox;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping an attempt (TERM, grace, KILL) where {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM}):
 * no pid read from it is signalled (it would name an unrelated process here); what is done instead is what kill(2)
 * resolves in this namespace itself, the attempt's process group, and the sandbox says so once.
 */
class ForeignProcStopTest {
    private static final String PROBLEM = "/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)";

    @TempDir
    Path tmp;

    /** The TERM under bubblewrap spares bwrap by reading the group's members from /proc: with a foreign one, not. */
    @Test
    void theGroupsSignalWithoutBwrapIsSentToTheWholeGroupWithoutReadingProc() throws Exception {
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        long pid = p.pid();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long scans = ProcessGroups.SCANS.sum();

            // "sleep" is the command spared by name: with a foreign /proc nothing can be told by name, the group gets it
            assertThat(ProcessGroups.signalGroupExcept(pid, "KILL", "sleep", PROBLEM)).isTrue();

            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessGroups.SCANS.sum()).as("no /proc scan").isEqualTo(scans);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aProcessFoundOutsideTheGroupIsNotSignalledWithAForeignProc() throws Exception {
        Process p = new ProcessBuilder(List.of("sleep", "300")).start();
        try {
            long ticks = ProcessGroups.startTicks(p.pid()).orElseThrow();
            Escapees.Found f = new Escapees.Found(p.pid(), ticks, "sleep 300");

            Escapees.signal(f, "KILL", PROBLEM);
            assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("not killed").isFalse();

            Escapees.signal(f, "KILL", null); // this JVM's own /proc: the same call reaches it
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }

    /** Under bubblewrap without a cgroup of its own, the stop's fallback is said once per sandbox, not per attempt. */
    @Test
    void underBubblewrapTheWholeGroupStopIsWarnedAboutOnce() throws Exception {
        Bubblewrap.Status bwrap = Bubblewrap.probe();
        assertThat(bwrap.usable()).as("bubblewrap is installed where the tests run: %s", bwrap.problem()).isTrue();
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = new Sandbox(bwrap, warnings::add, HardLimits.current(), false, PROBLEM)) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).build();
            for (int i = 0; i < 2; i++) {
                assertThat(sandbox.start(spec, List.of("true"), LineListener.NONE).waitFor().exitCode()).isZero();
            }
        }
        assertThat(warnings.stream().filter(w -> w.contains("as a whole process group"))).singleElement()
                .isEqualTo(Sandbox.stopsWholeGroupWarning(PROBLEM));
        assertThat(Sandbox.stopsWholeGroupWarning(PROBLEM)).contains(PROBLEM).contains("grace period")
                .contains("bubblewrap included");
    }
}
