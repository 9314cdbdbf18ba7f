package io.swarmflow.bench;

import io.swarmflow.spec.SandboxPolicy;
import one.profiler.AsyncProfiler;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where the JVM's CPU goes in B3's steady state: a CPU profile of one engine run of {@code b3.tickets}
 * {@code shell} tickets running {@code true}, taken with async-profiler (https://github.com/async-profiler/async-profiler,
 * its Java API and the library bundled in {@code tools.profiler:async-profiler}), after the same warm-up as the
 * measured B3 runs, with each sampled stack counted under the first category below that it matches.
 *
 * <p>System properties: {@code b3.tickets} (2000), {@code b3.concurrency} (nproc), {@code b3.warmup} (500 tickets,
 * then {@code b3.rounds} unprofiled runs of {@code b3.tickets}, default 3), {@code b3.sandbox} ({@code off}, the
 * default, or {@code required}), {@code b3.interval} (sampling interval in microseconds of CPU time, 1000),
 * {@code b3.collapsed} (where to write the collapsed stacks, one {@code frame;frame;... samples} line per stack,
 * for flame graphs; default: a file in the temp directory, named in the output).
 *
 * <p>Output: per category, milliseconds of CPU per ticket = samples x interval / tickets. The total is cross-checked
 * against the process's own CPU time from {@code /proc/self/stat} over the same run (which also counts time
 * async-profiler did not sample, such as the profiler itself).
 */
public final class B3Profile {
    private B3Profile() {}

    /** A category: a name and a test on one collapsed stack line (thread name first, as async-profiler's {@code threads} option writes it). */
    record Category(String name, Predicate<String> matches) {}

    /** Categories in the order they are tried; a stack is counted under the first it matches. */
    static final List<Category> CATEGORIES = List.of(
            new Category("store writer thread (SQLite commits: WAL writes, fsync, SQLite's C code)",
                    s -> s.startsWith("[swarmflow-store-writer")),
            new Category("JIT compilation", s -> s.startsWith("[C1 CompilerThre") || s.startsWith("[C2 CompilerThre")
                    || s.contains("CompileBroker")),
            new Category("garbage collection", s -> s.startsWith("[GC Thread") || s.startsWith("[G1 ")),
            new Category("posix_spawn and its JNA call", s -> s.contains("PosixSpawn.start") || s.contains("posix_spawn")),
            new Category("process start time from /proc", s -> s.contains("ProcessGroups.startTicks")),
            new Category("reaping (waitid, waitpid)", s -> s.startsWith("[swarm-reaper-")),
            new Category("output pumps", s -> s.startsWith("[swarm-output-") || s.contains("OutputPump")),
            new Category("private HOME", s -> s.contains("PrivateHomes")),
            new Category("process group check and signals", s -> s.contains("io/swarmflow/sandbox/Kill.")
                    || s.contains("io.swarmflow.sandbox.Kill.")),
            new Category("log files", s -> s.contains("AttemptLog") || s.contains("LogFile")),
            new Category("engine loop (RunEngine on the calling thread)", s -> s.contains("RunEngine.execute")),
            new Category("attempt threads (virtual: executor and sandbox code)", s -> s.contains("LocalExecutor")
                    || s.contains("RunEngine.runAttempt")),
            new Category("virtual-thread scheduling", s -> s.contains("ForkJoinPool") || s.contains("VirtualThread")
                    || s.contains("Continuation")));

