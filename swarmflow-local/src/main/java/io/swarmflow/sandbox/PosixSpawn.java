package io.swarmflow.sandbox;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts a process with glibc's posix_spawn(3) called through JNA, instead of {@link ProcessBuilder},
 * whose Linux launcher spawns {@code jspawnhelper}, which then execs the command: one exec more per
 * process. {@code LaunchFloor} in the benchmarks measured 1.03× the time of xargs for this class against
 * 1.30× for {@code ProcessBuilder} (docs/benchmarks.md, B3).
 *
 * <p>The child gets: stdin from {@code /dev/null}; stdout and stderr on pipes whose read ends are
 * returned as the {@link Process}'s streams; no other file descriptor (glibc's
 * {@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34+); the working directory
 * ({@code posix_spawn_file_actions_addchdir_np}, glibc 2.29+); exactly the given environment; an empty
 * signal mask and every signal's default disposition ({@code POSIX_SPAWN_SETSIGMASK},
 * {@code POSIX_SPAWN_SETSIGDEF}). glibc's posix_spawn returns only once the exec has succeeded or
 * failed, with its errno. The process is reaped by a pool of platform threads blocked in waitpid(2), as
 * the JDK's own process reaper does; its exit value follows the JDK's convention (the exit status, or
 * 128 + the signal number when a signal ended it).
 *
 * <p>{@link #available()} is false where the functions cannot be bound (another C library, an older
 * glibc, JNA missing) or {@code /proc/self/fd} cannot be opened; {@link Sandbox} then uses
 * {@link ProcessBuilder}. The system property {@code swarm.launcher=jdk} forces that. Public for the
 * benchmarks ({@code LaunchFloor}); agents are started through {@link Sandbox}.
 */
public final class PosixSpawn {
    private PosixSpawn() {}

    /** The C functions, bound by JNA's direct mapping. */
    private static final class LibC {
        private LibC() {}

        static native int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attributes, StringArray argv,
                                      StringArray envp);

        static native int posix_spawn_file_actions_init(Pointer fileActions);

        static native int posix_spawn_file_actions_destroy(Pointer fileActions);

        static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

        static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

        static native int posix_spawn_file_actions_addchdir_np(Pointer fileActions, String path);

        static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        static native int posix_spawnattr_init(Pointer attributes);

        static native int posix_spawnattr_destroy(Pointer attributes);

        static native int posix_spawnattr_setflags(Pointer attributes, short flags);

        static native int posix_spawnattr_setsigmask(Pointer attributes, Pointer mask);

        static native int posix_spawnattr_setsigdefault(Pointer attributes, Pointer signals);

        static native int sigemptyset(Pointer set);

        static native int sigfillset(Pointer set);

        static native int pipe2(int[] fds, int flags);

        static native int close(int fd);

        static native int waitpid(int pid, int[] status, int options);

        static native int waitid(int idType, int id, Pointer info, int options);

        static native int sigaction(int signal, Pointer action, Pointer oldAction);

        static native int memfd_create(String name, int flags);

