package io.swarmflow.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;

import static io.swarmflow.engine.TimeNamespaceIds.BOOT;
import static io.swarmflow.engine.TimeNamespaceIds.OTHER_TIMENS;
import static io.swarmflow.engine.TimeNamespaceIds.PIDNS;
import static io.swarmflow.engine.TimeNamespaceIds.TICKS;
import static io.swarmflow.engine.TimeNamespaceIds.TIMENS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time namespace in a coordinator's identity ({@code ;timens=INODE}, {@link Owners}): Linux shows a process's start
 * ticks in the reader's time namespace, so other ticks prove another process (the coordinator gone, its pid reused) only
 * to a reader of the coordinator's pid namespace and time namespace; otherwise a live process with its pid is taken for
 * the coordinator and its lease is waited out, never taken over. Each row of the decision table of
 * {@link Owners#isDeadLocalProcess(String, Owners.Here, OptionalLong, java.util.function.LongFunction)} is one test: the
 * pid is a live child of this test, the ticks a reader sees are given (a fake {@code /proc/PID/stat}).
 */
class OwnersTimeNamespaceTest {
    /** Other ticks: what a reader in a time namespace 100000 s (at 100 Hz) ahead reads, or another process's. */
    static final long OTHER_TICKS = TICKS + 10_000_000;

    @TempDir
    Path tmp;

    Process child;
    long pid;
    long millis;

    @AfterEach
    void endTheChild() {
        if (child != null) child.destroyForcibly();
    }

    /** A live process of this machine, started by this test (it waits on its stdin, which the test never closes). */
    void liveChild() throws Exception {
        child = new ProcessBuilder("cat").start();
        pid = child.pid();
        millis = child.info().startInstant().map(Instant::toEpochMilli).orElseThrow();
    }

    /** The live child's identity as a coordinator of {@code BOOT} recorded it, {@code parts} after its {@code /1}. */
    String owner(long startMillis, String parts) {
        return Owners.hostName() + ":" + pid + "@" + startMillis + "/1" + parts;
    }

    static String parts(long pidns, long ticks, long timens) {
        return TimeNamespaceIds.parts(BOOT, pidns, ticks, timens);
    }

    boolean dead(String owner, Owners.Here here, OptionalLong readTicks) {
        return Owners.isDeadLocalProcess(owner, here, OptionalLong.empty(), p -> readTicks);
    }

    @Test
    void theSameTicksAreTheCoordinatorInAnyTimeNamespaceHoweverTheClockWasSet() throws Exception {
        liveChild();
        for (Owners.Here here : new Owners.Here[]{new Owners.Here(BOOT, PIDNS, TIMENS), new Owners.Here(BOOT, PIDNS, OTHER_TIMENS),
                new Owners.Here(BOOT, PIDNS, 0), new Owners.Here(BOOT, PIDNS, Owners.NO_TIME_NAMESPACES)}) {
            assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(TICKS)))
                    .as("%s", here).isFalse();
        }
    }

    /** The row the gap was about, the other way: a reader of the same namespaces reads the coordinator's ticks as it did. */
    @Test
    void otherTicksInTheSamePidAndTimeNamespaceAreAnotherProcess() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, TIMENS);
        assertThat(dead(owner(millis, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS)))
                .as("started within the same second by the wall clock, yet another process").isTrue();
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS))).isTrue();
    }

    /** Before Linux 5.6, or built without time namespaces: no reader's ticks are offset. */
    @Test
    void otherTicksOnAKernelWithoutTimeNamespacesAreAnotherProcess() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, Owners.NO_TIME_NAMESPACES);
        assertThat(dead(owner(millis, parts(PIDNS, TICKS, 0)), here, OptionalLong.of(OTHER_TICKS))).isTrue();
        assertThat(dead(owner(millis, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS)))
                .as("a time namespace recorded on this boot, yet none here: /proc is not what it seems, cannot tell").isFalse();
    }

    /**
     * The known gap: a live coordinator in another time namespace, whose ticks this reader reads otherwise, and the wall
     * clock stepped by more than a second since it started. The old rule (a second of slack on the start in
     * milliseconds) took it for gone, and a resume took its run over and killed its attempts.
     */
    @Test
    void otherTicksInAnotherTimeNamespaceAreNotGoneEvenAfterAClockStep() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, OTHER_TIMENS);
        for (long step : new long[]{0, 1_001, 3_600_000, -3_600_000}) {
            assertThat(dead(owner(millis + step, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS)))
                    .as("clock stepped by %d ms", step).isFalse();
        }
    }

    /** An identity of an older swarm (no timens): which time namespace it read its ticks in is not known. */
    @Test
    void otherTicksOfACoordinatorThatRecordedNoTimeNamespaceAreNotGone() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, TIMENS);
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, 0)), here, OptionalLong.of(OTHER_TICKS))).isFalse();
    }

    @Test
    void otherTicksWhenThisProcesssTimeNamespaceIsUnknownAreNotGone() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, 0);
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS))).isFalse();
    }

    @Test
    void otherTicksWhenAPidNamespaceIsUnknownAreNotGone() throws Exception {
        liveChild();
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), new Owners.Here(BOOT, 0, TIMENS),
                OptionalLong.of(OTHER_TICKS))).as("this process's").isFalse();
        assertThat(dead(owner(millis + 3_600_000, ";boot=" + BOOT + ";ticks=" + TICKS + ";timens=" + TIMENS),
                new Owners.Here(BOOT, PIDNS, TIMENS), OptionalLong.of(OTHER_TICKS))).as("the coordinator's").isFalse();
    }

    @Test
    void ticksThatCannotBeReadOfALivePidAreNotGone() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, TIMENS);
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.empty())).isFalse();
    }

    @Test
    void aCoordinatorOfAnotherPidNamespaceIsNotGoneWhateverItsTicks() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS + 1, TIMENS);
        assertThat(dead(owner(millis + 3_600_000, parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.of(OTHER_TICKS))).isFalse();
    }

    @Test
    void aPidNoProcessHasIsGoneInAnyTimeNamespace() {
        pid = 1L << 30; // pids are below 2^22
        for (Owners.Here here : new Owners.Here[]{new Owners.Here(BOOT, PIDNS, TIMENS), new Owners.Here(BOOT, PIDNS, OTHER_TIMENS),
                new Owners.Here(BOOT, PIDNS, 0)}) {
            assertThat(dead(owner(System.currentTimeMillis(), parts(PIDNS, TICKS, TIMENS)), here, OptionalLong.empty()))
                    .as("%s", here).isTrue();
        }
    }

    /** Without start ticks there is nothing but the wall clock: a second of slack, as before. */
    @Test
    void anIdentityWithoutStartTicksGoesByTheWallClockAsBefore() throws Exception {
        liveChild();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, TIMENS);
        String noTicks = ";boot=" + BOOT + ";pidns=" + PIDNS + ";timens=" + TIMENS;
        assertThat(dead(owner(millis, noTicks), here, OptionalLong.of(OTHER_TICKS))).isFalse();
        assertThat(dead(owner(millis + 3_600_000, noTicks), here, OptionalLong.of(OTHER_TICKS))).isTrue();
        assertThat(dead(owner(millis, ""), here, OptionalLong.of(OTHER_TICKS))).isFalse();
        assertThat(dead(owner(millis - 60_000, ""), here, OptionalLong.of(OTHER_TICKS))).isTrue();
    }

    @Test
    void theTimeNamespaceIsWrittenAfterTheOtherPartsAndReadBackInAnyOrder() {
        String owner = Owners.coordinator();
        Owners.Here here = Owners.here();
        Owners.Exact exact = Owners.Exact.of(owner);
        assertThat(exact.timeNamespace()).isEqualTo(Math.max(here.timeNamespace(), 0));
        assertThat(exact.bootId()).isEqualTo(here.bootId());
        assertThat(exact.pidNamespace()).isEqualTo(here.pidNamespace());
        if (here.timeNamespace() > 0) assertThat(owner).endsWith(";timens=" + here.timeNamespace());

        assertThat(Owners.Exact.of("h:1@2/3" + parts(PIDNS, TICKS, TIMENS))).isEqualTo(new Owners.Exact(BOOT, PIDNS, TICKS, TIMENS));
        assertThat(Owners.Exact.of("h:1@2/3;timens=" + TIMENS + ";later=x;ticks=" + TICKS + ";boot=" + BOOT + ";pidns=" + PIDNS))
                .as("any order, a later version's part skipped").isEqualTo(new Owners.Exact(BOOT, PIDNS, TICKS, TIMENS));
        assertThat(Owners.Exact.of("h:1@2/3" + parts(PIDNS, TICKS, 0))).as("an older swarm's")
                .isEqualTo(new Owners.Exact(BOOT, PIDNS, TICKS, 0));
        for (String bad : new String[]{"-5", "0", "x", "", "time:[5]"}) {
            assertThat(Owners.Exact.of("h:1@2/3;timens=" + bad).timeNamespace()).as(bad).isZero();
        }
        assertThat(Owners.shown(owner)).as("not shown to a person").doesNotContain(";");
    }

    @Test
    void theTimeNamespaceIsReadFromProc() throws Exception {
        Path link = Files.createSymbolicLink(tmp.resolve("time"), Path.of("time:[4026532201]"));
        assertThat(Owners.timeNamespace(link, PIDNS)).isEqualTo(4026532201L);
        Path pidLink = Files.createSymbolicLink(tmp.resolve("pid"), Path.of("pid:[4026532201]"));
        assertThat(Owners.timeNamespace(pidLink, PIDNS)).as("another namespace's link").isZero();
        assertThat(Owners.timeNamespace(tmp.resolve("missing"), PIDNS)).as("no such link beside a pid namespace's")
                .isEqualTo(Owners.NO_TIME_NAMESPACES);
        assertThat(Owners.timeNamespace(tmp.resolve("missing"), 0)).as("no /proc at all").isZero();
        Path self = Path.of("/proc/self/ns/time");
        long expected = Files.exists(self, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? Owners.namespaceInode("time", Files.readSymbolicLink(self).toString()) : Owners.NO_TIME_NAMESPACES;
        assertThat(Owners.here().timeNamespace()).isEqualTo(expected);
    }
}
