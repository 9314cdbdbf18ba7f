package io.swarmflow.bench;

import io.swarmflow.engine.RunService;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.store.sql.FlywayStartProbe;
import io.swarmflow.store.sql.SqlRunStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What starting Flyway costs a {@code swarm} command (docs/architecture.md): fresh JVMs, one after another, on a state
 * directory holding one run, each timed from its start to its exit ({@link FlywayStartProbe}):
 *
 * <ul>
 *   <li>the JVM alone (an empty main: the floor);</li>
 *   <li>opening the store and reading its runs, as {@code swarm runs} does (Flyway skipped: its history is current) —
 *       the <b>same-run baseline</b>;</li>
 *   <li>the same after Flyway's {@code migrate()}, which has nothing to apply: what every command did before the skip
 *       (commit {@code 2342ce3});</li>
 *   <li>when {@code flyway.swarmJar} exists (default {@code swarmflow-cli/target/swarm.jar}, which
 *       {@code scripts/bench.sh} builds): {@code java -jar swarm.jar runs --state-dir DIR}, the command itself.</li>
 * </ul>
 *
 * <p>The kinds are interleaved within each rep (their order rotated rep by rep), after one warm-up rep (the page cache).
 * Each child runs with the JVM flags of {@code ./swarm} ({@code --enable-native-access=ALL-UNNAMED}); the probes' class
 * path is the swarm jar and the bench jar (the probe class) when the swarm jar exists, else this JVM's class path. ms,
 * median of the reps (min-max).
 *
 * <p>System properties: {@code flyway.reps} (10), {@code flyway.swarmJar}, {@code bench.tmp}, {@code bench.out}.
 */
public final class FlywayStart {
    private FlywayStart() {}

    public static void main(String[] args) throws Exception {
        int reps = BenchSupport.intProp("flyway.reps", 10);
        Path jar = Path.of(System.getProperty("flyway.swarmJar", "swarmflow-cli/target/swarm.jar")).toAbsolutePath();
        Path dir = BenchSupport.tempDir("flyway-start-");
        try {
            try (SqlRunStore store = SqlRunStore.openSqlite(dir);
                 LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir, w -> { }))) {
                new RunService(store, executor).create(B1Throughput.noopPlan(1, 1, dir), "swarm.yaml");
            }
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // with the swarm jar, the probes run on it (the product's one shaded jar, whose entries Flyway scans) plus the
            // bench jar for the probe class; else on this JVM's class path
            String benchJar = Path.of(FlywayStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
            String cp = Files.isRegularFile(jar) ? benchJar + java.io.File.pathSeparator + jar : System.getProperty("java.class.path");
            String probe = FlywayStartProbe.class.getName();
            List<String> names = new ArrayList<>(List.of("JVM alone (empty main)",
                    "open the store, read the runs (Flyway skipped; baseline)",
                    "Flyway migrate(), nothing to apply, then the same (every command before 2342ce3)"));
            List<List<String>> argvs = new ArrayList<>(List.of(
                    List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", cp, probe, "jvm", dir.toString()),
                    List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", cp, probe, "open", dir.toString()),
                    List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-cp", cp, probe, "flyway", dir.toString())));
            if (Files.isRegularFile(jar)) {
                names.add("java -jar swarm.jar runs --state-dir DIR (this build)");
                argvs.add(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(), "runs", "--state-dir", dir.toString()));
            }
            double[][] ms = new double[argvs.size()][reps];
            for (int r = -1; r < reps; r++) {
                for (int j = 0; j < argvs.size(); j++) {
                    int k = Math.floorMod(j + r, argvs.size());
                    double t = run(argvs.get(k));
                    if (r >= 0) ms[k][r] = t;
                }
                if (r >= 0) {
                    StringBuilder line = new StringBuilder("  rep " + (r + 1) + ":");
                    for (int k = 0; k < argvs.size(); k++) line.append(String.format(Locale.ROOT, " %.0f", ms[k][r]));
                    System.out.println(line.append(" ms"));
                }
            }
            double jvm = BenchSupport.median(ms[0]);
            double open = BenchSupport.median(ms[1]);
            StringBuilder out = new StringBuilder(BenchSupport.header("Flyway at start: fresh JVMs on a state directory holding one run"));
            out.append("Wall time of each child JVM, from its start to its exit; probes' class path: ").append(cp.equals(
                    System.getProperty("java.class.path")) ? "the bench's" : "the bench jar and " + jar).append("; ms, median of ").append(reps)
                    .append(" reps (min-max), the kinds interleaved within each rep.\n\n")
                    .append("| child JVM | ms | minus the JVM alone | / open without Flyway |\n|---|---|---:|---:|\n");
            for (int k = 0; k < argvs.size(); k++) {
                double m = BenchSupport.median(ms[k]);
                out.append(String.format(Locale.ROOT, "| %s | %.0f (%.0f-%.0f) | %.0f | %.2f |%n", names.get(k), m,
                        BenchSupport.min(ms[k]), BenchSupport.max(ms[k]), m - jvm, m / open));
            }
            double[] diff = new double[reps];
            for (int r = 0; r < reps; r++) diff[r] = ms[2][r] - ms[1][r];
            out.append(String.format(Locale.ROOT, "%nFlyway's cost, rep by rep (with Flyway minus without): median %.0f ms (%.0f-%.0f).%n",
                    BenchSupport.median(diff), BenchSupport.min(diff), BenchSupport.max(diff)));
            BenchSupport.report(out.toString());
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** Runs {@code argv} to its end (at most 2 minutes), its output read and dropped; wall time in ms. */
    private static double run(List<String> argv) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] text = p.getInputStream().readAllBytes();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", argv) + " did not end within 2 minutes");
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", argv) + " exited with " + p.exitValue() + ": " + new String(text));
        return ms;
    }
}
