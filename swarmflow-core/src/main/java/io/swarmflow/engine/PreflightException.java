package io.swarmflow.engine;

import java.util.List;

/** The plan cannot run on this executor (for example {@code sandbox: required} without bubblewrap). Nothing was persisted. */
public final class PreflightException extends Exception {
    private final transient List<String> problems;

    /**
     * A refused plan; nothing was persisted.
     *
     * @param problems what stops the plan, one sentence each; the message joins them with newlines. Copied; must not
     *                 be null or hold nulls
     */
    public PreflightException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** What stops the plan, one sentence each, unmodifiable; null after deserialization (the list is transient: read the message instead). */
    public List<String> problems() {
        return problems;
    }
}
