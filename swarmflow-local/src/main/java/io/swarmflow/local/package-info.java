/** The local executor: runs attempts on this machine in the sandbox, with git worktrees. */
package io.swarmflow.local;
