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
        } finally {
            ProcessGroups.signalGroup(pgid, "KILL");
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !ProcessGroups.groupHasMembers(pgid));
        assertThat(ProcessGroups.groupHasMembers(pgid)).isFalse();
    }

    @Test
    void theBoundedSweepFindsAMemberStartedAfterTheMarkAndNoneOnceItIsGone() throws Exception {
        ProcessGroups.ForkMark mark = ProcessGroups.ForkMark.now();
        assertThat(mark).isNotNull();
        assertThat(mark.tasks()).isPositive();
        Process p = new ProcessBuilder(List.of("setsid", "bash", "-c", "sleep 30 & echo $!; wait")).start();
        long pgid = p.pid();
        new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
        ProcessGroups.ForkMark later = ProcessGroups.ForkMark.now();
        assertThat(later.forks()).as("setsid, bash and sleep were forked after the mark").isGreaterThanOrEqualTo(mark.forks() + 2);
        assertThat(later.lastPid()).as("the sleep's pid was given out after the leader's").isGreaterThan(pgid);
        // a mark that allows a wrap-around of the pid allocator makes the sweep read every process: same answer
        ProcessGroups.ForkMark wrapped = new ProcessGroups.ForkMark(mark.forks() - 10_000_000_000L, mark.tasks(), mark.lastPid());
        try {
            assertThat(ProcessGroups.groupHasMembers(pgid, mark)).isTrue();
            assertThat(ProcessGroups.groupHasMembers(pgid, wrapped)).isTrue();
            assertThat(ProcessGroups.groupHasMembers(pgid, mark, 0)).as("listing /proc above the leader").isTrue();
        } finally {
            ProcessGroups.signalGroup(pgid, "KILL");
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !ProcessGroups.groupHasMembers(pgid, mark));
        assertThat(ProcessGroups.groupHasMembers(pgid, wrapped)).isFalse();
        assertThat(ProcessGroups.groupHasMembers(pgid, mark, 0)).isFalse();
    }

    @Test
    void anUnusedGroupHasNoMembers() {
        assertThat(ProcessGroups.groupHasMembers(Integer.MAX_VALUE)).isFalse();
    }
}
