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

    /**
     * Without bubblewrap, best-effort tickets run unisolated; as root that means as root on the host, which the one
     * warning said nothing of (review R3 F7).
     */
    @Test
    void theUnisolatedWarningSaysTicketsRunAsRootOnTheHostWhenSwarmDoes() {
        String user = Sandbox.unisolatedWarning("bwrap not found on PATH", false);
        assertThat(user).isEqualTo("bubblewrap is not usable here (bwrap not found on PATH): sandbox: best-effort tickets run "
                + "with resource limits and a scrubbed environment only, without filesystem and network isolation; install "
                + "bubblewrap (apt-get install bubblewrap) to isolate them");
        assertThat(Sandbox.unisolatedWarning("bwrap not found on PATH", true)).startsWith(user)
                .contains("swarm runs as root, so these tickets run as root on the host, unconfined")
                .endsWith("run swarm as an ordinary user, or give them sandbox: required, which refuses to run them without bubblewrap");
    }

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
            assertThat(argv).containsSubsequence("/usr/bin/setsid", "/usr/bin/prlimit", "--cpu=60:61", "--as=1073741824", "--nproc=64", "--core=0", "--",
                    "/usr/bin/bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                    "--tmpfs", "/run", // no network: no host Unix sockets either
                    "--tmpfs", s.toString(),
                    "--ro-bind", r.toString(), r.toString(),
                    "--ro-bind", r + "/.git", r + "/.git",
                    "--bind", sc.toString(), sc.toString(),
                    "--remount-ro", s.toString(),
                    "--cap-drop", "ALL", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--unshare-net",
                    "--die-with-parent", "--chdir", sc.toString(), "--", Executables.find("true").orElseThrow().toString());
            assertThat(argv).doesNotContain("--fsize=0").noneMatch(a -> a.contains("s3cret"));
        }
    }

    /** Programs under /run (NixOS: /run/current-system/sw/bin) must stay reachable: /run is then not hidden. */
    @Test
    void runStaysVisibleWhenThePathUsesIt() throws Exception {
        SandboxSpec usual = SandboxSpec.builder(tmp).build();
        SandboxSpec nix = SandboxSpec.builder(tmp).env("PATH", "/run/current-system/sw/bin:/usr/bin").build();
        SandboxSpec online = SandboxSpec.builder(tmp).network(true).build();
        try (Sandbox sandbox = new Sandbox(FAKE_BWRAP, w -> {})) {
            assertThat(String.join(" ", sandbox.commandLine(usual, List.of("true")))).contains("--tmpfs /run ");
            assertThat(String.join(" ", sandbox.commandLine(nix, List.of("true")))).doesNotContain("--tmpfs /run ");
            assertThat(String.join(" ", sandbox.commandLine(online, List.of("true")))).doesNotContain("--tmpfs /run ");
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

    /**
     * Bubblewrap installed but unusable because {@code /proc} is another PID namespace's: the refusal says so and how to
     * fix it (the host's PID namespace, a fresh /proc), not to install bubblewrap; only a bwrap not found is told to be
     * installed.
     */
    @Test
    void requiredIsolationWithAForeignProcSaysHowToFixTheProcNotToInstallBubblewrap() {
        String proc = "/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)";
        Bubblewrap.Status installed = new Bubblewrap.Status(false, "/usr/bin/bwrap", "bubblewrap 0.9.0", Bubblewrap.foreignProc(proc));
        try (Sandbox sandbox = new Sandbox(installed, w -> {}, HardLimits.current(), false, proc)) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).build();
            assertThatThrownBy(() -> sandbox.start(spec, List.of("true"), LineListener.NONE))
                    .isInstanceOf(SandboxException.class)
                    .hasMessageStartingWith("sandbox is required but bubblewrap is not usable here: bwrap cannot be used here: " + proc)
                    .hasMessageEndingWith("; bubblewrap is installed (/usr/bin/bwrap), and installing it again does not help: "
                            + "run swarm in the PID namespace this /proc belongs to (the host's, not inside `unshare --pid` "
                            + "without --mount-proc), or mount a fresh /proc for swarm's own PID namespace (unshare --pid --fork "
                            + "--mount-proc, or a container with its own /proc); or set sandbox: best-effort")
                    .message().doesNotContain("apt-get install");
            assertThat(sandbox.requiredNextStep()).doesNotContain("apt-get install").contains("mount a fresh /proc");
        }
        Bubblewrap.Status noNamespaces = new Bubblewrap.Status(false, "/usr/bin/bwrap", "bubblewrap 0.9.0",
                "bwrap cannot create namespaces here: bwrap: No permissions to create new namespace");
        assertThat(Sandbox.requiredProblem(noNamespaces, null)).isEqualTo("sandbox is required but bubblewrap is not usable "
                + "here: bwrap cannot create namespaces here: bwrap: No permissions to create new namespace; bubblewrap is "
                + "installed (/usr/bin/bwrap), so installing it does not help: fix what the reason names (usually that this "
                + "user may not create namespaces: unprivileged user namespaces off, e.g. sysctl "
                + "kernel.unprivileged_userns_clone=0 or, on Ubuntu 23.10 and later, kernel.apparmor_restrict_unprivileged_userns=1; "
                + "or a container that forbids them) or set sandbox: best-effort");
        // review DPROC F7: a probe that did not end, failed otherwise or was interrupted is not told about namespaces
        for (String other : List.of("bwrap's smoke test did not end within 60 s (a heavily loaded machine, or bwrap hung): "
                + "bubblewrap is not used by this process", "bwrap --version failed: did not end within 60 s",
                "bwrap could not be run: Permission denied", Bubblewrap.INTERRUPTED)) {
            String problem = Sandbox.requiredProblem(new Bubblewrap.Status(false, "/usr/bin/bwrap", null, other), null);
            assertThat(problem).as(other).isEqualTo("sandbox is required but bubblewrap is not usable here: " + other
                    + "; bubblewrap is installed (/usr/bin/bwrap), so installing it does not help: fix what the reason "
                    + "names, or set sandbox: best-effort");
        }
        assertThat(Sandbox.requiredProblem(Bubblewrap.Status.unavailable("bwrap not found on PATH"), proc))
                .isEqualTo("sandbox is required but bubblewrap is not usable here: bwrap not found on PATH; install it "
                        + "(apt-get install bubblewrap) or set sandbox: best-effort");
    }

    @Test
    void processLeadsItsOwnGroupAndReportsItsStartTime() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).build();
            SandboxProcess p = sandbox.start(spec, List.of("sleep", "30"), LineListener.NONE);

            // setsid(1) calls setsid(2) just after its exec, so the new group may take a moment to appear
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> ProcessGroups.processGroup(p.pid()).orElse(-1) == p.pid());
            assertThat(ProcessGroups.startTicks(p.pid())).hasValue(p.startTicks());
            assertThat(ProcessGroups.killOrphanGroup(p.pid(), p.startTicks() - 1)).isFalse();
            assertThat(ProcessGroups.killOrphanGroup(p.pid(), p.startTicks())).isTrue();
            SandboxResult result = p.waitFor();
            assertThat(result.termination()).isEqualTo(Termination.EXITED);
            assertThat(result.exitCode()).isEqualTo(128 + 9);
        }
    }

    /** A crash or the CPU limit's SIGXCPU must not leave a core file in the workspace (a worktree's commit would take it). */
    @Test
    void anAttemptWithLimitsMayNotWriteCoreFiles() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            Path logs = tmp.resolve("logs");
            SandboxResult r = sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.OFF).limits(new ProcessLimits(60, 0, 0, 0))
                    .logs(logs.resolve("stdout.log"), logs.resolve("stderr.log"), 1024).build(),
                    List.of("bash", "-c", "ulimit -c; ulimit -Hc"), LineListener.NONE).waitFor();

            assertThat(r.exitCode()).isZero();
            assertThat(logs.resolve("stdout.log")).hasContent("0\n0");
        }
    }

    @Test
    void logFilesAreCreatedOnTheFirstByteOfTheirStream() throws Exception {
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            Path quiet = tmp.resolve("logs/quiet/1");
            Path noisy = tmp.resolve("logs/noisy/1");
            SandboxResult q = sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.OFF)
                    .logs(quiet.resolve("stdout.log"), quiet.resolve("stderr.log"), 1024).build(),
                    List.of("true"), LineListener.NONE).waitFor();
            SandboxResult n = sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.OFF)
                    .logs(noisy.resolve("stdout.log"), noisy.resolve("stderr.log"), 1024).build(),
                    List.of("bash", "-c", "echo out; echo err >&2"), LineListener.NONE).waitFor();

            assertThat(q.exitCode()).isZero();
            assertThat(quiet).doesNotExist();
            assertThat(n.exitCode()).isZero();
            assertThat(noisy.resolve("stdout.log")).hasContent("out");
            assertThat(noisy.resolve("stderr.log")).hasContent("err");
        }
    }

    @Test
    void aLogFileThatCannotBeWrittenIsReportedAndTheOutputStillDrained() throws Exception {
        Path blocker = tmp.resolve("not-a-dir");
        Files.writeString(blocker, "x");
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxResult r = sandbox.start(SandboxSpec.builder(tmp).isolation(Isolation.OFF)
                    .logs(blocker.resolve("stdout.log"), blocker.resolve("stderr.log"), 0).build(),
                    List.of("bash", "-c", "head -c 1000000 /dev/zero | tr '\\0' 'a'; echo; echo done"),
                    (stream, line) -> lines.add(stream + ": " + line)).waitFor();

            assertThat(r.exitCode()).isZero();
            assertThat(r.stdoutBytes()).isEqualTo(1_000_006);
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("stdout: [swarm: cannot write the log file " + blocker.resolve("stdout.log")));
            assertThat(lines).contains("stdout: done");
        }
    }

    @Test
    void theKernelNamesAProcessAfterItsFileNameCutTo15Bytes() {
        assertThat(SandboxProcess.commandName("/usr/bin/bwrap")).isEqualTo("bwrap");
        assertThat(SandboxProcess.commandName("/opt/sandbox/bubblewrap-0.11-static")).isEqualTo("bubblewrap-0.11");
    }

    @Test
    void outputOfAProcessThatEscapedTheGroupIsNotRecordedAfterTheAttemptEnds() throws Exception {
        String marker = "3000" + Math.abs(java.util.UUID.randomUUID().getMostSignificantBits() % 100000);
        Path out = tmp.resolve("logs/stdout.log");
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).grace(Duration.ofMillis(200))
                    .logs(out, tmp.resolve("logs/stderr.log"), 1 << 20).build();
            // a new session escapes the group sweep and keeps the stdout pipe open after the script ends; it
            // writes once the test says the attempt is over, then lets the test know. The script ends only once
            // the new session exists: before that, the sweep at the script's end would rightly kill it.
            Path inNewSession = tmp.resolve("in-new-session");
            Path go = tmp.resolve("go");
            Path wrote = tmp.resolve("wrote");
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", "setsid bash -c 'touch " + inNewSession + "; "
                    + "while [ ! -e " + go + " ]; do sleep 0.05; done; echo late; touch " + wrote + "; sleep " + marker + "' & "
                    + "while [ ! -e " + inNewSession + " ]; do sleep 0.01; done; echo done"), LineListener.NONE);
            long started = System.nanoTime();
            SandboxResult result = p.waitFor();

            assertThat(result.exitCode()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the drain gives up").isLessThan(Duration.ofSeconds(5));
            Files.createFile(go);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(wrote));
            // the pump reads "late" within milliseconds of the write; it must not reach the log
            org.awaitility.Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> Files.readString(out).equals("done\n"));
        } finally {
            TestProcesses.killWithArgument(marker);
        }
    }

    /**
     * A TERM sent while bubblewrap is the only process of the attempt (the first milliseconds: a timeout of 1 ms, a
     * Ctrl-C as the ticket starts) reached nobody, since bwrap itself is spared it; the script then started and ran
     * until the grace period's KILL. Now the attempt ends at once. Repeated: the moment the timeout meets varies.
     */
    @org.junit.jupiter.api.RepeatedTest(5)
    void underBubblewrapATimeoutBeforeTheScriptStartsEndsTheAttemptWithoutWaitingOutTheGrace() throws Exception {
        Bubblewrap.Status bwrap = Bubblewrap.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(bwrap.usable(), () -> "bubblewrap is not usable here: " + bwrap.problem());
        try (Sandbox sandbox = new Sandbox(bwrap, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).grace(Duration.ofSeconds(300))
                    .timeout(Duration.ofMillis(1)).build();
            // no TERM trap: a TERM that reaches the shell ends it at once, so only a TERM that reached nobody can keep the
            // attempt going (with LocalExecutor's grace trap, one that lands between the trap and the first command's fork
            // is deferred until that command ends, a bash window this does not test)
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", "sleep 600; true"), LineListener.NONE);
            try {
                SandboxResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), p::waitFor,
                        "the attempt waited out the grace period");
                assertThat(result.termination()).isEqualTo(Termination.TIMED_OUT);
            } finally {
                p.kill();
            }
        }
    }

    /**
     * With {@code --unshare-pid}, the outer bwrap (the group's leader) exits as soon as it learns the script's exit status,
     * leaving its process inside the sandbox, a member of the group, to the system's init as a zombie. kill(2)'s probe of
     * the group found that zombie, and every attempt then read every process's stat file to tell (3.3 ms of CPU per
     * sandboxed ticket in B3). The leftovers get one kill(2) now, and no scan. Repeated: whether the zombie is still there
     * depends on how fast init reaps it.
     */
    @org.junit.jupiter.api.RepeatedTest(3)
    void underBubblewrapAnAttemptThatEndsDoesNotReadTheProcessTable() throws Exception {
        Bubblewrap.Status bwrap = Bubblewrap.probe();
        org.junit.jupiter.api.Assumptions.assumeTrue(bwrap.usable(), () -> "bubblewrap is not usable here: " + bwrap.problem());
        org.junit.jupiter.api.Assumptions.assumeTrue(Kill.available(), () -> "kill(2) is not callable here: " + Kill.problem());
        try (Sandbox sandbox = new Sandbox(bwrap, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).build();
            long scansBefore = ProcessGroups.SCANS.sum();
            SandboxResult result = sandbox.start(spec, List.of("true"), LineListener.NONE).waitFor();
            assertThat(result.exitCode()).isZero();
            assertThat(ProcessGroups.SCANS.sum()).as("reads of every process's stat file").isEqualTo(scansBefore);
        }
    }

    /**
     * bubblewrap's {@code --die-with-parent} is set by its sandboxed child after the clone; a TERM that ends the outer
     * bwrap in between (it was still setsid or prlimit when the group was looked at, a busy machine) leaves the
     * sandbox running with the attempt's pipes, which the drain then waited on for the whole grace. Whatever is left
     * in the group after bwrap ended is killed before the drain. A stand-in bwrap leaves a member behind at will.
     */
    @Test
    void underBubblewrapWhatOutlivesBubblewrapInItsGroupIsKilledBeforeTheDrain() throws Exception {
        String marker = "swarm-orphan-" + System.nanoTime();
        Path fake = Files.createDirectories(tmp.resolve("fake")).resolve("bwrap");
        Files.writeString(fake, "#!/bin/bash\n(exec -a " + marker + " sleep 600) &\nexit 0\n");
        fake.toFile().setExecutable(true);
        Bubblewrap.Status standIn = new Bubblewrap.Status(true, fake.toString(), "bubblewrap 0.8.0", null);
        try (Sandbox sandbox = new Sandbox(standIn, w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.REQUIRED).grace(Duration.ofSeconds(300)).build();
            SandboxProcess p = sandbox.start(spec, List.of("true"), LineListener.NONE);
            SandboxResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), p::waitFor,
                    "the drain waited on a pipe held by what outlived bubblewrap");
            assertThat(result.exitCode()).isZero();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
                    .noneMatch(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false)));
        } finally {
            TestProcesses.killWithArgument(marker);
        }
    }

    @Test
    void withoutBubblewrapAChildCleaningUpAfterTermKeepsTheGraceWhenTheScriptDiesAtOnce() throws Exception {
        Path cleaned = tmp.resolve("cleaned");
        Path started = tmp.resolve("started");
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).grace(Duration.ofSeconds(30))
                    .timeout(Duration.ofSeconds(1)).build();
            // bash waiting in `wait` dies of the TERM at once; the child traps it, cleans up for a moment, then exits
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", "sh -c 'trap \"sleep 0.3; echo done > " + cleaned
                    + "; exit 0\" TERM; touch " + started + "; while :; do sleep 0.05; done' & wait"), LineListener.NONE);
            SandboxResult result = p.waitFor();
            assertThat(Files.exists(started)).as("the child ran").isTrue();
            assertThat(result.termination()).isEqualTo(Termination.TIMED_OUT);
            assertThat(cleaned).as("the child finished its cleanup within the grace").hasContent("done");
        }
    }

    @Test
    void aPumpThatFellBehindStillRecordsEverythingTheAttemptWrote() throws Exception {
        Path out = tmp.resolve("logs/stdout.log");
        java.util.concurrent.CountDownLatch attemptOver = new java.util.concurrent.CountDownLatch(1);
        // the listener (a terminal that stopped reading, say) blocks until the attempt is over: past the drain deadline
        LineListener slow = (stream, line) -> {
            try {
                attemptOver.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(tmp).isolation(Isolation.OFF).grace(Duration.ofMillis(200))
                    .logs(out, tmp.resolve("logs/stderr.log"), 1 << 20).build();
            SandboxProcess p = sandbox.start(spec, List.of("bash", "-c", "for i in $(seq 1 2000); do echo line-$i; done"), slow);
            assertThat(p.waitFor().exitCode()).isZero(); // returns after the drain deadline, the pump still blocked
            attemptOver.countDown();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.exists(out) && Files.readString(out).endsWith("line-2000\n"));
            assertThat(Files.readAllLines(out)).hasSize(2000);
        }
    }
}
