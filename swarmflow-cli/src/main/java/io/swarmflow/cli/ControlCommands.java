package io.swarmflow.cli;

import io.swarmflow.store.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code approve}, {@code reject}, {@code cancel}: requests to a run, applied by its coordinator; {@code clean}. */
final class ControlCommands {
    private ControlCommands() {}

    static String user() {
        String u = System.getProperty("user.name", "unknown");
        return u + "@" + io.swarmflow.engine.Owners.current().split(":")[0];
    }

    /** How long approve and reject wait for a live coordinator to apply them before saying it will. */
    static final long DECISION_WAIT_MILLIS = 5_000;

    /** Records one decision: {@code (wiring, run id, ticket id) -> the command}. */
    @FunctionalInterface
    interface Submit {
        RunCommand apply(Wiring w, String runId, String ticketId);
    }

    /**
     * Submits an approval or rejection of each ticket. Every ticket is checked first (it exists, waits at its gate, has
     * no decision pending): if one fails, none is decided (exit 2, every problem listed). When a coordinator executes
     * the run, waits (up to {@link #DECISION_WAIT_MILLIS} in all) until it applied the decisions, and reports what
     * happened to each ticket: another decision may have reached a gate first (exit 2 after the others are reported;
     * nothing changed by that one).
     */
    static int decide(CommandLine.Model.CommandSpec spec, StateOptions state, String given, List<String> ticketIds,
                      RunCommand.Kind kind, Submit submit) {
        String verb = kind == RunCommand.Kind.APPROVE ? "approved" : "rejected";
        PrintStream out = Streams.out(spec);
        try (Wiring w = Wiring.existing(state.resolve(), Streams.err(spec))) {
            String runId = QueryCommands.resolveRun(w, kind == RunCommand.Kind.APPROVE ? "approve" : "reject", given, ticketIds.getFirst());
            java.util.Set<String> problems = new java.util.LinkedHashSet<>(); // a finished run's, once for all tickets
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String id : ticketIds) {
                if (!seen.add(id)) {
                    problems.add(id + " is named twice");
                    continue;
                }
                try {
                    w.service.requireDecidable(runId, id, kind);
                } catch (io.swarmflow.engine.InvalidRequestException e) {
                    problems.add(String.join(" ", e.lines()));
                }
            }
            if (!problems.isEmpty()) {
                if (ticketIds.size() == 1) throw new io.swarmflow.engine.InvalidRequestException(problems.iterator().next());
                throw io.swarmflow.engine.InvalidRequestException.listing("not " + verb + ":", List.copyOf(problems), "nothing was "
                        + verb + " (of " + String.join(", ", ticketIds) + "); fix the above and run the command again");
            }
            long before = w.service.requireRun(runId).lastSeq();
            List<RunCommand> submitted = new java.util.ArrayList<>();
            for (String id : ticketIds) {
                try {
                    submitted.add(submit.apply(w, runId, id));
                } catch (RuntimeException e) { // a decision recorded by someone else since the check: say what was recorded
                    for (RunCommand c : submitted) out.println(verb + " " + c.ticketId() + " in run " + runId);
                    tookEffect(out, verb, submitted.stream().map(RunCommand::ticketId).toList(), runId);
                    if (!submitted.isEmpty()) explain(out, w, submitted.getFirst());
                    throw e;
                }
            }
            if (!w.service.isExecuting(runId)) {
                List<String> lost = new java.util.ArrayList<>();
                List<RunCommand> recorded = new java.util.ArrayList<>();
                for (RunCommand c : submitted) {
                    // the gate may have been decided, and the run ended, between the check and the insert
                    io.swarmflow.store.TicketView now = ticket(w, runId, c.ticketId());
                    if (now.state() != io.swarmflow.store.TicketState.AWAITING_APPROVAL
                            && w.service.decidingCommand(c, before).orElse(-1L) != c.id()) {
                        lost.add(lost(verb, now, w.service.decidingCommand(c, before).isPresent()).getMessage());
                    } else {
                        out.println(verb + " " + c.ticketId() + " in run " + runId);
                        recorded.add(c);
                    }
                }
                if (!recorded.isEmpty()) explain(out, w, recorded.getFirst());
                tookEffect(out, verb, recorded.stream().map(RunCommand::ticketId).toList(), runId);
                throwLost(lost, submitted.size(), verb);
                return ExitCodes.OK;
            }
            long deadline = System.currentTimeMillis() + DECISION_WAIT_MILLIS;
            while (submitted.stream().anyMatch(w.service::isPending) && w.service.isExecuting(runId)
                    && w.service.stalled(runId).isEmpty() && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<String> lost = new java.util.ArrayList<>();
            List<String> decided = new java.util.ArrayList<>();
            for (RunCommand c : submitted) {
                io.swarmflow.store.TicketView t = ticket(w, runId, c.ticketId());
                if (w.service.isPending(c) && t.state() == io.swarmflow.store.TicketState.AWAITING_APPROVAL) {
                    out.println(verb + " " + c.ticketId() + " in run " + runId);
                    java.util.Optional<String> stalled = stalledNote(w, c);
                    out.println(stalled.isPresent() ? stalled.get() : w.service.isExecuting(runId)
                            ? "  the run's coordinator has not applied it yet; `swarm status " + runId + "` shows when it has"
                            : "  the run stopped before applying it; `swarm resume " + runId + "` applies it");
                    decided.add(c.ticketId());
                    continue;
                }
                // the decision event names the command that made it: applied, or lost to another decision (the loser may
                // stay pending behind the settled gate; the winner too, if its coordinator died before marking it applied)
                java.util.Optional<Long> decidedBy = w.service.decidingCommand(c, before);
                if (decidedBy.orElse(-1L) != c.id()) {
                    lost.add(lost(verb, t, decidedBy.isPresent()).getMessage());
                } else {
                    out.println(verb + " " + c.ticketId() + " in run " + runId + " (applied; the ticket " + t.state().phrase() + ")");
                    decided.add(c.ticketId());
                }
            }
            tookEffect(out, verb, decided, runId);
            throwLost(lost, submitted.size(), verb);
            return ExitCodes.OK;
        }
    }

