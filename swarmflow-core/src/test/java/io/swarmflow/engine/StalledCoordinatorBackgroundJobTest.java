package io.swarmflow.engine;

import io.swarmflow.files.proc.ProcStat;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static io.swarmflow.engine.OwnersProvablyAliveTest.NS;
import static io.swarmflow.engine.OwnersProvablyAliveTest.PID;
import static io.swarmflow.engine.OwnersProvablyAliveTest.THIS_BOOT;
import static io.swarmflow.engine.OwnersProvablyAliveTest.TICKS;
import static io.swarmflow.engine.OwnersProvablyAliveTest.alive;
import static io.swarmflow.engine.OwnersProvablyAliveTest.only;
import static io.swarmflow.engine.OwnersProvablyAliveTest.owner;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coordinator that is a job its interactive shell holds stopped (any stopped job looks so: the shell takes the terminal
 * back whatever stopped it; review D1 F5: no cause is named, and a re-stop after {@code kill -CONT} is said only under
 * {@code stty tostop}): {@code /proc/PID/stat} shows a controlling terminal ({@code tty_nr}, field 7, not 0) whose foreground group ({@code tpgid}, field 8) is not the
 * process's group ({@code pgrp}, field 5). Then the advice of status and resume says {@code fg} or {@code bg} first (and
 * {@code --take-over} as the unattended way), not {@code kill -CONT}.
 */
class StalledCoordinatorBackgroundJobTest {
    /** A {@code /proc/PID/stat} line in {@code state} with process group {@code pgrp}, terminal {@code tty} and its foreground group {@code tpgid}. */
    static ProcStat stat(char state, long pgrp, long tty, long tpgid) {
        StringBuilder b = new StringBuilder(PID + " (java (swarm)) " + state + " 1 " + pgrp + " " + pgrp + " " + tty + " " + tpgid);
        for (int field = 9; field < ProcStat.START_TIME_FIELD; field++) b.append(" 0");
        b.append(' ').append(TICKS).append(" 0 0");
        return ProcStat.parse(b.toString());
    }

    @Test
    void aProcessWhoseGroupIsNotItsTerminalsForegroundGroupIsABackgroundJob() {
        assertThat(Owners.isBackgroundOfATerminal(stat('T', PID, 34816, 999))).as("pts/0, the shell in the foreground").isTrue();
        assertThat(Owners.isBackgroundOfATerminal(stat('T', PID, 34816, PID))).as("its group in the foreground").isFalse();
        assertThat(Owners.isBackgroundOfATerminal(stat('T', PID, 0, -1))).as("no controlling terminal (nohup, setsid, a service)")
                .isFalse();
        assertThat(Owners.isBackgroundOfATerminal(ProcStat.parse(PID + " (java) T 1 2"))).as("fields missing").isFalse();
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat('T', PID, 34816, 999))))
                .contains(new Owners.Alive(PID, true, true));
        assertThat(alive(owner(PID, THIS_BOOT, NS, TICKS), only(stat('S', PID, 34816, PID))))
                .contains(new Owners.Alive(PID, false, false));
    }

    @Test
    void aStoppedBackgroundJobIsToldToComeToTheForegroundFirst() {
        StalledCoordinator s = new StalledCoordinator("R", PID, true, 20_000, true);
        assertThat(s.refusal()).isEqualTo("run R's coordinator (pid 4242) is alive but stopped, a job its terminal's shell holds "
                + "stopped, and has not renewed its lease, which ran out 20 s ago: let it go on with `fg` (or `bg`) in its terminal, "
                + "or `kill -CONT 4242` (with `stty tostop` set on the terminal, a background job stops again at its next write to "
                + "it), or end it with `kill 4242; kill -CONT 4242` and then `swarm resume R` (unattended: `swarm resume R "
                + "--take-over` ends it and resumes); nothing was changed");
        assertThat(new StalledCoordinator("R", PID, true, 20_000, false).fix()).startsWith("let it go on with `kill -CONT 4242` (or "
                + "`fg` in its terminal)");
    }

    @Test
    void theLeaseHolderIsSaidABackgroundJobFromItsStat() {
        assertThat(StalledCoordinator.of("R", Optional.of(new io.swarmflow.store.RunLease(owner(PID, THIS_BOOT, NS, TICKS), 1, 1)),
                20_001, o -> alive(o, only(stat('T', PID, 34816, 999))))).map(StalledCoordinator::background).contains(true);
    }
}
