package io.swarmflow.git;

/** A git command failed; the message names the command, the directory and git's own error. */
public class GitException extends Exception {
    /**
     * A failed git command.
     *
     * @param message the command, the directory and git's own error
     */
    public GitException(String message) {
        super(message);
    }
}
