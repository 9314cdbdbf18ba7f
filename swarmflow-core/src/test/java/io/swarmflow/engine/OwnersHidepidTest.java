package io.swarmflow.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code /proc} mounted with {@code hidepid=} shows no other user's process: a coordinator of another user that
 * {@code /proc} does not show, while kill(2) answers EPERM for its pid, is alive, not gone (its run was taken over, and
 * its attempts' groups killed, beside it).
 */
class OwnersHidepidTest {
    static final String BOOT = "0f3c2a1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    static final long PIDNS = 4026531836L;

    /** An owner of this host, boot and pid namespace whose pid is no process this test can see. */
    private static String ownerOfAnUnseenPid() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String current = Owners.current();
        return current.substring(0, current.lastIndexOf(':')) + ":" + gone.pid() + "@" + System.currentTimeMillis()
                + "/1;boot=" + BOOT + ";pidns=" + PIDNS + ";ticks=4242";
    }

    @Test
    void aPidProcDoesNotShowButThatExistsIsNotTakenForGone() throws Exception {
        String owner = ownerOfAnUnseenPid();
        Owners.Here here = new Owners.Here(BOOT, PIDNS, Owners.NO_TIME_NAMESPACES);

        assertThat(Owners.isDeadLocalProcess(owner, here, OptionalLong.empty(), pid -> OptionalLong.empty(), pid -> true))
                .as("hidden by hidepid, kill -0 says EPERM").isFalse();
        assertThat(Owners.isDeadLocalProcess(owner, here, OptionalLong.empty(), pid -> OptionalLong.empty(), pid -> false))
                .as("not there at all").isTrue();
    }

    @Test
    void hidepidIsReadFromTheProcLineOfMountinfo() {
        String visible = "22 26 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw";
        String invisible = "22 26 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=invisible";
        String two = "22 26 0:21 / /proc rw,relatime - proc proc rw,gid=4,hidepid=2";
        String zero = "22 26 0:21 / /proc rw,relatime - proc proc rw,hidepid=0";
        String elsewhere = "30 26 0:40 / /mnt/proc rw,relatime - proc proc rw,hidepid=2";
        assertThat(Owners.procHidesPids(List.of(visible))).isFalse();
        assertThat(Owners.procHidesPids(List.of(invisible))).isTrue();
        assertThat(Owners.procHidesPids(List.of(two))).isTrue();
        assertThat(Owners.procHidesPids(List.of(zero))).isFalse();
        assertThat(Owners.procHidesPids(List.of(elsewhere))).as("not the /proc this process reads").isFalse();
        assertThat(Owners.procHidesPids(List.of(two, visible))).as("the later mount covers the earlier").isFalse();
    }

    /**
     * Where {@code /proc} hides pids and kill(1) cannot be run (not installed), a pid {@code /proc} does not show cannot be
     * told gone: it was taken for gone, so a live coordinator of another user could be taken over beside it.
     */
    @Test
    void withoutKillAHiddenPidIsNotTakenForGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertThat(Owners.hiddenButThere(gone.pid(), true, "/nonexistent/kill")).as("kill(1) missing").isTrue();
        assertThat(Owners.hiddenButThere(gone.pid(), true, "kill")).as("kill -0 says 'No such process'").isFalse();
        assertThat(Owners.hiddenButThere(gone.pid(), false, "/nonexistent/kill")).as("no hidepid: not asked").isFalse();
    }

    @Test
    void withoutHidepidNothingIsAsked() {
        // this machine's /proc (the tests' own) is not mounted with hidepid: an unseen pid costs no kill(1)
        if (!Owners.PROC_HIDES_PIDS) assertThat(Owners.hiddenButThere(ProcessHandle.current().pid() + 1_000_000)).isFalse();
    }
}
