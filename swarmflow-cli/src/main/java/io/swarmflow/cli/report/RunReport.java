package io.swarmflow.cli.report;

import io.swarmflow.cli.view.RunTimes;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The end-of-run report: a snapshot of a run, its plan, tickets and attempts, plus the tail of the
 * logs of failed tickets, written as {@code report.json} (shape in {@code docs/report.md}) and as a
 * self-contained {@code report.html} (ticket table, DAG and timeline as inline SVG, failure logs).
 *
 * <p>Works for runs still in progress: unfinished runs, tickets and attempts are measured up to the
 * moment the report was built. Instances are immutable.
 */
public final class RunReport {
    /** Lines of a failed ticket's log kept in the report. */
    public static final int LOG_TAIL_LINES = 20;

    /**
     * One ticket in plan order; {@code title} and {@code agent} are null for a ticket the plan does not know;
     * {@code group} is the id the spec gives it (a matrix expansion's ticket, else its own id).
     */
    record Row(String id, String title, String agent, List<String> needs, TicketView view, List<AttemptView> attempts,
               String group) {}

    /**
     * Log tail of a failed ticket's last attempt.
     *
     * @param stream     {@code stderr}, {@code stdout}, or null when neither log has content
     * @param logFile    the file shown, relative to the run directory, or null
     * @param stdoutFile when {@code stream} is stderr and stdout has content too ({@code logs/.../stdout.log}, relative to
     *                   the run directory), else null: many tools print their errors on stdout (test runners, make), so a
     *                   warning on stderr must not hide them
     * @param stdoutTail its tail, {@link LogTail#EMPTY} when {@code stdoutFile} is null
     */
    record Failure(String ticketId, int attempt, String stream, String logFile, LogTail tail, String stdoutFile, LogTail stdoutTail) {
        Failure(String ticketId, int attempt, String stream, String logFile, LogTail tail) {
            this(ticketId, attempt, stream, logFile, tail, null, LogTail.EMPTY);
        }
    }

    private final RunView run;
    private final String description;
    private final List<Row> rows;
    private final List<Failure> failures;
    private final long generatedAtMillis;
    private final long stoppedAtMillis;
    private final RunTimes times;

    private RunReport(RunView run, String description, List<Row> rows, List<Failure> failures, long generatedAtMillis,
                      long stoppedAtMillis, RunTimes times) {
        this.times = times;
        this.run = run;
        this.description = description;
        this.rows = List.copyOf(rows);
        this.failures = List.copyOf(failures);
        this.generatedAtMillis = generatedAtMillis;
        this.stoppedAtMillis = stoppedAtMillis;
    }

    /**
     * Fills {@code into} with one attempt's fields as report.json's {@code tickets[].attempts[]} has them (attempt,
     * outcome, exitCode, reason, permanent, startedAt, finishedAt, durationMillis), for other commands that print attempts.
     *
     * @param durationMillis end (or, while it runs, the time it is measured up to) minus start, milliseconds; null before a start
     */
    public static void attemptJson(com.fasterxml.jackson.databind.node.ObjectNode into, AttemptView attempt, Long durationMillis) {
        ReportJson.attempt(into, attempt, durationMillis);
    }

    /**
     * Builds the report of a run.
     *
     * @param run      the run
     * @param plan     its plan (as the run recorded it when it was created); gives the spec's description, ticket order,
     *                 titles, agents and dependencies
     * @param tickets  ticket projections of the run (any order); plan tickets without one are shown as pending
     * @param attempts attempt projections of the run (any order)
     * @param runDir   the run directory; failed attempts' logs are read from
     *                 {@code runDir/logs/<ticket>/<attempt>/stderr.log} and {@code stdout.log}
     * @return the report
     */
    public static RunReport of(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts, Path runDir) {
        return of(run, plan, tickets, attempts, runDir, System.currentTimeMillis());
    }

    static RunReport of(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts, Path runDir,
                        long nowMillis) {
        return of(run, plan, tickets, attempts, runDir, nowMillis, 0);
    }

