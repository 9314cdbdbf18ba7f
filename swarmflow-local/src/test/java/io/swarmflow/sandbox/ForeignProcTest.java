package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code /proc} mounted for another PID namespace names other processes by the same numbers: the escapee scan then
 * saw nothing (or others' processes, which kill(2) in this namespace would not reach, or would hit the wrong ones).
 * It is detected once, by {@code /proc/self} against this process's own pid, and warned about instead of reporting none.
 */
class ForeignProcTest {
    @TempDir
    Path tmp;

    @Test
    void theRealProcIsThisNamespacesOwn() {
        assertThat(Escapees.procProblem(Path.of("/proc"), ProcessHandle.current().pid())).isNull();
        assertThat(Escapees.PROC_PROBLEM).isNull();
    }

    @Test
    void aProcWhoseSelfIsAnotherPidOrMissingIsRefusedWithTheReason() throws Exception {
        Path foreign = Files.createDirectories(tmp.resolve("proc"));
        Files.createSymbolicLink(foreign.resolve("self"), Path.of("4242"));
        assertThat(Escapees.procProblem(foreign, 17)).isEqualTo(foreign + " belongs to another PID namespace (" + foreign
                + "/self is 4242, but this process is 17)");
        assertThat(Escapees.procProblem(foreign, 4242)).isNull();
        assertThat(Escapees.procProblem(tmp.resolve("none"), 17)).startsWith(tmp.resolve("none") + "/self cannot be read (");
    }

    /**
     * Runs {@link ForeignProcProbe} with {@code args} in a JVM of its own in a new PID namespace that kept this one's
     * {@code /proc} (unshare --pid --fork, as root), and returns its exit value and output; one that has not ended after
     * 60 s is killed (with unshare: {@code --kill-child}, so the JVM and what it started do not outlive the test), and the
     * test fails with what it printed until then.
     */
    private static ProbeRun runProbe(String... args) throws Exception {
        Path javaExe = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new java.util.ArrayList<>(List.of("unshare", "--pid", "--fork", "--kill-child", javaExe.toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), ForeignProcProbe.class.getName()));
        command.addAll(List.of(args));
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try {
                probe.getInputStream().transferTo(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        synchronized (out) {
                            out.write(b);
                        }
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        synchronized (out) {
                            out.write(b, off, len);
                        }
                    }
                });
            } catch (java.io.IOException e) {
                // the probe was killed: what came is kept
            }
        });
        try {
            boolean ended = probe.waitFor(60, TimeUnit.SECONDS);
            if (ended) reader.join(java.time.Duration.ofSeconds(10));
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            assertThat(ended).as("the probe %s ended within 60 s; its output until then:%n%s", command, text).isTrue();
            return new ProbeRun(probe.exitValue(), text);
        } finally {
            probe.destroyForcibly(); // a probe that did not end in time is not left running
        }
    }

    private record ProbeRun(int exitValue, String out) {}

    /**
     * For real: a JVM in a new PID namespace (unshare --pid --fork, as root: CI's root leg) that kept the parent's
     * {@code /proc} warns once that escapees cannot be found. Its escaped sleep dies with the namespace.
     */
    @Test
    void aJvmInAnotherPidNamespaceThanItsProcWarnsThatEscapeesCannotBeFound() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PidsCgroup.realUidIsRoot(), "unshare --pid needs root");
        ProbeRun run = runProbe(tmp.toString());
        String out = run.out();

        assertThat(out.lines().filter(l -> l.startsWith("warning=processes that leave"))).as(out).singleElement().asString()
                .contains("/proc belongs to another PID namespace (/proc/self is ").contains(", but this process is 1)");
        assertThat(out).as(out).contains("escaped=[]");
        assertThat(run.exitValue()).as(out).isZero();
    }

    /**
     * For real: with a {@code /proc} of another PID namespace, bubblewrap is not usable (its outer process reads
     * {@code /proc/PID/ns} of its sandbox by a number that names another process there, or none: then it failed, and its
     * sandbox's first process waited forever holding the output pipe, so the probe's read of it never ended). The probe
     * says why, and a sandbox that requires bubblewrap is refused at once with that reason, every time.
     */
    @Test
    void withAForeignProcBubblewrapIsNotUsedAndARequiredSandboxIsRefusedWithTheReason() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PidsCgroup.realUidIsRoot(), "unshare --pid needs root");
        ProbeRun run = runProbe(tmp.toString(), "bwrap");
        String out = run.out();

        assertThat(out).as(out).contains("usable=false");
        assertThat(out.lines().filter(l -> l.startsWith("problem="))).as(out).singleElement().asString()
                .contains("bwrap cannot be used here: /proc belongs to another PID namespace (/proc/self is ")
                .contains(", but this process is 1)");
        assertThat(out.lines().filter(l -> l.startsWith("refused="))).as(out).singleElement().asString()
                .startsWith("refused=sandbox is required but bubblewrap is not usable here: bwrap cannot be used here: ")
                .contains("installing it again does not help", "run swarm in the PID namespace this /proc belongs to (the host's",
                        "or mount a fresh /proc for swarm's own PID namespace", "or set sandbox: best-effort")
                .doesNotContain("apt-get install");
        assertThat(out).as(out).doesNotContain("termination=");
        assertThat(run.exitValue()).as(out).isZero();
    }

    /**
     * swarm resume's kill of an orphaned attempt's group (review D2 F11): with a {@code /proc} of another PID namespace the
     * recorded pid and start ticks name another process than kill(2) reaches here, so nothing is signalled, and it says so.
     */
    @Test
    void anOrphanedGroupIsNeitherCheckedNorKilledWithAForeignProc() throws Exception {
        Process p = new ProcessBuilder(List.of("setsid", "sleep", "300")).start();
        long pid = p.pid();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> ProcessGroups.processGroup(pid).orElse(-1) == pid);
            long ticks = ProcessGroups.startTicks(pid).orElseThrow();
            List<String> warnings = new java.util.ArrayList<>();
            String problem = "/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)";

            assertThat(ProcessGroups.killOrphanGroup(pid, ticks, warnings::add, problem)).isFalse();

            assertThat(p.isAlive()).isTrue();
            assertThat(warnings).containsExactly("the process group " + pid + " of an attempt left running by its stopped "
                    + "coordinator was neither checked nor killed: " + problem + ", so its numbers name other processes than "
                    + "kill(2) would reach; if it still runs, end it yourself where /proc is mounted for its own PID namespace");
            // this JVM's own /proc is its namespace's: the same call kills, and warns of nothing
            warnings.clear();
            assertThat(ProcessGroups.killOrphanGroup(pid, ticks, warnings::add)).isTrue();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(warnings).isEmpty();
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theWarningSaysEscapeesAreNeitherEndedNorReported() {
        assertThat(Sandbox.escapeesUnfindable("/proc belongs to another PID namespace (/proc/self is 1, but this process is 9)"))
                .startsWith("processes that leave a ticket's process group (setsid, a daemon) cannot be found here without "
                        + "bubblewrap: /proc belongs to another PID namespace")
                .contains("they are not ended when their attempt ends, and are not reported");
    }
}
