package io.swarmflow.git;

/** A git command failed; the message names the command, the directory and git's own error. */
public class GitException extends Exception {
    /** What git wrote on stderr, as one line; empty when git did not say anything, or did not run. */
    private final String gitSaid;

    /**
     * A failed git command.
     *
     * @param message the command, the directory and git's own error
     */
    public GitException(String message) {
        this(message, "");
    }

    /**
     * A git command that failed and said why.
     *
     * @param message the command, the directory and git's own error
     * @param gitSaid git's stderr as one line ({@code fatal: not a git repository: /x}), or empty
     */
    public GitException(String message, String gitSaid) {
        super(message);
        this.gitSaid = gitSaid == null ? "" : gitSaid;
    }

    /** What git wrote on stderr, as one line (its lines joined with {@code ; }); empty when it said nothing or did not run. */
    public String gitSaid() {
        return gitSaid;
    }
}
