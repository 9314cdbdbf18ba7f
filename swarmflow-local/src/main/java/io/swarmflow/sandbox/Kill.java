package io.swarmflow.sandbox;

import com.sun.jna.Native;

import java.util.Map;

/**
 * kill(2) called directly through JNA (https://github.com/java-native-access/jna), so that checking or
 * signalling a process group costs one system call instead of a {@code kill(1)} process or a walk over
 * {@code /proc}. Loaded once; where JNA cannot load its native part, {@link #available()} is false and
 * callers fall back to those slower ways.
 *
 * <p>JNA's direct mapping ({@link Native#register(Class, String)}) is used, and errno is read with
 * {@link Native#getLastError()} (which JNA saves after every native call) rather than through a
 * {@code LastErrorException}: the usual answer of a group check is ESRCH, and an exception with its stack
 * trace per check cost about 0.1 ms (B3 in docs/benchmarks.md).
 */
public final class Kill {
    private Kill() {}

    /** errno values of kill(2) on Linux (asm-generic/errno-base.h). */
    static final int EPERM = 1;
    static final int ESRCH = 3;

    /**
     * Signal numbers on Linux for the names Swarmflow sends, for this JVM's architecture ({@link #signals}, from the
     * {@code os.arch} system property).
     */
    private static final Map<String, Integer> SIGNALS = signals(System.getProperty("os.arch", ""));

    /**
     * The Linux signal numbers of {@code HUP}, {@code INT}, {@code KILL}, {@code TERM}, {@code STOP} and {@code CONT} on
     * the architecture {@code osArch} names (the {@code os.arch} system property: {@code amd64}, {@code aarch64},
     * {@code mips64el}, {@code sparcv9} ...). HUP 1, INT 2, KILL 9 and TERM 15 are the same on every Linux architecture;
     * STOP and CONT are not (arch/&#42;/include/uapi/asm/signal.h): 19 and 18 in asm-generic/signal.h, which x86, arm,
     * arm64, riscv, powerpc, s390 and loongarch follow (and any architecture not named below); 17 and 19 on alpha and
     * sparc; 23 and 25 on mips; 24 and 26 on parisc. No library on the classpath gives them (JNA has no signal
     * constants), and asking {@code kill -l} costs a process and depends on PATH: the table is kept here.
     *
     * @return an unmodifiable map from signal name (without {@code SIG}) to number
     */
    static Map<String, Integer> signals(String osArch) {
        String arch = osArch.toLowerCase(java.util.Locale.ROOT);
        int stop;
        int cont;
        if (arch.startsWith("alpha") || arch.startsWith("sparc")) {
            stop = 17;
            cont = 19;
        } else if (arch.startsWith("mips")) {
            stop = 23;
            cont = 25;
        } else if (arch.startsWith("parisc") || arch.startsWith("hppa") || arch.startsWith("pa_risc") || arch.startsWith("pa-risc")) {
            stop = 24;
            cont = 26;
        } else {
            stop = 19;
            cont = 18;
        }
        return Map.of("HUP", 1, "INT", 2, "KILL", 9, "TERM", 15, "STOP", stop, "CONT", cont);
    }

    /** libc's kill(2), syscall(2) and close(2), bound by {@link #load()}. */
    private static final class LibC {
        private LibC() {}

        static native int kill(int pid, int sig);

        /** syscall(2) with two integer arguments; glibc's syscall reads its arguments from registers, not with va_arg. */
        static native long syscall(long number, long a, long b);

        /** syscall(2) with four integer or pointer arguments. */
        static native long syscall(long number, long a, long b, long c, long d);

        static native int close(int fd);
    }

    /**
     * Numbers of pidfd_open(2) (Linux 5.3) and pidfd_send_signal(2) (Linux 5.1): system calls added since Linux
     * 5.1 have the same number on every architecture but alpha (include/uapi/asm-generic/unistd.h,
     * arch/x86/entry/syscalls/syscall_64.tbl).
     */
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final int ENOSYS = 38;

    /** Why JNA could not load, or null. */
    private static String loadProblem;
    private static final boolean LOADED = load();

    private static boolean load() {
        try {
            Native.register(LibC.class, "c");
            return true;
        } catch (LinkageError | RuntimeException e) {
            loadProblem = e.toString();
            return false;
        }
    }

    /** Whether kill(2) can be called directly here. */
    static boolean available() {
        return LOADED;
    }

    /**
     * Why kill(2) cannot be called directly, with what to do, or null when it can. The usual cause is a
     * {@code noexec} mount where JNA unpacks its native library ({@code ~/.cache/JNA/temp}, or the
     * directory in the {@code jna.tmpdir} system property).
     */
    static String problem() {
        return LOADED ? null : "JNA could not load (" + loadProblem + "); process groups are checked by reading /proc "
                + "and signalled with kill(1), which is slower; set -Djna.tmpdir (SWARM_JAVA_OPTS) to a directory that allows "
                + "executables";
    }

    /** The number of a signal name such as {@code TERM}, or -1 when this class does not know it. */
    static int number(String signal) {
        return SIGNALS.getOrDefault(signal, -1);
    }

