package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review D3's time-namespace gaps (brief F item 2): Linux shows a process's start ticks with the reader's time namespace
 * offset, so start ticks a coordinator recorded in another time namespace do not compare with those read here. The
 * engine and {@code swarm status} stopped comparing them for such an attempt, but {@link ProcessGroups#recordedGroupAlive},
 * {@link ProcessGroups#reapedLeadersGroupAlive}, {@link ProcessGroups#killReapedLeadersGroup} and {@link Escapees#find}
 * compared them all the same, so a new caller that forgot the rule would kill or find by meaningless ticks. They now take
 * the namespace the ticks were read in and go by one rule ({@link ProcessGroups#ticksIncomparable}): nothing is alive,
 * killed or found then, and {@link ProcessGroups#orphanGroupUncheckable(long, long, long)} says why.
 * <p>
 * The other namespace is given by its inode, as a coordinator records it: one that is not this process's (no root, no
 * {@code unshare --time} needed; the kernel rule itself is pinned by {@code TimeNamespaceReaderTest} on the root leg).
 */
class RecordedStartTicksGuardTest {
    @TempDir
    Path tmp;

    /** A time namespace inode other than this process's. */
    private static final long OTHER = ProcessGroups.TIME_NAMESPACE + 1;

    @Test
    void ticksOfAnotherKnownTimeNamespaceAreNotComparableOthersAre() {
        assertThat(ProcessGroups.ticksIncomparable(7, 7)).isNull();
        assertThat(ProcessGroups.ticksIncomparable(0, 7)).as("not recorded (an older swarm)").isNull();
        assertThat(ProcessGroups.ticksIncomparable(7, 0)).as("no time namespaces here").isNull();
        assertThat(ProcessGroups.ticksIncomparable(8, 7)).contains("time:[8]", "time:[7]", "cannot be compared");
        assertThat(ProcessGroups.inode("time:[4026531834]")).isEqualTo(4026531834L);
        assertThat(ProcessGroups.inode("pid:[4026531834]")).isZero();
        assertThat(ProcessGroups.inode(null)).isZero();
        // every kernel CI runs on has time namespaces (Linux 5.6 on): this process's is known
        assertThat(ProcessGroups.TIME_NAMESPACE).isPositive();
        assertThat(ProcessGroups.ticksIncomparable(ProcessGroups.TIME_NAMESPACE)).isNull();
        assertThat(ProcessGroups.ticksIncomparable(OTHER)).isNotNull();
    }

    /** A live recorded leader: alive by ticks of this namespace, not by those of another, and not killed by them. */
    @Test
    void aLiveLeadersGroupIsNotJudgedByTicksOfAnotherTimeNamespace() throws Exception {
        Process leader = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        long pid = leader.pid();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long ticks = ProcessGroups.startTicks(pid).orElseThrow();
            assertThat(ProcessGroups.recordedGroupAlive(pid, ticks, ProcessGroups.TIME_NAMESPACE, OptionalLong.empty())).isTrue();
            assertThat(ProcessGroups.recordedGroupAlive(pid, ticks, OTHER, OptionalLong.empty())).isFalse();
            assertThat(ProcessGroups.orphanGroupAlive(pid, ticks, OTHER)).isFalse();
            assertThat(ProcessGroups.orphanGroupUncheckable(pid, ticks, OTHER)).contains("time:[" + OTHER + "]");
            assertThat(ProcessGroups.orphanGroupUncheckable(pid, ticks, ProcessGroups.TIME_NAMESPACE)).isNull();

            List<String> warnings = new ArrayList<>();
            assertThat(ProcessGroups.killOrphanGroup(pid, ticks, OTHER, warnings::add)).isFalse();
            assertThat(warnings).singleElement().asString().contains("was not killed", "time:[" + OTHER + "]");
            assertThat(leader.isAlive()).isTrue();
        } finally {
            leader.destroyForcibly();
            leader.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A reaped leader's group with a live member: "a member started at or after the leader" is not told by ticks of
     * another time namespace, inside {@link ProcessGroups#reapedLeadersGroupAlive} and
     * {@link ProcessGroups#killReapedLeadersGroup} themselves.
     */
    @Test
    void aReapedLeadersGroupIsNeitherAliveNorKilledByTicksOfAnotherTimeNamespace() throws Exception {
        Process leader = new ProcessBuilder(List.of("setsid", "bash", "-c", "sleep 300 & read -r _; exit 0")).start();
        long pid = leader.pid();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long ticks = ProcessGroups.startTicks(pid).orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.reapedLeadersGroupAlive(pid, ticks)); // its sleep
            leader.getOutputStream().close();
            assertThat(leader.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ProcessGroups.startTicks(pid)).as("no process has the leader's pid").isEmpty();

            assertThat(ProcessGroups.reapedLeadersGroupAlive(pid, ticks, ProcessGroups.TIME_NAMESPACE)).isTrue();
            assertThat(ProcessGroups.reapedLeadersGroupAlive(pid, ticks, OTHER)).isFalse();
            assertThat(ProcessGroups.killReapedLeadersGroup(pid, ticks, OTHER)).isFalse();
            assertThat(ProcessGroups.groupHasMembersByScan(pid)).as("its sleep was not killed").isTrue();

            assertThat(ProcessGroups.killReapedLeadersGroup(pid, ticks, ProcessGroups.TIME_NAMESPACE)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessGroups.groupHasMembersByScan(pid));
        } finally {
            if (ProcessGroups.groupHasMembersByScan(pid)) ProcessGroups.signalGroup(pid, "KILL");
            leader.destroyForcibly();
            leader.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * An escaped process with the attempt's variables: found (and ended by the resume's lookup) by ticks of this time
     * namespace, neither found nor ended by those of another.
     */
    @Test
    void escapeesAreNotFoundOrEndedByTicksOfAnotherTimeNamespace() throws Exception {
        String scratch = tmp.resolve("scratch").toString();
        Map<String, String> env = Map.of("SWARM_RUN_ID", "guard-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1", "SWARM_SCRATCH", scratch);
        Process leader = start(env, "sleep", "600");
        Process escaped = null;
        try {
            long leaderStart = Escapees.liveStartTicks(Path.of("/proc", Long.toString(leader.pid())));
            escaped = start(env, "setsid", "sleep", "600");
            long escapedPid = escaped.pid();
            await().atMost(Duration.ofSeconds(10)).until(() -> Escapees.find(leader.pid(), leaderStart,
                    ProcessGroups.TIME_NAMESPACE, Escapees.markers(env), true).stream().anyMatch(f -> f.pid() == escapedPid));
            assertThat(Escapees.find(leader.pid(), leaderStart, OTHER, Escapees.markers(env), true)).isEmpty();

            ProcessGroups.OrphanEscapees none = ProcessGroups.killOrphanEscapees(leader.pid(), leaderStart, OTHER, env);
            assertThat(none.ended()).isEmpty();
            assertThat(none.left()).isEmpty();
            assertThat(escaped.isAlive()).isTrue();

            ProcessGroups.OrphanEscapees ended = ProcessGroups.killOrphanEscapees(leader.pid(), leaderStart,
                    ProcessGroups.TIME_NAMESPACE, env);
            assertThat(ended.ended()).contains(escapedPid);
            assertThat(escaped.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            leader.destroyForcibly();
            if (escaped != null) escaped.destroyForcibly();
        }
    }

    private static Process start(Map<String, String> env, String... command) throws java.io.IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(env);
        return b.start();
    }
}
