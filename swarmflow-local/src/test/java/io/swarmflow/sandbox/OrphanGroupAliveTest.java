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

    /**
     * A zombie leader (exited, not reaped: its parent, here {@code sleep}, never waits) alone in its group has nothing
     * left to kill: status says so and {@link ProcessGroups#killOrphanGroup} signals nothing, by the same rule; with a
     * live member left in its group, both see the group as alive, and the kill ends that member.
     */
    @Test
    void aZombieLeaderIsAliveOnlyWithALiveMemberForStatusAndKillAlike() throws Exception {
        // bash's background job is no group leader, so setsid(1) calls setsid(2) itself (no fork): $! leads the new group.
        // The two leaders exit once the test closes their input (fd 3), after their parent became sleep: bash would reap them
        Process parent = new ProcessBuilder(List.of("bash", "-c", "exec 3<&0; setsid bash -c 'read -r _ <&3; exit 0' & echo $!; "
                + "setsid bash -c 'sleep 300 & read -r _ <&3; exit 0' & echo $!; exec sleep 300")).start();
        long alone = -1;
        long withMember = -1;
        try (java.io.BufferedReader out = parent.inputReader()) {
            alone = Long.parseLong(out.readLine().strip());
            withMember = Long.parseLong(out.readLine().strip());
            long a = alone;
            long m = withMember;
            await().atMost(Duration.ofSeconds(10)).until(() -> java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc/" + parent.pid() + "/comm")).strip().equals("sleep"));
            parent.getOutputStream().close();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.mainThreadEnded(a) && ProcessGroups.mainThreadEnded(m)
                    && ProcessGroups.processGroup(a).orElse(-1) == a && ProcessGroups.processGroup(m).orElse(-1) == m);
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.groupHasMembersByScan(m));
            long aloneTicks = ProcessGroups.startTicks(alone).orElseThrow();
            long memberTicks = ProcessGroups.startTicks(withMember).orElseThrow();

            assertThat(ProcessGroups.orphanGroupAlive(alone, aloneTicks)).as("a zombie alone in its group").isFalse();
            assertThat(ProcessGroups.killOrphanGroup(alone, aloneTicks)).as("nothing to kill, as status says").isFalse();

            assertThat(ProcessGroups.orphanGroupAlive(withMember, memberTicks)).as("a zombie with a live member").isTrue();
            assertThat(ProcessGroups.killOrphanGroup(withMember, memberTicks)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessGroups.groupHasMembersByScan(m));
            assertThat(ProcessGroups.orphanGroupAlive(withMember, memberTicks)).as("its member killed").isFalse();
        } finally {
            if (withMember > 1 && ProcessGroups.groupHasMembersByScan(withMember)) ProcessGroups.signalGroup(withMember, "KILL");
            parent.destroyForcibly(); // the zombies are then reaped by whoever reaps orphans
            parent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A leader that exited and was reaped while the process it started still runs in its group: no process has the
     * leader's pid, and Linux gives no new process a pid that a group with members has as its id, so the group found by
     * that id is the leader's: alive while its member runs (one that started before the recorded leader is not counted),
     * and killed.
     */
    @Test
    void aReapedLeadersGroupIsAliveWhileItsMemberRunsAndIsKilled() throws Exception {
        // it exits once its standard input closes, so that its start time is read while it runs
        Process leader = new ProcessBuilder(List.of("setsid", "bash", "-c", "sleep 300 & read -r _; exit 0")).start();
        long pid = leader.pid();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long ticks = ProcessGroups.startTicks(pid).orElseThrow();
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks)).as("while the leader runs").isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.groupHasMembersByScan(pid)
                    && ProcessGroups.reapedLeadersGroupAlive(pid, ticks)); // its sleep started
            leader.getOutputStream().close();
            assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue(); // reaped by the JVM
            assertThat(ProcessGroups.startTicks(pid)).as("no process has the leader's pid").isEmpty();
            assertThat(ProcessGroups.groupHasMembersByScan(pid)).as("its sleep still runs in its group").isTrue();

            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks)).as("its group, found by its id").isTrue();
            assertThat(ProcessGroups.orphanGroupAlive(pid, Long.MAX_VALUE)).as("a member older than the leader is not its").isFalse();
            assertThat(ProcessGroups.recordedGroupAlive(pid, ticks, java.util.OptionalLong.of(ticks + 1)))
                    .as("recorded before this pid namespace's init started: another namespace's pid (a restarted container)").isFalse();
            assertThat(ProcessGroups.recordedGroupAlive(pid, ticks, java.util.OptionalLong.of(ticks))).isTrue();
            assertThat(ProcessGroups.groupHasMembersByScan(pid)).as("looking is not killing").isTrue();

            assertThat(ProcessGroups.killOrphanGroup(pid, ticks)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessGroups.groupHasMembersByScan(pid));
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks)).as("gone once its member is killed").isFalse();
        } finally {
            if (ProcessGroups.groupHasMembersByScan(pid)) ProcessGroups.signalGroup(pid, "KILL");
            leader.destroyForcibly();
            leader.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A reaped leader's group with a member that started before the recorded leader (not one of the processes the group
     * started, so possibly not the attempt's: the group may be another's, as after the pid space wrapped around): the kill
     * ends only the members that started at or after the recorded start, and leaves the older one running.
     */
    @Test
    void theKillOfAReapedLeadersGroupSparesAMemberOlderThanTheRecordedLeader() throws Exception {
        Process leader = new ProcessBuilder(List.of("setsid", "bash", "-c",
                "sleep 300 & echo $!; read -r _; sleep 300 & echo $!; read -r _; exit 0")).start();
        long pid = leader.pid();
        try (java.io.BufferedReader out = leader.inputReader(); java.io.Writer in = leader.outputWriter()) {
            long older = Long.parseLong(out.readLine().strip());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.startTicks(older).isPresent());
            long olderTicks = ProcessGroups.startTicks(older).orElseThrow();
            // the next process starts at a later clock tick (USER_HZ, 100 a second, as /proc/uptime counts)
            await().atMost(Duration.ofSeconds(10)).until(() -> uptimeTicks() > olderTicks + 1);
            in.write("\n");
            in.flush();
            long younger = Long.parseLong(out.readLine().strip());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.startTicks(younger).isPresent());
            long youngerTicks = ProcessGroups.startTicks(younger).orElseThrow();
            assertThat(youngerTicks).isGreaterThan(olderTicks);
            in.write("\n");
            in.flush();
            assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue(); // reaped by the JVM
            assertThat(ProcessGroups.startTicks(pid)).as("no process has the leader's pid").isEmpty();

            // the recorded leader as if it had started when the younger sleep did
            assertThat(ProcessGroups.orphanGroupAlive(pid, youngerTicks)).isTrue();
            assertThat(ProcessGroups.killOrphanGroup(pid, youngerTicks)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !liveProcess(younger));
            assertThat(liveProcess(older)).as("the older member is not killed").isTrue();
            assertThat(ProcessGroups.startTicks(older)).hasValue(olderTicks);
            assertThat(ProcessGroups.orphanGroupAlive(pid, youngerTicks)).as("nothing of the recorded start left").isFalse();
        } finally {
            if (ProcessGroups.groupHasMembersByScan(pid)) ProcessGroups.signalGroup(pid, "KILL");
            leader.destroyForcibly();
            leader.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Clock ticks since boot (USER_HZ, 100 a second), from {@code /proc/uptime}. */
    private static long uptimeTicks() throws java.io.IOException {
        String seconds = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/uptime")).split(" ")[0];
        return new java.math.BigDecimal(seconds).movePointRight(2).longValue();
    }

    /** Whether {@code pid} is a process that runs (not a zombie). */
    private static boolean liveProcess(long pid) {
        return ProcessGroups.startTicks(pid).isPresent() && !ProcessGroups.mainThreadEnded(pid);
    }
}
