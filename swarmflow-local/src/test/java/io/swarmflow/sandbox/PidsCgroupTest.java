package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The per-attempt pids cgroup: parsing, and on a host where it is usable (as root here), the real limit. */
class PidsCgroupTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheV1PidsHierarchyAndThisProcessesPlaceInIt() {
        List<String> hybrid = List.of(
                "30 1 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
                "37 30 0:34 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "38 30 0:35 / /sys/fs/cgroup/my\\040pids rw,relatime - cgroup cgroup rw,pids",
                "39 30 0:36 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
        assertThat(PidsCgroup.ownDirectory(hybrid, "/")).contains(Path.of("/sys/fs/cgroup/my pids"));
        assertThat(PidsCgroup.ownDirectory(hybrid, "/user.slice/x")).contains(Path.of("/sys/fs/cgroup/my pids/user.slice/x"));
        List<String> v2only = List.of("30 1 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate");
        assertThat(PidsCgroup.ownDirectory(v2only, "/")).isEmpty();

        assertThat(PidsCgroup.ownPath(List.of("9:name=systemd:/", "8:pids:/user.slice/x", "4:memory:/m", "0::/")))
                .contains("/user.slice/x");
        assertThat(PidsCgroup.ownPath(List.of("3:cpu,pids:/a"))).contains("/a");
        assertThat(PidsCgroup.ownPath(List.of("0::/user.slice"))).isEmpty();
    }

    /** In a container the hierarchy is mounted from the container's cgroup (mountinfo field 4), which starts our path. */
    @Test
    void aHierarchyMountedFromASubdirectoryIsJoinedWithoutItsRoot() {
        List<String> container = List.of(
                "600 590 0:40 /other /mnt/other-pids rw - cgroup cgroup rw,pids",
                "601 590 0:40 /docker/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids");
        assertThat(PidsCgroup.ownDirectory(container, "/docker/abc")).contains(Path.of("/sys/fs/cgroup/pids"));
        assertThat(PidsCgroup.ownDirectory(container, "/docker/abc/job")).contains(Path.of("/sys/fs/cgroup/pids/job"));
        assertThat(PidsCgroup.ownDirectory(container, "/docker/abcdef")).isEmpty(); // a prefix of the name is not a parent
        assertThat(PidsCgroup.ownDirectory(container, "/other/x")).contains(Path.of("/mnt/other-pids/x"));
    }

    /** The kernel takes at most PID_MAX_LIMIT as a number in pids.max; above, the limit is "max". */
    @Test
    void aLimitAboveWhatTheKernelTakesBecomesMax() throws Exception {
        assertThat(PidsCgroup.pidsMax(16)).isEqualTo("16");
        assertThat(PidsCgroup.pidsMax(PidsCgroup.PID_MAX_LIMIT)).isEqualTo("4194304");
        assertThat(PidsCgroup.pidsMax(PidsCgroup.PID_MAX_LIMIT + 1)).isEqualTo("max");
        PidsCgroup live = usable();
        try (PidsCgroup.Group g = live.create(PidsCgroup.PID_MAX_LIMIT - 1)) {
            assertThat(g.dir().resolve("pids.max")).hasContent("max"); // the limit plus the launcher's room is above it
        }
    }

    private static PidsCgroup usable() {
        Optional<PidsCgroup> c = PidsCgroup.get();
        assumeTrue(c.isPresent(), () -> "no usable cgroup v1 pids hierarchy here: " + PidsCgroup.problem());
        return c.get();
    }

    @Test
    void aTicketCannotStartMoreProcessesThanItsLimitEvenAsRoot() throws Exception {
        usable();
        assumeTrue(Files.isExecutable(Path.of("/bin/dash")), "dash reports a failed fork at once (bash retries for half a minute)");
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(0, 0, 0, 8)).build();
            SandboxProcess p = sandbox.start(spec, List.of("/bin/dash", "-c", "for i in $(seq 40); do sleep 5 & done; wait"), LineListener.NONE);
            Path dir = p.cgroup().dir();
            assertThat(dir.resolve("pids.max")).hasContent("8");
            assertThat(p.cgroup().tasks()).noneMatch(tid -> Files.exists(Path.of("/proc/self/task", tid))); // the JVM is not in it
            SandboxResult r = p.waitFor();

