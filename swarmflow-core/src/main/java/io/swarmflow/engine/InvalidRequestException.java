package io.swarmflow.engine;

/** A request (approve, reject, cancel, resume, ...) that cannot be applied; nothing was changed. The message says why and what to do. */
public final class InvalidRequestException extends RuntimeException {
    /**
     * A refused request; nothing was changed.
     *
     * @param message why the request cannot be applied and what to do instead
     */
    public InvalidRequestException(String message) {
        super(message);
    }
}
