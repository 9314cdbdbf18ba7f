package io.swarmflow.cli.view;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What standard output (file descriptor 1) is, as Linux names it in {@code /proc/self/fd/1}: a terminal device
 * ({@code /dev/pts/3}), a pipe or a socket ({@code pipe:[1234]}, {@code socket:[5678]}), or a file ({@code /dev/full},
 * {@code /home/me/out.json}). Decides whether a ticket's bytes may reach a terminal raw ({@code swarm logs}) and whether
 * a write that failed lost its reader (a pipe's) or its file (a full disk).
 *
 * @param link the link's target, or null when it could not be read (no {@code /proc}: not Linux)
 */
public record OutputTarget(String link) {
    private static final Path STANDARD_OUTPUT = Path.of("/proc/self/fd/1");

    /** What file descriptor 1 is now; {@link #link} null when {@code /proc/self/fd/1} cannot be read. */
    public static OutputTarget standardOutput() {
        try {
            return new OutputTarget(Files.readSymbolicLink(STANDARD_OUTPUT).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return new OutputTarget(null);
        }
    }

    /** Whether the link could be read: when not, none of the other answers is true. */
    public boolean known() {
        return link != null;
    }

    /** A terminal device: {@code /dev/pts/N}, {@code /dev/ttyN} (or any {@code /dev/tty...}), {@code /dev/console}. */
    public boolean isTerminal() {
        return link != null && (link.startsWith("/dev/pts/") || link.startsWith("/dev/tty") || link.equals("/dev/console"));
    }

    /** A pipe or a socket, the outputs whose reader can go away (EPIPE on write). */
    public boolean isPipeOrSocket() {
        return link != null && (link.startsWith("pipe:") || link.startsWith("socket:"));
    }
}
