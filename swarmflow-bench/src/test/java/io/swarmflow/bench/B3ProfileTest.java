package io.swarmflow.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How B3Profile sorts collapsed stacks (as async-profiler writes them with its {@code threads} option) into categories. */
class B3ProfileTest {
    @Test
    void eachStackCountsOnceUnderTheFirstCategoryItMatches() {
        Map<String, Long> sums = B3Profile.categorize(List.of(
                "[swarmflow-store-writer tid=12];java/lang/Thread.run;io/swarmflow/store/sql/SqlRunStore.writerLoop;fsync 30",
                "[C2 CompilerThre tid=7];start_thread;thread_native_entry 20",
                // spawn frames on an attempt thread: posix_spawn comes before the attempt-thread category
                "[ForkJoinPool-1-worker-1 tid=20];java/lang/VirtualThread.run;io/swarmflow/local/LocalExecutor.shell;"
                        + "io/swarmflow/sandbox/PosixSpawn.start;posix_spawn 5",
                "[ForkJoinPool-1-worker-1 tid=20];java/lang/VirtualThread.run;io/swarmflow/local/LocalExecutor.shell 2",
                "[ForkJoinPool-1-worker-2 tid=21];java/util/concurrent/ForkJoinPool.runWorker 3",
                "[main tid=1];io/swarmflow/engine/RunEngine.execute;java/util/ArrayList.add 4",
                "[swarm-output-3 tid=30];java/io/FileInputStream.readBytes;read 1",
                "[Service Thread tid=9];something_else 6",
                ""));
        assertThat(sums).containsExactly(
                Map.entry("store writer thread (SQLite commits: WAL writes, fsync, SQLite's C code)", 30L),
                Map.entry("JIT compilation", 20L),
                Map.entry("posix_spawn and its JNA call", 5L),
                Map.entry("output pumps", 1L),
                Map.entry("engine loop (RunEngine on the calling thread)", 4L),
                Map.entry("attempt threads (virtual: executor and sandbox code)", 2L),
                Map.entry("virtual-thread scheduling", 3L),
                Map.entry("other", 6L));
    }

    @Test
    void aLineWithoutASampleCountIsRefusedWithTheLine() {
        assertThatThrownBy(() -> B3Profile.categorize(List.of("[main tid=1];frame")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[main tid=1];frame");
    }
}
