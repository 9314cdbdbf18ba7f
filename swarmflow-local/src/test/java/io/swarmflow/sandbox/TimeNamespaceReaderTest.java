package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Pins what the start-time comparisons of an attempt's own end rest on (review D3 F5): Linux shows field 22 of
 * {@code /proc/PID/stat} with the <em>reader's</em> time namespace offset, whatever namespace the process read runs in.
 * So the comparisons one process makes between start ticks it read itself (the attempt's leader against the processes
 * {@link Escapees} finds, a group member read again before its TERM in {@link ProcessGroups}, the pid a {@code ProcDir}
 * pinned) agree whatever time namespace those processes run in; only ticks recorded by another process (a stopped
 * coordinator's) may carry another offset, which {@code Owners} and the resume's orphan rule handle.
 */
class TimeNamespaceReaderTest {
    /**
     * For real, as root (CI's root leg; the ordinary user's skips: a time namespace needs CAP_SYS_ADMIN): a reader in a time
     * namespace 1000 s ahead reads a process's start 1000 s later than this one does; a process started in that namespace
     * reads here on this namespace's scale, after one started here before it.
     */
    @Test
    void startTicksCarryTheReadersOffsetNotTheProcesss() throws Exception {
        assumeTrue(PidsCgroup.realUidIsRoot(), "unshare --time needs root");
        Process here = new ProcessBuilder("sleep", "300").start();
        try {
            long ticksHere = ProcessGroups.startTicks(here.pid()).orElseThrow();
            long hz = Long.parseLong(run(List.of("getconf", "CLK_TCK")).strip());
            // a reader 1000 s ahead reads this process's start, then starts a process of its own and prints its pid
            String out = run(List.of("unshare", "--time", "--boottime", "1000", "--fork", "sh", "-c",
                    "cut -d' ' -f22 /proc/" + here.pid() + "/stat; setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $!"));
            List<String> lines = out.lines().toList();
            assertThat(lines).as(out).hasSize(2);
            assertThat(Long.parseLong(lines.get(0))).as("read from 1000 s ahead").isEqualTo(ticksHere + 1000 * hz);

            long inner = Long.parseLong(lines.get(1));
            try {
                long innerHere = ProcessGroups.startTicks(inner).orElseThrow();
                long nowHere = (long) (Double.parseDouble(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/uptime"))
                        .split(" ")[0]) * hz);
                assertThat(innerHere).as("the other namespace's process, read here").isGreaterThanOrEqualTo(ticksHere)
                        .isLessThanOrEqualTo(nowHere + 1);
            } finally {
                ProcessHandle.of(inner).ifPresent(ProcessHandle::destroyForcibly);
            }
        } finally {
            here.destroyForcibly();
        }
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        return out;
    }
}
