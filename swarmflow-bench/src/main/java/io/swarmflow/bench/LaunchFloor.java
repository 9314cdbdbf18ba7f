package io.swarmflow.bench;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.sandbox.Isolation;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What launching a process costs the JVM, apart from everything else Swarmflow does: {@code tickets}
 * launches of the argv Swarmflow builds for an unsandboxed {@code shell} ticket running {@code true}
 * (as in B3), from {@code concurrency} platform threads that each start one process, read its stdout
 * and stderr to the end and wait for it, two ways, against {@code xargs -P <concurrency>} running the
 * same argv, interleaved rep by rep:
 * <ul>
 *   <li>{@link ProcessBuilder#start()}, the JDK's launcher (on Linux: posix_spawn of {@code jspawnhelper},
 *       which then execs the command);</li>
 *   <li>posix_spawn(3) of the command itself through JNA, with pipes for stdout and stderr, stdin from
 *       {@code /dev/null}, file descriptors from 3 up closed (glibc's
 *       {@code posix_spawn_file_actions_addclosefrom_np}, glibc 2.34+), read(2) and waitpid(2).</li>
 * </ul>
 * A measurement for a design decision (see docs/benchmarks.md, B3), not a launcher Swarmflow uses.
 *
 * <p>System properties: {@code launch.tickets} (2000), {@code launch.concurrency} (nproc), {@code launch.reps} (4).
 */
public final class LaunchFloor {
    private LaunchFloor() {}

    /** glibc's functions, bound by JNA's direct mapping. */
    private static final class LibC {
        private LibC() {}

        static native int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attributes, StringArray argv,
                                      StringArray envp);

        static native int posix_spawn_file_actions_init(Pointer fileActions);

        static native int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

        static native int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

        static native int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

        static native int posix_spawn_file_actions_destroy(Pointer fileActions);

        static native int pipe2(int[] fds, int flags);

        static native int close(int fd);

        static native long read(int fd, byte[] buffer, long count);

        static native int waitpid(int pid, int[] status, int options);
    }

    /** O_CLOEXEC on Linux (asm-generic/fcntl.h): the parent's pipe ends must not leak into other children. */
    private static final int O_CLOEXEC = 02000000;
    /** sizeof(posix_spawn_file_actions_t) is 80 on x86-64 and arm64 glibc; room to spare. */
    private static final int FILE_ACTIONS_BYTES = 256;

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("launch.tickets", 2000);
        int c = BenchSupport.intProp("launch.concurrency", Runtime.getRuntime().availableProcessors());
        int reps = BenchSupport.intProp("launch.reps", 4);
        Native.register(LibC.class, "c");

        Path dir = BenchSupport.tempDir("launch-floor-");
        List<String> argv;
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir.resolve(".swarm"), w -> {}))) {
            argv = executor.sandbox().commandLine(B3Process.spec(dir, Isolation.OFF), LocalExecutor.command("true"));
        }
        String[] env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "HOME=" + dir};
        try {
            Launcher jdk = () -> {
                ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().clear();
                for (String e : env) pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
                Process p = pb.start();
                p.getInputStream().readAllBytes();
                p.getErrorStream().readAllBytes();
                return p.waitFor();
            };
            Launcher spawn = () -> posixSpawn(argv, env);
            launches(500, c, jdk); // warm-up
            launches(500, c, spawn);
            B3Process.xargs(500, c, argv);

            String[] names = {"ProcessBuilder.start (jspawnhelper, then the command)", "posix_spawn of the command (JNA)", "xargs, same argv"};
            double[][] ms = new double[3][reps];
            for (int r = 0; r < reps; r++) {
                ms[0][r] = launches(tickets, c, jdk) / 1e6;
                ms[1][r] = launches(tickets, c, spawn) / 1e6;
                ms[2][r] = B3Process.xargs(tickets, c, argv) / 1e6;
                System.out.printf(Locale.ROOT, "  rep %d: %.0f / %.0f / %.0f ms%n", r + 1, ms[0][r], ms[1][r], ms[2][r]);
            }
            StringBuilder out = new StringBuilder(BenchSupport.header("Process launch floor: " + tickets + " launches of the unsandboxed "
                    + "`true` ticket's argv, concurrency " + c + ", median of " + reps));
            out.append("| launcher | total (ms) | runs (ms) | / xargs (median of the per-rep ratios) |\n|---|---:|---|---:|\n");
            for (int v = 0; v < 3; v++) {
                double[] ratios = new double[reps];
                StringBuilder runs = new StringBuilder();
                for (int r = 0; r < reps; r++) {
                    ratios[r] = ms[v][r] / ms[2][r];
                    runs.append(r == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", ms[v][r]));
                }
                out.append(String.format(Locale.ROOT, "| %s | %.0f | %s | %.2f |%n", names[v], BenchSupport.median(ms[v]), runs,
                        BenchSupport.median(ratios)));
            }
            out.append("\nargv: `").append(String.join(" ", argv)).append("`\n");
            BenchSupport.report(out.toString());
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private interface Launcher {
        int launch() throws Exception;
    }

    /** Nanoseconds for {@code c} platform threads to run {@code n} launches. */
    private static long launches(int n, int c, Launcher launcher) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(c);
        try {
            long start = System.nanoTime();
            List<Future<Integer>> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) results.add(pool.submit(launcher::launch));
            for (Future<Integer> f : results) {
                if (f.get() != 0) throw new IllegalStateException("a launch exited with status " + f.get());
            }
            return System.nanoTime() - start;
        } finally {
            pool.shutdown();
        }
    }

    /** posix_spawn(3) of argv with piped stdout and stderr read to the end; returns the raw wait status. */
    private static int posixSpawn(List<String> argv, String[] env) {
        int[] out = new int[2];
        int[] err = new int[2];
        check(LibC.pipe2(out, O_CLOEXEC), "pipe2");
        check(LibC.pipe2(err, O_CLOEXEC), "pipe2");
        Memory actions = new Memory(FILE_ACTIONS_BYTES);
        check(LibC.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
        IntByReference pid = new IntByReference();
        int rc;
        try {
            check(LibC.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", 0, 0), "addopen");
            check(LibC.posix_spawn_file_actions_adddup2(actions, out[1], 1), "adddup2");
            check(LibC.posix_spawn_file_actions_adddup2(actions, err[1], 2), "adddup2");
            check(LibC.posix_spawn_file_actions_addclosefrom_np(actions, 3), "addclosefrom_np");
            rc = LibC.posix_spawn(pid, argv.getFirst(), actions, null, new StringArray(argv.toArray(String[]::new)), new StringArray(env));
        } finally {
            LibC.posix_spawn_file_actions_destroy(actions);
            LibC.close(out[1]);
            LibC.close(err[1]);
        }
        byte[] buffer = new byte[8192];
        try {
            if (rc != 0) throw new IllegalStateException("posix_spawn failed: errno " + rc);
            while (LibC.read(out[0], buffer, buffer.length) > 0) {
                // drain
            }
            while (LibC.read(err[0], buffer, buffer.length) > 0) {
                // drain
            }
        } finally {
            LibC.close(out[0]);
            LibC.close(err[0]);
        }
        int[] status = new int[1];
        check(LibC.waitpid(pid.getValue(), status, 0) == pid.getValue() ? 0 : -1, "waitpid");
        return status[0];
    }

    private static void check(int rc, String what) {
        if (rc != 0) throw new IllegalStateException(what + " failed: " + (rc == -1 ? "errno " + Native.getLastError() : "error " + rc));
    }
}
