package io.swarmflow.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review RCLI MEDIUM-1: a state directory copied ({@code cp -a}) while its run is live records the same lease holder, a
 * live coordinator of this host; nobody renews the lease in the copy, so it runs out there, and {@code swarm resume RUN
 * --take-over} on the copy ended the coordinator of the original, cancelling that healthy run. Now the take-over ends
 * only a coordinator that has this state directory's {@code swarm.db} open: on the copy it is refused (exit 2, nothing
 * changed) and the coordinator lives, and the refusal, as a resume without the option, neither calls it hung nor says to
 * end it ({@code kill PID}): it is healthy; on the original the same coordinator is taken over. The coordinator is a real
 * process ({@code sleep}, with the original's {@code swarm.db} open as its stdin) with the identity a coordinator records;
 * its lease (a millisecond) ran out.
 */
class ResumeTakeOverOfACopyTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void theTakeOverOfACopyLeavesTheOriginalsCoordinatorAloneAndTheOriginalsTakesItOver() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> coordinator = LocalCoordinator.start(w, id, true));
        String run = created.run();
        long pid = coordinator.pid();
        Path copy = LocalCoordinator.copyOf(created.stateDir(), tmp.resolve("copy"));
        byte[] copiedDb = Files.readAllBytes(copy.resolve(Wiring.DB_FILE));

        Result onCopy = resume(run, copy);
        assertThat(onCopy.code()).as("%s", onCopy).isEqualTo(ExitCodes.INVALID_INPUT);
        // neither called hung nor to be ended: it is the original's coordinator, and healthy (as a plain resume says)
        assertThat(onCopy.err()).contains("run " + run + "'s coordinator (pid " + pid + ") is alive but does not have this state "
                        + "directory's database open: it is the coordinator of another state directory (is this one a copy of a "
                        + "live state directory?)",
                "--take-over ends only a coordinator that has this state directory's database (" + copy.resolve(Wiring.DB_FILE)
                        + ") open, so it was not signalled, and nothing was changed: ",
                "follow and decide the run in the state directory it uses (`ls -l /proc/" + pid + "/fd | grep swarm.db` shows which)")
                .doesNotContain("`kill " + pid + "`", "kill -CONT", "hung", "starved", "overloaded", "really is stalled");
        assertThat(onCopy.out()).doesNotContain("ended coordinator");
        assertThat(coordinator.isAlive()).as("the original's coordinator was not signalled").isTrue();
        assertThat(Files.readAllBytes(copy.resolve(Wiring.DB_FILE))).as("the copy's database is unchanged").isEqualTo(copiedDb);

        // the same coordinator, taken over from the state directory whose database it has open
        Result onOriginal = resume(run, created.stateDir());
        assertThat(onOriginal.out()).as("%s", onOriginal).contains("ended coordinator pid " + pid + " of run " + run);
        assertThat(coordinator.waitFor(30, TimeUnit.SECONDS)).as("the coordinator was ended").isTrue();
    }

    private record Result(int code, String out, String err) {}

    private static Result resume(String run, Path stateDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(new String[]{"resume", run, "--take-over", "--plain", "--grace", "0", "--state-dir=" + stateDir},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
