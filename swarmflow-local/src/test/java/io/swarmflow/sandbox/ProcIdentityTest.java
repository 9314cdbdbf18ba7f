package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A process is identified by pid and start time only when both, and what makes it the attempt's, are read of the same
 * process: a pid listed, then ended and handed out again before its files are read, must not lend its number to
 * another process's start time or environment. And a process that cannot be seen or compared here (hidepid, another
 * time namespace) is not taken for gone.
 */
class ProcIdentityTest {
    @TempDir
    Path tmp;

    private static final List<byte[]> MARKERS = Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1"));

    private static void process(Path dir, long pid, long startTicks, long uid, String environ) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stat"), pid + " (sh) S 1 " + pid + " " + pid + " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
                + startTicks + " 0 0");
        Files.writeString(dir.resolve("status"), "Name:\tsh\nTgid:\t" + pid + "\nPid:\t" + pid + "\nUid:\t" + uid + "\t" + uid
                + "\t" + uid + "\t" + uid + "\n");
        Files.write(dir.resolve("environ"), environ.replace(';', '\0').getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("cmdline"), ("sh\0-c\0sleep " + startTicks + "\0").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The listing named pid 100 (an attempt's process started at 500); it ended and 100 went to another process (started
     * at 900, without the markers) before its files were read. Read through the directory opened first, every file is
     * still the first process's: the identity and the environment agree. (Here the "reuse" is a directory renamed and
     * another made under the old name; for /proc the opened directory of an ended process reads nothing at all.)
     */
    @Test
    void theFilesOfAProcessAreReadThroughTheDirectoryOpenedFirst() throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc.resolve("100"), 100, 500, 1000, "PATH=/bin;SWARM_RUN_ID=r;SWARM_TICKET_ID=t;SWARM_ATTEMPT=1;");
        Escapees.Found found;
        try (Escapees.ProcDir dir = Escapees.ProcDir.open(proc.resolve("100"))) {
            Files.move(proc.resolve("100"), proc.resolve("ended"));
            process(proc.resolve("100"), 100, 900, 1000, "PATH=/bin;");

            found = Escapees.identify(100, dir, 400, MARKERS, 1000);
        }
        assertThat(found).isNotNull();
        assertThat(found.startTicks()).isEqualTo(500);
        assertThat(found.commandLine()).isEqualTo("sh -c sleep 500");
    }

    @Test
    void theOtherRulesOfTheAttemptsProcessesStillHold() throws Exception {
        Path proc = tmp.resolve("proc");
        process(proc.resolve("7"), 7, 500, 1000, "SWARM_RUN_ID=r;SWARM_TICKET_ID=t;SWARM_ATTEMPT=1");
        try (Escapees.ProcDir dir = Escapees.ProcDir.open(proc.resolve("7"))) {
            assertThat(Escapees.identify(7, dir, 400, MARKERS, 1000)).isNotNull();
            assertThat(Escapees.identify(7, dir, 600, MARKERS, 1000)).as("started before the attempt").isNull();
            assertThat(Escapees.identify(7, dir, 400, MARKERS, 0)).as("another user's").isNull();
            assertThat(Escapees.identify(8, dir, 400, MARKERS, 1000)).as("a thread of process 7, probed as 8").isNull();
        }
        process(proc.resolve("9"), 9, 500, 1000, "SWARM_RUN_ID=r;SWARM_TICKET_ID=t");
        try (Escapees.ProcDir dir = Escapees.ProcDir.open(proc.resolve("9"))) {
            assertThat(Escapees.identify(9, dir, 400, MARKERS, 1000)).as("a marker missing").isNull();
        }
    }

    /** The real /proc: the directory of a process opened while it ran reads nothing once it has ended and been reaped. */
    @Test
    void aProcDirectoryOfAnEndedProcessReadsNothingWhateverHasItsPidNow() throws Exception {
        Process p = new ProcessBuilder(List.of("sleep", "300")).start();
        try (Escapees.ProcDir dir = Escapees.ProcDir.open(Path.of("/proc", Long.toString(p.pid())))) {
            assertThat(Escapees.startTicksOfStat(new String(dir.read("stat", 1024), StandardCharsets.UTF_8)))
                    .isEqualTo(ProcessGroups.startTicks(p.pid()).orElseThrow());
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(() -> dir.read("stat", 1024)).isInstanceOf(java.io.IOException.class);
        } finally {
            p.destroyForcibly();
        }
    }

    /** The group's members are signalled one by one (the TERM under bubblewrap) only while each is still the one found. */
    @Test
    void aMemberIsStillTheOneFoundOnlyWithTheStartTimeTheScanRead() throws Exception {
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            ProcessGroups.Stat now = ProcessGroups.stat(Path.of("/proc", Long.toString(p.pid())));
            assertThat(ProcessGroups.stillMember(now, p.pid())).isTrue();
            String[] other = now.fields().clone();
            other[19] = Long.toString(Long.parseLong(other[19]) - 1); // what a process that had the pid before read
            assertThat(ProcessGroups.stillMember(new ProcessGroups.Stat(p.pid(), now.command(), other), p.pid())).isFalse();
            assertThat(ProcessGroups.stillMember(now, p.pid() + 1)).as("another group").isFalse();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aPidHiddenByHidepidThatKillSaysExistsCannotBeToldGone() {
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), Kill.EPERM, Kill.EPERM, "time:[1]", null))
                .isEqualTo("process 4242 exists (kill(2) answers EPERM: another user's) but /proc does not show it (mounted "
                        + "with hidepid=), so whether it is the attempt's cannot be told");
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), Kill.ESRCH, Kill.EPERM, "time:[1]", null))
                .startsWith("a process of group 4242 exists");
        // gone for kill(2) as well: it can be told
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.empty(), Kill.ESRCH, Kill.ESRCH, "time:[1]", null)).isNull();
    }

    @Test
    void otherStartTicksInAnotherTimeNamespaceCannotBeCompared() {
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.of(800), 0, 0, "time:[1]", "time:[2]"))
                .isEqualTo("process 4242 runs in another time namespace (time:[2]) than this one (time:[1]), where its start "
                        + "time (field 22 of /proc/4242/stat) reads with another offset, so it cannot be compared with the "
                        + "recorded one");
        // the same time namespace: other ticks are another process's; the same ticks are the process
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.of(800), 0, 0, "time:[1]", "time:[1]")).isNull();
        assertThat(ProcessGroups.uncheckable(4242, 500, OptionalLong.of(500), 0, 0, "time:[1]", "time:[2]")).isNull();
    }

    /** This JVM's own children: nothing stands in the way of telling. */
    @Test
    void aChildOfThisJvmCanBeToldAndIsAlive() throws Exception {
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            long ticks = ProcessGroups.startTicks(p.pid()).orElseThrow();
            assertThat(ProcessGroups.orphanGroupUncheckable(p.pid(), ticks)).isNull();
            assertThat(ProcessGroups.orphanGroupAlive(p.pid(), ticks)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