    /**
     * Records the decisions that took effect (recorded, whether applied yet or not), to be said should the output be a
     * file that could not be written ({@link Stdout#tookEffect}): running the command again would be refused.
     */
    private static void tookEffect(PrintStream out, String verb, List<String> ticketIds, String runId) {
        if (ticketIds.isEmpty()) return;
        Stdout.tookEffect(out, "The command took effect all the same: " + String.join(", ", ticketIds)
                + (ticketIds.size() == 1 ? " was " : " were ") + verb + " in run " + runId + "; `swarm status " + runId
                + "` shows " + (ticketIds.size() == 1 ? "it." : "them."));
    }

    /** Refuses (exit 2) when a decision did not take effect, after the others were reported. */
    private static void throwLost(List<String> lost, int submitted, String verb) {
        if (lost.size() == 1 && submitted == 1) throw new io.swarmflow.engine.InvalidRequestException(lost.getFirst());
        if (!lost.isEmpty()) {
            throw io.swarmflow.engine.InvalidRequestException.listing(lost.size() + " of " + submitted + " decisions did not "
                    + "take effect:", lost, lost.size() == submitted ? "none was " + verb : "the others were " + verb
                    + " as printed above");
        }
    }

    private static io.swarmflow.store.TicketView ticket(Wiring w, String runId, String ticketId) {
        return w.service.tickets(runId).stream().filter(v -> v.ticketId().equals(ticketId)).findFirst().orElseThrow();
    }

