package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * The set-up of the stalled-coordinator tests (the {@code ResumeTakeOver*Test}s, {@link CopyOfALiveStateDirTest},
 * {@link CleanWithAStoppedCoordinatorTest}, {@link StoppedCoordinatorStatusAndResumeTest}): a run's coordinator of this
 * host, played by a real process ({@code sleep 600}) that has the state directory's {@code swarm.db} open as its stdin
 * (as a coordinator has: only such a one is taken over, one without it is another state directory's) and whose identity
 * is the one a coordinator records (its pid, start ticks, boot id and pid namespace).
 */
final class LocalCoordinator {
    private LocalCoordinator() {}

    /**
     * Starts the process, which claims {@code run} with a lease of a millisecond (so it has run out by the time the test
     * looks) and starts it ({@code RunStarted}, {@code TicketReady("a")}, then {@code then}, in one append).
     *
     * @param makeRunDir whether the run's directory is made, as a start does (without it a resume refuses: "is missing")
     * @return the process; end it with {@link #end} after the test
     */
    static Process start(Wiring w, String run, boolean makeRunDir, RunEvent... then) throws Exception {
        Process coordinator = new ProcessBuilder("sleep", "600").redirectInput(w.stateDir.resolve(Wiring.DB_FILE).toFile()).start();
        String owner = identity(coordinator);
        long epoch = w.store.claimRun(run, owner, 1);
        List<RunEvent> events = new ArrayList<>(List.of(new RunEvent.RunStarted(epoch, owner, false), new RunEvent.TicketReady("a")));
        events.addAll(List.of(then));
        w.store.append(run, epoch, events).join();
        if (makeRunDir) Files.createDirectories(w.runDir(run));
        return coordinator;
    }

    /** The identity a coordinator in {@code process} records ({@code Owners.coordinator()}): host:pid@start/n;exact parts. */
    static String identity(Process process) {
        String current = io.swarmflow.engine.Owners.coordinator();
        String host = current.substring(0, current.lastIndexOf(':', current.lastIndexOf('@')));
        String exact = current.substring(current.indexOf(';', current.lastIndexOf('@')));
        String ticks = Long.toString(io.swarmflow.sandbox.ProcessGroups.startTicks(process.pid()).orElseThrow());
        exact = exact.replaceFirst(";ticks=\\d+", ";ticks=" + ticks);
        return host + ":" + process.pid() + "@" + process.info().startInstant().orElseThrow().toEpochMilli() + "/1" + exact;
    }

    /** Stops {@code process} ({@code kill -STOP}) and waits until {@code /proc} shows it stopped (state {@code T}). */
    static void stop(Process process) throws Exception {
        signal("STOP", process.pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(process.pid()) == 'T');
    }

    /** Continues {@code process} ({@code kill -CONT}) and waits until {@code /proc} no longer shows it stopped. */
    static void resume(Process process) throws Exception {
        signal("CONT", process.pid());
        await().atMost(Duration.ofSeconds(10)).until(() -> stateOf(process.pid()) != 'T');
    }

    /**
     * A copy of the state directory {@code stateDir} at {@code copy}, as a user makes one of a live state directory
     * ({@code cp -a}, owners, modes and times kept): the copy records the same lease holder, which has the original's
     * {@code swarm.db} open, not the copy's.
     */
    static Path copyOf(Path stateDir, Path copy) throws Exception {
        Process cp = new ProcessBuilder("cp", "-a", stateDir.toString(), copy.toString()).inheritIO().start();
        org.assertj.core.api.Assertions.assertThat(cp.waitFor()).as("cp -a").isZero();
        return copy;
    }

    /** Ends {@code process} (continued first, in case it was stopped), if there is one: for {@code @AfterEach}. */
    static void end(Process process) throws Exception {
        if (process == null) return;
        signal("CONT", process.pid());
        process.destroyForcibly();
    }

    /** Field 3 of {@code /proc/PID/stat}: the state, {@code T} when stopped. */
    static char stateOf(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }

    /** Sends {@code signal} ({@code STOP}, {@code CONT}, ...) to {@code pid} with {@code kill}, and waits for it to be sent. */
    static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
