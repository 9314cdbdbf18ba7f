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
    void simulationFollowsPlanOrderAmongReadyTickets() {
        // one slot: 0 [0,3), 1 [3,4), 2 [4,8), 3 [8,13)
        assertThat(WfTrace.simulate(d, needs, 1)).isEqualTo(13);
        // two slots: 0 [0,3) and 1 [0,1); 3 [1,6); 2 [3,7)
        assertThat(WfTrace.simulate(d, needs, 2)).isEqualTo(7);
        assertThat(WfTrace.simulate(new long[]{0, 0}, new int[][]{{}, {0}}, 1)).isZero();
    }
}
