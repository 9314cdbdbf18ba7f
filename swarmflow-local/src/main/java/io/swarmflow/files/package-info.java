/**
 * File-system helpers shared by the sandbox and the git worktrees, on the JDK alone: deleting the trees attempts wrote
 * whatever modes they left, and finding the directories in them that cannot be opened; and, through JNA, reading a small
 * file a ticket may swap for a FIFO without ever blocking ({@link io.swarmflow.files.NonBlockingRead}).
 */
package io.swarmflow.files;