        static native int fcntl(int fd, int command, int argument);
    }

    /** memfd_create(2)'s MFD_CLOEXEC; fcntl(2)'s F_DUPFD_CLOEXEC (linux/fcntl.h). */
    private static final int MFD_CLOEXEC = 1;
    private static final int F_DUPFD_CLOEXEC = 1030;

    /** O_CLOEXEC (asm-generic/fcntl.h, x86-64 and arm64): the parent's pipe ends must not leak into other children. */
    private static final int O_CLOEXEC = 02000000;
    private static final int O_RDONLY = 0;
    /** POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK (glibc spawn.h). */
    private static final short FLAGS = 0x04 | 0x08;
    /** EINTR, ECHILD (asm-generic/errno-base.h). */
    private static final int EINTR = 4;
    private static final int ECHILD = 10;
    /** SIGCHLD on x86-64 and arm64 (asm-generic/signal.h); SIG_IGN is handler value 1, the first field of struct sigaction. */
    private static final int SIGCHLD = 17;
    private static final long SIG_IGN = 1;
    private static final int SIGACTION_BYTES = 256;
    /** waitid(2): P_PID, WEXITED, WNOWAIT (linux/wait.h); siginfo_t is 128 bytes. */
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int WNOHANG = 1;
    private static final int SIGINFO_BYTES = 128;
    /**
     * Bytes reserved for glibc's posix_spawn_file_actions_t (80 on x86-64 and arm64), posix_spawnattr_t
     * (336) and sigset_t (128): generous, as the C headers are not visible from Java.
     */
    private static final int FILE_ACTIONS_BYTES = 512;
    private static final int ATTRIBUTES_BYTES = 1024;
    private static final int SIGSET_BYTES = 256;

    private static final String PROBLEM = load();

    /** Platform threads blocked in waitpid(2), one per running process, kept for reuse (like the JDK's reaper). */
    private static final ExecutorService REAPER = cachedDaemonPool("swarm-reaper-");

    /**
     * A cached pool of daemon platform threads named {@code prefix + n}, with 256 KiB stacks: for threads
     * that spend their life blocked in one system call (waitpid, read of a pipe).
     */
    static ExecutorService cachedDaemonPool(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(null, r, prefix + count.incrementAndGet(), 256 * 1024, false);
            t.setDaemon(true);
            return t;
        });
    }

    @SuppressWarnings("try") // the stream is opened only to check that reopen works
    private static String load() {
        if ("jdk".equals(System.getProperty("swarm.launcher"))) return "the system property swarm.launcher=jdk asks for ProcessBuilder";
        if (!Kill.available()) return Kill.problem(); // the same JNA; kill(2) signals what posix_spawn starts
        try {
            Native.register(LibC.class, "c");
        } catch (LinkageError | RuntimeException e) {
            return "posix_spawn functions cannot be bound: " + e;
        }
        try (Memory action = new Memory(SIGACTION_BYTES)) {
            // with SIGCHLD ignored the kernel reaps children itself: no exit status, and no safe way to signal them
            if (LibC.sigaction(SIGCHLD, null, action) == 0 && action.getLong(0) == SIG_IGN) {
                return "SIGCHLD is ignored in this process (inherited from its parent)";
            }
        }
        try {
            int[] fds = new int[2];
            if (LibC.pipe2(fds, O_CLOEXEC) != 0) return "pipe2 failed: errno " + Native.getLastError();
            try (InputStream ignored = reopen(fds[0])) {
                return null;
            } finally {
                LibC.close(fds[0]);
                LibC.close(fds[1]);
            }
        } catch (IOException | RuntimeException e) {
            return "/proc/self/fd cannot be opened: " + e;
        }
    }

    /** Whether processes are started with posix_spawn here. */
    public static boolean available() {
        return PROBLEM == null;
    }

    /** Why {@link ProcessBuilder} is used instead, or null when posix_spawn is. */
    public static String problem() {
        return PROBLEM;
    }

    /**
     * The start time of {@code process} in clock ticks since boot (field 22 of {@code /proc/PID/stat}, see proc(5)), the
     * second half of its identity ({@link ProcessGroups}), or 0 when not known. For a process {@link #start} started it
     * was read before anything could reap the process, so it is known even when the process has ended and been reaped
     * already; for another process it is read now, and is 0 when the process is gone (the JDK's own reaper may have
     * reaped a short one).
     */
    static long startTicks(Process process) {
        return process instanceof Spawned s ? s.startTicks : ProcessGroups.startTicks(process.pid()).orElse(0);
    }

    /**
     * Starts {@code argv} (whose first element must be an absolute path) in {@code directory} with exactly
     * {@code env}. Call from a thread that outlives the process when it depends on its parent thread
     * (bubblewrap's {@code --die-with-parent}). The caller must read both streams to their end (or close
     * them), or the process blocks once a pipe is full (64 KiB on Linux). On the returned process,
     * {@code waitFor} and {@code exitValue} throw {@link IllegalStateException} if the process could not
     * be waited for, and {@code toHandle} throws {@link UnsupportedOperationException} if the process had
     * already been reaped when it was first called.
     *
     * @throws IOException when a pipe cannot be made or the exec fails (with its errno)
     * @throws java.util.NoSuchElementException when {@code argv} is empty
     * @throws IllegalArgumentException for a relative program path, a NUL character in an argument, the
     *                                  directory or the environment, or an environment name with {@code =}
     * @throws IllegalStateException when {@link #available()} is false
     */
    public static Process start(List<String> argv, Path directory, Map<String, String> env) throws IOException {
        return start(argv, directory, env, List.of());
    }

    /** The first file descriptor number {@link #start(List, Path, Map, List)} gives the child a file on. */
    public static final int FIRST_FILE_FD = 3;

    /**
     * As {@link #start(List, Path, Map)}, and the child gets one more open file per element of {@code files}: the
     * {@code i}th (0-based) on file descriptor {@code 3 + i} ({@link #FIRST_FILE_FD}), read-write at offset 0, holding
     * exactly those bytes. Each is an anonymous memory file (memfd_create(2)), never on a file system: no other process can
     * open it except through this process or the child's {@code /proc/PID/fd}, which only their user (and root) may do.
     * The parent's descriptors are closed once the child has started; the child should close its own once read (bubblewrap's
     * {@code --args FD} does). For bubblewrap's {@code --args} (arguments kept off the command line) and similar.
     *
     * @throws IOException as {@link #start(List, Path, Map)}, and when a memory file cannot be made or written
     */
    public static Process start(List<String> argv, Path directory, Map<String, String> env, List<byte[]> files) throws IOException {
        if (PROBLEM != null) throw new IllegalStateException(PROBLEM);
        String path = argv.getFirst();
        if (!path.startsWith("/")) throw new IllegalArgumentException("posix_spawn needs an absolute path, not " + path);
        // C strings end at the first NUL: refuse what ProcessBuilder refuses rather than run a cut-off command
        for (String a : argv) requireNoNul(a, "command argument");
        String dir = requireNoNul(directory.toString(), "working directory");
        String[] envp = new String[env.size()];
        int k = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = requireNoNul(e.getKey(), "environment name");
            if (name.isEmpty() || name.indexOf('=') >= 0) throw new IllegalArgumentException("invalid environment name: " + name);
            envp[k++] = name + "=" + requireNoNul(e.getValue(), "the value of environment variable " + name);
        }

        try (Memory actions = new Memory(FILE_ACTIONS_BYTES); Memory attributes = new Memory(ATTRIBUTES_BYTES);
             Memory empty = new Memory(SIGSET_BYTES); Memory all = new Memory(SIGSET_BYTES);
             StringArray cArgv = new StringArray(argv.toArray(String[]::new)); StringArray cEnv = new StringArray(envp)) {
            IntByReference pid = new IntByReference();
            int rc = -1;
            int[] out = {-1, -1};
            int[] err = {-1, -1};
            InputStream stdout = null;
            InputStream stderr = null;
            boolean started = false;
            int[] memfds = new int[files.size()];
            java.util.Arrays.fill(memfds, -1);
            try {
                for (int i = 0; i < memfds.length; i++) memfds[i] = memoryFile(files.get(i), FIRST_FILE_FD + files.size());
                out = pipe();
                err = pipe();
                // Our read ends become FileInputStreams by opening them again through /proc while we hold the
                // write ends (so the open cannot wait for a writer); the originals are closed right away. The new
                // descriptors lack O_CLOEXEC, which is harmless: every launcher closes descriptors from 3 up.
                stdout = reopen(out[0]);
                stderr = reopen(err[0]);
                LibC.close(out[0]);
                LibC.close(err[0]);
                out[0] = err[0] = -1;

                requireZero(LibC.posix_spawn_file_actions_init(actions), "file_actions_init");
                requireZero(LibC.posix_spawnattr_init(attributes), "spawnattr_init");
                try {
                    requireZero(LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0), "addopen");
                    requireZero(LibC.posix_spawn_file_actions_adddup2(actions, out[1], 1), "adddup2");
                    requireZero(LibC.posix_spawn_file_actions_adddup2(actions, err[1], 2), "adddup2");
                    requireZero(LibC.posix_spawn_file_actions_addchdir_np(actions, dir), "addchdir_np");
                    // each memory file on its number; theirs are above those numbers (memoryFile), so no dup2 overwrites another
                    for (int i = 0; i < memfds.length; i++) {
                        requireZero(LibC.posix_spawn_file_actions_adddup2(actions, memfds[i], FIRST_FILE_FD + i), "adddup2");
                    }
                    requireZero(LibC.posix_spawn_file_actions_addclosefrom_np(actions, FIRST_FILE_FD + memfds.length), "addclosefrom_np");
                    LibC.sigemptyset(empty);
                    LibC.sigfillset(all);
                    requireZero(LibC.posix_spawnattr_setsigmask(attributes, empty), "setsigmask");
                    requireZero(LibC.posix_spawnattr_setsigdefault(attributes, all), "setsigdefault");
                    requireZero(LibC.posix_spawnattr_setflags(attributes, FLAGS), "setflags");
                    rc = LibC.posix_spawn(pid, path, actions, attributes, cArgv, cEnv);
                } finally {
                    LibC.posix_spawn_file_actions_destroy(actions);
                    LibC.posix_spawnattr_destroy(attributes);
                }
                if (rc != 0) throw new IOException("cannot run " + path + ": error " + rc + " (" + errnoName(rc) + ") from posix_spawn");
                Spawned process = new Spawned(pid.getValue(), stdout, stderr);
                started = true;
                return process;
            } finally {
                for (int fd : new int[]{out[0], out[1], err[0], err[1]}) if (fd >= 0) LibC.close(fd); // the child has its copies
                for (int fd : memfds) if (fd >= 0) LibC.close(fd);
                if (!started) {
                    closeQuietly(stdout);
                    closeQuietly(stderr);
                    if (rc == 0) { // running, but nothing will wait for it (no reaper thread could start, say)
                        Kill.kill(pid.getValue(), Kill.number("KILL"));
                        LibC.waitpid(pid.getValue(), new int[1], 0);
                    }
                }
            }
        }
    }

    private static String requireNoNul(String s, String what) {
        // the value itself is not shown: it may be a secret, or a whole script
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("invalid null character in " + what);
        return s;
    }

    /**
     * A close-on-exec memory file holding {@code bytes}, its offset 0, on a descriptor numbered {@code above} or more (the
     * child's numbers for the files lie below: a dup2 onto one then cannot replace another file still to be placed).
     */
    private static int memoryFile(byte[] bytes, int above) throws IOException {
        int fd = LibC.memfd_create("swarm-launch", MFD_CLOEXEC);
        if (fd < 0) throw new IOException("cannot create a memory file (memfd_create): errno " + Native.getLastError());
        try {
            // written through a second open file (its own offset): the descriptor the child gets stays at offset 0
            try (java.io.FileOutputStream w = new java.io.FileOutputStream("/proc/self/fd/" + fd)) {
                w.write(bytes);
            }
            int high = LibC.fcntl(fd, F_DUPFD_CLOEXEC, above);
            if (high < 0) throw new IOException("cannot move a memory file's descriptor (fcntl): errno " + Native.getLastError());
            return high;
        } finally {
            LibC.close(fd);
        }
    }

    private static int[] pipe() throws IOException {
        int[] fds = new int[2];
        if (LibC.pipe2(fds, O_CLOEXEC) != 0) throw new IOException("cannot create a pipe: errno " + Native.getLastError());
        return fds;
    }

    /**
     * The pipe's read end as a stream, buffered like the JDK's own process streams: on JDK 21 a bare
     * {@link FileInputStream}'s {@code readAllBytes} seeks, which a pipe refuses ("Illegal seek").
     */
    private static InputStream reopen(int fd) throws IOException {
        return new BufferedInputStream(new FileInputStream("/proc/self/fd/" + fd));
    }

    private static void requireZero(int rc, String what) throws IOException {
        if (rc != 0) throw new IOException("posix_spawn_file_actions/attributes: " + what + " failed with error " + rc);
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // closing our end of a pipe
        }
    }

    private static String errnoName(int errno) {
        return switch (errno) {
            case 2 -> "ENOENT: no such file";
            case 13 -> "EACCES: permission denied";
            case 8 -> "ENOEXEC: not an executable";
            case 12 -> "ENOMEM";
            case 11 -> "EAGAIN: too many processes";
            case 7 -> "E2BIG: argument list too long";
            default -> "errno " + errno;
        };
    }

    /** The exit value of a wait(2) status, as the JDK reports it: the exit status, or 128 + the signal. */
    static int exitValueOf(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 0x80 + signal;
    }

    /** A child started by {@link #start}; reaped by a {@link #REAPER} thread. */
    private static final class Spawned extends Process {
        private final int pid;
        private final InputStream stdout;
        private final InputStream stderr;
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        /** Set, under this object's lock, once waitpid has reaped the process. */
        private boolean reaped;
        /** Taken by the first {@link #toHandle()}, under this object's lock, while the process is not reaped. */
        private ProcessHandle handle;
        /** Its start time in clock ticks since boot, read before the reaper runs; 0 when it could not be read. */
        private final long startTicks;

        Spawned(int pid, InputStream stdout, InputStream stderr) {
            this.pid = pid;
            // the child cannot be reaped, nor its /proc entry go away, before the reaper starts: read after that, a short
            // process can be gone
            this.startTicks = ProcessGroups.startTicks(pid).orElse(0);
            this.stdout = stdout;
            this.stderr = stderr;
            REAPER.execute(this::reap);
        }

        /**
         * Waits for the exit without reaping (waitid with WNOWAIT: the zombie keeps its pid, so a signal sent
         * meanwhile cannot reach another process), then, holding the lock {@link #signal} takes, reaps it.
         */
        private void reap() {
            Memory info = new Memory(SIGINFO_BYTES);
            int failure = 0;
            while (LibC.waitid(P_PID, pid, info, WEXITED | WNOWAIT) != 0) {
                int errno = Native.getLastError();
                if (errno != EINTR) {
                    failure = errno;
                    break;
                }
            }
            int[] status = new int[1];
            int r;
            int errno = 0;
            synchronized (this) {
                // after a failed waitid, do not block here holding the lock destroy() needs
                int options = failure == 0 ? 0 : WNOHANG;
                do {
                    r = LibC.waitpid(pid, status, options);
                    errno = r == -1 ? Native.getLastError() : 0;
                } while (r == -1 && errno == EINTR);
                // only a process that is gone for sure may no longer be signalled (its pid can be reused)
                reaped = r == pid || errno == ECHILD;
            }
            if (r == pid) {
                exit.complete(exitValueOf(status[0]));
            } else {
                exit.completeExceptionally(new IllegalStateException("waiting for process " + pid + " failed: errno "
                        + (failure != 0 ? failure : errno)));
            }
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream(); // stdin is /dev/null
        }

        @Override
        public InputStream getInputStream() {
            return stdout;
        }

        @Override
        public InputStream getErrorStream() {
            return stderr;
        }

        @Override
        public int waitFor() throws InterruptedException {
            try {
                return exit.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                exit.get(timeout, unit);
                return true;
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public int exitValue() {
            if (!exit.isDone()) throw new IllegalThreadStateException("process " + pid + " has not exited");
            try {
                return exit.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        @Override
        public void destroy() {
            signal(Kill.number("TERM"));
        }

        @Override
        public Process destroyForcibly() {
            signal(Kill.number("KILL"));
            return this;
        }

        /** Signals the process unless it has been reaped (its pid may then belong to another process). */
        private synchronized void signal(int number) {
            if (!reaped) Kill.kill(pid, number); // JNA loaded for posix_spawn, so kill(2) is bound too
        }

        @Override
        public boolean isAlive() {
            return !exit.isDone();
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public CompletableFuture<Process> onExit() {
            return exit.handle((v, e) -> this);
        }

        @Override
        public synchronized ProcessHandle toHandle() {
            // Taken on first use, not at the start (a second read of /proc/PID/stat per process, for a handle that
            // is seldom asked for): until reaped, which happens under this lock, the pid is still this process's
            // (alive or a zombie), so the handle is this process's and checks its start time before it signals.
            if (handle == null && !reaped) handle = ProcessHandle.of(pid).orElse(null);
            if (handle == null) throw new UnsupportedOperationException("process " + pid + " was reaped before a handle was taken");
            return handle;
        }

        @Override
        public boolean supportsNormalTermination() {
            return true; // destroy() sends SIGTERM
        }

        @Override
        public String toString() {
            return "Process[pid=" + pid + ", exitValue=" + (exit.isDone() ? exit.join() : "\"not exited\"") + "]";
        }
    }
}
