package io.swarmflow.cli;

import io.swarmflow.cli.view.OutputTarget;
import io.swarmflow.spec.SpecError;

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
 */
final class Stdout extends FilterOutputStream {
    private volatile IOException failure;

    private Stdout(OutputStream out) {
        super(out);
    }

    /** File descriptor 1, buffered (8 KiB) and flushed at each line, in the charset {@link System#out} uses. */
    static Stdout open() {
        return new Stdout(new FileOutputStream(FileDescriptor.out));
    }

    PrintStream printStream() {
        return new PrintStream(new BufferedOutputStream(this, 8192), true, System.out.charset());
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
     * The exit code of a command that ended with {@code code}: {@link ExitCodes#OUTPUT_CLOSED} stays when standard output
     * is a pipe or a socket (their reader went away: EPIPE), or when no write failed; it becomes
     * {@link ExitCodes#TERMINAL_GONE}, quietly, when standard output is a terminal (one that went away: EIO); otherwise
     * the write to a file failed (ENOSPC, EIO, EFBIG), which is said on {@code err} with the file, and the code is
     * {@link ExitCodes#STORE_UNAVAILABLE}: the environment, not the request.
     */
    int judge(int code, PrintStream err) {
        IOException f = failure;
        if (code != ExitCodes.OUTPUT_CLOSED || f == null) return code;
        OutputTarget target = OutputTarget.standardOutput();
        // no /proc: cannot tell, keep the quiet end a pipe's reader expects
        if (!target.known() || target.isPipeOrSocket()) return code;
        // a terminal that went away (EIO): its reader is gone as a pipe's is, and a message would go to it too
        if (target.isTerminal()) return ExitCodes.TERMINAL_GONE;
        err.println("swarm: could not write the output to " + SpecError.printable(target.link()) + ": "
                + f.getMessage() + "; what was printed before is there, the rest is not. Free space (or fix the device) "
                + "and run the command again.");
        return ExitCodes.STORE_UNAVAILABLE;
    }
}
