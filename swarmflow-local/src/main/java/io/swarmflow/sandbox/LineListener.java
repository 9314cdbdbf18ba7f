package io.swarmflow.sandbox;

/**
 * Receives each line a sandboxed process writes, as it is written (for a live view). Called from
 * the stream's pump thread, so it must be cheap and must not block.
 *
 * <p>For {@link #line} a line ends at an LF or at a lone CR, as a terminal shows it: a progress bar's
 * {@code \r10%\r20%\r30%\n} is the lines {@code 10%}, {@code 20%} and {@code 30%}, each passed on as its CR comes, not
 * one line when the bar ends. CR LF is one line end, and so are several CRs in a row (with or without an LF after
 * them); a part that holds nothing between two CRs is not passed on, an empty line ended by LF (or CR LF) is. A line
 * thus never holds a CR or an LF. The one exception is the every-line listener of
 * {@link Sandbox#start(SandboxSpec, java.util.List, LineListener, LineListener)}, which reads results from stdout: its
 * lines end at an LF alone (without a CR right before it), so a CR inside one stays in it. The log files keep the bytes
 * as written.
 */
@FunctionalInterface
public interface LineListener {
    /** Ignores every line. */
    LineListener NONE = (stream, line) -> {};

    /**
     * One complete line the process wrote: ended by LF or a lone CR, or the last bytes of the stream (see the class
     * comment), or the part of a line the log cap kept.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param line   the line without its end, decoded as UTF-8, its first 64 KiB (of bytes) when longer (the every-line
     *               listener's: up to 1 MiB, see {@link #skipped})
     */
    void line(String stream, String line);

    /**
     * For a listener of every line ({@link Sandbox#start(SandboxSpec, java.util.List, LineListener, LineListener)}):
     * a line (ended by LF) longer than it takes ended, and was skipped. Does nothing by default.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param start  the line's first bytes, decoded as UTF-8
     */
    default void skipped(String stream, String start) {}
}
