package io.swarmflow.sandbox;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EscapeesTest {
    /** Pids are handed out in increasing order and wrap around to low ids after pid_max. */
    @Test
    void thePidsHandedOutAfterTheLeadersWrapAround() {
        assertThat(Escapees.handedOutAfter(105, 100, 110)).isTrue();
        assertThat(Escapees.handedOutAfter(110, 100, 110)).isTrue();
        assertThat(Escapees.handedOutAfter(100, 100, 110)).as("the leader itself").isFalse();
        assertThat(Escapees.handedOutAfter(99, 100, 110)).isFalse();
        assertThat(Escapees.handedOutAfter(111, 100, 110)).isFalse();
        // wrapped: the leader was near pid_max, the last pid is low again
        assertThat(Escapees.handedOutAfter(4_194_000, 4_190_000, 50)).isTrue();
        assertThat(Escapees.handedOutAfter(30, 4_190_000, 50)).isTrue();
        assertThat(Escapees.handedOutAfter(51, 4_190_000, 50)).isFalse();
    }

    /** An environment without all three marker names cannot tell the attempt's processes: nothing is looked for. */
    @Test
    void anAttemptWithoutTheMarkersLooksForNothing() {
        assertThat(Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t"))).isEmpty();
        assertThat(Escapees.markers(Map.of("SWARM_RUN_ID", "r", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "2")))
                .extracting(String::new).containsExactly("SWARM_RUN_ID=r", "SWARM_TICKET_ID=t", "SWARM_ATTEMPT=2");
        assertThat(Escapees.find(1, 1, java.util.List.of(), true)).isEmpty();
    }
}
