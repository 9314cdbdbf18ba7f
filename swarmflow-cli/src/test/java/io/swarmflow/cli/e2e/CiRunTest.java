package io.swarmflow.cli.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code .ci/run} on a machine where it cannot install what the tests need: a copy of the script runs as a user who
 * is not root (a fake {@code id}), with a PATH of a few tools and no bubblewrap, and stops at a fake {@code mvnw}.
 */
class CiRunTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void notRootAndMissingPackagesItSaysWhatToInstallChromiumIncluded() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo.resolve(".ci"));
        Files.createDirectories(repo.resolve("scripts"));
        Files.copy(ROOT.resolve(".ci/run"), repo.resolve(".ci/run"));
        Files.copy(ROOT.resolve("scripts/find-jdk.sh"), repo.resolve("scripts/find-jdk.sh"));
        script(repo.resolve("mvnw"), "echo mvnw ran; exit 9");
        Path jdk = Files.createDirectories(tmp.resolve("jdk-21/bin"));
        script(jdk.resolve("java"), "echo '    java.specification.version = 21' >&2");
        script(jdk.resolve("javac"), "exit 0");
        Files.writeString(tmp.resolve("jdk-21/release"), "JAVA_VERSION=\"21.0.1\"\n");
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("ls", "sort", "sed", "dirname", "readlink", "cat", "env", "tail")) {
            for (String d : List.of("/usr/bin", "/bin")) {
                if (Files.isExecutable(Path.of(d, tool))) {
                    Files.createSymbolicLink(bin.resolve(tool), Path.of(d, tool));
                    break;
                }
            }
        }
        script(bin.resolve("id"), "echo 1000");
        script(bin.resolve("git"), "exit 0");

        ProcessBuilder pb = new ProcessBuilder("/bin/bash", repo.resolve(".ci/run").toString());
        pb.environment().clear();
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", tmp.toString());
        pb.environment().put("JAVA_HOME", tmp.resolve("jdk-21").toString());
        Path err = tmp.resolve("stderr");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err);

        assertThat(out).as(stderr).contains("mvnw ran");
        assertThat(p.exitValue()).isEqualTo(9);
        assertThat(stderr).contains("ci: missing bubblewrap", "run apt-get install bubblewrap", " as root",
                "CI needs bubblewrap git util-linux zsh chromium chromium-driver",
                "ReportBrowserTest and HostileReportTest's browser test are skipped, and fail under CI=true");
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
