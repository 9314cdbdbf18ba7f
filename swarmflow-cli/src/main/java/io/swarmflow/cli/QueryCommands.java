package io.swarmflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swarmflow.cli.view.Durations;
import io.swarmflow.cli.view.PrintableBytes;
import io.swarmflow.cli.view.Tables;
import io.swarmflow.engine.InvalidRequestException;
import io.swarmflow.engine.RunService;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketView;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code status}, {@code runs}, {@code logs}: read-only views of the state directory. */
final class QueryCommands {
    private static final ObjectMapper JSON = io.swarmflow.cli.view.JsonEscapes.apply(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT));

    private QueryCommands() {}

    static String iso(long millis) {
        return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
    }

    /**
     * What "(stopped)" means, in status, runs and logs: a run recorded as running that no coordinator executes. Nothing
     * tells a coordinator killed from one stopped by a Ctrl-C while the database could not record the stop (locked by
     * another process, the disk full), so the note does not claim a kill.
     */
    private static final String STOPPED_NOTE = io.swarmflow.cli.view.Durations.COORDINATOR_STOPPED;

    /**
     * For a run a coordinator holds ({@link RunService.Observed#executing}) whose lease ran out while its process provably
     * lives on this host ({@link RunService#stalled}: stopped by a Ctrl-Z or SIGSTOP, or hung), the line that says so and
     * what to do: {@code   its coordinator (pid N) is alive but stopped ...: let it go on with `kill -CONT N` ...}. Not
     * "killed, crashed": it goes on with the run once continued, and a resume meanwhile is refused.
     */
    static java.util.Optional<String> stalledLine(Wiring w, RunService.Observed observed) {
        return stalled(w, observed).map(QueryCommands::stalledLine);
    }

    /** {@link #stalledLine(Wiring, RunService.Observed)} for the run's stalled coordinator {@code s}. */
    private static String stalledLine(io.swarmflow.engine.StalledCoordinator s) {
        return "  its coordinator " + s.condition() + "; it still holds the run (a resume is refused): " + s.fix();
    }

    /** The stalled coordinator of a run a coordinator holds ({@link RunService#stalled}), if it is one. */
    private static java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled(Wiring w, RunService.Observed observed) {
        if (!observed.executing()) return java.util.Optional.empty();
        return w.service.stalled(observed.run().runId());
    }

    /**
     * What becomes of a cancel, approval or rejection recorded in this state directory and not applied yet, when the
     * run's coordinator is {@code stalled} (or is not, empty) and {@code executing} says whether one holds the run: {@code
     * its coordinator applies it within a second}, {@code ... once it goes on} for a stalled one; for the coordinator of
     * another state directory ({@link io.swarmflow.engine.StalledCoordinator#elsewhere}, this one a copy), that it never
     * sees it and what does.
     */
    private static String whoApplies(java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled, boolean executing,
                             boolean cancel, String runId) {
        if (stalled.isPresent() && stalled.get().elsewhere()) {
            return "its coordinator never sees it (it reads the other state directory's database): "
                    + (cancel ? "cancel" : "decide") + " the run in the state directory it uses";
        }
        if (stalled.isPresent()) return "its coordinator applies it once it goes on";
        return executing ? "its coordinator applies it within a second" : "`swarm resume " + runId + "` applies it";
    }

    /**
     * For a run recorded as running that no coordinator executes, the store time of its last event (where its duration
     * ends: it does not grow while nothing executes it); else 0.
     */
    private static long stoppedAt(Wiring w, RunService.Observed observed) {
        if (!observed.stopped()) return 0;
        RunView run = observed.run();
        List<io.swarmflow.store.StoredEvent> last = w.service.events(run.runId(), run.lastSeq() - 1, 1);
        return last.isEmpty() ? 0 : last.getFirst().atEpochMillis();
    }

    /** The run fields shared by {@code status --json} and {@code runs --json}. */
    static ObjectNode runJson(ObjectNode o, RunView run) {
        o.put("id", run.runId());
        o.put("name", run.name());
        return runFields(o, run);
    }

    /**
     * {@code status --json}'s run: {@link #runJson(ObjectNode, RunView)}'s fields and {@code key}: {@code description},
     * the spec's description (or null); in {@code runs --json}, {@code descriptionFirstLine}, its first line
     * ({@link RunView#description}), named apart so that a script reading both cannot take one for the other.
     */
    static ObjectNode runJson(ObjectNode o, RunView run, String key, String description) {
        o.put("id", run.runId());
        o.put("name", run.name());
        o.put(key, description);
        return runFields(o, run);
    }

    private static ObjectNode runFields(ObjectNode o, RunView run) {
        o.put("state", run.state().label());
        o.put("spec", run.specPath());
        o.put("createdAt", iso(run.createdAtMillis()));
        o.put("startedAt", iso(run.startedAtMillis()));
        o.put("finishedAt", iso(run.finishedAtMillis()));
        return o;
    }

    /**
     * The run {@code given} names ({@link RunService#resolveRunId}). When none does but {@code ticket} names a run that has
     * a ticket {@code given}, RUN and TICKET were swapped ({@code swarm logs build RUN}): the error shows the order.
     */
    static String resolveRun(Wiring w, String command, String given, String ticket) {
        try {
            return w.service.resolveRunId(given);
        } catch (InvalidRequestException e) {
            String other;
            try {
                other = ticket == null ? null : w.service.resolveRunId(ticket);
            } catch (InvalidRequestException notARun) {
                other = null;
            }
            if (other != null && w.service.tickets(other).stream().anyMatch(t -> t.ticketId().equals(given))) {
                throw new InvalidRequestException("no run '" + given + "'; RUN comes first, then TICKET: `swarm " + command + " "
                        + other + " " + given + (command.equals("reject") ? " --reason TEXT" : "") + "`");
            }
            throw e;
        }
    }

    /** The spec's description of {@code run} (from the plan its first event holds), or null when it has none. */
    static String description(Wiring w, RunView run) {
        return io.swarmflow.cli.report.RunReport.description(w.service.plan(run.runId()));
    }

    @Command(name = "status", description = "Shows a run and its tickets (the most recent run when RUN is omitted), or one "
            + "ticket and each of its attempts.")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = SwarmCli.RUN_HELP + " The most recent run when omitted.") String runId;
        @Parameters(index = "1", arity = "0..1", paramLabel = "TICKET", description = "One ticket: its state and each of its "
                + "attempts (outcome, exit code, start, duration, reason), and its outputs.") String ticketId;
        @Option(names = "--json", description = "Machine-readable output.") boolean json;
        @Option(names = "--state", paramLabel = "STATE", split = ",", description = "Lists only the tickets in these states "
                + "(comma-separated, or the option repeated): pending, ready, awaiting-approval, running, retry-wait, succeeded, failed, skipped, "
                + "cancelled. The run's summary still counts every ticket.")
        List<String> states;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintStream out = Streams.out(spec);
            java.util.Set<io.swarmflow.store.TicketState> only = ticketStates(states);
            try (Wiring w = Wiring.forReading(state.resolve(), Streams.err(spec))) {
                String id = runId != null ? resolve(w) : w.service.latestRun()
                        .orElseThrow(() -> new InvalidRequestException("no runs in " + w.stateDir + " yet; start one with swarm run SPEC")).runId();
                if (runId == null) newestPlanReadable(w, id);
                Snapshot snap = snapshot(w, id);
                RunService.Observed observed = snap.observed();
                RunView run = observed.run();
                List<TicketView> all = snap.tickets();
                long now = snap.now();
                List<TicketView> tickets = only == null ? all : all.stream().filter(t -> only.contains(t.state())).toList();
                long stoppedAt = stoppedAt(w, observed);
                // a cancel under way (applied by the live coordinator, which is stopping the attempts), or requested and
                // not read yet by it
                CancelShown cancel = cancelShown(w.store, run, observed.executing());
                boolean cancelling = cancel.applied();
                java.util.Optional<io.swarmflow.store.RunCommand> cancelPending = cancel.pending();
                if (ticketId != null) {
                    if (only != null) throw new InvalidRequestException("--state filters the ticket list; with TICKET there is none to filter");
                    TicketView t = all.stream().filter(v -> v.ticketId().equals(ticketId)).findFirst()
                            .orElseThrow(() -> w.service.noSuchTicket(run.runId(), ticketId));
                    return ticket(w, snap, t, pendingDecisions(w, run.runId(), List.of(t)),
                            cancelling || cancelPending.isPresent(), out);
                }
                Map<String, io.swarmflow.store.RunCommand> decisions = pendingDecisions(w, run.runId(), all);
                Map<String, Orphan> orphans = orphans(w, observed, tickets);
                if (json) {
                    ObjectNode status = statusJson(run, description(w, run), tickets, decisions, titles(w, run.runId()), snap.report());
                    ((ObjectNode) status.get("run")).put("executing", observed.executing())
                            .put("cancelling", cancelling || cancelPending.isPresent());
                    for (com.fasterxml.jackson.databind.JsonNode t : status.get("tickets")) {
                        Orphan o = orphans.get(t.get("id").asText());
                        ((ObjectNode) t).put("processAlive", o == null || o.unknown() != null ? null : o.alive());
                    }
                    out.println(JSON.writeValueAsString(status));
                } else {
                    // a resumed run's sessions (from the store's time marks; a run never resumed has one, from its projection)
                    io.swarmflow.cli.view.RunTimes times = io.swarmflow.cli.view.RunTimes.readIfResumed(w.service, run);
                    Tables.runHeader(out, run, all, stoppedAt, description(w, run), times, now);
                    String html = snap.report();
                    if (html != null) {
                        out.println("  report: " + io.swarmflow.spec.SpecError.printable(html) + (snap.shownRunning()
                                ? " (" + MID_RUN_REPORT + "; `swarm report " + run.runId() + "` writes it anew)" : ""));
                    } else if (run.state() != io.swarmflow.store.RunState.CREATED && run.state() != io.swarmflow.store.RunState.RUNNING) {
                        // an ended run writes its report last: a coordinator killed while writing it leaves the run ended without one
                        out.println("  report: none (not written: its coordinator stopped before writing it, writing it failed, "
                                + "or it was removed); `swarm report " + run.runId() + "` writes it");
                    }
                    if (stoppedAt != 0) out.println("  " + STOPPED_NOTE + "; `swarm resume " + run.runId() + "` continues it");
                    java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled = stalled(w, observed);
                    stalled.map(QueryCommands::stalledLine).ifPresent(out::println);
                    String cancelLeft = cancelLeftBehind(w, observed);
                    if (cancelLeft != null) out.println("  " + cancelLeft);
                    if (cancelling) {
                        out.println("  being cancelled: its coordinator is stopping the running attempts (TERM, then KILL after the "
                                + "grace period); `swarm resume " + run.runId() + "` continues the run afterwards");
                    } else if (cancelPending.isPresent()) {
                        out.println("  being cancelled: a cancel was requested by " + cancelPending.get().by()
                                + "; " + whoApplies(stalled, true, true, run.runId()));
                    }
                    for (io.swarmflow.store.RunCommand c : decisions.values()) out.println(pendingLine(c, observed, stalled));
                    String gates = awaitingLine(observed, all, decisions);
                    if (gates != null) out.println(gates);
                    if (run.state() == io.swarmflow.store.RunState.CANCELLED && !observed.executing()) {
                        // as the end of the cancelled `swarm run` says, and `swarm cancel`: a cancel is not the end
                        out.println("  cancelled before it ended; `swarm resume " + run.runId() + "` continues it");
                    }
                    if (run.state() == io.swarmflow.store.RunState.CREATED && !observed.executing()) {
                        out.println("  it never started (the `swarm run` that created it stopped before it began); `swarm resume "
                                + run.runId() + "` starts it");
                    }
                    out.println();
                    if (tickets.isEmpty() && only != null) {
                        out.println("no ticket is in state " + String.join(" or ", only.stream().map(io.swarmflow.store.TicketState::label).toList()));
                    } else {
                        Tables.tickets(out, tickets, run.finishedAtMillis() != 0 ? run.finishedAtMillis()
                                : stoppedAt != 0 ? stoppedAt : now, run.runId(), stoppedAt != 0, times, retries(w, run.runId(), observed, tickets));
                        String left = orphansNote(orphans, run.runId());
                        if (left != null) out.println(left);
                    }
                }
                return ExitCodes.OK;
            }
        }

        /**
         * What {@code swarm status} found of the process of an attempt recorded as running whose coordinator is gone.
         *
         * @param attempt the attempt, with the pid and start time of its process group's leader as recorded
         * @param alive   that leader, the same process (pid and start time), still runs, or its group has a live member
         *                (the leader a zombie not reaped yet, or reaped and its pid no other process's, within the boot
         *                the attempt ran in: {@link #orphanCheckable}):
         *                {@code swarm resume} would kill its group ({@code ProcessGroups.orphanGroupAlive})
         * @param unknown why that cannot be told here ({@code ProcessGroups.orphanGroupUncheckable}: a {@code /proc} of
         *                another PID namespace, a pid it hides, a process of another time namespace), {@code alive} then
         *                false and meaningless; null when it can
         */
        record Orphan(AttemptView attempt, boolean alive, String unknown) {
            /** One whose state could be told. */
            Orphan(AttemptView attempt, boolean alive) {
                this(attempt, alive, null);
            }
        }

        /**
         * Whether the process of attempt {@code a} of run {@code observed} can be looked at here: the run is recorded as
         * running, no coordinator executes it ({@link RunService.Observed#stopped}), and the coordinator that launched the
         * attempt was a process of this host that is gone ({@code Owners.isDeadLocalProcess}) and started after the machine
         * last started ({@code Owners.isOfThisBoot}: false as well when that cannot be told), so the attempt's pid is of this
         * host and this boot and nothing but an orphan can still be running it. That coordinator is the one the attempt records
         * ({@link AttemptView#coordinator()}), or, for an attempt recorded before it was, the run's lease holder as
         * observed ({@link RunService.Observed#leaseOwner()}: the one that held the run last). Not for a coordinator of
         * another host (its pids mean nothing here), nor one of an earlier boot (after the restart nothing of it runs, and
         * its pids may name unrelated processes of this boot), nor one still alive whose lease lapsed (its attempts are its
         * own children, not orphans). The same rule {@code swarm resume} goes by before it kills ({@code RunEngine}).
         */
        static boolean orphanCheckable(RunService.Observed observed, AttemptView a) {
            if (!observed.stopped()) return false;
            String launcher = a.coordinator() != null ? a.coordinator() : observed.leaseOwner();
            return io.swarmflow.engine.Owners.isDeadLocalProcess(launcher) && io.swarmflow.engine.Owners.isOfThisBoot(launcher);
        }

        /**
         * By ticket id, for each of {@code tickets} recorded as running whose running attempt's process can be looked at
         * ({@link #orphanCheckable}), that attempt and whether its process still runs (read-only:
         * {@code LocalExecutor.orphanAlive}, the identity check {@code swarm resume} makes before it kills); an attempt
         * without a recorded process is left out (there is nothing to look at). Empty otherwise; without reading the
         * attempts when no ticket is running or no coordinator is stopped.
         */
        static Map<String, Orphan> orphans(Wiring w, RunService.Observed observed, List<TicketView> tickets) {
            return orphans(w, observed, tickets, () -> w.service.attempts(observed.run().runId()));
        }

        /**
         * {@link #orphans(Wiring, RunService.Observed, List)} with the attempts of {@code tickets} (at least) already read:
         * {@code attempts} is asked only when a ticket is running and the run's processes can be looked at.
         */
        static Map<String, Orphan> orphans(Wiring w, RunService.Observed observed, List<TicketView> tickets,
                                           java.util.function.Supplier<List<AttemptView>> attempts) {
            Map<String, Orphan> orphans = new java.util.LinkedHashMap<>();
            if (tickets.stream().noneMatch(t -> t.state() == io.swarmflow.store.TicketState.RUNNING)) return orphans;
            if (!observed.stopped()) return orphans;
            Map<String, AttemptView> running = new java.util.HashMap<>();
            for (AttemptView a : attempts.get()) {
                if (a.isRunning() && a.pid() > 0) running.merge(a.ticketId(), a, (x, y) -> y.attempt() > x.attempt() ? y : x);
            }
            for (TicketView t : tickets) {
                AttemptView a = running.get(t.ticketId());
                if (t.state() == io.swarmflow.store.TicketState.RUNNING && a != null && a.attempt() == t.attempt()
                        && orphanCheckable(observed, a)) {
                    // a /proc of another PID namespace, a pid it hides, another time namespace: cannot tell, not "gone"
                    String unknown = orphanUnknown(a.coordinator() != null ? a.coordinator() : observed.leaseOwner(), a);
                    orphans.put(t.ticketId(), unknown != null ? new Orphan(a, false, unknown)
                            : new Orphan(a, io.swarmflow.local.LocalExecutor.orphanAlive(a)));
                }
            }
            return orphans;
        }

        /**
         * Why whether attempt {@code a}'s process group still runs cannot be told here, or null when it can: its
         * coordinator {@code launcher} recorded another time namespace than this process's
         * ({@code Owners.isOfAnotherTimeNamespace}: the recorded start ticks and those read here carry other offsets, and
         * {@code swarm resume} does not look for the group either, see {@code RunEngine}), or what
         * {@link Wiring#orphanUncheckable} says ({@code /proc} of another PID namespace, a pid it hides, a leader of
         * another time namespace).
         */
        static String orphanUnknown(String launcher, AttemptView a) {
            if (launcher != null && io.swarmflow.engine.Owners.isOfAnotherTimeNamespace(launcher)) {
                return "its coordinator ran in another time namespace ("
                        + io.swarmflow.engine.Owners.timeNamespacesShown(launcher) + "), where start times (field 22 of "
                        + "/proc/PID/stat) read with another offset, so the recorded one cannot be compared with those read here";
            }
            return Wiring.orphanUncheckable(a);
        }

        /**
         * The line of {@code swarm status RUN TICKET} on the process group of {@code orphan}'s attempt: it still runs (and
         * what stops it), it no longer runs, or, when that cannot be told here ({@link Orphan#unknown}: a {@code /proc} of
         * another PID namespace, a pid it hides, another time namespace), why not: never "no longer runs" then.
         */
        static String orphanLine(Orphan orphan, String runId) {
            if (orphan.unknown() != null) {
                return "  attempt " + orphan.attempt().attempt() + "'s process group (" + orphan.attempt().pid() + "): whether it "
                        + "still runs cannot be told here: " + orphan.unknown() + "; `swarm resume " + runId + "` does not kill it "
                        + "either";
            }
            return "  attempt " + orphan.attempt().attempt() + (orphan.alive()
                    ? "'s process (group " + orphan.attempt().pid() + ") still runs, left by the stopped coordinator; "
                    + orphansStop(runId, true)
                    : "'s process group (" + orphan.attempt().pid() + ") no longer runs; `swarm resume " + runId
                    + "` still ends " + ESCAPED_TOO);
        }

        /**
         * What stops the processes a stopped coordinator left running, and what does not; the group is not all an attempt
         * may have left (a process it started in a session of its own is in no group status can look at).
         */
        static String orphansStop(String runId, boolean one) {
            return "`swarm resume " + runId + "` kills " + (one ? "it" : "them") + " as it resumes the run, and "
                    + ESCAPED_TOO + " (`swarm cancel` cannot: no coordinator executes the run)";
        }

        /** What {@code swarm resume} ends besides an orphaned group, which status does not look for. */
        static final String ESCAPED_TOO = "what the attempt started outside its group (setsid, a daemon) that still holds its "
                + "SWARM_ variables";

        /**
         * The line under the ticket table naming the tickets (the first {@value #ORPHANS_NAMED}, counting the others) whose
         * processes the stopped coordinator left running, and what stops them; null when there are none.
         */
        static String orphansNote(Map<String, Orphan> orphans, String runId) {
            List<Orphan> alive = orphans.values().stream().filter(Orphan::alive).toList();
            if (alive.isEmpty()) return null;
            if (alive.size() == 1) {
                Orphan o = alive.getFirst();
                return io.swarmflow.cli.view.Printable.of(o.attempt().ticketId() + ": its process (group " + o.attempt().pid()
                        + ") still runs, left by the stopped coordinator; " + orphansStop(runId, true));
            }
            String named = String.join(", ", alive.subList(0, Math.min(ORPHANS_NAMED, alive.size())).stream()
                    .map(o -> o.attempt().ticketId() + " (group " + o.attempt().pid() + ")").toList())
                    + (alive.size() > ORPHANS_NAMED ? " and " + (alive.size() - ORPHANS_NAMED) + " more" : "");
            return io.swarmflow.cli.view.Printable.of(alive.size() + " tickets' processes still run, left by the stopped "
                    + "coordinator: " + named + "; " + orphansStop(runId, false));
        }

        /** Tickets named on the line under the ticket table whose processes still run; it counts the others. */
        static final int ORPHANS_NAMED = 5;

        /**
         * For a run recorded as running that no coordinator executes ({@link RunService.Observed#stopped}), what became of a
         * cancel its coordinator had applied (it was stopping the attempts) or not read yet when it stopped, and what
         * {@code swarm resume} does with it: it continues the run, as the resumed coordinator ignores a cancel made before it
         * took the run ({@code RunEngine}) and a new start clears one applied. Null when there was none, or a live coordinator
         * holds the run (then the cancel is under way: said above it).
         */
        static String cancelLeftBehind(Wiring w, RunService.Observed observed) {
            if (!observed.stopped()) return null;
            RunView run = observed.run();
            String resume = "`swarm resume " + run.runId() + "` does not carry it on: it continues the run, its running tickets "
                    + "with a new attempt (`swarm cancel " + run.runId() + "` once it is resumed stops it)";
            if (run.cancelRequested()) {
                return "a cancel was stopping its attempts when its coordinator stopped, before the run was recorded cancelled; "
                        + resume;
            }
            return w.store.pendingCommands(run.runId()).stream().filter(c -> c.kind() == io.swarmflow.store.RunCommand.Kind.CANCEL)
                    .reduce((a, b) -> b).map(c -> io.swarmflow.cli.view.Printable.of("a cancel requested by " + c.by()
                            + " was not applied: its coordinator stopped before reading it; " + resume)).orElse(null);
        }

        /**
         * Approvals and rejections recorded and not yet applied, of those of {@code tickets} still waiting at their gates,
         * by ticket id (a decision that lost to another one stays pending behind its settled gate, and is no news).
         */
        private static Map<String, io.swarmflow.store.RunCommand> pendingDecisions(Wiring w, String runId, List<TicketView> tickets) {
            Map<String, io.swarmflow.store.RunCommand> decisions = new java.util.LinkedHashMap<>();
            java.util.Set<String> awaiting = new java.util.HashSet<>();
            for (TicketView t : tickets) if (t.state() == io.swarmflow.store.TicketState.AWAITING_APPROVAL) awaiting.add(t.ticketId());
            if (awaiting.isEmpty()) return decisions;
            for (io.swarmflow.store.RunCommand c : w.store.pendingCommands(runId)) {
                if (c.kind() != io.swarmflow.store.RunCommand.Kind.CANCEL && awaiting.contains(c.ticketId())) {
                    decisions.putIfAbsent(c.ticketId(), c);
                }
            }
            return decisions;
        }

        /** Gates named on the awaiting-approval line of {@code swarm status}; it counts the others. */
        private static final int GATES_NAMED = 5;

        /**
         * For a run not finished with tickets waiting at their approval gates (and no decision pending on them), the line
         * under the summary that names them and the commands that decide them; else null.
         */
        private static String awaitingLine(RunService.Observed observed, List<TicketView> all,
                                           Map<String, io.swarmflow.store.RunCommand> decisions) {
            RunView run = observed.run();
            if (run.state().isFinished()) return null;
            List<String> gates = all.stream().filter(t -> t.state() == io.swarmflow.store.TicketState.AWAITING_APPROVAL
                    && !decisions.containsKey(t.ticketId())).map(TicketView::ticketId).toList();
            if (gates.isEmpty()) return null;
            String then = observed.executing() ? "" : "; `swarm resume " + run.runId() + "` then applies the decision";
            if (gates.size() == 1) {
                String g = gates.getFirst();
                return io.swarmflow.cli.view.Printable.of("  " + g + " awaits approval: approve it with `swarm approve " + run.runId()
                        + " " + g + "`, or reject it with `swarm reject " + run.runId() + " " + g + " --reason TEXT`" + then);
            }
            String named = String.join(", ", gates.subList(0, Math.min(GATES_NAMED, gates.size())))
                    + (gates.size() > GATES_NAMED ? " and " + (gates.size() - GATES_NAMED) + " more" : "");
            return io.swarmflow.cli.view.Printable.of("  " + gates.size() + " tickets await approval (" + named + "): approve them with `swarm approve "
                    + run.runId() + " TICKET...`, or reject them with `swarm reject " + run.runId() + " TICKET... --reason TEXT`" + then);
        }

        /**
         * The line for a decision recorded and not yet applied (under the run's summary, or the ticket's state); the reason
         * is the rejecter's text, shown as a ticket's reason is, its control characters visible.
         */
        private static String pendingLine(io.swarmflow.store.RunCommand c, RunService.Observed observed,
                                          java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled) {
            return io.swarmflow.cli.view.Printable.of("  " + c.ticketId() + ": " + (c.kind() == io.swarmflow.store.RunCommand.Kind.APPROVE
                    ? "approved" : "rejected") + " by " + c.by() + (c.reason() == null ? "" : " (" + io.swarmflow.cli.view.Printable.cutReason(c.reason()) + ")") + ", not applied yet; "
                    + whoApplies(stalled, observed.executing(), false, observed.run().runId()));
        }

        /**
         * For a bare {@code swarm status}: when the plan of the newest run, {@code id}, is damaged, the store's error (which
         * names the run) with the way to the others, {@code swarm status} of the run before it and {@code swarm runs}
         * (which reads no plan); the others can still be shown, so the newest one's damage must not hide them.
         *
         * @throws io.swarmflow.store.StoreException.Corrupt when that plan cannot be read (exit 2, nothing changed)
         */
        private static void newestPlanReadable(Wiring w, String id) {
            try {
                w.store.plan(id);
            } catch (io.swarmflow.store.StoreException.Corrupt c) {
                java.util.Optional<RunView> before = w.store.newestRuns(2, null).runs().stream()
                        .filter(r -> !r.runId().equals(id)).findFirst();
                throw new io.swarmflow.store.StoreException.Corrupt(c.getMessage() + "; it is the newest run: " + before
                        .map(r -> "`swarm status " + r.runId() + "` shows the one before it, and `swarm runs` lists them all")
                        .orElse("`swarm runs` lists it"), c);
            }
        }

        /** The run RUN names; when none does but the latest run has a ticket by that name, says how to show it. */
        private String resolve(Wiring w) {
            try {
                return w.service.resolveRunId(runId);
            } catch (InvalidRequestException e) {
                java.util.Optional<RunView> latest = w.service.latestRun();
                if (ticketId != null || latest.isEmpty()
                        || w.service.tickets(latest.get().runId()).stream().noneMatch(t -> t.ticketId().equals(runId))) {
                    throw e;
                }
                throw new InvalidRequestException("no run '" + runId + "'; the latest run, " + latest.get().runId() + ", has a "
                        + "ticket " + runId + ": `swarm status " + latest.get().runId() + " " + runId + "` shows it");
            }
        }

        /**
         * {@code swarm status RUN TICKET}: the ticket's state and reason, one row per attempt (a running one's duration up
         * to now, or to the run's last event when its coordinator stopped), its outputs and how to read each attempt's log.
         */
        /**
         * The needs of {@code ticketId} that have not finished, each with its state ({@code gate (awaiting-approval)}), the
         * first {@value #NAMED_NEEDS} and how many more; null when none (a pending ticket says what holds it back, which its
         * state alone did not).
         */
        private static String unfinishedNeeds(Wiring w, String runId, String ticketId) {
            List<String> needs = w.service.plan(runId).tickets().stream().filter(p -> p.id().equals(ticketId)).findFirst()
                    .map(io.swarmflow.spec.PlannedTicket::needs).orElse(List.of());
            if (needs.isEmpty()) return null;
            Map<String, io.swarmflow.store.TicketState> states = new java.util.HashMap<>();
            for (TicketView v : w.service.tickets(runId)) states.put(v.ticketId(), v.state());
            List<String> open = new ArrayList<>();
            for (String n : needs) {
                io.swarmflow.store.TicketState s = states.get(n);
                if (s != null && !s.isFinal()) open.add(n + " (" + s.label() + ")");
            }
            if (open.isEmpty()) return null;
            return String.join(", ", open.subList(0, Math.min(NAMED_NEEDS, open.size())))
                    + (open.size() > NAMED_NEEDS ? " and " + (open.size() - NAMED_NEEDS) + " more" : "");
        }

        private static final int NAMED_NEEDS = 10;

        /** What "at least" in an attempt's DURATION cell means, said under the table that shows one. */
        static final String LOST_ATTEMPT_NOTE = "at least: the attempt was lost with its coordinator, which stopped; it ran at least "
                + "to that coordinator's last recorded event (the resume recorded the loss later)";

        private int ticket(Wiring w, Snapshot snap, TicketView t, Map<String, io.swarmflow.store.RunCommand> decisions,
                           boolean cancelling, PrintStream out) throws IOException {
            RunService.Observed observed = snap.observed();
            RunView run = observed.run();
            long stoppedAt = stoppedAt(w, observed);
            long now = run.finishedAtMillis() != 0 ? run.finishedAtMillis() : stoppedAt != 0 ? stoppedAt : snap.now();
            List<AttemptView> attempts = w.service.attempts(run.runId()).stream().filter(a -> a.ticketId().equals(t.ticketId()))
                    .sorted(java.util.Comparator.comparingInt(AttemptView::attempt)).toList();
            // an attempt lost with a coordinator that stopped is recorded as finished by the resume, maybe hours later: it
            // ends at that coordinator's last event, as its timeline bar (the run's events are read only when a resume
            // recorded such a loss: lease-expired, in a resumed run)
            io.swarmflow.cli.view.RunTimes times = run.epoch() > 1
                    && attempts.stream().anyMatch(a -> a.outcome() == io.swarmflow.store.Outcome.LEASE_EXPIRED)
                    ? io.swarmflow.cli.view.RunTimes.read(w.service, run.runId()) : io.swarmflow.cli.view.RunTimes.NONE;
            Orphan orphan = orphans(w, observed, List.of(t), () -> attempts).get(t.ticketId()); // its attempts, read above
            if (json) {
                ObjectNode root = statusJson(run, description(w, run), List.of(t), decisions, titles(w, run.runId()), snap.report());
                ((ObjectNode) root.get("run")).put("executing", observed.executing()).put("cancelling", cancelling);
                ((ObjectNode) root.get("tickets").get(0)).put("processAlive", orphan == null || orphan.unknown() != null ? null : orphan.alive());
                ArrayNode list = root.putArray("attempts"); // as report.json's tickets[].attempts, and processAlive
                for (AttemptView a : attempts) {
                    long lostAt = times.lostAttemptEndMillis(a);
                    ObjectNode o = list.addObject();
                    io.swarmflow.cli.report.RunReport.attemptJson(o, a,
                            (lostAt > 0 ? lostAt : a.finishedAtMillis() != 0 ? a.finishedAtMillis() : now) - a.startedAtMillis());
                    o.put("processAlive", orphan != null && orphan.attempt().attempt() == a.attempt() && orphan.unknown() == null
                            ? orphan.alive() : null);
                }
                out.println(JSON.writeValueAsString(root));
                return ExitCodes.OK;
            }
            out.println(io.swarmflow.cli.view.Printable.of("ticket " + t.ticketId() + " of run " + run.runId() + " (" + Tables.name(run.name()) + "): "
                    + t.state().label() + " (" + ValidateCommand.count(t.attempt(), "attempt") + ")"
                    + (t.reason() == null ? "" : ": " + io.swarmflow.cli.view.Printable.cutReason(t.reason(), "below"))
                    + (t.retryAtMillis() == 0 || t.state() != io.swarmflow.store.TicketState.RETRY_WAIT ? ""
                    : observed.executing() ? "; retries at " + Tables.time(t.retryAtMillis())
                    : "; retries when the run is resumed (`swarm resume " + run.runId() + "`)")));
            if (stoppedAt != 0) out.println("  " + STOPPED_NOTE + "; `swarm resume " + run.runId() + "` continues it");
            java.util.Optional<io.swarmflow.engine.StalledCoordinator> stalled = stalled(w, observed);
            stalled.map(QueryCommands::stalledLine).ifPresent(out::println);
            if (orphan != null) out.println(Status.orphanLine(orphan, run.runId()));
            io.swarmflow.store.RunCommand decision = decisions.get(t.ticketId());
            if (decision != null) {
                out.println(pendingLine(decision, observed, stalled));
            } else if (t.state() == io.swarmflow.store.TicketState.AWAITING_APPROVAL && !run.state().isFinished()) {
                out.println("  approve it with `swarm approve " + run.runId() + " " + t.ticketId() + "`, or reject it with `swarm reject "
                        + run.runId() + " " + t.ticketId() + " --reason TEXT`" + (observed.executing() ? ""
                        : "; `swarm resume " + run.runId() + "` then applies the decision"));
            }
            if (t.state() == io.swarmflow.store.TicketState.PENDING && !run.state().isFinished()) {
                String waits = unfinishedNeeds(w, run.runId(), t.ticketId());
                if (waits != null) out.println("  waits for " + waits);
            }
            if (!attempts.isEmpty()) {
                out.println();
                List<List<String>> rows = new ArrayList<>();
                boolean anyLost = false;
                for (AttemptView a : attempts) {
                    long lostAt = times.lostAttemptEndMillis(a);
                    anyLost |= lostAt > 0;
                    long end = lostAt > 0 ? lostAt : a.finishedAtMillis() != 0 ? a.finishedAtMillis() : now;
                    // an attempt a stopped coordinator left recorded as running: up to the run's last event (as status says)
                    boolean toLastEvent = stoppedAt != 0 && a.finishedAtMillis() == 0;
                    rows.add(List.of(Integer.toString(a.attempt()), a.outcome() == null ? "running" : a.outcome().label(),
                            a.exitCode() == null ? "-" : a.exitCode().toString(), Tables.time(a.startedAtMillis()),
                            toLastEvent ? Durations.lastEventCell(end - a.startedAtMillis())
                                    : (lostAt > 0 ? "at least " : "") + Durations.format(end - a.startedAtMillis()),
                            a.reason() == null ? "" : io.swarmflow.cli.view.Printable.cutReason(a.reason())));
                }
                Tables.print(out, List.of("ATTEMPT", "OUTCOME", "EXIT", "STARTED", "DURATION", "REASON"), rows);
                if (stoppedAt != 0 && attempts.stream().anyMatch(a -> a.finishedAtMillis() == 0)) out.println(Durations.LAST_EVENT_NOTE);
                if (anyLost) out.println(LOST_ATTEMPT_NOTE);
            }
            if (!t.outputs().isEmpty()) {
                out.println();
                out.println("outputs:");
                new java.util.TreeMap<>(t.outputs()).forEach((k, v) -> printOutput(out, k, v, run.runId(), t.ticketId()));
            }
            Path worktree = w.runDir(run.runId()).resolve("worktrees").resolve(t.ticketId());
            if (t.state() == io.swarmflow.store.TicketState.FAILED && Files.isDirectory(worktree)) {
                // a failed worktree ticket's work stays for the user to look at (docs/spec.md): say where, not only `swarm clean`
                out.println();
                out.println(io.swarmflow.cli.view.Printable.of("worktree: " + worktree + " (branch swarm/" + run.runId() + "/"
                        + t.ticketId() + ")"));
                String repo = w.service.plan(run.runId()).repo();
                java.util.Optional<String> unsafe = Wiring.whyGitIsUnsafeIn(repo == null ? null : Path.of(repo), worktree);
                if (unsafe.isEmpty()) {
                    // a plain git status would run the user's filter drivers (git-lfs's clean) on what the ticket wrote,
                    // core.fsmonitor, and a post-index-change hook: the command shown runs none (docs/sandbox.md)
                    GitHint hint = safeGitStatus(worktree);
                    out.println(io.swarmflow.cli.view.Printable.of(hint.command() != null
                            ? "  what its last attempt left there is kept: `" + hint.command()
                                    + "` shows it without running your filter drivers, hooks or fsmonitor on it; `swarm clean "
                                    + run.runId() + "` removes it"
                            : "  what its last attempt left there is kept, but " + hint.whyNot() + "; `swarm clean "
                                    + run.runId() + "` removes it"));
                } else if (unsafe.get().startsWith("its .git ")) {
                    // a lost attempt's worktree keeps whatever the ticket left in place of .git: git run there would follow it
                    out.println(io.swarmflow.cli.view.Printable.of("  what its last attempt left there is kept, but its .git is "
                            + "not git's own (the ticket changed it, and its attempt was lost before swarm could put it back): "
                            + "do not run git there before you have looked at " + worktree.resolve(".git") + "; `swarm clean "
                            + run.runId() + "` removes it"));
                } else {
                    // git status enters a nested repository the ticket made and runs its core.fsmonitor and hooks here
                    out.println(io.swarmflow.cli.view.Printable.of("  what its last attempt left there is kept, but "
                            + unsafe.get() + ": do not run git there before you have looked at "
                            + (unsafe.get().startsWith("it holds ") ? "them" : "it") + "; `swarm clean "
                            + run.runId() + "` removes it"));
                }
            }
            if (t.reason() != null && !t.reason().equals(io.swarmflow.cli.view.Printable.cutReason(t.reason()))) {
                // the first line cut it: the details of one ticket are where the whole is shown (as in report.json)
                out.println();
                out.println("reason (" + t.reason().length() + " characters):");
                for (String line : t.reason().split("\\R", -1)) out.println("  " + io.swarmflow.cli.view.Printable.of(line));
            }
            if (!attempts.isEmpty()) {
                out.println();
                out.println("logs: swarm logs " + run.runId() + " " + t.ticketId() + (attempts.size() > 1 ? " --attempt N" : ""));
            }
            return ExitCodes.OK;
        }

        /**
         * When each ticket of {@code tickets} waiting to retry retries, for the ticket table ({@link Tables.Retries}); the
         * plan is read only when one is waiting.
         */
        static Tables.Retries retries(Wiring w, String runId, RunService.Observed observed, List<TicketView> tickets) {
            if (tickets.stream().noneMatch(t -> t.state() == io.swarmflow.store.TicketState.RETRY_WAIT)) return Tables.Retries.NONE;
            Map<String, io.swarmflow.spec.RetryPolicy> policies = new java.util.HashMap<>();
            for (io.swarmflow.spec.PlannedTicket p : w.service.plan(runId).tickets()) policies.put(p.id(), p.retries());
            return new Tables.Retries(policies, observed.executing());
        }

        /** Where the current time of a status comes from: the clock, except in tests of what it reads when. */
        java.util.function.LongSupplier clock = System::currentTimeMillis;

        /** Times {@link #snapshot} reads a run and its tickets again when an event was recorded in between. */
        static final int SNAPSHOT_TRIES = 5;

        /** A cancel applied by the run's live coordinator, or one requested that it has not read yet (then its command). */
        record CancelShown(boolean applied, java.util.Optional<io.swarmflow.store.RunCommand> pending) {}

        /**
         * The cancel {@code swarm status} shows for {@code run} (as read for its snapshot) while a coordinator executes it.
         * Applied on the run read, else pending among the commands read after it, else applied since the run was read:
         * the coordinator marks a cancel command applied only once its {@code RunCancelRequested} is durable, so one no
         * longer pending is on the run read after (without that last read, a cancel applied between the snapshot and the
         * pending commands showed as neither, as {@code swarm resume}'s check did).
         */
        static CancelShown cancelShown(io.swarmflow.store.RunStore store, RunView run, boolean executing) {
            if (!executing) return new CancelShown(false, java.util.Optional.empty());
            if (run.state() == io.swarmflow.store.RunState.RUNNING && run.cancelRequested()) {
                return new CancelShown(true, java.util.Optional.empty());
            }
            java.util.Optional<io.swarmflow.store.RunCommand> pending = store.pendingCommands(run.runId()).stream()
                    .filter(c -> c.kind() == io.swarmflow.store.RunCommand.Kind.CANCEL).reduce((a, b) -> b);
            if (pending.isPresent()) return new CancelShown(false, pending);
            boolean appliedSince = store.run(run.runId())
                    .map(r -> r.state() == io.swarmflow.store.RunState.RUNNING && r.cancelRequested()).orElse(false);
            return new CancelShown(appliedSince, java.util.Optional.empty());
        }

        /** What the {@code report:} line of a run shown as running says of its report.html. */
        static final String MID_RUN_REPORT = "written while the run was not finished, so not its end";

        /**
         * What one {@code swarm status} shows: the run as observed, its tickets as of the same event (the run is read
         * again after them, and both again when an event came in between, up to {@link #SNAPSHOT_TRIES} times), one
         * {@code now} taken after them for every duration that runs to the present, and its report.html (null when none):
         * for a run shown as running or created, only one that existed before the run was read (a report written as the
         * run ended just after the read is not shown with a run said to be running); else one that exists now.
         *
         * @param shownRunning the run is shown as running or created (not ended nor cancelled)
         */
        record Snapshot(RunService.Observed observed, List<TicketView> tickets, long now, String report, boolean shownRunning) {}

        Snapshot snapshot(Wiring w, String id) {
            String reportBefore = reportPath(w, id);
            RunService.Observed observed = w.service.observe(id);
            List<TicketView> tickets = w.service.tickets(id);
            for (int i = 1; i < SNAPSHOT_TRIES; i++) {
                java.util.Optional<RunView> again = w.store.run(id);
                if (again.isEmpty() || again.get().lastSeq() == observed.run().lastSeq()) break;
                observed = w.service.observe(id);
                tickets = w.service.tickets(id);
            }
            long now = clock.getAsLong();
            io.swarmflow.store.RunState state = observed.run().state();
            boolean shownRunning = state == io.swarmflow.store.RunState.RUNNING || state == io.swarmflow.store.RunState.CREATED;
            return new Snapshot(observed, tickets, now, shownRunning ? reportBefore : reportPath(w, id), shownRunning);
        }

        /** Lines of a multi-line output value shown under its name; the rest are counted, and in the JSON. */
        static final int OUTPUT_LINES = 20;

        /**
         * Prints output {@code name}: a one-line value after its name ({@code "  n: 2"}, cut at 200 characters), a multi-line
         * one ({@code diffstat}) under it, indented, up to {@link #OUTPUT_LINES} lines, each cut at 200 characters; control
         * characters other than the line ends are shown in caret notation.
         */
        static void printOutput(PrintStream out, String name, String value, String runId, String ticketId) {
            String text = value.endsWith("\r\n") ? value.substring(0, value.length() - 2)
                    : value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
            if (text.indexOf('\n') < 0) {
                out.println("  " + io.swarmflow.cli.view.Printable.of(name + ": " + io.swarmflow.cli.view.Printable.shorten(value, 200)));
                return;
            }
            out.println("  " + io.swarmflow.cli.view.Printable.of(name) + ":");
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < Math.min(lines.length, OUTPUT_LINES); i++) {
                out.println("    " + io.swarmflow.cli.view.Printable.of(io.swarmflow.cli.view.Printable.shorten(lines[i], 200)));
            }
            if (lines.length > OUTPUT_LINES) {
                out.println("    … " + (lines.length - OUTPUT_LINES) + " more lines (`swarm status " + runId + " " + ticketId
                        + " --json` has them all)");
            }
        }

        /**
         * The states {@code --state} names, or null without it.
         *
         * @throws InvalidRequestException for a name that is not a ticket state
         */
        static java.util.Set<io.swarmflow.store.TicketState> ticketStates(List<String> names) {
            return statesNamed(names, io.swarmflow.store.TicketState.class, io.swarmflow.store.TicketState::label, "ticket");
        }

        static ObjectNode statusJson(RunView run, List<TicketView> tickets) {
            return statusJson(run, null, tickets, Map.of(), Map.of(), null);
        }

        /**
         * Where the end of {@code swarm run} said the run's report.html is, as a path string; null until it is written
         * (when the run ends; {@code swarm report} writes one sooner) or once it was deleted.
         */
        static String reportPath(Wiring w, String runId) {
            Path html = w.runDir(runId).resolve("report.html");
            return Files.isRegularFile(html) ? html.toString() : null;
        }

        /** Each ticket's title, by ticket id, from the run's plan. */
        private static Map<String, String> titles(Wiring w, String runId) {
            Map<String, String> titles = new java.util.HashMap<>();
            for (io.swarmflow.spec.PlannedTicket p : w.service.plan(runId).tickets()) titles.put(p.id(), p.title());
            return titles;
        }

        /**
         * The JSON of {@code swarm status}; {@code description} is the spec's (null when it has none); {@code decisions}
         * holds, by ticket id, the approval or rejection recorded and not yet applied of each gate still waiting;
         * {@code titles} the tickets' titles by id (null for one not in it); {@code report} the
         * path of report.html ({@code run.report}), or null when it is not written.
         */
        static ObjectNode statusJson(RunView run, String description, List<TicketView> tickets,
                                     Map<String, io.swarmflow.store.RunCommand> decisions, Map<String, String> titles, String report) {
            ObjectNode root = JSON.createObjectNode();
            runJson(root.putObject("run"), run, "description", description).put("report", report);
            ArrayNode ts = root.putArray("tickets");
            for (TicketView t : tickets) {
                ObjectNode o = ts.addObject();
                o.put("id", t.ticketId());
                o.put("title", titles.get(t.ticketId()));
                o.put("state", t.state().label());
                o.put("attempts", t.attempt());
                if (t.exitCode() == null) o.putNull("exitCode");
                else o.put("exitCode", t.exitCode());
                o.put("startedAt", iso(t.startedAtMillis()));
                o.put("finishedAt", iso(t.finishedAtMillis()));
                o.put("reason", t.reason());
                o.put("retryAt", iso(t.retryAtMillis()));
                io.swarmflow.store.RunCommand d = decisions.get(t.ticketId());
                o.put("pendingDecision", d == null ? null : d.kind() == io.swarmflow.store.RunCommand.Kind.APPROVE ? "approve" : "reject");
                o.put("pendingDecisionBy", d == null ? null : d.by());
                ObjectNode outs = o.putObject("outputs");
                // by name, as report.json lists them (the store's map keeps no useful order)
                for (Map.Entry<String, String> e : new java.util.TreeMap<>(t.outputs()).entrySet()) outs.put(e.getKey(), e.getValue());
            }
            return root;
        }
    }

    @Command(name = "report", description = "Writes a run's report.json and report.html now (the most recent run when RUN is "
            + "omitted): for a run in progress, or one whose coordinator was killed before it could write them.")
    static final class Report implements Callable<Integer> {
        @Parameters(index = "0", arity = "0..1", paramLabel = "RUN", description = SwarmCli.RUN_HELP + " The most recent run when omitted.") String runId;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PrintStream out = Streams.out(spec);
            try (Wiring w = Wiring.existing(state.resolve(), Streams.err(spec))) {
                RunView run = runId != null ? w.service.requireRun(w.service.resolveRunId(runId))
                        : w.service.latestRun().orElseThrow(() -> new InvalidRequestException("no runs in " + w.stateDir + " yet; start one with swarm run SPEC"));
                String id = run.runId();
                Path html = io.swarmflow.cli.report.RunReport.writeCurrent(new io.swarmflow.cli.report.RunReport.Source() {
                    @Override public RunView run() { return w.service.requireRun(id); }
                    @Override public io.swarmflow.spec.Plan plan() { return w.service.plan(id); }
                    @Override public List<TicketView> tickets() { return w.service.tickets(id); }
                    @Override public List<AttemptView> attempts() { return w.service.attempts(id); }
                    @Override public long stoppedAtMillis() { return stoppedAt(w, w.service.observe(id)); }
                    // its sessions (for a resumed run's time running) and its approval waits (for the timeline) are in its
                    // events alone (the store keeps them apart as time marks); read only for a run resumed or with a gate
                    @Override public io.swarmflow.cli.view.RunTimes times() {
                        RunView r = run();
                        boolean gated = plan().tickets().stream().anyMatch(t -> t.approval() == io.swarmflow.spec.ApprovalMode.BEFORE_RUN);
                        return r.epoch() > 1 || gated ? io.swarmflow.cli.view.RunTimes.read(w.service, id) : io.swarmflow.cli.view.RunTimes.single(r);
                    }
                }, w.runDir(id));
                out.println("report: " + io.swarmflow.spec.SpecError.printable(html.toString()));
                out.println("        " + io.swarmflow.spec.SpecError.printable(html.resolveSibling("report.json").toString()));
                Stdout.tookEffect(out, "The command took effect all the same: the report of run " + id + " was written, "
                        + io.swarmflow.spec.SpecError.printable(html.toString()) + " and report.json beside it.");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "runs", description = "Lists the runs in the state directory, newest first.")
    static final class Runs implements Callable<Integer> {
        /**
         * The DURATION cell of a started run that has not stopped: its end (or now) minus its start, or for a resumed run
         * (epoch above 1; its time marks are read for those alone) the time it ran, then that span:
         * {@code 20.0s (over 1h00m)} ({@link Durations#OVER_NOTE}).
         */
        private static String durationCell(Wiring w, RunView r, long end) {
            if (r.epoch() <= 1) return Durations.format(end - r.startedAtMillis());
            io.swarmflow.cli.view.RunTimes times = io.swarmflow.cli.view.RunTimes.read(w.service, r.runId());
            if (times.resumes() == 0) return Durations.format(end - r.startedAtMillis());
            return Durations.runningOverCell(times.runningMillis(end), end - r.startedAtMillis());
        }

        // the description's first line comes from the runs table (RunView.description): reading each run's stored plan
        // for it (the whole plan, parsed) took `runs` of 394 runs of 501 tickets from 1.8 s to 9 s and 94 to 430 MB

        /** Characters of the description's first line in the table; {@code --json} has the line whole, {@code swarm status RUN} the text. */
        static final int DESCRIPTION_CHARS = 60;

        @Option(names = "--json", description = "Machine-readable output.") boolean json;
        @Option(names = "--limit", paramLabel = "N", description = "Lists only the newest N runs (of those --state "
                + "selects); a line under the table says how many were left out. Default: all.") Integer limit;
        @Option(names = "--state", paramLabel = "STATE", split = ",", description = "Lists only the runs in these states "
                + "(comma-separated, or the option repeated): created, running, succeeded, failed, cancelled. A run whose coordinator was killed is "
                + "running (shown as running (stopped)).")
        List<String> states;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        /**
         * The run states {@code --state} names, or null without it.
         *
         * @throws InvalidRequestException for a name that is not a run state
         */
        static java.util.Set<io.swarmflow.store.RunState> runStates(List<String> names) {
            return statesNamed(names, io.swarmflow.store.RunState.class, io.swarmflow.store.RunState::label, "run");
        }

        /** The states {@code --state} names, as {@code swarm status} says them: {@code " in state failed or cancelled"}. */
        private static String inStates(java.util.Set<io.swarmflow.store.RunState> only) {
            if (only == null) return "";
            return " in state " + String.join(" or ", only.stream().map(io.swarmflow.store.RunState::label).toList());
        }

        @Override
        public Integer call() throws IOException {
            PrintStream out = Streams.out(spec);
            // bad options before anything is read
            if (limit != null && limit < 1) {
                throw new InvalidRequestException("--limit must be a whole number of runs, 1 or more, not " + limit
                        + "; omit it to list every run");
            }
            java.util.Set<io.swarmflow.store.RunState> only = runStates(states);
            Path stateDir = state.resolve();
            if (Files.notExists(stateDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // nothing was ever run here: no runs, not an error
                if (json) out.println("[]");
                else out.println("no runs in " + io.swarmflow.spec.SpecError.printable(stateDir.toString()) + " (there is no state directory there yet)");
                return ExitCodes.OK;
            }
            // a directory made ahead (mkdir .swarm) holding neither a database nor run files: no runs either (run files
            // without their database are a lost database, which Wiring.existing reports)
            // (one the user cannot read looks empty too: Wiring.existing says whose it is)
            if (Files.isDirectory(stateDir) && Files.isReadable(stateDir) && Files.isExecutable(stateDir)
                    && !Files.exists(stateDir.resolve(Wiring.DB_FILE)) && !Files.exists(stateDir.resolve("runs"))) {
                if (json) out.println("[]");
                else out.println("no runs in " + io.swarmflow.spec.SpecError.printable(stateDir.toString()) + Wiring.enclosingStateDir(stateDir)
                        .map(d -> io.swarmflow.spec.SpecError.printable(d.toString()))
                        .map(d -> "; it is inside the state directory " + d + ": `swarm runs --state-dir " + d + "` lists its runs")
                        .orElse(" (it holds no Swarmflow state yet)"));
                return ExitCodes.OK;
            }
            try (Wiring w = Wiring.forReading(stateDir, Streams.err(spec))) {
                // the store reads the newest runs --state selects, up to --limit, and counts the others
                RunService.Observations listed = w.service.observeNewest(limit == null ? Integer.MAX_VALUE : limit, only);
                List<RunService.Observed> runs = listed.runs(); // newest first
                int matching = listed.matching();
                // damaged pages the listing did not read (a run's tickets or events): which runs they hit
                RunsDamage damage = RunsDamage.of(w, runs.stream().map(o -> o.run().runId()).toList(), limit == null,
                        runs.stream().mapToLong(o -> o.run().ticketCount()).sum());
                if (json) {
                    ArrayNode a = JSON.createArrayNode();
                    for (RunService.Observed o : runs) {
                        var node = runJson(a.addObject(), o.run(), "descriptionFirstLine", o.run().description()).put("tickets", o.run().ticketCount())
                                .put("executing", o.executing());
                        if (damage.runs().containsKey(o.run().runId())) node.put("unreadable", damage.runs().get(o.run().runId()));
                    }
                    out.println(JSON.writeValueAsString(a));
                    return damaged(damage, w.stateDir, Streams.err(spec));
                }
                if (runs.isEmpty()) {
                    out.println(only == null ? "no runs in " + io.swarmflow.spec.SpecError.printable(w.stateDir.toString())
                            : "no run in " + io.swarmflow.spec.SpecError.printable(w.stateDir.toString()) + " is" + inStates(only));
                    return ExitCodes.OK;
                }
                List<List<String>> rows = new ArrayList<>();
                for (RunService.Observed o : runs) {
                    RunView r = o.run();
                    long stoppedAt = stoppedAt(w, o);
                    long end = r.finishedAtMillis() != 0 ? r.finishedAtMillis() : stoppedAt != 0 ? stoppedAt : System.currentTimeMillis();
                    // a run stopped before any ticket started (at an approval gate, say) has no duration up to its last event
                    // worth showing ("0ms"); its attempts are read for stopped runs alone, which are few
                    boolean noDuration = r.startedAtMillis() == 0 || stoppedAt != 0 && w.service.attempts(r.runId()).isEmpty();
                    rows.add(List.of(r.runId(), Tables.name(r.name()), damage.state(r.runId(), r.state().label() + (stoppedAt != 0 ? " (stopped)" : "")), Integer.toString(r.ticketCount()),
                            Tables.time(r.createdAtMillis()), noDuration ? "-" : stoppedAt != 0 ? Durations.lastEventCell(end - r.startedAtMillis())
                                    : durationCell(w, r, end),
                            r.description() == null ? "-" : io.swarmflow.cli.view.Printable.shorten(r.description(), DESCRIPTION_CHARS)));
                }
                Tables.print(out, List.of("RUN", "NAME", "STATE", "TICKETS", "CREATED", "DURATION", "DESCRIPTION"), rows);
                if (runs.size() < matching) {
                    int left = matching - runs.size();
                    out.println("(the newest " + runs.size() + " of " + matching + " runs" + inStates(only) + "; " + left
                            + " older " + (left == 1 ? "one" : "ones") + " left out by --limit " + limit + ": raise it, or omit "
                            + "it to list every run)");
                }
                if (runs.stream().anyMatch(RunService.Observed::stopped)) {
                    out.println("(stopped): " + STOPPED_NOTE + "; `swarm resume RUN` continues it");
                    if (rows.stream().anyMatch(r -> r.get(5).endsWith(" (last event)"))) out.println(Durations.LAST_EVENT_NOTE);
                }
                if (rows.stream().anyMatch(r -> r.get(5).contains(" (over "))) out.println(Durations.OVER_NOTE);
                if (runs.stream().anyMatch(o -> o.run().state() == io.swarmflow.store.RunState.CREATED && !o.executing())) {
                    out.println("created: the `swarm run` that created it stopped before it began; `swarm resume RUN` starts it");
                }
                return damaged(damage, w.stateDir, Streams.err(spec));
            }
        }
    }

    /** Exit 2, the damage said on stderr, when {@code damage} found any; else 0. */
    private static int damaged(RunsDamage damage, Path stateDir, PrintStream err) {
        if (!damage.any()) return ExitCodes.OK;
        err.println("swarm: " + damage.message(stateDir));
        return ExitCodes.INVALID_INPUT;
    }

    @Command(name = "logs", description = "Prints the output of a ticket's attempt (the last one by default).",
            exitCodeList = "4:the run's log directory or the attempt's log folder is missing, or a log file cannot be read")
    static final class Logs implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN", description = SwarmCli.RUN_HELP) String runId;
        @Parameters(index = "1", paramLabel = "TICKET", description = SwarmCli.TICKET_HELP) String ticketId;
        @Option(names = "--attempt", paramLabel = "N", description = "Which attempt (default: the last).") Integer attempt;
        @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the attempt ends; without --attempt, "
                + "wait for a ticket that has not started and carry on into its retries. Ends at once (saying why) when no "
                + "coordinator executes the run.") boolean follow;
        @Option(names = "--stream", paramLabel = "STREAM", defaultValue = "both",
                description = "stdout, stderr or both (default: ${DEFAULT-VALUE}); with both, each stream comes under a "
                        + "header when both have output.") String stream;
        @Option(names = "--raw", description = "The bytes as written on a terminal too, escape sequences included (a ticket's "
                + "could set the clipboard or the window title, or move the cursor). Without it, on a terminal, control characters "
                + "other than newline and tab are shown as ^[ and colours (SGR) kept, as less -R does; piped or redirected, "
                + "the bytes are as written either way.") boolean raw;
        @Mixin StateOptions state;
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintStream out = Streams.out(spec);
            if (!List.of("stdout", "stderr", "both").contains(stream)) {
                throw new InvalidRequestException("--stream must be stdout, stderr or both, not '" + stream + "'");
            }
            // on a terminal, a ticket's escape sequences would act on it (set the clipboard or the title, move the cursor):
            // shown as the live view shows them, colours kept; piped or redirected, or with --raw, the bytes as written
            stdout = out;
            PrintableBytes shown = !raw && Stdout.isTerminal(out) ? new PrintableBytes(out) : null;
            shownBytes = shown;
            // Ctrl-C during --follow: see ColourResetAtExit
            Thread resetOnExit = shown == null ? null
                    : new Thread(new ColourResetAtExit(out, shown, ColourResetAtExit.JOIN_MILLIS), "swarm-logs-reset");
            if (resetOnExit != null) Runtime.getRuntime().addShutdownHook(resetOnExit);
            try (Wiring w = Wiring.forReading(state.resolve(), Streams.err(spec))) {
                return logs(w, shown == null ? out : new PrintStream(shown, false, out.charset()));
            } catch (ReaderGone e) { // `swarm logs ... | head`: nothing to say, and no one to say it to
                return ExitCodes.OUTPUT_CLOSED;
            } finally {
                if (shown != null) shown.finish();
                if (resetOnExit != null) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(resetOnExit);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook runs: it resets the colours once more, which is harmless
                    }
                }
            }
        }

        /**
         * The shutdown hook's work on a terminal (a Ctrl-C during {@code --follow}): prints what the log's
         * {@link PrintableBytes} read and still holds (its buffer of up to {@value PrintableBytes#BUFFER_BYTES} bytes, and a
         * control character cut by the last read: a progress bar's trailing CR as a line end) and resets the colours, by
         * {@link PrintableBytes#end}, then flushes {@code out}: the terminal shows all of the log that was read, as the
         * log file holds it, and is not left in a colour (or concealed) the ticket's output set, since what the main
         * thread (not stopped by a shutdown hook) copies after that is dropped. Without a
         * {@code PrintableBytes} it writes the SGR reset ({@link PrintableBytes#RESET_TEXT}) alone. It writes from a daemon
         * thread and waits for it at most {@code joinMillis}: a terminal that does not take output (stopped with Ctrl-S)
         * would otherwise hold the exit, the main thread blocked in a write holding the stream's lock, and the hook's write
         * waiting for that lock.
         */
        static final class ColourResetAtExit implements Runnable {
            /** How long the exit waits for the reset to be written, in milliseconds. */
            static final long JOIN_MILLIS = 500;
            private final PrintStream out;
            private final PrintableBytes shown;
            private final long joinMillis;

            /**
             * Writes the SGR reset alone, at most {@code joinMillis} waited for.
             *
             * @param out        the command's standard output (the terminal)
             * @param joinMillis how long {@link #run} waits for the write, in milliseconds (positive)
             * @throws IllegalArgumentException when {@code joinMillis} is not positive
             */
            ColourResetAtExit(PrintStream out, long joinMillis) {
                this(out, null, joinMillis);
            }

            /**
             * @param out        the command's standard output (the terminal), which {@code shown} writes to
             * @param shown      the log's filter over {@code out}, finished at exit; null for none (the reset alone)
             * @param joinMillis how long {@link #run} waits for the write, in milliseconds (positive)
             * @throws IllegalArgumentException when {@code joinMillis} is not positive
             */
            ColourResetAtExit(PrintStream out, PrintableBytes shown, long joinMillis) {
                if (joinMillis <= 0) {
                    throw new IllegalArgumentException("joinMillis must be positive (how long the exit waits for the colour "
                            + "reset, in milliseconds), not " + joinMillis);
                }
                this.out = out;
                this.shown = shown;
                this.joinMillis = joinMillis;
            }

            @Override
            public void run() {
                reset();
            }

            /** Writes as {@link #run} does; whether it was written (and flushed) within {@code joinMillis}. */
            boolean reset() {
                Thread write = Thread.ofPlatform().daemon().name("swarm-logs-reset-write").start(() -> {
                    if (shown == null) {
                        out.print(PrintableBytes.RESET_TEXT);
                    } else {
                        try {
                            shown.end(); // what was read and is still held, the reset if colours passed; nothing after
                        } catch (java.io.IOException e) {
                            return; // the terminal cannot be written (PrintStream keeps no error for us here)
                        }
                    }
                    out.flush();
                });
                try {
                    return write.join(java.time.Duration.ofMillis(joinMillis));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }

        /** The terminal filter the log goes through, or null (piped, redirected, --raw). */
        private PrintableBytes shownBytes;

        /**
         * Ends what a ticket's output left on the terminal (a colour, a concealed text, a sequence cut short) before
         * swarm's own lines (a file's header, a note on stderr), which it would otherwise carry into or hide.
         */
        private void endTicketOutput(PrintStream out) throws IOException {
            out.flush();
            if (shownBytes != null) shownBytes.finish();
        }

        /** The command's standard output, under the {@link PrintableBytes} the log goes through on a terminal. */
        private PrintStream stdout;

        /** Standard output can no longer be written (its reader went away: EPIPE); ends the command quietly. */
        private static final class ReaderGone extends RuntimeException {
            ReaderGone() {
                super(null, null, false, false);
            }
        }

        /**
         * Throws {@link ReaderGone} when writing to {@code out}, or to standard output under it, failed (PrintStream keeps
         * the error instead of throwing it).
         */
        private void checkReader(PrintStream out) {
            if (out.checkError() || stdout.checkError()) throw new ReaderGone();
        }

        private int logs(Wiring w, PrintStream out) throws Exception {
            {
                runId = resolveRun(w, "logs", runId, ticketId);
                TicketView t = w.service.tickets(runId).stream().filter(v -> v.ticketId().equals(ticketId)).findFirst()
                        .orElseThrow(() -> w.service.noSuchTicket(runId, ticketId));
                if (attempt != null && (attempt < 1 || attempt > t.attempt())) {
                    throw new InvalidRequestException(t.attempt() == 0 ? ticketId + " has no attempts yet (" + t.state().label()
                            + "); there is no attempt " + attempt : ticketId + (t.attempt() == 1 ? " has one attempt, 1" : " has attempts 1 to "
                            + t.attempt()) + "; there is no attempt " + attempt + " (`swarm status " + runId + " " + ticketId + "` lists them)");
                }
                int n = attempt != null ? attempt : t.attempt();
                if (n == 0 && follow && attempt == null) { // follow a ticket that has not started: wait for its first attempt
                    // said once, on stderr: a wait in silence cannot be told from a hung command (nor what would end it)
                    if (mayStillRun(w, t)) Streams.err(spec).println("swarm: " + notStartedYet(w, t) + "; waiting for its first attempt");
                    while (t.attempt() == 0 && mayStillRun(w, t)) {
                        Thread.sleep(200);
                        t = ticket(w);
                    }
                    n = Math.min(t.attempt(), 1); // from its first attempt, even if a retry began meanwhile
                }
                if (n == 0) {
                    // the reason is a ticket's or a rejecter's text: its control characters shown, as status shows them; on
                    // stderr, as every note of logs, so that `swarm logs ... > file` holds the ticket's bytes alone
                    Streams.err(spec).println("swarm: " + io.swarmflow.cli.view.Printable.of(ticketId + (t.state() == io.swarmflow.store.TicketState.SKIPPED
                            || t.state() == io.swarmflow.store.TicketState.FAILED || t.state() == io.swarmflow.store.TicketState.CANCELLED
                            ? " never ran (" + t.state().label() + (t.reason() == null ? "" : ": " + io.swarmflow.cli.view.Printable.cutReason(t.reason(),
                            "in `swarm status " + runId + " " + ticketId + "`")) + ")"
                            : " has not started yet (" + t.state().label() + ")")));
                    explainStopped(w);
                    return ExitCodes.OK;
                }
                // made when the run starts, before any attempt: without it the attempts' output is not "none", it is gone
                Path logDir = w.runDir(runId).resolve("logs");
                if (!Files.isDirectory(logDir)) {
                    Streams.err(spec).println("swarm: the log directory " + io.swarmflow.spec.SpecError.printable(logDir.toString()) + " of run " + runId + " is missing (deleted or "
                            + "moved), so the output of " + ticketId + "'s attempts is gone; restore it from a backup to read it");
                    return ExitCodes.STORE_UNAVAILABLE;
                }
                // made on the first byte: an attempt recorded as having written some but without one lost it (one that
                // printed nothing has none; a running attempt, or one recorded without the count, is not judged)
                Path attemptDir = logDir.resolve(ticketId).resolve(Integer.toString(n));
                if (!follow && !Files.isDirectory(attemptDir) && wroteOutput(w, n)) {
                    Streams.err(spec).println("swarm: the log folder " + io.swarmflow.spec.SpecError.printable(attemptDir.toString()) + " of " + ticketId + " attempt " + n
                            + " is missing (deleted or moved, or it could not be made while the attempt ran), so its output "
                            + "is gone; restore it from a backup to read it");
                    return ExitCodes.STORE_UNAVAILABLE;
                }
                // which attempt this is, when the user did not choose it, on stderr so that stdout stays the log
                if (t.attempt() > 1 && attempt == null) {
                    // --follow too: it starts at the latest attempt, and only the later ones get a "==> attempt N <==" line
                    // (of a ticket that has ended, or no coordinator executes, there is no retry to follow)
                    Streams.err(spec).println("swarm: " + ticketId + " attempt " + n + ofAttempts(w, t)
                            + (follow && mayStillRun(w, t) ? "; following it and any retry" : "") + "; see another with --attempt N");
                }
                while (true) {
                    long printed = print(w, n, out);
                    endTicketOutput(out);
                    if (printed == 0) noOutput(w, n);
                    if (follow) sayEnded(w, n);
                    if (!follow) {
                        if (attemptRunning(w, ticketId, n)) { // what there is so far: say that more may come
                            Streams.err(spec).println("swarm: " + ticketId + " attempt " + n + " is still running; `swarm logs "
                                    + runId + " " + ticketId + " --follow` keeps printing its output");
                        }
                        explainStopped(w);
                        return ExitCodes.OK;
                    }
                    if (attempt != null) {
                        explainStopped(w);
                        return ExitCodes.OK;
                    }
                    // following the latest attempt: carry on into a retry while the ticket may still get one
                    int done = n;
                    t = ticket(w);
                    while (t.attempt() == done && mayStillRun(w, t)) {
                        Thread.sleep(200);
                        t = ticket(w);
                    }
                    if (t.attempt() == done) {
                        explainStopped(w);
                        return ExitCodes.OK;
                    }
                    n = done + 1; // every attempt in turn, even if several passed between two looks

                    if (followedMidLine) out.println(); // the previous attempt's last line, not ended: the header gets a line of its own
                    out.println("==> attempt " + n + " <==");
                    checkReader(out);
                }
            }
        }

        /**
         * Which of how many attempts the latest is: {@code " of 2"} when no other can follow it, {@code " (of up to 3)"}
         * while the ticket may still retry (a failure of the running attempt, or the retry it waits for, leaves retries
         * of its {@code retries.max}; attempts lost with a coordinator do not count against them, so there may be more).
         */
        private String ofAttempts(Wiring w, TicketView t) {
            if (t.state().isFinal()) return " of " + t.attempt();
            int max = w.service.plan(runId).tickets().stream().filter(p -> p.id().equals(ticketId)).findFirst()
                    .map(p -> p.retries().max()).orElse(0);
            int failed = t.failures() + (t.state() == io.swarmflow.store.TicketState.RUNNING ? 1 : 0); // if this one fails
            int upTo = t.attempt() + Math.max(0, max + 1 - failed);
            return upTo > t.attempt() ? " (of up to " + upTo + ")" : " of " + t.attempt();
        }

        /**
         * A ticket with no attempt that may still start, in the words of {@code swarm status}: {@code b has not started
         * yet (pending: waits for a (running))}, {@code g has not started yet (awaiting-approval: approve it with `swarm
         * approve RUN g`)}.
         */
        private String notStartedYet(Wiring w, TicketView t) {
            String why = switch (t.state()) {
                case AWAITING_APPROVAL -> "approve it with `swarm approve " + runId + " " + ticketId + "`, or reject it with `swarm reject "
                        + runId + " " + ticketId + " --reason TEXT`";
                case PENDING -> {
                    String waits = Status.unfinishedNeeds(w, runId, ticketId);
                    yield waits == null ? null : "waits for " + waits;
                }
                default -> null;
            };
            return io.swarmflow.cli.view.Printable.of(ticketId + " has not started yet (" + t.state().label() + (why == null ? "" : ": " + why) + ")");
        }

        /**
         * The ticket may still run, but no coordinator executes the run (stopped, cancelled, not started), so its output
         * stops where it is: says so on stderr (after the output, with or without --follow), in the words of
         * {@code swarm status}, and what would make the ticket go on. Nothing for a ticket that ended or a run being executed.
         */
        private void explainStopped(Wiring w) {
            TicketView t = ticket(w);
            if (t.state().isFinal() || w.service.isExecuting(runId)) return;
            RunView run = w.service.requireRun(runId);
            String why = switch (run.state()) {
                case CANCELLED -> "it was cancelled";
                case CREATED -> "it never started (the `swarm run` that created it stopped before it began)";
                default -> STOPPED_NOTE;
            };
            String resume = "`swarm resume " + runId + "` " + (run.state() == io.swarmflow.store.RunState.CREATED ? "starts" : "continues")
                    + " the run";
            String what = switch (t.state()) {
                case RUNNING -> "was interrupted in attempt " + t.attempt() + "; " + resume;
                case CANCELLED -> (t.attempt() == 0 ? "was cancelled before it started" : "was interrupted in attempt " + t.attempt())
                        + "; " + resume;
                case AWAITING_APPROVAL -> "is awaiting approval: approve it with `swarm approve " + runId + " " + ticketId
                        + "` (or reject it), then " + resume;
                case RETRY_WAIT -> "is waiting to retry after attempt " + t.attempt() + "; " + resume;
                default -> t.state().phrase() + "; " + resume;
            };
            // two lines, what the run is and what the ticket needs, as status says them: one was over 200 characters
            Streams.err(spec).println("swarm: run " + runId + " is not running: " + why);
            Streams.err(spec).println("swarm: ticket " + ticketId + " " + what);
        }

        /**
         * With --follow, once attempt {@code n} is no longer followed: says on stderr how it ended when it did not succeed
         * ({@code swarm: build attempt 1 failed: exited with code 7}), so that the command can serve as a watcher (its exit
         * code stays 0: it says whether the output could be printed). Nothing for an attempt that succeeded or still runs,
         * or that was stopped with a run no longer executed, which {@link #explainStopped} tells.
         */
        private void sayEnded(Wiring w, int n) {
            AttemptView a = w.service.attempts(runId).stream().filter(v -> v.ticketId().equals(ticketId) && v.attempt() == n)
                    .findFirst().orElse(null);
            if (a == null || a.outcome() == null || a.outcome() == io.swarmflow.store.Outcome.SUCCEEDED) return;
            boolean stopped = a.outcome() == io.swarmflow.store.Outcome.CANCELLED || a.outcome() == io.swarmflow.store.Outcome.LEASE_EXPIRED;
            if (stopped && !ticket(w).state().isFinal() && !w.service.isExecuting(runId)) return; // explainStopped says it
            String label = a.outcome().label();
            String why = a.reason() != null ? a.reason() : a.exitCode() != null ? "exit code " + a.exitCode() : null;
            // "timed out after 1s", not "timed-out: timed out after 1s"; "cancelled", not "cancelled: cancelled"
            String end = why == null || why.equals(label) ? label
                    : why.startsWith(label) || why.startsWith(label.replace('-', ' ')) ? why : label + ": " + why;
            Streams.err(spec).println("swarm: " + io.swarmflow.cli.view.Printable.of(ticketId + " attempt " + n + " "
                    + io.swarmflow.cli.view.Printable.cutReason(end, "in `swarm status " + runId + " " + ticketId + " --json`")));
        }

        private TicketView ticket(Wiring w) {
            return w.service.tickets(runId).stream().filter(v -> v.ticketId().equals(ticketId)).findFirst().orElseThrow();
        }

        /** Whether the ticket may still start an attempt: not final, and a coordinator executes the run. */
        private boolean mayStillRun(Wiring w, TicketView t) {
            return !t.state().isFinal() && t.state() != io.swarmflow.store.TicketState.CANCELLED && w.service.isExecuting(runId);
        }

        /** Whether the ticket's agent runs a process, which may print (a {@code noop} ticket's attempts print nothing). */
        private boolean ranAProcess(Wiring w) {
            io.swarmflow.spec.Plan plan = w.service.plan(runId);
            return plan.tickets().stream().filter(p -> p.id().equals(ticketId)).findFirst()
                    .map(p -> !"noop".equals(plan.profileOf(p).kind())).orElse(true);
        }

        /** Whether attempt {@code n} is recorded as having written to stdout or stderr (a count above 0). */
        private boolean wroteOutput(Wiring w, int n) {
            return w.service.attempts(runId).stream().anyMatch(a -> a.ticketId().equals(ticketId) && a.attempt() == n
                    && a.outputBytes() != null && a.outputBytes() > 0);
        }

        /**
         * Says on stderr, not among the log's bytes on stdout, that attempt {@code n} printed nothing on the streams asked
         * for, and, when only one was asked for and the other has output, how to see it. Nothing for an attempt still
         * running, printed without --follow: the line saying it runs says that more may come. For an attempt that ran a
         * process and ended without a log folder or a recorded size, that it cannot be told whether it printed nothing.
         */
        private void noOutput(Wiring w, int n) {
            if (!follow && attemptRunning(w, ticketId, n)) return; // "is still running" says that more may come
            Path dir = w.runDir(runId).resolve("logs").resolve(ticketId).resolve(Integer.toString(n));
            AttemptView ended = w.service.attempts(runId).stream().filter(a -> a.ticketId().equals(ticketId) && a.attempt() == n
                    && a.finishedAtMillis() != 0 && a.outputBytes() == null).findFirst().orElse(null);
            if (ended != null && !Files.isDirectory(dir) && ranAProcess(w)) {
                // the folder is made on the first byte, and the size recorded at the end tells a quiet attempt from one
                // whose folder is gone: without the size (an attempt its coordinator left running, an older swarm's), neither
                Streams.err(spec).println("swarm: no output found for " + ticketId + " attempt " + n + ": it has no log folder, "
                        + "and the size of its output was not recorded" + (ended.outcome() == io.swarmflow.store.Outcome.LEASE_EXPIRED
                        ? " (its coordinator stopped while it ran)" : "") + ", so it may have printed nothing, or its folder "
                        + dir + " may have been deleted");
                return;
            }
            String other = stream.equals("stdout") ? "stderr" : stream.equals("stderr") ? "stdout" : null;
            Streams.err(spec).println("swarm: no output " + (other == null ? "" : "on " + stream + " ") + "recorded for " + ticketId
                    + " attempt " + n
                    + (other != null && nonEmpty(dir.resolve(other + ".log")) ? "; it wrote to " + other + ": `--stream " + other
                    + "` prints that" : ""));
        }

        /** Whether the output of the attempt last followed ended inside a line (see {@link LogsFollow#midLine}). */
        private boolean followedMidLine;

        /**
         * Prints attempt {@code n}'s logs; with --follow, keeps printing until the attempt ends (see {@link LogsFollow}).
         * Returns the number of bytes
         * printed (0: the attempt wrote nothing on the streams asked for, said by {@link #noOutput}).
         */
        private long print(Wiring w, int n, PrintStream out) throws IOException, InterruptedException {
            Path dir = w.runDir(runId).resolve("logs").resolve(ticketId).resolve(Integer.toString(n));
            List<Path> files = new ArrayList<>();
            if (!stream.equals("stderr")) files.add(dir.resolve("stdout.log"));
            if (!stream.equals("stdout")) files.add(dir.resolve("stderr.log"));
            if (follow) {
                // both streams as they come, interleaved at line ends; a header after it starts a line of its own
                LogsFollow followed = new LogsFollow(files);
                followed.poll(out, false);
                checkReader(out); // flushes
                while (attemptRunning(w, ticketId, n)) {
                    Thread.sleep(200);
                    followed.poll(out, false);
                    checkReader(out);
                }
                followed.poll(out, true);
                checkReader(out);
                followedMidLine = followed.midLine();
                return followed.printed();
            }
            long[] offsets = new long[files.size()];
            // both streams asked for and both with output: say which is which (one alone is printed as it is, as --follow
            // prints them, so that the output of a ticket that wrote to one stream is its log byte for byte)
            boolean headers = files.size() > 1 && files.stream().allMatch(Logs::nonEmpty);
            boolean midLine = false; // the previous file ended without a newline: the next header starts a line of its own
            for (int i = 0; i < files.size(); i++) {
                if (headers) {
                    endTicketOutput(out);
                    if (midLine) out.println();
                    out.println("==> " + files.get(i).getFileName() + " <==");
                }
                offsets[i] = copy(files.get(i), 0, out);
                if (offsets[i] > 0) midLine = !endsWithNewline(files.get(i));
            }
            return java.util.Arrays.stream(offsets).sum();
        }

        /**
         * Whether attempt {@code n} is running or may still start: a coordinator must be executing the run, as
         * an attempt of a run whose coordinator was killed stays recorded as running until a resume.
         */
        private boolean attemptRunning(Wiring w, String ticket, int n) {
            if (!w.service.isExecuting(runId)) return false;
            for (AttemptView a : w.service.attempts(runId)) {
                if (a.ticketId().equals(ticket) && a.attempt() == n) return a.isRunning();
            }
            // not started yet: keep following while the ticket may still start this attempt
            return w.service.requireRun(runId).state() == io.swarmflow.store.RunState.RUNNING;
        }

        private static boolean nonEmpty(Path file) {
            try {
                return Files.size(file) > 0;
            } catch (IOException e) {
                return false;
            }
        }

        private static boolean endsWithNewline(Path file) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                if (raf.length() == 0) return true;
                raf.seek(raf.length() - 1);
                return raf.read() == '\n';
            } catch (IOException e) {
                throw unreadable(file, e);
            }
        }

        /**
         * A log file that exists but cannot be read (its permissions, a directory in its place, an I/O error), as the
         * state that could not be read (exit 4), naming the file: it would otherwise be an internal error.
         */
        static io.swarmflow.store.StoreException.Unavailable unreadable(Path file, IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            String own = file + " (";
            if (why.startsWith(own) && why.endsWith(")")) why = why.substring(own.length(), why.length() - 1); // "PATH (Reason)"
            return new io.swarmflow.store.StoreException.Unavailable("the log file " + file + " cannot be read: " + why, e);
        }

        /**
         * Prints the file from {@code offset} to its current end, as raw bytes (a character cut by a chunk or by a
         * write in progress is completed by the next call, not replaced); returns the new offset.
         */
        private long copy(Path file, long offset, PrintStream out) {
            if (!Files.exists(file)) return offset;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
                long len = raf.length();
                raf.seek(offset);
                byte[] buf = new byte[(int) Math.min(Math.max(len - offset, 0), 1 << 16)];
                while (offset < len) {
                    int n = raf.read(buf, 0, (int) Math.min(buf.length, len - offset));
                    if (n < 0) break; // truncated meanwhile
                    out.write(buf, 0, n);
                    offset += n;
                }
                checkReader(out); // flushes
                return offset;
            } catch (IOException e) {
                throw unreadable(file, e);
            }
        }
    }

    /**
     * The states a {@code --state} option names (its values, each a state's label, case and spaces aside), or null
     * without it.
     *
     * @param what "ticket" or "run", for the error
     * @throws InvalidRequestException for a name that is no state of {@code type}, listing the labels
     */
    static <S extends Enum<S>> java.util.Set<S> statesNamed(List<String> names, Class<S> type,
                                                            java.util.function.Function<S, String> label, String what) {
        if (names == null) return null;
        java.util.Map<String, S> byLabel = new java.util.LinkedHashMap<>();
        for (S s : type.getEnumConstants()) byLabel.put(label.apply(s), s);
        java.util.Set<S> states = java.util.EnumSet.noneOf(type);
        for (String name : names) {
            S s = byLabel.get(name.strip().toLowerCase(java.util.Locale.ROOT));
            if (s == null) {
                throw new InvalidRequestException("unknown " + what + " state '" + io.swarmflow.spec.SpecError.printable(name)
                        + "' in --state; use one or more of " + String.join(", ", byLabel.keySet()) + ", separated by commas");
            }
            states.add(s);
        }
        return states;
    }

    /**
     * How long listing the filter drivers for {@link #safeGitStatus} may take, in milliseconds: 30,000, or the system
     * property {@value #GIT_HINT_DEADLINE_PROPERTY} (for tests).
     */
    static final String GIT_HINT_DEADLINE_PROPERTY = "swarmflow.statusGitHint.deadlineMillis";

    /**
     * What {@code swarm status RUN TICKET} says about running git in a failed ticket's worktree (whose {@code .git} is
     * git's own): a {@code git status} that runs none of the user's filter drivers, hooks or fsmonitor there
     * ({@code command}), or, when no such command can be given, why not ({@code whyNot}, a phrase ending in what to do
     * first). Exactly one of the two is set.
     */
    record GitHint(String command, String whyNot) {}

    /**
     * A {@code git status} of {@code worktree} that runs no filter driver, no hook and no {@code core.fsmonitor} of the
     * user's configuration on what a ticket wrote: {@code git -C WT --no-optional-locks -c core.fsmonitor=false -c
     * core.hooksPath=/dev/null [-c filter.D.clean= -c filter.D.process= -c filter.D.required=false]... status
     * --no-renames}, for each driver D the configuration seen in {@code worktree} defines
     * ({@link Wiring#filterDrivers}), each argument quoted for a POSIX shell when it needs it
     * ({@code --no-optional-locks}: git does not write the index, which would run a {@code post-index-change} hook).
     * No command when the drivers cannot be listed (git missing, failing, or not done within the deadline, as with a
     * configuration that includes a FIFO), nor when a driver's name cannot be given on the printed line: it holds
     * {@code =} or is not UTF-8 ({@link Wiring#whyFilterDriverCannotBeNamed}), or a character
     * {@link io.swarmflow.cli.view.Printable#of} shows otherwise (a tab, a control character), so the line shown would
     * name another driver.
     *
     * @param worktree the worktree, whose {@code .git} is git's own ({@link Wiring#whyGitIsUnsafeIn} said nothing)
     * @return the command, one line, or why there is none
     */
    static GitHint safeGitStatus(Path worktree) {
        List<String> drivers;
        try {
            drivers = Wiring.filterDrivers(worktree, java.time.Duration.ofMillis(Long.getLong(GIT_HINT_DEADLINE_PROPERTY, 30_000)));
        } catch (java.io.IOException e) {
            return new GitHint(null, "swarm cannot list your filter drivers (" + e.getMessage() + "): do not run git there "
                    + "before you have turned off each driver `git -C " + shellWord(worktree.toString())
                    + " config --get-regexp '^filter\\.'` lists (-c filter.<driver>.clean= -c filter.<driver>.process= -c "
                    + "filter.<driver>.required=false), and hooks and fsmonitor (-c core.hooksPath=/dev/null -c core.fsmonitor=false)");
        }
        StringBuilder cmd = new StringBuilder("git -C " + shellWord(worktree.toString())
                + " --no-optional-locks -c core.fsmonitor=false -c core.hooksPath=/dev/null");
        for (String d : drivers) {
            java.util.Optional<String> why = Wiring.whyFilterDriverCannotBeNamed(d);
            if (why.isEmpty() && !io.swarmflow.cli.view.Printable.of(d).equals(d)) {
                why = java.util.Optional.of("its name holds a tab or control character, which a line shown here cannot hold");
            }
            if (why.isPresent()) {
                return new GitHint(null, "your git configuration defines a filter driver named '" + d + "', which git -c cannot "
                        + "turn off: " + why.get() + "; do not run git there before you have renamed it (git config --rename-section)");
            }
            cmd.append(" -c ").append(shellWord("filter." + d + ".clean=")).append(" -c ").append(shellWord("filter." + d + ".process="))
                    .append(" -c ").append(shellWord("filter." + d + ".required=false"));
        }
        return new GitHint(cmd.append(" status --no-renames").toString(), null);
    }

    /** {@code word} as one word of a POSIX shell: as it is when it holds only safe characters, else in single quotes. */
    private static String shellWord(String word) {
        if (!word.isEmpty() && word.chars().allMatch(c -> c < 0x80 && (Character.isLetterOrDigit(c) || "_-./=:@%+,".indexOf(c) >= 0))) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
