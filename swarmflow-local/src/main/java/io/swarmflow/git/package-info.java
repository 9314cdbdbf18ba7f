/**
 * Git worktrees, branches, commits and diffs through the git CLI (Swarmflow's own actions, not
 * sandboxed). Uses only the JDK.
 */
package io.swarmflow.git;
