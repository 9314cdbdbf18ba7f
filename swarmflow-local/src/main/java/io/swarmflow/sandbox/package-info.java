/**
 * Launching one sandboxed process: bubblewrap isolation (read-only root, chosen writable
 * directories, hidden directories, optional network), resource limits through prlimit(1), a
 * scrubbed environment, its own session and process group so the whole tree can be stopped,
 * and capped output capture. Uses only the JDK.
 */
package io.swarmflow.sandbox;
