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
}
