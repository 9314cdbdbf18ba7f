package io.swarmflow.bench;

import io.swarmflow.engine.RunListener;
import io.swarmflow.local.LocalExecutor;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.ProcessLimits;
import io.swarmflow.sandbox.SandboxSpec;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.store.sql.SqlRunStore;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * B3, process agents: {@code tickets} {@code shell} tickets running {@code true} at concurrency
 * {@code concurrency} (default: nproc) through the engine on durable SQLite, against
 * {@code xargs -P <concurrency>} launching, in the same run: (a) the exact argv Swarmflow builds
 * without bubblewrap ({@code setsid prlimit ... -- bash ... -c true}) and plain {@code sh -c true};
 * (b) the {@code setsid prlimit ... bwrap ... -- bash ... -c true} argv that
 * {@code Sandbox.standaloneCommandLine} builds for such a ticket: the same sandbox except the seccomp filter and
 * with the environment on the command line, as xargs cannot hand bubblewrap files on descriptors 3 and 4. Without bubblewrap the engine also runs told to a listener
 * that does nothing ({@link #HEARS_NOTHING}), the CLI's path, against the same engine without one.
 *
 * <p>System properties: {@code b3.tickets} (2000), {@code b3.concurrency} (nproc), {@code b3.reps} (3),
 * {@code b3.warmup} (500 tickets of each engine variant and of xargs first, not reported), {@code b3.only}
 * ({@code off}: only the variants without bubblewrap; {@code bwrap}: only those with it; default both).
 */
public final class B3Process {
    private B3Process() {}

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("b3.tickets", 2000);
        int c = BenchSupport.intProp("b3.concurrency", Runtime.getRuntime().availableProcessors());
        int reps = BenchSupport.intProp("b3.reps", 3);
        List<String> warnings = new ArrayList<>();

        Path dir = BenchSupport.tempDir("b3-argv-");
        List<String> argvOff;
        List<String> argvBwrap;
        try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir.resolve(".swarm"), warnings::add))) {
            if (!executor.sandbox().bubblewrap().usable()) {
                throw new IllegalStateException("bubblewrap is not usable here: " + executor.sandbox().bubblewrap().problem());
            }
            argvOff = executor.sandbox().standaloneCommandLine(spec(dir, Isolation.OFF), LocalExecutor.command());
            argvBwrap = executor.sandbox().standaloneCommandLine(spec(dir, Isolation.REQUIRED), LocalExecutor.command());
        }
        try {
            measure(tickets, c, reps, argvOff, argvBwrap, warnings);
        } finally {
            BenchSupport.deleteTree(dir); // holds the workspace the bwrap argv binds
        }
    }

    private static void measure(int tickets, int c, int reps, List<String> argvOff, List<String> argvBwrap, List<String> warnings)
            throws Exception {
        // warm-up: JIT and page cache, not reported
        String only = System.getProperty("b3.only", "");
        if (!List.of("", "off", "bwrap").contains(only)) throw new IllegalArgumentException("b3.only must be off or bwrap, not " + only);
        boolean off = !only.equals("bwrap");
        boolean bwrap = !only.equals("off");
        int warmup = BenchSupport.intProp("b3.warmup", 500);
        if (off) engine(warmup, c, SandboxPolicy.OFF, warnings, RunListener.NONE);
        if (off) engine(warmup, c, SandboxPolicy.OFF, warnings, HEARS_NOTHING);
        if (bwrap) engine(warmup, c, SandboxPolicy.REQUIRED, warnings, RunListener.NONE);
        xargs(warmup, c, bwrap ? argvBwrap : argvOff);

        List<String> nameList = new ArrayList<>();
        List<Variant> variantList = new ArrayList<>();
        if (off) {
            nameList.addAll(List.of("Swarmflow, sandbox off", "xargs, same argv without bwrap", "xargs, sh -c true",
                    "Swarmflow, sandbox off, with a listener"));
            variantList.addAll(List.of(() -> engine(tickets, c, SandboxPolicy.OFF, warnings, RunListener.NONE), () -> xargs(tickets, c, argvOff),
                    () -> xargs(tickets, c, List.of("sh", "-c", "true")), () -> engine(tickets, c, SandboxPolicy.OFF, warnings, HEARS_NOTHING)));
        }
        if (bwrap) {
            nameList.addAll(List.of("Swarmflow, bwrap", "xargs, same argv with bwrap"));
            variantList.addAll(List.of(() -> engine(tickets, c, SandboxPolicy.REQUIRED, warnings, RunListener.NONE), () -> xargs(tickets, c, argvBwrap)));
        }
        String[] names = nameList.toArray(String[]::new);
        Variant[] variants = variantList.toArray(Variant[]::new);
        double[][] ms = new double[names.length][reps];
        double[][] cpuOwn = new double[names.length][reps];
        double[][] cpuChildren = new double[names.length][reps];
        for (int r = 0; r < reps; r++) { // interleaved so that noise hits every variant alike
            StringBuilder line = new StringBuilder("  rep " + (r + 1) + ":");
            for (int v = 0; v < names.length; v++) {
                Cpu before = Cpu.now();
                ms[v][r] = variants[v].run() / 1e6;
                Cpu after = Cpu.now();
                cpuOwn[v][r] = (after.ownMillis() - before.ownMillis());
                cpuChildren[v][r] = (after.childrenMillis() - before.childrenMillis());
                line.append(String.format(Locale.ROOT, " %s %.0f ms;", names[v], ms[v][r]));
            }
            System.out.println(line);
        }
        double[] med = new double[names.length];
        for (int i = 0; i < names.length; i++) med[i] = BenchSupport.median(ms[i]);

        StringBuilder out = new StringBuilder(BenchSupport.header("B3 process agents: " + tickets + " shell tickets running `true`, "
                + "concurrency " + c + ", median of " + reps));
        out.append("| variant | total (ms) | per ticket (ms, wall / tickets) | runs (ms) | CPU per ticket, JVM (ms) | CPU per ticket, child processes (ms) |\n"
                + "|---|---:|---:|---|---:|---:|\n");
        for (int i = 0; i < names.length; i++) {
            StringBuilder runs = new StringBuilder();
            for (double x : ms[i]) runs.append(runs.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", x));
            out.append(String.format(Locale.ROOT, "| %s | %.0f | %.3f | %s | %.2f | %.2f |%n", names[i], med[i], med[i] / tickets, runs,
                    BenchSupport.median(cpuOwn[i]) / tickets, BenchSupport.median(cpuChildren[i]) / tickets));
        }
        out.append("\n| ratio | value | target |\n|---|---:|---|\n");
        StringBuilder perTicket = new StringBuilder("Per ticket (wall time x concurrency / tickets = time one slot spends on a ticket):");
        if (off) { // variants 0-3
            double ratioOff = med[0] / med[1];
            out.append(String.format(Locale.ROOT, "| Swarmflow sandbox off / xargs same argv | %.2f | <= 1.5: %s |%n"
                    + "| Swarmflow sandbox off / xargs sh -c true | %.2f | (reference) |%n"
                    + "| Swarmflow sandbox off, with a listener / without | %.2f | (reference: the CLI's path) |%n",
                    ratioOff, ratioOff <= 1.5 ? "met" : "NOT met", med[0] / med[2], med[3] / med[0]));
            perTicket.append(String.format(Locale.ROOT, " bash+setsid+prlimit %.2f ms (xargs, off), sh -c true %.2f ms; "
                    + "Swarmflow adds %.2f ms without bwrap (engine + SQLite + log capture).", med[1] * c / tickets,
                    med[2] * c / tickets, (med[0] - med[1]) * c / tickets));
        }
        if (bwrap) { // the last two variants
            int sw = names.length - 2;
            double ratioBwrap = med[sw] / med[sw + 1];
            out.append(String.format(Locale.ROOT, "| Swarmflow bwrap / xargs same bwrap argv | %.2f | <= 1.5: %s |%n",
                    ratioBwrap, ratioBwrap <= 1.5 ? "met" : "NOT met"));
            if (off) perTicket.append(String.format(Locale.ROOT, " bwrap adds %.2f ms (xargs bwrap - xargs off);", (med[sw + 1] - med[1]) * c / tickets));
            perTicket.append(String.format(Locale.ROOT, " Swarmflow adds %.2f ms with bwrap.", (med[sw] - med[sw + 1]) * c / tickets));
        }
        out.append('\n').append(perTicket).append('\n');
        out.append("\nargv without bwrap: `" + String.join(" ", argvOff) + "`\n\nargv with bwrap: `" + String.join(" ", argvBwrap) + "`\n");
        out.append("\nCPU: user + system time from /proc/self/stat (clock ticks of 10 ms) around each variant: the JVM's own threads, "
                + "and the child processes it waited for (for xargs: xargs and every process it ran). The JVM column of the xargs rows "
                + "is the benchmark's idle JVM.\n");
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    private interface Variant {
        long run() throws Exception;
    }

    /** CPU time of this process and of its waited-for children, in milliseconds, from /proc/self/stat (USER_HZ = 100 on Linux). */
    record Cpu(double ownMillis, double childrenMillis) {
        static Cpu now() throws IOException {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3 (state)
            long utime = Long.parseLong(f[11]), stime = Long.parseLong(f[12]), cutime = Long.parseLong(f[13]), cstime = Long.parseLong(f[14]);
            return new Cpu((utime + stime) * 10.0, (cutime + cstime) * 10.0);
        }
    }

    /** The spec LocalExecutor builds for a RUN-workspace ticket of this benchmark (workspace = the run's scratch dir). */
    static SandboxSpec spec(Path dir, Isolation isolation) throws IOException {
        Path scratch = dir.resolve(".swarm/runs/RUN/scratch");
        Files.createDirectories(scratch);
        ResourceLimits l = ResourceLimits.DEFAULTS;
        SandboxSpec.Builder b = SandboxSpec.builder(scratch).isolation(isolation).workspaceWritable(true).writableDir(scratch)
                .network(false).limits(new ProcessLimits(l.cpuSeconds(), l.addressSpaceBytes(), l.fileSizeBytes(), l.processes()))
                .tmpSize(l.tmpBytes()).hiddenDir(dir.resolve(".swarm"))
                // the script the engine's tickets run, handed over the way LocalExecutor hands it (the argv's eval of
                // $SWARM_SCRIPT), so the baseline runs `true` too rather than an empty script
                .env(LocalExecutor.SCRIPT_VARIABLE, "true");
        String home = System.getProperty("user.home");
        if (home != null && !home.isBlank()) b.hiddenDir(Path.of(home));
        String envHome = System.getenv("HOME");
        if (envHome != null && !envHome.isBlank() && !envHome.equals(home)) b.hiddenDir(Path.of(envHome));
        return b.build();
    }

    /**
     * A listener that does nothing but is not {@link RunListener#NONE}: the engine then keeps what it hears until durable,
     * tells it from its scheduler thread, and holds an attempt's first output lines until it has told the attempt's
     * start, as it does under the CLI (whose rendering this leaves out).
     */
    static final RunListener HEARS_NOTHING = new RunListener() {};

    /** Nanoseconds of RunEngine.execute() for {@code n} shell tickets running {@code true}. */
    static long engine(int n, int c, SandboxPolicy sandbox, List<String> warnings, RunListener listener) throws Exception {
        Path dir = BenchSupport.tempDir("b3-");
        Path state = dir.resolve(".swarm");
        try (SqlRunStore store = SqlRunStore.openSqlite(state);
             LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(state, warnings::add))) {
            List<PlannedTicket> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) list.add(BenchSupport.ticket("t" + i, List.of(), "sh", "true", 0));
            Map<String, AgentProfile> agents = Map.of("sh", BenchSupport.profile("sh", "shell", sandbox));
            Plan plan = BenchSupport.plan("b3", c, agents, list, dir);
            return BenchSupport.runPlan(store, executor, plan, state, listener).executeNanos();
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    /** Nanoseconds for {@code xargs -P c} to run {@code argv} {@code n} times (one input line per run). */
    static long xargs(int n, int c, List<String> argv) throws Exception {
        Path dir = BenchSupport.tempDir("b3-xargs-");
        try {
            List<String> cmd = new ArrayList<>(List.of("xargs", "-P", Integer.toString(c), "-I{}"));
            cmd.addAll(argv); // -I{} runs argv once per line; argv has no {} so it is run exactly as given
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().clear(); // like the sandbox: a scrubbed environment
            pb.environment().put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
            pb.environment().put("LANG", "C.UTF-8");
            pb.environment().put("HOME", dir.toString());
            // the engine's tickets run `true` as $SWARM_SCRIPT; without bubblewrap the argv's bash reads it from here (with
            // bubblewrap, --clearenv drops this and the argv's --setenv from spec() sets it)
            pb.environment().put(LocalExecutor.SCRIPT_VARIABLE, "true");
            byte[] input = "x\n".repeat(n).getBytes(StandardCharsets.US_ASCII);
            long start = System.nanoTime();
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(input);
            }
            int rc = p.waitFor();
            long t = System.nanoTime() - start;
            if (rc != 0) throw new IllegalStateException("xargs exited " + rc + " for " + argv);
            return t;
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }
}
