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
                + "/\\d+;boot=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12};pidns=\\d+;ticks=\\d+"
                + (Owners.here().timeNamespace() > 0 ? ";timens=" + Owners.here().timeNamespace() : ""));
        Owners.Here here = Owners.here();
        assertThat(Owners.Exact.of(owner)).isEqualTo(new Owners.Exact(here.bootId(), here.pidNamespace(),
                Owners.startTicksOf(ProcessHandle.current().pid()).orElseThrow(), here.timeNamespace()));
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
    void aZombieWithTheRecordedTicksIsDeadAsProvablyAliveSays() throws Exception {
        // review D1 F6: sh execs sleep, which never reaps its exited child: that child stays a zombie
        child = new ProcessBuilder("sh", "-c", "sleep 0 & exec sleep 60").start();
        java.nio.file.Path children = java.nio.file.Path.of("/proc", Long.toString(child.pid()), "task", Long.toString(child.pid()), "children");
        long[] zombie = {0};
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
            String list = java.nio.file.Files.readString(children).trim();
            if (list.isEmpty()) return false;
            zombie[0] = Long.parseLong(list.split(" ")[0]);
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(zombie[0]), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
        });
        long pid = zombie[0];
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        long millis = ProcessHandle.of(pid).orElseThrow().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        Owners.Here here = Owners.here();
        String owner = Owners.hostName() + ":" + pid + "@" + millis + "/1" + exact(here.bootId(), here.pidNamespace(), ticks)
                + ";timens=" + here.timeNamespace();
        assertThat(Owners.provablyAlive(owner)).isEmpty();
        assertThat(Owners.isDeadLocalProcess(owner)).as("a zombie").isTrue();
    }

    @Test
    void aPidWithOtherStartTicksAndAnotherStartIsAnotherProcess() throws Exception {
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        long millis = ProcessHandle.of(pid).orElseThrow().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        Owners.Here here = Owners.here();
        String reused = Owners.hostName() + ":" + pid + "@" + (millis - 60_000) + "/1" + exact(here.bootId(), here.pidNamespace(), ticks + 1)
                + ";timens=" + here.timeNamespace();
        assertThat(Owners.isDeadLocalProcess(reused)).as("the pid was reused").isTrue();
        // ticks that cannot be read of a live pid, or other ticks that a reader of an unknown time namespace reads: alive
        String alive = Owners.hostName() + ":" + pid + "@" + millis + "/1" + exact(THIS_BOOT, NS, ticks + 1);
        assertThat(Owners.isDeadLocalProcess(alive, HERE, p -> OptionalLong.empty())).isFalse();
        assertThat(Owners.isDeadLocalProcess(alive, HERE, p -> OptionalLong.of(ticks + 1))).isFalse();
        String stepped = Owners.hostName() + ":" + pid + "@" + (millis + 3_600_000) + "/1" + exact(THIS_BOOT, NS, ticks + 1);
        assertThat(Owners.isDeadLocalProcess(stepped, HERE, p -> OptionalLong.of(ticks)))
                .as("other ticks, other start, time namespaces not known: the lease is waited out").isFalse();
        assertThat(Owners.isDeadLocalProcess(stepped + ";timens=7", new Owners.Here(THIS_BOOT, NS, 7), p -> OptionalLong.of(ticks)))
                .as("other ticks in the same time namespace").isTrue();
    }

    /**
     * Review R3, finding 1: field 22 of {@code /proc/PID/stat} is shown in the reader's time namespace (Linux adds its
     * boottime offset), so a resume in a time namespace with another offset reads other ticks for the coordinator, which
     * lives: other ticks alone must not make it read as gone (a resume would run its run a second time at once). Its
     * start in milliseconds, which no time namespace moves, still matches.
     */
    @Test
    void aLiveProcessWhoseTicksAReaderInAnotherTimeNamespaceReadsOtherwiseIsNotGone() throws Exception {
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        long millis = ProcessHandle.of(pid).orElseThrow().info().startInstant().map(Instant::toEpochMilli).orElseThrow();
        String owner = Owners.hostName() + ":" + pid + "@" + millis + "/1" + exact(THIS_BOOT, NS, ticks);
        for (long offset : new long[]{10_000_000, -ticks}) { // a boottime offset of 100000 s (at 100 Hz); one down to 0
            assertThat(Owners.isDeadLocalProcess(owner, HERE, p -> OptionalLong.of(ticks + offset)))
                    .as("ticks read %d off", offset).isFalse();
        }
        assertThat(Owners.isDeadLocalProcess(owner, HERE, p -> OptionalLong.of(ticks))).as("the same ticks").isFalse();
    }

    /**
     * Review R3, finding 2: another boot id is an earlier boot of this machine, or another machine of the same host name
     * sharing the state dir (a cloned VM, two hosts both named {@code localhost}). Only a start before this boot's
     * {@code btime} tells the former: then its coordinator is gone; otherwise its lease is waited out, and it is said to
     * be neither of this boot nor of an earlier one.
     */
    @Test
    void aCoordinatorOfAnotherBootIdIsOfAnEarlierBootOnlyWhenItStartedBeforeThisOne() throws Exception {
        String late = "host:42@" + (BOOT + 5_000) + "/1" + exact(OTHER_BOOT, NS, 100);
        assertThat(Owners.isOfAnEarlierBoot(late, BOOTED, THIS_BOOT)).as("started after btime: maybe another machine").isFalse();
        assertThat(Owners.isOfThisBoot(late, BOOTED, THIS_BOOT)).isFalse();
        assertThat(Owners.isOfAnotherBootId(late, THIS_BOOT)).isTrue();
        String before = "host:42@" + (BOOT - 3_600_000) + "/1" + exact(OTHER_BOOT, NS, 100);
        assertThat(Owners.isOfAnEarlierBoot(before, BOOTED, THIS_BOOT)).as("another boot id, started before btime").isTrue();
        assertThat(Owners.isOfThisBoot(before, BOOTED, THIS_BOOT)).isFalse();
        assertThat(Owners.isOfAnEarlierBoot(before, OptionalLong.empty(), THIS_BOOT)).as("btime unknown").isFalse();
        String early = "host:42@" + (BOOT - 3_600_000) + "/1" + exact(THIS_BOOT, NS, 100);
        assertThat(Owners.isOfThisBoot(early, BOOTED, THIS_BOOT)).as("started 'before' btime (a clock step), same boot").isTrue();
        assertThat(Owners.isOfAnEarlierBoot(early, BOOTED, THIS_BOOT)).isFalse();
        assertThat(Owners.isOfAnotherBootId(early, THIS_BOOT)).isFalse();
        assertThat(Owners.isOfAnotherBootId(early, null)).as("ours not known").isFalse();
        assertThat(Owners.isOfAnotherBootId("host:42@1/1", THIS_BOOT)).as("not recorded").isFalse();
        assertThat(Owners.isOfAnotherBootId(null, THIS_BOOT)).isFalse();
        // a boot id on one side only: the starts decide, as before
        assertThat(Owners.isOfThisBoot(late, BOOTED, null)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot(early, BOOTED, null)).isTrue();
        assertThat(Owners.isOfThisBoot("host:42@" + (BOOT + 5_000) + "/1", BOOTED, THIS_BOOT)).isTrue();
        assertThat(Owners.isOfAnEarlierBoot("host:42@" + (BOOT - 3_600_000) + "/1", BOOTED, THIS_BOOT)).isTrue();

        // on this machine: a live process, recorded with another boot id and a start after this boot's, may be another
        // machine's coordinator (its pid is then not this machine's): not gone, its lease is waited out
        long pid = liveChild();
        long ticks = Owners.startTicksOf(pid).orElseThrow();
        String other = Owners.hostName() + ":" + pid + "@" + System.currentTimeMillis() + "/1"
                + exact(OTHER_BOOT, Owners.here().pidNamespace(), ticks);
        assertThat(Owners.isOfAnEarlierBoot(other)).isFalse();
        assertThat(Owners.isOfThisBoot(other)).isFalse();
        assertThat(Owners.isDeadLocalProcess(other)).isFalse();
        long dead = 1L << 30; // no process has this pid (pids are below 2^22): still not taken for gone
        String elsewhere = Owners.hostName() + ":" + dead + "@" + (BOOT + 5_000) + "/1" + exact(OTHER_BOOT, NS, 100);
        assertThat(Owners.isDeadLocalProcess(elsewhere, HERE, BOOTED, p -> OptionalLong.empty())).isFalse();
        String earlier = Owners.hostName() + ":" + pid + "@" + (BOOT - 60_000) + "/1" + exact(OTHER_BOOT, NS, ticks);
        assertThat(Owners.isDeadLocalProcess(earlier, HERE, BOOTED, p -> OptionalLong.of(ticks)))
                .as("started before this boot: ended with its boot, whatever has its pid now").isTrue();
        assertThat(Owners.isDeadLocalProcess(earlier, HERE, OptionalLong.empty(), p -> OptionalLong.of(ticks)))
                .as("this boot's start unknown").isFalse();
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
        // named for a person looking for the container (lsns -t pid shows the same number)
        assertThat(Owners.pidNamespacesShown("host:42@1/1;pidns=5", 6)).isEqualTo("pid:[5], not this process's pid:[6]");
        assertThat(Owners.pidNamespacesShown("host:42@1/1", 0)).isEqualTo("pid:[?], not this process's pid:[?]");
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
