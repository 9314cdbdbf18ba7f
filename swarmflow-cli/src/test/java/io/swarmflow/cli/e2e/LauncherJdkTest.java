package io.swarmflow.cli.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@code ./swarm} and {@code .ci/run} pick a JDK (scripts/find-jdk.sh, README): {@code $JAVA_HOME}, then the
 * JDK of the highest version under {@code $SWARM_JDK_DIRS}, then the javac on PATH; the first of version 21 or newer wins.
 * The JDKs here are fakes (a {@code release} file, or a {@code java} that prints its properties), and PATH holds
 * only the tools the script needs, so the host's own JDKs do not take part.
 */
class LauncherJdkTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void javaHomeWinsWhenItIsRecentEnough() throws Exception {
        Path jdks = jdks("jdk-17:17", "jdk-21:21", "jdk-25:25");
        assertThat(find(Map.of("JAVA_HOME", jdks.resolve("jdk-21").toString(), "SWARM_JDK_DIRS", jdks.toString())).out)
                .isEqualTo(jdks.resolve("jdk-21") + "\n");
    }

    @Test
    void anOldJavaHomeIsPassedOverForTheNewestJdkInTheDirectories() throws Exception {
        Path jdks = jdks("jdk-17:17", "jdk-21:21", "jdk-25:25");
        Path more = jdks("other-22:22");
        assertThat(find(Map.of("JAVA_HOME", jdks.resolve("jdk-17").toString(), "SWARM_JDK_DIRS", more + ":" + jdks)).out)
                .isEqualTo(jdks.resolve("jdk-25") + "\n");
        assertThat(find(Map.of("JAVA_HOME", jdks.resolve("jdk-17").toString(), "SWARM_JDK_DIRS", jdks.toString())).out)
                .isEqualTo(jdks.resolve("jdk-25") + "\n");
    }

    /**
     * A JAVA_HOME passed over is named, with its version, in {@code SWARM_JDK_PASSED_OVER}, which {@code ./swarm}'s
     * "building the CLI with ..." line shows; a recent enough one, or none, leaves it empty.
     */
    @Test
    void anOldJavaHomePassedOverIsNamedForTheBuildMessage() throws Exception {
        Path jdks = jdks("jdk-17:17", "jdk-21:21");
        String print = ". \"$1\" && swarm_find_jdk && echo \"[$SWARM_JDK_PASSED_OVER]\"";
        List<String> cmd = List.of("/bin/bash", "-c", print, "find", ROOT.resolve("scripts/find-jdk.sh").toString());
        assertThat(run(cmd, Map.of("JAVA_HOME", jdks.resolve("jdk-17").toString(), "SWARM_JDK_DIRS", jdks.toString())).out)
                .isEqualTo("[JAVA_HOME=" + jdks.resolve("jdk-17") + " is JDK 17, not a JDK 21 or newer]\n");
        assertThat(run(cmd, Map.of("JAVA_HOME", tmp.resolve("nothing").toString(), "SWARM_JDK_DIRS", jdks.toString())).out)
                .isEqualTo("[JAVA_HOME=" + tmp.resolve("nothing") + " is not a JDK 21 or newer]\n");
        assertThat(run(cmd, Map.of("JAVA_HOME", jdks.resolve("jdk-21").toString(), "SWARM_JDK_PASSED_OVER", "stale",
                "SWARM_JDK_DIRS", jdks.toString())).out).isEqualTo("[]\n");
        assertThat(Files.readString(ROOT.resolve("swarm"))).contains("building the CLI with $JAVA_HOME${SWARM_JDK_PASSED_OVER:+ ($SWARM_JDK_PASSED_OVER)}");
    }

    @Test
    void theHighestVersionWinsWhateverTheDirectoryNamesAndOrder() throws Exception {
        Path first = jdks("temurin-17:17", "temurin-21:21");
        Path second = jdks("java-25-openjdk:25", "zulu-22:22");
        assertThat(find(Map.of("SWARM_JDK_DIRS", first + ":" + second)).out).isEqualTo(second.resolve("java-25-openjdk") + "\n");
        Path same = jdks("b-21:21");
        assertThat(find(Map.of("SWARM_JDK_DIRS", same + ":" + first)).out).as("of equals, the first listed")
                .isEqualTo(same.resolve("b-21") + "\n");
    }

    @Test
    void aJdkWithoutAReleaseFileIsAskedForItsVersion() throws Exception {
        Path jdks = jdks("plain:-23");
        assertThat(find(Map.of("SWARM_JDK_DIRS", jdks.toString())).out).isEqualTo(jdks.resolve("plain") + "\n");
    }

    @Test
    void theJavacOnPathIsTheLastResort() throws Exception {
        Path jdks = jdks("onpath:24");
        Files.createSymbolicLink(bin().resolve("javac"), jdks.resolve("onpath/bin/javac"));
        assertThat(find(Map.of("SWARM_JDK_DIRS", tmp.resolve("none").toString())).out).isEqualTo(jdks.resolve("onpath") + "\n");
    }

    @Test
    void withoutAJdk21TheLauncherSaysWhatItFoundAndWhatToInstallAndExits2() throws Exception {
        Path jdks = jdks("jdk-17:17", "broken:");
        Result r = run(List.of("/bin/bash", ROOT.resolve("swarm").toString(), "version"),
                Map.of("JAVA_HOME", jdks.resolve("jdk-17").toString(), "SWARM_JDK_DIRS", jdks.toString()));
        assertThat(r.code).isEqualTo(2);
        assertThat(r.out).isEmpty();
        assertThat(r.err).contains("swarm: no JDK 21 or newer found (looked at $JAVA_HOME = " + jdks.resolve("jdk-17") + ", " + jdks + "/*",
                "too old: " + jdks.resolve("jdk-17") + " (17)", "apt-get install openjdk-21-jdk-headless", "SWARM_JDK_DIRS")
                .doesNotContain("broken (");
    }

    /** JDK 8 and older call themselves 1.N ({@code JAVA_VERSION="1.8.0_392"}, {@code java.specification.version = 1.8}). */
    @Test
    void aJdk8IsNamedAsVersion8() throws Exception {
        Path jdks = jdks("jdk-17:17");
        Path bin = Files.createDirectories(jdks.resolve("jdk8/bin"));
        script(bin.resolve("java"), "echo '    java.specification.version = 1.8' >&2");
        script(bin.resolve("javac"), "exit 0");
        Files.writeString(jdks.resolve("jdk8/release"), "JAVA_VERSION=\"1.8.0_392\"\n");
        Path plain = Files.createDirectories(jdks.resolve("plain8/bin"));
        script(plain.resolve("java"), "echo '    java.specification.version = 1.8' >&2");
        script(plain.resolve("javac"), "exit 0");
        Result r = run(List.of("/bin/bash", "-c", ". \"$1\" && swarm_find_jdk", "find", ROOT.resolve("scripts/find-jdk.sh").toString()),
                Map.of("SWARM_JDK_DIRS", jdks.toString()));
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err).contains(jdks.resolve("jdk8") + " (8)", jdks.resolve("plain8") + " (8)", jdks.resolve("jdk-17") + " (17)");
    }

    /**
     * Without HOME (a service, {@code env -i}), the launcher's Maven build failed with "HOME: parameter not set";
     * {@code swarm_home} takes the user's home from the password database, or says what to set when there is none.
     */
    @Test
    void withoutHomeTheLauncherTakesTheUsersHomeOrSaysWhatToSet() throws Exception {
        Files.createSymbolicLink(bin().resolve("getent"), Path.of("/usr/bin/getent"));
        for (String tool : List.of("id", "cut")) Files.createSymbolicLink(bin().resolve(tool), Path.of("/usr/bin", tool));
        // the script's text, not its path: uid 54321 below may not reach the checkout (a clone under /root, mode 700)
        List<String> home = List.of("/bin/bash", "-c", "eval \"$1\" && swarm_home && echo \"$HOME\"", "home",
                Files.readString(ROOT.resolve("scripts/find-jdk.sh")));
        Result r = run(home, Map.of());
        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out).isEqualTo(System.getProperty("user.home") + "\n");
        assertThat(run(home, Map.of("HOME", tmp.toString())).out).as("a HOME given is kept").isEqualTo(tmp + "\n");

        List<String> stranger = new java.util.ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=54321", "--regid=54321", "--clear-groups"));
        stranger.addAll(home);
        if (new com.sun.security.auth.module.UnixSystem().getUid() == 0) { // only root can become a uid with no passwd entry
            Result none = run(stranger, Map.of("PATH", "/usr/bin:/bin")); // the test's own bin is not theirs to read
            assertThat(none.code).isEqualTo(1);
            assertThat(none.err).isEqualTo("swarm: HOME is not set, and uid 54321 has no home directory in the password "
                    + "database; set HOME to a writable directory\n");
        }
    }

    /** Fake JDK homes in a new directory, from {@code name:version}; a version starting with '-' has no release file, an empty one no javac. */
    private Path jdks(String... specs) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "jdks");
        for (String spec : specs) {
            String name = spec.substring(0, spec.indexOf(':'));
            String version = spec.substring(spec.indexOf(':') + 1);
            Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
            boolean release = !version.startsWith("-");
            version = version.replace("-", "");
            script(bin.resolve("java"), "echo '    java.specification.version = " + version + "' >&2");
            if (!version.isEmpty()) script(bin.resolve("javac"), "exit 0");
            if (release) Files.writeString(dir.resolve(name).resolve("release"), "JAVA_VERSION=\"" + version + ".0.1\"\n");
        }
        return dir;
    }

    private static void script(Path file, String body) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Result find(Map<String, String> env) throws Exception {
        Result r = run(List.of("/bin/bash", "-c", ". \"$1\" && swarm_find_jdk && echo \"$JAVA_HOME\"", "find",
                ROOT.resolve("scripts/find-jdk.sh").toString()), env);
        assertThat(r.code).as(r.err).isZero();
        return r;
    }

    record Result(int code, String out, String err) {}

    /** Runs {@code cmd} with only {@code env} and a PATH of the few tools the scripts use. */
    private Result run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", bin().toString());
        pb.environment().putAll(env);
        Path err = tmp.resolve("stderr");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out, Files.readString(err));
    }

    /** A PATH directory with only the tools the scripts use. */
    private Path bin() throws Exception {
        Path bin = tmp.resolve("bin");
        if (!Files.isDirectory(bin)) {
            Files.createDirectories(bin);
            for (String tool : List.of("ls", "sort", "sed", "dirname", "readlink", "cat", "env")) {
                for (String d : List.of("/usr/bin", "/bin")) {
                    if (Files.isExecutable(Path.of(d, tool))) {
                        Files.createSymbolicLink(bin.resolve(tool), Path.of(d, tool));
                        break;
                    }
                }
            }
        }
        return bin;
    }
}
