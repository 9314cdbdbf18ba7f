package io.swarmflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under umask 000, JNA left to itself unpacks its native library, which it then loads, into {@code
 * $XDG_CACHE_HOME/JNA/temp}, making that directory and the missing ones above it {@code rwxrwxrwx} without the sticky
 * bit, where any local user could swap the file before it is loaded. swarm points JNA at a directory of its own that
 * only its user can write to ({@code io.swarmflow.sandbox.JnaTempDir}). swarm runs a ticket (which its sandbox
 * launches and signals through JNA) in a child JVM under {@code sh -c 'umask 000; ...'}, with a cache and a home of the
 * test's own, neither existing beforehand.
 */
class JnaTempDirUmaskTest {
    @TempDir
    Path tmp;

    @Test
    void underUmask000NoDirectoryInTheCacheOrHomeIsWritableByOthers() throws Exception {
        Path cache = tmp.resolve("cache");
        Path home = Files.createDirectory(tmp.resolve("home"));
        Path spec = Files.writeString(tmp.resolve("s.yaml"), "tickets:\n  - {id: a, run: \"echo a\"}\n");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "umask 000; exec \"$0\" \"$@\""));
        command.addAll(ChildSwarm.command(List.of("-Duser.home=" + home), "run", spec.toString(), "--plain",
                "--state-dir", tmp.resolve("state").toString()));
        ChildSwarm.Result r = ChildSwarm.run(command, Map.of("HOME", home.toString(), "XDG_CACHE_HOME", cache.toString()));

        assertThat(r.exit()).as(r.output()).isZero();
        List<String> open = new ArrayList<>();
        for (Path root : List.of(cache, home)) {
            try (Stream<Path> all = Files.walk(root)) {
                all.filter(p -> Files.isDirectory(p) && !p.equals(home)).forEach(p -> {
                    try {
                        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                        if (mode.charAt(4) == 'w' || mode.charAt(7) == 'w') open.add(p + " " + mode);
                    } catch (java.io.IOException e) {
                        open.add(p + " " + e);
                    }
                });
            }
        }
        assertThat(open).as("directories writable by group or others").isEmpty();
        assertThat(cache.resolve("swarmflow/jna")).isDirectory();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
    }
}
