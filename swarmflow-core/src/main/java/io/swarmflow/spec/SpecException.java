package io.swarmflow.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A swarm spec was rejected; {@link #errors()} lists every problem found, in file order. */
public final class SpecException extends Exception {
    private final transient List<SpecError> errors;

    /**
     * A rejected spec.
     *
     * @param errors the problems, in file order; the message is their {@link SpecError#format()}, one per line
     * @throws IllegalArgumentException when {@code errors} is empty
     */
    public SpecException(List<SpecError> errors) {
        super(errors.stream().map(SpecError::format).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) throw new IllegalArgumentException("a SpecException needs at least one error");
        this.errors = List.copyOf(errors);
    }

    /** The problems, never empty. */
    public List<SpecError> errors() {
        return errors;
    }
}
