package io.swarmflow.sandbox;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stopping an attempt (TERM, grace, KILL) where {@code /proc} is another PID namespace's ({@link Escapees#PROC_PROBLEM}):
 * no pid read from it is signalled (it would name an unrelated process here); what is done instead is what kill(2)
 * resolves in this namespace itself, the attempt's process group. (Bubblewrap is not used at all with such a {@code /proc}:
 * {@link Bubblewrap#foreignProc}.)
 */
class ForeignProcStopTest {
    private static final String PROBLEM = "/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)";

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
}
