package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(60) // a reaper or stdin that never ends would hang here, not fail
class PosixSpawnTest {
    @TempDir
    Path tmp;

    private static final Map<String, String> ENV = Map.of("PATH", Sandbox.DEFAULT_PATH, "ONLY", "this");

    @Test
    void isUsedWhereGlibcIsRecentEnoughAndOtherwiseSaysWhyNot() throws Exception {
        // the C library as getconf(1) reports it, independently of PosixSpawn's own check
        Process getconf = new ProcessBuilder("getconf", "GNU_LIBC_VERSION").redirectErrorStream(true).start();
        String libc = new String(getconf.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        boolean glibc = getconf.waitFor() == 0 && libc.matches("glibc \\d+\\.\\d+.*");
        boolean recent = glibc && java.util.Arrays.compare(
                java.util.Arrays.stream(libc.substring(6).split("[.-]")).limit(2).mapToInt(Integer::parseInt).toArray(), new int[]{2, 34}) >= 0;
        if (recent) {
            // without this the sandbox silently falls back to ProcessBuilder and its extra exec per process
            assertThat(PosixSpawn.available()).as("%s on %s", PosixSpawn.problem(), libc).isTrue();
            assertThat(Sandbox.launcherDescription()).isEqualTo("posix_spawn");
        } else { // musl, or glibc before 2.34 (no posix_spawn_file_actions_addclosefrom_np): ProcessBuilder, and why
            assertThat(PosixSpawn.available()).as("C library: %s", libc).isFalse();
            assertThat(Sandbox.launcherDescription()).startsWith("ProcessBuilder (").contains(PosixSpawn.problem());
        }
    }

    @Test
    void theChildGetsItsDirectoryEnvironmentStreamsAndNothingElse() throws Exception {
        Process p = PosixSpawn.start(List.of("/bin/bash", "-c", """
                pwd; env | sort; ls /proc/self/fd | sort -n | tr '\\n' ' '; echo
                cat; echo "stdin: done"
                grep -E '^Sig(Blk|Ign):' /proc/self/status
                echo oops >&2; exit 7"""), tmp, ENV);
        String out = read(p.getInputStream());
        String err = read(p.getErrorStream());

        assertThat(p.waitFor()).isEqualTo(7);
        assertThat(p.exitValue()).isEqualTo(7);
        assertThat(p.isAlive()).isFalse();
        assertThat(out.lines().toList()).containsExactly(tmp.toRealPath().toString(),
                "ONLY=this", "PATH=" + Sandbox.DEFAULT_PATH, "PWD=" + tmp.toRealPath(), "SHLVL=1", "_=/usr/bin/env",
                "0 1 2 3 ", // stdin, stdout, stderr and the directory ls reads: no descriptor of the JVM
                "stdin: done", // stdin is /dev/null: cat returns at once
                "SigBlk:\t0000000000000000", out.lines().toList().getLast());
        // every signal at its default action, whatever the JVM inherited as ignored (nohup: SIGHUP), except glibc's
        // internal signals 32 and 33, which sigfillset leaves out
        assertThat(out.lines().toList().getLast()).matches("SigIgn:\t0{7}(00|08|10|18)0{7}");
        assertThat(err).isEqualTo("oops\n");
    }

    /** The handle is taken on first use: before the reap it is the process's (and stays so), after it there is none. */
    @Test
    void aHandleIsTheProcesssOwnUntilItIsReapedAndNoneAfter() throws Exception {
        Process taken = PosixSpawn.start(List.of("/bin/sleep", "30"), tmp, ENV);
        ProcessHandle h = taken.toHandle();
        assertThat(h.pid()).isEqualTo(taken.pid());
        assertThat(h.isAlive()).isTrue();
        taken.destroyForcibly();
        taken.waitFor();
        assertThat(taken.toHandle()).isSameAs(h);
        await().atMost(Duration.ofSeconds(5)).until(() -> !h.isAlive());

        Process late = PosixSpawn.start(List.of("/bin/true"), tmp, ENV);
        assertThat(late.waitFor()).isZero();
        assertThatThrownBy(late::toHandle).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("reaped before a handle was taken");
        for (Process p : List.of(taken, late)) {
            p.getInputStream().close();
            p.getErrorStream().close();
        }
    }

    @Test
    void aProcessEndedByASignalReportsOneHundredTwentyEightPlusItsNumberAndCanBeWaitedForWithATimeout() throws Exception {
        Process p = PosixSpawn.start(List.of("/bin/sleep", "30"), tmp, ENV);
        assertThat(p.isAlive()).isTrue();
        assertThat(p.waitFor(100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(p.toHandle().pid()).isEqualTo(p.pid());
        assertThatThrownBy(p::exitValue).isInstanceOf(IllegalThreadStateException.class);
        p.destroyForcibly();
        assertThat(p.onExit().get(10, TimeUnit.SECONDS)).isSameAs(p);
        assertThat(p.exitValue()).isEqualTo(128 + 9);
        p.destroy(); // after the exit: no signal goes to a pid that may belong to another process now
        assertThat(PosixSpawn.exitValueOf(0x0f)).isEqualTo(128 + 15);
        assertThat(PosixSpawn.exitValueOf(3 << 8)).isEqualTo(3);
        p.getInputStream().close();
        p.getErrorStream().close();
    }

    @Test
    void aShortProcessKeepsItsStartTimeAfterItWasReaped() throws Exception {
        long self = ProcessGroups.startTicks(ProcessHandle.current().pid()).orElseThrow();
        Process p = PosixSpawn.start(List.of("/bin/true"), tmp, ENV);
        assertThat(p.waitFor()).isZero();
        assertThat(ProcessGroups.startTicks(p.pid())).as("reaped: its /proc entry is gone").isEmpty();
        // read after the reap, as the sandbox once did, it was 0: no escaped-process scan, no orphan kill on resume
        assertThat(PosixSpawn.startTicks(p)).isGreaterThanOrEqualTo(self);
    }

    @Test
    void destroySendsTermAndTheExitValueSaysSo() throws Exception {
        Process p = PosixSpawn.start(List.of("/bin/sleep", "30"), tmp, ENV);
        assertThat(p.supportsNormalTermination()).isTrue();
        p.destroy();
        assertThat(p.waitFor()).isEqualTo(128 + 15);
        p.getInputStream().close();
        p.getErrorStream().close();
    }

    @Test
    void failedStartsLeaveNoDescriptorOpen() throws Exception {
        // once first, so that loading classes and libraries does not count
        assertThatThrownBy(() -> PosixSpawn.start(List.of(tmp.resolve("missing").toString()), tmp, ENV)).isInstanceOf(IOException.class);
        long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> PosixSpawn.start(List.of(tmp.resolve("missing").toString()), tmp, ENV)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp.resolve("no-such-dir"), ENV)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/echo", "a\0b"), tmp, ENV)).isInstanceOf(IllegalArgumentException.class);
        }
        // 60 failed starts: a leak would show as dozens of descriptors; other tests' streams closed by the GC
        // meanwhile can make the count drop or wobble by a few
        assertThat(openDescriptors()).isLessThanOrEqualTo(before + 4);
    }

    private static long openDescriptors() throws IOException {
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aProgramThatCannotRunIsAnIoExceptionWithTheReason() {
        assertThatThrownBy(() -> PosixSpawn.start(List.of(tmp.resolve("missing").toString()), tmp, ENV))
                .isInstanceOf(IOException.class).hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp.resolve("no-such-dir"), ENV))
                .isInstanceOf(IOException.class).hasMessageContaining("ENOENT");
        assertThatThrownBy(() -> PosixSpawn.start(List.of("true"), tmp, ENV)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/rm", "-rf", "/x\0 tail"), tmp, ENV))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null character");
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp, Map.of("A=B", "c")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("environment name");
        assertThatThrownBy(() -> PosixSpawn.start(List.of("/bin/true"), tmp, Map.of("TOKEN", "s3cret\0d")))
                .isInstanceOf(IllegalArgumentException.class) // names the variable, never shows its value (a secret, maybe)
                .hasMessage("invalid null character in the value of environment variable TOKEN");
    }

    private static String read(java.io.InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
