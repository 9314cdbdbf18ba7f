package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessGroupsTest {

    @Test
    void groupHasMembersWhileAProcessOfTheGroupLivesAndNotAfter() throws Exception {
        // setsid makes the child the leader of a new group whose id is its pid; the background sleep stays in it
        Process p = new ProcessBuilder(List.of("setsid", "bash", "-c", "sleep 30 & echo $!; wait")).start();
        long pgid = p.pid();
        long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine().trim());
        try {
            assertThat(ProcessGroups.processGroup(child)).hasValue(pgid);
            assertThat(ProcessGroups.groupHasMembers(pgid)).isTrue();
            assertThat(ProcessGroups.groupHasMembersByScan(pgid)).as("the /proc fallback agrees").isTrue();
        } finally {
            assertThat(ProcessGroups.signalGroupByCommand(pgid, "KILL")).as("the kill(1) fallback").isTrue();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !ProcessGroups.groupHasMembers(pgid));
        assertThat(ProcessGroups.groupHasMembers(pgid)).isFalse();
        assertThat(ProcessGroups.groupHasMembersByScan(pgid)).isFalse();
    }

    @Test
    void killIsCalledDirectlyOnLinux() {
        // without this the sandbox silently falls back to starting kill(1) processes and walking /proc
        assertThat(Kill.available()).as("%s", Kill.problem()).isTrue();
        assertThat(Kill.problem()).isNull();
        assertThat(Kill.kill(ProcessHandle.current().pid(), 0)).isZero();
        assertThat(Kill.kill(-Integer.MAX_VALUE, 0)).isEqualTo(Kill.ESRCH);
        for (long bad : new long[]{0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Kill.kill(bad, 0)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Kill.number("TERM")).isEqualTo(15);
        assertThat(Kill.number("KILL")).isEqualTo(9);
    }

    @Test
    void anUnusedGroupHasNoMembers() {
        assertThat(ProcessGroups.groupHasMembers(Integer.MAX_VALUE)).isFalse();
        assertThat(ProcessGroups.groupHasMembersByScan(Integer.MAX_VALUE)).isFalse();
    }
}
