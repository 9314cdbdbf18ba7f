package io.swarmflow.cli;

import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A state directory copied ({@code cp -a}) while its run is live records the original's lease holder, a live coordinator
 * of this host whose lease in the copy runs out because nobody renews it there. Plain {@code swarm resume}, {@code swarm
 * status}, {@code swarm cancel} and {@code swarm clean} on the copy called that healthy coordinator stalled ("hung, or
 * the machine is overloaded") and told the user to end it ({@code kill PID}, or {@code --take-over}, which refuses on a
 * copy): that would end a healthy run. Now they say that it does not have this state directory's database open and
 * suggest neither; on the original, where it has the database open, the stalled coordinator's hints stay. The
 * coordinator is a real process ({@code sleep}, with the original's {@code swarm.db} open as its stdin) with the
 * identity a coordinator records (as in {@link ResumeTakeOverOfACopyTest}); its lease (a millisecond) ran out.
 */
class CopyOfALiveStateDirTest {
    @TempDir
    Path tmp;

    Process coordinator;

    @AfterEach
    void endTheCoordinator() throws Exception {
        LocalCoordinator.end(coordinator);
    }

    @Test
    void commandsOnTheCopyNeitherCallTheOriginalsCoordinatorStalledNorSuggestEndingIt() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) -> coordinator = LocalCoordinator.start(w, id, true));
        String run = created.run();
        long pid = coordinator.pid();
        Path copy = LocalCoordinator.copyOf(created.stateDir(), tmp.resolve("copy"));
        String elsewhere = "(pid " + pid + ") is alive but does not have this state directory's database open: it is the "
                + "coordinator of another state directory (is this one a copy of a live state directory?)";

        byte[] copiedDb = Files.readAllBytes(copy.resolve(Wiring.DB_FILE));
        Result resume = swarm("resume", run, "--plain", "--state-dir=" + copy);
        assertThat(resume.code()).as("%s", resume).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(resume.err()).contains("run " + run + "'s coordinator " + elsewhere,
                "nor run the run here, beside it or after it (the copy's tickets would run again on the branches the "
                        + "original's made): follow and decide the run in the state directory it uses", "nothing was changed")
                .doesNotContain("`swarm resume " + run + "` here");
        notAStall(resume.err(), pid);
        assertThat(Files.readAllBytes(copy.resolve(Wiring.DB_FILE))).as("the copy's database is unchanged").isEqualTo(copiedDb);

        Result status = swarm("status", run, "--state-dir=" + copy);
        assertThat(status.out()).as("%s", status).contains("its coordinator " + elsewhere);
        notAStall(status.out() + status.err(), pid);

        Result clean = swarm("clean", run, "--state-dir=" + copy);
        assertThat(clean.code()).as("%s", clean).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(clean.err()).contains("run " + run + "'s coordinator " + elsewhere, "so nothing was cleaned: clean the run from the state directory it uses");
        notAStall(clean.err(), pid);
        Result cancel = swarm("cancel", run, "--state-dir=" + copy);
        assertThat(cancel.out()).as("%s", cancel).contains("its coordinator " + elsewhere, ": it never sees this cancel (it reads the other state directory's database): cancel the run in the state directory it uses");
        notAStall(cancel.out() + cancel.err(), pid);
        Result cancelled = swarm("status", run, "--state-dir=" + copy);
        assertThat(cancelled.out()).as("%s", cancelled).contains("being cancelled: a cancel was requested by ",
                "; its coordinator never sees it (it reads the other state directory's database): cancel the run in the "
                        + "state directory it uses\n")
                .doesNotContain("applies it once it goes on", "applies it within a second");
        notAStall(cancelled.out() + cancelled.err(), pid);
        assertThat(coordinator.isAlive()).as("the original's coordinator was not signalled").isTrue();

        // the original, whose database the coordinator has open: a stalled coordinator, ended by the user or --take-over
        Result onOriginal = swarm("resume", run, "--plain", "--state-dir=" + created.stateDir());
        assertThat(onOriginal.code()).as("%s", onOriginal).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(onOriginal.err()).contains("(pid " + pid + ") is alive but has not renewed its lease",
                "end it with `kill " + pid + "`", "--take-over` ends it and resumes").doesNotContain("does not have this state");
    }

    @Test
    void anApprovalRecordedInTheCopyIsSaidNeverToBeSeenByTheOriginalsCoordinator() throws Exception {
        OtherHostRun created = OtherHostRun.create(tmp, (w, id) ->
                coordinator = LocalCoordinator.start(w, id, true, new RunEvent.TicketAwaitingApproval("a")));
        String run = created.run();
        long pid = coordinator.pid();
        Path copy = LocalCoordinator.copyOf(created.stateDir(), tmp.resolve("copy"));

        Result approve = swarm("approve", run, "a", "--state-dir=" + copy);
        assertThat(approve.code()).as("%s", approve).isZero();
        assertThat(approve.out()).contains(": it never sees this decision");
        Result status = swarm("status", run, "--state-dir=" + copy);
        assertThat(status.out()).as("%s", status).contains("  a: approved by ", ", not applied yet; its coordinator never sees it "
                + "(it reads the other state directory's database): decide the run in the state directory it uses\n")
                .doesNotContain("applies it within a second", "applies it once it goes on");
        notAStall(status.out() + status.err(), pid);
    }

    /** No word of a stall, and no command that would end the healthy coordinator. */
    private static void notAStall(String text, long pid) {
        assertThat(text).doesNotContain("--take-over", "`kill " + pid + "`", "kill -CONT", "hung", "overloaded");
    }

    private record Result(int code, String out, String err) {}

    private static Result swarm(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = SwarmCli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
