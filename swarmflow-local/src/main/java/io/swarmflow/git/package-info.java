/**
 * Git worktrees, branches, commits and diffs through the git CLI (Swarmflow's own actions, not
 * sandboxed). Uses only the JDK, and {@link io.swarmflow.files.NonBlockingRead} to read a worktree's {@code .git} and
 * its record's {@code gitdir} file without blocking.
 */
package io.swarmflow.git;
