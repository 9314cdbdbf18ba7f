package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The TERM a stop sends to the processes outside the attempt's group that its cgroup (or, under bubblewrap, its leader's
 * descendants) lists: a pid listed, freed and handed out again to an unrelated process before its start time was read
 * lent that process's start time, and the TERM went to it. Now a listed pid is kept only while it is a member (read
 * after its start time), and checked again, start time and membership, once pinned. Decision logic on a fake /proc.
 */
class OutsideTheGroupMembershipTest {
    /** A fake /proc: start times and commands by pid; each read of a start time may move to the next process. */
    private static final class FakeProc implements SandboxProcess.Membership {
        final Map<Long, long[]> starts = new HashMap<>();
        final Map<Long, Integer> reads = new HashMap<>();

        @Override
        public long startTicks(long pid) {
            long[] s = starts.get(pid);
            if (s == null) return -1;
            int n = reads.merge(pid, 1, Integer::sum) - 1;
            return s[Math.min(n, s.length - 1)];
        }

        @Override
        public String command(long pid) {
            return pid == 30 ? "bwrap" : "sh";
        }
    }

    @Test
    void aListedPidHandedOutAgainToAProcessOfAnotherCgroupIsNotKept() {
        FakeProc proc = new FakeProc();
        proc.starts.put(10L, new long[] {500}); // the attempt's, still in its cgroup
        proc.starts.put(11L, new long[] {900}); // reused before its start time was read: another cgroup's now
        proc.starts.put(12L, new long[] {600, 950}); // reused between the start time and the membership read
        proc.starts.put(30L, new long[] {510}); // bwrap's own
        Set<Long> members = Set.of(10L, 12L, 30L);

        List<Escapees.Found> found = SandboxProcess.members(List.of(1L, 2L, 10L, 11L, 12L, 30L, 99L), 1, 2, "bwrap", proc,
                members::contains);

        assertThat(found).containsExactly(new Escapees.Found(10, 500, ""));
    }

    @Test
    void onceUnderThePinAProcessWithAnotherStartTimeOrNoLongerAMemberIsNotSignalled() {
        FakeProc proc = new FakeProc();
        proc.starts.put(10L, new long[] {500});
        proc.starts.put(11L, new long[] {777});
        Escapees.Found same = new Escapees.Found(10, 500, "");
        Escapees.Found reused = new Escapees.Found(11, 500, "");

        assertThat(SandboxProcess.pinnedStillTarget(same, proc, p -> true)).isTrue();
        assertThat(SandboxProcess.pinnedStillTarget(reused, proc, p -> true)).as("another start time").isFalse();
        assertThat(SandboxProcess.pinnedStillTarget(same, proc, p -> false)).as("another cgroup").isFalse();
    }

    @Test
    void aCgroupLineNamesTheAttemptsCgroupOrOneBelowItOnly() {
        String name = "swarmflow-4026531836-77-1234-3";
        assertThat(SandboxProcess.cgroupLineNames("5:pids:/user.slice/" + name, name)).isTrue();
        assertThat(SandboxProcess.cgroupLineNames("5:pids:/docker/abc/" + name + "/sub", name)).isTrue();
        assertThat(SandboxProcess.cgroupLineNames("5:pids:/user.slice/" + name + "0", name)).isFalse();
        assertThat(SandboxProcess.cgroupLineNames("5:pids:/user.slice", name)).isFalse();
        assertThat(SandboxProcess.cgroupLineNames("garbage", name)).isFalse();
    }
}