    /**
     * @param stoppedAtMillis for a run recorded as running whose coordinator stopped (killed, crashed), the time of its
     *                        last event, where what is unfinished is measured up to (nothing executes it since); else 0
     */
    static RunReport of(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts, Path runDir,
                        long nowMillis, long stoppedAtMillis) {
        return of(run, plan, tickets, attempts, runDir, nowMillis, stoppedAtMillis, RunTimes.NONE);
    }

    /**
     * @param times the run's sessions and approval waits, read from its events ({@link RunTimes#read}); with
     *              {@link RunTimes#NONE}, a run never resumed has its one session from {@code run}, a resumed one's time
     *              running is not known (report.json's {@code runningMillis} is then null), and the timeline shows no
     *              approval waits
     */
    static RunReport of(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts, Path runDir,
                        long nowMillis, long stoppedAtMillis, RunTimes times) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(times, "times");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runDir, "runDir");
        Map<String, TicketView> views = new LinkedHashMap<>();
        tickets.stream().sorted(Comparator.comparingInt(TicketView::index)).forEach(t -> views.put(t.ticketId(), t));
        Map<String, List<AttemptView>> byTicket = new HashMap<>();
        for (AttemptView a : attempts) byTicket.computeIfAbsent(a.ticketId(), k -> new ArrayList<>()).add(a);
        byTicket.values().forEach(l -> l.sort(Comparator.comparingInt(AttemptView::attempt)));

        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < plan.tickets().size(); i++) {
            PlannedTicket p = plan.tickets().get(i);
            TicketView v = views.remove(p.id());
            if (v == null) v = notStarted(run.runId(), p.id(), i);
            rows.add(new Row(p.id(), p.title(), p.agent(), p.needs(), v, byTicket.getOrDefault(p.id(), List.of()),
                    p.group() == null ? p.id() : p.group()));
        }
        for (TicketView v : views.values()) { // not in the plan: still worth showing
            rows.add(new Row(v.ticketId(), null, null, List.of(), v, byTicket.getOrDefault(v.ticketId(), List.of()), v.ticketId()));
        }

        List<Failure> failures = new ArrayList<>();
        for (Row r : rows) {
            if (r.view().state() == TicketState.FAILED) failures.add(failureOf(r, runDir, secrets(plan, r.id())));
        }
        return new RunReport(run, description(plan), rows, failures, nowMillis, stoppedAtMillis,
                times.known() || run.epoch() > 1 ? times : RunTimes.single(run));
    }

    /**
     * The spec's description, kept in the plan of the run's first event, or null when the spec has none (its plan then
     * has ""), as report.json and {@code swarm status} give it.
     */
    public static String description(io.swarmflow.spec.Plan plan) {
        return plan.description() == null || plan.description().isBlank() ? null : plan.description();
    }

    private static TicketView notStarted(String runId, String ticketId, int index) {
        return new TicketView(runId, ticketId, index, TicketState.PENDING, 0, 0, 0, null, null, Map.of(), null, 0, 0, 0);
    }

    /**
     * The secrets the report's log tails are masked with again (defence in depth, review R5; the logs were masked as
     * they were written): the values of this process's environment that the plan reads ({@code ${{ env.NAME }}}) and
     * their lines, 8 UTF-8 bytes or longer in any ticket's or profile's {@code env}, and as short as
     * {@link io.swarmflow.files.mask.Masking#MIN_LENGTH} in ticket {@code ticketId}'s own, as the run masks them.
     * Variables not set here are left out.
     */
    private static java.util.Set<String> secrets(Plan plan, String ticketId) {
        java.util.Set<String> secrets = new java.util.HashSet<>();
        for (PlannedTicket t : plan.tickets()) addSecrets(secrets, t.env().values(), t.id().equals(ticketId) ? 0 : 8);
        for (io.swarmflow.spec.AgentProfile p : plan.agents().values()) addSecrets(secrets, p.env().values(), 8);
        return secrets;
    }

    private static void addSecrets(java.util.Set<String> into, java.util.Collection<String> values, int minBytes) {
        for (String name : io.swarmflow.spec.Templates.environmentNames(values)) {
            String v = System.getenv(name);
            if (v == null) continue;
            List<String> kept = new ArrayList<>(List.of(v.split("\r?\n"))); // each line of a multi-line value too
            kept.add(v);
            for (String s : kept) {
                if (!s.isBlank() && s.getBytes(StandardCharsets.UTF_8).length >= minBytes) into.add(s);
            }
        }
    }

    private static Failure failureOf(Row r, Path runDir, java.util.Collection<String> secrets) {
        int attempt = r.view().attempt();
        if (!r.attempts().isEmpty()) attempt = Math.max(attempt, r.attempts().getLast().attempt());
        if (attempt <= 0) return new Failure(r.id(), 0, null, null, LogTail.EMPTY);
        String errRel = "logs/" + r.id() + "/" + attempt + "/stderr.log";
        String outRel = "logs/" + r.id() + "/" + attempt + "/stdout.log";
        LogTail err = LogTail.read(runDir.resolve(errRel), LOG_TAIL_LINES, secrets);
        LogTail out = LogTail.read(runDir.resolve(outRel), LOG_TAIL_LINES, secrets);
        if (!err.isEmpty()) {
            return out.isEmpty() ? new Failure(r.id(), attempt, "stderr", errRel, err)
                    : new Failure(r.id(), attempt, "stderr", errRel, err, outRel, out);
        }
        if (!out.isEmpty()) return new Failure(r.id(), attempt, "stdout", outRel, out);
        return new Failure(r.id(), attempt, null, null, LogTail.EMPTY);
    }

    /**
     * Writes {@code report.json} to {@code file} (atomically: a temporary file, then a rename).
     *
     * @throws IOException when the file cannot be written
     */
    public void writeJson(Path file) throws IOException {
        write(file, ReportJson.render(this));
    }

    /**
     * Writes the self-contained HTML report to {@code file} (atomically: a temporary file, then a rename).
     *
     * @throws IOException when the file cannot be written
     */
    public void writeHtml(Path file) throws IOException {
        write(file, ReportHtml.render(this));
    }

    /**
     * Builds the report and writes {@code report.json} and {@code report.html} into {@code runDir}.
     *
     * @return the path of {@code report.html}
     * @throws IOException when a file cannot be written
     * @see #of(RunView, Plan, List, List, Path)
     */
    public static Path writeAll(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts,
                                Path runDir) throws IOException {
        return writeAll(of(run, plan, tickets, attempts, runDir), new Output(runDir));
    }

    /**
     * Builds the report and writes {@code report.json} and {@code report.html} into {@code output}'s directory, unless
     * {@code output} is stopped first.
     *
     * @return the path of {@code report.html}
     * @throws IOException when a file cannot be written, or {@link Output.Stopped} when {@code output} was stopped
     */
    public static Path writeAll(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts,
                                Output output) throws IOException {
        return writeAll(of(run, plan, tickets, attempts, output.runDir), output);
    }

    /**
     * {@link #writeAll(RunView, Plan, List, List, Output)} with the run's sessions and approval waits
     * ({@link RunTimes#read}), which give a resumed run's time running and the timeline's approval waits.
     */
    public static Path writeAll(RunView run, Plan plan, List<TicketView> tickets, List<AttemptView> attempts, RunTimes times,
                                Output output) throws IOException {
        return writeAll(of(run, plan, tickets, attempts, output.runDir, System.currentTimeMillis(), 0, times), output);
    }

    private static Path writeAll(RunReport report, Output output) throws IOException {
        output.write(output.runDir.resolve("report.json"), () -> ReportJson.render(report));
        Path html = output.runDir.resolve("report.html");
        output.write(html, () -> ReportHtml.render(report));
        return html;
    }

    /**
     * The report files of one run directory, written one at a time, each whole (a temporary file, then a rename), until
     * {@link #stop} is called: the coordinator stops it on a signal received while it writes the report, then exits,
     * leaving no half-written file and no temporary file behind.
     */
    public static final class Output {
        private final Path runDir;
        private final List<String> written = new ArrayList<>();
        private volatile boolean stopped;

        /** @param runDir the run's directory, where {@code report.json} and {@code report.html} go */
        public Output(Path runDir) {
            this.runDir = runDir;
        }

        void write(Path file, java.util.function.Supplier<String> content) throws IOException {
            if (stopped) throw new Stopped();
            String text = content.get(); // outside the lock: stop() waits for a file being written, not for a render
            synchronized (this) {
                if (stopped) throw new Stopped();
                RunReport.write(file, text);
                written.add(file.getFileName().toString());
            }
        }

        /**
         * Waits until the file being written (if any) is whole, and writes none after it.
         *
         * @return the names of the files written before ({@code report.json}, {@code report.html}), in order
         */
        public List<String> stop() {
            stopped = true; // seen by a render in progress, which then writes nothing
            synchronized (this) {
                return List.copyOf(written);
            }
        }

        /** Thrown by a write after {@link #stop}. */
        public static final class Stopped extends IOException {
            Stopped() {
                super("the report was not written: writing it was stopped");
            }
        }
    }

    /** Where {@link #writeCurrent} reads a run from: a store, read afresh on each call. */
    public interface Source {
        RunView run();

        Plan plan();

        List<TicketView> tickets();

        List<AttemptView> attempts();

        /** For a run recorded as running whose coordinator stopped, the time of its last event; else 0. */
        default long stoppedAtMillis() {
            return 0;
        }

        /**
         * The run's sessions and approval waits ({@link RunTimes#read}); {@link RunTimes#NONE} when not read, as
         * {@link RunReport#of} takes it.
         */
        default RunTimes times() {
            return RunTimes.NONE;
        }
    }

    /**
     * Writes the report as {@link #writeAll} does, from a process that is not the run's coordinator
     * ({@code swarm report}). The coordinator writes the final report when the run ends; a snapshot read
     * just before that and written just after would replace it. So when the run has ended while the files
     * were written (its state is no longer created or running and its last event moved on), they are
     * written again from a fresh read, at most 5 times in all.
     *
     * <p>The run directory of a run that started and can still be resumed (running, or cancelled) is not made again
     * when it is missing: its logs, scratch files and worktrees went with it, and a report written into a new one would
     * hide that loss from {@code swarm resume}, which refuses such a run. A run that ended (succeeded, failed) gets a new
     * directory, owner-only, and its report from the store (its failures without their log tails, which are gone).
     *
     * @return the path of {@code report.html}
     * @throws io.swarmflow.engine.InvalidRequestException when the run has started, can be resumed and its directory is
     *                                                      missing (exit 2, nothing written)
     * @throws io.swarmflow.store.StoreException.Unavailable when a file cannot be written (exit 4, naming it and why; its
     *                                                       cause is a {@link DirectoryInTheWay} when a report file's path
     *                                                       is a directory)
     */
    public static Path writeCurrent(Source source, Path runDir) throws IOException {
        RunView run = source.run();
        boolean resumable = run.state() == io.swarmflow.store.RunState.RUNNING || run.state() == io.swarmflow.store.RunState.CANCELLED;
        if (run.startedAtMillis() != 0 && resumable && Files.notExists(runDir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new io.swarmflow.engine.InvalidRequestException("the directory of run " + run.runId() + ", "
                    + io.swarmflow.spec.SpecError.printable(runDir.toString()) + ", is missing: the logs, $SWARM_SCRATCH "
                    + "files and worktrees of its tickets are gone, and a report written into a new directory would hide that "
                    + "from `swarm resume`; nothing was written. Restore it from a backup, or see the run with `swarm status "
                    + run.runId() + "`");
        }
        for (int round = 1; ; round++) {
            Path html;
            try {
                html = writeAll(of(run, source.plan(), source.tickets(), source.attempts(), runDir,
                        System.currentTimeMillis(), source.stoppedAtMillis(), source.times()), new Output(runDir));
            } catch (IOException e) {
                if (e instanceof DirectoryInTheWay d) { // one line with the fix: SwarmCli adds no generic advice to it
                    throw new io.swarmflow.store.StoreException.Unavailable("could not write the report of run " + run.runId()
                            + ": " + d.getFile() + " is a directory, not a file; remove or rename it, then run `swarm report "
                            + run.runId() + "` again", e);
                }
                String why = Files.exists(runDir) && !Files.isDirectory(runDir) ? runDir + " is a file, not a directory"
                        : e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                        ? fse.getFile() + ": " + fse.getReason() : e.toString();
                throw new io.swarmflow.store.StoreException.Unavailable(
                        "could not write the report of run " + run.runId() + " in " + runDir + ": " + why, e);
            }
            RunView now = source.run();
            boolean ended = now.state() != RunState.CREATED && now.state() != RunState.RUNNING;
            if (!ended || now.lastSeq() == run.lastSeq() || round == 5) return html;
            run = now;
        }
    }

    private static void write(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) { // none yet (never started), or lost (ended): owner-only, as its coordinator makes it
            try {
                Files.createDirectories(dir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createDirectories(dir);
            }
        }
        // the rename below cannot replace a directory, and its error would name the temporary file
        if (Files.isDirectory(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) throw new DirectoryInTheWay(file);
        // a sibling rather than Files.createTempFile, which would leave the report readable by its owner only
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A report file's path ({@code report.json} or {@code report.html}) is a directory, which the rename of the written
     * file cannot replace; nothing was written. {@link #getFile()} is that path, {@link #getReason()} says to remove or
     * rename it.
     */
    public static final class DirectoryInTheWay extends java.nio.file.FileSystemException {
        private static final long serialVersionUID = 1L;

        /** @param file the report file's path, which is a directory */
        public DirectoryInTheWay(Path file) {
            super(file.toString(), null, "is a directory, not a file; remove or rename it");
        }
    }

    RunView run() {
        return run;
    }

    /** The spec's {@code description}, or null when it has none (or only blanks). */
    String description() {
        return description;
    }

    List<Row> rows() {
        return rows;
    }

    List<Failure> failures() {
        return failures;
    }

    long generatedAtMillis() {
        return generatedAtMillis;
    }

    /** The time of the last event of a run whose coordinator stopped before it ended, else 0. */
    long stoppedAtMillis() {
        return stoppedAtMillis;
    }

    /**
     * Where what is unfinished ends: the run's end for a run that ended (a ticket left waiting to retry by a cancel does not
     * grow older with each report), where a stopped run's coordinator stopped, else the report time.
     */
    long measuredUntilMillis() {
        if (run.finishedAtMillis() > 0) return run.finishedAtMillis();
        return stoppedAtMillis > 0 ? stoppedAtMillis : generatedAtMillis;
    }

    /** The run's sessions and approval waits; {@link RunTimes#known} false for a resumed run whose events were not read. */
    RunTimes times() {
        return times;
    }

    /**
     * Milliseconds the run was executed ({@link RunTimes#runningMillis}), an open session measured up to
     * {@link #measuredUntilMillis}; null before a start, or for a resumed run whose sessions are not known.
     */
    Long runningMillis() {
        return run.startedAtMillis() <= 0 ? null : times.runningMillis(measuredUntilMillis());
    }

    /**
     * {@link #duration} less the time the run stood stopped within it ({@link RunTimes#stoppedWithin}): a ticket's time
     * while the run was executed; null before a start, or when the run was resumed and its sessions are not known.
     */
    Long runningMillis(long startMillis, long endMillis) {
        Long duration = duration(startMillis, endMillis);
        if (duration == null || !times.known()) return null;
        return duration - times.stoppedWithin(startMillis, startMillis + duration);
    }

    /** Number of tickets in each state, every state present, in {@link TicketState} order. */
    Map<TicketState, Integer> counts() {
        Map<TicketState, Integer> counts = new LinkedHashMap<>();
        for (TicketState s : TicketState.values()) counts.put(s, 0);
        for (Row r : rows) counts.merge(r.view().state(), 1, Integer::sum);
        return counts;
    }

    /** Milliseconds from {@code start} to {@code end}, or to {@link #measuredUntilMillis} while {@code end} is 0; null before a start. */
    Long duration(long startMillis, long endMillis) {
        if (startMillis <= 0) return null;
        long end = endMillis > 0 ? endMillis : measuredUntilMillis();
        return Math.max(0, end - startMillis);
    }
}
