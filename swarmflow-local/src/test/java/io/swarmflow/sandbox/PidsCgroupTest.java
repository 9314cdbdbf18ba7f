package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
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
        assertThat(PidsCgroup.pidsMount(hybrid)).contains(Path.of("/sys/fs/cgroup/my pids"));
        List<String> v2only = List.of("30 1 0:27 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate");
        assertThat(PidsCgroup.pidsMount(v2only)).isEmpty();

        assertThat(PidsCgroup.ownPath(List.of("9:name=systemd:/", "8:pids:/user.slice/x", "4:memory:/m", "0::/")))
                .contains("/user.slice/x");
        assertThat(PidsCgroup.ownPath(List.of("3:cpu,pids:/a"))).contains("/a");
        assertThat(PidsCgroup.ownPath(List.of("0::/user.slice"))).isEmpty();
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

    /** The launcher thread (and a thread the start creates) are in the group while it starts: a limit of 1 still starts. */
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

    @Test
    void groupsOfADeadSwarmflowProcessAreEmptiedAndRemoved() throws Exception {
        PidsCgroup live = usable();
        // a group named after a process id above any pid_max: its Swarmflow process is certainly gone
        PidsCgroup.Group probe = live.create(4);
        Path stale = probe.dir().resolveSibling("swarmflow-999999999-1-1");
        probe.close();
        Files.createDirectory(stale);
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try {
            Files.writeString(stale.resolve("cgroup.procs"), Long.toString(sleeper.pid()));

            PidsCgroup.open();

            assertThat(stale).doesNotExist();
            assertThat(sleeper.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            sleeper.destroyForcibly();
            if (Files.exists(stale)) new ProcessBuilder("rmdir", stale.toString()).start().waitFor();
        }
    }
}
