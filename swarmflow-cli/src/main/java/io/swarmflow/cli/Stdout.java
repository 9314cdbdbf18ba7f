package io.swarmflow.cli;

import io.swarmflow.cli.view.OutputTarget;
import io.swarmflow.spec.SpecError;
import io.swarmflow.store.RunState;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The process's standard output, remembering why a write to it failed: a {@link PrintStream} keeps only that one did,
 * and {@link SwarmCli#execute} then ends the command with {@link ExitCodes#OUTPUT_CLOSED} (141), right when the reader of
 * a pipe went away ({@code swarm status --json | head -c 10}), wrong when the output is a file that could not be written
 * ({@code swarm status --json > out.json} on a full disk: 141 with nothing said would leave a cut file unexplained).
 * {@code swarm run} and {@code swarm resume} keep the run's code whatever happened to their output; they record here how
 * the run ended ({@link #runEnded}), which {@link #judge} says with a file that could not be written.
 */
final class Stdout extends FilterOutputStream {
    private volatile IOException failure;
    /**
     * What the command did that stays done whatever happened to its output ({@link #tookEffect}, {@link #runEnded}): a
     * sentence said after the file that could not be written; else null.
     */
    private volatile String effect;
    /** Whether the file that could not be written was said: once, by {@link #judge} or before a halt ({@link #beforeHalt}). */
    private final java.util.concurrent.atomic.AtomicBoolean said = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * The {@link #tookEffect} sentence of a run's ending whose own lines on standard error already say the run's state and
     * {@code swarm resume RUN} (interrupted before it started, stopped by its store, interrupted while its store failed):
     * the file that could not be written is said after them, without repeating them.
     */
    static final String SAID_ABOVE = "What became of the run is said above; it was not because of this.";

    /** What the output goes to, asked once a write failed. */
    private final java.util.function.Supplier<OutputTarget> target;

    /** Whether the output is a terminal, asked when a command decides whether a ticket's bytes may reach it raw. */
    private final java.util.function.BooleanSupplier terminal;

    private Stdout(OutputStream out, java.util.function.Supplier<OutputTarget> target, java.util.function.BooleanSupplier terminal) {
        super(out);
        this.target = target;
        this.terminal = terminal;
    }

    /** File descriptor 1, buffered (8 KiB) and flushed at each line, in the charset {@link System#out} uses. */
    static Stdout open() {
        return new Stdout(new FileOutputStream(FileDescriptor.out), OutputTarget::standardOutput,
                io.swarmflow.cli.view.ProgressView::outputIsTerminal);
    }

    /**
     * Over {@code out}, which goes to {@code target} (for tests: {@link #open} is file descriptor 1); a terminal when
     * {@code target} is one ({@link OutputTarget#isTerminal}).
     */
    static Stdout over(OutputStream out, OutputTarget target) {
        return new Stdout(out, () -> target, target::isTerminal);
    }

    /**
     * Whether {@code out} goes to a terminal, where a ticket's escape sequences would act ({@code swarm logs} shows them
     * instead): for the print stream of a {@code Stdout} ({@link #printStream}), what it was opened over; for any other
     * stream (a test's buffer given to {@link SwarmCli#execute}), whether file descriptor 1 is a terminal
     * ({@link io.swarmflow.cli.view.ProgressView#outputIsTerminal}), as before there was a {@code Stdout} to ask.
     */
    static boolean isTerminal(PrintStream out) {
        return out instanceof Printing p ? p.stdout.terminal.getAsBoolean() : io.swarmflow.cli.view.ProgressView.outputIsTerminal();
    }

    PrintStream printStream() {
        return new Printing(this);
    }

    /** The print stream of {@link #printStream}: a command reaches this {@code Stdout} through it ({@link #runEnded}). */
    private static final class Printing extends PrintStream {
        private final Stdout stdout;

        Printing(Stdout stdout) {
            super(new BufferedOutputStream(stdout, 8192), true, System.out.charset());
            this.stdout = stdout;
        }
    }

    /**
     * Records that the run of {@code swarm run} or {@code swarm resume} printing to {@code out} ended in {@code state}
     * (and is recorded so): should its output be a file that could not be written, {@link #judge} says so with the run.
     * Does nothing when {@code out} is not standard output ({@link #printStream}), as in tests calling
     * {@link SwarmCli#execute}.
     *
     * @param runId the run's full id
     * @param state the state the run is recorded in now
     */
    static void runEnded(PrintStream out, String runId, RunState state) {
        tookEffect(out, "The run itself was not affected: run " + runId + " ended (" + state.label() + ") and is recorded; `swarm status "
                + runId + "` shows it, `swarm logs " + runId + " TICKET` a ticket's output"
                + (state == RunState.CANCELLED ? ", and `swarm resume " + runId + "` continues it" : "") + ".");
    }

    /**
     * Records what the command printing to {@code out} did that stays done whatever happens to its output (a run's end, a
     * decision or cancel recorded, worktrees removed, a report written), replacing what was recorded before: should its
     * output be a file that could not be written, {@link #judge} says {@code sentence} after the file and why, in place of
     * "run the command again". Does nothing when {@code out} is not standard output ({@link #printStream}).
     *
     * @param sentence one or more whole sentences, ending with a full stop
     */
    static void tookEffect(PrintStream out, String sentence) {
        if (out instanceof Printing p) p.stdout.effect = sentence;
    }

    /**
     * Says, before the process halts with {@code code} ({@link Runtime#halt}, which skips {@link #judge} in
     * {@link SwarmCli#main}), what {@link #judge} would: a file that could not be written, with what the command did.
     * Does nothing when {@code out} is not standard output ({@link #printStream}).
     */
    static void beforeHalt(PrintStream out, PrintStream err, int code) {
        if (out instanceof Printing p) {
            // out is not flushed, here or by the caller (RunCommands.Foreground.haltInterrupted): a write blocked on a reader
            // that does not read holds the stream's lock, and the halt must not wait for it
            p.stdout.judge(code, err);
            err.flush();
        }
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private IOException failed(IOException e) {
        if (failure == null) failure = e;
        return e;
    }

    /**
     * The exit code of a command that ended with {@code code}, saying on {@code err} why its output could not be written
     * when that is news. When no write failed, or standard output is a pipe or a socket (their reader went away: EPIPE), or
     * what it is cannot be told (no {@code /proc}), {@code code} stays, quietly. A terminal that went away (EIO) turns
     * {@link ExitCodes#OUTPUT_CLOSED} into {@link ExitCodes#TERMINAL_GONE}, quietly (a message would go to it too).
     * Otherwise the write to a file failed (ENOSPC, EIO, EFBIG), which is said once on {@code err}, with the file and why:
     * {@link ExitCodes#OUTPUT_CLOSED} then becomes {@link ExitCodes#STORE_UNAVAILABLE} (the environment, not the request).
     * When the command did something that stays done ({@link #tookEffect}: a decision, a cancel, a clean or a report of
     * {@code approve}, {@code reject}, {@code cancel}, {@code clean} and {@code report}; the end of the run of {@code swarm
     * run} and {@code swarm resume}, however it ended, {@link #runEnded}), that is said with the file, whatever the code;
     * else "run the command again" is, with {@link ExitCodes#OUTPUT_CLOSED} only. The code of {@code swarm run} and
     * {@code swarm resume} tells how the run ended and stays; any other code but {@link ExitCodes#OUTPUT_CLOSED} stays too.
     */
    int judge(int code, PrintStream err) {
        IOException f = failure;
        if (f == null) return code;
        OutputTarget target = this.target.get();
        // no /proc: cannot tell, keep the quiet end a pipe's reader expects
        if (!target.known() || target.isPipeOrSocket()) return code;
        // a terminal that went away (EIO): its reader is gone as a pipe's is, and a message would go to it too
        if (target.isTerminal()) return code == ExitCodes.OUTPUT_CLOSED ? ExitCodes.TERMINAL_GONE : code;
        String lost = "swarm: could not write the output to " + SpecError.printable(target.link()) + ": " + f.getMessage()
                + "; what was printed before is there, the rest is not.";
        int judged = code == ExitCodes.OUTPUT_CLOSED ? ExitCodes.STORE_UNAVAILABLE : code;
        String done = effect;
        if (done == null && code != ExitCodes.OUTPUT_CLOSED) return code;
        if (said.compareAndSet(false, true)) {
            err.println(lost + " " + (done != null ? done : "Free space (or fix the device) and run the command again."));
        }
        return judged;
    }
}
