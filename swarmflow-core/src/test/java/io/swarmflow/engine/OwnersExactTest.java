package io.swarmflow.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact parts of a coordinator's identity ({@code ;boot=...;pidns=...;ticks=...}, {@link Owners}): the boot id, the
 * pid namespace and the start ticks decide, where both sides know them, instead of the wall clock, which a step moves.
 */
class OwnersExactTest {
    static final long BOOT = 1_700_000_000_000L;
    static final OptionalLong BOOTED = OptionalLong.of(BOOT);
    static final String THIS_BOOT = "0f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    static final String OTHER_BOOT = "9e8d7c6b-5a49-4837-a625-14f3e2d1c0b9";
    static final long NS = 4026531836L;
    static final Owners.Here HERE = new Owners.Here(THIS_BOOT, NS);

    @TempDir
    Path tmp;

    Process child;

    @AfterEach
    void endTheChild() {
        if (child != null) child.destroyForcibly();
    }

    /** A live process of this machine, started by this test (it waits on its stdin, which the test never closes). */
    long liveChild() throws Exception {
        child = new ProcessBuilder("cat").start();
        return child.pid();
    }

    static String exact(String bootId, long pidns, long ticks) {
        return ";boot=" + bootId + ";pidns=" + pidns + ";ticks=" + ticks;
    }

    @Test
    void aCoordinatorCarriesTheBootIdThePidNamespaceAndItsStartTicksAfterItsNumber() {
        String owner = Owners.coordinator();
        assertThat(owner).matches(java.util.regex.Pattern.quote(Owners.current())
                + "/\\d+;boot=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12};pidns=\\d+;ticks=\\d+");
        Owners.Here here = Owners.here();
        assertThat(Owners.Exact.of(owner)).isEqualTo(new Owners.Exact(here.bootId(), here.pidNamespace(),
                Owners.startTicksOf(ProcessHandle.current().pid()).orElseThrow()));
    }

    /** How the callers of earlier versions read an owner id: host up to the last ':', pid up to the last '@', start to '/'. */
    @Test
    void aReaderOfHostPidAndStartAloneReadsTheSameAsBefore() {
        String owner = Owners.coordinator();
        int colon = owner.lastIndexOf(':');
        int at = owner.lastIndexOf('@');
        int slash = owner.indexOf('/', at);
        String current = Owners.current();
        assertThat(owner.substring(0, colon)).isEqualTo(current.substring(0, current.lastIndexOf(':')));
        assertThat(owner.substring(colon + 1, at)).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(owner.substring(at + 1, slash)).isEqualTo(current.substring(current.lastIndexOf('@') + 1));
        assertThat(Owners.isOnThisHost(owner)).isTrue();
        assertThat(Owners.isDeadLocalProcess(owner)).as("this very process").isFalse();
        assertThat(Owners.isOfThisBoot(owner)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot(owner)).isFalse();
        assertThat(Owners.isOfAnotherPidNamespace(owner)).isFalse();
    }

    /**
     * The clock-step case: a live coordinator whose recorded {@code startMillis} no longer matches the start Linux reports
     * for its pid (the clock was set an hour forward or back since it started) is alive by its start ticks. Without them
     * the old rule (a second of slack) takes it for gone, and a resume would take over a run it still executes.
     */
    @Test
    void aLiveProcessWithItsStartTicksIsAliveHoweverTheClockWasSet() throws Exception {
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        long millis = ProcessHandle.of(pid).orElseThrow().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        Owners.Here here = Owners.here();
        String host = Owners.hostName() + ":" + pid + "@";
        for (long step : new long[]{3_600_000, -3_600_000, 1_001, 0}) {
            String owner = host + (millis + step) + "/1" + exact(here.bootId(), here.pidNamespace(), ticks);
            assertThat(Owners.isDeadLocalProcess(owner)).as("clock stepped by %d ms", step).isFalse();
        }
        String stepped = host + (millis + 3_600_000) + "/1" + exact(here.bootId(), here.pidNamespace(), ticks);
        assertThat(Owners.isOfThisBoot(stepped)).isTrue();
        assertThat(Owners.isDeadLocalProcess(host + (millis + 3_600_000) + "/1")).as("no exact parts: the old rule").isTrue();
        assertThat(Owners.isDeadLocalProcess(host + millis + "/1")).as("no exact parts: the old rule").isFalse();
    }

    @Test
    void aPidWithOtherStartTicksIsAnotherProcessThoughItsStartMillisMatch() throws Exception {
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        long millis = ProcessHandle.of(pid).orElseThrow().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        Owners.Here here = Owners.here();
        String owner = Owners.hostName() + ":" + pid + "@" + millis + "/1" + exact(here.bootId(), here.pidNamespace(), ticks + 1);
        assertThat(Owners.isDeadLocalProcess(owner)).as("the pid was reused").isTrue();
        // ticks that cannot be read of a live pid: the rule of the wall clock
        String alive = Owners.hostName() + ":" + pid + "@" + millis + "/1" + exact(THIS_BOOT, NS, ticks + 1);
        assertThat(Owners.isDeadLocalProcess(alive, HERE, p -> OptionalLong.empty())).isFalse();
        assertThat(Owners.isDeadLocalProcess(alive, HERE, p -> OptionalLong.of(ticks + 1))).isFalse();
        assertThat(Owners.isDeadLocalProcess(alive, HERE, p -> OptionalLong.of(ticks))).isTrue();
    }

