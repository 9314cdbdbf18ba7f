package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SandboxTest {
    @TempDir
    Path tmp;

    private static final Bubblewrap.Status FAKE_BWRAP = new Bubblewrap.Status(true, "/usr/bin/bwrap", "bubblewrap 0.8.0", null);

    @Test
    void commandLineMountsParentsFirstAndKeepsSecretsOutOfArgv() throws Exception {
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path scratch = Files.createDirectories(state.resolve("runs/r1/scratch"));
        Path repo = Files.createDirectories(tmp.resolve("repo/.git")).getParent();
        SandboxSpec spec = SandboxSpec.builder(scratch).workspaceWritable(true).writableDir(scratch)
                .readOnlyDir(repo).readOnlyDir(repo.resolve(".git")).hiddenDir(state)
                .env("TOKEN", "s3cret").limits(new ProcessLimits(60, 1L << 30, 0, 64)).timeout(Duration.ofSeconds(5)).build();
        try (Sandbox sandbox = new Sandbox(FAKE_BWRAP, w -> {})) {
            List<String> argv = sandbox.commandLine(spec, List.of("true"));

            Path s = state.toRealPath();
            Path sc = scratch.toRealPath();
            Path r = repo.toRealPath();
            assertThat(argv).containsSubsequence("/usr/bin/setsid", "/usr/bin/prlimit", "--cpu=60", "--as=1073741824", "--nproc=64", "--",
                    "/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--tmpfs", s.toString(),
                    "--ro-bind", r.toString(), r.toString(),
                    "--ro-bind", r + "/.git", r + "/.git",
                    "--bind", sc.toString(), sc.toString(),
                    "--remount-ro", s.toString(),
                    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net",
                    "--die-with-parent", "--chdir", sc.toString(), "--", "true");
            assertThat(argv).doesNotContain("--fsize=0").noneMatch(a -> a.contains("s3cret"));
        }
    }

    @Test
    void requiredIsolationWithoutBubblewrapRefusesToStart() {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("no bwrap in this test"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).build();
            assertThatThrownBy(() -> sandbox.start(spec, List.of("true"), LineListener.NONE))
                    .isInstanceOf(SandboxException.class)
                    .hasMessage("sandbox is required but bubblewrap is not usable here: no bwrap in this test; "
                            + "install it (apt-get install bubblewrap) or set sandbox: best-effort");
        }
    }

    @Test
    void processLeadsItsOwnGroupAndReportsItsStartTime() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).build();
            SandboxProcess p = sandbox.start(spec, List.of("sleep", "30"), LineListener.NONE);

            assertThat(ProcessGroups.processGroup(p.pid())).hasValue(p.pid());
            assertThat(ProcessGroups.startTicks(p.pid())).hasValue(p.startTicks());
            assertThat(ProcessGroups.killOrphanGroup(p.pid(), p.startTicks() - 1)).isFalse();
            assertThat(ProcessGroups.killOrphanGroup(p.pid(), p.startTicks())).isTrue();
            SandboxResult result = p.waitFor();
            assertThat(result.termination()).isEqualTo(Termination.EXITED);
            assertThat(result.exitCode()).isEqualTo(128 + 9);
        }
    }
}
