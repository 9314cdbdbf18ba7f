/**
 * File-system helpers shared by the sandbox and the git worktrees, on the JDK alone: deleting the trees attempts wrote
 * whatever modes they left, and finding the directories in them that cannot be opened.
 */
package io.swarmflow.files;
