package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EscapeesTest {
    /** Pids are handed out in increasing order and wrap around to low ids after pid_max. */
    @Test
    void thePidsHandedOutAfterTheLeadersWrapAround() {
        assertThat(Escapees.handedOutAfter(105, 100, 110)).isTrue();
        assertThat(Escapees.handedOutAfter(110, 100, 110)).isTrue();
        assertThat(Escapees.handedOutAfter(100, 100, 110)).as("the leader itself").isFalse();
        assertThat(Escapees.handedOutAfter(99, 100, 110)).isFalse();
        assertThat(Escapees.handedOutAfter(111, 100, 110)).isFalse();
        // wrapped: the leader was near pid_max, the last pid is low again
        assertThat(Escapees.handedOutAfter(4_194_000, 4_190_000, 50)).isTrue();
        assertThat(Escapees.handedOutAfter(30, 4_190_000, 50)).isTrue();
        assertThat(Escapees.handedOutAfter(51, 4_190_000, 50)).isFalse();
    }

    /**
     * A process of several threads that left the attempt's group is found once: the threads' ids follow the leader's as
     * processes' do, and {@code /proc/TID} answers for each thread, but a thread is not a process to name or signal.
     */
    @Test
    void aProcessOfSeveralThreadsIsFoundOnceNotOncePerThread() throws Exception {
        Map<String, String> env = Map.of("SWARM_RUN_ID", "escapees-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1");
        Process leader = start(env, "sleep", "600");
        Process threaded = null;
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            threaded = start(env, "perl", "-Mthreads", "-e", "threads->create(sub { sleep 600 })->detach for 1 .. 3; sleep 600");
            java.nio.file.Path tasks = java.nio.file.Path.of("/proc", Long.toString(threaded.pid()), "task");
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                try (var s = java.nio.file.Files.list(tasks)) {
                    return s.count() >= 4;
                }
            });
            for (boolean everyPid : new boolean[]{false, true}) {
                assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), everyPid))
                        .as("every pid: " + everyPid).extracting(Escapees.Found::pid).containsExactly(threaded.pid());
            }
        } finally {
            leader.destroyForcibly();
            if (threaded != null) threaded.destroyForcibly();
        }
    }

    /**
     * A process is named by its command line with the attempt's secrets masked and then cut to 200 characters: cut
     * first, a secret across the cut kept its first characters, unmasked.
     */
    @Test
    void aSecretAcrossTheCutOfTheCommandLineIsMaskedWhole() throws Exception {
        Map<String, String> env = Map.of("SWARM_RUN_ID", "escapees-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1");
        String secret = "s3cr3t-" + "k".repeat(40);
        String script = "sleep 600; :";
        // the secret starts 10 characters before the cut: "sh -c " + script + " " + padding + " "
        String padding = "p".repeat(200 - 10 - ("sh -c " + script + " ").length() - 1);
        Process leader = start(env, "sleep", "600");
        Process daemon = null;
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            daemon = start(env, "sh", "-c", script, padding, secret);
            long pid = daemon.pid();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), true).stream().anyMatch(f -> f.pid() == pid));
            Escapees.Found found = Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), true).stream()
                    .filter(f -> f.pid() == pid).findFirst().orElseThrow();
            String named = found.describe(java.util.Set.of(secret));
            assertThat(named).startsWith(pid + " (sh -c sleep 600; : ppp").contains("***").doesNotContain(secret.substring(0, 6));
        } finally {
            leader.destroyForcibly();
            if (daemon != null) {
                daemon.descendants().forEach(ProcessHandle::destroyForcibly); // its sleep
                daemon.destroyForcibly();
            }
        }
    }

    private static Process start(Map<String, String> env, String... command) throws java.io.IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(env);
        return b.start();
    }

    /**
     * A process whose marker entries stand after several hundred KiB of granted values (bash passes its children its
     * variables in its own order, so a ticket's large granted values can come first) is found.
     */
    @Test
    void markersAfterLargeValuesInTheEnvironmentAreFound() throws Exception {
        String run = "escapees-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Map<String, String> env = Map.of("SWARM_RUN_ID", run, "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1");
        Process leader = start(env, "sleep", "600");
        Process late = null;
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            // env(1) execs sleep with exactly these entries, in this order: 300 KiB of values, then the markers
            String big = "v".repeat(100 * 1024);
            late = start(Map.of(), "env", "-i", "A=" + big, "B=" + big, "C=" + big,
                    "SWARM_RUN_ID=" + run, "SWARM_TICKET_ID=t", "SWARM_ATTEMPT=1", "sleep", "600");
            long pid = late.pid();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                String environ = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "environ"),
                        java.nio.charset.StandardCharsets.ISO_8859_1);
                return environ.endsWith("SWARM_ATTEMPT=1\0"); // exec'd sleep, not env itself
            });
            assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), true))
                    .extracting(Escapees.Found::pid).containsExactly(pid);
        } finally {
            leader.destroyForcibly();
            if (late != null) late.destroyForcibly();
        }
    }

    /**
     * An environment without all three ids cannot tell the attempt's processes: nothing is looked for. Its scratch
     * directory is a marker too when it has one.
     */
    @Test
    void anAttemptWithoutTheMarkersLooksForNothing() {
        assertThat(Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t"))).isEmpty();
        assertThat(Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "2")))
                .extracting(String::new).containsExactly("SWARM_RUN_ID=r", "SWARM_TICKET_ID=t", "SWARM_ATTEMPT=2");
        assertThat(Escapees.find(1, 1, java.util.List.of(), true)).isEmpty();
        assertThat(Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "2",
                "SWARM_SCRATCH", "/s/runs/r/scratch"))).as("the scratch directory a marker too").extracting(String::new)
                .containsExactly("SWARM_RUN_ID=r", "SWARM_TICKET_ID=t", "SWARM_ATTEMPT=2", "SWARM_SCRATCH=/s/runs/r/scratch");
        assertThat(Escapees.markers(Map.of("SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "2", "SWARM_SCRATCH", "/s")))
                .as("the scratch directory alone").isEmpty();
    }

    /**
     * Two Swarmflows over two state directories holding the same run (a copied state directory, two restored from one
     * backup) run attempts with the same run, ticket and attempt ids: the end of one must not end the other's processes.
     * They differ in SWARM_SCRATCH, the run's scratch directory in each state directory.
     */
    @Test
    void anAttemptOfAnotherScratchDirectoryWithTheSameIdsIsNotFound() throws Exception {
        String run = "escapees-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Map<String, String> ours = Map.of("SWARM_RUN_ID", run, "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1",
                "SWARM_SCRATCH", "/state-a/runs/" + run + "/scratch");
        Map<String, String> theirs = new java.util.HashMap<>(ours);
        theirs.put("SWARM_SCRATCH", "/state-b/runs/" + run + "/scratch");
        Process leader = start(ours, "sleep", "600");
        Process other = null;
        Process own = null;
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            other = start(theirs, "sleep", "601");
            own = start(ours, "sleep", "602");
            long otherPid = other.pid();
            long ownPid = own.pid();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> commOf(otherPid).equals("sleep") && commOf(ownPid).equals("sleep"));
            for (boolean everyPid : new boolean[]{false, true}) {
                assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(ours), everyPid))
                        .as("every pid: " + everyPid).extracting(Escapees.Found::pid).containsExactly(ownPid);
            }
            // the other state directory's end finds its own and not ours
            assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(theirs), true))
                    .extracting(Escapees.Found::pid).containsExactly(otherPid);
        } finally {
            leader.destroyForcibly();
            if (other != null) other.destroyForcibly();
            if (own != null) own.destroyForcibly();
        }
    }

    /** The command name of process {@code pid} ({@code /proc/PID/comm}), or "" when it is gone. */
    private static String commOf(long pid) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * A process that escaped the group and starts others when it gets TERM (a daemon's TERM trap running
     * {@code setsid -f}): one scan, TERM, the grace, KILL left those others running, with the attempt's environment,
     * though the warning said Swarmflow ended them. The scan is repeated until it finds nothing.
     */
    @Test
    void whatAnEscapedProcessStartsOnTermIsEndedToo() throws Exception {
        Map<String, String> env = markerEnv();
        Process leader = start(env, "sleep", "600");
        java.nio.file.Path ready = java.nio.file.Files.createTempDirectory("escapees").resolve("ready");
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            start(env, "bash", "-c", "trap 'setsid -f sleep 4501; setsid -f sleep 4502; exit 0' TERM; touch \"$0\"; "
                    + "while :; do sleep 0.05; done", ready.toString());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(ready));

            Escapees.Ended ended = Escapees.endAll(leader.pid(), leaderStart, Escapees.markers(env), true, 5_000);

            assertThat(ended.left()).isEmpty();
            assertThat(commandLines(ended.ended())).contains("sleep 4501", "sleep 4502");
            assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), true)).as("still running").isEmpty();
        } finally {
            cleanUp(leader, env);
            java.nio.file.Files.deleteIfExists(ready);
            java.nio.file.Files.deleteIfExists(ready.getParent());
        }
    }

    /**
     * An escaped loop that ignores TERM and keeps starting processes in their own sessions: what it started during the
     * grace is found by the next scan and KILLed; with a single scan allowed, those are returned as still running (for
     * the warning to name), not counted as ended.
     */
    @Test
    void aLoopThatIgnoresTermAndKeepsStartingProcessesIsEndedOrNamedAsLeft() throws Exception {
        Map<String, String> env = markerEnv();
        Process leader = start(env, "sleep", "600");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("escapees");
        try {
            long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
            String loop = "trap '' TERM; touch \"$0\"; while :; do setsid -f sleep 4901; sleep 0.05; done";
            java.nio.file.Path ready = dir.resolve("one");
            start(env, "bash", "-c", loop, ready.toString());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(ready));

            Escapees.Ended once = Escapees.endAll(leader.pid(), leaderStart, Escapees.markers(env), true, 500, 1);
            assertThat(commandLines(once.left())).as("started during the grace").contains("sleep 4901");
            assertThat(commandLines(once.ended())).contains("bash -c " + loop + " " + ready);
            assertThat(once.ended()).extracting(Escapees.Found::pid)
                    .doesNotContainAnyElementsOf(once.left().stream().map(Escapees.Found::pid).toList());

            java.nio.file.Path again = dir.resolve("two");
            start(env, "bash", "-c", loop, again.toString());
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> java.nio.file.Files.exists(again));

            Escapees.Ended all = Escapees.endAll(leader.pid(), leaderStart, Escapees.markers(env), true, 500);
            assertThat(all.left()).isEmpty();
            assertThat(commandLines(all.ended())).contains("sleep 4901");
            assertThat(Escapees.find(leader.pid(), leaderStart, Escapees.markers(env), true)).as("still running").isEmpty();
        } finally {
            cleanUp(leader, env);
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) java.nio.file.Files.delete(f);
            }
            java.nio.file.Files.delete(dir);
        }
    }

    /** The command lines of {@code found}, one a line. */
    private static String commandLines(java.util.List<Escapees.Found> found) {
        return String.join("\n", found.stream().map(Escapees.Found::commandLine).toList());
    }

    private static Map<String, String> markerEnv() {
        return Map.of("SWARM_RUN_ID", "escapees-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1");
    }

    /** Ends the leader and whatever a test left with the same markers. */
    private static void cleanUp(Process leader, Map<String, String> env) throws InterruptedException {
        long leaderStart = Escapees.liveStartTicks(java.nio.file.Path.of("/proc", Long.toString(leader.pid())));
        if (leaderStart > 0) Escapees.endAll(leader.pid(), leaderStart, Escapees.markers(env), true, 0);
        leader.destroyForcibly();
    }
}