    public static void main(String[] args) throws Exception {
        int tickets = BenchSupport.intProp("b3.tickets", 2000);
        int c = BenchSupport.intProp("b3.concurrency", Runtime.getRuntime().availableProcessors());
        int warmup = BenchSupport.intProp("b3.warmup", 500);
        int rounds = BenchSupport.intProp("b3.rounds", 3);
        int interval = BenchSupport.intProp("b3.interval", 1000);
        SandboxPolicy policy = switch (System.getProperty("b3.sandbox", "off")) {
            case "off" -> SandboxPolicy.OFF;
            case "required" -> SandboxPolicy.REQUIRED;
            default -> throw new IllegalArgumentException("b3.sandbox must be off or required, not " + System.getProperty("b3.sandbox"));
        };
        Path collapsed = Path.of(System.getProperty("b3.collapsed",
                Files.createTempFile("b3-profile-", ".collapsed").toString()));
        List<String> warnings = new ArrayList<>();

        B3Process.engine(warmup, c, policy, warnings, io.swarmflow.engine.RunListener.NONE);
        for (int r = 0; r < rounds; r++) B3Process.engine(tickets, c, policy, warnings, io.swarmflow.engine.RunListener.NONE);

        AsyncProfiler profiler = AsyncProfiler.getInstance(); // extracts the library bundled for this platform
        B3Process.Cpu before = B3Process.Cpu.now();
        profiler.execute("start,event=cpu,interval=" + interval + "us,threads");
        long nanos;
        try {
            nanos = B3Process.engine(tickets, c, policy, warnings, io.swarmflow.engine.RunListener.NONE);
        } finally {
            profiler.execute("stop,file=" + collapsed + ",collapsed");
        }
        B3Process.Cpu after = B3Process.Cpu.now();

        Map<String, Long> samples = categorize(Files.readAllLines(collapsed, StandardCharsets.UTF_8));
        long total = samples.values().stream().mapToLong(Long::longValue).sum();
        double perSample = interval / 1000.0; // ms
        StringBuilder out = new StringBuilder(BenchSupport.header("B3 profile: where the JVM's CPU goes, " + tickets
                + " shell tickets running `true`, sandbox " + policy.name().toLowerCase(Locale.ROOT) + ", concurrency " + c));
        out.append(String.format(Locale.ROOT, "Profiled run: %.0f ms wall; %d samples of %d us CPU; collapsed stacks in %s%n%n",
                nanos / 1e6, total, interval, collapsed));
        out.append("| category (each stack counted under the first it matches) | CPU per ticket (ms) | share |\n|---|---:|---:|\n");
        for (Map.Entry<String, Long> e : samples.entrySet()) {
            out.append(String.format(Locale.ROOT, "| %s | %.3f | %.0f%% |%n", e.getKey(), e.getValue() * perSample / tickets,
                    total == 0 ? 0.0 : 100.0 * e.getValue() / total));
        }
        out.append(String.format(Locale.ROOT, "| **sampled total** | **%.3f** | |%n", total * perSample / tickets));
        out.append(String.format(Locale.ROOT, "%nThe JVM's own CPU over the profiled run, from /proc/self/stat (10 ms ticks): %.2f ms per ticket; "
                + "child processes: %.2f ms per ticket.%n", (after.ownMillis() - before.ownMillis()) / tickets,
                (after.childrenMillis() - before.childrenMillis()) / tickets));
        if (!warnings.isEmpty()) out.append("\nwarnings: ").append(String.join("; ", warnings)).append('\n');
        BenchSupport.report(out.toString());
    }

    /**
     * Sums the samples of collapsed stack lines ({@code frame;frame;... count}) per category, in {@link #CATEGORIES}
     * order, then "other"; categories without samples are left out.
     *
     * @throws IllegalArgumentException for a line that does not end in a sample count
     */
    static Map<String, Long> categorize(List<String> lines) {
        Map<String, Long> sums = new LinkedHashMap<>();
        for (Category cat : CATEGORIES) sums.put(cat.name(), 0L);
        sums.put("other", 0L);
        for (String line : lines) {
            if (line.isBlank()) continue;
            int space = line.lastIndexOf(' ');
            long count;
            try {
                count = Long.parseLong(line.substring(space + 1).trim());
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("not a collapsed stack line (frames, a space, a sample count): " + line, e);
            }
            String stack = line.substring(0, Math.max(space, 0));
            String name = "other";
            for (Category cat : CATEGORIES) {
                if (cat.matches().test(stack)) {
                    name = cat.name();
                    break;
                }
            }
            sums.merge(name, count, Long::sum);
        }
        sums.values().removeIf(v -> v == 0L);
        return sums;
    }
}
