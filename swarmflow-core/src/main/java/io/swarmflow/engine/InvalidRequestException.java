package io.swarmflow.engine;

import java.util.List;

/** A request (approve, reject, cancel, resume, ...) that cannot be applied; nothing was changed. The message says why and what to do. */
public final class InvalidRequestException extends RuntimeException {
    private final List<String> lines;

    /**
     * A refused request; nothing was changed.
     *
     * @param message why the request cannot be applied and what to do instead, one line (a line break in it, such as
     *                one in a quoted argument, is text to show escaped, not a break)
     */
    public InvalidRequestException(String message) {
        super(message);
        this.lines = List.of(message);
    }

    private InvalidRequestException(List<String> lines) {
        super(String.join("\n", lines));
        this.lines = List.copyOf(lines);
    }

    /**
     * A refused request whose message lists what it concerns: {@code head}, then each item on a line of its own,
     * indented by two spaces, then {@code tail}. A line break within one of these texts is text to show escaped, not a
     * break.
     *
     * @param head  what is wrong
     * @param items what it concerns (worktrees, branches, problems), one line each
     * @param tail  what to do instead
     * @return the exception; its {@link #getMessage()} is its {@link #lines()} joined with {@code \n}
     */
    public static InvalidRequestException listing(String head, List<String> items, String tail) {
        List<String> lines = new java.util.ArrayList<>();
        lines.add(head);
        for (String item : items) lines.add("  " + item);
        lines.add(tail);
        return new InvalidRequestException(lines);
    }

    /** The message's lines: one for {@link #InvalidRequestException(String)}, those of {@link #listing}. */
    public List<String> lines() {
        return lines;
    }
}
