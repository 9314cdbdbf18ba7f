package io.swarmflow.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Whether bubblewrap ({@code bwrap}) can isolate processes on this machine. Being installed is not
 * enough (user namespaces may be disabled, or we may already be inside a container that forbids
 * them), so {@link #probe()} also runs a smoke test with the namespaces the sandbox uses.
 */
public final class Bubblewrap {
    /** What {@link #probe()} found, once per JVM. */
    private static final Once PROBED = new Once();

    private Bubblewrap() {}

    /**
     * Result of the probe.
     *
     * @param usable  whether bwrap ran the smoke test successfully
     * @param path    absolute path of bwrap, or null when not found
     * @param version output of {@code bwrap --version}, or null
     * @param problem why it is not usable (null when usable)
     * @param sizesTmpfs whether bwrap knows {@code --size} (bubblewrap 0.8 or later), which the sandbox uses to size its
     *                   tmpfs mounts; without it they get the kernel's default, half of the host's RAM each
     */
    public record Status(boolean usable, String path, String version, String problem, boolean sizesTmpfs) {
        /** A status of a bubblewrap that knows {@code --size}. */
        public Status(boolean usable, String path, String version, String problem) {
            this(usable, path, version, problem, true);
        }

        /** A status saying bubblewrap must not be used, with the reason shown to the user. */
        public static Status unavailable(String problem) {
            return new Status(false, null, null, problem, false);
        }
    }

    /**
     * Probes once per JVM (cached; a probe that was interrupted is not kept, the next call probes again): {@code bwrap --version} and a namespace smoke test running {@code true} with the
     * sandbox's sized tmpfs mounts; when bwrap refuses {@code --size} (older than 0.8), the smoke test again without it,
     * and a usable status then says {@link Status#sizesTmpfs() sizesTmpfs} false.
     */
    public static Status probe() {
        return PROBED.get(Bubblewrap::runProbe);
    }

    /** The problem of a probe that was interrupted ({@link #probe(String, String, String)}). */
    static final String INTERRUPTED = "interrupted while probing bwrap";

    /**
     * A probe's status, found once: the first call runs the probe, later ones get its status; except that an interrupted
     * probe's ({@link #INTERRUPTED}) is not kept, the next call probes again (review DPROC F7: one cancel during the first
     * probe made every {@code sandbox: required} ticket of the process refused and every {@code best-effort} one
     * unsandboxed).
     */
    static final class Once {
        private volatile Status status;

        /** The status {@code probe} found on the first call whose probe was not interrupted; it is not run again then. */
        Status get(java.util.function.Supplier<Status> probe) {
            Status s = status;
            if (s == null) {
                synchronized (this) {
                    s = status;
                    if (s == null) {
                        s = probe.get();
                        if (!INTERRUPTED.equals(s.problem())) status = s;
                    }
                }
            }
            return s;
        }
    }

    private static Status runProbe() {
        Optional<Path> bwrap = Executables.find("bwrap");
        if (bwrap.isEmpty()) return Status.unavailable("bwrap not found on PATH");
        return probe(bwrap.get().toString());
    }

    /** Probes the bwrap at {@code exe} (absolute), uncached, as {@link #probe()} does. */
    static Status probe(String exe) {
        return probe(exe, System.getenv("PATH"));
    }

    /** {@link #probe(String)} with the smoke test's {@code true} looked for on {@code path} ({@link #probeProgram}). */
    static Status probe(String exe, String path) {
        return probe(exe, path, Escapees.PROC_PROBLEM);
    }

    /**
     * {@link #probe(String, String)} where {@code procProblem} says why {@code /proc} is not this process's PID namespace's
     * ({@link Escapees#PROC_PROBLEM}), or is null when it is: bubblewrap is then not usable ({@link #foreignProc}), and the
     * smoke test is not run.
     */
    static Status probe(String exe, String path, String procProblem) {
        try {
            Run version = run(List.of(exe, "--version"), path, procProblem);
            if (version.code != 0) return new Status(false, exe, null, "bwrap --version failed: " + version.output);
            if (procProblem != null) return new Status(false, exe, version.output, foreignProc(procProblem));
            String program = probeProgram(path);
            Run smoke = run(smokeTest(exe, true, program), path, null);
            boolean sizes = true;
            if (smoke.code != 0 && refusesSize(smoke.output)) {
                sizes = false;
                smoke = run(smokeTest(exe, false, program), path, null);
            }
            if (smoke.code == -1) {
                return new Status(false, exe, version.output, "bwrap's smoke test " + smoke.output
                        + " (a heavily loaded machine, or bwrap hung): bubblewrap is not used by this process", sizes);
            }
            if (smoke.code != 0) {
                return new Status(false, exe, version.output, "bwrap cannot create namespaces here: "
                        + (smoke.output.isEmpty() ? "exit code " + smoke.code : smoke.output), sizes);
            }
            return new Status(true, exe, version.output, null, sizes);
        } catch (IOException e) {
            return new Status(false, exe, null, "bwrap could not be run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Status(false, exe, null, INTERRUPTED);
        }
    }

    /**
     * The program the smoke test runs: {@code true} by its absolute path, the way a ticket's program is resolved
     * ({@link Executables#find}: {@code path}, then the system's directories), through its directory's symbolic links
     * (not its own: the name a multi-call binary is run by tells it what to be), so that
     * {@code bwrap} does not look for it on swarm's PATH inside a sandbox whose {@code /tmp} and {@code /dev} are empty
     * (a PATH whose {@code true} lies there made the probe fail on {@code execvp true}, and the probe then said
     * bubblewrap cannot create namespaces). One that still lies under {@code /tmp} or {@code /dev} gives way to the
     * system's; {@code "true"} when none is found.
     */
    static String probeProgram(String path) {
        for (String search : new String[]{path, null}) {
            Optional<Path> found = Executables.find("true", search);
            if (found.isEmpty()) continue;
            try {
                // its directory's links resolved, not its own: a multi-call binary (coreutils-single's true, a link
                // to coreutils) tells what to be from the name it is run by
                Path named = found.get().getParent().toRealPath().resolve(found.get().getFileName());
                Path real = named.toRealPath();
                if (!named.startsWith("/tmp") && !named.startsWith("/dev") && !real.startsWith("/tmp") && !real.startsWith("/dev")) {
                    return named.toString();
                }
            } catch (IOException e) {
                // gone meanwhile: try the system's
            }
        }
        return "true";
    }

    /**
     * The smoke test: the sandbox's mounts and namespaces, its tmpfs mounts sized (one page) when {@code sized}, running
     * {@code program} ({@link #probeProgram}).
     */
    static List<String> smokeTest(String exe, boolean sized, String program) {
        List<String> a = new java.util.ArrayList<>(List.of(exe, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"));
        if (sized) a.addAll(List.of("--size", "4096"));
        a.addAll(List.of("--tmpfs", "/tmp"));
        if (sized) a.addAll(List.of("--size", "4096"));
        a.addAll(List.of("--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--cap-drop", "ALL", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--unshare-net", "--die-with-parent", "--", program));
        return a;
    }

    /**
     * Why bubblewrap is not usable where {@code /proc} is another PID namespace's ({@code procProblem}: {@link
     * Escapees#PROC_PROBLEM}): the outer bwrap reads its sandbox's namespaces from {@code /proc/PID/ns} by the pid its own
     * namespace gave the sandbox's first process, which there names another process or none. When none, bwrap fails
     * ({@code bwrap: open /proc/25/ns/ns failed}) and its sandbox's first process waits for it forever, holding the
     * output pipes; when another, it reads that process's. Which one depends on which numbers are in use there, so
     * bubblewrap would fail some launches and not others: it is not used at all.
     */
    static String foreignProc(String procProblem) {
        return "bwrap cannot be used here: " + procProblem + ", and bwrap reads its sandbox's namespaces from /proc/PID/ns "
                + "by the number this namespace gave the sandbox, which names another process there or none (bwrap then fails "
                + "and its sandbox is left waiting forever); run swarm where /proc is mounted for its own PID namespace "
                + "(unshare --pid --fork --mount-proc, or a container with its own /proc)";
    }

    /** Whether bwrap's error says it does not know {@code --size}: {@code bwrap: Unknown option --size} before 0.8. */
    static boolean refusesSize(String output) {
        return output.contains("Unknown option --size");
    }

    record Run(int code, String output) {}

    /**
     * How long one probe command may run, in seconds: long enough for a smoke test on a heavily loaded machine (creating
     * namespaces takes well under a second otherwise), as one that did not end makes bubblewrap unusable for the process.
     */
    static final int RUN_SECONDS = 60;
    /** {@link #RUN_SECONDS}, lowered by a test. */
    static volatile int runSeconds = RUN_SECONDS;
    /** How long, in milliseconds, the output of a probe command that ended is read for before what came is taken. */
    static final int OUTPUT_AFTER_END_MILLIS = 1000;

    /** How long, in milliseconds, the output reader of a probe command is waited for once its processes were killed. */
    static final int READER_END_MILLIS = 1000;

    /** Numbers the probe's output readers ({@code swarm-bwrap-probe-N}), so a test can tell its own. */
    private static final java.util.concurrent.atomic.AtomicLong READERS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Runs {@code command} with {@code path} as its PATH (null: unset), swarm's own in {@link #probe(String)}, for at most
     * {@link #runSeconds} (code -1 past it). Its output is read on a daemon thread of its own, and once it has ended for at
     * most {@link #OUTPUT_AFTER_END_MILLIS} more: a process it left behind that holds the pipe (the sandbox's first process
     * of a bwrap that failed, see {@link #foreignProc}) does not hold up the probe; the output is what came until then.
     * <p>
     * The command runs in a process group of its own ({@code setsid}, where found), and however the run ends (it ended,
     * it did not end in time, an interrupt, an error) that group is then killed (SIGKILL), with the descendants the
     * command had left that left the group while it still ran ({@link #end}): nothing that stays in the probe's process
     * group outlives it, and the reader, whose pipe they held, ends; it is waited for up to {@link #READER_END_MILLIS} (a
     * process that left the group and the tree, a daemon's double fork, or one that left the group of a command that had
     * ended, can still hold the pipe: the reader then ends with it, being a daemon thread).
     *
     * @param procProblem why {@code /proc} is not this process's PID namespace's ({@link Escapees#PROC_PROBLEM}), or null
     *                    when it is: when given, nothing read from {@code /proc} is signalled (only the command's own
     *                    group while the command is known to run)
     */
    static Run run(List<String> command, String path, String procProblem) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(command);
        Optional<Path> setsid = Executables.find("setsid");
        setsid.ifPresent(s -> argv.addFirst(s.toString()));
        ProcessBuilder b = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        if (path == null) b.environment().remove("PATH"); else b.environment().put("PATH", path);
        Process p = b.start();
        // its start, for its group once it has been reaped: read while it is known to run, so it is its own
        java.util.OptionalLong ticks = procProblem == null ? ProcessGroups.startTicks(p.pid()) : java.util.OptionalLong.empty();
        if (!p.isAlive()) ticks = java.util.OptionalLong.empty();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.InputStream in = p.getInputStream();
        Thread reader = Thread.ofPlatform().daemon().name("swarm-bwrap-probe-" + READERS.incrementAndGet()).start(() -> {
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (out) {
                        out.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // closed below, or the pipe broke: what came is kept
            }
        });
        try {
            int seconds = runSeconds;
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) return new Run(-1, "did not end within " + seconds + " s");
            reader.join(java.time.Duration.ofMillis(OUTPUT_AFTER_END_MILLIS)); // a process left behind may hold the pipe
            synchronized (out) {
                return new Run(p.exitValue(), out.toString(StandardCharsets.UTF_8).strip());
            }
        } finally {
            end(p, setsid.isPresent(), procProblem, ticks);
            try {
                in.close();
            } catch (IOException e) {
                // what came was taken
            }
            boolean interrupted = Thread.interrupted(); // the bounded join below also when an interrupt ended the wait
            try {
                reader.join(java.time.Duration.ofMillis(READER_END_MILLIS));
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Kills (SIGKILL) what the probe command {@code p} started: its process group when it runs in one of its own
     * ({@code ownGroup}), and its descendants, each only while it is still the process read ({@link ProcessHandle}
     * compares start times); then the command itself.
     * <ul>
     *   <li>The descendants are read from {@code /proc} only when it is this PID namespace's ({@code procProblem} null;
     *       another's names other processes by these numbers) and only while {@code p} runs: {@link
     *       ProcessHandle#descendants} takes the children of whatever process has the pid now, and a command that ended
     *       has had its own reparented, so after its end the list could hold only a stranger's children of a reused pid
     *       (review DPROC F1). A list read while {@code p} ran both before and after the scan is {@code p}'s.</li>
     *   <li>The group while {@code p} runs (not reaped: its pid is its own) gets SIGKILL as a whole. Once {@code p} has
     *       been reaped, only where {@code /proc} is this namespace's and no process has the pid (one that has it is not
     *       {@code p}, and its group is not {@code p}'s: Linux hands out no pid still some group's id), and then only the
     *       members that started at or after {@code p} ({@code startTicks}, {@link
     *       ProcessGroups#killReapedLeadersGroup}; review DPROC F6).</li>
     * </ul>
     */
    private static void end(Process p, boolean ownGroup, String procProblem, java.util.OptionalLong startTicks) {
        List<ProcessHandle> descendants = List.of();
        if (procProblem == null && p.isAlive()) {
            descendants = p.descendants().toList();
            if (!p.isAlive()) descendants = List.of(); // it ended during the scan: its pid may have named another
        }
        if (ownGroup) {
            try {
                if (p.isAlive()) {
                    ProcessGroups.signalGroup(p.pid(), "KILL");
                } else if (procProblem == null && ProcessGroups.startTicks(p.pid()).isEmpty()) {
                    ProcessGroups.killReapedLeadersGroup(p.pid(), startTicks.orElse(1), ProcessGroups.TIME_NAMESPACE); // read here
                }
            } catch (RuntimeException e) {
                // the descendants are still killed below
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }
}
