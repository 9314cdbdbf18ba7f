package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bubblewrap probe runs {@code true} by an absolute path outside what its sandbox hides: with a PATH whose
 * {@code true} lies only under {@code /tmp} (which the probe's sandbox mounts empty), bwrap's {@code execvp true} failed,
 * and swarm said bubblewrap could not create namespaces here, so {@code best-effort} tickets ran with no isolation.
 */
class BubblewrapProbeTest {
    @TempDir
    Path tmp;

    private static Path systemTrue() throws Exception {
        return Executables.find("true", null).orElseThrow().toRealPath();
    }

    @Test
    void theProbesTrueIsAnAbsolutePathOutsideTmpThroughSymbolicLinks() throws Exception {
        Path linked = Files.createDirectories(tmp.resolve("linked"));
        Files.createSymbolicLink(linked.resolve("true"), systemTrue());
        assertThat(Bubblewrap.probeProgram(linked.toString())).isEqualTo(systemTrue().toString());

        Path copied = Files.createDirectories(tmp.resolve("copied"));
        Files.copy(systemTrue(), copied.resolve("true"));
        assertThat(copied.resolve("true").toFile().setExecutable(true)).isTrue();
        assertThat(Bubblewrap.probeProgram(copied.toString())).as("one under /tmp gives way to the system's")
                .isEqualTo(systemTrue().toString());

        assertThat(Bubblewrap.smokeTest("/usr/bin/bwrap", true, Bubblewrap.probeProgram(copied.toString())))
                .endsWith("--", systemTrue().toString());
    }

    /**
     * A {@code true} that is a link to a multi-call binary (coreutils-single: {@code true -> coreutils}) is run by its own
     * name, which tells the binary what to be; only its directory's links are resolved (a review of 9851f03). Outside
     * /tmp, which gives way to the system's.
     */
    @Test
    void aTrueThatIsALinkIsRunByItsOwnName() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "probe-");
        try {
            Files.copy(systemTrue(), dir.resolve("multicall"));
            assertThat(dir.resolve("multicall").toFile().setExecutable(true)).isTrue();
            Files.createSymbolicLink(dir.resolve("true"), Path.of("multicall"));
            assertThat(Bubblewrap.probeProgram(dir.toString())).isEqualTo(dir.toRealPath().resolve("true").toString());
        } finally {
            Files.deleteIfExists(dir.resolve("true"));
            Files.deleteIfExists(dir.resolve("multicall"));
            Files.deleteIfExists(dir);
        }
    }

    /** The recipe of review R3 (F4): swarm's PATH holds only links under /tmp; bubblewrap is usable all the same. */
    @Test
    void aPathWhoseTrueLiesUnderTmpDoesNotMakeBubblewrapUnusable() throws Exception {
        Bubblewrap.Status real = Bubblewrap.probe();
        assumeTrue(real.usable(), () -> "bubblewrap is not usable here: " + real.problem());
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("true"), systemTrue());

        Bubblewrap.Status status = Bubblewrap.probe(real.path(), bin.toString());
        assertThat(status.usable()).as("%s", status).isTrue();
    }
    /**
     * A bwrap that fails and leaves a process holding its output pipe (as the outer bwrap did where {@code /proc} is
     * another PID namespace's: {@code open /proc/25/ns/ns failed}, its sandbox's first process then waiting for it
     * forever): the probe read the pipe to its end before waiting with a bound, so it never returned. Now it says why
     * bwrap failed.
     */
    @Test
    void aBwrapThatFailsAndLeavesAProcessHoldingItsOutputDoesNotHoldUpTheProbe() throws Exception {
        Path left = tmp.resolve("left");
        Path bwrap = tmp.resolve("bwrap");
        Files.writeString(bwrap, """
                #!/bin/sh
                if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi
                echo "bwrap: open /proc/25/ns/ns failed: No such file or directory" >&2
                sleep 300 &
                echo $! > %s
                exit 1
                """.formatted(left));
        assertThat(bwrap.toFile().setExecutable(true)).isTrue();
        try {
            Bubblewrap.Status status = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                    () -> Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null), "the probe did not return");
            assertThat(status.usable()).isFalse();
            assertThat(status.problem()).isEqualTo("bwrap cannot create namespaces here: bwrap: open /proc/25/ns/ns failed: "
                    + "No such file or directory");
            assertThat(left).exists();
            assertGone(List.of(Long.parseLong(Files.readString(left).strip())), "the process bwrap left (review D5 #3)");
        } finally {
            if (Files.exists(left)) ProcessHandle.of(Long.parseLong(Files.readString(left).strip())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Review D5 #2: a smoke test that does not end within the probe's limit (a loaded machine) was reported as "bwrap
     * cannot create namespaces here: timed out", after only 10 s; now the limit is 60 s and the reason says what happened.
     */
    @Test
    void aSmokeTestThatDoesNotEndInTimeIsSaidSoNotAsNamespacesRefused() throws Exception {
        Path bwrap = tmp.resolve("bwrap");
        Files.writeString(bwrap, """
                #!/bin/sh
                if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi
                exec sleep 300
                """);
        assertThat(bwrap.toFile().setExecutable(true)).isTrue();
        assertThat(Bubblewrap.RUN_SECONDS).as("the limit a loaded machine gets").isGreaterThanOrEqualTo(60);
        Bubblewrap.runSeconds = 1;
        try {
            Bubblewrap.Status status = Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null);
            assertThat(status.usable()).isFalse();
            assertThat(status.problem()).startsWith("bwrap's smoke test did not end within 1 s (a heavily loaded machine")
                    .doesNotContain("cannot create namespaces");
        } finally {
            Bubblewrap.runSeconds = Bubblewrap.RUN_SECONDS;
        }
    }

    /** Where /proc is another PID namespace's, bubblewrap is not used, with the reason; the smoke test is not run. */
    @Test
    void withAForeignProcBubblewrapIsNotUsable() throws Exception {
        Path ran = tmp.resolve("ran");
        Path bwrap = tmp.resolve("bwrap");
        Files.writeString(bwrap, """
                #!/bin/sh
                if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi
                touch %s
                """.formatted(ran));
        assertThat(bwrap.toFile().setExecutable(true)).isTrue();
        String problem = "/proc belongs to another PID namespace (/proc/self is 4242, but this process is 1)";

        Bubblewrap.Status status = Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), problem);

        assertThat(status.usable()).isFalse();
        assertThat(status.version()).isEqualTo("bubblewrap 0.8.0");
        assertThat(status.problem()).isEqualTo(Bubblewrap.foreignProc(problem))
                .startsWith("bwrap cannot be used here: " + problem + ", and bwrap reads its sandbox's namespaces")
                .contains("run swarm where /proc is mounted for its own PID namespace");
        assertThat(ran).doesNotExist();
        assertThat(Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null).usable()).as("the smoke test ran").isTrue();
        assertThat(ran).exists();
    }

    /** The probe's output readers alive now ({@code swarm-bwrap-probe-N}). */
    private static Set<Thread> readers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("swarm-bwrap-probe")).collect(Collectors.toSet());
    }

    /** Asserts that none of {@code pids} runs any more (gone, or a zombie), polling up to 10 s for the KILLs to land. */
    private static void assertGone(List<Long> pids, String what) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(20))
                .untilAsserted(() -> assertThat(pids.stream()
                        .filter(p -> Escapees.liveStartTicks(Path.of("/proc", Long.toString(p))) >= 0).toList())
                        .as(what + " still running").isEmpty());
    }

    /**
     * A fake bwrap whose smoke test hangs ({@code sleep 1000}) after it forked a child that hangs too; it writes its own pid
     * and its child's to {@code pids}, one a line, before it hangs.
     */
    private Path hangingBwrap(Path pids) throws Exception {
        Path bwrap = tmp.resolve("bwrap");
        Files.writeString(bwrap, """
                #!/bin/sh
                if [ "$1" = --version ]; then echo "bubblewrap 0.8.0"; exit 0; fi
                sleep 1000 &
                echo "$$ $!" > %1$s.new
                mv %1$s.new %1$s
                exec sleep 1000
                """.formatted(pids));
        assertThat(bwrap.toFile().setExecutable(true)).isTrue();
        return bwrap;
    }

    private static List<Long> pids(Path file) throws Exception {
        return java.util.Arrays.stream(Files.readString(file).strip().split(" ")).map(Long::parseLong).toList();
    }

    /**
     * Review D5 #3: a smoke test that did not end in time had only its own process killed (destroyForcibly): what it had
     * started ran on, holding the output pipe, and the probe's reader thread stayed blocked on it for good. Now the
     * probe's whole process group is killed, and the reader has ended when the probe returns.
     */
    @Test
    void aSmokeTestThatTimesOutLeavesNoProcessAndNoReaderBehind() throws Exception {
        Path pids = tmp.resolve("pids");
        Path bwrap = hangingBwrap(pids);
        Set<Thread> before = readers();
        Bubblewrap.runSeconds = 2;
        try {
            Bubblewrap.Status status = Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null);
            assertThat(status.problem()).startsWith("bwrap's smoke test did not end within 2 s");
        } finally {
            Bubblewrap.runSeconds = Bubblewrap.RUN_SECONDS;
        }
        Set<Thread> left = readers();
        left.removeAll(before);
        assertThat(left).as("the probe's output reader has ended").isEmpty();
        assertThat(pids).as("the smoke test started its child before the limit").exists();
        assertGone(pids(pids), "the smoke test and its child");
    }

    /** Review D5 #3: a probe interrupted while its smoke test runs leaves no process and no reader behind either. */
    @Test
    void anInterruptedProbeLeavesNoProcessAndNoReaderBehind() throws Exception {
        Path pids = tmp.resolve("pids");
        Path bwrap = hangingBwrap(pids);
        Set<Thread> before = readers();
        java.util.concurrent.atomic.AtomicReference<Bubblewrap.Status> status = new java.util.concurrent.atomic.AtomicReference<>();
        Thread prober = Thread.ofPlatform().start(() -> status.set(Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null)));
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Files.exists(pids));
        } finally {
            prober.interrupt();
            prober.join(java.time.Duration.ofSeconds(30));
        }
        assertThat(prober.isAlive()).as("the probe returned").isFalse();
        assertThat(status.get().problem()).isEqualTo("interrupted while probing bwrap");
        Set<Thread> left = readers();
        left.removeAll(before);
        assertThat(left).as("the probe's output reader has ended").isEmpty();
        assertGone(pids(pids), "the smoke test and its child");
    }

    /**
     * Review DPROC F1: where {@code /proc} is another PID namespace's, the probe's {@code bwrap --version} still runs, and
     * its end SIGKILLed the command's descendants as read from that {@code /proc}, whose numbers name other processes
     * here. A {@code --version} that does not end in time and has started a process outside its group ({@code setsid}): with
     * {@code /proc} said to be foreign nothing read from it is signalled, so that process (a real descendant here, standing
     * for the stranger the foreign {@code /proc} would name) is left alone; with {@code /proc} this namespace's it is killed.
     */
    @Test
    void withAForeignProcNoDescendantReadFromItIsKilled() throws Exception {
        Path left = tmp.resolve("left");
        Path bwrap = tmp.resolve("bwrap");
        Files.writeString(bwrap, """
                #!/bin/sh
                setsid sleep 300 > /dev/null 2>&1 < /dev/null &
                echo $! > %1$s.new
                mv %1$s.new %1$s
                exec sleep 300
                """.formatted(left));
        assertThat(bwrap.toFile().setExecutable(true)).isTrue();
        String problem = "/proc belongs to another PID namespace (/proc/self is 4242, but this process is 1)";
        Bubblewrap.runSeconds = 1;
        List<Long> started = new java.util.ArrayList<>();
        try {
            Bubblewrap.Status status = Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), problem);
            assertThat(status.problem()).isEqualTo("bwrap --version failed: did not end within 1 s");
            assertThat(left).as("the command started its process before the limit").exists();
            long pid = Long.parseLong(Files.readString(left).strip());
            started.add(pid);
            assertThat(Escapees.liveStartTicks(Path.of("/proc", Long.toString(pid)))).as("the process outside the group, "
                    + "left alone (running: not a zombie)").isNotNegative();
            Files.delete(left);

            Bubblewrap.probe(bwrap.toString(), System.getenv("PATH"), null);
            assertThat(left).exists();
            long own = Long.parseLong(Files.readString(left).strip());
            started.add(own);
            assertGone(List.of(own), "with /proc this namespace's, the descendant that left the group");
        } finally {
            Bubblewrap.runSeconds = Bubblewrap.RUN_SECONDS;
            started.forEach(p -> ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    /**
     * Review DPROC F7: an interrupted probe was kept for the whole JVM, so after one cancel during the first probe every
     * {@code sandbox: required} ticket was refused and every {@code best-effort} one ran unsandboxed. Now it is not kept:
     * the next call probes again; any other status is kept.
     */
    @Test
    void anInterruptedProbeIsNotKeptTheNextCallProbesAgain() {
        Bubblewrap.Once once = new Bubblewrap.Once();
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        Bubblewrap.Status interrupted = new Bubblewrap.Status(false, "/usr/bin/bwrap", null, Bubblewrap.INTERRUPTED);
        Bubblewrap.Status usable = new Bubblewrap.Status(true, "/usr/bin/bwrap", "bubblewrap 0.9.0", null);

        assertThat(once.get(() -> { runs.incrementAndGet(); return interrupted; })).isSameAs(interrupted);
        assertThat(once.get(() -> { runs.incrementAndGet(); return usable; })).as("probed again").isSameAs(usable);
        assertThat(once.get(() -> { runs.incrementAndGet(); return interrupted; })).as("kept").isSameAs(usable);
        assertThat(runs).hasValue(2);
    }
}
