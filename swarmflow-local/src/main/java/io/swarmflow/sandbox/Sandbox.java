package io.swarmflow.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Launches sandboxed processes. The command line is
 * {@code setsid prlimit --cpu=N --as=N --fsize=N --nproc=N -- bwrap <mounts> <namespaces> -- <command>}
 * (see {@link #commandLine}): {@code setsid} gives the process its own session and process group (and no
 * controlling terminal) so timeout and cancellation can signal the whole tree; prlimit(1) sets the
 * rlimits, which every descendant inherits; bubblewrap isolates filesystem, network, pids, IPC and
 * hostname, and installs {@link SeccompFilter} (the kernel keyring calls refused) from file descriptor
 * {@link #SECCOMP_FD} ({@code --seccomp 4}). The ticket's environment contains only what {@link SandboxSpec#env()} grants
 * plus {@code PATH}, {@code LANG} and a private {@code HOME}; it is never on the command line (which any local user can
 * read in {@code /proc/PID/cmdline}) and never reaches the host-side launchers, which start in {@code /}: under bubblewrap
 * they get {@link #HOST_ENVIRONMENT} and bubblewrap reads the ticket's from file descriptor 3 ({@code --args 3});
 * otherwise they get it without the {@link #loaderVariables}, which {@code --setenv} or {@code env} set for the
 * ticket's program alone ({@link #hostSide}, review R2). Both descriptors are memory files {@link PosixSpawn} hands to
 * bubblewrap ({@link PosixSpawn#start(List, Path, Map, List)}).
 *
 * <p>Processes are started with posix_spawn(3) ({@link PosixSpawn}; {@link ProcessBuilder} where that is
 * not available, see {@link #launcherDescription()}) from a small pool of long-lived platform threads:
 * bubblewrap's {@code --die-with-parent} uses {@code PR_SET_PDEATHSIG}, which fires when the
 * <em>thread</em> that forked the child exits, so a virtual or short-lived pool thread would kill the
 * sandbox early. Closing the sandbox ends those threads and therefore kills every bubblewrap sandbox
 * still running.
 *
 * <p>Thread-safe; one instance is meant to be shared by all attempts.
 */
public final class Sandbox implements AutoCloseable {
    /** {@code PATH} inside the sandbox unless the caller grants another one. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** {@code HOME} inside bubblewrap: a private directory on the sandbox's own {@code /tmp} tmpfs. */
    public static final String SANDBOX_HOME = "/tmp/home";

    private static final AtomicInteger POOL_IDS = new AtomicInteger();
    /** The JNA warning is given once per process, not per sandbox. */
    private static final AtomicBoolean KILL_WARNED = new AtomicBoolean();
    private static final File DEV_NULL = new File("/dev/null");

    private final Bubblewrap.Status bubblewrap;
    private final Consumer<String> warnings;
    private final AtomicBoolean warned = new AtomicBoolean();
    private final ExecutorService launcher;
    private final PrivateHomes homes = new PrivateHomes();
    private final HostSockets sockets = new HostSockets();
    private final AtomicBoolean socketsWarned = new AtomicBoolean();
    private final AtomicBoolean unnameableWarned = new AtomicBoolean();
    private final AtomicBoolean unsizedWarned = new AtomicBoolean();
    private volatile List<Path> hostSecrets;
    private final HardLimits hardLimits;
    /** Whether this process runs as root: the warning without bubblewrap then says so ({@link #unisolatedWarning}). */
    private final boolean runsAsRoot;
    private final java.util.Set<String> clampWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** {@link Escapees#PROC_PROBLEM}, or another one given for tests. */
    private final String procProblem;

    /**
     * A sandbox launching processes from a pool of up to 4 daemon threads (fewer on machines with fewer cores). The first
     * sandbox of the JVM also warns through {@code warnings} when kill(2) cannot be called directly (JNA's native
     * library cannot load). {@link #close()} stops the pool.
     *
     * @param bubblewrap what {@link Bubblewrap#probe()} found (or {@link Bubblewrap.Status#unavailable} to
     *                   run without it)
     * @param warnings   receives the one-time warning when best-effort isolation runs without bubblewrap
     * @throws NullPointerException when an argument is null
     */
    public Sandbox(Bubblewrap.Status bubblewrap, Consumer<String> warnings) {
        this(bubblewrap, warnings, HardLimits.current());
    }

    /** As {@link #Sandbox(Bubblewrap.Status, Consumer)}, with the hard limits of the process given (for tests). */
    Sandbox(Bubblewrap.Status bubblewrap, Consumer<String> warnings, HardLimits hardLimits) {
        this(bubblewrap, warnings, hardLimits, RUNS_AS_ROOT);
    }

    /**
     * As {@link #Sandbox(Bubblewrap.Status, Consumer, HardLimits)}, with whether this process runs as root given (for
     * tests: the warning without bubblewrap then says tickets run as root on the host).
     */
    Sandbox(Bubblewrap.Status bubblewrap, Consumer<String> warnings, HardLimits hardLimits, boolean runsAsRoot) {
        this(bubblewrap, warnings, hardLimits, runsAsRoot, Escapees.PROC_PROBLEM);
    }

    /**
     * As {@link #Sandbox(Bubblewrap.Status, Consumer, HardLimits, boolean)}, with what is the matter with {@code /proc}
     * given ({@link Escapees#PROC_PROBLEM}, null: nothing), for tests of the warnings it causes.
     */
    Sandbox(Bubblewrap.Status bubblewrap, Consumer<String> warnings, HardLimits hardLimits, boolean runsAsRoot,
            String procProblem) {
        this.procProblem = procProblem;
        this.runsAsRoot = runsAsRoot;
        this.bubblewrap = Objects.requireNonNull(bubblewrap, "bubblewrap");
        this.warnings = Objects.requireNonNull(warnings, "warnings");
        this.hardLimits = Objects.requireNonNull(hardLimits, "hardLimits");
        if (Kill.problem() != null && KILL_WARNED.compareAndSet(false, true)) warnings.accept(Kill.problem());
        int id = POOL_IDS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        int size = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.launcher = Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, "swarm-launcher-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A sandbox using the probed bubblewrap status. */
    public static Sandbox create(Consumer<String> warnings) {
        return new Sandbox(Bubblewrap.probe(), warnings);
    }

    /** The bubblewrap status this sandbox uses. */
    public Bubblewrap.Status bubblewrap() {
        return bubblewrap;
    }

    /**
     * Whether a launch with {@code isolation} goes through bubblewrap.
     *
     * @throws SandboxException when {@code isolation} is {@link Isolation#REQUIRED} and bubblewrap is unusable
     */
    public boolean usesBubblewrap(Isolation isolation) throws SandboxException {
        return switch (isolation) {
            case OFF -> false;
            case BEST_EFFORT -> bubblewrap.usable();
            case REQUIRED -> {
                if (!bubblewrap.usable()) throw new SandboxException(requiredProblem(bubblewrap, procProblem));
                yield true;
            }
        };
    }

    /** The warning given once when bubblewrap cannot size the tmpfs mounts ({@link Bubblewrap.Status#sizesTmpfs()}). */
    static String unsizedTmpfsWarning(Bubblewrap.Status status) {
        return "bubblewrap here (" + (status.version() == null ? status.path() : status.version()) + ") has no --size option "
                + "(bubblewrap 0.8 or later has it): limits.tmp-size is not applied, and each ticket's /tmp (with its HOME) and "
                + "/dev/shm can hold up to half of the host's RAM, which no other limit counts; upgrade bubblewrap to 0.8 or later";
    }

    /**
     * The message for a required sandbox without usable bubblewrap ({@code status}), with the next step, for this
     * process's {@code /proc} ({@link Escapees#PROC_PROBLEM}): {@code "sandbox is required but bubblewrap is not usable
     * here: "}, the status's problem, and {@link #requiredNextStep(Bubblewrap.Status, String)}.
     *
     * @throws NullPointerException when {@code status} is null
     */
    public static String requiredProblem(Bubblewrap.Status status) {
        return requiredProblem(status, Escapees.PROC_PROBLEM);
    }

    /** {@link #requiredProblem(Bubblewrap.Status)} where {@code procProblem} is what is the matter with {@code /proc}. */
    static String requiredProblem(Bubblewrap.Status status, String procProblem) {
        return "sandbox is required but bubblewrap is not usable here: " + status.problem() + requiredNextStep(status, procProblem);
    }

    /**
     * What to do when a ticket needs {@code sandbox: required} and this sandbox's bubblewrap is not usable: the text that
     * follows its {@link Bubblewrap.Status#problem() problem}, starting with {@code "; "}
     * ({@link #requiredNextStep(Bubblewrap.Status, String)} of this sandbox's status and {@code /proc}).
     */
    public String requiredNextStep() {
        return requiredNextStep(bubblewrap, procProblem);
    }

    /**
     * The next step for a required sandbox without usable bubblewrap ({@code status}), starting with {@code "; "} and
     * ending with the alternative {@code sandbox: best-effort}: {@code apt-get install bubblewrap} only when bwrap was not
     * found ({@link Bubblewrap.Status#path()} null); where {@code /proc} is another PID namespace's ({@code procProblem},
     * {@link Escapees#PROC_PROBLEM}; null: it is not), which makes an installed bubblewrap unusable
     * ({@link Bubblewrap#foreignProc}), to run swarm in the PID namespace that {@code /proc} belongs to (the host's) or to
     * mount a fresh {@code /proc} for swarm's own; where the smoke test showed that bwrap cannot create namespaces, that
     * the installed bubblewrap cannot run here, with the usual causes; otherwise (a probe command that did not end in
     * time, failed otherwise, or was interrupted) only to fix what the reason names: the namespace advice would be wrong
     * there (review DPROC F7).
     *
     * @throws NullPointerException when {@code status} is null
     */
    static String requiredNextStep(Bubblewrap.Status status, String procProblem) {
        if (status.path() == null) return "; install it (apt-get install bubblewrap) or set sandbox: best-effort";
        if (procProblem != null) {
            return "; bubblewrap is installed (" + status.path() + "), and installing it again does not help: run swarm in "
                    + "the PID namespace this /proc belongs to (the host's, not inside `unshare --pid` without --mount-proc), "
                    + "or mount a fresh /proc for swarm's own PID namespace (unshare --pid --fork --mount-proc, or a container "
                    + "with its own /proc); or set sandbox: best-effort";
        }
        if (status.problem() == null || !status.problem().startsWith("bwrap cannot create namespaces")) {
            return "; bubblewrap is installed (" + status.path() + "), so installing it does not help: fix what the reason "
                    + "names, or set sandbox: best-effort";
        }
        return "; bubblewrap is installed (" + status.path() + "), so installing it does not help: fix what the reason "
                + "names (usually that this user may not create namespaces: unprivileged user namespaces off, e.g. sysctl "
                + "kernel.unprivileged_userns_clone=0 or, on Ubuntu 23.10 and later, kernel.apparmor_restrict_unprivileged_userns=1; "
                + "or a container that forbids them) or set sandbox: best-effort";
    }

    /**
     * The limits a process started with {@code wanted} runs under: each brought down to this process's hard limit where
     * it cannot raise it (for CPU time, the soft limit: the hard one is a second above it, see {@link #commandLine}).
     */
    public ProcessLimits effectiveLimits(ProcessLimits wanted) {
        return hardLimits.clamp(wanted);
    }

    /**
     * The exact argv that {@link #start} runs for {@code spec} and {@code command}, for example
     * {@code [/usr/bin/setsid, /usr/bin/prlimit, --cpu=3600:3601, --, /usr/bin/bwrap, --ro-bind, /, /, ..., --, /usr/bin/bash, -c, x]}.
     * A program given by name is looked up on the host's PATH (not the granted one); one not found stays as given. Under
     * bubblewrap it names files ({@code --args 3}, {@code --seccomp 4}) that only {@link #start} hands over: to run a
     * sandbox argv yourself, use {@link #standaloneCommandLine}.
     *
     * @throws SandboxException when bubblewrap is required but unusable, or setsid/prlimit are missing
     */
    public List<String> commandLine(SandboxSpec spec, List<String> command) throws SandboxException {
        return launch(spec, command, false).argv();
    }

    /**
     * An argv that runs {@code command} on its own as {@link #start} would: the same sandbox except the seccomp filter and
     * with the environment on the command line, for benchmarks and diagnostics that run it themselves ({@link ProcessBuilder},
     * xargs): {@link #commandLine}'s argv needs files on descriptors 3 and 4 that only {@link #start} hands over. Under
     * bubblewrap, {@code --args 3} is replaced by what that file holds ({@code --clearenv}, then {@code --setenv NAME VALUE}
     * per variable of the ticket's environment, {@code HOME} being {@value #SANDBOX_HOME}) and {@code --seccomp 4} is left
     * out (no keyring calls refused); without bubblewrap it is {@link #commandLine}'s argv, the ticket's environment other
     * than the {@link #loaderVariables} coming from the caller's. Every local user can read the values in
     * {@code /proc/PID/cmdline}: not for tickets with secrets.
     *
     * @throws SandboxException as {@link #commandLine}
     * @throws IllegalArgumentException for an environment name with {@code =} or a NUL character in a name or value
     */
    public List<String> standaloneCommandLine(SandboxSpec spec, List<String> command) throws SandboxException {
        return launch(spec, command, true).argv();
    }

    /**
     * The argv {@link #start} runs, with what {@link SandboxProcess} keeps of how it was built; {@code standalone}: as
     * {@link #standaloneCommandLine} instead.
     */
    private SandboxProcess.Launch launch(SandboxSpec spec, List<String> command, boolean standalone) throws SandboxException {
        boolean bwrap = usesBubblewrap(spec.isolation());
        List<Path> masked = new ArrayList<>();
        List<String> argv = new ArrayList<>();
        argv.add(Executables.require("setsid", "util-linux"));
        // prlimit cannot raise a limit above this process's hard one (without CAP_SYS_RESOURCE): the launch would fail
        ProcessLimits l = hardLimits.clamp(spec.limits());
        if (!l.equals(ProcessLimits.NONE)) {
            argv.add(Executables.require("prlimit", "util-linux"));
            if (l.cpuSeconds() > 0) argv.add("--cpu=" + l.cpuSeconds() + ":" + hardLimits.cpuHardFor(l.cpuSeconds()));
            if (l.addressSpaceBytes() > 0) argv.add("--as=" + l.addressSpaceBytes());
            if (l.fileSizeBytes() > 0) argv.add("--fsize=" + l.fileSizeBytes());
            if (l.processes() > 0) argv.add("--nproc=" + l.processes());
            // no core files: a crash (SIGSEGV) or the CPU limit's SIGXCPU would leave one in the workspace, where a
            // worktree ticket's commit would take it
            argv.add("--core=0");
            argv.add("--");
        }
        // what the host-side launchers must not see: set for the ticket's own program only (hostSide)
        Map<String, String> loader = loaderVariables(environment(spec.env(), ""));
        if (bwrap) {
            argv.addAll(bwrapArgs(spec, masked, standalone));
            argv.addAll(standalone ? inlineEnvironmentArgs(environment(spec.env(), SANDBOX_HOME)) : bwrapEnvironmentArgs(loader));
        } else {
            argv.addAll(hostEnvArgs(spec, command, loader));
        }
        argv.addAll(command);
        // the program by the host's absolute path (the sandbox sees the host's / read-only): a PATH the spec grants
        // then only affects what the program itself runs, and cannot make the launch fail obscurely
        int program = argv.size() - command.size();
        if (!command.isEmpty() && !command.getFirst().contains("/")) argv.set(program, Executables.resolve(command.getFirst()));
        return new SandboxProcess.Launch(List.copyOf(argv), bwrap ? bubblewrap.path() : null, List.copyOf(masked));
    }

    /** bubblewrap's part of the argv; adds to {@code masked} each file it mounts {@code /dev/null} over. */
    private List<String> bwrapArgs(SandboxSpec spec, List<Path> masked, boolean standalone) throws SandboxException {
        List<String> a = new ArrayList<>(List.of(bubblewrap.path(),
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        // Kernel settings read-only: bubblewrap means to cover /proc/sys, but skips it when access(2) refuses W_OK,
        // which the kernel always does for that directory itself (0.8.0). Writes to a sysctl are checked against
        // the uid, not capabilities, so as root a ticket could set kernel.core_pattern to a script in its
        // workspace and have the kernel run it as root outside every namespace at the next crash.
        for (String kernel : PROC_KERNEL_SETTINGS) a.addAll(List.of("--ro-bind", kernel, kernel));
        // The sandbox's own tmpfs mounts hold RAM that neither RLIMIT_AS nor RLIMIT_FSIZE counts: /tmp (and HOME in it)
        // and /dev/shm get the spec's size; /dev itself, which --dev makes a writable tmpfs of the kernel's default size
        // (half of RAM), is made read-only below (its device nodes still work: they are not files of the mount)
        tmpfs(a, spec, "/tmp");
        a.addAll(List.of("--dir", SANDBOX_HOME));
        tmpfs(a, spec, "/dev/shm");
        Map<Path, Integer> rules = dirRules(spec);
        // without network, no host service either: /run (and /var/run) holds most Unix sockets (PostgreSQL,
        // MariaDB, Docker); the others get /dev/null mounted over them below
        Path run = canonical(Path.of("/run"));
        if (!spec.network() && Files.isDirectory(run) && !onPath(run, spec)) rule(rules, run, 0);
        HostSockets.Found found = spec.network() ? null : hostSockets();
        if (found != null) {
            // a socket whose name cannot be passed to bubblewrap: the deepest directory above it that can be is hidden
            for (Path dir : found.unnameableDirs()) {
                if (!visible(dir.resolve("x"), rules)) continue;
                Integer kind = rules.get(dir);
                if (dir.getNameCount() == 0 || (kind != null && kind != 0)) {
                    throw new SandboxException("a Unix socket on this host under " + dir + " has a name that cannot be passed to "
                            + "bubblewrap (not valid in the JVM's file name encoding, " + System.getProperty("sun.jnu.encoding")
                            + "), and " + dir + " cannot be hidden from this ticket; remove or rename that socket (see "
                            + "/proc/net/unix), run Swarmflow in a UTF-8 locale, or give the ticket network: true");
                }
                rule(rules, dir, 0);
                if (unnameableWarned.compareAndSet(false, true)) {
                    warnings.accept("a Unix socket on this host under " + dir + " has a name that cannot be passed to bubblewrap "
                            + "(see /proc/net/unix); tickets without network see " + dir + " empty");
                }
            }
        }
        List<Map.Entry<Path, Integer>> ordered = new ArrayList<>(rules.entrySet());
        // Parents before children, so a bind inside a hidden directory is mounted on top of its tmpfs.
        ordered.sort(Comparator.comparingInt((Map.Entry<Path, Integer> e) -> e.getKey().getNameCount())
                .thenComparingInt(Map.Entry::getValue));
        List<String> remount = new ArrayList<>(List.of("/dev"));
        for (Map.Entry<Path, Integer> e : ordered) {
            if (!nameable(e.getKey())) {
                if (e.getValue() == 0 && underHidden(e.getKey(), rules)) continue; // hidden already with the directory above
                throw new SandboxException(unnameableDirectory(e.getKey(), e.getValue()));
            }
            String p = e.getKey().toString();
            switch (e.getValue()) {
                case 0 -> {
                    a.add("--tmpfs");
                    a.add(p);
                    remount.add(p);
                }
                case 1 -> a.addAll(List.of("--bind", p, p));
                default -> a.addAll(List.of("--ro-bind", p, p));
            }
        }
        for (Path secret : hostSecrets()) {
            if (!visible(secret, rules)) continue;
            if (Files.isDirectory(secret, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                a.addAll(List.of("--tmpfs", secret.toString()));
                remount.add(secret.toString());
            } else {
                maskWithDevNull(a, masked, secret);
            }
        }
        if (found != null) {
            for (Path socket : found.sockets()) {
                if (visible(socket, rules)) maskWithDevNull(a, masked, socket);
            }
        }
        for (String p : remount) a.addAll(List.of("--remount-ro", p));
        // --cap-drop ALL: run as root, the sandboxed process would otherwise keep every capability and could
        // remount the read-only root writable or unmount what hides the host's files
        a.addAll(List.of("--cap-drop", "ALL", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"));
        if (!spec.network()) a.add("--unshare-net");
        if (!standalone) a.addAll(seccompArgs());
        // No --new-session: it would move the sandboxed tree out of the process group we signal, and
        // setsid already leaves it without a controlling terminal (the TIOCSTI risk --new-session addresses).
        a.addAll(List.of("--die-with-parent", "--chdir", canonical(spec.workspace()).toString()));
        return a;
    }

    /**
     * The end of bubblewrap's arguments that gives the ticket its environment, then {@code --}. With posix_spawn:
     * {@code --args 3}, bubblewrap reading {@code --clearenv} and a {@code --setenv NAME VALUE} per variable from file
     * descriptor 3 ({@link #bwrapEnvironment}), so that no value is on the command line and bubblewrap itself runs with
     * {@link #HOST_ENVIRONMENT}. With {@link ProcessBuilder} (no way to hand over a descriptor): a {@code --setenv} here
     * for each variable of {@code loader} ({@link #loaderVariables}), whose values are then on the command line, the others
     * coming through bubblewrap's own environment.
     */
    private static List<String> bwrapEnvironmentArgs(Map<String, String> loader) {
        List<String> a = new ArrayList<>();
        if (PosixSpawn.available()) {
            a.addAll(List.of("--args", Integer.toString(PosixSpawn.FIRST_FILE_FD)));
        } else {
            for (Map.Entry<String, String> e : loader.entrySet()) a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        a.add("--");
        return a;
    }

    /** {@link #bwrapEnvironment}'s arguments for {@code env} on the command line, then {@code --} ({@link #standaloneCommandLine}). */
    private static List<String> inlineEnvironmentArgs(Map<String, String> env) {
        String file = new String(bwrapEnvironment(env), java.nio.charset.StandardCharsets.UTF_8);
        List<String> a = new ArrayList<>(List.of(file.substring(0, file.length() - 1).split("\0", -1)));
        a.add("--");
        return a;
    }

    /**
     * Without bubblewrap, the last host-side program before the ticket's: {@code env --chdir=WORKSPACE NAME=VALUE ... --}
     * with the variables of {@code loader} ({@link #loaderVariables}), which setsid and prlimit must not see, so that only
     * the ticket's own program gets them and its working directory (the launchers start in {@code /}).
     *
     * @throws SandboxException when env(1) is missing, or the program's name holds {@code =} (env would take it for a variable)
     */
    private static List<String> hostEnvArgs(SandboxSpec spec, List<String> command, Map<String, String> loader) throws SandboxException {
        if (!command.isEmpty() && command.getFirst().contains("=")) {
            throw new SandboxException("cannot start " + command.getFirst() + " without bubblewrap: a program whose path holds '=' "
                    + "cannot be passed to env(1); rename it or move it to a directory without '=' in its path");
        }
        List<String> a = new ArrayList<>(List.of(Executables.require("env", "coreutils"),
                "--chdir=" + spec.workspace().toAbsolutePath()));
        for (Map.Entry<String, String> e : loader.entrySet()) a.add(e.getKey() + "=" + e.getValue());
        return a;
    }

    /**
     * The environment of the host-side launchers (setsid, prlimit, bubblewrap) when the ticket's comes to bubblewrap through
     * a file descriptor: fixed, whatever the spec says.
     */
    static final Map<String, String> HOST_ENVIRONMENT = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");

    /** Names the dynamic loader, the C library or option parsing read, by prefix ({@link #loaderVariables}). */
    private static final List<String> LOADER_PREFIXES = List.of("LD_", "MALLOC_", "GLIBC_", "GCONV_", "LC_", "NIS_", "RES_", "RESOLV_");
    /** Names the dynamic loader, the C library, locales or option parsing read, exactly ({@link #loaderVariables}). */
    private static final java.util.Set<String> LOADER_NAMES = java.util.Set.of("PATH", "LANG", "LANGUAGE", "LOCPATH", "NLSPATH",
            "GETCONF_DIR", "HOSTALIASES", "LOCALDOMAIN", "TMPDIR", "TZ", "TZDIR", "POSIXLY_CORRECT", "MEMUSAGE_OUTPUT", "SEGFAULT_OUTPUT_NAME");

    /**
     * The variables of {@code env} that change how a program the host runs before the ticket's own (setsid, prlimit, env,
     * bubblewrap) loads or behaves: the dynamic loader's ({@code LD_PRELOAD}, {@code LD_LIBRARY_PATH}, {@code LD_AUDIT},
     * ...), the C library's ({@code GCONV_PATH}, {@code GLIBC_TUNABLES}, {@code MALLOC_*}, {@code TZ}, locales, ...) and
     * {@code PATH}, in {@code env}'s order. A deny-list, used only where the launchers cannot get a fixed environment
     * (without bubblewrap, or without posix_spawn); glibc's own list of such names for set-uid programs is {@code unsecvars.h}.
     */
    static Map<String, String> loaderVariables(Map<String, String> env) {
        Map<String, String> found = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (LOADER_NAMES.contains(name) || LOADER_PREFIXES.stream().anyMatch(name::startsWith)) found.put(name, e.getValue());
        }
        return found;
    }

    /**
     * What the host-side launchers start with: their environment, the bytes each gets on file descriptor 3 and up, in
     * {@code /} (which a ticket cannot write): never the ticket's working directory, where a relative
     * {@code LD_PRELOAD=./x.so} would name a file the ticket made.
     */
    record HostSide(Map<String, String> env, List<byte[]> files) {}

    /** As {@link #hostSide(boolean, boolean, Map, Optional)} with this host's seccomp program ({@link #seccompProgram()}). */
    static HostSide hostSide(boolean bwrap, boolean posixSpawn, Map<String, String> env) {
        return hostSide(bwrap, posixSpawn, env, seccompProgram());
    }

    /**
     * How {@code env} (the ticket's, {@link #environment}) reaches the ticket and not the launchers: with bubblewrap and
     * posix_spawn, the launchers get {@link #HOST_ENVIRONMENT} and bubblewrap reads the ticket's from descriptor 3
     * ({@link #bwrapEnvironment}, {@code --args 3}) and {@code seccomp}, when present, from descriptor 4
     * ({@link #SECCOMP_FD}, {@code --seccomp 4}); otherwise the launchers get {@code env} without its
     * {@link #loaderVariables}, which the command line sets for the ticket's program ({@link #bwrapEnvironmentArgs},
     * {@link #hostEnvArgs}), and no files.
     */
    static HostSide hostSide(boolean bwrap, boolean posixSpawn, Map<String, String> env, Optional<byte[]> seccomp) {
        if (bwrap && posixSpawn) {
            List<byte[]> files = new ArrayList<>(List.of(bwrapEnvironment(env))); // on PosixSpawn.FIRST_FILE_FD: --args 3
            seccomp.ifPresent(files::add); // on SECCOMP_FD, the next one: --seccomp 4
            return new HostSide(HOST_ENVIRONMENT, List.copyOf(files));
        }
        Map<String, String> rest = new LinkedHashMap<>(env);
        rest.keySet().removeAll(loaderVariables(env).keySet());
        return new HostSide(rest, List.of());
    }

    /**
     * bubblewrap's {@code --args} file for {@code env}: {@code --clearenv}, then {@code --setenv NAME VALUE} per variable in
     * {@code env}'s order, each argument ended by a NUL byte, in UTF-8.
     *
     * @throws IllegalArgumentException for an empty name, a name with {@code =}, or a NUL character in a name or value (the
     *                                  value is not shown: it may be a secret)
     */
    static byte[] bwrapEnvironment(Map<String, String> env) {
        StringBuilder b = new StringBuilder("--clearenv\0");
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid environment name: " + name.replace('\0', '?'));
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("invalid null character in the value of environment variable " + name);
            }
            b.append("--setenv\0").append(name).append('\0').append(e.getValue()).append('\0');
        }
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Whether bubblewrap can be given {@code path}: its name read back from its text is the same bytes (false for a name
     * that is not valid in the JVM's file name encoding, which the text holds as U+FFFD, naming another file or none).
     */
    static boolean nameable(Path path) {
        return Path.of(path.toString()).equals(path);
    }

    /** Whether the nearest directory above {@code dir} that {@code rules} names is hidden (its tmpfs covers {@code dir}). */
    private static boolean underHidden(Path dir, Map<Path, Integer> rules) {
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            Integer kind = rules.get(p);
            if (kind != null) return kind == 0;
        }
        return false;
    }

    /** The error for a directory the sandbox must mount ({@code kind} as in {@link #dirRules}) whose name bubblewrap cannot get. */
    static String unnameableDirectory(Path dir, int kind) {
        String role = switch (kind) {
            case 0 -> "hide (a state directory, or one the spec hides)";
            case 1 -> "make writable";
            default -> "show read-only";
        };
        return "the directory " + dir + " (\uFFFD: a byte that is not valid " + System.getProperty("sun.jnu.encoding", "UTF-8")
                + ") is one this ticket's sandbox must " + role + ", and its name, or a directory's above it, cannot be passed to "
                + "bubblewrap, not being valid text in the JVM's file name encoding; nothing was run. Rename that directory to a "
                + "valid UTF-8 name, or remove it (a state directory copied into the repository: move it out of the repository)";
    }

    /** Mounts a writable tmpfs at {@code dir}, of the spec's size where bubblewrap can size it. */
    private void tmpfs(List<String> bwrapArgs, SandboxSpec spec, String dir) {
        if (spec.tmpSizeBytes() > 0 && bubblewrap.sizesTmpfs()) bwrapArgs.addAll(List.of("--size", Long.toString(spec.tmpSizeBytes())));
        bwrapArgs.addAll(List.of("--tmpfs", dir));
    }

    private static void maskWithDevNull(List<String> bwrapArgs, List<Path> masked, Path file) {
        bwrapArgs.addAll(List.of("--ro-bind", "/dev/null", file.toString()));
        masked.add(file);
    }

    /**
     * The mount of each directory {@code spec} names, by its real path: 0 hidden (an empty tmpfs), 1 writable, 2
     * read-only; the strongest rule per path wins (hidden < writable < forced read-only).
     */
    private static Map<Path, Integer> dirRules(SandboxSpec spec) {
        Map<Path, Integer> rules = new LinkedHashMap<>();
        for (Path p : spec.hiddenDirs()) rule(rules, p, 0);
        if (spec.workspaceWritable()) rule(rules, spec.workspace(), 1);
        for (Path p : spec.writableDirs()) rule(rules, p, 1);
        if (!spec.workspaceWritable()) rule(rules, spec.workspace(), 2);
        for (Path p : spec.readOnlyDirs()) rule(rules, p, 2);
        return rules;
    }

    /**
     * The directories of the {@code PATH} a process launched with {@code spec} finds its programs in (the one
     * {@link SandboxSpec#env()} grants, else {@link #DEFAULT_PATH}) that the sandbox hides, each (as written, normalized)
     * with the hidden directory of {@link SandboxSpec#hiddenDirs()} it lies in: an empty directory there, so a command
     * found only there fails (exit 127). A directory the spec shows again below a hidden one (the workspace, a writable
     * directory) is not among them. Empty without bubblewrap, which hides nothing. A lookup of a few path comparisons
     * unless a {@code PATH} directory lies in a hidden one.
     *
     * @throws SandboxException when bubblewrap is required but unusable
     */
    public Map<Path, Path> hiddenPathEntries(SandboxSpec spec) throws SandboxException {
        if (spec.hiddenDirs().isEmpty() || !usesBubblewrap(spec.isolation())) return Map.of();
        List<Path> entries = pathEntries.computeIfAbsent(spec.env().getOrDefault("PATH", DEFAULT_PATH), Sandbox::pathEntries);
        boolean any = false;
        for (Path hidden : spec.hiddenDirs()) {
            for (Path entry : entries) any |= entry.startsWith(hidden.toAbsolutePath().normalize());
        }
        if (!any) {
            // hidden directories named through a link: compared by their real paths
            for (Path hidden : spec.hiddenDirs()) {
                Path real = canonical(hidden);
                for (Path entry : entries) any |= entry.startsWith(real);
            }
            if (!any) return Map.of();
        }
        Map<Path, Integer> rules = dirRules(spec);
        Map<Path, Path> byReal = new HashMap<>();
        for (Path hidden : spec.hiddenDirs()) byReal.putIfAbsent(canonical(hidden), hidden);
        Map<Path, Path> found = new LinkedHashMap<>();
        // entries come in pairs: as written (normalized), then as resolved; the resolved one tells what the sandbox shows
        for (int i = 0; i + 1 < entries.size(); i += 2) {
            if (!entries.get(i).isAbsolute()) continue; // found from the working directory, which the sandbox shows
            for (Path p = entries.get(i + 1); p != null; p = p.getParent()) {
                Integer kind = rules.get(p);
                if (kind == null) continue;
                if (kind == 0) found.putIfAbsent(entries.get(i), byReal.getOrDefault(p, p));
                break;
            }
        }
        return found;
    }

    /**
     * The host's credential files that Swarmflow itself can read, which means it runs as root: in the sandbox
     * {@code /dev/null} is mounted over each file (reading it fails: bubblewrap's mounts are {@code nodev}) and an
     * empty tmpfs over each directory. Listed once per sandbox. As another user they are unreadable anyway and
     * the list is empty.
     */
    private List<Path> hostSecrets() {
        List<Path> found = hostSecrets;
        if (found == null) {
            found = new ArrayList<>();
            for (String f : HOST_SECRET_FILES) found.add(Path.of(f));
            try (java.nio.file.DirectoryStream<Path> ssh = Files.newDirectoryStream(Path.of("/etc/ssh"), "ssh_host_*_key")) {
                ssh.forEach(found::add);
            } catch (IOException | RuntimeException e) {
                // no /etc/ssh: no host keys
            }
            found.removeIf(p -> Files.isSymbolicLink(p) || !Files.isReadable(p));
            hostSecrets = found = List.copyOf(found);
        }
        return found;
    }

    /** Password hashes, and TLS private keys by Debian's convention; SSH host keys are listed from /etc/ssh. */
    private static final List<String> HOST_SECRET_FILES =
            List.of("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssl/private");

    private HostSockets.Found hostSockets() throws SandboxException {
        try {
            HostSockets.Found bound = sockets.bound();
            int unplaced = bound.relative();
            if (unplaced > 0 && socketsWarned.compareAndSet(false, true)) {
                warnings.accept(unplaced + " Unix socket(s) on this host were bound by a relative path (see /proc/net/unix), so the "
                        + "sandbox cannot find their files to cover them; a ticket without network may still reach them");
            }
            return bound;
        } catch (IOException e) {
            throw new SandboxException("cannot read /proc/net/unix to keep tickets without network away from the host's Unix "
                    + "sockets: " + e.getMessage() + "; mount /proc, or give the ticket network: true", e);
        }
    }

    /**
     * Whether {@code dir} holds programs the sandbox runs: a directory of the host's {@code PATH} (where
     * {@link #commandLine} finds the program) or of the one the spec grants lies in it. Then it stays visible
     * (NixOS keeps its programs under {@code /run/current-system}); its sockets are still covered one by one.
     */
    private boolean onPath(Path dir, SandboxSpec spec) {
        return pathEntryIn(dir, spec.env()) != null;
    }

    /**
     * A directory in which a sandboxed process finds programs that is {@code dir} or lies below it, or null when there
     * is none: a directory of the host's {@code PATH} (where {@link #commandLine} finds the program), or of the
     * {@code PATH} in {@code env} ({@link #DEFAULT_PATH} when it has none), each as written (normalized) and as its real
     * path. Hiding such a directory would take the process's programs away. Looked up from a cache per {@code PATH}
     * value: no file system call once a value was seen.
     *
     * @param dir an absolute path; compared as given, so pass its real path
     * @param env the environment a spec grants ({@link SandboxSpec#env()})
     * @return the first such {@code PATH} entry, as written or as resolved, or null
     */
    public Path pathEntryIn(Path dir, Map<String, String> env) {
        for (String path : new String[] {System.getenv("PATH"), env.getOrDefault("PATH", DEFAULT_PATH)}) {
            if (path == null) continue;
            for (Path entry : pathEntries.computeIfAbsent(path, Sandbox::pathEntries)) {
                if (entry.startsWith(dir)) return entry;
            }
        }
        return null;
    }

    /** Each PATH entry as given (normalized) and as resolved; resolving them cost 0.05 ms per launch, so once per PATH. */
    private static List<Path> pathEntries(String path) {
        List<Path> entries = new ArrayList<>();
        for (String entry : path.split(":")) {
            if (entry.isEmpty()) continue;
            entries.add(Path.of(entry).normalize());
            entries.add(canonical(Path.of(entry)));
        }
        return List.copyOf(entries);
    }

    private final Map<String, List<Path>> pathEntries = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Whether a host socket is reachable in the sandbox: the deepest mount rule above it decides (hidden and
     * the sandbox's own {@code /tmp}, {@code /dev}, {@code /proc}: not there; writable: the ticket's own
     * directory, left alone; read-only or the read-only root: reachable, so it gets covered).
     */
    private static boolean visible(Path socket, Map<Path, Integer> rules) {
        for (Path p = socket.getParent(); p != null; p = p.getParent()) {
            Integer kind = rules.get(p);
            if (kind == null && PRIVATE_MOUNTS.contains(p)) kind = 0;
            if (kind != null) return kind == 2;
        }
        return true;
    }

    /**
     * Files of {@code /proc} that change the whole kernel, mounted read-only over the sandbox's own {@code /proc}:
     * sysctls, and {@code sysrq-trigger} (a write of {@code b} reboots the host), both guarded by file modes only.
     */
    private static final List<String> PROC_KERNEL_SETTINGS = Stream.of("/proc/sys", "/proc/sysrq-trigger")
            .filter(f -> Files.exists(Path.of(f), java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList(); // looked up once: 0.1 ms per launch

    private static final java.util.Set<Path> PRIVATE_MOUNTS = java.util.Set.of(Path.of("/tmp"), Path.of("/dev"), Path.of("/proc"));

    /**
     * Says why execve(2) answered E2BIG: Linux limits each argument and each environment string to 128 KiB
     * ({@code MAX_ARG_STRLEN}, 32 pages) and all of them together to a quarter of the stack limit (2 MiB
     * with the usual 8 MiB), see execve(2), "Limits on size of arguments and environment".
     */
    static String tooBig(List<String> argv, Map<String, String> env) {
        long longestArg = argv.stream().mapToLong(a -> a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).max().orElse(0);
        long total = argv.stream().mapToLong(a -> a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1).sum();
        String longestVar = null;
        long longestVarBytes = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            long bytes = (e.getKey() + "=" + e.getValue()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            total += bytes + 1;
            if (bytes > longestVarBytes) {
                longestVarBytes = bytes;
                longestVar = e.getKey();
            }
        }
        return "the command line and environment are too large for the kernel (E2BIG): " + total / 1024 + " KiB in all, "
                + "the longest argument " + longestArg / 1024 + " KiB"
                + (longestVar == null ? "" : ", the largest environment variable " + longestVar
                        // a shell ticket's script comes in this variable (LocalExecutor.SCRIPT_VARIABLE), not as an argument
                        + (longestVar.equals("SWARM_SCRIPT") ? " (the script)" : "") + " " + longestVarBytes / 1024 + " KiB")
                + "; Linux allows 128 KiB per argument or variable and about 2 MiB in all. Outputs pasted into run or env "
                + "add up: write large values to files in $SWARM_SCRATCH and pass their paths";
    }

    /** Values this long or longer go to the end of a process's environment ({@link #environment}). */
    static final int LONG_VALUE_CHARS = 4096;

    /**
     * The environment of a launch, in the order the process gets it: {@code PATH} and {@code LANG} (their defaults unless
     * {@code granted} has them), the {@code granted} variables whose values are shorter than {@link #LONG_VALUE_CHARS},
     * then the longer ones (a shell ticket's script, large granted values), then {@code HOME}. The short ones first, as
     * {@link Escapees} reads only the first 256 KiB of a process's environment for the attempt's {@code SWARM_} entries.
     */
    static Map<String, String> environment(Map<String, String> granted, String home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("LANG", "C.UTF-8");
        for (Map.Entry<String, String> e : granted.entrySet()) {
            if (e.getValue().length() < LONG_VALUE_CHARS) env.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<String, String> e : granted.entrySet()) {
            if (e.getValue().length() >= LONG_VALUE_CHARS) env.put(e.getKey(), e.getValue());
        }
        env.remove("HOME"); // granted or not, last
        env.put("HOME", home);
        return env;
    }

    private static void rule(Map<Path, Integer> rules, Path p, int kind) {
        Path c = canonical(p);
        if (c.getNameCount() == 0) return; // never hide or rebind "/"
        rules.merge(c, kind, Math::max);
    }

    private static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        try {
            return abs.toRealPath();
        } catch (IOException e) {
            return abs;
        }
    }

    /**
     * Starts {@code command} in the sandbox described by {@code spec}. Returns once the process runs;
     * wait for it with {@link SandboxProcess#waitFor()}.
     *
     * @param listener receives every output line (until the log cap) of both streams as it is written, a line ending at
     *                 an LF or at a lone CR (a progress bar's states: see {@link LineListener}); must be cheap
     * @throws SandboxException when bubblewrap is required but unusable, a tool is missing, or the start fails
     */
    public SandboxProcess start(SandboxSpec spec, List<String> command, LineListener listener) throws SandboxException {
        return start(spec, command, listener, null);
    }

    /** Whether this process runs as root (effective uid 0). */
    private static final boolean RUNS_AS_ROOT = uid() == 0;

    /**
     * This process's effective uid, the second field of {@code Uid:} in {@code /proc/self/status} (the owner of
     * {@code /proc/self} is not it for a non-dumpable process, such as a {@code java} given file capabilities, which shows
     * root there); -1 when that cannot be read.
     */
    static long uid() {
        try {
            return effectiveUid(java.nio.file.Files.readAllLines(Path.of("/proc/self/status")));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The effective uid in the lines of a {@code /proc/PID/status} ({@code Uid:} real, effective, saved, fs); -1 if none. */
    static long effectiveUid(List<String> status) {
        for (String line : status) {
            if (line.startsWith("Uid:")) {
                String[] f = line.substring(4).trim().split("\\s+");
                return f.length >= 2 ? Long.parseLong(f[1]) : -1;
            }
        }
        return -1;
    }

    /**
     * The one warning that {@code sandbox: best-effort} tickets run without bubblewrap ({@code problem}: why it is not
     * usable); as {@code root}, that they then run as root on the host, unconfined, which the limits do not change.
     */
    static String unisolatedWarning(String problem, boolean root) {
        String unisolated = "bubblewrap is not usable here (" + problem + "): sandbox: best-effort tickets run with resource "
                + "limits and a scrubbed environment only, without filesystem and network isolation; install bubblewrap "
                + "(apt-get install bubblewrap) to isolate them";
        return !root ? unisolated : unisolated + ". swarm runs as root, so these tickets run as root on the host, unconfined: "
                + "they can change any file, end any process and change the kernel's settings; run swarm as an ordinary "
                + "user, or give them sandbox: required, which refuses to run them without bubblewrap";
    }

    /**
     * Like {@link #start(SandboxSpec, List, LineListener)}, and hands {@code stdoutLines} every complete line of
     * stdout, a line ending at an LF alone (a CR in it stays in it; one right before the LF is left out), up to 1 MiB (longer ones are skipped, and {@link LineListener#skipped} gets their start), including the lines past the log cap, which neither the log
     * nor {@code listener} get: for reading results (such as a last JSON line) from a noisy process.
     *
     * @param stdoutLines null for none; called on the stdout pump thread, so it must be cheap
     * @throws SandboxException as {@link #start(SandboxSpec, List, LineListener)}
     */
    public SandboxProcess start(SandboxSpec spec, List<String> command, LineListener listener, LineListener stdoutLines)
            throws SandboxException {
        boolean bwrap = usesBubblewrap(spec.isolation());
        if (!bwrap && spec.isolation() == Isolation.BEST_EFFORT && warned.compareAndSet(false, true)) {
            warnings.accept(unisolatedWarning(bubblewrap.problem(), runsAsRoot));
        }
        if (!bwrap && procProblem != null && PROC_WARNED.compareAndSet(false, true)) {
            warnings.accept(escapeesUnfindable(procProblem));
        }
        if (bwrap && SECCOMP_PROBLEM != null && SECCOMP_WARNED.compareAndSet(false, true)) {
            warnings.accept(noSeccompWarning(SECCOMP_PROBLEM));
        }
        if (bwrap && spec.tmpSizeBytes() > 0 && !bubblewrap.sizesTmpfs() && unsizedWarned.compareAndSet(false, true)) {
            warnings.accept(unsizedTmpfsWarning(bubblewrap));
        }
        for (String change : hardLimits.clamped(spec.limits())) {
            if (clampWarned.add(change)) {
                warnings.accept("a ticket's resource limit is above the hard limit of this swarm process, which only a process "
                        + "with CAP_SYS_RESOURCE may raise; the ticket gets the hard limit: " + change + ". Lower it in the "
                        + "spec's limits, or raise the hard limit (ulimit -H, limits.conf) before starting swarm");
            }
        }
        SandboxProcess.Launch launch = launch(spec, command, false);
        List<String> argv = launch.argv();
        Path privateHome = null;
        try {
            for (Path dir : spec.writableDirs()) ensureDirectory(dir);
            if (!bwrap) privateHome = homes.acquire();
        } catch (IOException e) {
            throw new SandboxException("cannot prepare sandbox directories: " + e, e);
        }
        Map<String, String> env = environment(spec.env(), bwrap ? SANDBOX_HOME : privateHome.toString());
        HostSide host = hostSide(bwrap, PosixSpawn.available(), env);
        String tooLong = tooLongForExec(argv, env);
        if (tooLong != null) {
            homes.release(privateHome);
            throw new SandboxException("cannot start " + command.getFirst() + " in the sandbox: " + tooLong);
        }

        PidsCgroup.Group cgroup;
        try {
            cgroup = processCgroup(spec.limits(), bwrap);
        } catch (IOException e) {
            homes.release(privateHome);
            throw new SandboxException("cannot create the attempt's cgroup for its process limit: " + e, e);
        }
        Future<SandboxProcess.Started> started;
        try {
            started = launcher.submit(() -> {
                Process p = cgroup == null ? launch(argv, host)
                        : PidsCgroup.get().orElseThrow().startInside(cgroup, () -> launch(argv, host));
                return new SandboxProcess.Started(p, PosixSpawn.startTicks(p), cgroup);
            });
        } catch (RejectedExecutionException e) {
            homes.release(privateHome);
            if (cgroup != null) cgroup.close();
            throw new SandboxException("cannot start " + command.getFirst() + ": the sandbox is closed", e);
        }
        SandboxProcess.Started s;
        try {
            s = started.get();
        } catch (ExecutionException e) {
            homes.release(privateHome);
            if (cgroup != null) cgroup.close();
            String why = e.getCause().getMessage();
            if (why != null && (why.contains("E2BIG") || why.contains("error=7,"))) why = tooBig(argv, env);
            throw new SandboxException("cannot start " + command.getFirst() + " in the sandbox: " + why, e.getCause());
        } catch (InterruptedException e) {
            // The start may already be under way: let it finish, then stop what it started.
            if (!started.cancel(false)) {
                try {
                    stopUnwatched(uninterruptibly(started));
                } catch (ExecutionException ignored) {
                    // it never started
                }
            }
            homes.release(privateHome);
            if (cgroup != null) cgroup.close();
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting the sandbox", e);
        }
        try {
            return new SandboxProcess(s, launch, spec, listener, stdoutLines, privateHome, homes);
        } catch (RuntimeException | Error e) {
            // nothing will wait for it: stop it and give back what it held
            stopUnwatched(s);
            homes.release(privateHome);
            throw e;
        }
    }

    /** Kills a started process no {@link SandboxProcess} watches, closes its pipes, and empties its cgroup. */
    private static void stopUnwatched(SandboxProcess.Started s) {
        stopUnwatched(s.process());
        if (s.cgroup() != null) s.cgroup().close();
    }

    /** Kills a started process (and its process group) that no one will wait for or read, and closes its pipes. */
    static void stopUnwatched(Process p) {
        ProcessGroups.signalGroup(p.pid(), "KILL");
        p.destroyForcibly();
        closeQuietly(p.getInputStream());
        closeQuietly(p.getErrorStream());
    }

    /**
     * The cgroup that enforces {@code limits.processes()} for this attempt ({@link PidsCgroup}), or null: when there
     * is no process limit, or no usable cgroup v1 {@code pids} hierarchy. In the latter case, running as root, the
     * limit is not enforced at all (the kernel does not apply RLIMIT_NPROC to root), which is warned about once.
     */
    private PidsCgroup.Group processCgroup(ProcessLimits limits, boolean bwrap) throws IOException {
        if (limits.processes() <= 0) return null;
        java.util.Optional<PidsCgroup> cgroups = PidsCgroup.get();
        // bubblewrap's own two processes (the outer bwrap and the namespace's init) are not the ticket's
        if (cgroups.isPresent()) return cgroups.get().create(limits.processes() + (bwrap ? BUBBLEWRAP_PROCESSES : 0));
        if (PidsCgroup.realUidIsRoot() && ROOT_NPROC_WARNED.compareAndSet(false, true)) {
            String why = PidsCgroup.turnedOff() ? "the system property swarm.cgroups=off turns the per-attempt cgroups off"
                    : "no per-attempt cgroup can hold it here (" + PidsCgroup.problem() + ")";
            warnings.accept("running as root, the tickets' process limit (" + limits.processes() + ") is not enforced: the kernel "
                    + "does not apply RLIMIT_NPROC to root, and " + why + "; a ticket can start processes until the "
                    + "host runs out; run swarm as another user"
                    + (PidsCgroup.turnedOff() ? ", or without swarm.cgroups=off" : ", or on a host with a writable cgroup v1 pids hierarchy"));
        }
        return null;
    }

    /**
     * The descriptor bubblewrap reads the seccomp filter from ({@code --seccomp 4}): the second file {@link #hostSide} hands
     * over, after the {@code --args} file on {@link PosixSpawn#FIRST_FILE_FD} (3).
     */
    static final int SECCOMP_FD = PosixSpawn.FIRST_FILE_FD + 1;
    /** Why no seccomp filter is given to bubblewrap here, or null when one is ({@link SeccompFilter}). */
    static final String SECCOMP_PROBLEM = SeccompFilter.problem() != null ? SeccompFilter.problem()
            : PosixSpawn.available() ? null : "processes are started without posix_spawn (" + PosixSpawn.problem()
            + "), which alone can hand bubblewrap the filter on a descriptor";
    /** The warning that there is no seccomp filter is given once per process. */
    private static final AtomicBoolean SECCOMP_WARNED = new AtomicBoolean();

    /** bubblewrap's {@code --seccomp} option when there is a filter to give it ({@link #seccompProgram()}), else nothing. */
    private static List<String> seccompArgs() {
        return SECCOMP_PROBLEM == null ? List.of("--seccomp", Integer.toString(SECCOMP_FD)) : List.of();
    }

    /** What bubblewrap gets on {@link #SECCOMP_FD}: the {@link SeccompFilter} program when {@link #seccompArgs()} names it. */
    static Optional<byte[]> seccompProgram() {
        return SECCOMP_PROBLEM == null ? Optional.of(SeccompFilter.program().orElseThrow()) : Optional.empty();
    }

    /** The warning, given once, that bubblewrap runs tickets without the seccomp filter ({@code problem}: why). */
    static String noSeccompWarning(String problem) {
        return "sandboxed tickets run without the seccomp filter that refuses the kernel keyring calls (add_key, request_key, "
                + "keyctl): " + problem + "; a ticket run as root can then read the keys of root's user keyring and of the "
                + "session keyring swarm was started in; run swarm as an ordinary user";
    }

    /** Processes bubblewrap itself keeps while the command runs: the outer bwrap and, with --unshare-pid, the init. */
    static final int BUBBLEWRAP_PROCESSES = 2;

    /** The warning that escapees cannot be found is given once per process. */
    private static final AtomicBoolean PROC_WARNED = new AtomicBoolean();

    /**
     * The warning, given once for a launch without bubblewrap, that processes leaving an attempt cannot be found, as
     * {@code /proc} does not show this process's PID namespace ({@code problem}: {@link Escapees#PROC_PROBLEM}).
     */
    static String escapeesUnfindable(String problem) {
        return "processes that leave a ticket's process group (setsid, a daemon) cannot be found here without bubblewrap: "
                + problem + "; they are not ended when their attempt ends, and are not reported (a cgroup still ends those "
                + "that stay in it); run swarm where /proc is mounted for its own PID namespace, or install bubblewrap";
    }

    /** The root warning is given once per process, not per sandbox. */
    private static final AtomicBoolean ROOT_NPROC_WARNED = new AtomicBoolean();

    /**
     * Starts {@code argv}: with posix_spawn(3) where {@link PosixSpawn#available()}, otherwise (or for a
     * relative program path) with {@link ProcessBuilder}. Runs on a launcher thread.
     */
    private static Process launch(List<String> argv, HostSide host) throws IOException {
        if (PosixSpawn.available() && argv.getFirst().startsWith("/")) return PosixSpawn.start(argv, ROOT, host.env(), host.files());
        // hostSide gives files only with posix_spawn; a relative program path with files would lose them
        if (!host.files().isEmpty()) throw new IOException(host.files().size() + " files for descriptors " + PosixSpawn.FIRST_FILE_FD
                + ".. cannot be handed to " + argv.getFirst() + " without posix_spawn (" + PosixSpawn.problem() + ")");
        ProcessBuilder pb = new ProcessBuilder(argv).directory(ROOT.toFile()).redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
        pb.environment().clear();
        pb.environment().putAll(host.env());
        return pb.start();
    }

    /** The host-side launchers' working directory. */
    private static final Path ROOT = Path.of("/");

    /** Linux's limit on one argument or environment string, its NUL included (MAX_ARG_STRLEN, execve(2)). */
    private static final int MAX_ARG_STRLEN = 128 * 1024;

    /**
     * {@link #tooBig}'s explanation when one argument or variable of the launch is over {@link #MAX_ARG_STRLEN}, which the
     * exec of the ticket's program would refuse (E2BIG: inside bubblewrap, where only bubblewrap's own terse error would
     * tell); null when none is.
     */
    static String tooLongForExec(List<String> argv, Map<String, String> env) {
        for (String a : argv) if (a.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 > MAX_ARG_STRLEN) return tooBig(argv, env);
        for (Map.Entry<String, String> e : env.entrySet()) {
            if ((e.getKey() + "=" + e.getValue()).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1 > MAX_ARG_STRLEN) {
                return tooBig(argv, env);
            }
        }
        return null;
    }

    /**
     * Where {@link #commandLine} finds a program named {@code name} (no {@code /}) on the host when swarm's own
     * {@code PATH} is {@code path}: the first directory of {@code path} (relative ones against the working directory),
     * then of the default {@code PATH}, holding an executable regular file of that name; empty when none does (the
     * name is then left to the sandbox's {@code PATH}).
     */
    public static Optional<Path> hostProgram(String name, String path) {
        return Executables.find(name, path);
    }

    /** Which launcher starts processes: {@code posix_spawn}, or {@code ProcessBuilder} with the reason. */
    public static String launcherDescription() {
        return PosixSpawn.available() ? "posix_spawn" : "ProcessBuilder (" + PosixSpawn.problem() + ")";
    }

    /** {@link Files#createDirectories} costs an exception when the directory exists, the usual case here: look first. */
    private static void ensureDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) Files.createDirectories(dir);
    }

    private static void closeQuietly(java.io.InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // our end of a pipe
        }
    }

    private static <T> T uninterruptibly(Future<T> f) throws ExecutionException {
        while (true) {
            try {
                return f.get();
            } catch (InterruptedException again) {
                // keep waiting: the caller re-asserts the interrupt
            }
        }
    }

    /** Stops the launcher threads; bubblewrap sandboxes still running die with them ({@code --die-with-parent}). */
    @Override
    public void close() {
        launcher.shutdown();
        homes.close();
    }
}
