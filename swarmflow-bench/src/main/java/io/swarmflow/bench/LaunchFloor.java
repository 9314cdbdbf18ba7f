package io.swarmflow.bench;

import io.swarmflow.local.LocalExecutor;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.PosixSpawn;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *   <li>{@link PosixSpawn#start}, Swarmflow's launcher: posix_spawn(3) of the command itself through JNA.</li>
 * </ul>
 * The measurement behind that launcher (docs/benchmarks.md, B3).
 *
 * <p>System properties: {@code launch.tickets} (2000), {@code launch.concurrency} (nproc), {@code launch.reps} (4).
 */
public final class LaunchFloor {
    private LaunchFloor() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("launch.tickets", 2000);
        int c = BenchSupport.intProp("launch.concurrency", Runtime.getRuntime().availableProcessors());
        int reps = BenchSupport.intProp("launch.reps", 4);
        if (!PosixSpawn.available()) throw new IllegalStateException("posix_spawn is not available here: " + PosixSpawn.problem());

        Path dir = BenchSupport.tempDir("launch-floor-");
        List<String> argv;
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir.resolve(".swarm"), w -> {}))) {
            argv = executor.sandbox().commandLine(B3Process.spec(dir, Isolation.OFF), LocalExecutor.command());
        }
        Map<String, String> env = Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8",
                "HOME", dir.toString());
        try {
            Launcher jdk = () -> {
                ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                pb.environment().clear();
                pb.environment().putAll(env);
                return drainAndWait(pb.start());
            };
            Launcher spawn = () -> drainAndWait(PosixSpawn.start(argv, dir, env));
            launches(500, c, jdk); // warm-up
            launches(500, c, spawn);
            B3Process.xargs(500, c, argv);

            String[] names = {"ProcessBuilder.start (jspawnhelper, then the command)", "PosixSpawn.start (posix_spawn of the command, through JNA)", "xargs, same argv"};
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

    /** Reads the process's stdout, then its stderr, to the end; returns its exit value. */
    private static int drainAndWait(Process p) throws Exception {
        try (var out = p.getInputStream(); var err = p.getErrorStream()) {
            out.readAllBytes();
            err.readAllBytes();
        }
        return p.waitFor();
    }
}