    /**
     * The error for a decision that did not take effect: another decision reached the gate first ({@code byDecision}),
     * or the ticket left its gate without one (skipped by {@code --fail-fast} when another ticket failed) between this
     * decision's check and its coordinator's next read of the inbox. (A cancelled run leaves its gates waiting, and the
     * decision pending for {@code swarm resume}.)
     */
    private static io.swarmflow.engine.InvalidRequestException lost(String verb, io.swarmflow.store.TicketView t,
                                                                    boolean byDecision) {
        String state = t.state().phrase() + (t.reason() == null ? "" : ": " + io.swarmflow.cli.view.Printable.cutReason(t.reason()))
                + (t.approvedBy() == null ? "" : ", approved by " + t.approvedBy());
        return new io.swarmflow.engine.InvalidRequestException(byDecision
                ? "not " + verb + ": another decision reached " + t.ticketId() + " first (it " + state + ")"
                : "not " + verb + ": " + t.ticketId() + " left its approval gate before this decision was applied (it "
                + state + ")");
    }

    static void explain(PrintStream out, Wiring w, RunCommand c) {
        java.util.Optional<String> stalled = stalledNote(w, c);
        out.println(stalled.isPresent() ? stalled.get() : w.service.isExecuting(c.runId()) ? "  the run's coordinator applies it within a second"
                : "  the run is not executing now; `swarm resume " + c.runId() + "` applies it");
    }

    /**
     * When the run's coordinator is alive on this host but stopped (Ctrl-Z, SIGSTOP) or hung past its lease
     * ({@link io.swarmflow.engine.RunService#stalled}), what becomes of {@code c}, submitted to it: it applies it once it
     * goes on; ended instead, a resume applies a decision, and drops a cancel (made before it took the run). Empty when
     * the coordinator is not such a one.
     */
    static java.util.Optional<String> stalledNote(Wiring w, RunCommand c) {
        boolean cancel = c.kind() == RunCommand.Kind.CANCEL;
        return w.service.stalled(c.runId()).map(s -> s.elsewhere() ? "  its coordinator " + s.condition() + ": it never "
                + "sees " + (cancel ? "this cancel" : "this decision") + " (it reads the other state directory's database): "
                + (cancel ? "cancel" : "decide") + " the run in the state directory it uses" : "  its coordinator " + s.condition() + ": it applies "
                + (cancel ? "the cancel" : "it") + (s.stopped() ? s.background() ? " once it goes on (`fg` or `bg` in its terminal, "
                + "or `kill -CONT " + s.pid() + "`)" : " once it goes on (`kill -CONT "
                + s.pid() + "`, or `fg` in its terminal)" : " if it recovers") + "; ended instead (" + s.endCommand() + "), "
                + (cancel ? "the run stays as it is until `swarm resume " + c.runId() + "`, which does not apply this cancel"
                : "`swarm resume " + c.runId() + "` applies it"));
    }

