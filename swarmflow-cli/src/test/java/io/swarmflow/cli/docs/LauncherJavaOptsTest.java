package io.swarmflow.cli.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README, "Commands": JVM flags for {@code ./swarm} go in {@code SWARM_JAVA_OPTS}. The launcher runs here as a copy
 * with a built jar in place (so it builds nothing) and a fake JDK 21 whose {@code java} prints its arguments.
 */
class LauncherJavaOptsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void swarmJavaOptsReachTheJvmBeforeTheJarAndTheArgumentsAfterIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("swarmflow"));
        Files.copy(ROOT.resolve("swarm"), root.resolve("swarm"));
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(ROOT.resolve("scripts/find-jdk.sh"), root.resolve("scripts/find-jdk.sh"));
        Path jar = Files.createDirectories(root.resolve("swarmflow-cli/target")).resolve("swarm.jar");
        Files.writeString(jar, "");
        Path jdk = tmp.resolve("jdk-21");
        Path bin = Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"21.0.1\"\n");
        executable(bin.resolve("javac"), "exit 0");
        executable(bin.resolve("java"), "for a in \"$@\"; do echo \"$a\"; done");

        ProcessBuilder pb = new ProcessBuilder("/bin/bash", root.resolve("swarm").toString(), "status", "--json");
        pb.environment().clear();
        pb.environment().putAll(java.util.Map.of("PATH", "/usr/bin:/bin", "JAVA_HOME", jdk.toString(),
                "SWARM_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Dswarm.launcher=jdk"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out.lines().toList()).as(out).containsSequence(
                "-XX:TieredStopAtLevel=1", "-Dswarm.launcher=jdk", "-jar", jar.toString(), "status", "--json");
    }

    private static void executable(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
