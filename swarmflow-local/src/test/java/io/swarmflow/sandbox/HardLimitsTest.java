package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A ticket's limits above the coordinator's own hard limits, which prlimit could not set (the launch would fail). */
class HardLimitsTest {
    @TempDir
    Path tmp;

    /** /proc/self/limits of a process under {@code ulimit -Ht 1800 -Hu 4096}, as Linux 6 prints it. */
    static final String LIMITS = """
            Limit                     Soft Limit           Hard Limit           Units     \s
            Max cpu time              1800                 1800                 seconds   \s
            Max file size             unlimited            unlimited            bytes     \s
            Max data size             unlimited            unlimited            bytes     \s
            Max stack size            8388608              unlimited            bytes     \s
            Max core file size        0                    unlimited            bytes     \s
            Max resident set          unlimited            unlimited            bytes     \s
            Max processes             4096                 4096                 processes \s
            Max open files            1048576              1048576              files     \s
            Max locked memory         8388608              8388608              bytes     \s
            Max address space         unlimited            unlimited            bytes     \s
            Max file locks            unlimited            unlimited            locks     \s
            Max pending signals       96368                96368                signals   \s
            Max msgqueue size         819200               819200               bytes     \s
            Max nice priority         0                    0                    \s
            Max realtime priority     0                    0                    \s
            Max realtime timeout      unlimited            unlimited            us        \s
            """;
    /** CapEff of root in a container without CAP_SYS_RESOURCE (bit 24 clear). */
    static final String STATUS_NO_CAP = "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\n";
    static final String STATUS_ROOT = "Name:\tjava\nCapEff:\t000001ffffffffff\n";

    @Test
    void parsesTheHardLimitsAndTheCapability() {
        HardLimits h = HardLimits.parse(LIMITS, STATUS_NO_CAP);
        assertThat(h.hard()).isEqualTo(new ProcessLimits(1800, 0, 0, 4096));
        assertThat(h.canRaise()).isFalse();
        assertThat(HardLimits.parse(LIMITS, STATUS_ROOT).canRaise()).isTrue();
        assertThatThrownBy(() -> HardLimits.parse("Limit  Soft Limit  Hard Limit\n", STATUS_ROOT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HardLimits.parse(LIMITS, "Name:\tjava\n")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clampsOnlyWhatIsAboveAHardLimitAndOnlyWithoutTheCapability() {
        HardLimits h = HardLimits.parse(LIMITS, STATUS_NO_CAP);
        ProcessLimits wanted = new ProcessLimits(3600, 8L << 30, 1L << 30, 1024);
        assertThat(h.clamp(wanted)).isEqualTo(new ProcessLimits(1800, 8L << 30, 1L << 30, 1024));
        assertThat(h.clamped(wanted)).containsExactly("cpu-time 3600 s -> 1800 s (ulimit -Ht)");
        assertThat(h.clamp(new ProcessLimits(600, 0, 0, 8192))).as("0 passes no limit: the child inherits the hard one")
                .isEqualTo(new ProcessLimits(600, 0, 0, 4096));
        assertThat(HardLimits.parse(LIMITS, STATUS_ROOT).clamp(wanted)).as("CAP_SYS_RESOURCE may raise it").isEqualTo(wanted);
        assertThat(HardLimits.NONE.clamp(wanted)).isEqualTo(wanted);
    }

    /** The hard CPU limit is a second above the soft one (SIGXCPU first, then SIGKILL), never above this process's own. */
    @Test
    void theHardCpuLimitLeavesASecondForSigxcpuWhereItMay() {
        assertThat(HardLimits.NONE.cpuHardFor(60)).isEqualTo(61);
        assertThat(HardLimits.parse(LIMITS, STATUS_NO_CAP).cpuHardFor(60)).isEqualTo(61);
        assertThat(HardLimits.parse(LIMITS, STATUS_NO_CAP).cpuHardFor(1800)).as("at the hard limit of swarm").isEqualTo(1800);
        assertThat(HardLimits.parse(LIMITS, STATUS_ROOT).cpuHardFor(1800)).as("CAP_SYS_RESOURCE may raise it").isEqualTo(1801);
    }

    @Test
    void thisProcesssLimitsAreRead() throws Exception {
        HardLimits h = HardLimits.current();
        HardLimits fromProc = HardLimits.parse(Files.readString(Path.of("/proc/self/limits")), Files.readString(Path.of("/proc/self/status")));
        assertThat(h).isEqualTo(fromProc);
    }

    /** The argv passes the clamped limit, and the launch warns once per clamped limit. */
    @Test
    void aLimitAboveTheHardOneIsLoweredWithAWarningOnce() throws Exception {
        List<String> warnings = new ArrayList<>();
        SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(3600, 0, 0, 0)).build();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("test"), warnings::add, HardLimits.parse(LIMITS, STATUS_NO_CAP))) {
            assertThat(sandbox.commandLine(spec, List.of("true"))).contains("--cpu=1800:1800").doesNotContain("--cpu=3600:3601");
            for (int i = 0; i < 2; i++) assertThat(sandbox.start(spec, List.of("true"), LineListener.NONE).waitFor().succeeded()).isTrue();
        }
        assertThat(warnings).singleElement().asString().contains("cpu-time 3600 s -> 1800 s (ulimit -Ht)",
                "only a process with CAP_SYS_RESOURCE may raise");
    }
}