    @Command(name = "approve", description = "Approves one or more tickets waiting at their approval gates.")
    static final class Approve implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP) String runId;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TICKET", description = "One or more tickets; if one cannot be "
                + "approved, none is.") List<String> ticketIds;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            return decide(spec, state, runId, ticketIds, RunCommand.Kind.APPROVE, (w, run, id) -> w.service.approve(run, id, user()));
        }
    }

    @Command(name = "reject", description = "Rejects one or more tickets waiting at their approval gates; each fails with the reason.")
    static final class Reject implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP) String runId;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "TICKET", description = "One or more tickets; if one cannot be "
                + "rejected, none is.") List<String> ticketIds;
        @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why (recorded in the event log and the report).") String reason;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (reason == null || reason.isBlank()) { // before anything is recorded, for every ticket
                throw new io.swarmflow.engine.InvalidRequestException("a rejection needs a reason: --reason \"...\"");
            }
            return decide(spec, state, runId, ticketIds, RunCommand.Kind.REJECT, (w, run, id) -> w.service.reject(run, id, user(), reason));
        }
    }

    @Command(name = "cancel", description = "Stops a run: running attempts get TERM, then KILL after the grace period. `swarm resume` continues it.")
    static final class Cancel implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP) String runId;
        @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "" + CANCEL_WAIT_MILLIS / 1000,
                description = "Seconds to wait for the run to end (default: ${DEFAULT-VALUE}); 0 returns once the cancel is "
                        + "recorded. The attempts get TERM, then KILL after the grace period the run was started with.")
        int waitSeconds;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (waitSeconds < 0) {
                throw new io.swarmflow.engine.InvalidRequestException("--wait must be 0 or more seconds (got " + waitSeconds
                        + "); 0 returns once the cancel is recorded; nothing was changed");
            }
            PrintStream out = Streams.out(spec);
            try (Wiring w = Wiring.existing(state.resolve(), Streams.err(spec))) {
                runId = w.service.resolveRunId(runId);
                RunCommand c = w.service.cancel(runId, user());
                out.println("cancel requested for run " + runId);
                Stdout.tookEffect(out, "The command took effect all the same: the cancel of run " + runId + " is recorded; `swarm status "
                        + runId + "` shows where the run stands.");
                return awaitCancel(w, c, out, waitSeconds * 1000L);
            }
        }

        /**
         * Waits until the run's coordinator applied the cancel ({@link #DECISION_WAIT_MILLIS} at most) and the run ended
         * ({@code waitMillis} in all at most), and says what happened: cancelled, finished before the coordinator read
         * the cancel (exit 2: nothing was cancelled), still stopping its attempts, not applied yet, or the coordinator
         * stopped meanwhile.
         */
        private int awaitCancel(Wiring w, RunCommand c, PrintStream out, long waitMillis) {
            long decisionWaitMillis = Math.min(DECISION_WAIT_MILLIS, waitMillis);
            long start = System.currentTimeMillis();
            while (true) {
                io.swarmflow.store.RunView run = w.service.requireRun(runId);
                boolean pending = w.service.isPending(c);
                long waited = System.currentTimeMillis() - start;
                if (run.state() == io.swarmflow.store.RunState.CANCELLED) {
                    // its coordinator gives the run back just after recording it cancelled: until then a resume is refused
                    // as "being executed", so `swarm cancel RUN && swarm resume RUN` waits for that too
                    boolean released = awaitRelease(w, runId, RELEASE_WAIT_MILLIS);
                    Stdout.tookEffect(out, "The command took effect all the same: run " + runId + " was cancelled; `swarm resume " + runId
                            + "` continues it.");
                    out.println("run " + runId + " cancelled; `swarm resume " + runId + "` continues it"
                            + (released ? "" : " once its coordinator has exited (it still holds the run)"));
                    return ExitCodes.OK;
                }
                if (run.state().isFinished()) {
                    throw new io.swarmflow.engine.InvalidRequestException("run " + runId + " has " + run.state().label()
                            + ": it ended before the cancel took effect; nothing was cancelled");
                }
                java.util.Optional<String> stalled = stalledNote(w, c);
                if (stalled.isPresent()) { // it would not read the cancel in any wait
                    out.println(stalled.get());
                    return ExitCodes.OK;
                }
                if (!w.service.isExecuting(runId)) {
                    out.println("  " + io.swarmflow.cli.view.Durations.COORDINATOR_STOPPED + "; the run stays as it is until `swarm resume "
                            + runId + "`, which does not apply this cancel");
                    return ExitCodes.OK;
                }
                if (waitMillis == 0) {
                    out.println("  not waiting for it (--wait 0): its coordinator applies it within a second; `swarm status "
                            + runId + "` shows when the run is cancelled");
                    return ExitCodes.OK;
                }
                if (pending && waited >= decisionWaitMillis) {
                    out.println("  its coordinator has not read it yet (it applies it when it does); `swarm status " + runId
                            + "` shows when it has");
                    return ExitCodes.OK;
                }
                if (!pending && waited >= waitMillis) {
                    out.println("  its coordinator is still stopping the running attempts (TERM, then KILL after the grace period "
                            + "it was started with, `--grace`); `swarm status " + runId + "` shows when the run is cancelled");
                    return ExitCodes.OK;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    explain(out, w, c);
                    return ExitCodes.OK;
                }
            }
        }
    }

    /** Whether the run's coordinator gave the run back within {@code waitMillis} (polled every 20 ms). */
    private static boolean awaitRelease(Wiring w, String runId, long waitMillis) {
        long until = System.currentTimeMillis() + waitMillis;
        while (w.service.isExecuting(runId)) {
            if (System.currentTimeMillis() >= until) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** How long {@code swarm cancel} waits, once the run is recorded cancelled, for its coordinator to give it back. */
    static final long RELEASE_WAIT_MILLIS = 5_000;

    /**
     * How long {@code swarm cancel} waits for the run to end unless {@code --wait} says otherwise: the default grace period
     * and 10 s.
     */
    static final long CANCEL_WAIT_MILLIS = 15_000;

    @Command(name = "clean", description = "Removes a run's git worktrees (and with --branches its swarm/RUN/* branches) "
            + "from the repository. The run's events, logs and report stay.",
            exitCodeList = "1:something could not be removed (it says what and why); the rest was removed")
    static final class Clean implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP) String runId;
        @Option(names = "--branches", description = "Also delete the run's branches swarm/RUN/*, with the commits of its worktree tickets "
                + "that are not merged elsewhere.") boolean branches;
        @Option(names = "--force", description = "Also remove worktrees holding changes that were never committed, or content "
                + "in nested repositories and submodule directories, and with --branches delete branches with commits the run "
                + "did not record (without it, clean refuses and lists them).") boolean force;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintStream out = Streams.out(spec);
            try (Wiring w = Wiring.existing(state.resolve(), Streams.err(spec))) {
                runId = w.service.resolveRunId(runId);
                java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled = w.service.stalled(runId);
                if (stalled.isPresent()) throw new io.swarmflow.engine.InvalidRequestException(heldByAStalledCoordinator(stalled.get()));
                io.swarmflow.agent.Executor.Cleaned cleaned = w.service.clean(runId, w.runDir(runId), branches, force);
                if (cleaned.done().isEmpty() && cleaned.failed().isEmpty()) out.println("run " + runId + " left no worktrees or branches");
                // escaped as its refusals are (SwarmCli.handle): a path in a line can hold a name a ticket chose
                for (String line : cleaned.done()) out.println(io.swarmflow.spec.SpecError.printable(line));
                if (!cleaned.done().isEmpty()) {
                    Stdout.tookEffect(out, "The command took effect all the same, for run " + runId + ": "
                            + io.swarmflow.spec.SpecError.printable(String.join("; ", cleaned.done())) + ".");
                }
                if (cleaned.failed().isEmpty()) return ExitCodes.OK;
                PrintStream err = Streams.err(spec);
                for (String line : cleaned.failed()) err.println("swarm: " + io.swarmflow.spec.SpecError.printable(line));
                err.println("swarm: run " + runId + " was not cleaned completely (the rest was); fix the above and run "
                        + "`swarm clean " + runId + (branches ? " --branches" : "") + "` again");
                return ExitCodes.CLEAN_INCOMPLETE;
            }
        }

        /**
         * Why a run whose coordinator is alive on this host but stopped or hung past its lease ({@code s}) is not cleaned:
         * it still holds the run and goes on with it, in its worktrees, once continued. Not "wait for it to end, or
         * `swarm cancel` first": a stopped one ends nothing, and applies a cancel only once it goes on.
         */
        static String heldByAStalledCoordinator(io.swarmflow.engine.StalledCoordinator s) {
            String run = s.runId();
            if (s.elsewhere()) {
                return "run " + run + "'s coordinator " + s.condition() + ": it works in the run's worktrees, which this state "
                        + "directory records too, so nothing was cleaned: clean the run from the state directory it uses, once it has "
                        + "ended there";
            }
            String goOn = s.stopped() ? "let it go on (" + (s.background() ? "`fg` in its terminal" : "`kill -CONT " + s.pid()
                    + "`, or `fg` in its terminal") + ") and wait for the run to end, or `swarm cancel " + run + "`" : "wait for it";
            return "run " + run + "'s coordinator " + s.condition() + ": it still holds the run and works in its worktrees once "
                    + "it goes on, so nothing was cleaned. Either " + goOn + "; or end it with " + s.endCommand() + " (the run then "
                    + "stays as it is until `swarm resume " + run + "`) and run `swarm clean " + run + "` again";
        }
    }
}
