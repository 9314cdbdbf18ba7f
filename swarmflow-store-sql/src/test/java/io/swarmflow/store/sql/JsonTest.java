package io.swarmflow.store.sql;

import io.swarmflow.store.RunEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Events stored by earlier versions still read, and new fields round-trip. */
class JsonTest {
    @Test
    void decisionEventsWithoutACommandIdReadAsCommandZero() throws Exception {
        assertThat(Json.readEvent("{\"type\":\"approval-granted\",\"ticketId\":\"g\",\"by\":\"ann\"}"))
                .isEqualTo(new RunEvent.ApprovalGranted("g", "ann", 0));
        assertThat(Json.readEvent("{\"type\":\"approval-rejected\",\"ticketId\":\"g\",\"by\":\"bob\",\"reason\":\"no\"}"))
                .isEqualTo(new RunEvent.ApprovalRejected("g", "bob", "no", 0));
    }

    @Test
    void decisionEventsKeepTheCommandThatMadeThem() throws Exception {
        RunEvent granted = new RunEvent.ApprovalGranted("g", "ann", 7);
        RunEvent rejected = new RunEvent.ApprovalRejected("g", "bob", null, 8);

        assertThat(Json.readEvent(Json.write(granted))).isEqualTo(granted);
        assertThat(Json.readEvent(Json.write(rejected))).isEqualTo(rejected);
    }
}
