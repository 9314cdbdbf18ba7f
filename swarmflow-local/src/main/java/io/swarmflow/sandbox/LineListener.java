package io.swarmflow.sandbox;

/**
 * Receives each line a sandboxed process writes, as it is written (for a live view). Called from
 * the stream's pump thread, so it must be cheap and must not block.
 *
 * <p>For {@link #line} a line ends at an LF or at a lone CR, as a terminal shows it: a progress bar's
 * {@code \r10%\r20%\r30%\n} is the lines {@code 10%}, {@code 20%} and {@code 30%}, each passed on as its CR comes, not
 * one line when the bar ends. CR LF is one line end, and so are several CRs in a row (with or without an LF after
 * them); a part that holds nothing between two CRs is not passed on, an empty line ended by LF (or CR LF) is. A line
 * thus never holds a CR or an LF; {@link #line(String, String, boolean)} tells which lines are the states of one line
 * of the terminal. The one exception is the every-line listener of
 * {@link Sandbox#start(SandboxSpec, java.util.List, LineListener, LineListener)}, which reads results from stdout: its
 * lines end at an LF alone (without a CR right before it), so a CR inside one stays in it. The log files keep the bytes
 * as written.
 */
@FunctionalInterface
public interface LineListener {
    /** Ignores every line. */
    LineListener NONE = (stream, line) -> {};

    /**
     * Longest line handed to {@link #line(String, String, boolean, boolean)}, in bytes (of UTF-8, before decoding): the
     * output pump passes on the first 65536 bytes of a longer line (ended by LF or a lone CR) and drops the rest; the
     * log file keeps the line whole, up to the log cap. The every-line listener's lines may be longer (see
     * {@link #skipped}).
     */
    int MAX_LINE_BYTES = 64 * 1024;

    /**
     * One complete line the process wrote: ended by LF or a lone CR, or the last bytes of the stream (see the class
     * comment), or the part of a line the log cap kept.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param line   the line without its end, decoded as UTF-8, its first {@link #MAX_LINE_BYTES} bytes when longer (the every-line
     *               listener's: up to 1 MiB, see {@link #skipped})
     */
    void line(String stream, String line);

    /**
     * {@link #line(String, String)}, told also whether {@code line} is drawn over the line passed on just before it from
     * the same stream, as a terminal does after a lone CR: that line was ended by a CR (or CRs in a row) that no LF
     * followed, and this one is its terminal line's next state (a progress bar's). So the lines of one terminal line (the
     * bytes up to an LF, or to the end of the stream) come as the first with {@code false} and each that follows it with
     * {@code true}: {@code a\rb\r\rc\n} is {@code a} (false), {@code b} (true), {@code c} (true); {@code a\r\nb} is
     * {@code a} (false), {@code b} (false). The flag is about the line before, not this line's own end, so it is exact
     * however the stream was split into reads: when a CR is the last byte of a read, whether an LF follows it is unknown
     * until the next read, but the line it ends is passed on at once; the next line, if any, comes after that is known.
     * The pump's own lines (the log cap's marker, a log file it cannot write) come with {@code false}, and so does the
     * line after one of them. The last line of a stream (without an end) and the part of a line the log cap kept are told
     * as any other, by the line before them.
     *
     * <p>The sandbox's output pump calls this method; by default it calls {@link #line(String, String)}, so a listener
     * that does not care how lines share a terminal line implements that one alone.
     *
     * @param afterLoneCr whether {@code line} continues the terminal line of the line passed on before it (see above)
     */
    default void line(String stream, String line, boolean afterLoneCr) {
        line(stream, line);
    }

    /**
     * {@link #line(String, String, boolean)}, told also whether the next line of {@code stream} may continue (be drawn
     * over) {@code line}: {@code true} when CRs ended it and no LF is known to follow them (a progress bar's state, or a
     * CR that is the last byte of a read, whose LF may come in the next), {@code false} when it can no longer be continued
     * (ended by LF or CR LF, the last bytes of the stream, the part of a line the log cap kept, the pump's own lines). So
     * a listener that holds a line to see whether the next one draws over it (plain output of a progress bar) need not
     * hold one that {@code false} ends: {@code a\rb\nc\r\n} is {@code a} (true), {@code b} (false), {@code c} (false)
     * when read at once. When {@code true}, the next line of the stream may still come with {@code afterLoneCr}
     * {@code false} (an LF came after the CRs in a later read).
     *
     * <p>The sandbox's output pump calls this method; by default it calls {@link #line(String, String, boolean)}.
     *
     * @param mayBeContinued whether the next line of {@code stream} may continue {@code line} (see above)
     */
    default void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
        line(stream, line, afterLoneCr);
    }

    /**
     * The stream's log file reached its cap (the ticket's {@code log-size}) inside a line: the line of {@code stream}
     * passed on next is the part of that line the cap kept (the log file has that part and no more of it), and no later
     * line the process writes to it is: the pump's own marker ({@code [swarm: output truncated after N bytes]}) follows.
     * Not called when the cap fell on a line's end (no line was cut: the marker comes next). Called at most once per
     * stream, from its pump thread, before that line. Does nothing by default.
     *
     * @param stream {@code stdout} or {@code stderr}
     */
    default void logCapped(String stream) {}

    /**
     * For a listener of every line ({@link Sandbox#start(SandboxSpec, java.util.List, LineListener, LineListener)}):
     * a line (ended by LF) longer than it takes ended, and was skipped. Does nothing by default.
     *
     * @param stream {@code stdout} or {@code stderr}
     * @param start  the line's first bytes, decoded as UTF-8
     */
    default void skipped(String stream, String start) {}

    /**
     * A listener that takes every line with both flags, {@link #line(String, String, boolean, boolean)}, which it
     * implements alone: a line handed to a shorter form (not from the pump, which tells) continues no other line
     * ({@code afterLoneCr} false) and may be continued ({@code mayBeContinued} true).
     */
    interface Told extends LineListener {
        /** A line that continues no other. */
        @Override
        default void line(String stream, String line) {
            line(stream, line, false);
        }

        /** A line not told whether the next may continue it: it may. */
        @Override
        default void line(String stream, String line, boolean afterLoneCr) {
            line(stream, line, afterLoneCr, true);
        }

        @Override
        void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued);
    }
}
