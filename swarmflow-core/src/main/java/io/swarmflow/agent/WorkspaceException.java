package io.swarmflow.agent;

/**
 * What a run left outside its state directory (its git worktrees and branches) could not be read: git failed on the
 * repository or a worktree (a corrupt index, a broken worktree record), so whether deleting them would lose work is
 * unknown. Thrown by the {@link Executor} methods that check before {@code swarm clean}; the message names the
 * repository or worktree and what git said.
 */
public final class WorkspaceException extends RuntimeException {
    /**
     * @param message what could not be read and why, one line
     * @param cause   the underlying failure, or null
     */
    public WorkspaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
