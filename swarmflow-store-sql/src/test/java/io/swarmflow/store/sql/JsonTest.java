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

    /** An attempt's end recorded before outputBytes existed reads with an unknown (null) count, and a count round-trips. */
    @Test
    void attemptFinishedWithoutOutputBytesReadsAsUnknown() throws Exception {
        assertThat(Json.readEvent("{\"type\":\"attempt-finished\",\"ticketId\":\"a\",\"attempt\":1,"
                + "\"outcome\":\"SUCCEEDED\",\"exitCode\":0,\"outputs\":{}}"))
                .isEqualTo(new RunEvent.AttemptFinished("a", 1, io.swarmflow.store.Outcome.SUCCEEDED, 0, null, java.util.Map.of()));
        RunEvent counted = new RunEvent.AttemptFinished("a", 2, io.swarmflow.store.Outcome.FAILED, 3, "exit 3",
                java.util.Map.of(), 5_000_000_000L);
        RunEvent quiet = new RunEvent.AttemptFinished("a", 3, io.swarmflow.store.Outcome.SUCCEEDED, 0, null, java.util.Map.of(), 0L);
        RunEvent unknown = new RunEvent.AttemptFinished("a", 4, io.swarmflow.store.Outcome.CANCELLED, null, "cancelled", java.util.Map.of(), null);
        assertThat(Json.readEvent(Json.write(counted))).isEqualTo(counted);
        assertThat(Json.readEvent(Json.write(quiet))).isEqualTo(quiet);
        assertThat(Json.readEvent(Json.write(unknown))).isEqualTo(unknown);
        assertThat(Json.readEvents("[" + Json.write(counted) + "]")).containsExactly(counted);
    }

    /**
     * An attempt's end recorded before the permanent flag existed (this payload is what such a version wrote) reads as not
     * permanent, and the flag round-trips.
     */
    @Test
    void attemptFinishedWithoutPermanentReadsAsNotPermanent() throws Exception {
        RunEvent old = Json.readEvent("{\"type\":\"attempt-finished\",\"ticketId\":\"a\",\"attempt\":2,"
                + "\"outcome\":\"FAILED\",\"reason\":\"not started: refused\",\"outputs\":{},\"outputBytes\":0}");
        assertThat(old).isEqualTo(new RunEvent.AttemptFinished("a", 2, io.swarmflow.store.Outcome.FAILED, null,
                "not started: refused", java.util.Map.of(), 0L));
        assertThat(((RunEvent.AttemptFinished) old).permanent()).isFalse();

        RunEvent permanent = new RunEvent.AttemptFinished("a", 2, io.swarmflow.store.Outcome.FAILED, null, "not started: refused",
                java.util.Map.of(), null, true);
        assertThat(Json.write(permanent)).contains("\"permanent\":true");
        assertThat(Json.readEvent(Json.write(permanent))).isEqualTo(permanent);
        assertThat(Json.readEvents("[" + Json.write(permanent) + "]")).containsExactly(permanent);
    }

    /**
     * A run's plan records which variables of swarm's environment were filled at its creation (names only, review RCLI
     * HIGH-1); a plan stored before that reads with none, and the names round-trip.
     */
    @Test
    void aPlanWithoutFilledEnvironmentReadsWithNoneAndTheNamesRoundTrip() throws Exception {
        RunEvent.RunCreated created = TestPlans.created("r1", 2);
        String json = Json.write(created);
        assertThat(json).contains("\"filledEnvironment\":[]");
        RunEvent old = Json.readEvent(json.replace(",\"filledEnvironment\":[]", ""));
        assertThat(old).isEqualTo(created);
        assertThat(((RunEvent.RunCreated) old).plan().filledEnvironment()).isEmpty();

        RunEvent filled = new RunEvent.RunCreated("r2", created.plan().withFilledEnvironment(java.util.Set.of("XTOK", "API_KEY")),
                created.specPath());
        assertThat(Json.readEvent(Json.write(filled))).isEqualTo(filled);
    }
}

