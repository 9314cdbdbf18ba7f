package io.swarmflow.local;

import io.swarmflow.sandbox.ProcessGroups;
import io.swarmflow.store.AttemptView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Brief F item 2, through the executor: a lost attempt whose coordinator recorded another time namespace than this
 * process's ({@code ;timens=} in its id) has start ticks that do not compare with those read here. {@link LocalExecutor}
 * passes that namespace on ({@link LocalExecutor#ticksTimeNamespace}), so neither {@link LocalExecutor#orphanAlive} nor
 * {@link LocalExecutor#killOrphan} judges the group or its escaped processes by them, whatever the caller checked first:
 * nothing is killed, and the warning says why. The same attempt recorded in this namespace is alive.
 */
class LostAttemptRecordedClockTest {
    @TempDir
    Path tmp;

    @Test
    void anAttemptRecordedInAnotherTimeNamespaceIsNeitherJudgedNorKilledByItsTicks() throws Exception {
        String run = "clock-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path escapeePid = Files.createDirectories(tmp.resolve("pids")).resolve("escapee");
        ProcessBuilder b = new ProcessBuilder("setsid", "bash", "-c", "setsid sleep 4701 & echo $! > \"$0.tmp\"; "
                + "mv \"$0.tmp\" \"$0\"; exec sleep 4702", escapeePid.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        b.environment().putAll(java.util.Map.of("SWARM_RUN_ID", run, "SWARM_TICKET_ID", "long", "SWARM_ATTEMPT", "2",
                "SWARM_SCRATCH", LocalExecutor.scratchVariable(tmp.resolve("state/runs").resolve(run).resolve("scratch"))));
        Process leader = b.start();
        long escapee = -1;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(escapeePid));
            escapee = Long.parseLong(Files.readString(escapeePid).strip());
            long e = escapee;
            await().atMost(Duration.ofSeconds(10)).until(() -> comm(e).equals("sleep") && comm(leader.pid()).equals("sleep"));
            long ticks = ProcessGroups.startTicks(leader.pid()).orElseThrow();
            long other = ProcessGroups.TIME_NAMESPACE + 1;
            AttemptView ofHere = new AttemptView(run, "long", 2, null, null, null, 0, 0, leader.pid(), ticks, null,
                    "host:1@0;timens=" + ProcessGroups.TIME_NAMESPACE);
            AttemptView ofElsewhere = new AttemptView(run, "long", 2, null, null, null, 0, 0, leader.pid(), ticks, null,
                    "host:1@0;timens=" + other);
            assertThat(LocalExecutor.orphanAlive(ofHere)).isTrue();
            assertThat(LocalExecutor.orphanAlive(ofElsewhere)).isFalse();

            List<String> warnings = new CopyOnWriteArrayList<>();
            try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(tmp.resolve("state"), warnings::add)
                    .withStateDirs(null))) {
                assertThat(executor.killOrphan(ofElsewhere)).isFalse();
            }
            assertThat(warnings).singleElement().asString().contains("process group " + leader.pid(), "was not killed",
                    "time:[" + other + "]");
            assertThat(leader.isAlive()).isTrue();
            assertThat(ProcessHandle.of(e).map(ProcessHandle::isAlive)).as("the escaped process").contains(true);
        } finally {
            leader.destroyForcibly();
            if (escapee > 0) ProcessHandle.of(escapee).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
