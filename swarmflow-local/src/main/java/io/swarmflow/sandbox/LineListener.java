package io.swarmflow.sandbox;

/**
 * Receives each line a sandboxed process writes, as it is written (for a live view). Called from
 * the stream's pump thread, so it must be cheap and must not block.
 */
@FunctionalInterface
public interface LineListener {
    /** Ignores every line. */
    LineListener NONE = (stream, line) -> {};

    /**
     * One complete line the process wrote.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param line   the line without its terminator, decoded as UTF-8, at most 64 KiB long
     */
    void line(String stream, String line);

    /**
     * For a listener of every line ({@link Sandbox#start(SandboxSpec, java.util.List, LineListener, LineListener)}):
     * a line longer than it takes ended, and was skipped. Does nothing by default.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param start  the line's first bytes, decoded as UTF-8
     */
    default void skipped(String stream, String start) {}
}
