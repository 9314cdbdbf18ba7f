package io.swarmflow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** What {@code run} and {@code validate} say before reading a spec from standard input. */
final class SpecInput {
    private SpecInput() {
    }

    /**
     * When the spec is standard input and that is a terminal, says on {@code err} that swarm waits for the spec to be typed
     * or pasted and ended with Ctrl-D: without it, {@code swarm run -} typed by mistake looks hung. When the spec is a
     * named pipe (a FIFO made by {@code mkfifo}), says that it is read once a program writes it there and closes it:
     * opening one blocks until a writer opens it, silently. Not for a pipe named by a file descriptor (a descriptor path,
     * {@link io.swarmflow.spec.SpecLoader#isDescriptor}: {@code /dev/fd/N} as a process substitution {@code <(...)} gives,
     * {@code /proc/P/fd/N}, {@code /proc/P/task/T/fd/N}), whose writer is already there.
     *
     * @param command {@code run} or {@code validate}, for the example in the message
     */
    static void hintOnTerminal(Path specFile, String command, PrintStream err) {
        if (io.swarmflow.spec.SpecLoader.isStandardInput(specFile) && stdinIsTerminal()) {
            err.println("swarm: reading the spec from standard input, a terminal: type or paste it, then press Ctrl-D on a "
                    + "line of its own (Ctrl-C to stop); or give a file, as in `swarm " + command + " swarm.yaml`");
        } else if (isNamedPipe(specFile)) {
            err.println("swarm: " + io.swarmflow.spec.SpecError.printable(specFile.toString()) + " is a named pipe: swarm waits "
                    + "until a program writes the spec to it and closes it (Ctrl-C to stop)");
        }
    }

    /** {@code S_IFMT} and {@code S_IFIFO} of {@code stat(2)}'s {@code st_mode}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    /**
     * Whether {@code file} is a FIFO in the file system, not standard input or a pipe named by a file descriptor: a
     * descriptor path by the loader's one rule ({@link io.swarmflow.spec.SpecLoader#isDescriptor}) is none.
     */
    private static boolean isNamedPipe(Path file) {
        if (io.swarmflow.spec.SpecLoader.isDescriptor(file)) return false;
        try {
            return ((Integer) Files.getAttribute(file, "unix:mode") & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return false; // not there (the loader says so), or no unix view: say nothing
        }
    }

    /** Whether file descriptor 0 is a terminal ({@code /proc/self/fd/0} links to {@code /dev/pts/N} or {@code /dev/ttyN}). */
    private static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false; // no /proc: say nothing
        }
    }
}
