package io.swarmflow.local;

import com.fasterxml.jackson.core.JsonFactory;
import io.swarmflow.agent.AttemptControl;
import io.swarmflow.agent.AttemptRequest;
import io.swarmflow.agent.AttemptResult;
import io.swarmflow.agent.Executor;
import io.swarmflow.git.GitException;
import io.swarmflow.git.GitWorktrees;
import io.swarmflow.git.Worktree;
import io.swarmflow.sandbox.BeneathReader;
import io.swarmflow.sandbox.Bubblewrap;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.MaskingInputStream;
import io.swarmflow.sandbox.LineListener;
import io.swarmflow.sandbox.ProcessGroups;
import io.swarmflow.sandbox.ProcessLimits;
import io.swarmflow.sandbox.Sandbox;
import io.swarmflow.sandbox.SandboxException;
import io.swarmflow.sandbox.SandboxProcess;
import io.swarmflow.sandbox.SandboxResult;
import io.swarmflow.sandbox.SandboxSpec;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.OutputSpec;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.StatePaths;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs attempts on this machine. {@code shell} tickets run
 * {@code bash --noprofile --norc -eo pipefail -c <run>} in the {@link Sandbox} (the script itself passed in the
 * environment, see {@link #command()}; like CI systems run
 * steps with {@code bash -e}: the first failing command, also inside a pipeline, fails the ticket);
 * {@code noop} tickets wait their duration without starting a process.
 *
 * <p>Workspaces: {@code repo} is the plan's repository (or the spec directory when there is none),
 * read-only; {@code run} is the run's scratch directory, writable; {@code worktree} is a fresh git
 * worktree on branch {@code swarm/<run>/<ticket>}, writable, committed after a successful attempt
 * (outputs {@code commit}, {@code branch}, {@code diffstat}). The scratch directory
 * ({@code SWARM_SCRATCH}) is always writable; the repository and its {@code .git} are always read-only;
 * the state directory and the real HOME are hidden.
 */
public final class LocalExecutor implements Executor, io.swarmflow.engine.RunEngine.AfterRecovery {
    /** Argv prefix of {@code shell} tickets; the script follows. */
    public static final List<String> SHELL = List.of("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c");

    /**
     * Longest output line passed on to {@link AttemptControl#logLine(String, String, boolean, boolean)} (and so to a
     * live view), in bytes of UTF-8 before decoding: of a longer line (ended by LF or a lone CR) only its first this many
     * bytes are, while the attempt's log file keeps it whole up to the ticket's {@code log-size}. The sandbox's
     * {@link LineListener#MAX_LINE_BYTES}, for the CLI, which does not use the sandbox's package.
     */
    public static final int MAX_LIVE_LINE_BYTES = LineListener.MAX_LINE_BYTES;

    private static final JsonFactory JSON = new JsonFactory();
    private static final AttemptResult NOOP_DONE = AttemptResult.succeeded(Map.of());

    private final Options options;
    private final Sandbox sandbox;
    private final Map<Path, Path> gitDirs = new ConcurrentHashMap<>();

    /**
     * Options of a {@link LocalExecutor}.
     *
     * @param stateDir    Swarmflow's state directory, hidden from attempts (null: none to hide)
     * @param warnings    receives warnings meant for the user (printed once, e.g. running without bubblewrap)
     * @param gracePeriod time between SIGTERM and SIGKILL when the engine gives none (a negative
     *                    {@link AttemptControl#gracePeriodMillis()}; the engine's 0 is a grace period of 0: KILL right
     *                    after the TERM); not negative
     * @param bubblewrap  bubblewrap status to use; null probes the machine
     *                    ({@link Bubblewrap.Status#unavailable} forces running without it)
     * @param stateDirs   the user's list of state directories, to which {@code stateDir} is added when a run starts or
     *                    resumes ({@link #prepareRun}) and whose other directories are hidden from attempts (see
     *                    {@code StateDirRegistry}); null: none kept
     */
    public record Options(Path stateDir, Consumer<String> warnings, Duration gracePeriod, Bubblewrap.Status bubblewrap,
                          Path stateDirs) {
        /**
         * Checks the required options.
         *
         * @throws NullPointerException     when {@code warnings} or {@code gracePeriod} is null
         * @throws IllegalArgumentException when {@code gracePeriod} is negative
         */
        public Options {
            Objects.requireNonNull(warnings, "warnings");
            Objects.requireNonNull(gracePeriod, "gracePeriod");
            if (gracePeriod.isNegative()) {
                throw new IllegalArgumentException("gracePeriod must be 0 or more, got " + gracePeriod.toMillis() + " ms");
            }
        }

        /**
         * Defaults: hide {@code stateDir}, 5 s grace, probe bubblewrap, the list of state directories in its default
         * place ({@code $XDG_STATE_HOME/swarmflow/state-dirs}, else {@code ~/.local/state/swarmflow/state-dirs}).
         */
        public static Options of(Path stateDir, Consumer<String> warnings) {
            return new Options(stateDir, warnings, SandboxSpec.DEFAULT_GRACE, null, StateDirRegistry.defaultFile());
        }

        /** The same options with the list of state directories in {@code file} (null: none kept). */
        public Options withStateDirs(Path file) {
            return new Options(stateDir, warnings, gracePeriod, bubblewrap, file);
        }

        /**
         * The same options with another grace period.
         *
         * @param grace time between SIGTERM and SIGKILL when the engine gives none (a negative
         *              {@link AttemptControl#gracePeriodMillis()}); not null, not negative
         * @return new options
         */
        public Options withGracePeriod(Duration grace) {
            return new Options(stateDir, warnings, grace, bubblewrap, stateDirs);
        }

        /** The same options with bubblewrap treated as unusable for {@code reason}. */
        public Options withoutBubblewrap(String reason) {
            return new Options(stateDir, warnings, gracePeriod, Bubblewrap.Status.unavailable(reason), stateDirs);
        }
    }

    /** Whether a path is a git repository, asked once per executor: `swarm run` preflights before and while creating a run. */
    private final Map<Path, List<Path>> otherStateDirs = new ConcurrentHashMap<>();

    /** Other runs' state directories in {@code repo}, looked for once per repository ({@link OtherStateDirs}). */
    private List<Path> otherStateDirs(Path repo) {
        return otherStateDirs.computeIfAbsent(repo, r -> {
            OtherStateDirs.Result found = OtherStateDirs.find(r, options.stateDir(), OtherStateDirs.MAX_DIRECTORIES);
            if (!found.complete()) {
                options.warnings().accept("the repository " + r + " has more than " + OtherStateDirs.MAX_DIRECTORIES
                        + " directories; only the other runs' state directories (.swarm) among the first of them are hidden "
                        + "from tickets");
            }
            return List.copyOf(found.dirs());
        });
    }

    private static final Path PRIVATE_TMP = Path.of("/tmp");
    /**
     * The last list read (kept when a later read fails) and the list's stamp then; null before the first read (when a
     * run is prepared).
     */
    private volatile Registered registered;

    private record Registered(List<Path> dirs, Object stamp) {
    }
    private final java.util.concurrent.atomic.AtomicBoolean registryWarned = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean manyStateDirsWarned = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean lockWarned = new java.util.concurrent.atomic.AtomicBoolean();
    /**
     * Whether the last try of the list's lock failed after a wait that timed out: the tries that follow do not wait (each
     * attempt would lose the wait) until one gets the lock, after which a lock kept again is waited for again.
     */
    private volatile boolean lockWaited;

    /**
     * Other state directories of the list hidden at most, the most recently registered: each is a mount of its own in
     * every sandboxed launch, and a mount costs more in a namespace that holds many (docs/benchmarks.md, "Hidden
     * directories"), so a list grown long (a CI runner keeping old checkouts) must not slow every launch down.
     */
    static final int MAX_HIDDEN_STATE_DIRS = 32;

    /**
     * The other state directories of the user's list, looked at for every attempt (a run that starts while this one
     * runs lists its state directory after this one started): read again when the list's stamp changed since the
     * last read (one stat otherwise: reading it under its lock took 0.1 ms, and 5 µs more per entry); this executor's
     * own is added to the list when a run is prepared (and again should the list have been deleted). All of them: which
     * ones the sandbox hides anyway depends on what the attempt's sandbox shows ({@link #hiddenAnyway}). Where the list
     * cannot be kept the user is warned once, and the last list read is used. From the least to the most recently
     * registered, as listed; not checked to still be state directories (see {@link #hiddenStateDirs}).
     */
    private List<Path> registeredStateDirs() {
        return registeredStateDirs(false);
    }

    /**
     * {@link #registeredStateDirs()}; {@code starting}: for a run that starts or resumes, whose state directory then
     * moves to the end of the list (the most recently registered); an attempt leaves it where it is listed, or two runs
     * would rewrite the list in turn at every attempt.
     */
    private List<Path> registeredStateDirs(boolean starting) {
        if (options.stateDirs() == null || options.stateDir() == null || !Files.isDirectory(options.stateDir())) return List.of();
        Registered last = registered;
        if (last != null && last.stamp() != null && last.stamp().equals(StateDirRegistry.stamp(options.stateDirs()))) {
            return last.dirs();
        }
        try {
            StateDirRegistry.Listing listing;
            try {
                listing = StateDirRegistry.register(options.stateDirs(), options.stateDir(),
                        lockWaited ? Duration.ZERO : StateDirRegistry.LOCK_WAIT, starting);
                // the lock was free again: should another process keep it later, that is waited for again
                lockWaited = false;
            } catch (StateDirRegistry.LockedException e) {
                // waited for once: later attempts try the lock without waiting until one gets it, and read the list
                // without it meanwhile (no stamp kept, so the next attempt tries again)
                lockWaited = true;
                if (lockWarned.compareAndSet(false, true)) {
                    options.warnings().accept("cannot update the list of state directories " + options.stateDirs() + ": "
                            + e.getMessage() + "; this run's state directory is not added to it, so the tickets of runs "
                            + "started later can read it, while the state directories already listed stay hidden from this "
                            + "run's tickets; resume or end that process (a swarm stopped with Ctrl-Z, say) to let runs list "
                            + "theirs again");
                }
                listing = new StateDirRegistry.Listing(StateDirRegistry.read(options.stateDirs(), options.stateDir()), null);
            }
            List<Path> dirs = listing.others();
            registered = new Registered(dirs, listing.stamp());
            return dirs;
        } catch (IOException | RuntimeException e) {
            if (!(e instanceof java.io.InterruptedIOException) && registryWarned.compareAndSet(false, true)) {
                options.warnings().accept("cannot keep the list of state directories " + options.stateDirs() + " ("
                        + why(e) + "); the state directories of other runs outside this repository and your "
                        + "home are not hidden from this run's tickets (set XDG_STATE_HOME to a directory you can write "
                        + "to keep the list there)");
            }
            return last == null ? List.of() : last.dirs();
        }
    }

    /**
     * The real paths of the state directories an attempt of {@code ticket} hides from the user's list: of
     * {@link #registeredStateDirs} less those the sandbox hides anyway ({@link #hiddenAnyway}), the
     * {@link #MAX_HIDDEN_STATE_DIRS} registered last among those that still are state directories
     * ({@link #stillAStateDirectory}, checked at every attempt from the most recently registered on, so a
     * listed path that is no longer one takes no slot). One that holds a directory of the ticket's {@code PATH} is hidden
     * too: a ticket whose {@code PATH} is known to name one is refused before its run starts ({@link #preflight},
     * {@link StatePaths}); one whose {@code PATH} came to name one later (another ticket's output, a run listed since)
     * loses those programs rather than reads that state ({@link #warnOfHiddenPathEntries} says so).
     *
     * @param workspace the attempt's workspace, which its sandbox shows again
     */
    private List<Path> hiddenStateDirs(AttemptRequest request, Path workspace) {
        Plan plan = request.plan();
        Path repo = plan.repo() == null ? null : Path.of(plan.repo());
        List<Path> homes = normalizedHomes();
        Shown shown = new Shown(repo, workspace, request.scratchDir());
        List<Path> listed = registeredStateDirs().stream().filter(d -> !hiddenAnyway(d, homes, shown)).toList();
        List<Path> hidden = new ArrayList<>(Math.min(listed.size(), MAX_HIDDEN_STATE_DIRS));
        int i = listed.size() - 1;
        for (; i >= 0 && hidden.size() < MAX_HIDDEN_STATE_DIRS; i--) {
            Path state = stillAStateDirectory(listed.get(i));
            if (state != null) hidden.add(state);
        }
        if (i >= 0) warnIfManyStateDirs(listed, i);
        return hidden;
    }

    /**
     * The homes the sandbox hides ({@link #homes}), as absolute normalized paths; not {@code /} ({@code HOME=/}: a
     * container's arbitrary uid, a service account), which the sandbox does not hide, so nothing below it is hidden
     * anyway.
     */
    private static List<Path> normalizedHomes() {
        return homes().stream().map(h -> Path.of(h).toAbsolutePath().normalize()).filter(h -> h.getNameCount() > 0).toList();
    }

    /**
     * Whether the sandbox hides the listed state directory {@code listed} anyway, so that it needs no mount of its own
     * (nor one of the {@link #MAX_HIDDEN_STATE_DIRS} places): it lies below a home (the sandbox mounts an empty tmpfs over
     * each) or in /tmp (every attempt's own), and below none of the directories the sandbox binds again over those
     * ({@code shown}: the repository, its git directory, the workspace, the scratch directory). One below one of those
     * comes back into view with it (a checkout in ~/src or /tmp run with {@code --state-dir ci-state}: the repository is
     * bound read-only after the tmpfs), and is hidden by a tmpfs of its own, mounted after that bind, as the repository's
     * {@code .swarm} directories are. The one rule for the attempts' mounts and for the PATH check before a run
     * ({@link #hiddenStateDirs(Plan)}).
     *
     * @param listed a listed state directory, as the list holds it (a real path)
     * @param homes  the homes the sandbox hides, absolute and normalized
     * @param shown  the directories the sandbox shows again; asked only for a directory below a home or in /tmp
     */
    static boolean hiddenAnyway(Path listed, List<Path> homes, java.util.function.Supplier<List<Path>> shown) {
        if (!listed.startsWith(PRIVATE_TMP) && homes.stream().noneMatch(listed::startsWith)) return false;
        return shown.get().stream().noneMatch(listed::startsWith);
    }

    /**
     * The directories an attempt's sandbox binds again over what it hides: each of {@code dirs} (null ones left out) as
     * written (absolute, normalized) and as its real path, as the sandbox mounts it; the repository's git directory too.
     * Worked out at most once, when first asked.
     */
    private final class Shown implements java.util.function.Supplier<List<Path>> {
        private final Path repo;
        private final Path[] dirs;
        private List<Path> paths;

        Shown(Path repo, Path... dirs) {
            this.repo = repo;
            this.dirs = dirs;
        }

        @Override
        public List<Path> get() {
            if (paths != null) return paths;
            List<Path> all = new ArrayList<>();
            List<Path> named = new ArrayList<>(java.util.Arrays.asList(dirs));
            if (repo != null) {
                named.add(repo);
                named.add(gitDir(repo));
            }
            for (Path dir : named) {
                if (dir == null) continue;
                Path abs = dir.toAbsolutePath().normalize();
                all.add(abs);
                all.add(StatePaths.realPath(abs));
            }
            return paths = all;
        }
    }

    /**
     * Says once per run that the list holds more state directories than are hidden, counting those that stay readable
     * for that reason only: {@code listed[0..older]}, the ones older than the {@link #MAX_HIDDEN_STATE_DIRS} hidden, that
     * still are state directories. Counted once per read of the list (it checks each older directory).
     */
    private void warnIfManyStateDirs(List<Path> listed, int older) {
        if (manyStateDirsWarned.get()) return;
        if (listed.equals(manyStateDirsCounted)) return;
        manyStateDirsCounted = listed;
        int readable = 0;
        for (int j = older; j >= 0; j--) if (stillAStateDirectory(listed.get(j)) != null) readable++;
        if (readable == 0 || !manyStateDirsWarned.compareAndSet(false, true)) return;
        options.warnings().accept(options.stateDirs() + " lists " + (MAX_HIDDEN_STATE_DIRS + readable)
                + " other state directories outside your home; this run's tickets do not see the " + MAX_HIDDEN_STATE_DIRS
                + " used last, but can read the " + readable + (readable == 1 ? " other" : " others")
                + " (each hidden directory costs every sandboxed launch a mount); delete the state directories you no longer need");
    }

    /** The list {@link #warnIfManyStateDirs} counted last without warning: not counted again. */
    private volatile Object manyStateDirsCounted;

    /**
     * What went wrong with a file: java.nio's exceptions for permission denied (EACCES) and a file in the way of a
     * directory name only the path in their message.
     */
    static String why(Exception e) {
        if (e instanceof java.nio.file.FileSystemException fse && fse.getFile() != null) {
            String reason = fse.getReason() != null ? fse.getReason().toLowerCase(java.util.Locale.ROOT)
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileAlreadyExistsException ? "exists and is not a directory"
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e.getClass().getSimpleName();
            return fse.getFile() + ": " + reason;
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * The real path of a listed state directory when it still is one (holds {@code swarm.db} or {@code runs/}, as
     * {@link OtherStateDirs} tells), else null: a directory deleted since is not mounted over (bubblewrap could not make
     * its mount point), and a path that now leads elsewhere (a directory above it replaced by a link, its name reused)
     * is not hidden, or the ticket could lose its tools (a link to /usr) or whatever else it reaches there.
     */
    private static Path stillAStateDirectory(Path listed) {
        try {
            Path real = listed.toRealPath();
            return Files.exists(real.resolve("swarm.db"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    || Files.isDirectory(real.resolve("runs"), java.nio.file.LinkOption.NOFOLLOW_LINKS) ? real : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private final Map<Path, Optional<String>> repositoryChecks = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Path, Boolean> commitChecks = new java.util.concurrent.ConcurrentHashMap<>();
    private final RetryOutputFiles retryOutputFiles = new RetryOutputFiles();

    /**
     * An executor with its own {@link Sandbox}; probes bubblewrap (runs {@code bwrap}) when
     * {@link Options#bubblewrap()} is null. {@link #close()} releases the sandbox's threads.
     *
     * @param options the options; not null
     */
    public LocalExecutor(Options options) {
        io.swarmflow.sandbox.JnaTempDir.ownerOnly(); // before its sandbox loads JNA's native library (Kill, PosixSpawn)
        this.options = options;
        this.sandbox = new Sandbox(options.bubblewrap() != null ? options.bubblewrap() : Bubblewrap.probe(),
                options.warnings());
    }

    /** The sandbox this executor launches processes with. */
    public Sandbox sandbox() {
        return sandbox;
    }

    @Override
    public List<String> notes(Plan plan) {
        if (plan.repo() == null || plan.tickets().stream().noneMatch(t -> t.workspace() == WorkspaceMode.WORKTREE
                && "shell".equals(plan.profileOf(t).kind()))) {
            return List.of();
        }
        Path repo = Path.of(plan.repo());
        List<String> changed;
        try {
            changed = GitWorktrees.uncommittedTrackedPaths(repo);
        } catch (GitException e) {
            return List.of(); // the worktree's own creation says what is wrong with the repository
        }
        if (changed.isEmpty()) return List.of();
        String head = GitWorktrees.headCommit(repo).map(c -> " (" + c.substring(0, Math.min(12, c.length())) + ")").orElse("");
        String shown = String.join(", ", changed.subList(0, Math.min(5, changed.size())))
                + (changed.size() > 5 ? " and " + (changed.size() - 5) + " more" : "");
        return List.of(repo + " has uncommitted changes to " + changed.size() + (changed.size() == 1 ? " tracked file" : " tracked files")
                + " (" + shown + "): worktree tickets start from its last commit" + head + " and do not see them; commit "
                + "them first for the tickets to work on them");
    }

    @Override
    public List<String> preflight(Plan plan) {
        List<String> problems = new ArrayList<>();
        // a problem of many tickets (a matrix ticket's expansions, or a repository git refuses) said once, naming them all
        TicketProblems perTicket = new TicketProblems(problems);
        Path repo = plan.repo() == null ? null : Path.of(plan.repo());
        Optional<String> notRepo = null;
        int refusedAt = -1; // where the problem of a repository git refuses goes, said once for refusedBy
        List<String> refusedBy = new ArrayList<>();
        java.util.Set<String> refusedModes = new java.util.TreeSet<>();
        Optional<String> swarmBranch = null; // a branch named swarm, looked for once
        if (repo != null && options.stateDir() != null && samePath(repo, options.stateDir())
                && plan.tickets().stream().anyMatch(t -> "shell".equals(plan.profileOf(t).kind()))) {
            // the sandbox shows the repository read-only to every ticket, and a directory cannot be both hidden and shown
            problems.add("the state directory " + options.stateDir() + " is the repository " + repo + " itself, so its tickets "
                    + "would read swarm.db and every run's logs and scratch there (the sandbox cannot hide it while it shows "
                    + "the repository); keep the state in .swarm inside the repository (the default: drop --state-dir or "
                    + "SWARM_STATE_DIR) or in a directory outside it");
        }
        if (options.stateDir() != null) {
            // swarm.db and runs/ among git's own files: taken for refs (git fsck fails), and later runs were refused
            Path gitDirectory = enclosingGitDirectory(options.stateDir());
            if (gitDirectory != null) {
                problems.add("the state directory " + options.stateDir() + (samePath(gitDirectory, options.stateDir())
                        ? " is the git directory " + gitDirectory : " is inside the git directory " + gitDirectory)
                        + " of a repository, where git keeps its history and refs: git would take swarm.db and runs/ there for "
                        + "its own files (a file below refs/ breaks git fsck); keep the state in .swarm inside the repository "
                        + "(the default: drop --state-dir or SWARM_STATE_DIR) or in a directory outside the git directory");
            }
        }
        for (PlannedTicket t : plan.tickets()) {
            AgentProfile profile = plan.profileOf(t);
            String kind = profile.kind();
            if (!"shell".equals(kind) && !"noop".equals(kind)) {
                perTicket.add(t.id(), "uses agent kind '" + kind + "', which the local executor cannot run; "
                        + "use shell or noop");
                continue;
            }
            if ("shell".equals(kind) && profile.sandbox() == SandboxPolicy.REQUIRED && !sandbox.bubblewrap().usable()) {
                perTicket.add(t.id(), "needs sandbox: required but bubblewrap is not usable here: "
                        + sandbox.bubblewrap().problem() + sandbox.requiredNextStep());
            }
            if ("shell".equals(kind) && (t.workspace() == WorkspaceMode.WORKTREE
                    || (t.workspace() == WorkspaceMode.REPO && repo != null))) {
                if (repo == null) {
                    perTicket.add(t.id(), "uses workspace: worktree but the swarm has no git repository; "
                            + "set repo: to a git repository or use workspace: run");
                    continue;
                }
                if (notRepo == null) notRepo = repositoryChecks.computeIfAbsent(repo, GitWorktrees::notRepository);
                if (notRepo.isPresent()) {
                    // the spec's loader only saw that a .git exists: git may still refuse it (moved or deleted since, a
                    // broken .git file, another owner's repository, no git installed), and says why: once, for every
                    // ticket that needs it (a matrix ticket's expansions, repo and worktree tickets alike)
                    if (refusedAt < 0) {
                        refusedAt = problems.size();
                        problems.add(null);
                    }
                    refusedBy.add(t.id());
                    refusedModes.add(t.workspace().name().toLowerCase(java.util.Locale.ROOT));
                } else if (t.workspace() == WorkspaceMode.WORKTREE
                        && (swarmBranch != null ? swarmBranch : (swarmBranch = GitWorktrees.branchInTheWay(repo, "swarm/"))).isPresent()) {
                    // else every worktree ticket fails when git makes its branch swarm/<run>/<ticket>
                    perTicket.add(t.id(), "uses workspace: worktree but " + GitWorktrees.inTheWay(repo, "swarm",
                            "swarm/<run>/" + t.id()));
                } else if (t.workspace() == WorkspaceMode.WORKTREE && !commitChecks.computeIfAbsent(repo, GitWorktrees::hasCommit)) {
                    Optional<String> orphan = GitWorktrees.unbornBranchWithOthers(repo);
                    if (orphan.isPresent()) {
                        perTicket.add(t.id(), "uses workspace: worktree but the branch checked out in " + repo + ", "
                                + orphan.get() + ", has no commit yet (an orphan branch), so there is nothing to branch from; "
                                + "switch to a branch with commits (git branch lists them; git switch NAME) or commit on " + orphan.get() + " first");
                        continue;
                    }
                    perTicket.add(t.id(), "uses workspace: worktree but " + repo + " has no commit yet, so there is "
                            + "nothing to branch from; make an initial commit there (git commit --allow-empty -m init)");
                }
            }
        }
        if (refusedAt >= 0) {
            problems.set(refusedAt, repo + " is not a git repository for git (" + notRepo.orElseThrow() + "), and "
                    + (refusedBy.size() == 1 ? "ticket " + refusedBy.getFirst() + " needs" : "tickets " + TicketProblems.named(refusedBy)
                    + " need") + " one (workspace: " + String.join(" or ", refusedModes) + "); restore the repository there if it was "
                    + "moved or its .git deleted, else fix what git reports");
        }
        // a PATH into a state directory the sandbox hides: refused, not left readable (StatePaths)
        List<Path> hidden = hiddenStateDirs(plan);
        if (repo != null && plan.tickets().stream().anyMatch(t -> hidesDirectories(plan.profileOf(t)))) {
            List<Path> others = hidden.stream().filter(d -> options.stateDir() == null || !samePath(d, options.stateDir())).toList();
            hiddenDirectoryShown(repo, others).ifPresent(problems::add);
        }
        for (StatePaths.Hit hit : StatePaths.hits(plan, hidden)) problems.add(hit.describe());
        ownPathProblem(plan, hidden, System.getenv("PATH")).ifPresent(problems::add);
        return problems;
    }

    /**
     * The git directory that is {@code stateDir} or holds it (a repository's {@code .git}, a worktree's git directory, a
     * separate or bare repository's), found from the nearest existing directory of {@code stateDir}'s path by its real
     * path (a link into a git directory counts) and its parents: a directory with a {@code HEAD} file naming a ref or a
     * commit, and {@code objects/} and {@code refs/} directories or a {@code commondir} file (a linked worktree's), that is
     * no working tree (has no {@code .git} of its own).
     *
     * @param stateDir a state directory, which may not exist yet; not null
     * @return that git directory (a real path), or null when there is none
     */
    static Path enclosingGitDirectory(Path stateDir) {
        Path existing = stateDir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return null;
        try {
            existing = existing.toRealPath();
        } catch (IOException e) {
            // unreadable on the way: its path as written
        }
        for (Path dir = existing; dir != null; dir = dir.getParent()) {
            if (isGitDirectory(dir)) return dir;
        }
        return null;
    }

    private static boolean isGitDirectory(Path dir) {
        Path head = dir.resolve("HEAD");
        if (!Files.isRegularFile(head, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(dir.resolve(".git"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        if (!(Files.isDirectory(dir.resolve("objects")) && Files.isDirectory(dir.resolve("refs")))
                && !Files.isRegularFile(dir.resolve("commondir"))) {
            return false;
        }
        try {
            if (Files.size(head) > 4096) return false;
            String text = Files.readString(head, StandardCharsets.ISO_8859_1).strip();
            return text.startsWith("ref: ") || text.matches("[0-9a-f]{40}|[0-9a-f]{64}");
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether an attempt of {@code profile} hides directories: a shell ticket run under bubblewrap. */
    private boolean hidesDirectories(AgentProfile profile) {
        return "shell".equals(profile.kind()) && profile.sandbox() != SandboxPolicy.OFF && sandbox.bubblewrap().usable();
    }

    /**
     * The repository {@code repo} (or its git directory) being one of the directories the sandbox hides, a home or one of
     * the state directories {@code hiddenState} (this run's own is refused on its own, in {@link #preflight}): the
     * sandbox shows every ticket the repository read-only, and one directory cannot be both hidden and shown, so the
     * tickets would read the whole of it (~/.ssh, ~/.aws, the list of state directories, for a home made a dotfiles
     * repository with {@code git init ~}). A repository above a home or a state directory hides them: their tmpfs is
     * mounted after the repository's bind.
     *
     * @return the problem, one line saying what and how to fix it, or empty
     */
    private Optional<String> hiddenDirectoryShown(Path repo, List<Path> hiddenState) {
        List<Path> shown = new ArrayList<>(List.of(repo));
        Path gitDir = gitDir(repo);
        if (gitDir != null) shown.add(gitDir);
        for (Path dir : shown) {
            String what = dir.equals(repo) ? "the repository " + repo : "the git directory " + dir + " of the repository " + repo;
            for (String home : homes()) {
                if (!Files.isDirectory(Path.of(home)) || !samePath(dir, Path.of(home))) continue;
                return Optional.of(what + " is your home directory " + home + ", which the sandbox hides from tickets; as "
                        + "it shows the tickets the repository, they would read the whole home (~/.ssh, ~/.aws, your list of "
                        + "state directories); keep the repository in a directory below your home (not a dotfiles repository "
                        + "made with git init ~), or set sandbox: off for these tickets to run them with nothing hidden");
            }
            if (!dir.equals(repo) && dir.getFileName() != null && dir.getFileName().toString().equals(".git")) {
                // the git directory of a repository whose top level is a home (a dotfiles repository, git init ~) with
                // repo: below it: bound read-only, it shows the tickets every file committed in the home
                for (String home : homes()) {
                    Path parent = dir.getParent();
                    if (parent == null || !Files.isDirectory(Path.of(home)) || !samePath(parent, Path.of(home))) continue;
                    return Optional.of(what + " is that of a repository whose top level is your home directory " + home
                            + " (a dotfiles repository made with git init ~), which the sandbox shows the tickets read-only: "
                            + "they would read every file committed in it (~/.ssh, ~/.aws, ...); use a repository of its own "
                            + "for " + repo + " (git init there), or set sandbox: off for these tickets to run them with "
                            + "nothing hidden");
                }
            }
            for (Path state : hiddenState) {
                if (!samePath(dir, state)) continue;
                return Optional.of(what + " is the state directory of other runs " + state + ", which the sandbox hides "
                        + "from tickets; as it shows the tickets the repository, they would read those runs' swarm.db, logs "
                        + "and scratch files; keep the state of runs in a directory of its own (.swarm in the repository, "
                        + "the default), remove swarm.db* and runs/ from " + state + " if those runs are no "
                        + "longer needed (not " + state + " itself, which is " + (dir.equals(repo) ? "the repository"
                        : "the repository's git directory, its whole history") + "), or set sandbox: off for these "
                        + "tickets to run them with nothing hidden");
            }
        }
        return Optional.empty();
    }

    /**
     * The ticket's shell ({@link #SHELL}'s program), as the sandbox finds it on the host from swarm's own {@code PATH}
     * ({@code path}; {@link Sandbox#hostProgram}, the same resolution {@code Sandbox.commandLine} makes), lying in a
     * directory inside one of the state directories {@code hidden} from the tickets, when some ticket of {@code plan}
     * runs sandboxed: every such attempt would fail to launch, as that directory is hidden from it. Only the directory
     * the shell is found in counts (a later entry of {@code path} inside a state directory changes nothing); it is
     * compared as written (relative against the working directory) and as its real path, and so is the shell's own real
     * path (a link into a state directory). (A state directory created by a swarm with this {@code PATH} is refused then;
     * a list written by another one can hold it.)
     *
     * @return the problem, one line, or empty (also when no shell is found on the host: the sandbox's {@code PATH} finds it)
     */
    static Optional<String> ownPathProblem(Plan plan, List<Path> hidden, String path) {
        if (path == null || hidden.isEmpty()) return Optional.empty();
        boolean sandboxed = false;
        for (PlannedTicket t : plan.tickets()) {
            AgentProfile profile = plan.profileOf(t);
            if ("shell".equals(profile.kind()) && profile.sandbox() != SandboxPolicy.OFF) sandboxed = true;
        }
        if (!sandboxed) return Optional.empty();
        String shell = SHELL.getFirst();
        Optional<Path> found = Sandbox.hostProgram(shell, path);
        if (found.isEmpty()) return Optional.empty();
        Path program = found.get();
        String directory = program.getParent() == null ? "." : program.getParent().toString();
        for (Path dir : hidden) {
            Path real = StatePaths.realPath(dir);
            StatePaths.Entry e = StatePaths.entryInside(directory, dir.toAbsolutePath().normalize(), real,
                    StatePaths::realPath, true);
            if (e == null && !StatePaths.realPath(program).startsWith(real)) continue;
            return Optional.of("swarm's own PATH finds the tickets' shell at " + program + ", inside the state directory "
                    + dir + ", which the sandbox hides from the tickets, so a sandboxed ticket could not start its shell "
                    + "from there; put a " + shell + " earlier on PATH or take " + directory + " off PATH (put those programs "
                    + "elsewhere), or, when " + dir + " is no longer needed, delete it or remove it from your list of state "
                    + "directories ($XDG_STATE_HOME/swarmflow/state-dirs, by default ~/.local/state/swarmflow/state-dirs)");
        }
        return Optional.empty();
    }

    /**
     * The state directories the sandbox hides from the tickets of {@code plan}, writing no file (the user's list is only
     * read); the repository's scan ({@link #otherStateDirs}) is kept for this executor's attempts, and may warn once that
     * the repository is too large to scan whole: this run's own, the {@code .swarm} of the repository, the spec's directory and the
     * working directory, the other runs' state directories in the repository, and every listed one that still is a state
     * directory (outside the homes and {@code /tmp}, as {@link #registeredStateDirs}; all of them, not only the {@link
     * #MAX_HIDDEN_STATE_DIRS} an attempt hides, as the list grows while the run runs). Empty when bubblewrap is not usable:
     * then nothing is hidden.
     */
    @Override
    public List<Path> hiddenStateDirs(Plan plan) {
        if (!sandbox.bubblewrap().usable()) return List.of();
        java.util.LinkedHashSet<Path> dirs = new java.util.LinkedHashSet<>();
        if (options.stateDir() != null) dirs.add(options.stateDir().toAbsolutePath().normalize());
        Path repo = plan.repo() == null ? null : Path.of(plan.repo());
        for (Path dir : new Path[] {repo, Path.of(plan.specDir()), Path.of("").toAbsolutePath()}) {
            if (dir != null && Files.isDirectory(dir.resolve(".swarm"))) dirs.add(dir.resolve(".swarm"));
        }
        if (repo != null && Files.isDirectory(repo)) dirs.addAll(otherStateDirs(repo));
        if (options.stateDirs() != null && options.stateDir() != null) {
            try {
                List<Path> homes = normalizedHomes();
                // what any ticket of the plan is shown again: the repository, and this run's state directory, which holds
                // the scratch directory and the worktrees (a workspace: repo ticket without repo: the spec's directory)
                boolean specDirShown = repo == null && plan.tickets().stream().anyMatch(t -> t.workspace() == WorkspaceMode.REPO);
                Shown shown = new Shown(repo, options.stateDir(), specDirShown ? Path.of(plan.specDir()) : null);
                for (Path listed : StateDirRegistry.read(options.stateDirs(), options.stateDir())) {
                    if (hiddenAnyway(listed, homes, shown)) continue;
                    Path state = stillAStateDirectory(listed);
                    if (state != null) dirs.add(state);
                }
            } catch (IOException | RuntimeException e) {
                // the list cannot be read: the run's own warning says so at its first attempt
            }
        }
        return List.copyOf(dirs);
    }

    /**
     * Creates a run's directory (and {@code runs/} above it, when missing) with mode 0700 when it does not exist, whatever
     * the umask and the state directory's mode:
     * its logs, worktrees, scratch files and reports may hold secrets, and a state directory that already existed (made
     * by hand for {@code --state-dir}, or checked out from a repository) keeps its mode, often 0755.
     */
    private static void ownerOnlyDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        var ownerOnly = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        try {
            // runs/ too, when missing: under a default POSIX ACL the umask is not applied and the mode a directory is made
            // with sets its ACL mask, so a runs/ made 0777 let the ACL's named users swap a run's directory for theirs
            Files.createDirectories(dir.getParent(), ownerOnly);
            Files.createDirectory(dir, ownerOnly);
        } catch (UnsupportedOperationException notPosix) {
            Files.createDirectories(dir); // a file system without POSIX modes: its own access rules apply
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            // another coordinator of the run made it
        }
    }

    /** Whether two paths name the same directory (symbolic links resolved where they exist). */
    private static boolean samePath(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    @Override
    public void prepareRun(String runId, Plan plan, Path runDir) {
        try {
            ownerOnlyDirectory(runDir);
            Files.createDirectories(runDir.resolve("scratch"));
            Files.createDirectories(runDir.resolve("logs"));
        } catch (IOException e) {
            // the state directory cannot be written (a file where runs/ should be, permissions, a full disk): exit 4
            throw new io.swarmflow.store.StoreException.Unavailable(
                    "cannot create the run directory " + runDir + ": " + e.getMessage(), e);
        }
        // listed as the run starts, not at its first attempt: a first ticket that waits (an approval, the tickets of
        // a run before it) would leave this state directory readable to other runs' tickets until then
        registeredStateDirs(true);
        // worktrees a crashed coordinator left are kept: a ticket that gets a new attempt starts from a fresh worktree
        // (createWorktree removes the old one), and the others hold what `swarm clean` protects (a failed attempt's
        // uncommitted work, content in a nested repository)
        if (pinWorktreeBase(plan, runDir)) warnOfOperationInProgress(plan, runDir);
    }

    /**
     * Makes the {@code .git} of the run's worktrees git's own again ({@link #restoreLostGitFiles}) once the coordinator has
     * killed what lost attempts left running: a process of one could otherwise replace it again after the restore.
     */
    @Override
    public void afterRecovery(String runId, Plan plan, Path runDir) {
        restoreLostGitFiles(plan, runDir);
    }

    /**
     * On a resume, makes the {@code .git} of the run's worktrees git's own again ({@link GitWorktrees#restoreGitFiles}):
     * an attempt whose coordinator was killed while its ticket had deleted or replaced it restored nothing, and its
     * worktree stays (a failed ticket's work is kept). Each one restored, or not restorable, is a warning; none fails the run.
     */
    private void restoreLostGitFiles(Plan plan, Path runDir) {
        if (plan.repo() == null || !Files.isDirectory(runDir.resolve("worktrees"), java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || !GitWorktrees.isRepository(Path.of(plan.repo()))) {
            return;
        }
        Map<Path, String> restored = Map.of();
        String failed = null;
        try {
            restored = GitWorktrees.restoreGitFiles(Path.of(plan.repo()), runDir);
        } catch (GitWorktrees.PartlyRestored e) {
            restored = e.restored(); // each restore is told all the same
            failed = e.getMessage();
        } catch (GitException e) {
            failed = e.getMessage();
        }
        restored.forEach((dir, found) -> options.warnings().accept(
                "the worktree " + dir + (found.equals("deleted") ? " had no .git file (its ticket deleted it"
                        : " held " + found + " in place of its .git file (its ticket put it there")
                + ", and its attempt was lost before Swarmflow could restore it); Swarmflow wrote git's own .git file back, so git run there reads the worktree's records "
                + "in the main repository, not the ticket's"));
        if (failed != null) options.warnings().accept(failed);
    }

    /** The file in a run's directory holding the commit all its worktree tickets start from. */
    static final String WORKTREE_BASE = "worktree-base";

    /**
     * Records the repository's {@code HEAD} as the run's worktree base the first time the run is prepared, so
     * that every worktree ticket of the run starts from the same commit, also after a resume when the
     * repository has moved on (a commit made meanwhile is not in the run's branches).
     */
    private static boolean pinWorktreeBase(Plan plan, Path runDir) {
        Path file = runDir.resolve(WORKTREE_BASE);
        if (plan.repo() == null || Files.exists(file)
                || plan.tickets().stream().noneMatch(t -> t.workspace() == WorkspaceMode.WORKTREE)) {
            return false;
        }
        Optional<String> head = GitWorktrees.headCommit(Path.of(plan.repo()));
        if (head.isEmpty()) return false; // no commit yet: the ticket's attempt says so
        try {
            Path tmp = runDir.resolve(WORKTREE_BASE + ".tmp");
            Files.writeString(tmp, head.get() + "\n");
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the run's worktree base in " + file + ": " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * Warns when the run's worktree base was just pinned while the repository was in the middle of a rebase, merge,
     * cherry-pick, revert or bisect ({@link GitWorktrees#operationInProgress}): its {@code HEAD} is then an intermediate
     * commit (detached during a rebase or bisect), which every worktree ticket of the run starts from.
     */
    private void warnOfOperationInProgress(Plan plan, Path runDir) {
        Path repo = Path.of(plan.repo());
        Optional<List<String>> operation = GitWorktrees.operationInProgress(repo);
        if (operation.isEmpty()) return;
        String base;
        try {
            base = pinnedBase(runDir);
        } catch (IOException e) {
            return;
        }
        List<String> o = operation.get();
        options.warnings().accept(repo + " is in the middle of " + o.get(0) + (GitWorktrees.headDetached(repo) ? " (HEAD detached)" : "")
                + ": the run's worktree tickets start from its HEAD, commit " + base.substring(0, Math.min(12, base.length()))
                + ", " + GitWorktrees.headDuring(o.get(0)) + " (kept for this run, also on resume); for them to start from a finished one, "
                + "finish " + o.get(0).replaceFirst("^an? ", "the ") + " (" + o.get(1) + ") or abort it (" + o.get(2)
                + ") and start a new run");
    }

    /** The run's pinned worktree base, or null when none was recorded. */
    private static String pinnedBase(Path runDir) throws IOException {
        Path file = runDir.resolve(WORKTREE_BASE);
        return Files.exists(file) ? Files.readString(file).strip() : null;
    }

    @Override
    public Cleaned cleanRun(String runId, Plan plan, Path runDir, boolean deleteBranches) {
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        Path worktrees = runDir.resolve("worktrees");
        int count = 0;
        if (Files.isDirectory(worktrees)) {
            try (java.util.stream.Stream<Path> dirs = Files.list(worktrees)) {
                count = (int) dirs.filter(Files::isDirectory).count();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + worktrees + ": " + e.getMessage(), e);
            }
        }
        if (plan.repo() == null || !GitWorktrees.isRepository(Path.of(plan.repo()))) {
            if (count > 0) {
                done.add("the run's repository " + plan.repo() + " is gone; left " + count + " worktree directories in " + worktrees);
            }
            return new Cleaned(done, failed);
        }
        Path repo = Path.of(plan.repo());
        try {
            // also when the worktree directories are gone (deleted by hand): git's records of them would keep their
            // branches "checked out", and git refuses to delete those
            GitWorktrees.pruneStale(repo, runDir);
            if (count > 0) done.add("removed " + count + (count == 1 ? " worktree" : " worktrees") + " (" + worktrees + ")");
        } catch (GitException e) {
            failed.add("could not remove the worktrees in " + worktrees + ": " + e.getMessage());
        }
        List<String> branches;
        try {
            branches = GitWorktrees.branches(repo, "swarm/" + runId + "/");
        } catch (GitException e) {
            failed.add("could not list the run's branches in " + repo + ": " + e.getMessage());
            return new Cleaned(done, failed);
        }
        for (String branch : branches) {
            if (deleteBranches) {
                try {
                    done.add("deleted branch " + branch + " (was " + GitWorktrees.deleteBranch(repo, branch) + ")");
                } catch (GitException e) {
                    failed.add("could not delete branch " + branch + ": " + e.getMessage());
                }
            } else {
                done.add("kept branch " + branch + " (--branches deletes it)");
            }
        }
        return new Cleaned(done, failed);
    }

    @Override
    public List<String> unrecordedBranchWork(String runId, Plan plan, Path runDir, Map<String, String> recorded) {
        if (plan.repo() == null || !GitWorktrees.isRepository(Path.of(plan.repo()))) return List.of();
        Path repo = Path.of(plan.repo());
        String prefix = "swarm/" + runId + "/";
        try {
            String pinned = pinnedBase(runDir);
            List<String> lines = new ArrayList<>();
            for (String branch : GitWorktrees.branches(repo, prefix)) {
                String ticket = branch.substring(prefix.length());
                String tip = GitWorktrees.tip(repo, branch);
                String commit = recorded.get(ticket);
                String base = pinned != null ? pinned : GitWorktrees.recordedBase(repo, branch).orElse(null);
                if (tip.equals(commit) || (commit == null && tip.equals(base))) continue;
                String expected = commit != null ? commit : base;
                int after = expected == null ? -1 : GitWorktrees.commitsAfter(repo, expected, tip);
                // ticket ids have no '.': a branch named so is one a new attempt kept the ticket branch's commits on
                int keptAt = ticket.indexOf(BEFORE_ATTEMPT);
                String origin = keptAt > 0 ? ", kept from " + prefix + ticket.substring(0, keptAt) + " when attempt "
                        + ticket.substring(keptAt + BEFORE_ATTEMPT.length()) + " started: made by an earlier attempt whose end "
                        + "was not recorded (its coordinator stopped) or that failed, or by hand"
                        : commit == null ? " (made by an attempt whose end was not recorded or that failed, or by hand)" : "";
                lines.add(branch + ": at " + tip.substring(0, Math.min(12, tip.length())) + ", not at "
                        + (expected == null ? "a commit the run recorded"
                        : (commit != null ? "the commit the run recorded for " + ticket + " (" : "the run's base (")
                        + expected.substring(0, Math.min(12, expected.length())) + ")")
                        + (after > 0 ? "; " + after + (after == 1 ? " commit" : " commits") + " the run did not record" + origin : ""));
            }
            return lines;
        } catch (GitException | IOException e) {
            throw new io.swarmflow.agent.WorkspaceException("cannot check the branches of run " + runId + " in " + plan.repo() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<String> branchesInUse(String runId, Plan plan, Path runDir) {
        if (plan.repo() == null || !GitWorktrees.isRepository(Path.of(plan.repo()))) return List.of();
        try {
            List<String> lines = new ArrayList<>();
            GitWorktrees.checkedOutElsewhere(Path.of(plan.repo()), runDir, "swarm/" + runId + "/")
                    .forEach((branch, dir) -> lines.add(branch + " is checked out in " + dir));
            return lines;
        } catch (GitException e) {
            throw new io.swarmflow.agent.WorkspaceException("cannot check the branches of run " + runId + " in " + plan.repo() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<String> uncommittedWork(String runId, Plan plan, Path runDir) {
        if (plan.repo() == null || !Files.isDirectory(runDir.resolve("worktrees")) || !GitWorktrees.isRepository(Path.of(plan.repo()))) {
            return List.of();
        }
        try {
            List<String> lines = new ArrayList<>();
            GitWorktrees.uncommitted(Path.of(plan.repo()), runDir).forEach((dir, work) -> {
                List<String> parts = new ArrayList<>();
                int paths = work.changedPaths();
                if (paths > 0) parts.add(paths + (paths == 1 ? " changed path" : " changed paths"));
                if (!work.nested().isEmpty()) parts.add("content in " + String.join(", ", work.nested()) + " " + NESTED_NOTE);
                lines.add(dir.getFileName() + ": " + String.join(", and ", parts) + " in " + dir);
            });
            return lines;
        } catch (GitException e) {
            throw new io.swarmflow.agent.WorkspaceException("cannot check the worktrees of run " + runId + " for uncommitted work: "
                    + e.getMessage(), e);
        }
    }

    /** Why the content of a gitlink's directory is not in the branch. */
    static final String NESTED_NOTE = "(a nested git repository or a submodule's directory: the branch records only a link to a "
            + "commit, not its files or commits)";

    /**
     * Whether {@link #killOrphan} would find something of {@code attempt}'s process group to kill, checked without
     * signalling anything, by the rule it kills by ({@link ProcessGroups#orphanGroupAlive}): the recorded leader of the
     * group, the same process (pid and start time, so a reused pid is not taken for it), still runs, or its group has a
     * live member (the leader a zombie not reaped yet, or reaped and its pid no other process's). Meaningful only on the
     * host, in the pid namespace, and in the boot the attempt ran in: after a restart its pid may be an unrelated group's,
     * whose leader exited, and this method cannot tell (the engine and {@code swarm status} first require the attempt's
     * coordinator to be of this boot: {@code Owners.isOfThisBoot}).
     * False when no process of it was recorded ({@code pid} 0).
     */
    public static boolean orphanAlive(AttemptView attempt) {
        return attempt.pid() > 0 && ProcessGroups.orphanGroupAlive(attempt.pid(), attempt.startTicks(), ticksTimeNamespace(attempt));
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@link #killOrphan(AttemptView, Path)} with the run's directory in this executor's state directory
     * ({@code <stateDir>/runs/<runId>}, where the engine keeps it); without a state directory ({@link Options#stateDir}
     * null) only the group: what the attempt left outside it cannot be told from another state directory's.
     */
    @Override
    public boolean killOrphan(AttemptView attempt) {
        return killOrphan(attempt, options.stateDir() == null ? null : options.stateDir().resolve("runs").resolve(attempt.runId()));
    }

    /**
     * {@inheritDoc}
     * <p>
     * Then ends what the attempt left outside its group and still holds its {@code SWARM_} variables, its
     * {@code SWARM_SCRATCH} the one {@code runDir} gives ({@link #scratchVariable}, as at its launch;
     * {@link ProcessGroups#killOrphanEscapees}, which also tries that path with its symbolic links resolved), and warns
     * naming those pids: nothing else ends them without bubblewrap or a cgroup. A {@code runDir} given in another
     * spelling than at the launch finds them too while both spellings lead to the same directory (a process whose
     * {@code SWARM_SCRATCH} is the same directory, by device and inode, is the attempt's). True only when the group was
     * killed.
     *
     * @param runDir the run's directory; null: only the group
     */
    @Override
    public boolean killOrphan(AttemptView attempt, Path runDir) {
        boolean killed = attempt.pid() > 0 && ProcessGroups.killOrphanGroup(attempt.pid(), attempt.startTicks(),
                ticksTimeNamespace(attempt), options.warnings());
        if (runDir != null) LostAttemptEscapees.end(attempt, scratchVariable(runDir.resolve("scratch")), options.warnings());
        return killed;
    }

    /**
     * The time namespace (inode) in which {@code attempt}'s start ticks were read: the one its coordinator recorded
     * ({@code Owners.timeNamespaceOf}), 0 when not recorded. {@link ProcessGroups} compares them with ticks read here only
     * when that is this process's ({@code ProcessGroups.ticksIncomparable}).
     */
    static long ticksTimeNamespace(AttemptView attempt) {
        return io.swarmflow.engine.Owners.timeNamespaceOf(attempt.coordinator());
    }

    /**
     * The value of an attempt's {@code SWARM_SCRATCH} for the run's scratch directory {@code scratch}: its absolute path,
     * not normalized, no trailing slash. The one place it is made, for the launch and for the lookup of what a lost
     * attempt left running ({@link #killOrphan(AttemptView, Path)}), which compares it byte for byte.
     */
    static String scratchVariable(Path scratch) {
        return scratch.toAbsolutePath().toString();
    }

    /**
     * {@inheritDoc}
     * <p>
     * The result's reason and outputs come masked like the attempt's output ({@link AttemptRequest#secrets}, replaced by
     * {@code ***}; {@link #masked}), whoever wrote them: the process, or this executor from what the ticket left (the
     * names of files and directories in its worktree, an output file's content). An unexpected error fails the attempt
     * with the same text the engine would give it ({@code executor error: ...}), masked too.
     */
    @Override
    public AttemptResult execute(AttemptRequest request, AttemptControl control) throws InterruptedException {
        String kind = request.profile().kind();
        AttemptResult result;
        try {
            result = switch (kind) {
                case "noop" -> noop(request, control);
                case "shell" -> shell(request, control);
                default -> AttemptResult.failed(null, "agent kind '" + kind + "' cannot run on the local executor");
            };
        } catch (RuntimeException e) {
            result = AttemptResult.failed(null, "executor error: " + e);
        }
        return masked(result, request.secrets());
    }

    /**
     * {@code result} with {@code secrets} replaced by {@code ***} in its reason and outputs, as in the attempt's output:
     * {@link AttemptResult#masked}, the one place an attempt's result is masked (the engine masks an executor's error
     * with it too).
     */
    static AttemptResult masked(AttemptResult result, java.util.Set<String> secrets) {
        return result.masked(secrets);
    }

    /**
     * Tells the user {@code message}, a warning about the attempt of {@code request}, masked like the attempt's output:
     * the one place an attempt's warnings are emitted ({@link #appendToStderrLog} the one its lines in the stderr log
     * are written).
     */
    private void warnOfAttempt(AttemptRequest request, String message) {
        options.warnings().accept(MaskingInputStream.mask(message, request.secrets()));
    }

    private static AttemptResult noop(AttemptRequest request, AttemptControl control) throws InterruptedException {
        // the plan already resolved it (the ticket's, else its profile's): a ticket's explicit 0 is not "unset"
        long duration = request.ticket().durationMillis();
        if (control.isCancelled()) return cancelled();
        if (duration <= 0) return NOOP_DONE;
        long timeout = request.ticket().timeoutMillis();
        boolean timesOut = timeout > 0 && timeout < duration;
        CountDownLatch cancel = new CountDownLatch(1);
        control.onCancel(cancel::countDown);
        if (cancel.await(timesOut ? timeout : duration, TimeUnit.MILLISECONDS)) return cancelled();
        return timesOut ? timedOut(timeout) : NOOP_DONE;
    }

    private AttemptResult shell(AttemptRequest request, AttemptControl control) throws InterruptedException {
        if (control.isCancelled()) return cancelled();
        PlannedTicket ticket = request.ticket();
        Plan plan = request.plan();
        Path repo = plan.repo() == null ? null : Path.of(plan.repo());
        Path scratch = request.scratchDir();
        if (repo != null && hidesDirectories(request.profile())) {
            // refused before the run (preflight); here for an attempt that was not, and a home changed since
            Optional<String> shown = hiddenDirectoryShown(repo, List.of());
            if (shown.isPresent()) return AttemptResult.failed(null, shown.get());
        }
        Worktree worktree = null;
        Path workspace;
        switch (ticket.workspace()) {
            case REPO -> workspace = repo != null ? repo : Path.of(plan.specDir());
            case RUN -> {
                workspace = scratch;
                retryOutputFiles.beforeAttempt(request, workspace); // not an earlier attempt's output files
            }
            case WORKTREE -> {
                if (repo == null) return AttemptResult.failed(null, "workspace: worktree needs a git repository (repo:)");
                AttemptResult notHeld = unlessHeld(request, control, "creating");
                if (notHeld != null) return notHeld;
                try {
                    String branch = "swarm/" + request.runId() + "/" + ticket.id();
                    // ticket ids have no '.', so this name is no other ticket's branch
                    worktree = GitWorktrees.createWorktree(repo, request.runDir().resolve("worktrees").resolve(ticket.id()),
                            branch, pinnedBase(request.runDir()), branch + BEFORE_ATTEMPT + request.attempt());
                } catch (GitException | IOException e) {
                    if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
                    return AttemptResult.failed(null, "cannot create the worktree: " + e.getMessage());
                }
                workspace = worktree.dir();
            }
            default -> throw new IllegalStateException("unknown workspace " + ticket.workspace());
        }
        String kept = worktree == null || worktree.kept() == null ? null
                : "swarm: note: " + worktree.branch() + " held commits its base " + worktree.base().substring(0, Math.min(12, worktree.base().length()))
                        + " does not have (made by an earlier attempt, or by hand); they are kept on branch "
                        + worktree.kept() + ", and this attempt starts from the base";
        if (kept != null) warnOfAttempt(request, "ticket " + ticket.id() + ": " + kept.substring("swarm: note: ".length()));
        boolean leftAlone = false;
        try {
            return shellIn(request, control, workspace, worktree);
        } catch (LeftAlone e) {
            leftAlone = true;
            return e.result;
        } catch (InterruptedException | RuntimeException e) {
            // the attempt ended before shellIn's own check: what is left to the user must be git's own all the same
            if (worktree != null) restoreGitFile(request, worktree);
            throw e;
        } finally {
            // locked from its creation until its work is committed: see GitWorktrees.createWorktree; not when the
            // coordinator no longer holds the run: the lock at this path may be a newer attempt's worktree's by now
            if (worktree != null && !leftAlone) GitWorktrees.unlock(worktree);
            if (kept != null) appendToStderrLog(request, kept);
        }
    }

    private AttemptResult shellIn(AttemptRequest request, AttemptControl control, Path workspace, Worktree worktree)
            throws InterruptedException {
        PlannedTicket ticket = request.ticket();
        Path scratch = request.scratchDir();
        Map<String, String> env = new HashMap<>(request.env());
        env.put("SWARM_RUN_ID", request.runId());
        env.put("SWARM_TICKET_ID", ticket.id());
        env.put("SWARM_ATTEMPT", Integer.toString(request.attempt()));
        env.put("SWARM_SCRATCH", scratchVariable(scratch));
        // the script through the environment, not the command line (see SCRIPT_VARIABLE)
        env.put(SCRIPT_VARIABLE, request.script());

        AgentProfile profile = request.profile();
        ResourceLimits limits = profile.limits() != null ? profile.limits() : ResourceLimits.DEFAULTS;
        ProcessLimits processLimits = new ProcessLimits(limits.cpuSeconds(), limits.addressSpaceBytes(), limits.fileSizeBytes(), limits.processes());
        // 0 is a grace period (--grace 0: KILL right after the TERM), not "none given": only a negative one is none
        long graceMillis = control.gracePeriodMillis() >= 0 ? control.gracePeriodMillis() : options.gracePeriod().toMillis();
        java.util.Set<String> jsonKeys = new java.util.HashSet<>();
        for (OutputSpec o : ticket.outputs().values()) if (o.jsonKey() != null) jsonKeys.add(o.jsonKey());
        JsonCapture json = jsonKeys.isEmpty() ? null : new JsonCapture(jsonKeys);
        SandboxResult result;
        boolean isolatedNetwork;
        NoNetworkLines noNetworkLines = null;
        for (int launch = 0; ; launch++) {
            SandboxProcess process;
            boolean last = launch == MAX_RELAUNCHES;
            // a cancel may have come while the worktree was created: start nothing then (onCancel below covers later ones)
            if (control.isCancelled()) return cancelled();
            SandboxSpec launched = spec(request, workspace, env, processLimits, graceMillis);
            if (launch == 0) warnOfHiddenPathEntries(request, launched);
            // a line from bubblewrap waits to be shown until the launch is known not to be discarded (the last one
            // allowed is the attempt's whatever it ends with)
            HeldBackLine live = last ? null : new HeldBackLine(control);
            LineListener shown = live == null ? toControl(control) : live;
            // a ticket without network: its stderr is looked at for a failure to reach it (npm, Node.js and pip say so a
            // few lines before their last one)
            noNetworkLines = ticket.network() ? null : new NoNetworkLines(shown);
            try {
                // JSON outputs come from the whole of stdout, not only the part the log cap kept
                process = sandbox.start(launched, COMMAND, noNetworkLines == null ? shown : noNetworkLines,
                        json);
            } catch (SandboxException e) {
                if (Thread.interrupted()) throw new InterruptedException(e.getMessage());
                return AttemptResult.failed(null, e.getMessage());
            }
            control.processStarted(process.pid(), process.startTicks());
            control.onCancel(process::cancel);
            control.onKill(process::kill);
            try {
                result = process.waitFor();
            } catch (InterruptedException | RuntimeException e) {
                // the attempt ends here (the group killed), with no launch after this one: a line held back is the
                // ticket's, shown now or, still in the pipe, as it comes
                if (live != null) live.pass();
                throw e;
            }
            isolatedNetwork = !ticket.network() && process.usesBubblewrap();
            // a directory to hide or a host socket to cover that was deleted after the argv was built, before bubblewrap
            // mounted over it: bubblewrap could not make the mount point and ended before starting the script; up to
            // MAX_RELAUNCHES times, the sandbox is set up again (spec() and the sandbox's socket list leave out what no
            // longer exists)
            if (last || !process.usesBubblewrap()
                    || vanishedMountPoint(result, launched.hiddenDirs(), process.maskedFiles()) == null) {
                if (live != null) live.pass();
                break;
            }
            // discarded: the script never ran, and the attempt's is a launch that follows; neither the live view nor the
            // logs show bubblewrap's line about a path that was gone
            live.drop();
            forgetLog(request.logDir());
        }

        // the ticket's processes have ended: its worktree's .git is made git's own again before the commit, whatever the
        // outcome, as a failed, cancelled or timed-out ticket's worktree is left for the user to run git in
        String gitFileLeft = worktree == null ? null : restoreGitFile(request, worktree);
        AttemptResult ended = switch (result.termination()) {
            case CANCELLED -> killedAfterGrace(cancelled(), result, graceMillis);
            case TIMED_OUT -> killedAfterGrace(timedOut(ticket.timeoutMillis()), result, graceMillis);
            case EXITED -> result.succeeded()
                    ? gitFileLeft != null ? AttemptResult.failed(0, gitFileLeft) : finish(request, control, workspace, worktree, json)
                    : AttemptResult.failed(result.exitCode(), exitReason(result.exitCode(),
                            sandbox.effectiveLimits(processLimits).cpuSeconds())
                            // before the line, not after it: the progress view and status cut a reason after 200
                            // characters, and git's line for a long URL took the hint away there
                            + (isolatedNetwork ? noNetworkHint(result.lastStderrLine(), noNetworkLines) : "")
                            + (worktree != null ? gitMetadataHint(result.lastStderrLine()) : "")
                            + (result.lastStderrLine() == null ? "" : ": " + result.lastStderrLine()));
        };
        if (!result.escaped().isEmpty() || !result.escapedLeft().isEmpty()) warnEscaped(request, result.escaped(), result.escapedLeft());
        if (!result.setIds().isEmpty()) { // files it left set-uid, cleared by the sandbox (docs/sandbox.md)
            // a file in the run's scratch directory may be another ticket's: the warning does not say it is this attempt's
            String setIds = io.swarmflow.sandbox.SetIdBits.warning(request.attempt(), result.setIds(), request.secrets(),
                    java.util.List.of(request.scratchDir()));
            warnOfAttempt(request, "ticket " + request.ticket().id() + ": " + setIds);
            appendToStderrLog(request, "swarm: warning: " + setIds);
        }
        // recorded with the attempt's end: its log folder is made on the first byte, so `swarm logs` tells an attempt
        // that printed nothing (no folder, 0 bytes) from one whose folder was deleted by this count, at no cost per
        // launch (a folder made before each launch was measurable in B3: docs/benchmarks.md, re-runs of 2026-12-05)
        return ended.withOutputBytes(result.stdoutBytes() + result.stderrBytes());
    }

    /**
     * The sandbox of an attempt of {@code request} in {@code workspace}, with {@code env}: built at each launch, as the
     * directories it hides are checked to exist as it is built.
     */
    private SandboxSpec spec(AttemptRequest request, Path workspace, Map<String, String> env, ProcessLimits processLimits,
                             long graceMillis) {
        PlannedTicket ticket = request.ticket();
        Plan plan = request.plan();
        Path repo = plan.repo() == null ? null : Path.of(plan.repo());
        AgentProfile profile = request.profile();
        ResourceLimits limits = profile.limits() != null ? profile.limits() : ResourceLimits.DEFAULTS;
        SandboxSpec.Builder spec = SandboxSpec.builder(workspace)
                .isolation(isolation(profile.sandbox()))
                .workspaceWritable(ticket.workspace() != WorkspaceMode.REPO)
                .writableDir(request.scratchDir())
                .network(ticket.network())
                .env(env)
                .limits(processLimits)
                .tmpSize(limits.tmpBytes())
                .timeout(Duration.ofMillis(ticket.timeoutMillis()))
                .grace(Duration.ofMillis(graceMillis))
                .logs(request.logDir().resolve("stdout.log"), request.logDir().resolve("stderr.log"), limits.logBytes())
                .masked(request.secrets());
        if (options.stateDir() != null) spec.hiddenDir(options.stateDir());
        // other runs' state where it usually lives (a run with --state-dir elsewhere must not read them either):
        // the spec's and the working directory, and anywhere in the repository as of this executor's first scan of it
        // (the preflight's, when run or resume preflighted the plan; else the run's first attempt here)
        for (Path dir : new Path[] {repo, Path.of(plan.specDir()), Path.of("").toAbsolutePath()}) {
            if (dir != null && Files.isDirectory(dir.resolve(".swarm"))) spec.hiddenDir(dir.resolve(".swarm"));
        }
        if (repo != null) {
            // found at the first attempt: one deleted since is not mounted over (bubblewrap could not make its mount point
            // on the read-only repository, and the attempt would fail)
            for (Path dir : otherStateDirs(repo)) {
                if (Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) spec.hiddenDir(dir);
            }
        }
        // and the user's other state directories wherever they are
        for (Path state : hiddenStateDirs(request, workspace)) spec.hiddenDir(state);
        // only homes that exist: bubblewrap cannot make a mount point such as /nonexistent (nobody's home)
        for (String home : homes()) {
            if (Files.isDirectory(Path.of(home))) spec.hiddenDir(Path.of(home));
        }
        if (repo != null) {
            spec.readOnlyDir(repo);
            Path gitDir = gitDir(repo);
            if (gitDir != null) spec.readOnlyDir(gitDir);
        }
        return spec.build();
    }

    /**
     * Says once per directory that a directory of the ticket's {@code PATH} lies in one the sandbox hides (a home, a
     * repository's {@code .swarm}, this run's state directory; {@link Sandbox#hiddenPathEntries}), so that a command found
     * only there fails (exit 127, command not found) for a reason the user is told. The directory stays hidden: hiding
     * the home and the state directories is what keeps their files from the tickets (a ticket whose {@code PATH} is known
     * to name a state directory's is refused before its run starts: {@link #preflight}).
     */
    private void warnOfHiddenPathEntries(AttemptRequest request, SandboxSpec launched) {
        PlannedTicket ticket = request.ticket();
        Map<Path, Path> hidden;
        try {
            hidden = sandbox.hiddenPathEntries(launched);
        } catch (SandboxException e) {
            return; // the launch says it
        }
        hidden.forEach((entry, dir) -> {
            if (!hiddenPathWarned.add(entry)) return;
            boolean home = homes().stream().anyMatch(h -> Path.of(h).toAbsolutePath().normalize().equals(dir));
            String what = home ? "your home directory" : options.stateDir() != null && samePath(dir, options.stateDir())
                    ? "this run's state directory" : "a Swarmflow state directory";
            warnOfAttempt(request, "the PATH of ticket " + ticket.id() + " holds " + entry + ", which lies in " + dir + " ("
                    + what + "): the sandbox hides " + dir + " from tickets (an empty directory in its place), so the programs in "
                    + entry + " cannot run there, and a command found only there fails with exit 127 (command not found); "
                    + "Swarmflow keeps " + dir + " hidden, as that keeps its files from the tickets: install the programs "
                    + "the tickets need outside it (/usr/local/bin, /opt/NAME/bin) and put that directory on the ticket's PATH");
        });
    }

    /** The directories of a ticket's PATH the sandbox hides, each warned about once ({@link #warnOfHiddenPathEntries}). */
    private final java.util.Set<Path> hiddenPathWarned = ConcurrentHashMap.newKeySet();

    /**
     * The mount point bubblewrap could not make, when that is all an attempt's process did and the path does not exist
     * now; else null. The process exited 1, printed nothing to stdout and only one line of bubblewrap's to stderr:
     * <ul>
     * <li>{@code bwrap: Can't mkdir DIR: REASON} (or {@code Can't mkdir parents for DIR: REASON}), DIR one of the
     *     {@code hidden} directories of the launch (or above or below one): a directory to hide was deleted after the
     *     launch checked it;</li>
     * <li>{@code bwrap: Can't create file at FILE: REASON} (or {@code Can't mkdir parents for FILE: REASON}, its
     *     directory gone too), FILE one of the launch's {@code masked} files ({@link SandboxProcess#maskedFiles}): a host
     *     Unix socket (or credential file) was deleted after the sandbox listed it (a test or a service that binds and
     *     removes sockets under /var/tmp). A socket that is gone can no longer be reached, so a launch without it loses
     *     nothing.</li>
     * </ul>
     * Either way the path went between the building of the argv and bubblewrap's mounts, on the read-only root where
     * the mount point cannot be made, and the script never ran. Checking again just before the launch only narrows that
     * window; bubblewrap 0.8 has no mount that skips a missing destination (its {@code -try} forms skip a missing source
     * only), and covering the socket's directory instead would hide its other files. So the caller launches again, up
     * to {@link #MAX_RELAUNCHES} times, the argv built again without what is gone. The path must be one the launch
     * itself mounted over: a script that runs bubblewrap itself gets the same lines for mount points of its own, and
     * must not be run twice.
     */
    static Path vanishedMountPoint(SandboxResult result, java.util.Collection<Path> hidden, java.util.Collection<Path> masked) {
        String line = result.lastStderrLine();
        if (result.termination() != io.swarmflow.sandbox.Termination.EXITED || !Integer.valueOf(1).equals(result.exitCode())
                || result.stdoutBytes() != 0 || line == null
                || result.stderrBytes() != line.getBytes(StandardCharsets.UTF_8).length + 1) {
            return null;
        }
        boolean parents = line.startsWith(CANNOT_MAKE_PARENTS);
        boolean dirOnly = !parents && line.startsWith(CANNOT_MAKE);
        boolean fileOnly = line.startsWith(CANNOT_CREATE_FILE);
        String rest = parents ? line.substring(CANNOT_MAKE_PARENTS.length()) : dirOnly ? line.substring(CANNOT_MAKE.length())
                : fileOnly ? line.substring(CANNOT_CREATE_FILE.length()) : null;
        int reason = rest == null ? -1 : rest.lastIndexOf(": ");
        if (reason <= 0) return null;
        try {
            Path gone = Path.of(rest.substring(0, reason));
            boolean ours = (!fileOnly && hidden.stream().anyMatch(h -> h.startsWith(gone) || gone.startsWith(h)))
                    || (!dirOnly && masked.contains(gone));
            return gone.isAbsolute() && ours && !Files.exists(gone, java.nio.file.LinkOption.NOFOLLOW_LINKS) ? gone : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    /**
     * Deletes what a launch that never started the script left in the attempt's log folder (bubblewrap's error in
     * stderr.log, the folder made for it), so that the launch that follows leaves the logs of its own output only.
     */
    private static void forgetLog(Path logDir) {
        try {
            Files.deleteIfExists(logDir.resolve("stdout.log"));
            Files.deleteIfExists(logDir.resolve("stderr.log"));
            Files.deleteIfExists(logDir);
        } catch (IOException e) {
            // a folder holding anything else is kept; the next launch truncates the logs it writes to
        }
    }

    /**
     * Hands the lines of a launch that may yet be discarded to {@code control} as they come, except a first line of
     * stderr that may be bubblewrap's failure over a vanished mount point ({@link #vanishedMountPoint}): that one waits
     * for the next line of either stream, or for the launch's end, which {@link #pass}es it on or {@link #drop}s it with
     * the discarded launch. Lines come from two pump threads.
     */
    private static final class HeldBackLine implements LineListener.Told {
        private final AttemptControl control;
        private String held;
        /** Whether the next line may continue {@link #held}, as the pump told it. */
        private boolean heldMayBeContinued;
        private boolean passing;

        HeldBackLine(AttemptControl control) {
            this.control = control;
        }

        @Override
        public synchronized void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
            if (!passing) {
                if (held == null && "stderr".equals(stream) && (line.startsWith(CANNOT_MAKE) || line.startsWith(CANNOT_CREATE_FILE))) {
                    held = line;
                    heldMayBeContinued = mayBeContinued;
                    return;
                }
                pass();
            }
            control.logLine(stream, line, afterLoneCr, mayBeContinued);
        }

        /** Told on, after the line held back (the line it tells of comes after it). */
        @Override
        public synchronized void logCapped(String stream) {
            if (!passing) pass();
            control.logCapped(stream);
        }

        /**
         * The launch is the attempt's: the line held back is shown, and the lines that follow at once. The line held back
         * is stderr's first, which continues nothing.
         */
        synchronized void pass() {
            passing = true;
            if (held != null) control.logLine("stderr", held, false, heldMayBeContinued);
            held = null;
        }

        /** The launch is discarded: the line held back is not shown. */
        synchronized void drop() {
            passing = true;
            held = null;
        }
    }

    /**
     * The lines of a launch, passed on to {@code control} with whether each continues the terminal line of the one
     * before it and whether the next may continue it ({@link LineListener#line(String, String, boolean, boolean)},
     * {@link AttemptControl#logLine(String, String, boolean, boolean)}), so that plain output can show a progress bar's
     * last state instead of each, and a line ended by LF at once.
     */
    private static LineListener toControl(AttemptControl control) {
        return new LineListener() {
            @Override
            public void line(String stream, String line) {
                control.logLine(stream, line, false);
            }

            @Override
            public void line(String stream, String line, boolean afterLoneCr) {
                control.logLine(stream, line, afterLoneCr, true);
            }

            @Override
            public void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
                control.logLine(stream, line, afterLoneCr, mayBeContinued);
            }

            @Override
            public void logCapped(String stream) {
                control.logCapped(stream);
            }
        };
    }

    /**
     * How many times one attempt is launched again after bubblewrap failed over a mount point that vanished
     * ({@link #vanishedMountPoint}): each launch leaves out what is gone, so only another path vanishing between its argv
     * and its mounts fails it again, which happens where Unix sockets come and go all the time (a test or a tool binding
     * and removing them in /tmp or /var/tmp in a loop); a single relaunch lost that race too. The launch after the last
     * relaunch is the attempt's, whatever it ends with, bubblewrap's line being then its reason.
     */
    static final int MAX_RELAUNCHES = 3;

    /**
     * What a new attempt's branch name adds to its ticket's branch ({@code swarm/<run>/<ticket>.before-attempt-N}) for
     * the branch that keeps the commits the ticket's branch held beyond the run's base when attempt N started.
     */
    private static final String BEFORE_ATTEMPT = ".before-attempt-";
    private static final String CANNOT_MAKE = "bwrap: Can't mkdir ";
    private static final String CANNOT_MAKE_PARENTS = "bwrap: Can't mkdir parents for ";
    private static final String CANNOT_CREATE_FILE = "bwrap: Can't create file at ";

    /**
     * Why an attempt's process failed with {@code exitCode}: killed by SIGXCPU (152) under a CPU-time limit of
     * {@code cpuSeconds} (0: none) is that limit, which the kernel alone sends at it; anything else is the exit code, with
     * {@link #signalHint}.
     */
    static String exitReason(Integer exitCode, long cpuSeconds) {
        if (exitCode != null && exitCode == 152 && cpuSeconds > 0) {
            return "CPU time limit (" + cpuSeconds + "s) exceeded: killed by SIGXCPU (exit code 152)";
        }
        return "exited with code " + exitCode + signalHint(exitCode);
    }

    /**
     * What failing to reach the network looks like in the last line of stderr of common clients: curl, wget, git, pip
     * and Python's socket errors, Node.js ({@code ENOTFOUND}, {@code EAI_AGAIN}), Go's resolver ({@code dial tcp:
     * lookup}), getaddrinfo(3)'s messages ({@code gai_strerror}) and connect(2)'s {@code ENETUNREACH}. Not a bare
     * "failed to resolve": compilers and bundlers say that of names and imports (rustc's {@code error[E0433]: failed to
     * resolve: use of undeclared crate}, Vite's {@code failed to resolve import}); urllib3's {@code Failed to resolve
     * 'HOST'} carries getaddrinfo's message.
     */
    private static final java.util.regex.Pattern NO_NETWORK = java.util.regex.Pattern.compile(
            "(?i)could not resolve (host|proxy)|temporary failure in name resolution|name or service not known"
                    + "|no address associated with hostname|network is unreachable|unable to resolve host"
                    + "|\\bENOTFOUND\\b|\\bEAI_AGAIN\\b|dial tcp: lookup|failed to resolve host|name resolution failed"
                    + "|could not resolve hostname|getaddrinfo");

    /** The end of git's line when it cannot lock the index: under bubblewrap a worktree's git metadata is read-only. */
    static final String INDEX_LOCK_READ_ONLY = "index.lock': Read-only file system";

    /**
     * A hint for a worktree ticket whose last line of stderr is git failing to lock the read-only index (a script that runs
     * {@code git add} or {@code git commit}, docs/sandbox.md), else the empty string.
     */
    static String gitMetadataHint(String lastStderrLine) {
        return lastStderrLine != null && lastStderrLine.contains(INDEX_LOCK_READ_ONLY)
                ? " (a ticket cannot run git add/commit itself: its git metadata is read-only; leave the changes uncommitted and "
                        + "Swarmflow commits them)"
                : "";
    }

    /**
     * A hint put after the exit code in the reason of an attempt that ran without network ({@code network: false}, under bubblewrap,
     * where the sandbox has its own empty network namespace) and whose last line of stderr says it could not reach the
     * network ({@link #NO_NETWORK}); empty otherwise, also for a null line.
     */
    static String noNetworkHint(String lastStderrLine) {
        return noNetworkHint(lastStderrLine, null);
    }

    /**
     * {@link #noNetworkHint(String)}, also when one of the last {@link NoNetworkLines#RECENT} lines of stderr
     * {@code lines} saw says it could not reach the network: npm ends with "A complete log of this run can be found
     * in: ...", Node.js with its version, pip with "No matching distribution found for X", the line that names the cause
     * a few lines before.
     */
    static String noNetworkHint(String lastStderrLine, NoNetworkLines lines) {
        boolean last = lastStderrLine != null && NO_NETWORK.matcher(lastStderrLine).find();
        if (!last && (lines == null || !lines.recentlySaid())) return "";
        return " (the sandbox has no network by default: give the ticket `network: true` if it needs one)";
    }

    /**
     * Passes every line on to {@code next}, and notes which of the lines of stderr said it could not reach the network
     * ({@link #NO_NETWORK}; lines up to {@link #LONGEST} characters are looked at). Only the stderr pump thread writes.
     *
     * <p>Lines of stderr are counted as a terminal shows them: a progress bar redrawn after each lone CR comes as one
     * line per state, each after the first told it is drawn over the one before
     * ({@link LineListener#line(String, String, boolean)}), and all of them are one line of stderr, counted at its first
     * non-blank state; a lookup that any of them names was named on that line. Ten states after "Could not resolve host"
     * used to push that line out of the last {@link #RECENT}, and the hint was lost; now a bar counts once whatever its
     * states hold (pip's {@code ━━━ 1.2/5.0 MB 3.4 MB/s eta 0:00:01}, curl's meter), and lines ended by LF count one each
     * however alike they are (a column of numbers).
     */
    static final class NoNetworkLines implements LineListener.Told {
        /** How near the end of stderr such a line counts, in non-blank lines of stderr (a bar's states being one). */
        static final int RECENT = 10;
        private static final int LONGEST = 4096;
        private final LineListener next;
        private volatile long stderrLines;
        private volatile long said = -1;
        /** Whether the terminal line of stderr being drawn (a lone CR may yet draw over it) was counted. */
        private boolean counted;

        NoNetworkLines(LineListener next) {
            this.next = next;
        }

        @Override
        public void line(String stream, String line, boolean afterLoneCr, boolean mayBeContinued) {
            if ("stderr".equals(stream)) {
                if (!afterLoneCr) counted = false;
                if (!line.isBlank()) {
                    long n = counted ? stderrLines : stderrLines + 1;
                    counted = true;
                    if (line.length() <= LONGEST && NO_NETWORK.matcher(line).find()) said = n;
                    stderrLines = n;
                }
            }
            next.line(stream, line, afterLoneCr, mayBeContinued);
        }

        @Override
        public void logCapped(String stream) {
            next.logCapped(stream);
        }

        /** Whether one of the last {@link #RECENT} non-blank lines of stderr seen (a bar's states as one) said it. */
        boolean recentlySaid() {
            long s = said;
            return s >= 0 && stderrLines - s < RECENT;
        }
    }

    /**
     * Shells report a command killed by signal N as exit code 128 + N (bash(1), "EXIT STATUS"); names
     * the common ones, with the usual cause of SIGPIPE under {@code pipefail}.
     */
    static String signalHint(Integer exitCode) {
        if (exitCode == null) return "";
        return switch (exitCode) {
            case 129 -> " (SIGHUP)";
            case 130 -> " (SIGINT)";
            case 134 -> " (SIGABRT)";
            case 137 -> " (SIGKILL: killed, for example by a limit or the OOM killer)";
            case 139 -> " (SIGSEGV)";
            case 141 -> " (SIGPIPE: a reader such as `| head` stopped early; under pipefail the writer's death fails the script)";
            case 143 -> " (SIGTERM)";
            case 152 -> " (SIGXCPU: the cpu-time limit)";
            case 153 -> " (SIGXFSZ: the file-size limit)";
            default -> "";
        };
    }

    /**
     * Put before a shell ticket's script, on the line of the {@code eval} that runs it ({@link #command()}; bash's line
     * numbers stay the script's own): on the TERM
     * of a timeout or cancel, the script's shell lets its foreground command finish and waits for its background jobs
     * (bash runs a trap only after the foreground command ends; {@code wait} waits for the shell's own children), then
     * exits 143 (128 + SIGTERM, as a shell killed by it reports). Without it the shell dies of the TERM at once, and under
     * bubblewrap the end of the sandbox's first process ends its PID namespace, killing a child that was cleaning up
     * (an agent saving its state) before its grace period is over. The final KILL still ends everything. A script's own
     * {@code trap ... TERM} replaces this one.
     *
     * <p>A shell that outlives a TERM this way reports a foreground command the TERM killed: bash writes
     * {@code Terminated} to its stderr (the script's) as that command ends, inside the {@code eval}, before the trap
     * runs, so no redirection in the trap reaches it; only POSIX mode ({@code set -o posix}, which changes the script's
     * semantics) silences it. The line stays in the attempt's stderr.log (docs/cli.md, "swarm logs").
     */
    public static final String GRACE_TRAP = "trap 'wait; exit 143' TERM; ";

    private static final List<String> COMMAND = List.copyOf(command());

    /**
     * The environment variable that hands a shell ticket's script to its shell ({@link #command()}): the script has
     * {@code --var} values, matrix values and other tickets' outputs substituted into it, and a command line is readable by
     * every local user in {@code /proc/PID/cmdline}, while a process's environment is readable only by its own user (and
     * root). The shell unsets it before the script's first command, so the script's children do not inherit it.
     */
    public static final String SCRIPT_VARIABLE = "SWARM_SCRIPT";

    /**
     * The argv of a shell ticket, the same for every script: {@link #SHELL}, then {@link #GRACE_TRAP} and an {@code eval} of
     * the script in {@link #SCRIPT_VARIABLE}, whose value the caller puts in the environment. Through {@code eval} the
     * script runs as with {@code bash -c SCRIPT}: {@code $0} is bash's path ({@code /usr/bin/bash}), line numbers are the
     * script's own (a message reads {@code /usr/bin/bash: line 3: ...}), commands are read and run one after another (a
     * {@code shopt} or an alias applies to the lines that follow), and an error stops it under {@code -e}; only a syntax
     * error's message says {@code eval: line N} (for an unexpected token, {@code syntax error near unexpected token},
     * without the line) where {@code bash -c} says {@code -c: line N}.
     */
    public static List<String> command() {
        List<String> argv = new ArrayList<>(SHELL);
        // the unset is on the eval'd text's first line, before the script: line numbers stay the script's own
        argv.add(GRACE_TRAP + "eval \"unset " + SCRIPT_VARIABLE + "; $" + SCRIPT_VARIABLE + "\"");
        return argv;
    }

    private static List<String> homes() {
        List<String> homes = new ArrayList<>(2);
        String prop = System.getProperty("user.home");
        if (prop != null && !prop.isBlank()) homes.add(prop);
        String env = System.getenv("HOME");
        if (env != null && !env.isBlank() && !env.equals(prop)) homes.add(env);
        return homes;
    }

    private Path gitDir(Path repo) {
        return gitDirs.computeIfAbsent(repo, r -> {
            Path dotGit = r.resolve(".git");
            if (Files.isDirectory(dotGit)) return dotGit;
            try {
                return GitWorktrees.commonGitDir(r);
            } catch (GitException e) {
                return null;
            }
        });
    }

    private static Isolation isolation(SandboxPolicy policy) {
        return switch (policy == null ? SandboxPolicy.BEST_EFFORT : policy) {
            case REQUIRED -> Isolation.REQUIRED;
            case BEST_EFFORT -> Isolation.BEST_EFFORT;
            case OFF -> Isolation.OFF;
        };
    }

    private AttemptResult finish(AttemptRequest request, AttemptControl control, Path workspace, Worktree worktree,
            JsonCapture json) {
        PlannedTicket ticket = request.ticket();
        Map<String, String> outputs = new LinkedHashMap<>();
        if (worktree != null) {
            AttemptResult notHeld = unlessHeld(request, control, "committing");
            if (notHeld != null) throw new LeftAlone(notHeld);
            try {
                String message = ticket.title() == null || ticket.title().isBlank() ? ticket.id() : ticket.title();
                if (!Files.isDirectory(worktree.dir(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    return AttemptResult.failed(0, "the ticket deleted (or replaced) its worktree directory " + worktree.dir()
                            + ", so nothing could be committed on " + worktree.branch() + "; delete what is in it instead "
                            + "(deletions are committed too), not the directory itself");
                }
                // committing would seal conflict markers, and a merge's second parent, as the ticket's work
                Optional<String> unfinished = GitWorktrees.unfinishedOperation(worktree);
                if (unfinished.isPresent()) {
                    return AttemptResult.failed(0, "the ticket left " + unfinished.get() + " in its worktree; Swarmflow does "
                            + "not commit unfinished git operations, so nothing was committed on " + worktree.branch());
                }
                // without bubblewrap a ticket can switch branches: its work would be committed elsewhere, and the
                // branch and diffstat outputs would describe a branch it left
                String onBranch = GitWorktrees.checkedOutBranch(worktree).orElse(null);
                if (!("refs/heads/" + worktree.branch()).equals(onBranch)) {
                    return AttemptResult.failed(0, "the ticket left its branch " + worktree.branch() + " checked out as "
                            + (onBranch == null ? "a detached HEAD" : onBranch.replaceFirst("^refs/heads/", "branch "))
                            + " in its worktree; Swarmflow commits a ticket's work only on its own branch: stay on it (commit "
                            + "there, or create other branches without switching to them)");
                }
                // the worktree's HEAD: the commit made here of what the ticket left uncommitted, else what the ticket
                // committed itself (possible without bubblewrap), else the base (diffstat is then empty)
                String commit;
                try {
                    commit = GitWorktrees.commitAll(worktree, message).orElse(null);
                } catch (GitWorktrees.UnopenedDirectories e) { // their files would be missing from a ticket that succeeded
                    List<Path> closed = e.directories();
                    String names = closed.stream().map(d -> worktree.dir().relativize(d).toString()).map(n -> n.isEmpty() ? "." : n)
                            .map(n -> io.swarmflow.files.FileTrees.shorten(n, 200))
                            .collect(java.util.stream.Collectors.joining(", "));
                    boolean deep = e.tooLong();
                    return AttemptResult.failed(0, "the ticket left directories in its worktree that cannot be opened (" + names
                            + "), so what is in them cannot be committed; nothing was committed on " + worktree.branch()
                            + ": leave them readable (chmod u+rx DIR) before the script ends"
                            + (deep ? ", and keep paths shorter than " + io.swarmflow.files.FileTrees.PATH_MAX
                            + " bytes (git cannot open a deeper one)" : ""));
                }
                if (commit == null) commit = GitWorktrees.head(worktree);
                List<String> nested = GitWorktrees.nestedWork(worktree);
                if (!nested.isEmpty()) warnNested(request, worktree, nested);
                outputs.put("branch", worktree.branch());
                outputs.put("commit", commit);
                outputs.put("diffstat", cap(GitWorktrees.diffStat(worktree.repo(), worktree.base(), worktree.branch())));
            } catch (GitException e) {
                return AttemptResult.failed(0, "cannot commit the worktree of ticket " + ticket.id() + ": " + e.getMessage());
            }
        }
        // every output's problem, not only the first: the same one of several outputs (no JSON line) said once
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (OutputSpec o : ticket.outputs().values().stream().sorted(java.util.Comparator.comparing(OutputSpec::name)).toList()) {
            String problem;
            if (o.file() != null) {
                problem = readFile(workspace, o, outputs, worktree != null ? "the ticket's worktree"
                        : ticket.workspace() == WorkspaceMode.RUN ? "the run's shared directory"
                        : request.plan().repo() != null ? "the repository" : "the spec's directory");
            } else {
                problem = json == null ? "no JSON" : json.take(o, outputs);
            }
            if (problem != null && o.file() != null && problem.startsWith("file " + o.file() + " not found in ")
                    && retryOutputFiles.deletedBefore(request, o.file())) {
                problem += " (the one an earlier attempt of the ticket left was deleted before this attempt, which did not "
                        + "write it again)";
            }
            if (problem != null) problems.computeIfAbsent(problem, k -> new ArrayList<>()).add(o.name());
        }
        if (!problems.isEmpty()) return AttemptResult.failed(0, outputProblems(problems));
        // outputs are stored and shown like the output they may come from (stdout's JSON is masked already): masked by
        // execute, with the reason
        return AttemptResult.succeeded(outputs);
    }

    /**
     * The failure reason for the outputs of an attempt that are refused: {@code problems} maps each problem to the outputs
     * it refused, in the order of their names. One output: {@code output 'k': PROBLEM}; several with one
     * problem: {@code outputs 'a', 'b': PROBLEM}; else {@code 3 outputs refused: 'a': P1; 'b', 'c': P2}.
     */
    static String outputProblems(Map<String, List<String>> problems) {
        int count = problems.values().stream().mapToInt(List::size).sum();
        java.util.function.Function<List<String>, String> names = l -> l.stream().map(n -> "'" + n + "'")
                .collect(java.util.stream.Collectors.joining(", "));
        if (problems.size() == 1) {
            Map.Entry<String, List<String>> only = problems.entrySet().iterator().next();
            return (count == 1 ? "output " : "outputs ") + names.apply(only.getValue()) + ": " + only.getKey();
        }
        return count + " outputs refused: " + problems.entrySet().stream().map(e -> names.apply(e.getValue()) + ": " + e.getKey())
                .collect(java.util.stream.Collectors.joining("; "));
    }

    /**
     * Makes the worktree's {@code .git} file git's own again once the ticket's processes have ended
     * ({@link GitWorktrees#restoreGitFile}), and says so in the user's warnings and the attempt's stderr log when the
     * ticket had deleted or replaced it. That alone does not fail the attempt: Swarmflow's commit never reads the file,
     * and git never commits a {@code .git}.
     *
     * @return why the attempt fails when the file could not be restored (the worktree then holds a {@code .git} git
     *         would follow), else null
     */
    private String restoreGitFile(AttemptRequest request, Worktree worktree) {
        String line;
        String failure = null;
        try {
            Optional<String> left = GitWorktrees.restoreGitFile(worktree);
            if (left.isEmpty()) return null;
            line = "swarm: warning: the ticket " + (left.get().equals("deleted") ? "deleted its worktree's .git file"
                    : "left its worktree's .git as " + left.get()) + "; Swarmflow wrote git's own .git file back"
                    + (left.get().startsWith("a directory") ? " in place of that directory (deleted: git never commits a .git)" : "")
                    + ", so git run in " + worktree.dir() + " reads the worktree's records in the main repository, not the "
                    + "ticket's (Swarmflow's commit never reads that file)";
        } catch (GitException e) {
            failure = e.getMessage();
            line = "swarm: warning: " + failure;
        }
        warnOfAttempt(request, "ticket " + request.ticket().id() + ": " + line.substring("swarm: warning: ".length()));
        appendToStderrLog(request, line);
        return failure;
    }

    /**
     * Says, in the attempt's stderr log and the user's warnings, that the commit left out the content of
     * gitlink directories ({@link GitWorktrees#nestedWork}): it stays only in the worktree, which {@code swarm clean}
     * then keeps unless forced.
     */
    private void warnNested(AttemptRequest request, Worktree worktree, List<String> nested) {
        String line = "swarm: warning: the commit on " + worktree.branch() + " does not hold the content of "
                + String.join(", ", nested) + " " + NESTED_NOTE + "; it stays only in the worktree " + worktree.dir()
                + ", which `swarm clean` keeps unless --force";
        warnOfAttempt(request, "ticket " + request.ticket().id() + ": " + line.substring("swarm: warning: ".length()));
        appendToStderrLog(request, line);
    }

    /**
     * Says, in the user's warnings and the attempt's stderr log, that the attempt left processes running outside its
     * process group, which the sandbox found by their environment and ended ({@link SandboxResult#escaped}; only without
     * bubblewrap and a cgroup). Their command lines come masked like the attempt's output ({@link SandboxResult#escaped}).
     */
    private void warnEscaped(AttemptRequest request, List<String> escaped, List<String> left) {
        // the names come masked already (SandboxSpec.masked: the request's secrets, before the cut to 200 characters)
        List<String> all = java.util.stream.Stream.concat(escaped.stream(), left.stream()).toList();
        String warning = "attempt " + request.attempt() + " left " + (all.size() == 1 ? "a process" : all.size()
                + " processes") + " running outside its process group (setsid, a daemon): " + String.join(", ", all)
                + (left.isEmpty() ? "; Swarmflow ended " + (all.size() == 1 ? "it" : "them")
                + " (TERM, then KILL after the grace period). " : "; Swarmflow ended " + escaped.size() + " (TERM, then KILL "
                + "after the grace period), but " + left.size() + " kept starting others and still " + (left.size() == 1 ? "runs" : "run")
                + ": " + String.join(", ", left) + "; end " + (left.size() == 1 ? "it" : "them") + " yourself (kill -KILL PID). ")
                + "Without bubblewrap such a process is found only by the attempt's SWARM_ variables in its environment (one "
                + "that clears its environment outlives the run): have the script wait for what it starts, or run it under "
                + "bubblewrap";
        warnOfAttempt(request, "ticket " + request.ticket().id() + ": " + warning);
        appendToStderrLog(request, "swarm: warning: " + warning);
    }

    /**
     * Appends {@code line} to the attempt's stderr log (after what the process wrote, which opening the log truncates),
     * masked like the attempt's output.
     */
    private static void appendToStderrLog(AttemptRequest request, String line) {
        try {
            Files.createDirectories(request.logDir());
            Files.writeString(request.logDir().resolve("stderr.log"), MaskingInputStream.mask(line, request.secrets()) + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the user's warnings said it already
        }
    }

    /**
     * The most bytes of an output file read before its value is stripped of surrounding whitespace and
     * checked against {@link OutputSpec#MAX_VALUE_BYTES}: a file longer than this is refused unread.
     */
    static final int MAX_OUTPUT_FILE_BYTES = 1024 * 1024;

    /**
     * Reads an output file beneath the workspace with {@link BeneathReader}: no symbolic link is followed
     * and only a regular file is read, even when another ticket sharing the workspace swaps the file while
     * it is read. A file that is not there is said to be missing from {@code workspaceName} (such as "the ticket's
     * worktree") and the workspace's path, so a reader knows where it was looked for.
     */
    private static String readFile(Path workspace, OutputSpec o, Map<String, String> outputs, String workspaceName) {
        try {
            Path root = workspace.toRealPath();
            Path relative = Path.of(o.file()).normalize();
            if (relative.isAbsolute() || relative.startsWith("..") || relative.toString().isEmpty()) {
                return "file " + o.file() + " is outside the workspace";
            }
            byte[] bytes;
            try {
                bytes = BeneathReader.read(root, relative, MAX_OUTPUT_FILE_BYTES);
            } catch (NoSuchFileException e) {
                return "file " + o.file() + " not found in " + workspaceName + " " + workspace;
            } catch (BeneathReader.RefusedException e) {
                return "file " + o.file() + " refused: " + e.getMessage()
                        + (e.getMessage().endsWith(" is a directory, not a file") ? "; name a file in it, or write the output to a file"
                        : " (output files are read without following links)");
            } catch (BeneathReader.TooLargeException e) {
                // the read window, not the value limit: the value may be small once the whitespace around it is stripped
                return "file " + o.file() + " is larger than " + MAX_OUTPUT_FILE_BYTES / (1024 * 1024)
                        + " MiB, the most read for an output file; " + TOO_BIG_HINT;
            }
            String value = new String(bytes, StandardCharsets.UTF_8).strip();
            // measured after decoding: each invalid byte becomes U+FFFD, three bytes
            if (fitting(value) == null) return tooBig(o);
            if (value.indexOf('\0') >= 0) return "file " + o.file() + " holds a NUL character; " + NUL_HINT;
            outputs.put(o.name(), value);
            return null;
        } catch (IOException e) {
            return "cannot read file " + o.file() + ": " + e.getMessage();
        }
    }

    private static String tooBig(OutputSpec o) {
        return "file " + o.file() + " holds more than the " + OutputSpec.MAX_VALUE_BYTES / 1024 + " KiB an output may hold; " + TOO_BIG_HINT;
    }

    /** {@code s} cut to fit {@link OutputSpec#MAX_VALUE_BYTES} at a character boundary, with a marker when cut (for diffstat). */
    private static String cap(String s) {
        if (fitting(s) != null) return s;
        String marker = "\n[swarm: cut at " + OutputSpec.MAX_VALUE_BYTES / 1024 + " KiB]";
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int end = OutputSpec.MAX_VALUE_BYTES - marker.length();
        while (end > 0 && (b[end] & 0xC0) == 0x80) end--; // drop UTF-8 continuation bytes at the cut
        return new String(b, 0, end, StandardCharsets.UTF_8) + marker;
    }

    /** Outputs end up in environment variables and scripts, C strings that cannot hold a NUL. */
    private static final String NUL_HINT = "outputs are text, which cannot contain NUL (binary data belongs in a file in "
            + "$SWARM_SCRATCH, whose path can be the output)";

    /**
     * Outputs are stored and passed on as UTF-8, which has no form for half a surrogate pair: it would become {@code ?}
     * unsaid.
     */
    private static final String SURROGATE_HINT = "outputs are text, which cannot contain half a character (it has no UTF-8 "
            + "form): escape a character beyond U+FFFF as a whole pair (\\ud83d\\ude00) or write it as it is (binary data "
            + "belongs in a file in $SWARM_SCRATCH, whose path can be the output)";

    /**
     * The index of the first char of {@code s} that is a high surrogate not followed by a low one, or a low surrogate not
     * following a high one (JSON's {@code "\\ud800"} decodes to one); -1 when there is none.
     */
    static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
                else return i;
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static final String TOO_BIG_HINT = "write large results to a file in $SWARM_SCRATCH and make its path the output";

    /** {@code s} when it fits {@link OutputSpec#MAX_VALUE_BYTES} as UTF-8, else null. */
    private static String fitting(String s) {
        return s.length() <= OutputSpec.MAX_VALUE_BYTES / 3 || s.getBytes(StandardCharsets.UTF_8).length <= OutputSpec.MAX_VALUE_BYTES ? s : null;
    }

    /**
     * Null when this attempt's coordinator still holds the run ({@link AttemptControl#confirmHeld}), so that it may go on
     * {@code doing} (creating, committing) the ticket's worktree; else the attempt's end, having touched nothing: a
     * coordinator taken over while it was stopped must not recreate or commit a worktree a later attempt of the ticket
     * may be working in (its result is refused by the store's fencing anyway).
     */
    private static AttemptResult unlessHeld(AttemptRequest request, AttemptControl control, String doing) {
        try {
            control.confirmHeld();
            return null;
        } catch (io.swarmflow.store.StoreException.Fenced e) {
            return new AttemptResult(Outcome.CANCELLED, null, "another coordinator took run " + request.runId() + " over; "
                    + "this one did not go on " + doing + " the worktree of ticket " + request.ticket().id(), Map.of());
        } catch (io.swarmflow.store.StoreException e) {
            // a store that stops answering as the run is cancelled (a Ctrl-C closing it) ends a cancelled attempt
            if (control.isCancelled()) return cancelled();
            return AttemptResult.failed(null, "cannot confirm that this coordinator still holds run " + request.runId()
                    + " before " + doing + " the worktree of ticket " + request.ticket().id() + ", so it was left alone: "
                    + e.getMessage());
        }
    }

    /**
     * Thrown by the commit step, to {@link #shell}, when this coordinator may no longer touch the ticket's worktree
     * ({@link #unlessHeld}): the attempt ends with {@link #result}, and its worktree is left as it is, lock included.
     */
    private static final class LeftAlone extends RuntimeException {
        final transient AttemptResult result;

        LeftAlone(AttemptResult result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    private static AttemptResult cancelled() {
        return new AttemptResult(Outcome.CANCELLED, null, "cancelled", Map.of());
    }

    /**
     * {@code stopped} (a timeout or cancel), saying so when the process did not end on the TERM and was killed once the
     * grace period ran out: its cleanup (a trap on TERM) did not finish, or it ignores TERM.
     */
    private static AttemptResult killedAfterGrace(AttemptResult stopped, SandboxResult result, long graceMillis) {
        if (!result.killedAfterGrace()) return stopped;
        // with no grace there was no time to end in: the KILL is what a grace of 0 asks for, not a script's doing
        if (graceMillis == 0) return new AttemptResult(stopped.outcome(), stopped.exitCode(), stopped.reason()
                + "; it was killed (SIGKILL) right after TERM: the grace period is 0s", stopped.outputs());
        return new AttemptResult(stopped.outcome(), stopped.exitCode(), stopped.reason() + "; it did not end within the "
                + Duration.ofMillis(graceMillis).toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                + " grace period after TERM and was killed (SIGKILL)", stopped.outputs());
    }

    private static AttemptResult timedOut(long timeoutMillis) {
        return new AttemptResult(Outcome.TIMED_OUT, null, "timed out after " + Duration.ofMillis(timeoutMillis)
                .toString().substring(2).toLowerCase(java.util.Locale.ROOT), Map.of());
    }

    /**
     * Keeps the values of the last stdout line that parses as a JSON object, and why a line that came after it and is one
     * (or starts like one) cannot be read: too long, beyond the JSON reader's limits, a key given twice (an earlier line
     * must not then pass for the answer). A line is read as a terminal shows it: the text after its last lone CR (a
     * progress bar drawn before the JSON on the same line), a leading byte order mark dropped; a line that is a JSON object
     * with CRs as whitespace in it is read whole. Lines arrive on one pump thread. For its messages it also notes which of
     * the outputs' keys an earlier object line had, and whether a line that is only {@code {} (the first line of
     * {@code jq .} or {@code json.dumps(..., indent=2)}) came after the last object line.
     */
    private static final class JsonCapture implements LineListener {
        private final java.util.Set<String> keys;
        /** A declared key in quotes, then {@code :} (JSON, Python) or {@code =>} (Ruby): a line that names an output. */
        private final java.util.regex.Pattern namesAKey;
        private final java.util.Set<String> inEarlier = ConcurrentHashMap.newKeySet();
        private volatile Map<String, String> last;
        /** Why the last line that is (or starts like) a JSON object cannot be read; null when it was read. */
        private volatile String unreadableAfterLast;
        private volatile boolean braceAfterLast;
        /** Lines of stdout seen so far (LF-ended, as {@code sed -n Np} counts them), those longer than 1 MiB included. */
        private int lineNumber;

        /** @param keys the {@code json:} keys of the ticket's outputs */
        JsonCapture(java.util.Set<String> keys) {
            this.keys = keys;
            this.namesAKey = keys.isEmpty() ? null : java.util.regex.Pattern.compile("([\"'])(?:" + keys.stream()
                    .map(java.util.regex.Pattern::quote).collect(java.util.stream.Collectors.joining("|")) + ")\\1\\s*(?::|=>)");
        }

        /**
         * Whether {@code t}, a line that looks like a JSON object but is not strict JSON, may be meant as the outputs'
         * line: it names one of the outputs' keys, or no earlier line gave them all. Otherwise it is another object a
         * program printed after the outputs (Python's {@code print(dict)}, Ruby's {@code p hash}, a NaN in a log
         * record) and is passed over like any other text (review RV F3).
         */
        private boolean mayBeTheOutputs(String t) {
            Map<String, String> previous = last;
            return previous == null || !previous.keySet().containsAll(keys) || namesAKey != null && namesAKey.matcher(t).find();
        }

        @Override
        public void line(String stream, String line) {
            lineNumber++;
            String t = visible(line);
            int start = visibleStart(line); // where t starts in the line, for the column a message names
            Map<String, String> values = null;
            try {
                if (objectLike(t)) values = topLevelValues(t);
                int cr = t.lastIndexOf('\r');
                if (values == null && cr >= 0) {
                    // not an object with CRs as its whitespace: what a terminal leaves of the line, after its last CR
                    String rest = t.substring(cr + 1);
                    String after = visible(rest);
                    if (objectLike(after)) values = topLevelValues(after);
                    if (values != null || notStrictJson(t) == null) {
                        start += cr + 1 + visibleStart(rest);
                        t = after;
                    }
                }
                // meant as the JSON line but not JSON ({"a": 1,}): an earlier line must not pass for the answer, nor
                // the line for no JSON at all
                String notStrict = values == null && mayBeTheOutputs(t) ? notStrictJson(t, line.substring(0, start)) : null;
                if (notStrict != null) {
                    // the fix within the first 200 characters, where the progress view and status cut a reason; none
                    // of the line's text (a cut secret would not be masked: swarm logs shows the line, masked)
                    throw new UnreadableLineException("line " + lineNumber + " of stdout is not strict JSON, though it "
                            + "looks like the outputs' JSON object: write keys and strings in double quotes, no trailing "
                            + "comma, comment or NaN (jq -c and json.dumps print it so); the JSON reader " + notStrict);
                }
            } catch (UnreadableLineException e) {
                unreadableAfterLast = e.getMessage();
                braceAfterLast = false;
                return;
            }
            if (t.equals("{")) {
                braceAfterLast = true;
                return;
            }
            if (values == null) return; // not JSON after all: an earlier object line stays the answer
            Map<String, String> previous = last;
            if (previous != null) {
                for (String key : keys) if (previous.containsKey(key)) inEarlier.add(key);
            }
            last = values;
            unreadableAfterLast = null;
            braceAfterLast = false;
        }

        @Override
        public void skipped(String stream, String start) {
            lineNumber++;
            String t = visible(start);
            int cr = t.lastIndexOf('\r');
            if (t.startsWith("{") || cr >= 0 && visible(t.substring(cr + 1)).startsWith("{")) {
                unreadableAfterLast = "the last line of stdout that starts like a JSON object is longer than 1 MiB, the most "
                        + "read for outputs; print the outputs on a shorter line of their own, and " + TOO_BIG_HINT;
            }
        }

        String take(OutputSpec o, Map<String, String> outputs) {
            Map<String, String> values = last;
            String unreadable = unreadableAfterLast;
            if (unreadable != null) return unreadable;
            if (values == null) return "no line of stdout (up to 1 MiB long) is a JSON object" + (braceAfterLast ? SEVERAL_LINES : "");
            String text = values.get(o.jsonKey());
            if (text == null) {
                String key = o.jsonKey();
                int dot = key.indexOf('.');
                // {json: a.b} read as a path into {"a": {"b": ...}}: the line has 'a', which says so
                boolean path = dot > 0 && values.containsKey(key.substring(0, dot));
                return "key '" + key + "' is not in the last JSON line of stdout"
                        + (path ? "; keys are top-level only (" + key + " is not a path)" : "")
                        + (inEarlier.contains(o.jsonKey()) ? "; an earlier JSON line of stdout has it, but only the last one is "
                        + "read: print all the outputs in one JSON line, the last" : "")
                        + (braceAfterLast ? SEVERAL_LINES : "");
            }
            if (text.indexOf('\0') >= 0) return "key '" + o.jsonKey() + "' of the last JSON line of stdout holds a NUL character; " + NUL_HINT;
            int lone = loneSurrogate(text);
            if (lone >= 0) {
                return "key '" + o.jsonKey() + "' of the last JSON line of stdout holds a lone surrogate escape ("
                        + String.format(java.util.Locale.ROOT, "\\u%04x", (int) text.charAt(lone)) + "), half of a character; "
                        + SURROGATE_HINT;
            }
            if (fitting(text) == null) {
                return "key '" + o.jsonKey() + "' of the last JSON line of stdout holds " + text.getBytes(StandardCharsets.UTF_8).length
                        + " bytes, more than the " + OutputSpec.MAX_VALUE_BYTES / 1024 + " KiB an output may hold; " + TOO_BIG_HINT;
            }
            outputs.put(o.name(), text);
            return null;
        }
    }

    /**
     * Why {@code t}, a line stripped as {@link #visible}, is not a JSON object though it looks like one: it starts with an
     * opening brace and then (whitespace aside) a double quote, a single quote or a closing brace, and ends with a
     * closing brace. Where the JSON reader stops and why, none of the line's text in it ({@code stops at column 9:
     * unexpected character: was expecting double-quote to start field name} for a trailing comma); null when it is valid JSON (an object
     * followed by more text is: that line is not read, as any other text), or does not start and end so (a line of text).
     */
    static String notStrictJson(String t) {
        return notStrictJson(t, "");
    }

    /**
     * {@link #notStrictJson(String)} with the column counted in the line {@code t} was cut from, {@code before} being
     * the line's text before it: in characters (code points: an emoji counts one), a byte order mark not counted, so
     * the column of the line as {@code swarm logs} prints it (review RV F7, RCLI LOW-2); when {@code before} holds a CR
     * (a progress bar drawn first), the reason says its text is counted, as a terminal shows it on a line of its own.
     */
    static String notStrictJson(String t, String before) {
        if (!objectLike(t)) return null;
        int i = 1;
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) i++;
        char first = t.charAt(i);
        if (first != '"' && first != '\'' && first != '}') return null;
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(t)) {
            p.nextToken();
            p.skipChildren();
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().strip();
            int nl = why.indexOf('\n');
            if (nl >= 0) why = why.substring(0, nl).strip();
            // none of the line's text: the character found ('}' (code 125)) and a token are left out
            why = why.replaceAll("\\s*\\('.{1,2}' \\(code \\d+\\)\\)", "").replaceAll("\\(+CTRL-CHAR, code (\\d+)\\)+", "(a control character, code $1)")
                    .replaceAll("(?s)token '.*'(?=: was expecting)", "token").replace("'null', 'true' or 'false'", "null, true or false");
            if (why.isEmpty() || why.indexOf('\'') >= 0 || why.indexOf('"') >= 0) why = "Cannot read it as JSON";
            String column = "?";
            if (e.getLocation() != null && e.getLocation().getColumnNr() > 0) {
                int at = Math.min(e.getLocation().getColumnNr() - 1, t.length());
                column = Long.toString(before.codePoints().filter(c -> c != '\uFEFF').count() + t.codePointCount(0, at) + 1)
                        + (before.indexOf('\r') >= 0 ? " of the line, the text before its CR counted" : "");
            }
            return "stops at column " + column + ": "
                    + Character.toLowerCase(why.charAt(0)) + why.substring(1);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether {@code t} starts with <code>{</code> and ends with <code>}</code>, as a JSON object line does. */
    static boolean objectLike(String t) {
        return t.length() >= 2 && t.charAt(0) == '{' && t.charAt(t.length() - 1) == '}';
    }

    /** Where {@link #visible}{@code (line)} starts in {@code line}: the index (in chars) after leading whitespace and byte order marks. */
    static int visibleStart(String line) {
        int i = 0;
        while (true) {
            while (i < line.length() && Character.isWhitespace(line.codePointAt(i))) i += Character.charCount(line.codePointAt(i));
            if (i < line.length() && line.charAt(i) == '\uFEFF') i++;
            else return i;
        }
    }

    /** {@code line} stripped of surrounding whitespace (the CR of a CR LF among it) and of a leading byte order mark. */
    static String visible(String line) {
        String t = line.strip();
        while (t.startsWith("\uFEFF")) t = t.substring(1).strip();
        return t;
    }

    /** Said when a line of stdout was only {@code {}: a JSON object printed over several lines is not read. */
    static final String SEVERAL_LINES = "; a line of stdout that is only '{' looks like a JSON object printed over several lines, "
            + "which is not read: print the object on one line (jq -c, or json.dumps without indent)";

    /**
     * A line that is one JSON object but cannot be read as outputs ({@link #topLevelValues}); its message is the whole
     * failure reason, saying why and how to fix it.
     */
    static final class UnreadableLineException extends Exception {
        UnreadableLineException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The output value of each top-level key of {@code line}, a JSON object, or null when {@code line} is not exactly one
     * valid JSON object (whitespace around it aside: an object followed by another, {@code {"a":1} {"b":2}}, or by any
     * other text is not a JSON line). A string is its decoded text, {@code null} the empty string, and any other value its
     * JSON text exactly as the line has it: a number is not converted ({@code 1e400}, {@code 1.10} and {@code -0} stay as
     * written), nor is an object or array rewritten (a key given twice inside one stays in its text).
     *
     * @throws UnreadableLineException when the line is (or, past the JSON reader's limits, may be) one JSON object that
     *                                 cannot be read: a top-level key given twice (which value was meant is unclear), or
     *                                 beyond the reader's limits (nested deeper than 1000 levels, a number of more than
     *                                 1000 digits, a key of more than 50,000 characters)
     */
    static Map<String, String> topLevelValues(String line) throws UnreadableLineException {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return null;
            Map<String, String> values = new HashMap<>();
            String twice = null;
            for (var t = p.nextToken(); t == com.fasterxml.jackson.core.JsonToken.FIELD_NAME; t = p.nextToken()) {
                String key = p.currentName();
                var value = p.nextToken();
                int start = (int) p.currentTokenLocation().getCharOffset();
                String text = switch (value) {
                    case VALUE_STRING -> p.getText();
                    case VALUE_NULL -> ""; // as a missing output
                    default -> {
                        // numbers, true and false end where the parser stopped; an object or array at its closing bracket
                        p.skipChildren();
                        yield line.substring(start, (int) p.currentLocation().getCharOffset()).strip();
                    }
                };
                if (values.put(key, text) != null && twice == null) twice = key;
            }
            // only one object makes a JSON line: '{"a":1} {"b":2}' is not one (nor is an object followed by anything)
            if (p.nextToken() != null) return null;
            if (twice != null) {
                throw new UnreadableLineException("the last JSON line of stdout gives the key '" + twice + "' more than "
                        + "once, so which value is meant is unclear; print each key once");
            }
            return values;
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            // a valid line may be beyond them: it must not leave an earlier line the answer, nor pass for no JSON
            String why = e.getOriginalMessage().replaceAll(", from `[^`]*`", "").strip();
            throw new UnreadableLineException("the last line of stdout that looks like a JSON object cannot be read: "
                    + (why.isEmpty() ? why : Character.toLowerCase(why.charAt(0)) + why.substring(1))
                    + ", a limit of the JSON reader; print the outputs in a JSON line within it, the last (nest less "
                    + "deeply, write a long number as a string, or " + TOO_BIG_HINT + ")");
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        sandbox.close();
    }
}
