package io.swarmflow.store;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.swarmflow.spec.Plan;

import java.util.Map;

/**
 * An append-only fact about a run. Events are the truth: the projections ({@link RunView},
 * {@link TicketView}, {@link AttemptView}) are a fold of them by {@link Projection}. The store
 * stamps each with a per-run sequence number and the store clock's time ({@link StoredEvent}).
 * JSON form: an object with a {@code type} property naming the record.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunEvent.RunCreated.class, name = "run-created"),
        @JsonSubTypes.Type(value = RunEvent.RunStarted.class, name = "run-started"),
        @JsonSubTypes.Type(value = RunEvent.RunCancelRequested.class, name = "run-cancel-requested"),
        @JsonSubTypes.Type(value = RunEvent.RunFinished.class, name = "run-finished"),
        @JsonSubTypes.Type(value = RunEvent.TicketReady.class, name = "ticket-ready"),
        @JsonSubTypes.Type(value = RunEvent.TicketAwaitingApproval.class, name = "ticket-awaiting-approval"),
        @JsonSubTypes.Type(value = RunEvent.ApprovalGranted.class, name = "approval-granted"),
        @JsonSubTypes.Type(value = RunEvent.ApprovalRejected.class, name = "approval-rejected"),
        @JsonSubTypes.Type(value = RunEvent.AttemptStarted.class, name = "attempt-started"),
        @JsonSubTypes.Type(value = RunEvent.AttemptProcessStarted.class, name = "attempt-process-started"),
        @JsonSubTypes.Type(value = RunEvent.AttemptFinished.class, name = "attempt-finished"),
        @JsonSubTypes.Type(value = RunEvent.TicketRetryScheduled.class, name = "ticket-retry-scheduled"),
        @JsonSubTypes.Type(value = RunEvent.TicketSucceeded.class, name = "ticket-succeeded"),
        @JsonSubTypes.Type(value = RunEvent.TicketFailed.class, name = "ticket-failed"),
        @JsonSubTypes.Type(value = RunEvent.TicketSkipped.class, name = "ticket-skipped"),
        @JsonSubTypes.Type(value = RunEvent.TicketCancelled.class, name = "ticket-cancelled"),
        @JsonSubTypes.Type(value = RunEvent.TicketRequeued.class, name = "ticket-requeued"),
})
public sealed interface RunEvent {

    /** The ticket this event is about, or null for run-level events. */
    default String ticketId() {
        return null;
    }

    /** First event of every run: the plan it executes and where the spec came from. */
    record RunCreated(String runId, Plan plan, String specPath) implements RunEvent {}

    /**
     * A coordinator took the run over (first start or resume).
     *
     * @param epoch   the coordinator's fencing epoch; writes from lower epochs are rejected
     * @param owner   who: {@code host:pid}
     * @param resumed false for the first start
     */
    record RunStarted(long epoch, String owner, boolean resumed) implements RunEvent {}

    /**
     * The user asked to stop the run.
     *
     * @param by what asked: {@code swarm cancel (user@host)}, or the signal the coordinator got ({@code SIGINT (Ctrl-C)},
     *           {@code SIGTERM}, {@code SIGHUP (the terminal closed)}); in events written before the cause was recorded,
     *           {@code user@host} or {@code signal (Ctrl-C or SIGTERM)}
     */
    record RunCancelRequested(String by) implements RunEvent {}

    /** The run ended: succeeded, failed or cancelled. */
    record RunFinished(RunState state) implements RunEvent {}

    /** All conditions to start the ticket hold; it waits for a free slot. */
    record TicketReady(String ticketId) implements RunEvent {}

    /** The ticket has an approval gate and waits for a person. */
    record TicketAwaitingApproval(String ticketId) implements RunEvent {}

    /**
     * A person approved the gated ticket.
     *
     * @param command the id of the {@link RunCommand} that did it (so that its sender can tell it took effect),
     *                0 for {@code --auto-approve} and in events written before it was recorded
     */
    record ApprovalGranted(String ticketId, String by, long command) implements RunEvent {
        /**
         * An approval not tied to a command ({@code command} 0), as {@code --auto-approve} grants it.
         *
         * @param ticketId the gated ticket
         * @param by       who approved ({@code user@host}, or the auto-approver)
         */
        public ApprovalGranted(String ticketId, String by) {
            this(ticketId, by, 0);
        }
    }

    /**
     * A person rejected the gated ticket; it fails with the reason.
     *
     * @param command the id of the {@link RunCommand} that did it; 0 in events written before it was recorded
     */
    record ApprovalRejected(String ticketId, String by, String reason, long command) implements RunEvent {
        /**
         * A rejection not tied to a command ({@code command} 0).
         *
         * @param ticketId the gated ticket
         * @param by       who rejected ({@code user@host})
         * @param reason   why, or null
         */
        public ApprovalRejected(String ticketId, String by, String reason) {
            this(ticketId, by, reason, 0);
        }

        /** The ticket's failure reason: {@code rejected by BY}, then {@code : REASON} when one was given. */
        public String failureReason() {
            return "rejected by " + by + (reason == null || reason.isBlank() ? "" : ": " + reason);
        }
    }

    /**
     * An attempt was claimed and started.
     *
     * @param attempt  fencing number, 1-based, strictly increasing per ticket
     * @param leaseMillis lease length; the lease is renewed by heartbeats while the attempt runs
     */
    record AttemptStarted(String ticketId, int attempt, long leaseMillis) implements RunEvent {}

    /**
     * The attempt's process started (used to find and kill orphans after a crash).
     *
     * @param pid         the process's id (its process group's leader), on the coordinator's machine
     * @param startTicks  its start time in clock ticks since boot ({@code /proc/PID/stat} field 22)
     * @param coordinator the coordinator that launched it ({@code host:pid@startMillis/n}, {@code Owners.coordinator()}, the
     *                    string the run's lease names it by): whose machine {@code pid} is of. Null in events recorded
     *                    before this field (the machine is then not recorded)
     */
    record AttemptProcessStarted(String ticketId, int attempt, long pid, long startTicks, String coordinator) implements RunEvent {
        /** A start without its coordinator (as recorded before the field was). */
        public AttemptProcessStarted(String ticketId, int attempt, long pid, long startTicks) {
            this(ticketId, attempt, pid, startTicks, null);
        }
    }

    /**
     * An attempt ended.
     *
     * @param exitCode process exit code, or null when there was no process or it was killed
     * @param reason   human reason for anything but success (may be null)
     * @param outputs  declared outputs the attempt produced
     * @param outputBytes bytes its process wrote to stdout and stderr together, or null when unknown (no process, an
     *                    agent that does not count them, an event recorded before this field): {@code swarm logs} tells
     *                    an attempt that printed nothing from one whose log folder is gone by it
     * @param permanent   whether the attempt failed in a way every attempt would ({@code AttemptResult.permanent}: refused
     *                    before its process started), so its ticket got no retry whatever its {@code retries:}; false for
     *                    every other end, and in events recorded before this field (their JSON has no {@code permanent},
     *                    which reads as false)
     */
    record AttemptFinished(String ticketId, int attempt, Outcome outcome, Integer exitCode, String reason,
                           Map<String, String> outputs, Long outputBytes, boolean permanent) implements RunEvent {
        /** Copies {@code outputs}; null becomes an empty map. */
        public AttemptFinished {
            outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
        }

        /** An end that is not {@linkplain #permanent permanent}. */
        public AttemptFinished(String ticketId, int attempt, Outcome outcome, Integer exitCode, String reason,
                               Map<String, String> outputs, Long outputBytes) {
            this(ticketId, attempt, outcome, exitCode, reason, outputs, outputBytes, false);
        }

        /** An end without a count of output bytes, not {@linkplain #permanent permanent}. */
        public AttemptFinished(String ticketId, int attempt, Outcome outcome, Integer exitCode, String reason,
                               Map<String, String> outputs) {
            this(ticketId, attempt, outcome, exitCode, reason, outputs, null, false);
        }
    }

    /** The ticket will be retried once {@code notBeforeEpochMillis} (store clock) has passed. */
    record TicketRetryScheduled(String ticketId, long notBeforeEpochMillis) implements RunEvent {}

    /** The ticket succeeded with the given attempt; recorded at most once per ticket. */
    record TicketSucceeded(String ticketId, int attempt) implements RunEvent {}

    /** The ticket failed for good. */
    record TicketFailed(String ticketId, String reason) implements RunEvent {}

    /** The ticket will not run: a dependency failed, or its {@code when} condition is false. */
    record TicketSkipped(String ticketId, String reason) implements RunEvent {}

    /** The ticket was stopped by cancellation; a resume requeues it. */
    record TicketCancelled(String ticketId, String reason) implements RunEvent {}

    /** A cancelled or interrupted ticket was put back to pending by a resume. */
    record TicketRequeued(String ticketId, String reason) implements RunEvent {}
}
