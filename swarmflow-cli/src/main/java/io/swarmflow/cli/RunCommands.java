package io.swarmflow.cli;

import io.swarmflow.agent.Executor;
import io.swarmflow.cli.report.RunReport;
import io.swarmflow.cli.view.ProgressView;
import io.swarmflow.cli.view.Tables;
import io.swarmflow.engine.EngineOptions;
import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.PreflightException;
import io.swarmflow.engine.RunEngine;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.SpecLoader;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code swarm run} and {@code swarm resume}: execute a run in the foreground. */
final class RunCommands {
    private RunCommands() {}

    /** Options shared by run and resume. */
    static final class ExecOptions {
        @Option(names = "--fail-fast", description = "After the first ticket fails for good, stop and skip the rest; `when: failure` and `when: always` tickets still run.")
        boolean failFast;

        @Option(names = "--auto-approve", description = "Approve every approval gate without asking (unattended runs), except one "
                + "with a decision already recorded (`swarm approve` or `swarm reject` before a resume), which stands.")
        boolean autoApprove;

        @Option(names = "--plain", description = "Plain timestamped lines even on a terminal.")
        boolean plain;

        @Option(names = "--quiet", description = "In plain mode, do not print the agents' output lines (they are still in the logs).")
        boolean quiet;

        @Option(names = "--grace", paramLabel = "SECONDS", defaultValue = "5",
                description = "Seconds between TERM and KILL when attempts are stopped (default: ${DEFAULT-VALUE}).")
        int graceSeconds;

        EngineOptions engineOptions(Path stateDir) {
            // in the words of cancel's --wait
            if (graceSeconds < 0) throw new InvalidRequestException("--grace must be 0 or more seconds (got " + graceSeconds
                    + "); nothing was changed");
            return EngineOptions.builder(stateDir).failFast(failFast).autoApprove(autoApprove)
                    .gracePeriodMillis(graceSeconds * 1000L).build();
        }
    }

    // the exit codes of run and resume in their help (swarm --help lists every code)
    private static final String EXIT_FAILED = "1:the run finished and a ticket failed";
    private static final String EXIT_STORE = "4:the state could not be written: the run stopped, and its attempts; "
            + "`swarm resume RUN` continues it. Or the run ended but its report could not be written: `swarm report RUN` "
            + "writes it (resume does not)";
    private static final String EXIT_INTERRUPTED = "130:interrupted (Ctrl-C, SIGTERM, SIGHUP) or cancelled; `swarm resume RUN` continues it";

    @Command(name = "run", description = "Validates a swarm spec, creates a run and executes it.",
            exitCodeList = {EXIT_FAILED, EXIT_STORE, EXIT_INTERRUPTED})
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SPEC", description = SwarmCli.SPEC_HELP)
        Path specFile;

        @Mixin
        VarOptions vars;

        @Mixin
        StateOptions state;

        @Mixin
        ExecOptions exec = new ExecOptions();

        @Mixin
        FloorOptions floor = new FloorOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /** What happens between the creation of the run and its claim: nothing, except in tests of a store that fails then. */
        java.util.function.BiConsumer<Wiring, String> afterCreate = (w, runId) -> {};