    /**
     * kill(2): {@code pid > 0} one process, {@code pid < -1} the process group {@code -pid};
     * {@code signal} 0 only checks that a target exists and may be signalled.
     *
     * @return 0 on success, otherwise errno ({@link #ESRCH}: no such process or group; {@link #EPERM}: not allowed)
     * @throws IllegalStateException when {@link #available()} is false
     */
    static int kill(long pid, int signal) {
        if (!LOADED) throw new IllegalStateException("kill(2) is not available through JNA here");
        if (pid == 0 || pid == -1 || pid < -Integer.MAX_VALUE || pid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("refusing kill(" + pid + ")");
        }
        // errno is read right after the call on the same thread: a virtual thread is not unmounted in between
        return LibC.kill((int) pid, signal) == 0 ? 0 : Native.getLastError();
    }

    /**
     * The {@code kill(1)} executable by its absolute path, looked up once ({@link Executables#find}: the JVM's PATH, then
     * the system's directories; {@code /bin/kill} when found in neither): a minimal or unset PATH (cron, systemd) does not
     * lose it (review DPROC F4). {@link ProcessGroups} runs the same one.
     */
    static final String COMMAND = Executables.find("kill").map(java.nio.file.Path::toString).orElse("/bin/kill");

    /**
     * Whether {@code target} exists and this process may signal it: kill(2) with signal 0, {@code target > 1} a process,
     * {@code target < -1} the process group {@code -target}. Where JNA cannot load ({@link #available}), {@code kill -0}
     * ({@code kill(1)} by its absolute path, {@link #COMMAND}, by its {@code "No such process"} or
     * {@code "Operation not permitted"}) answers instead, so that a process {@code /proc} hides ({@code hidepid=}) is told
     * from one that is gone there too.
     *
     * @return 0 when it exists and may be signalled; {@link #ESRCH} when there is no such process or group; {@link #EPERM}
     *         when it exists but this user may not signal it; -1 when {@code kill(1)} could not tell
     * @throws IllegalArgumentException for a target of -1, 0 or 1 (all processes, this group, init) or out of range
     */
    static int exists(long target) {
        if (target >= -1 && target <= 1 || target < -Integer.MAX_VALUE || target > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("refusing to probe " + target);
        }
        if (LOADED) return kill(target, 0);
        return killCommand("-0", "--", Long.toString(target));
    }

    /**
     * Signals process {@code pid} only if, once it is pinned, {@code stillTarget} says it is the process meant: a
     * pidfd (pidfd_open(2)) refers to one process for good, so a process id that was freed and reused after the
     * caller chose it is caught by the check, which runs after the pinning, and is not signalled. Where pidfds are
     * not available (Linux before 5.3, or a seccomp filter refusing them), the check and kill(2) run one after the
     * other, with the small window that leaves.
     *
     * @param stillTarget read after the process is pinned; for example "its main thread is still in this cgroup"
     * @return 0 when signalled; {@link #ESRCH} when the process is gone or {@code stillTarget} said no; another errno
     * @throws IllegalStateException when {@link #available()} is false
     */
    static int killPinned(long pid, int signal, java.util.function.BooleanSupplier stillTarget) {
        if (!LOADED) throw new IllegalStateException("kill(2) is not available through JNA here");
        if (pid <= 0 || pid > Integer.MAX_VALUE) throw new IllegalArgumentException("refusing to signal process " + pid);
        long fd = LibC.syscall(SYS_PIDFD_OPEN, pid, 0);
        if (fd < 0) {
            int errno = Native.getLastError();
            if (errno == ESRCH) return ESRCH;
            // no pidfds here: check, then kill
            return stillTarget.getAsBoolean() ? kill(pid, signal) : ESRCH;
        }
        try {
            if (!stillTarget.getAsBoolean()) return ESRCH;
            return LibC.syscall(SYS_PIDFD_SEND_SIGNAL, fd, signal, 0, 0) == 0 ? 0 : Native.getLastError();
        } finally {
            LibC.close((int) fd);
        }
    }

    /**
     * Sends signal {@code name} ({@code TERM}, {@code CONT}, {@code KILL}, ...: a name {@link #number} knows) to process
     * {@code pid} only if {@code stillTarget}, read once the process is pinned ({@link #killPinned}), says it is the
     * process meant. Where JNA cannot load ({@link #available}), {@code stillTarget} is read and then {@code kill(1)}
     * sends it (with the small window that leaves).
     *
     * @return 0 when sent; {@link #ESRCH} when the process is gone or {@code stillTarget} said no; {@link #EPERM} when
     * this user may not signal it; another errno (or -1 when {@code kill(1)} failed otherwise)
     * @throws IllegalArgumentException for a name {@link #number} does not know, or a pid that is not positive
     */
    public static int signalProcess(long pid, String name, java.util.function.BooleanSupplier stillTarget) {
        int signal = number(name);
        if (signal < 0) throw new IllegalArgumentException("unknown signal name " + name);
        if (pid <= 0 || pid > Integer.MAX_VALUE) throw new IllegalArgumentException("refusing to signal process " + pid);
        if (LOADED) return killPinned(pid, signal, stillTarget);
        if (!stillTarget.getAsBoolean()) return ESRCH;
        return killCommand("-" + name, Long.toString(pid));
    }

    /**
     * Runs {@link #COMMAND} with {@code args} in the C locale and tells its answer by its words: 0 when it exited 0,
     * {@link #ESRCH} for "No such process", {@link #EPERM} for "not permitted", -1 otherwise (or when it could not run).
     */
    private static int killCommand(String... args) {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(COMMAND));
        command.addAll(java.util.List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            String said = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() == 0) return 0;
            return said.contains("No such process") ? ESRCH : said.contains("not permitted") ? EPERM : -1;
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
