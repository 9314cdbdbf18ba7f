package io.swarmflow.cli;

import io.swarmflow.store.RunCommand;
import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cancel left behind by a coordinator killed ({@code kill -9}) before it read it, or while it stopped the attempts for
 * it: no one is cancelling the run any more. {@code swarm status} says the cancel was requested and that {@code swarm
 * resume} does not carry it on, and never that it is under way; the resume says so too, and continues the run.
 */
class CancelLeftByADeadCoordinatorTest {
    @TempDir
    Path tmp;

    @Test
    void aCancelNotReadByAKilledCoordinatorIsSaidAsRequestedAndIgnoredByTheResume() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> {
            long epoch = OtherHostRun.start(w, id, 1);
            w.store.submitCommand(new RunCommand(0, id, RunCommand.Kind.CANCEL, null, "me@laptop", null, 0));
            w.store.releaseRun(id, epoch); // killed: its claim lapsed, nothing recorded its end
        });
        String run = created.run();
        String state = "--state-dir=" + created.stateDir();

        Result status = swarm("status", run, state);
        assertThat(status.out()).contains("  a cancel requested by me@laptop was not applied: its coordinator stopped before "
                + "reading it; `swarm resume " + run + "` does not carry it on: it continues the run, its running tickets with a "
                + "new attempt (`swarm cancel " + run + "` once it is resumed stops it)\n").doesNotContain("being cancelled");
        assertThat(swarm("status", run, state, "--json").out()).contains("\"cancelling\" : false");

        Result resumed = swarm("resume", run, state, "--plain");
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(resumed.out()).contains("ignored a cancel requested by me@laptop before this coordinator took the run", "run succeeded")
                .doesNotContain("under way");
    }

    @Test
    void aCancelAKilledCoordinatorWasApplyingIsSaidAsStoppedAndNotCarriedOnByTheResume() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> OtherHostRun.session(w, id, 1,
                new RunEvent.RunCancelRequested("swarm cancel (me@laptop)")));
        String run = created.run();
        String state = "--state-dir=" + created.stateDir();

        Result status = swarm("status", run, state);
        assertThat(status.out()).contains("  a cancel was stopping its attempts when its coordinator stopped, before the run was "
                + "recorded cancelled; `swarm resume " + run + "` does not carry it on: it continues the run").doesNotContain("being cancelled");

        Result resumed = swarm("resume", run, state, "--plain");
        assertThat(resumed.code()).as("%s", resumed).isZero();
        assertThat(resumed.out()).contains("resuming run " + run + " (running)\n  a cancel was stopping its attempts when its "
                + "coordinator stopped; the resume continues the run (`swarm cancel " + run + "` stops it)\n", "run succeeded");
    }

    private record Result(int code, String out, String err) {}

    private static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
