package io.swarmflow.engine;

import java.util.List;

/** The plan cannot run on this executor (for example {@code sandbox: required} without bubblewrap). Nothing was persisted. */
public final class PreflightException extends Exception {
    private final transient List<String> problems;

    public PreflightException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
