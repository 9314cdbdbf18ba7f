package io.swarmflow.sandbox;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review D3 F4: where JNA cannot load, whether an orphaned attempt's group still runs was told by {@code /proc} alone, so a
 * leader that {@code /proc} hides ({@code hidepid=}, another user's process) read as gone and {@code swarm status} said
 * its group "no longer runs". Without JNA {@code kill -0} ({@link Kill#exists}) now tells a hidden process from a gone
 * one, as kill(2) does with JNA, and {@link ProcessGroups#orphanGroupUncheckable} says that it cannot be told.
 */
class HiddenOrphanTest {
    @TempDir
    Path tmp;

    /** Both CI legs: without JNA, kill(1) answers as kill(2) would for a live group, its leader, and a pid gone. */
    @Test
    void withoutJnaKillOneTellsALiveProcessAndGroupFromAGoneOne() throws Exception {
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            long ticks = ProcessGroups.startTicks(p.pid()).orElseThrow();
            String live = probe(List.of(), classPath(), p.pid(), ticks);
            assertThat(live).as(live).contains("available=false", "uncheckable=null", "exists=0", "groupExists=0");

            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            String gone = probe(List.of(), classPath(), p.pid(), ticks);
            assertThat(gone).as(gone).contains("available=false", "uncheckable=null", "exists=" + Kill.ESRCH,
                    "groupExists=" + Kill.ESRCH);
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Review DPROC F4: without JNA, {@code kill -0} ran as a bare {@code kill} from the JVM's PATH, so where PATH does not
     * hold it (cron, systemd, a minimal PATH) it could not be run and a live group read as "cannot tell" (-1), which
     * {@code status} took for gone. It runs by its absolute path now, found on the system's directories too.
     */
    @Test
    void withoutJnaAndWithoutKillOnPathKillOneIsFoundAllTheSame() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-path"));
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            long ticks = ProcessGroups.startTicks(p.pid()).orElseThrow();
            String live = probe(List.of("env", "PATH=" + empty), classPath(), p.pid(), ticks);
            assertThat(live).as(live).contains("available=false", "exists=0", "groupExists=0");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * For real, as root (CI's root leg; the ordinary user's skips it: it needs a mount namespace and another uid): a JVM
     * without JNA, run as nobody in a mount namespace whose {@code /proc} is mounted with {@code hidepid=2}, does not see
     * root's attempt leader; it says that whether the group still runs cannot be told, not that it is gone.
     */
    @Test
    void withoutJnaALeaderHiddenByHidepidCannotBeToldRatherThanGone() throws Exception {
        assumeTrue(PidsCgroup.realUidIsRoot(), "a /proc with hidepid= and a JVM of another uid need root");
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            long ticks = ProcessGroups.startTicks(p.pid()).orElseThrow();
            List<String> hidden = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                    "mount -t proc -o hidepid=2 proc /proc && exec setpriv --reuid=65534 --regid=65534 --clear-groups \"$@\"", "sh");
            String out = probe(hidden, readableClassPath(), p.pid(), ticks);

            assertThat(out).as(out).contains("available=false", "exists=" + Kill.EPERM, "groupExists=" + Kill.EPERM)
                    .contains("uncheckable=process " + p.pid() + " exists (kill(2) answers EPERM: another user's) but /proc "
                            + "does not show it (mounted with hidepid=), so whether it is the attempt's cannot be told");
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs {@link HiddenOrphanProbe} behind {@code launcher} in a JVM where JNA cannot load; returns what it printed. */
    private String probe(List<String> launcher, String classPath, long pid, long ticks) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Djna.nosys=true", "-Djna.nounpack=true",
                "-Djna.boot.library.path=" + tmp.resolve("none"), "-cp", classPath, HiddenOrphanProbe.class.getName(),
                Long.toString(pid), Long.toString(ticks)));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(probe.waitFor(60, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(probe.exitValue()).as(out).isZero();
            return out;
        } finally {
            probe.destroyForcibly();
        }
    }

    private static String classPath() {
        return System.getProperty("java.class.path");
    }

    /**
     * This JVM's class path, readable by any user: its entries copied into a directory of this test's (root's own
     * Maven repository, under {@code /root}, is not).
     */
    private String readableClassPath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : classPath().split(java.io.File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) continue;
            Path to = dir.resolve(i++ + "-" + from.getFileName());
            if (Files.isDirectory(from)) {
                try (var files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path target = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) Files.createDirectories(target); else Files.copy(f, target);
                    }
                }
            } else {
                Files.copy(from, to);
            }
            entries.add(to.toString());
        }
        try (var files = Files.walk(tmp)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
