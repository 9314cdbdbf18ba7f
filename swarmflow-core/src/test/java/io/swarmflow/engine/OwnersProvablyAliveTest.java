package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcStat;
import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Owners#provablyAlive}: a lease holder whose lease ran out is proved alive on this host only by the exact parts
 * of its identity (this boot's id, this pid namespace, and a process with its pid and exactly its start ticks), and then
 * said stopped when {@code /proc/PID/stat} shows state {@code T} or {@code t}. Anything short of proof (another boot id
 * or pid namespace, parts missing, other ticks, no such process, a zombie) proves nothing. The readings are faked.
 */
class OwnersProvablyAliveTest {
    static final String THIS_BOOT = "0f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    static final String OTHER_BOOT = "9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9";
    static final long NS = 4026531836L;
    static final long TIMENS = 4026531834L;
    static final Owners.Here HERE = new Owners.Here(THIS_BOOT, NS, TIMENS);
    static final long PID = 4242;
    static final long TICKS = 123_456;
    static final long SELF = 7;

    static String owner(long pid, String bootId, long pidns, long ticks) {
        return Owners.hostName() + ":" + pid + "@1700000000000/1;boot=" + bootId + ";pidns=" + pidns + ";ticks=" + ticks
                + ";timens=" + TIMENS;
    }

    /** A {@code /proc/PID/stat} line of {@code pid} in {@code state}, started {@code ticks} after the boot (field 22). */
    static ProcStat stat(long pid, char state, long ticks) {
        StringBuilder b = new StringBuilder(pid + " (java) " + state);
        for (int field = 4; field < ProcStat.START_TIME_FIELD; field++) b.append(" 0");
        b.append(' ').append(ticks).append(" 0 0");
        return ProcStat.parse(b.toString());
    }

    static LongFunction<ProcStat> only(ProcStat stat) {
        return pid -> stat != null && pid == stat.pid() ? stat : null;
    }

    static Optional<Owners.Alive> alive(String owner, LongFunction<ProcStat> stats) {
        return Owners.provablyAlive(owner, HERE, SELF, stats);
    }

    @Test
    void aProcessWithTheRecordedTicksInStateTIsAliveAndStopped() {
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat(PID, 'T', TICKS))))
                .contains(new Owners.Alive(PID, true));
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat(PID, 't', TICKS)))).as("stopped by a tracer")
                .contains(new Owners.Alive(PID, true, false, true));
    }

    @Test
    void aProcessWithTheRecordedTicksRunningSleepingOrOnTheDiskIsAliveAndNotStopped() {
        for (char state : new char[]{'R', 'S', 'D', 'I'}) {
            assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat(PID, state, TICKS)))).as("state %s", state)
                    .contains(new Owners.Alive(PID, false));
        }
    }

    @Test
    void aZombieIsNotAlive() {
        for (char state : new char[]{'Z', 'X', 'x'}) {
            assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat(PID, state, TICKS)))).as("state %s", state).isEmpty();
        }
    }

    @Test
    void otherTicksNoProcessOrAnUnreadableStatProveNothing() {
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat(PID, 'T', TICKS + 1)))).as("pid reused").isEmpty();
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(null))).as("no such process").isEmpty();
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), pid -> ProcStat.parse(PID + " (java) T"))).as("no field 22").isEmpty();
    }

    @Test
    void anotherBootIdOrPidNamespaceOrHostProvesNothing() {
        LongFunction<ProcStat> stopped = only(stat(PID, 'T', TICKS));
        assertThat(alive(owner(PID, OTHER_BOOT, NS, TICKS), stopped)).as("another boot id").isEmpty();
        assertThat(alive(owner(PID, THIS_BOOT, NS + 1, TICKS), stopped)).as("another pid namespace").isEmpty();
        assertThat(alive("otherhost:" + PID + "@1/1;boot=" + THIS_BOOT + ";pidns=" + NS + ";ticks=" + TICKS, stopped))
                .as("another host").isEmpty();
        assertThat(Owners.provablyAlive(owner(PID, THIS_BOOT, NS, TICKS), new Owners.Here(null, NS, TIMENS), SELF, stopped))
                .as("this boot's id unknown").isEmpty();
        assertThat(Owners.provablyAlive(owner(PID, THIS_BOOT, NS, TICKS), new Owners.Here(THIS_BOOT, 0, TIMENS), SELF, stopped))
                .as("this pid namespace unknown").isEmpty();
    }

    @Test
    void anOwnerWithoutTheExactPartsProvesNothing() {
        LongFunction<ProcStat> stopped = only(stat(PID, 'T', TICKS));
        assertThat(alive(Owners.hostName() + ":" + PID + "@1700000000000/1", stopped)).as("an older swarm's").isEmpty();
        assertThat(alive(Owners.hostName() + ":" + PID + "@1700000000000/1;boot=" + THIS_BOOT + ";pidns=" + NS, stopped))
                .as("without ticks").isEmpty();
        assertThat(alive(null, stopped)).isEmpty();
        assertThat(alive(Owners.hostName() + ":x@1/1;boot=" + THIS_BOOT + ";pidns=" + NS + ";ticks=" + TICKS, stopped)).isEmpty();
    }

    /** A coordinator of this very process is not one of another process to wait for (a test's, or one that ended in it). */
    @Test
    void thisProcessIsNotProvedAliveToItself() {
        assertThat(alive(owner(SELF, THIS_BOOT, NS, TICKS), only(stat(SELF, 'R', TICKS)))).isEmpty();
    }

    /** The real reading: a stopped child of this test, with the identity a coordinator of it would record. */
    @Test
    void aRealStoppedProcessIsProvedAliveAndStoppedThenRunningOnceContinued() throws Exception {
        Process child = new ProcessBuilder("cat").start();
        try {
            Owners.Here here = Owners.here();
            String owner = Owners.hostName() + ":" + child.pid() + "@1/1;boot=" + here.bootId() + ";pidns=" + here.pidNamespace()
                    + ";ticks=" + Owners.startTicksOf(child.pid()).orElseThrow();
            signal("STOP", child.pid());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> Owners.provablyAlive(owner).map(Owners.Alive::stopped).orElse(false));
            assertThat(Owners.provablyAlive(owner)).contains(new Owners.Alive(child.pid(), true));
            signal("CONT", child.pid());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> Owners.provablyAlive(owner).equals(Optional.of(new Owners.Alive(child.pid(), false))));
            child.destroyForcibly().waitFor();
            assertThat(Owners.provablyAlive(owner)).as("once gone").isEmpty();
        } finally {
            signal("CONT", child.pid());
            child.destroyForcibly();
        }
    }

    /** {@code kill -SIGNAL PID}; its complaint about a process already gone (a clean-up's) is not shown. */
    static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
