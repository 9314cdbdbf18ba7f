package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Review R2: a ticket's environment reached setsid, prlimit and bwrap, which run on the host before any isolation, in the
 * ticket's workspace; {@code env: {LD_PRELOAD: ./evil.so}} ran a library a ticket built as swarm's user, outside the
 * sandbox. The host-side launchers now get a fixed environment (with bubblewrap and posix_spawn: the ticket's comes to
 * bubblewrap on a file descriptor) or one without the loader's variables (which only the ticket's program gets), and start
 * in {@code /}.
 */
class LauncherEnvironmentTest {
    @TempDir
    Path tmp;

    /** The dynamic loader says this once per process that has {@code LD_PRELOAD} naming a missing file. */
    private static final String NOT_PRELOADED = "from LD_PRELOAD cannot be preloaded";

    /**
     * The loader reports a missing {@code LD_PRELOAD} library for every process whose environment names it: before the fix,
     * setsid, prlimit and bwrap (or env) each did; now only the ticket's own shell, which still sees the variable as granted.
     */
    @ParameterizedTest
    @EnumSource(value = Isolation.class, names = {"OFF", "REQUIRED"})
    void loaderVariablesReachOnlyTheTicketsOwnProgram(Isolation isolation) throws Exception {
        Bubblewrap.Status bwrap = isolation == Isolation.OFF ? Bubblewrap.Status.unavailable("off in this test") : Bubblewrap.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(isolation == Isolation.OFF || bwrap.usable(),
                () -> "bubblewrap is not usable here: " + bwrap.problem());
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (Sandbox sandbox = new Sandbox(bwrap, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(ws).isolation(isolation).workspaceWritable(true)
                    .env(Map.of("LD_PRELOAD", "./missing-evil.so", "GCONV_PATH", "./g", "MALLOC_ARENA_MAX", "2"))
                    .limits(new ProcessLimits(60, 0, 0, 0)).timeout(Duration.ofSeconds(30)).build();
            String real = ws.toRealPath().toString();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "echo \"preload=$LD_PRELOAD gconv=$GCONV_PATH "
                    + "arena=$MALLOC_ARENA_MAX pwd=$(pwd -P)\""), (stream, line) -> lines.add(stream + ": " + line)).waitFor();

            assertThat(r.exitCode()).as(lines.toString()).isZero();
            assertThat(lines).as("the loader's complaint, once per process that saw LD_PRELOAD")
                    .filteredOn(l -> l.contains(NOT_PRELOADED)).hasSize(1);
            assertThat(lines).as(lines.toString()).anyMatch(l -> l.endsWith("preload=./missing-evil.so gconv=./g arena=2 pwd="
                    + real));
        }
    }

    /**
     * Under bubblewrap the ticket's variables, secrets among them, are on no process's command line ({@code /proc/PID/cmdline}
     * is world-readable), and bwrap's own environment on the host is the fixed one, not the ticket's.
     */
    @Test
    void underBubblewrapTheTicketsEnvironmentIsInNoCommandLineNorInBwrapsEnvironment() throws Exception {
        Bubblewrap.Status bwrap = Bubblewrap.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(bwrap.usable(), () -> "bubblewrap is not usable here: " + bwrap.problem());
        org.junit.jupiter.api.Assumptions.assumeTrue(PosixSpawn.available(), PosixSpawn::problem);
        String secret = "topsecret-" + Long.toHexString(System.nanoTime());
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (Sandbox sandbox = new Sandbox(bwrap, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(ws).isolation(Isolation.REQUIRED).env("SECRET", secret)
                    .timeout(Duration.ofSeconds(60)).build();
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", "echo \"ready ${#SECRET}\"; exec sleep 600"),
                    (stream, line) -> lines.add(line));
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("ready " + secret.length()));
                ProcessHandle leader = ProcessHandle.of(p.pid()).orElseThrow();
                List<ProcessHandle> all = new ArrayList<>(leader.descendants().toList());
                all.add(leader);
                for (ProcessHandle h : all) {
                    Path proc = Path.of("/proc", Long.toString(h.pid()));
                    String cmdline;
                    try {
                        cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
                    } catch (java.io.IOException gone) {
                        continue;
                    }
                    assertThat(cmdline).as("command line of %s", h.pid()).doesNotContain(secret);
                }
                String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ")), StandardCharsets.UTF_8);
                assertThat(environ).as("the outer bwrap's environment").isEqualTo("PATH=/usr/sbin:/usr/bin:/sbin:/bin\0");
                assertThat(Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"))).isEqualTo(Path.of("/"));
            } finally {
                p.kill();
            }
        }
    }

    /**
     * With the {@link ProcessBuilder} launcher ({@code -Dswarm.launcher=jdk}, or where posix_spawn is missing) the launchers
     * get the ticket's environment without the loader's variables, which bubblewrap's {@code --setenv} (or env(1)) sets for
     * the ticket's program alone.
     */
    @Test
    void withTheJdkLauncherToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Bubblewrap.probe().usable(), () -> "bubblewrap is not usable here");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-Dswarm.launcher=jdk",
                "-cp", System.getProperty("java.class.path"), LauncherEnvironmentJdkProbe.class.getName(),
                Files.createDirectories(tmp.resolve("ws")).toString())).redirectErrorStream(true).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor()).as(out).isZero();
        assertThat(out).as(out).contains("launcher=ProcessBuilder", "OFF exit=0\n", "OFF complaints=1\n",
                "OFF line=seen ./missing-evil.so s3cret-value\n", "REQUIRED exit=0\n", "REQUIRED complaints=1\n",
                "REQUIRED line=seen ./missing-evil.so s3cret-value\n");
    }

    /** PosixSpawn hands each file's bytes to the child on descriptors 3, 4, ..., each read from its start. */
    @Test
    void posixSpawnHandsTheFilesOnDescriptorsFromThree() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PosixSpawn.available(), PosixSpawn::problem);
        Process p = PosixSpawn.start(List.of(Executables.find("bash").orElseThrow().toString(), "-c",
                        "cat <&3; echo; cat <&4; echo; [ -e /proc/self/fd/5 ] && echo five-open || echo five-closed"),
                tmp, Map.of("PATH", "/usr/bin:/bin"), List.of("one\0x".getBytes(StandardCharsets.UTF_8), new byte[0]));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo("one\0x\n\nfive-closed\n");
    }

    @Test
    void theArgsFileClearsTheEnvironmentAndSetsEachVariable() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/bin");
        env.put("LD_PRELOAD", "./x.so");
        env.put("S", "a b\nc");
        assertThat(new String(Sandbox.bwrapEnvironment(env), StandardCharsets.UTF_8))
                .isEqualTo("--clearenv\0--setenv\0PATH\0/bin\0--setenv\0LD_PRELOAD\0./x.so\0--setenv\0S\0a b\nc\0");
        assertThatThrownBy(() -> Sandbox.bwrapEnvironment(Map.of("A=B", "x"))).hasMessage("invalid environment name: A=B");
        assertThatThrownBy(() -> Sandbox.bwrapEnvironment(Map.of("T", "x\0y")))
                .hasMessage("invalid null character in the value of environment variable T");
    }

    /** Without posix_spawn (or without bubblewrap) the launchers keep the ticket's environment minus the loader's variables. */
    @Test
    void theLaunchersGetAFixedEnvironmentOrOneWithoutTheLoadersVariables() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "./bin");
        env.put("LANG", "C.UTF-8");
        env.put("TOKEN", "s3cret");
        env.put("LD_PRELOAD", "./x.so");
        env.put("LD_LIBRARY_PATH", "lib");
        env.put("GLIBC_TUNABLES", "glibc.malloc.check=3");
        env.put("GCONV_PATH", "g");
        env.put("MALLOC_CHECK_", "3");
        env.put("LC_ALL", "/tmp/x");
        env.put("TZ", "/tmp/tz");
        env.put("HOME", "/tmp/home");

        Sandbox.HostSide spawned = Sandbox.hostSide(true, true, env, java.util.Optional.empty());
        assertThat(spawned.env()).isEqualTo(Sandbox.HOST_ENVIRONMENT);
        assertThat(spawned.files()).singleElement().satisfies(f -> assertThat(f).isEqualTo(Sandbox.bwrapEnvironment(env)));
        // with a seccomp program: the environment on fd 3 (--args 3), the program on fd 4 (--seccomp 4)
        byte[] program = {1, 2, 0, 3};
        Sandbox.HostSide filtered = Sandbox.hostSide(true, true, env, java.util.Optional.of(program));
        assertThat(filtered.env()).isEqualTo(Sandbox.HOST_ENVIRONMENT);
        assertThat(filtered.files()).containsExactly(Sandbox.bwrapEnvironment(env), program);
        assertThat(Sandbox.SECCOMP_FD).isEqualTo(PosixSpawn.FIRST_FILE_FD + 1);

        for (boolean bwrap : new boolean[] {true, false}) {
            Sandbox.HostSide stripped = Sandbox.hostSide(bwrap, !bwrap, env, java.util.Optional.of(program));
            assertThat(stripped.env()).containsOnlyKeys("TOKEN", "HOME");
            assertThat(stripped.files()).isEmpty();
        }
    }

    /** Without bubblewrap, env(1) is the last host program: it sets the loader's variables and the working directory. */
    @Test
    void withoutBubblewrapEnvSetsTheLoadersVariablesForTheProgramOnly() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).env("LD_PRELOAD", "./x.so").env("TOKEN", "s3cret")
                    .build();
            List<String> argv = sandbox.commandLine(spec, List.of("true"));
            assertThat(argv).containsSubsequence(Executables.find("setsid").orElseThrow().toString(),
                    Executables.find("env").orElseThrow().toString(), "--chdir=" + tmp.toAbsolutePath(), "LD_PRELOAD=./x.so");
            assertThat(argv).noneMatch(a -> a.contains("s3cret"));
        }
    }
}
