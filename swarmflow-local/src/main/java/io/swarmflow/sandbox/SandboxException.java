package io.swarmflow.sandbox;

/** A sandboxed process could not be started: bubblewrap required but unusable, a missing tool, an I/O error. */
public class SandboxException extends Exception {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
