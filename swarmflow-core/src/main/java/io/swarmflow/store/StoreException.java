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

    /**
     * An append refused because an earlier append of the same coordinator (run and epoch) failed: its later appends are
     * refused, so none can commit after a lost one. Not a takeover: no other coordinator is involved. {@link #getCause()}
     * is that first failure (often {@link Unavailable}: a full disk, a lock another process held), which is what to tell
     * the user; {@code swarm resume RUN} continues the run once its cause is fixed.
     */
    public static final class EarlierAppendFailed extends StoreException {
        /** The run whose coordinator's append was refused. */
        private final String runId;

        /**
         * A refusal that names the run and the epoch, and carries the first failure.
         *
         * @param runId        the run's id; not null
         * @param epoch        the coordinator's epoch (fencing number) whose appends are refused
         * @param firstFailure the failure of the coordinator's first append that failed; not null
         */
        public EarlierAppendFailed(String runId, long epoch, Throwable firstFailure) {
            super("run " + runId + ": an earlier append of this coordinator (epoch " + epoch + ") failed, so its later appends "
                    + "are refused; resume the run to continue", firstFailure);
            this.runId = runId;
        }

        /** The run whose coordinator's append was refused. */
        public String runId() {
            return runId;
        }

        /**
         * The failure of the coordinator's first failed append: {@link #getCause()}, followed past any refusal of this kind
         * it may be (never null).
         */
        public Throwable firstFailure() {
            Throwable t = getCause();
            while (t instanceof EarlierAppendFailed e && e.getCause() != null) t = e.getCause();
            return t;
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
