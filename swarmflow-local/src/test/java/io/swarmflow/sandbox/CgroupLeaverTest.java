package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Without bubblewrap a root ticket can write the cgroup hierarchy, and so move a process of its own out of the
 * attempt's pids cgroup (into swarm's own), which the cgroup's final kill then missed, as did the escapee scan, which
 * only ran where there was no cgroup. It is now found by its environment too.
 */
class CgroupLeaverTest {
    @TempDir
    Path tmp;

    @Test
    void aRootTicketWithoutBubblewrapThatLeavesItsCgroupIsStillFoundAndEnded() throws Exception {
        // as PidsCgroupTest: CI runs this as root on a host with a writable cgroup v1 pids hierarchy
        assumeTrue(PidsCgroup.get().isPresent(), () -> "no usable cgroup v1 pids hierarchy here: " + PidsCgroup.problem());
        Path procs = PidsCgroup.get().orElseThrow().parent().resolve("cgroup.procs");
        Path pidFile = tmp.resolve("pid");
        long pid = -1;
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off in this test"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).workspaceWritable(true)
                    .limits(new ProcessLimits(0, 0, 0, 64)).grace(Duration.ofMillis(200))
                    // bounded: if the move into the parent's cgroup.procs fails, the pid file never comes and the loop
                    // below would spin forever; the attempt times out instead, and the test fails (review D2 F10)
                    .timeout(Duration.ofSeconds(60))
                    .env(Map.of("SWARM_RUN_ID", "r-leaver", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1")).build();
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c",
                    "setsid bash -c 'echo $$ > \"$1\" && echo $$ > \"$2.tmp\" && mv \"$2.tmp\" \"$2\" && exec sleep 600' x \"$1\" \"$2\""
                            + " </dev/null >/dev/null 2>&1 & while [ ! -s \"$2\" ]; do sleep 0.05; done",
                    "x", procs.toString(), pidFile.toString()), LineListener.NONE);
            assertThat(p.cgroup()).isNotNull();
            SandboxResult result = p.waitFor();
            pid = Long.parseLong(Files.readString(pidFile).strip());

            assertThat(result.exitCode()).as("termination: %s", result.termination()).isZero();
            assertThat(result.escaped()).singleElement().asString().startsWith(pid + " (sleep 600");
            long gone = pid;
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Escapees.liveStartTicks(Path.of("/proc/" + gone)) < 0);
        } finally {
            if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
