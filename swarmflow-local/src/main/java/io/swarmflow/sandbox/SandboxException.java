package io.swarmflow.sandbox;

/** A sandboxed process could not be started: bubblewrap required but unusable, a missing tool, an I/O error. */
public class SandboxException extends Exception {
    /**
     * A launch that failed without an underlying exception.
     *
     * @param message what could not be started and what to do
     */
    public SandboxException(String message) {
        super(message);
    }

    /**
     * A launch that failed because of another error.
     *
     * @param message what could not be started and what to do
     * @param cause   the underlying error, typically an {@link java.io.IOException}
     */
    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
