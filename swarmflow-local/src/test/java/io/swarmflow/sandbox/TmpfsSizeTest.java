package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sandbox's own tmpfs mounts, RAM that neither RLIMIT_AS nor RLIMIT_FSIZE counts: {@code /tmp} (with HOME) and
 * {@code /dev/shm} get {@link SandboxSpec#tmpSizeBytes()} each, {@code /dev} (bubblewrap's {@code --dev}, a tmpfs of half
 * of RAM) is read-only; a bubblewrap without {@code --size} (before 0.8) runs them unsized, with one warning.
 */
class TmpfsSizeTest {
    @TempDir
    Path tmp;

    private static final Bubblewrap.Status BWRAP_0_8 = new Bubblewrap.Status(true, "/usr/bin/bwrap", "bubblewrap 0.8.0", null, true);
    private static final Bubblewrap.Status BWRAP_0_6 = new Bubblewrap.Status(true, "/usr/bin/bwrap", "bubblewrap 0.6.1", null, false);

    @Test
    void tmpAndDevShmGetTheSizeAndDevIsReadOnly() throws Exception {
        SandboxSpec spec = SandboxSpec.builder(tmp).tmpSize(8L << 20).build();
        try (Sandbox sandbox = new Sandbox(BWRAP_0_8, w -> {})) {
            List<String> argv = sandbox.commandLine(spec, List.of("true"));
            assertThat(argv).containsSubsequence("--dev", "/dev",
                    "--size", "8388608", "--tmpfs", "/tmp", "--dir", "/tmp/home",
                    "--size", "8388608", "--tmpfs", "/dev/shm",
                    "--remount-ro", "/dev", "--cap-drop");
            assertThat(String.join(" ", argv)).as("the /dev/shm tmpfs follows /tmp's at once")
                    .contains("--size 8388608 --tmpfs /tmp --dir /tmp/home --size 8388608 --tmpfs /dev/shm ");
            assertThat(argv.stream().filter("--size"::equals)).as("only the writable tmpfs mounts are sized").hasSize(2);
        }
    }

    @Test
    void sizeZeroLeavesTheKernelsDefaultButStillGivesDevShmItsOwnMountAndDevReadOnly() throws Exception {
        SandboxSpec spec = SandboxSpec.builder(tmp).build();
        try (Sandbox sandbox = new Sandbox(BWRAP_0_8, w -> {})) {
            List<String> argv = sandbox.commandLine(spec, List.of("true"));
            assertThat(argv).doesNotContain("--size").containsSubsequence("--tmpfs", "/tmp", "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
        }
    }

    @Test
    void aBubblewrapWithoutSizeRunsUnsizedAndSaysSoOnce() throws Exception {
        SandboxSpec spec = SandboxSpec.builder(tmp).tmpSize(8L << 20).build();
        List<String> warnings = new ArrayList<>();
        try (Sandbox sandbox = new Sandbox(BWRAP_0_6, warnings::add)) {
            List<String> argv = sandbox.commandLine(spec, List.of("true"));
            assertThat(argv).doesNotContain("--size").containsSubsequence("--tmpfs", "/tmp", "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
        }
        // the warning comes with a launch: a stand-in bwrap that ends at once
        Path fake = Files.createDirectories(tmp.resolve("fake")).resolve("bwrap");
        Files.writeString(fake, "#!/bin/sh\nexit 0\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Bubblewrap.Status old = new Bubblewrap.Status(true, fake.toString(), "bubblewrap 0.6.1", null, false);
        try (Sandbox sandbox = new Sandbox(old, warnings::add)) {
            SandboxSpec required = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).tmpSize(8L << 20).build();
            for (int i = 0; i < 2; i++) assertThat(sandbox.start(required, List.of("true"), LineListener.NONE).waitFor().exitCode()).isZero();
        }
        assertThat(warnings).containsExactly(Sandbox.unsizedTmpfsWarning(old));
        assertThat(warnings.getFirst()).contains("bubblewrap 0.6.1", "limits.tmp-size is not applied", "upgrade bubblewrap to 0.8 or later");
    }

    /** The probe tells a bubblewrap that refuses {@code --size} (before 0.8) from one that cannot run at all. */
    @Test
    void theProbeFindsABubblewrapWithoutSize() throws Exception {
        Bubblewrap.Status real = Bubblewrap.probe();
        assumeTrue(real.usable(), () -> "bubblewrap is not usable here: " + real.problem());
        Path fake = Files.createDirectories(tmp.resolve("old")).resolve("bwrap");
        // bubblewrap before 0.8: the same, but --size is an unknown option
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = --size ] && { echo 'bwrap: Unknown option --size' >&2; exit 1; }; done\n"
                + "exec " + real.path() + " \"$@\"\n");
        assertThat(fake.toFile().setExecutable(true)).isTrue();

        Bubblewrap.Status old = Bubblewrap.probe(fake.toString());
        assertThat(old.usable()).as("%s", old).isTrue();
        assertThat(old.sizesTmpfs()).isFalse();
        assertThat(Bubblewrap.probe(real.path()).sizesTmpfs()).as("the real one (%s) sizes", real.version())
                .isEqualTo(helpMentionsSize(real.path()));
    }

    private static boolean helpMentionsSize(String bwrap) throws Exception {
        Process p = new ProcessBuilder(bwrap, "--help").redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return help.contains("--size");
    }

    /** With real bubblewrap: writes past the size fail with ENOSPC, in /tmp and /dev/shm, and /dev takes no file. */
    @Test
    void writesPastTheSizeFailInTmpAndDevShm() throws Exception {
        Bubblewrap.Status real = Bubblewrap.probe();
        assumeTrue(real.usable() && real.sizesTmpfs(), () -> "needs bubblewrap 0.8 or later: " + real);
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Sandbox sandbox = new Sandbox(real, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).tmpSize(8L << 20).build();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", """
                    for f in /tmp/big /dev/shm/big "$HOME/big" /dev/big; do
                      if err=$(head -c 16M /dev/zero 2>&1 > "$f"); then echo "$f written"; else echo "$f refused: $err"; fi
                      rm -f "$f"
                    done
                    head -c 4M /dev/zero > /dev/shm/small && echo '/dev/shm/small written'
                    echo 'null' > /dev/null && echo '/dev/null works'
                    """), (stream, line) -> { if (stream.equals("stdout")) lines.add(line); }).waitFor();
            assertThat(r.exitCode()).as("%s", lines).isZero();
        }
        // full (the size), not unwritable: ENOSPC in the sized mounts, EROFS in /dev alone; a write under the size fits
        assertThat(lines).as("%s", lines).hasSize(6);
        assertThat(lines.get(0)).startsWith("/tmp/big refused: ").endsWith("No space left on device");
        assertThat(lines.get(1)).startsWith("/dev/shm/big refused: ").endsWith("No space left on device");
        assertThat(lines.get(2)).startsWith("/tmp/home/big refused: ").endsWith("No space left on device");
        assertThat(lines.get(3)).startsWith("/dev/big refused: ").endsWith("Read-only file system");
        assertThat(lines.subList(4, 6)).containsExactly("/dev/shm/small written", "/dev/null works");
    }
}
