package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An attempt's writable directories were walked for set-uid files twice when the wait was interrupted after the attempt's
 * end had walked them (the drain of its output waiting): once at the end, once more in {@link SandboxProcess#waitFor}'s
 * finally. Now once. The drain is kept waiting by a process that left the group with the output pipe and cleared its
 * environment ({@code env -i}): neither the group's KILL nor the escapee scan ends it.
 */
class SetIdWalkOnceTest {
    @TempDir
    Path tmp;

    @Test
    void anInterruptWhileTheDrainWaitsAfterTheWalkDoesNotWalkAgain() throws Exception {
        Path workspace = Files.createDirectories(tmp.resolve("ws"));
        Thread waiter = null;
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off in this test"), w -> {})) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(Isolation.OFF)
                    .workspaceWritable(true).limits(new ProcessLimits(0, 0, 0, 0))
                    .env(Map.of("SWARM_RUN_ID", "r-walk-" + System.nanoTime(), "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1"))
                    .grace(Duration.ofSeconds(60)).build();
            SandboxProcess p = sandbox.start(spec,
                    List.of("bash", "-c", "env -i setsid sleep 120 & h=$!; echo $h > holder; "
                            // exit only once it runs sleep with an empty environment (before, the scan could find it)
                            + "until [ \"$(cat /proc/$h/comm 2>/dev/null)\" = sleep ]; do sleep 0.01; done; exit 0"), LineListener.NONE);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    SandboxResult r = p.waitFor();
                    outcome.complete(new AssertionError("ended: " + r));
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            waiter = t;
            t.start();
            // the walk is done, and the drain waits (up to the 60 s grace) for the holder's pipe
            await().atMost(Duration.ofSeconds(30)).until(() -> p.setIdWalks() == 1);
            t.interrupt();
            Throwable thrown = outcome.get(30, TimeUnit.SECONDS);

            assertThat(thrown).as("the drain's wait was interrupted: %s", thrown).isInstanceOf(InterruptedException.class);
            assertThat(p.setIdWalks()).as("the writable directories were walked once").isEqualTo(1);
        } finally {
            Path holder = workspace.resolve("holder");
            if (Files.exists(holder)) {
                long pid = Long.parseLong(Files.readString(holder).strip());
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (waiter != null) waiter.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
