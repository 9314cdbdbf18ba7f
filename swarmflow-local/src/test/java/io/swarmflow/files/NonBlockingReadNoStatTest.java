package io.swarmflow.files;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Review DPROC F2: {@link NonBlockingRead#pathBytes} took the bytes from {@link Path#toUri}, which stats the path,
 * following a final symbolic link, to tell a directory: a read meant never to block stat'ed what a replaced file points
 * to (a FUSE mount that never answers blocks it). No portable test reproduces the hang, so this one watches the system
 * calls with strace: a child JVM takes the bytes of a symbolic link, and no stat-like call may name the link. Skipped
 * where strace is not installed or may not trace (ptrace refused).
 */
class NonBlockingReadNoStatTest {
    @TempDir
    Path tmp;

    @Test
    void pathBytesStatsNothingOnThePath() throws Exception {
        assumeTrue(straceWorks(), "strace is not installed here, or may not trace");
        Path target = Files.createDirectories(tmp.resolve("pointed-to"));
        Path link = Files.createSymbolicLink(tmp.resolve("the-link"), target).toAbsolutePath();
        Path trace = tmp.resolve("trace");
        List<String> command = new ArrayList<>(List.of("strace", "-f", "-qq", "-s", "100000", "-o", trace.toString(),
                "-e", "trace=stat,lstat,newfstatat,statx,fstatat64,access,faccessat,faccessat2,readlink,readlinkat,open,openat",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path")));
        String jnaTmp = System.getProperty("jna.tmpdir");
        if (jnaTmp != null) command.add("-Djna.tmpdir=" + jnaTmp);
        command.addAll(List.of(Child.class.getName(), link.toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("the child took the bytes").isEqualTo(link + "\n");

        List<String> naming = Files.readAllLines(trace, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> l.contains("\"" + link + "\"") || l.contains("\"" + link + "/\"")).toList();
        assertThat(naming).as("system calls that looked the link up").isEmpty();
    }

    private static boolean straceWorks() {
        try {
            Process p = new ProcessBuilder("strace", "-f", "-qq", "-o", "/dev/null", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** The child JVM: prints the bytes {@link NonBlockingRead#pathBytes} gives for args[0], less the NUL. */
    static final class Child {
        public static void main(String[] args) {
            byte[] b = NonBlockingRead.pathBytes(Path.of(args[0]));
            System.out.print(new String(b, 0, b.length - 1, StandardCharsets.UTF_8) + "\n");
        }
    }
}
