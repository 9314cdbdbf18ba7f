package io.swarmflow.cli;

/** Process exit codes of the {@code swarm} command (also in the README). */
public final class ExitCodes {
    /** Everything succeeded (or the query/command was applied). */
    public static final int OK = 0;
    /** The run finished and at least one ticket failed. */
    public static final int TICKET_FAILED = 1;
    /** {@code swarm clean}: something could not be removed (it says what and why); the rest was removed. */
    public static final int CLEAN_INCOMPLETE = 1;
    /** Invalid input: spec, flags, run or ticket id, corrupt state; nothing was changed. */
    public static final int INVALID_INPUT = 2;
    /** An unexpected internal error (a bug: please report it with the stack trace). */
    public static final int INTERNAL_ERROR = 3;
    /**
     * The state could not be read or written ({@link io.swarmflow.store.StoreException.Unavailable}: disk full,
     * permissions, an I/O error, a lost database connection). A run executing stops, its attempts stopped, with what was
     * recorded before kept: {@code swarm resume RUN} continues it once the cause is fixed. Also a command's output that could
     * not be written to the file it goes to (not a pipe: {@link #OUTPUT_CLOSED}; nor a terminal: {@link #TERMINAL_GONE}),
     * such as a full disk: said with the file and why, and, for {@code approve}, {@code reject}, {@code cancel},
     * {@code clean} and {@code report}, with what took effect all the same (a decision or cancel recorded, worktrees
     * removed, a report written).
     */
    public static final int STORE_UNAVAILABLE = 4;
    /**
     * The terminal the command's output goes to went away (closed, hung up) before the output was all written: every
     * write to it fails with EIO. 128 + SIGHUP, the code of a command its terminal's hangup ended; nothing is said, as
     * there is no one to say it to (standard error is that terminal too, most often). Not for {@code run} and
     * {@code resume}, whose code tells how the run ended.
     */
    public static final int TERMINAL_GONE = 129;
    /** Interrupted (Ctrl-C, SIGTERM, SIGHUP) or cancelled; {@code swarm resume RUN} continues the run. */
    public static final int INTERRUPTED = 130;
    /**
     * The reader of the command's output went away before it was all written ({@code swarm logs RUN T --follow | head -1},
     * {@code swarm status --json | head -c 10}); 128 + SIGPIPE, as a shell's own commands end then. Nothing else is
     * printed. For {@code approve}, {@code reject}, {@code cancel}, {@code clean} and {@code report} the action had already
     * taken effect (as git's and coreutils' commands die of SIGPIPE after acting): a script with {@code pipefail} checks
     * {@code swarm status} rather than take 141 for "not done". Not for {@code run} and {@code resume}, whose code tells
     * how the run ended.
     */
    public static final int OUTPUT_CLOSED = 141;

    private ExitCodes() {}
}
