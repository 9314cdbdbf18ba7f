package io.swarmflow.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference numbers of B2 (critical path, list-scheduling simulation) on a DAG small enough to check by hand. */
class WfTraceTest {
    //   0(3) -> 2(4) ; 1(1) -> 2 ; 1 -> 3(5)
    private final long[] d = {3, 1, 4, 5};
    private final int[][] needs = {{}, {}, {0, 1}, {1}};

    @Test
    void criticalPathIsTheLongestChain() {
        assertThat(WfTrace.criticalPath(d, needs)).isEqualTo(7); // 0 then 2
    }

    @Test
    void simulationStartsTheTicketWithTheLongestPathBehindItFirst() {
        // one slot: 0 [0,3), 1 [3,4), then 3 (5 behind it) before 2 (4): 3 [4,9), 2 [9,13)
        assertThat(WfTrace.simulate(d, needs, 1)).isEqualTo(13);
        // two slots: 0 [0,3) and 1 [0,1); 3 [1,6); 2 [3,7)
        assertThat(WfTrace.simulate(d, needs, 2)).isEqualTo(7);
        assertThat(WfTrace.simulate(new long[]{0, 0}, new int[][]{{}, {0}}, 1)).isZero();
        // 0(5) 1(5) 2(1) -> 3(10), two slots: plan order would give 0,1 [0,5), 2 [5,6), 3 [6,16) = 16;
        // longest path first: 2 [0,1) and 0 [0,5), 3 [1,11), 1 [5,10) = 11
        assertThat(WfTrace.simulate(new long[]{5, 5, 1, 10}, new int[][]{{}, {}, {}, {2}}, 2)).isEqualTo(11);
    }

    @Test
    void energyBoundSeesWorkThatCannotStartEarly() {
        // max(critical path 7, work 13 / 2) = 7; heads: 0,1 at 0, 3 at 1, 2 at 3; tails: 0 has 4 after it, 1 has 5, 2 and 3 none.
        // head sweep: x=3: 3 + 4/2 = 5; x=1: 1 + 9/2 -> 1 + 5 = 6; x=0: 0 + 13/2 -> 7. tail sweep: y=5: 5 + 1/2 -> 6; y=4: 4 + 4/2 = 6.
        assertThat(WfTrace.energyBound(d, needs, 2)).isEqualTo(7);
        // a fork: 0(10) -> four tasks of 10; two slots: nothing else can run in the first 10, then 40 units of work on 2 slots.
        // max(critical path 20, work 50 / 2 = 25) = 25, but every schedule takes 10 + 40 / 2 = 30, which the head sweep finds
        long[] fork = {10, 10, 10, 10, 10};
        int[][] forkNeeds = {{}, {0}, {0}, {0}, {0}};
        assertThat(WfTrace.energyBound(fork, forkNeeds, 2)).isEqualTo(30);
        assertThat(WfTrace.simulate(fork, forkNeeds, 2)).isEqualTo(30);
        // and the mirror image (a join), found by the tail sweep
        int[][] joinNeeds = {{}, {}, {}, {}, {0, 1, 2, 3}};
        assertThat(WfTrace.energyBound(fork, joinNeeds, 2)).isEqualTo(30);
    }

    @Test
    void energyBoundIsNeverAboveAScheduleOnRandomDags() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        for (int trial = 0; trial < 5_000; trial++) {
            int n = 1 + random.nextInt(12);
            long[] durations = new long[n];
            int[][] dagNeeds = new int[n][];
            for (int i = 0; i < n; i++) {
                durations[i] = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(20);
                java.util.List<Integer> parents = new java.util.ArrayList<>();
                for (int p = 0; p < i; p++) if (random.nextInt(4) == 0) parents.add(p);
                dagNeeds[i] = parents.stream().mapToInt(Integer::intValue).toArray();
            }
            int c = 1 + random.nextInt(4);
            long bound = WfTrace.energyBound(durations, dagNeeds, c);
            long work = java.util.Arrays.stream(durations).sum();
            assertThat(bound).as("trial %d", trial)
                    .isGreaterThanOrEqualTo(Math.max(WfTrace.criticalPath(durations, dagNeeds), (work + c - 1) / c))
                    .isLessThanOrEqualTo(WfTrace.simulate(durations, dagNeeds, c));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WfTrace.energyBound(d, needs, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