    @Test
    void aCoordinatorOfAnotherBootIdIsOfAnEarlierBootAndGoneWhateverItsStartMillisSay() throws Exception {
        String late = "host:42@" + (BOOT + 5_000) + "/1" + exact(OTHER_BOOT, NS, 100);
        assertThat(Owners.isOfAnEarlierBoot(late, BOOTED, THIS_BOOT)).as("started after btime, yet another boot").isTrue();
        assertThat(Owners.isOfThisBoot(late, BOOTED, THIS_BOOT)).isFalse();
        String early = "host:42@" + (BOOT - 3_600_000) + "/1" + exact(THIS_BOOT, NS, 100);
        assertThat(Owners.isOfThisBoot(early, BOOTED, THIS_BOOT)).as("started 'before' btime (a clock step), same boot").isTrue();
        assertThat(Owners.isOfAnEarlierBoot(early, BOOTED, THIS_BOOT)).isFalse();
        // a boot id on one side only: the starts decide, as before
        assertThat(Owners.isOfThisBoot(late, BOOTED, null)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot(early, BOOTED, null)).isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000) + "/1", BOOTED, THIS_BOOT)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 3_600_000) + "/1", BOOTED, THIS_BOOT)).isTrue();

        // on this machine: a live process of it, recorded with another boot id, is gone (its boot ended)
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        String other = Owners.hostName() + ":" + pid + "@" + System.currentTimeMillis() + "/1"
                + exact(OTHER_BOOT, Owners.here().pidNamespace(), ticks);
        assertThat(Owners.isOfAnEarlierBoot(other)).isTrue();
        assertThat(Owners.isOfThisBoot(other)).isFalse();
        assertThat(Owners.isDeadLocalProcess(other)).isTrue();
    }

    @Test
    void aCoordinatorOfAnotherPidNamespaceIsNeitherGoneNorOursToKill() throws Exception {
        long dead = 1L << 30; // no process has this pid (pids are below 2^22)
        String owner = Owners.hostName() + ":" + dead + "@" + System.currentTimeMillis() + "/1"
                + exact(Owners.here().bootId(), Owners.here().pidNamespace() + 1, 100);
        assertThat(Owners.isOfAnotherPidNamespace(owner)).isTrue();
        assertThat(Owners.isDeadLocalProcess(owner)).as("its pid is not one to look up here").isFalse();
        assertThat(Owners.isOfThisBoot(owner)).as("the boot is the same").isTrue();
        String ours = Owners.hostName() + ":" + dead + "@" + System.currentTimeMillis() + "/1"
                + exact(Owners.here().bootId(), Owners.here().pidNamespace(), 100);
        assertThat(Owners.isOfAnotherPidNamespace(ours)).isFalse();
        assertThat(Owners.isDeadLocalProcess(ours)).isTrue();
        assertThat(Owners.isOfAnotherPidNamespace("host:42@1/1")).as("not recorded").isFalse();
        assertThat(Owners.isOfAnotherPidNamespace(null)).isFalse();
        assertThat(Owners.isOfAnotherPidNamespace("host:42@1/1;pidns=5", 0)).as("ours not known").isFalse();
        assertThat(Owners.isOfAnotherPidNamespace("host:42@1/1;pidns=5", 6)).isTrue();
    }

    @Test
    void malformedOrUnknownPartsAreUnknownAndTheOldRulesApply() {
        assertThat(Owners.Exact.of(null)).isEqualTo(Owners.Exact.NONE);
        assertThat(Owners.Exact.of("host:42@1/1")).isEqualTo(Owners.Exact.NONE);
        assertThat(Owners.Exact.of("host:42@1/1;boot=nope;pidns=-3;ticks=x;later=7;;="))
                .isEqualTo(Owners.Exact.NONE);
        assertThat(Owners.Exact.of("host:42@1/1;ticks=0;later=7;pidns=12;boot=" + THIS_BOOT))
                .isEqualTo(new Owners.Exact(THIS_BOOT, 12, 0));
        // a malformed boot id is no boot id: the starts decide
        String owner = "host:42@" + (BOOT + 5_000) + "/1;boot=" + OTHER_BOOT.substring(1);
        assertThat(Owners.isOfThisBoot(owner, BOOTED, THIS_BOOT)).isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000) + ";boot=" + THIS_BOOT, BOOTED)).as("no /n").isTrue();
    }

    @Test
    void theBootIdAndPidNamespaceAreReadFromProc() throws Exception {
        Path id = tmp.resolve("boot_id");
        Files.writeString(id, THIS_BOOT.toUpperCase() + "\n");
        assertThat(Owners.bootId(id)).isEqualTo(THIS_BOOT);
        Files.writeString(id, "not a uuid\n");
        assertThat(Owners.bootId(id)).isNull();
        assertThat(Owners.bootId(tmp.resolve("missing"))).as("off Linux").isNull();
        assertThat(Owners.pidNamespaceInode("pid:[4026531836]")).isEqualTo(4026531836L);
        for (String other : new String[]{"mnt:[4026531836]", "pid:[]", "pid:[x]", "pid:[-1]", "pid:4026531836", ""}) {
            assertThat(Owners.pidNamespaceInode(other)).as(other).isZero();
        }
        Path link = tmp.resolve("pid");
        Files.createSymbolicLink(link, Path.of("pid:[4026532201]"));
        assertThat(Owners.pidNamespace(link)).isEqualTo(4026532201L);
        assertThat(Owners.pidNamespace(tmp.resolve("missing"))).isZero();
        assertThat(Owners.here().bootId()).isEqualTo(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip());
        assertThat(Owners.here().pidNamespace()).isPositive();
    }
}
