package io.swarmflow.spec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A swarm spec was rejected; {@link #errors()} lists the problems found, in file order (past a limit, the first ones and a
 * last line that counts the others), and {@link #total()} counts them all.
 */
public final class SpecException extends Exception {
    private final transient List<SpecError> errors;
    private final int total;

    /**
     * A rejected spec whose every problem is listed.
     *
     * @param errors the problems, in file order; the message is their {@link SpecError#format()}, one per line
     * @throws IllegalArgumentException when {@code errors} is empty
     */
    public SpecException(List<SpecError> errors) {
        this(errors, errors.size());
    }

    /**
     * A rejected spec whose list may be cut short: past a limit, the shown problems end with one line that counts the
     * ones not shown, and that line is not a problem of its own.
     *
     * @param errors the lines to show, in file order; the message is their {@link SpecError#format()}, one per line
     * @param total how many problems the spec has, shown or not (at least 1)
     * @throws IllegalArgumentException when {@code errors} is empty or {@code total} is less than 1
     */
    public SpecException(List<SpecError> errors, int total) {
        super(errors.stream().map(SpecError::format).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) throw new IllegalArgumentException("a SpecException needs at least one error");
        if (total < 1) throw new IllegalArgumentException("a SpecException counts at least one problem, not " + total);
        this.errors = List.copyOf(errors);
        this.total = total;
    }

    /** How many problems the spec has, counting those not shown in {@link #errors()} (never the line that counts them). */
    public int total() {
        return total;
    }

    /** The problems, never empty. */
    public List<SpecError> errors() {
        return errors;
    }
}
