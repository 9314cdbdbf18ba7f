package io.swarmflow.bench;

import io.swarmflow.local.LocalExecutor;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.SandboxSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What each hidden directory costs a sandboxed launch: the bubblewrap command line of a B3 ticket ({@link
 * B3Process#spec}) with {@code n} more hidden directories (each an empty tmpfs, remounted read-only, as other runs'
 * state directories are hidden), launched {@code hidden.launches} times one after another and waited for, for each
 * {@code n} in turn within each rep, against the same command line with none in the same rep. This is what bounds the
 * number of listed state directories LocalExecutor hides ({@code LocalExecutor.MAX_HIDDEN_STATE_DIRS}).
 *
 * <p>System properties: {@code hidden.counts} (comma-separated, 0,16,64,128,256), {@code hidden.launches} (50),
 * {@code hidden.reps} (5).
 */
public final class HiddenStateDirs {
    private HiddenStateDirs() {}

    public static void main(String[] args) throws Exception {
        int launches = BenchSupport.intProp("hidden.launches", 50);
        int reps = BenchSupport.intProp("hidden.reps", 5);
        List<Integer> counts = new ArrayList<>();
        for (String c : System.getProperty("hidden.counts", "0,16,64,128,256").split(",")) counts.add(Integer.parseInt(c.strip()));
        if (!counts.contains(0)) counts.addFirst(0); // the baseline
        Path dir = BenchSupport.tempDir("hidden-dirs-");
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir.resolve(".swarm"), w -> { })
                .withStateDirs(null))) {
            if (!executor.sandbox().bubblewrap().usable()) {
                throw new IllegalStateException("bubblewrap is not usable here: " + executor.sandbox().bubblewrap().problem());
            }
            List<List<String>> argvs = new ArrayList<>();
            for (int n : counts) {
                SandboxSpec base = B3Process.spec(dir, Isolation.REQUIRED);
                SandboxSpec.Builder b = SandboxSpec.builder(base.workspace()).isolation(Isolation.REQUIRED).workspaceWritable(true)
                        .network(false).limits(base.limits());
                base.writableDirs().forEach(b::writableDir);
                base.hiddenDirs().forEach(b::hiddenDir);
                for (int i = 0; i < n; i++) b.hiddenDir(Files.createDirectories(dir.resolve("other-state").resolve("s" + i)));
                argvs.add(executor.sandbox().standaloneCommandLine(b.build(), LocalExecutor.command()));
            }
            double[][] perLaunch = new double[counts.size()][reps];
            for (int r = -1; r < reps; r++) { // one warm-up rep
                for (int k = 0; k < counts.size(); k++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < launches; i++) run(argvs.get(k));
                    if (r >= 0) perLaunch[k][r] = (System.nanoTime() - t0) / 1e6 / launches;
                }
            }
            StringBuilder out = new StringBuilder(BenchSupport.header("Hidden directories: the cost of each to a sandboxed launch"));
            out.append(launches).append(" launches of B3's bubblewrap command line in a row per cell; ms per launch, median of ")
                    .append(reps).append(" reps (min-max), the counts interleaved within each rep.\n\n")
                    .append("| hidden directories added | ms per launch | / none | ms per added directory |\n|---:|---|---:|---:|\n");
            double none = BenchSupport.median(perLaunch[0]);
            for (int k = 0; k < counts.size(); k++) {
                double m = BenchSupport.median(perLaunch[k]);
                out.append(String.format(Locale.ROOT, "| %d | %.1f (%.1f-%.1f) | %.2f | %s |%n", counts.get(k), m,
                        BenchSupport.min(perLaunch[k]), BenchSupport.max(perLaunch[k]), m / none,
                        counts.get(k) == 0 ? "" : String.format(Locale.ROOT, "%.3f", (m - none) / counts.get(k))));
            }
            BenchSupport.report(out.append('\n').toString());
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** Runs {@code argv} to its end; its output read and dropped. */
    private static void run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", argv) + ": " + text);
    }
}