            assertThat(r.exitCode()).isNotZero();
            assertThat(r.lastStderrLine()).contains("Cannot fork");
            assertThat(dir).doesNotExist(); // the sleeps it did start were killed, and the group removed
        }
    }

    /** The launcher thread (and threads the start creates) are in the group while it starts, with room of their own: a limit of 1 still starts one. */
    @Test
    void aLimitOfOneProcessStillStartsOne() throws Exception {
        usable();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(0, 0, 0, 1)).build();
            SandboxProcess p = sandbox.start(spec, List.of("/bin/sh", "-c", "exec sleep 0.2"), LineListener.NONE);
            assertThat(p.cgroup().dir().resolve("pids.max")).hasContent("1");
            assertThat(p.waitFor().exitCode()).isZero();
        }
    }

    @Test
    void aProcessThatLeftTheGroupWithSetsidEndsWithTheAttempt() throws Exception {
        usable();
        Path pidFile = tmp.resolve("pid");
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).workspaceWritable(true)
                    .limits(new ProcessLimits(0, 0, 0, 64)).build();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! > " + pidFile),
                    LineListener.NONE).waitFor();

            assertThat(r.exitCode()).isZero();
            long escaped = Long.parseLong(Files.readString(pidFile).strip());
            await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(escaped).map(h -> !h.isAlive()).orElse(true));
        }
    }

    /**
     * Stale groups are looked for in a private parent cgroup, not in the hierarchy other test JVMs use. A dead
     * process's group is emptied and removed, with the cgroups a process created below it; a group of another pid
     * namespace is left alone: its process ids mean nothing here, and its Swarmflow may well be alive.
     */
    @Test
    void groupsOfADeadSwarmflowProcessAreEmptiedAndRemovedThoseOfOtherNamespacesKept() throws Exception {
        Path parent = Files.createDirectory(usable().parent().resolve("pidscgrouptest-" + ProcessHandle.current().pid() + "-" + System.nanoTime()));
        String ns = PidsCgroup.pidNamespace();
        // named after a process id above any pid_max: its Swarmflow process is certainly gone
        Path stale = Files.createDirectory(parent.resolve("swarmflow-" + ns + "-999999999-1-1"));
        Path nested = Files.createDirectories(stale.resolve("escaped/deeper"));
        Path foreign = Files.createDirectory(parent.resolve("swarmflow-1-999999999-1-1"));
        List<Process> sleepers = new java.util.ArrayList<>();
        try {
            for (Path group : List.of(stale, nested, foreign)) {
                Process sleeper = new ProcessBuilder("sleep", "300").start();
                sleepers.add(sleeper);
                Files.writeString(group.resolve("cgroup.procs"), Long.toString(sleeper.pid()));
            }

            PidsCgroup.at(parent).removeStale();

            assertThat(stale).doesNotExist();
            assertThat(sleepers.get(0).waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sleepers.get(1).waitFor(5, TimeUnit.SECONDS)).as("the process in a nested cgroup").isTrue();
            assertThat(foreign).exists();
            assertThat(sleepers.get(2).isAlive()).as("the process in another namespace's group").isTrue();
        } finally {
            sleepers.forEach(Process::destroyForcibly);
            for (Path p : List.of(nested, nested.getParent(), stale, foreign, parent)) {
                for (int i = 0; i < 100 && Files.exists(p); i++) {
                    try {
                        Files.delete(p);
                    } catch (java.io.IOException busy) {
                        Thread.sleep(20);
                    }
                }
            }
        }
    }

    /** A process that forks without end in its group, and in a cgroup it made below it, is stopped and both removed. */
    @Test
    void closingStopsAGroupThatKeepsForkingAndTheCgroupsBelowIt() throws Exception {
        PidsCgroup live = usable();
        PidsCgroup.Group g = live.create(64);
        Path below = Files.createDirectory(g.dir().resolve("below"));
        Process forker = live.startInside(g, () -> new ProcessBuilder("/bin/sh", "-c",
                "while :; do (sleep 300 &) 2>/dev/null; done").start());
        Process other = live.startInside(g, () -> new ProcessBuilder("sleep", "300").start());
        Files.writeString(below.resolve("cgroup.procs"), Long.toString(other.pid()));
        await().atMost(Duration.ofSeconds(10)).until(() -> g.processes().size() > 20);

        g.close();

        assertThat(g.dir()).doesNotExist();
        assertThat(forker.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(other.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * {@link PidsCgroup.Group#close()} first tries rmdir(2) alone; it relies on the kernel refusing that while a task
     * or a cgroup below is left, so that the sweep (limit 0, kill, remove deepest first) still runs then.
     */
    @Test
    void aGroupIsRemovedAloneOnlyWhenItHoldsNoTaskAndNoCgroup() throws Exception {
        PidsCgroup live = usable();
        PidsCgroup.Group busy = live.create(4);
        Process sleeper = live.startInside(busy, () -> new ProcessBuilder("sleep", "300").start());
        assertThat(PidsCgroup.Group.removeIfEmpty(busy.dir())).isFalse();
        assertThat(busy.dir()).exists();
        busy.close();
        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(busy.dir()).doesNotExist();

        PidsCgroup.Group parent = live.create(4);
        Path below = Files.createDirectory(parent.dir().resolve("below"));
        assertThat(PidsCgroup.Group.removeIfEmpty(parent.dir())).isFalse();
        assertThat(below).exists();
        parent.close();
        assertThat(parent.dir()).doesNotExist();

        PidsCgroup.Group empty = live.create(4);
        assertThat(PidsCgroup.Group.removeIfEmpty(empty.dir())).isTrue();
        assertThat(empty.dir()).doesNotExist();
        assertThat(PidsCgroup.Group.removeIfEmpty(empty.dir())).isTrue(); // gone already
    }

    /** The launcher thread's id is read once per platform thread, and is that thread's own. */
    @Test
    void theThreadIdIsTheCallingThreadsOwn() throws Exception {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        assertThat(PidsCgroup.threadId()).isEqualTo(link.substring(link.lastIndexOf('/') + 1));
        assertThat(PidsCgroup.threadId()).isEqualTo(link.substring(link.lastIndexOf('/') + 1));
        String[] other = new String[2];
        Thread t = new Thread(() -> {
            try {
                String l = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
                other[0] = l.substring(l.lastIndexOf('/') + 1);
                other[1] = PidsCgroup.threadId();
            } catch (Exception e) {
                other[1] = e.toString();
            }
        });
        t.start();
        t.join();
        assertThat(other[1]).isEqualTo(other[0]).isNotEqualTo(PidsCgroup.threadId());
    }

    /** Starting with ProcessBuilder (jspawnhelper, a reaper thread) fits in the launcher's room: a limit of 1 starts. */
    @Test
    void processBuilderStartsInAGroupWithALimitOfOne() throws Exception {
        PidsCgroup live = usable();
        try (PidsCgroup.Group g = live.create(1)) {
            Process p = live.startInside(g, () -> new ProcessBuilder("/bin/sh", "-c", "exec sleep 0.2").start());
            assertThat(g.dir().resolve("pids.max")).hasContent("1");
            assertThat(p.waitFor()).isZero();
        }
    }

    /** An interrupt while the attempt is being stopped (its grace) still empties and removes the cgroup. */
    @Test
    void anInterruptDuringTheGraceStillRemovesTheCgroup() throws Exception {
        usable();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(0, 0, 0, 8))
                    .grace(Duration.ofSeconds(30)).build();
            SandboxProcess p = sandbox.start(spec, List.of("/bin/sh", "-c", "trap '' TERM; echo ready; sleep 300 & wait; sleep 300"),
                    LineListener.NONE);
            Path dir = p.cgroup().dir();
            java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    p.waitFor();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            waiter.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> p.cgroup().processes().size() >= 2);
            p.cancel(); // TERM is ignored: the waiter goes into the 30 s grace, a timed wait
            await().atMost(Duration.ofSeconds(5)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
            waiter.interrupt();
            waiter.join(10_000);

            assertThat(waiter.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
            assertThat(dir).doesNotExist();
        }
    }

    /** A start refused because the sandbox is closed leaves no cgroup behind. */
    @Test
    void aStartAfterTheSandboxClosedLeavesNoCgroup() throws Exception {
        PidsCgroup live = usable();
        String mine = "swarmflow-" + PidsCgroup.pidNamespace() + "-" + ProcessHandle.current().pid() + "-";
        Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {});
        sandbox.close();
        SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(0, 0, 0, 8)).build();

        assertThatThrownBy(() -> sandbox.start(spec, List.of("/bin/true"), LineListener.NONE))
                .isInstanceOf(SandboxException.class).hasMessageContaining("the sandbox is closed");
        try (var groups = Files.list(live.parent())) {
            assertThat(groups.map(d -> d.getFileName().toString())).noneMatch(n -> n.startsWith(mine));
        }
    }

    /**
     * A process with only a thread in the group, its main thread outside, is not the attempt's: close() leaves it
     * alive, with the group's pids.max at 0 so nothing in the group can fork, gives up after its wait, and the
     * next create() removes the group once it is empty.
     */
    @Test
    void aProcessWithOnlyAThreadInTheGroupIsNotKilledAndTheGroupIsRemovedLater() throws Exception {
        PidsCgroup live = usable();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3 to make a process with two threads");
        Process twoThreads = new ProcessBuilder("/usr/bin/python3", "-c", """
                import threading, time
                def second():
                    print(threading.get_native_id(), flush=True)
                    time.sleep(300)
                threading.Thread(target=second, daemon=True).start()
                time.sleep(300)
                """).start();
        PidsCgroup.Group g = live.create(8);
        try {
            String tid = new java.io.BufferedReader(new java.io.InputStreamReader(twoThreads.getInputStream())).readLine().strip();
            Files.writeString(g.dir().resolve("tasks"), tid);
            assertThat(g.processes()).containsExactly(twoThreads.pid());

            g.close();

            assertThat(twoThreads.isAlive()).as("a process whose main thread is elsewhere").isTrue();
            assertThat(g.dir()).exists();
            assertThat(g.dir().resolve("pids.max")).hasContent("0");
        } finally {
            twoThreads.destroyForcibly().waitFor();
        }
        live.create(1).close(); // tries the group left over again
        assertThat(g.dir()).doesNotExist();
    }

    /** close() is not cut short by an interrupt: it still waits for the killed processes and removes the group, and keeps the interrupt. */
    @Test
    void closeIgnoresAnInterruptAndKeepsIt() throws Exception {
        PidsCgroup live = usable();
        PidsCgroup.Group g = live.create(8);
        Process sleeper = live.startInside(g, () -> new ProcessBuilder("sleep", "300").start());
        Thread.currentThread().interrupt();
        try {
            g.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(g.dir()).doesNotExist();
        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }
}
