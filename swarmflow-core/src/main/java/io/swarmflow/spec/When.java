package io.swarmflow.spec;

/** When a ticket runs relative to its dependencies ({@code when:} in the swarm spec). */
public enum When {
    /** Run only when every dependency succeeded (the default). */
    SUCCESS,
    /** Run only when at least one dependency failed; skipped when all succeeded. */
    FAILURE,
    /** Run once every dependency has finished, whatever the outcome. */
    ALWAYS
}
