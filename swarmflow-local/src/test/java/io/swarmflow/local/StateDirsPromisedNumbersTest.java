package io.swarmflow.local;

import io.swarmflow.agent.AttemptResult;
import io.swarmflow.store.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The numbers docs/sandbox.md promises about the list of state directories, checked by what happens rather than
 * against the constants that hold them ({@code LocalExecutor.MAX_HIDDEN_STATE_DIRS}, {@code StateDirRegistry.RECENT},
 * {@code StateDirRegistry.LOCK_WAIT}), which the older tests read back and so would follow any change to them:
 *
 * <ul>
 *   <li>"at most the 32 registered last of those still state directories ... are hidden": with 32 other state
 *       directories listed a ticket reads none of them and nothing is said; with 33 it reads the oldest alone, and the
 *       run says so once;</li>
 *   <li>a run's attempts leave its entry in place "unless more than 32 runs registered theirs since": moved once 32 have
 *       (it would then be the 33rd from the end, past what the run registered last hides), not before;</li>
 *   <li>"A run waits at most 5 s for the list's lock ...; runs of one swarm process that wait at once share those 5 s":
 *       with the lock kept by another process, two callers that wait at once with the default wait both give up after
 *       5 s, together.</li>
 * </ul>
 */
class StateDirsPromisedNumbersTest {
    /** docs/sandbox.md: "at most the 32 registered last ... are hidden". */
    private static final int HIDDEN = 32;
    /** docs/sandbox.md: "A run waits at most 5 s for the list's lock". */
    private static final Duration PROMISED_WAIT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;

    @Test
    void aTicketReadsNoneOf32ListedStateDirectoriesAndOnlyTheOldestOf33() throws Exception {
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "swarm-state-test-").toRealPath();
        Path list = tmp.resolve("list/state-dirs");
        try (Fixture f = new Fixture(tmp.resolve("f"), Fixture.Mode.BWRAP, list)) {
            // s0 is the oldest; s1..s32 the 32 registered last
            List<Path> states = new ArrayList<>();
            for (int i = 0; i <= HIDDEN; i++) {
                Path state = Files.createDirectories(outside.resolve("s" + i));
                Files.writeString(state.resolve("swarm.db"), "run " + i);
                states.add(state);
            }
            String script = "for i in $(seq 0 " + HIDDEN + "); do cat " + outside + "/s$i/swarm.db 2>/dev/null && echo || echo hidden; done";
            Files.createDirectories(list.getParent());

            Files.writeString(list, entries(states.subList(1, HIDDEN + 1)));
            List<String> seen = peek(f, "thirty-two", script);
            assertThat(seen.getFirst()).as("s0, not listed: readable as any directory").isEqualTo("run 0");
            assertThat(seen.subList(1, HIDDEN + 1)).as("32 listed: every one hidden").containsOnly("hidden").hasSize(32);
            assertThat(f.warnings).as("nothing to say with 32").isEmpty();

            Files.writeString(list, entries(states)); // the list is read again at every attempt
            seen = peek(f, "thirty-three", script);
            assertThat(seen.getFirst()).as("33 listed: the oldest is readable").isEqualTo("run 0");
            assertThat(seen.subList(1, HIDDEN + 1)).as("33 listed: the 32 registered last are hidden").containsOnly("hidden")
                    .hasSize(32);
            assertThat(f.warnings).singleElement().asString().startsWith(list + " lists 33 other state directories outside your "
                    + "home; this run's tickets do not see the 32 used last, but can read the 1 other");
        } finally {
            io.swarmflow.files.FileTrees.delete(outside);
        }
    }

    @Test
    void anAttemptMovesItsRunsEntryToTheEndOnceThirtyTwoRunsRegisteredSince() throws Exception {
        Path list = tmp.resolve("state-dirs");
        Path own = Files.createDirectories(tmp.resolve("long-run")).toRealPath();
        StateDirRegistry.register(list, own, Duration.ZERO, true);
        for (int i = 0; i < 31; i++) {
            StateDirRegistry.register(list, Files.createDirectories(tmp.resolve("later-" + i)).toRealPath(), Duration.ZERO, true);
        }
        byte[] before = Files.readAllBytes(list);
        StateDirRegistry.register(list, own, Duration.ZERO, false);
        assertThat(Files.readAllBytes(list)).as("31 registered since: left in place").isEqualTo(before);

        Path last = Files.createDirectories(tmp.resolve("later-31")).toRealPath();
        StateDirRegistry.register(list, last, Duration.ZERO, true);
        Path next = Files.createDirectories(tmp.resolve("next")).toRealPath();
        assertThat(StateDirRegistry.read(list, next).reversed().subList(0, HIDDEN)).as("32 since: the 33rd from the end")
                .doesNotContain(own);
        StateDirRegistry.register(list, own, Duration.ZERO, false);
        assertThat(new String(Files.readAllBytes(list), StandardCharsets.UTF_8)).as("32 registered since: moved to the end")
                .endsWith(last + "\0" + own + "\0");
    }

    @Test
    @Timeout(60)
    void twoCallersKeptFromTheListsLockByAnotherProcessGiveUpTogetherAfterFiveSeconds() throws Exception {
        Path list = tmp.resolve("list/state-dirs");
        Path other = Files.createDirectories(tmp.resolve("other")).toRealPath();
        Files.createDirectories(list.getParent());
        Files.writeString(list, other + "\0");
        Path lock = list.resolveSibling("state-dirs.lock");
        List<Path> dirs = List.of(Files.createDirectories(tmp.resolve("a")).toRealPath(),
                Files.createDirectories(tmp.resolve("b")).toRealPath());
        ExecutorService pool = Executors.newFixedThreadPool(dirs.size());
        Process holder = StateDirRegistryTest.holdLock(lock);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<Future<Long>> waited = new ArrayList<>();
            for (Path d : dirs) {
                waited.add(pool.submit(() -> {
                    start.await();
                    long t0 = System.nanoTime();
                    assertThatThrownBy(() -> StateDirRegistry.register(list, d)).isInstanceOf(StateDirRegistry.LockedException.class)
                            .hasMessage("another process has held " + lock + " for more than 5 s (fuser -v " + lock + " names it)");
                    return System.nanoTime() - t0;
                }));
            }
            long t0 = System.nanoTime();
            start.countDown();
            for (Future<Long> w : waited) assertThat(w.get()).as("each waited 5 s").isGreaterThanOrEqualTo(PROMISED_WAIT.toNanos());
            // "at most 5 s", and shared: not 2 x 5 s one after the other (the slack is for a loaded machine)
            assertThat(System.nanoTime() - t0).as("both gave up after about 5 s")
                    .isLessThan(PROMISED_WAIT.plusMillis(2_500).toNanos());
            assertThat(Files.readString(list)).as("unchanged").isEqualTo(other + "\0");
        } finally {
            pool.shutdownNow();
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    private static String entries(List<Path> states) {
        StringBuilder s = new StringBuilder();
        for (Path p : states) s.append(p).append('\0');
        return s.toString();
    }

    private static List<String> peek(Fixture f, String id, String script) throws Exception {
        TestControl control = new TestControl();
        AttemptResult result = f.run(Fixture.ticket(id, script).build(), control);
        assertThat(result.outcome()).as("%s", control.stderr).isEqualTo(Outcome.SUCCEEDED);
        return control.stdout;
    }
}
