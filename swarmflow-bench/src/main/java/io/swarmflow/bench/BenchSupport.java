package io.swarmflow.bench;

import io.swarmflow.agent.Executor;
import io.swarmflow.engine.EngineOptions;
import io.swarmflow.engine.RunListener;
import io.swarmflow.engine.RunService;
import io.swarmflow.spec.AgentProfile;
import io.swarmflow.spec.ApprovalMode;
import io.swarmflow.spec.Plan;
import io.swarmflow.spec.PlannedTicket;
import io.swarmflow.spec.ResourceLimits;
import io.swarmflow.spec.RetryPolicy;
import io.swarmflow.spec.SandboxPolicy;
import io.swarmflow.spec.When;
import io.swarmflow.spec.WorkspaceMode;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Small helpers shared by the benchmarks: plans, timing, machine description, result files. */
final class BenchSupport {
    private BenchSupport() {}

    /** Flyway logs every migration through java.util.logging; keep the output to the tables (strong reference: JUL holds loggers weakly). */
    private static final java.util.logging.Logger FLYWAY = java.util.logging.Logger.getLogger("org.flywaydb");

    static {
        FLYWAY.setLevel(java.util.logging.Level.WARNING);
    }

    /** A ticket of agent {@code agent} with the given needs, run script and noop duration. */
    static PlannedTicket ticket(String id, List<String> needs, String agent, String run, long durationMillis) {
        return new PlannedTicket(id, id, needs, agent, run, Map.of(), 0, RetryPolicy.NONE, 0, When.SUCCESS,
                ApprovalMode.NONE, WorkspaceMode.RUN, false, Map.of(), Map.of(), id, durationMillis);
    }

    static AgentProfile profile(String name, String kind, SandboxPolicy sandbox) {
        return new AgentProfile(name, kind, sandbox, ResourceLimits.DEFAULTS, Map.of(), 0, 0);
    }

    static Plan plan(String name, int concurrency, Map<String, AgentProfile> agents, List<PlannedTicket> tickets, Path specDir) {
        return new Plan(name, "", concurrency, Map.of(), null, specDir.toAbsolutePath().toString(), agents, tickets, "0");
    }

    /** Result of one engine run: wall time of create and of execute, in nanoseconds. */
    record Timed(RunState state, long createNanos, long executeNanos) {}

    /** Creates and executes {@code plan} on {@code store}; the clock covers create and execute separately. */
    static Timed runPlan(RunStore store, Executor executor, Plan plan, Path stateDir) throws Exception {
        return runPlan(store, executor, plan, stateDir, RunListener.NONE);
    }

    /**
     * As {@link #runPlan(RunStore, Executor, Plan, Path)}, told to {@code listener}: a listener other than
     * {@link RunListener#NONE} makes the engine keep what it hears until durable and start attempts after telling it,
     * as under the CLI's live view.
     */
    static Timed runPlan(RunStore store, Executor executor, Plan plan, Path stateDir, RunListener listener) throws Exception {
        RunService service = new RunService(store, executor);
        long t0 = System.nanoTime();
        String id = service.create(plan, "bench");
        long t1 = System.nanoTime();
        RunState s = service.engine(id, EngineOptions.builder(stateDir).build(), listener).execute();
        long t2 = System.nanoTime();
        if (s != RunState.SUCCEEDED) throw new IllegalStateException("run " + id + " ended " + s);
        return new Timed(s, t1 - t0, t2 - t1);
    }

    static Path tempDir(String prefix) {
        try {
            Path base = Path.of(System.getProperty("bench.tmp", System.getProperty("java.io.tmpdir")));
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }

    static int intProp(String name, int def) {
        return Integer.parseInt(System.getProperty(name, Integer.toString(def)));
    }

    /** One line describing the machine and JVM, for the result tables. */
    static String machine() {
        long memKb = 0;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) memKb = Long.parseLong(line.replaceAll("\\D", ""));
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: leave 0
        }
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        } catch (IOException ignored) {
            // not Linux
        }
        return String.format("nproc %d (%s), %.1f GiB RAM, %s %s, JVM %s, %s %s", Runtime.getRuntime().availableProcessors(), cpu,
                memKb / 1024.0 / 1024.0, System.getProperty("os.name"), System.getProperty("os.version"),
                Runtime.version(), System.getProperty("java.vm.name"),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }

    static String now() {
        return ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** Prints {@code text} and appends it to {@code bench-results.md} in {@code bench.out} (default: the working directory). */
    static void report(String text) {
        System.out.print(text);
        System.out.flush();
        Path out = Path.of(System.getProperty("bench.out", "bench-results.md"));
        try {
            Files.writeString(out, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not append to " + out + ": " + e);
        }
    }

    static String header(String title) {
        return "\n### " + title + "\n\n" + now() + "; " + machine() + "\n\n";
    }
}
