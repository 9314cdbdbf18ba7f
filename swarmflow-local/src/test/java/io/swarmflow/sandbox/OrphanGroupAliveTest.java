package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link ProcessGroups#orphanGroupAlive}: what {@code swarm status} says of an attempt's process left by a coordinator that
 * died, with the identity check {@link ProcessGroups#killOrphanGroup} makes (pid and start time), and without killing.
 */
class OrphanGroupAliveTest {

    @Test
    void theRecordedProcessIsAliveOnlyWithItsStartTimeAndIsNotSignalled() throws Exception {
        // setsid makes the child the leader of a new group whose id is its pid, as an unsandboxed attempt's process is
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        long pid = p.pid();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long ticks = ProcessGroups.startTicks(pid).orElseThrow();

            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks)).isTrue();
            // the same pid with another start time: a process that reused the recorded pid is not the attempt's
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks - 1)).isFalse();
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks + 1)).isFalse();
            // nothing recorded
            assertThat(ProcessGroups.orphanGroupAlive(pid, 0)).isFalse();
            assertThat(ProcessGroups.orphanGroupAlive(0, ticks)).isFalse();
            assertThat(ProcessGroups.orphanGroupAlive(1, ProcessGroups.startTicks(1).orElse(1))).isFalse();
            // looking is not killing
            assertThat(p.isAlive()).isTrue();
            assertThat(ProcessGroups.groupHasMembers(pid)).isTrue();

            assertThat(ProcessGroups.killOrphanGroup(pid, ticks)).isTrue();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks)).as("gone once killed (and reaped)").isFalse();
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
