package io.swarmflow.store;

/** Base of the errors a {@link RunStore} reports; the message says what failed and what to do. */
public class StoreException extends RuntimeException {
    /**
     * An error with no underlying cause.
     *
     * @param message what failed and what to do next
     */
    public StoreException(String message) {
        super(message);
    }

    /**
     * An error caused by another, typically an {@link java.io.IOException} or {@link java.sql.SQLException}.
     *
     * @param message what failed and what to do next
     * @param cause   the underlying error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A write carried an attempt number that is not the ticket's current running attempt (fencing). */
    public static final class StaleAttempt extends StoreException {
        /**
         * A write refused by fencing.
         *
         * @param message names the ticket and the attempt refused, and why (its state or the current attempt)
         */
        public StaleAttempt(String message) {
            super(message);
        }
    }

    /** A write came from a coordinator whose epoch has been superseded (another process resumed the run). */
    public static final class Fenced extends StoreException {
        /**
         * A write refused because its coordinator was superseded.
         *
         * @param message names the run and the epoch refused
         */
        public Fenced(String message) {
            super(message);
        }
    }

    /** The run is held by a live coordinator. */
    public static final class RunLocked extends StoreException {
        /**
         * A run that another coordinator holds.
         *
         * @param message names the run, the coordinator holding it and until when
         */
        public RunLocked(String message) {
            super(message);
        }
    }

    /** No run with that id. */
    public static final class UnknownRun extends StoreException {
        /**
         * A run id that is not in the store.
         *
         * @param message names the run id that was not found
         */
        public UnknownRun(String message) {
            super(message);
        }
    }

    /**
     * An approval or rejection was submitted for a ticket that already has one pending (recorded, not yet applied);
     * only the first could take effect. {@link #earlier()} is that pending decision.
     */
    public static final class PendingDecision extends StoreException {
        /** The pending command; serialized with the exception. */
        private final RunCommand earlier;

        /**
         * Builds the message from the pending command: ticket, run, kind and command id.
         *
         * @param earlier the approval or rejection already pending for the ticket; not null
         */
        public PendingDecision(RunCommand earlier) {
            super("ticket " + earlier.ticketId() + " of run " + earlier.runId() + " already has a pending "
                    + earlier.kind().name().toLowerCase(java.util.Locale.ROOT) + " (command " + earlier.id() + ")");
            this.earlier = earlier;
        }

        /** The decision already pending for the ticket. */
        public RunCommand earlier() {
            return earlier;
        }
    }

    /** The state directory or database cannot be read as a Swarmflow store. */
    public static final class Corrupt extends StoreException {
        /**
         * A store that cannot be read.
         *
         * @param message what could not be read, and where
         * @param cause   the parse, I/O or SQL error, or null
         */
        public Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The store could not be read or written for a reason outside Swarmflow: the disk is full, a file or directory is
     * not writable, an I/O error, a lost database connection. What was committed before stays; the same request can
     * succeed once the cause is fixed.
     */
    public static final class Unavailable extends StoreException {
        /**
         * A store that could not be read or written.
         *
         * @param message what could not be read or written, where, and the underlying error's text
         * @param cause   the I/O or SQL error, or null
         */
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