        @Override
        public Integer call() throws Exception {
            PrintStream out = Streams.out(spec);
            try (Signals signals = Signals.install(out, Streams.err(spec))) {
                SpecInput.hintOnTerminal(specFile, "run", Streams.err(spec));
                io.swarmflow.spec.Floor allowed = floor.floor();
                Path stateDir = state.resolve();
                Executor executor = Wiring.executor(stateDir, Streams.err(spec));
                // a PATH into a state directory the sandbox hides is refused where the spec sets it
                // matrix expansions sharing an output file in the checkout: judged by HEAD, the commit the run starts from
                Plan plan = new SpecLoader().withCommittedFiles(Wiring.committedFiles()).load(specFile, vars.values(),
                w -> Streams.err(spec).println("swarm: warning: " + w.format()), allowed, executor::hiddenStateDirs);
                EngineOptions options = exec.engineOptions(stateDir);
                List<String> problems = new java.util.ArrayList<>(executor.preflight(plan));
                problems.addAll(EnvironmentEncoding.problems(plan)); // a secret the JVM would hand on in other bytes
                if (!problems.isEmpty()) throw new PreflightException(problems);
                for (String note : executor.notes(plan)) Streams.err(spec).println("swarm: note: " + io.swarmflow.spec.SpecError.printable(note));
                try (Wiring w = Wiring.create(stateDir, executor)) {
                    if (signals.before().isPresent()) {
                        Streams.err(spec).println("swarm: interrupted (" + signals.before().get() + "); no run was created");
                        return ExitCodes.INTERRUPTED;
                    }
                    String runId = w.service.create(plan, specFile.toString());
                    out.println("run " + runId + ": " + ValidateCommand.count(plan.tickets().size(), "ticket") + ", concurrency " + plan.concurrency()
                            + " (state in " + io.swarmflow.spec.SpecError.printable(stateDir.toString()) + ")");
                    // what an output file that cannot be written is said with, should the run not get to execute
                    Stdout.tookEffect(out, "Run " + runId + " was created and has not started: it stays as it is until `swarm resume "
                            + runId + "`.");
                    afterCreate.accept(w, runId);
                    return Foreground.execute(w, runId, options, exec, out, signals, () -> {});
                }
            }
        }
    }

    @Command(name = "resume", description = "Continues a run after a crash, kill or cancel. A finished run is left as it is.",
            exitCodeList = {EXIT_FAILED, EXIT_STORE, EXIT_INTERRUPTED})
    static final class Resume implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP)
        String runId;

        @Mixin
        StateOptions state;

        @Mixin
        ExecOptions exec = new ExecOptions();

        @Mixin
        FloorOptions floor = new FloorOptions();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--take-over", description = "When the run's coordinator is a live process of this host that is stopped "
                + "(Ctrl-Z, SIGSTOP, SIGTTOU) or past its lease (hung), end it (SIGTERM, and SIGCONT when stopped; SIGKILL after "
                + "--grace) and resume. A coordinator that cannot be proved alive here (another host, boot or pid namespace) is "
                + "never signalled: its lease decides. Nor is one that does not have this state directory's swarm.db open "
                + "(a copy of a live state directory names the original's coordinator): that is refused.")
        boolean takeOver;

        /** What happens between the checks and the claim of the run: nothing, except in tests of a resume that loses a race. */
        java.util.function.Consumer<Wiring> beforeClaim = w -> {};

        /** How {@code --take-over} signals the coordinator: {@link Wiring#coordinatorSignaller}, except in tests. */
        io.swarmflow.engine.StalledCoordinatorTakeOver.Signaller signaller = Wiring.coordinatorSignaller();

        @Override
        public Integer call() throws Exception {
            PrintStream out = Streams.out(spec);
            Path stateDir = state.resolve();
            EngineOptions options = exec.engineOptions(stateDir); // a bad flag is refused whatever the run's state
            io.swarmflow.spec.Floor allowed = floor.floor();
            try {
                return resume(out, stateDir, options, allowed);
            } catch (io.swarmflow.store.StoreException.Unavailable e) {
                // once Foreground.execute has it, a failure before execution is its NotExecutedByStore and one while
                // executing its StoppedByStore; one after the run ended (reading it for the summary) did not leave the run
                // as it was, so it is not said to have
                if (executing) throw e;
                // before the run executed (it stays as it was): "run the command again" names the run to resume
                Stdout.tookEffect(out, Stdout.SAID_ABOVE);
                throw new NotExecutedByStore(runId, e);
            }
        }

        /** Says that the run {@code run} has finished and how; the exit code of a resume of it. */
        private static int finished(PrintStream out, Wiring w, RunView run) {
            String runId = run.runId();
            out.println("run " + runId + " " + run.state().already() + "; nothing to resume");
            out.println(); // the table stands apart from the line, as at the end of a run
            // a ticket a stop cut in two: its time running over its span, as swarm status and the end of a resume say it
            Tables.summary(out, w.service.tickets(runId), runId, run.finishedAtMillis(),
                    io.swarmflow.cli.view.RunTimes.readIfResumed(w.service, run));
            Stdout.runEnded(out, runId, run.state());
            return run.state() == RunState.SUCCEEDED ? ExitCodes.OK : ExitCodes.TICKET_FAILED;
        }

        /**
         * Refuses (nothing changed) while another coordinator holds the run: stalled on this host (the refusal names
         * {@code --take-over}), applying a cancel, or executing it.
         */
        private void refuseWhileHeld(Wiring w) {
            // a coordinator of this host stopped (Ctrl-Z, SIGSTOP) or hung past its lease: taken over, it would go on beside
            // this one once continued (the claim refuses it too; say so before printing anything)
            java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled = w.service.stalled(runId);
            if (stalled.isPresent()) throw new InvalidRequestException(stalled.get().refusal());
            if (w.service.isExecuting(runId) && cancelUnderWay(w.store, runId)) { // `swarm cancel RUN --wait 0`, then resume at once
                throw new InvalidRequestException("run " + runId + " is being cancelled: a cancel is recorded and its coordinator "
                        + "is stopping the running attempts (TERM, then KILL after the grace period); resume it once `swarm status "
                        + runId + "` says cancelled (`swarm cancel " + runId + "` without --wait 0 waits for that)");
            }
            if (w.service.isExecuting(runId)) { // the claim refuses it too; say so before printing anything
                throw new InvalidRequestException("run " + runId + " is being executed by another swarm process right now; "
                        + "follow it with `swarm status " + runId + "`, or stop it with `swarm cancel " + runId + "` first"
                        + (takeOver ? "; --take-over ends only a coordinator of this host that is provably alive and stopped, or "
                        + "past its lease (" + heldBy(w) + ")" : ""));
            }
        }

        /** Why {@code --take-over} leaves the run's lease holder alone, for a person. */
        private String heldBy(Wiring w) {
            java.util.Optional<io.swarmflow.store.RunLease> lease = w.store.lease(runId);
            String owner = lease.map(io.swarmflow.store.RunLease::owner).orElse(null);
            java.util.Optional<io.swarmflow.engine.Owners.Alive> alive = owner == null ? java.util.Optional.empty()
                    : io.swarmflow.engine.Owners.provablyAlive(owner);
            if (alive.isPresent() && alive.get().traced()) {
                return "its coordinator (pid " + alive.get().pid() + ") is stopped by a debugger (tracing stop): it is not taken over";
            }
            if (alive.isPresent() && alive.get().stopped()) {
                long left = lease.get().expiresAtMillis() - w.store.now();
                return "its coordinator (pid " + alive.get().pid() + ") is stopped but its lease runs " + Math.max(1, (left + 999) / 1000)
                        + " s more: wait for the lease to run out and take over again, or let it go on with `kill -CONT "
                        + alive.get().pid() + "`";
            }
            if (alive.isPresent()) return "its coordinator is running and renews its lease";
            return "its coordinator, " + io.swarmflow.engine.Owners.shown(owner) + ", cannot be proved alive or dead from here "
                    + "(another host, boot or pid namespace, or an older swarm): it is not signalled, and its lease decides";
        }

        /** Set once {@link Foreground#execute} is called, which says itself what a store failure left. */
        private boolean executing;

        private Integer resume(PrintStream out, Path stateDir, EngineOptions options, io.swarmflow.spec.Floor allowed) throws Exception {
            try (Signals signals = Signals.install(out, Streams.err(spec)); Wiring w = Wiring.existing(stateDir, Streams.err(spec))) {
                runId = w.service.resolveRunId(runId);
                RunView read = w.service.requireRun(runId);
                io.swarmflow.spec.Plan plan = w.service.plan(runId); // fails clearly when the stored plan is unreadable
                if (read.state().isFinished()) return finished(out, w, read);
                // --take-over: a coordinator of this host provably alive, stopped or hung past its lease, is ended below, once
                // every check that does not depend on it passed, just before the claim (a refused resume leaves it as it is)
                java.util.Optional<io.swarmflow.store.RunLease> leaseRead = takeOver ? w.store.lease(runId) : java.util.Optional.empty();
                long expiresAt = leaseRead.map(io.swarmflow.store.RunLease::expiresAtMillis).orElse(0L);
                // only a coordinator that has this state directory's swarm.db open: a copy's lease names the original's
                Path database = stateDir.resolve(Wiring.DB_FILE);
                java.util.Optional<io.swarmflow.engine.StalledCoordinatorTakeOver.Target> target = takeOver
                        ? io.swarmflow.engine.StalledCoordinatorTakeOver.target(runId, leaseRead, w.store.now(), database)
                        : java.util.Optional.empty();
                if (target.isEmpty()) refuseWhileHeld(w);
                // the stored plan, which the run's tickets keep, against the floor given now (it keeps no positions in the spec)
                // only the tickets still to run: a finished one (succeeded, failed, skipped) will not run again
                List<String> refused = allowed.violations(w.service.remaining(runId, plan));
                if (!refused.isEmpty()) {
                    throw InvalidRequestException.listing("run " + runId + " asks for more than the options allow:", refused,
                            "a run keeps the plan it was created with, so editing the spec does not help: resume it with the "
                            + "options it conforms to, or start a new run of a conforming spec; nothing was changed");
                }
                RunView before = read;
                Path runDir = w.runDir(runId);
                if (before.startedAtMillis() != 0 && !java.nio.file.Files.isDirectory(runDir)) { // created when the run started
                    throw new InvalidRequestException("the directory of run " + runId + ", " + runDir + ", is missing: the logs, "
                            + "$SWARM_SCRATCH files and worktrees of its tickets are gone, and the tickets still to run would miss "
                            + "what the finished ones left there; nothing was changed. Restore " + runDir + " from a backup and resume "
                            + "again, or start afresh with `swarm run SPEC`");
                }
                // an attempt about to start whose log folder is there: the database lost writes (a restored older swarm.db)
                String resumed = runId;
                LostAttemptWrites.refuse(runId, runDir, () -> w.service.tickets(resumed), stateDir.resolve(Wiring.DB_FILE));
                // what `swarm run` checked may have changed since (the repository moved or deleted, bubblewrap removed): the
                // tickets still to run would fail for good, and a finished run cannot be resumed once it is fixed; what the
                // finished tickets needed does not matter any more
                List<String> problems = new java.util.ArrayList<>(w.service.resumeProblems(runId, plan));
                problems.addAll(EnvironmentEncoding.problems(w.service.remaining(runId, plan))); // as run checks
                if (!problems.isEmpty()) {
                    throw InvalidRequestException.listing("run " + runId + " cannot resume here:", problems,
                            "a run keeps the spec it was created with (its repo: included), so editing the spec does not help: "
                            + "restore what it needs and resume again; nothing was changed");
                }
                Path specFile = Path.of(plan.specDir()).resolve(Path.of(before.specPath()).getFileName());
                // a spec read from a stream (standard input, <(...), a named pipe: SpecLoader.isStream, which opens nothing)
                // cannot be read again to compare; nor can one deleted since, or no longer a regular file (changedSince)
                boolean specChanged = !io.swarmflow.spec.SpecLoader.isStream(Path.of(before.specPath()))
                        && io.swarmflow.spec.SpecLoader.changedSince(plan, specFile).orElse(false);
                PrintStream err = Streams.err(spec);
                io.swarmflow.engine.StalledCoordinatorTakeOver.Ended tookOver = null; // what --take-over sent, for a lost claim
                if (target.isPresent()) { // the last step before the claim: every refusal above left the coordinator alone
                    java.util.Optional<String> early = signals.before();
                    if (early.isPresent()) { // a Ctrl-C during the checks: nothing is sent
                        err.println("swarm: run " + runId + " was not resumed (interrupted: " + early.get() + "); its coordinator "
                                + "(pid " + target.get().pid() + ") was not signalled, and both stay as they are");
                        return ExitCodes.INTERRUPTED;
                    }
                    io.swarmflow.engine.StalledCoordinatorTakeOver.Ended ended = io.swarmflow.engine.StalledCoordinatorTakeOver.end(
                            target.get(), io.swarmflow.engine.StalledCoordinatorTakeOver.graceFor(target.get(),
                                    options.gracePeriodMillis()), signaller, () -> signals.before().isPresent(),
                            () -> io.swarmflow.engine.StalledCoordinatorTakeOver.stillStalled(
                                    target.get(), expiresAt, w.store.lease(runId), w.store.now(), database));
                    out.println(ended.message());
                    tookOver = ended;
                    if (ended.interrupted() || signals.before().isPresent()) { // what was sent is said on the line above
                        err.println("swarm: run " + runId + " was not resumed (interrupted: " + signals.before().orElse("?") + "); "
                                + (ended.sent().isEmpty() ? "its coordinator was not signalled" : "its coordinator (pid "
                                + target.get().pid() + ") was sent " + String.join(", ", ended.sent())) + "; `swarm resume " + runId
                                + "` continues the run once it is gone (`swarm status " + runId + "` says)");
                        return ExitCodes.INTERRUPTED;
                    }
                    // it may have ended the run meanwhile (its last ticket finished), or recorded the cancel SIGTERM asked for
                    read = w.service.requireRun(runId);
                    if (read.state().isFinished()) return finished(out, w, read);
                    try {
                        refuseWhileHeld(w); // another resume may have taken the run since
                    } catch (InvalidRequestException e) { // not "nothing was changed": the coordinator was signalled
                        throw new InvalidRequestException(e.getMessage().replace("; nothing was changed", "")
                                + "; the run was not changed, but its coordinator (pid " + target.get().pid() + ") was sent "
                                + String.join(", ", ended.sent()));
                    }
                }
                RunView run = read;
                beforeClaim.accept(w);
                executing = true;
                // said once this process holds the run: another resume started at the same time may have taken it since
                // the check above, and then this one is refused without having said it resumes
                try {
                    return execute(w, options, out, err, run, specChanged, specFile, signals);
                } catch (io.swarmflow.store.StoreException.RunLocked e) {
                    if (tookOver == null || tookOver.sent().isEmpty()) throw e;
                    throw new io.swarmflow.store.StoreException.RunLocked(lostAfterTakeOver(e.getMessage(), tookOver));
                }
            }
        }

        /**
         * The refusal of a claim that another coordinator won after {@code --take-over} ended the run's stalled one: the
         * claim's {@code message}, then that the coordinator taken over was ended all the same (its pid, the signals
         * sent), so that its end does not come as a surprise.
         */
        static String lostAfterTakeOver(String message, io.swarmflow.engine.StalledCoordinatorTakeOver.Ended ended) {
            return message + "; the coordinator --take-over ended before the claim, pid " + ended.target().pid() + ", was sent "
                    + String.join(", ", ended.sent()) + " all the same: the run goes on with the one that holds it now "
                    + "(`swarm status " + ended.target().runId() + "` says)";
        }

        private Integer execute(Wiring w, EngineOptions options, PrintStream out, PrintStream err, RunView run,
                                boolean specChanged, Path specFile, Signals signals) throws Exception {
            return Foreground.execute(w, runId, options, exec, out, signals, () -> {
                out.println("resuming run " + runId + " (" + run.state().label() + ")");
                if (run.cancelRequested() && run.state() == RunState.RUNNING) {
                    // its coordinator stopped (killed) while it stopped the attempts for a cancel: the resume does not
                    // carry that cancel on (a pending one not read yet is said by the engine: "ignored a cancel ...")
                    out.println("  a cancel was stopping its attempts when its coordinator stopped; the resume continues the run "
                            + "(`swarm cancel " + runId + "` stops it)");
                }
                if (specChanged) {
                    err.println("swarm: note: " + io.swarmflow.spec.SpecError.printable(specFile.toString()) + " has changed since run " + runId + " was created; resume "
                            + "continues the plan stored then (tickets, scripts and vars as they were). To run the edited spec, "
                            + "start a new run: swarm run " + io.swarmflow.spec.SpecError.printable(specFile.toString()));
                }
            });
        }
    }

    /**
     * Whether a cancel of run {@code runId} is under way: applied by its coordinator, which is stopping the attempts, or
     * recorded and not read by it yet (as {@code swarm status} tells them). Reads {@code store} now, not a run read before.
     */
    static boolean cancelUnderWay(io.swarmflow.store.RunStore store, String runId) {
        // the pending commands first, then the run: the coordinator marks a cancel command applied only once the
        // RunCancelRequested it recorded for it is durable (RunEngine: CommandsDurable), so a cancel no longer pending at
        // the first read is recorded on the run read after it. (The run read before, then the pending commands, missed a
        // cancel applied between the two: "being executed by another swarm process" instead of "being cancelled".)
        return store.pendingCommands(runId).stream().anyMatch(c -> c.kind() == io.swarmflow.store.RunCommand.Kind.CANCEL)
                || store.run(runId).map(RunView::cancelRequested).orElse(false);
    }

    /** A run whose coordinator stopped because the store could not be written or read; {@code swarm resume} continues it. */
    static final class StoppedByStore extends RuntimeException {
        final String runId;

        StoppedByStore(String runId, io.swarmflow.store.StoreException.Unavailable cause) {
            super(cause.getMessage(), cause);
            this.runId = runId;
        }
    }

    /**
     * A run the store failed before it executed: after {@code swarm run} created it, or while {@code swarm resume} read,
     * checked or claimed it. It stays as it was (a claim taken is given back); {@code swarm resume} starts or continues it
     * once the cause is fixed, and {@code swarm run} again would start another run.
     */
    static final class NotExecutedByStore extends RuntimeException {
        final String runId;

        /** @param runId the run's id, or for a resume that failed before it resolved it, the id or prefix as given */
        NotExecutedByStore(String runId, io.swarmflow.store.StoreException.Unavailable cause) {
            super(cause.getMessage(), cause);
            this.runId = runId;
        }
    }

    /** Executes a run in the foreground with signals wired to cancellation, then reports. */
    static final class Foreground {
        private Foreground() {}

        /**
         * @param claimed what to print once this coordinator holds the run ({@code resuming run R}), before the progress:
         *                a resume that another one beat to the run is refused before it says anything
         * @throws NotExecutedByStore when the store fails before the run executes (reading it, claiming it): the run stays
         *                            as it was, its claim given back
         * @throws StoppedByStore     when the store fails while the run executes: its attempts were stopped
         */
        static int execute(Wiring w, String runId, EngineOptions options, ExecOptions exec, PrintStream out, Signals signals,
                           Runnable claimed) throws Exception {
            ToView toView = new ToView();
            boolean started;
            RunEngine engine;
            List<TicketView> before;
            Map<String, io.swarmflow.spec.RetryPolicy> retries;
            RunEngine toRelease = null;
            try {
                started = w.service.requireRun(runId).startedAtMillis() != 0;
                engine = w.service.engine(runId, options, toView);
                toRelease = engine;
                engine.claim();
                before = w.service.tickets(runId);
                retries = w.service.plan(runId).tickets().stream().collect(java.util.stream.Collectors.toMap(
                        io.swarmflow.spec.PlannedTicket::id, io.swarmflow.spec.PlannedTicket::retries));
            } catch (io.swarmflow.store.StoreException.Unavailable e) {
                // the run exists and did not execute: SwarmCli says so, with `swarm resume RUN`, not "run the command
                // again" (a second `swarm run` starts a second run)
                if (toRelease != null) toRelease.release(); // a claim taken is given back; one not taken, nothing
                Stdout.tookEffect(out, Stdout.SAID_ABOVE);
                throw new NotExecutedByStore(runId, e);
            }
            java.util.Optional<String> early = signals.before();
            if (early.isPresent()) { // Ctrl-C, SIGTERM or SIGHUP while the spec was read, or the run created, checked or claimed
                engine.release();
                Stdout.tookEffect(out, Stdout.SAID_ABOVE); // the line below says it
                Streams.err(null).println("swarm: run " + runId + " was not " + (started ? "resumed" : "started") + " (interrupted: "
                        + early.get() + "); it stays as it is until `swarm resume " + runId + "`");
                return ExitCodes.INTERRUPTED;
            }
            // said with an output file that could not be written, should the run end with an error (replaced at its end)
            Stdout.tookEffect(out, "Run " + runId + " stopped with the error said above, not because of this; what was recorded "
                    + "before the error is kept.");
            claimed.run();
            boolean live = !exec.plain && ProgressView.isInteractiveTerminal();
            RunState result;
            CountDownLatch finished = new CountDownLatch(1);
            try (ProgressView view = new ProgressView(out, live, !exec.quiet, before.size(), runId)) {
                view.seed(before);
                view.retryPolicies(retries);
                toView.view = view;
                // the first signal, by which a store that then fails (its database locked by another process) failed
                java.util.concurrent.atomic.AtomicReference<String> interrupted = new java.util.concurrent.atomic.AtomicReference<>();
                Consumer<String> cancel = signal -> {
                    interrupted.compareAndSet(null, signal);
                    engine.cancel(signal);
                };
                signals.onRun(cancel, signal -> engine.cancelNow("second " + signal), view::onNotice, finished)
                        .ifPresent(signal -> { // came after the check above, while this coordinator claimed the run
                            view.onNotice("interrupted (" + signal + "): stopping the run");
                            cancel.accept(signal);
                        });
                try {
                    result = engine.execute();
                } catch (io.swarmflow.store.StoreException.Unavailable e) {
                    signals.close();
                    if (interrupted.get() == null) {
                        // no `swarm status` here: the store may not be readable either until the cause is fixed
                        Stdout.tookEffect(out, Stdout.SAID_ABOVE); // SwarmCli says it (StoppedByStore)
                        throw new StoppedByStore(runId, e);
                    }
                    PrintStream err = Streams.err(null);
                    err.println("swarm: " + io.swarmflow.spec.SpecError.printable(e.getMessage()));
                    // the view heard only what was recorded (RunListener), so it did not say "cancelled": say why not
                    err.println("swarm: run " + runId + " stopped (interrupted: " + interrupted.get() + "), but the database did "
                            + "not record the stop: what was recorded before is kept, and `swarm status " + runId
                            + "` shows the run as stopped");
                    err.println("swarm: its running attempts were stopped; once the database can be written again, `swarm resume "
                            + runId + "` continues the run");
                    Stdout.tookEffect(out, Stdout.SAID_ABOVE); // the lines above say it
                    return ExitCodes.INTERRUPTED;
                } catch (Throwable e) {
                    signals.close();
                    throw e;
                } finally {
                    finished.countDown();
                }
            }
            // said with a file the output could not be written to (> /dev/full), once the process ends with the run's code
            Stdout.runEnded(out, runId, result);
            RunReport.Output report = new RunReport.Output(w.runDir(runId));
            PrintStream err = Streams.err(null);
            // the run has ended: a signal now has nothing to cancel, and would wait for the report; it ends the process
            signals.afterRun(signal -> {
                List<String> missing = new java.util.ArrayList<>(List.of("report.json", "report.html"));
                missing.removeAll(report.stop()); // a file being written is finished, none is started after
                haltInterrupted(out, err, "swarm: interrupted (" + signal + ") while writing the report of run " + runId
                        + ", which has ended (" + result.label() + "); " + (missing.isEmpty() ? "its report was written"
                        : String.join(" and ", missing) + (missing.size() == 1 ? " was" : " were") + " not written: `swarm report "
                        + runId + "` writes the report"), Runtime.getRuntime()::halt);
            });
            try {
                RunView run = w.service.requireRun(runId);
                List<TicketView> tickets = w.service.tickets(runId);
                Plan plan = w.service.plan(runId);
                // as `swarm status` and `swarm report` say it: a resumed run's time running over its span, a ticket cut
                // in two by a stop its time running over its span, a gated ticket's approval waits on the timeline
                boolean gated = plan.tickets().stream().anyMatch(t -> t.approval() == io.swarmflow.spec.ApprovalMode.BEFORE_RUN);
                io.swarmflow.cli.view.RunTimes times = run.epoch() > 1 || gated
                        ? io.swarmflow.cli.view.RunTimes.read(w.service, runId) : io.swarmflow.cli.view.RunTimes.single(run);
                out.println();
                // a ticket left waiting to retry (the run was cancelled) retries once the run is resumed
                Map<String, io.swarmflow.spec.RetryPolicy> policies = new java.util.HashMap<>();
                for (io.swarmflow.spec.PlannedTicket p : plan.tickets()) policies.put(p.id(), p.retries());
                Tables.summary(out, tickets, runId, run.finishedAtMillis() != 0 ? run.finishedAtMillis() : System.currentTimeMillis(), times,
                        new Tables.Retries(policies, false));
                out.println();
                Tables.runHeader(out, run, tickets, 0, null, times);
                Path html = RunReport.writeAll(run, plan, tickets, w.service.attempts(runId), times, report);
                out.println("  report: " + io.swarmflow.spec.SpecError.printable(html.toString()));
            } catch (io.swarmflow.store.StoreException | java.io.IOException e) {
                if (e instanceof RunReport.Output.Stopped) throw e; // a signal: haltInterrupted says it and ends the process
                return reportNotWritten(out, err, runId, result, w.runDir(runId), e);
            } finally {
                signals.close();
            }
            out.println("  logs:   swarm logs " + runId + " TICKET");
            // as `swarm status` and `swarm cancel` say it: a cancel is not the end
            if (result == RunState.CANCELLED) out.println("  cancelled before it ended; `swarm resume " + runId + "` continues it");
            return switch (result) {
                case SUCCEEDED -> ExitCodes.OK;
                case FAILED -> ExitCodes.TICKET_FAILED;
                default -> ExitCodes.INTERRUPTED;
            };
        }

        /**
         * Says that the run, which ended in {@code result} and is recorded so, has no report: reading the run back from the
         * store or writing a report file failed ({@code e}). Not "`swarm status` shows it" nor "run the command again":
         * the store may not be readable until the cause is fixed, and {@code swarm run} again starts a new run;
         * {@code swarm report RUN} writes the report then.
         *
         * @return {@link ExitCodes#STORE_UNAVAILABLE}
         */
        static int reportNotWritten(PrintStream out, PrintStream err, String runId, RunState result, Path runDir, Exception e) {
            String why = e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                    ? "could not write the report of run " + runId + " in " + runDir + ": " + fse.getFile() + ": " + fse.getReason()
                    : e instanceof java.io.IOException ? "could not write the report of run " + runId + " in " + runDir + ": "
                    + (e.getMessage() != null ? e.getMessage() : e.toString())
                    : e.getMessage();
            err.println("swarm: " + io.swarmflow.spec.SpecError.printable(why));
            err.println("swarm: run " + runId + " ended (" + result.label() + ") and is recorded, but its report was not written");
            err.println("swarm: " + (e instanceof RunReport.DirectoryInTheWay ? "once it is removed or renamed, "
                    : "once the cause is fixed (free disk space, permissions, the database server), ") + "`swarm report " + runId
                    + "` writes it" + (result == RunState.CANCELLED ? ", and `swarm resume " + runId + "` continues the run" : ""));
            Stdout.tookEffect(out, Stdout.SAID_ABOVE); // the lines above say it
            return ExitCodes.STORE_UNAVAILABLE;
        }

        /**
         * Says {@code message} on {@code err}, and what {@link Stdout#beforeHalt} says of an output file that failed, then
         * halts with {@link ExitCodes#INTERRUPTED} through {@code halt} ({@link Runtime#halt}: at once, the main thread is
         * still writing the report). {@code out} is not flushed: the main thread may be blocked in a write to it (a reader
         * that does not read), holding its lock, and a flush would wait for it, so the halt never came. Its lines are printed
         * with println, each flushed as it is written, so at most a line being printed is lost.
         */
        static void haltInterrupted(PrintStream out, PrintStream err, String message, java.util.function.IntConsumer halt) {
            err.println(message);
            err.flush();
            Stdout.beforeHalt(out, err, ExitCodes.INTERRUPTED); // the run's end, with an output file that failed
            halt.accept(ExitCodes.INTERRUPTED);
        }
    }

    /** The engine's listener, made before the progress view it passes everything to (nothing happens before it is set). */
    static final class ToView implements io.swarmflow.engine.RunListener { // package-private for RunCommandsToViewTest
        volatile io.swarmflow.engine.RunListener view = io.swarmflow.engine.RunListener.NONE;

        @Override
        public void onEvent(io.swarmflow.store.RunEvent event, long atEpochMillis) {
            view.onEvent(event, atEpochMillis);
        }

        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line) {
            view.onLogLine(ticketId, attempt, stream, line);
        }

        /** Passes on whether the line continues the one before it: plain output shows a progress bar's last state. */
        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr) {
            view.onLogLine(ticketId, attempt, stream, line, afterLoneCr);
        }

        /** Passes on whether the next line may continue this one: plain output prints a line ended by LF at once. */
        @Override
        public void onLogLine(String ticketId, int attempt, String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
            view.onLogLine(ticketId, attempt, stream, line, afterLoneCr, mayBeContinued);
        }

        /** Passes on that the log cap cut the stream's log file: plain output does not call the next line whole there. */
        @Override
        public void onLogCapped(String ticketId, int attempt, String stream) {
            view.onLogCapped(ticketId, attempt, stream);
        }

        @Override
        public void onNotice(String message) {
            view.onNotice(message);
        }
    }

    /**
     * SIGINT (Ctrl-C), SIGTERM and SIGHUP (the terminal closed) become a graceful cancel: running attempts get TERM,
     * then KILL after the grace period. A second one during that cancellation kills them at once. The cancel records
     * which signal asked for it. Once the run has ended there is nothing to cancel: {@link #afterRun} sets what a
     * signal does then (while the report is written, end the process at once).
     */
    static final class Signals implements AutoCloseable {
        /** The signals handled, in this order, with how the cancel event names each. */
        private static final List<Map.Entry<String, String>> NAMES = List.of(Map.entry("INT", "SIGINT (Ctrl-C)"),
                Map.entry("TERM", "SIGTERM"), Map.entry("HUP", "SIGHUP (the terminal closed)"));

        /** What a signal does now, given the signal's name as in {@link #NAMES}. */
        private final java.util.concurrent.atomic.AtomicReference<Consumer<String>> action;
        /** The first signal before the run executed, recorded by the handlers of {@link #install}. */
        private java.util.concurrent.atomic.AtomicReference<String> first;
        /** The handlers replaced, to put back on {@link #close}. */
        @SuppressWarnings("removal")
        private final Map<sun.misc.Signal, sun.misc.SignalHandler> replaced = new LinkedHashMap<>();

        private Signals(Consumer<String> action) {
            this.action = new java.util.concurrent.atomic.AtomicReference<>(action);
        }

        /**
         * Handlers for the time before the run executes (validation, creating the run, the checks of a resume): the first
         * signal is only recorded ({@link #before}), so that the run is not started, and a second one ends the process at
         * once. Without them the JVM ended at its default: exit 143 for SIGTERM, 129 for SIGHUP, with nothing said, and a
         * run created meanwhile left as "never started". {@link #onRun} makes them cancel the run once it executes.
         *
         * @param out the command's output: a file it could not be written to is said before a second signal ends the
         *            process ({@link Stdout#beforeHalt})
         * @param err where to say that a signal came
         */
        static Signals install(PrintStream out, PrintStream err) {
            java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
            Signals signals = new Signals(name -> {
                if (first.compareAndSet(null, name)) {
                    err.println("swarm: interrupted (" + name + "): stopping before the run executes (interrupt again to end at once)");
                } else {
                    err.println("swarm: interrupted again (" + name + "): ending now; a run created meanwhile stays as it is "
                            + "(`swarm runs` lists it, `swarm resume RUN` starts it)");
                    err.flush();
                    Stdout.beforeHalt(out, err, ExitCodes.INTERRUPTED);
                    Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
                }
            });
            signals.first = first;
            for (Map.Entry<String, String> signal : NAMES) {
                try {
                    sun.misc.Signal s = new sun.misc.Signal(signal.getKey());
                    signals.replaced.put(s, sun.misc.Signal.handle(s, ignored -> signals.handle(signal.getValue())));
                } catch (IllegalArgumentException | UnsupportedOperationException e) {
                    // ignored by the process's starter, or not available here
                }
            }
            return signals;
        }

        private synchronized void handle(String name) {
            action.get().accept(name);
        }

        /** The signal that came before the run executed ({@link #install}), if any. */
        java.util.Optional<String> before() {
            return java.util.Optional.ofNullable(first == null ? null : first.get());
        }

        /**
         * From now on a signal cancels the run (a second one kills its attempts at once), as {@link #onInterrupt}.
         *
         * @return the signal that came before, if any: the caller cancels the run with it
         */
        synchronized java.util.Optional<String> onRun(Consumer<String> cancel, Consumer<String> cancelNow, Consumer<String> notice,
                                                      CountDownLatch finished) {
            java.util.Optional<String> before = before();
            java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger(before.isPresent() ? 1 : 0);
            action.set(cancelling(count, cancel, cancelNow, notice));
            if (replaced.isEmpty()) shutdownHook(cancel, finished);
            return before;
        }

        private static Consumer<String> cancelling(java.util.concurrent.atomic.AtomicInteger count, Consumer<String> cancel,
                                                   Consumer<String> cancelNow, Consumer<String> notice) {
            return name -> {
                if (count.incrementAndGet() == 1) {
                    notice.accept("interrupted (" + name + "): stopping the run (interrupt again to kill the running attempts now)");
                    cancel.accept(name);
                } else {
                    notice.accept("interrupted again (" + name + "): killing the running attempts now");
                    cancelNow.accept(name);
                }
            };
        }

        private static void shutdownHook(Consumer<String> cancel, CountDownLatch finished) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cancel.accept("JVM shutdown");
                try {
                    finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }));
        }

        /**
         * A signal the process was started ignoring ({@code nohup} for SIGHUP, {@code cmd &} in a script for SIGINT) stays
         * ignored: the JVM refuses a handler for it, and the others are handled all the same. Where no signal can be
         * handled, a shutdown hook cancels the run instead.
         *
         * @return the handlers installed, to switch with {@link #afterRun} once the run has ended
         */
        static Signals onInterrupt(Consumer<String> cancel, Consumer<String> cancelNow, Consumer<String> notice, CountDownLatch finished) {
            Signals signals = install(Streams.out(null), Streams.err(null));
            signals.onRun(cancel, cancelNow, notice, finished);
            return signals;
        }

        /**
         * From now on a signal calls {@code action} (with the signal's name) instead of cancelling: the run has ended,
         * and there is nothing left to cancel.
         */
        void afterRun(Consumer<String> action) {
            this.action.set(action);
        }

        /**
         * Puts back the handlers these replaced. A signal that still reaches these (another run in the same JVM, as in
         * tests, may put them back in turn) does nothing.
         */
        @Override
        @SuppressWarnings("removal")
        public void close() {
            action.set(signal -> {});
            replaced.forEach(sun.misc.Signal::handle);
        }
    }
}
