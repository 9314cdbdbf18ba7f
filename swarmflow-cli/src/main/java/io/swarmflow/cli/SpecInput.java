package io.swarmflow.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** What {@code run} and {@code validate} say before reading a spec from standard input. */
final class SpecInput {
    /** The names of standard input a spec may be given as. */
    private static final Set<String> STDIN = Set.of("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0");

    private SpecInput() {
    }

    /**
     * When the spec is standard input and that is a terminal, says on {@code err} that swarm waits for the spec to be typed
     * or pasted and ended with Ctrl-D: without it, {@code swarm run -} typed by mistake looks hung.
     *
     * @param command {@code run} or {@code validate}, for the example in the message
     */
    static void hintOnTerminal(Path specFile, String command, PrintStream err) {
        if (STDIN.contains(specFile.toString()) && stdinIsTerminal()) {
            err.println("swarm: reading the spec from standard input, a terminal: type or paste it, then press Ctrl-D on a "
                    + "line of its own (Ctrl-C to stop); or give a file, as in `swarm " + command + " swarm.yaml`");
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
