package io.swarmflow.bench;

import io.swarmflow.local.LocalExecutor;
import io.swarmflow.sandbox.EscapeesProbe;
import io.swarmflow.sandbox.Isolation;
import io.swarmflow.sandbox.PosixSpawn;
import io.swarmflow.sandbox.ProcessGroups;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the escaped-process scan ({@code Escapees}, run at the end of every attempt without bubblewrap and without a
 * pids cgroup) costs per attempt. The product has no switch that turns the scan off, so this times the scan's own code
 * ({@link EscapeesProbe}: the {@code Escapees.find} that {@code SandboxProcess} calls) in the situations it meets,
 * against a same-run baseline: one attempt of B3's unsandboxed {@code shell} ticket running {@code true} (its exact
 * argv, {@code setsid prlimit ... -- bash ... -c true}, launched by {@link PosixSpawn} with the attempt's
 * {@code SWARM_RUN_ID}/{@code SWARM_TICKET_ID}/{@code SWARM_ATTEMPT}/{@code SWARM_SCRATCH}, waited for and drained),
 * one at a time.
 *
 * <p>For each count of other processes in {@code escapees.others}, started first as {@code sleep} processes of this
 * user holding the same run's markers with another ticket's id (as another attempt of the run would):
 * <ul>
 *   <li>attempts with the scan at their end (the usual short attempt: only the pids handed out since its first process
 *       are looked at) and without it, alternating rep by rep; the scan's own time inside the former;</li>
 *   <li>the full scan of an attempt of more than {@code EVERY_PID_AFTER_MILLIS} (every process in {@code /proc}), the
 *       other processes older than the attempt's first process.</li>
 * </ul>
 * And, for counts above 0, the worst case: the other processes started after the attempt's first one (so each passes
 * the start-time check and has its environment read): the full scan, and the short attempt's scan, whose window then
 * holds more than 64 pids and lists {@code /proc}.
 *
 * <p>Before measuring, a check that the scan finds what it should: an attempt that leaves a {@code setsid sleep}
 * behind must find exactly that process (ended then); every timed scan must find nothing.
 *
 * <p>System properties: {@code escapees.others} (0,500), {@code escapees.attempts} (300 per rep and variant),
 * {@code escapees.scans} (200 timed scans per rep of the full-scan cells), {@code escapees.reps} (5; one warm-up rep
 * first, not reported).
 */
public final class EscapeesScan {
    private EscapeesScan() {}

    private static final String SLEEP = Files.isExecutable(Path.of("/usr/bin/sleep")) ? "/usr/bin/sleep" : "/bin/sleep";
    /** Attempts whose first process was gone (reaped) before its start time was read: the scan skips those (find returns at once). */
    private static final java.util.concurrent.atomic.AtomicLong NO_START_TICKS = new java.util.concurrent.atomic.AtomicLong();
    /** Per attempt with the scan: how many pids were handed out since its first process (by anything on the host). */
    private static final List<Long> WINDOWS = new ArrayList<>();
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final String RUN_ID = "escapees-bench-" + ProcessHandle.current().pid();

    public static void main(String[] args) throws Exception {
        List<Integer> othersList = new ArrayList<>();
        for (String s : System.getProperty("escapees.others", "0,500").split(",")) othersList.add(Integer.parseInt(s.strip()));
        int attempts = BenchSupport.intProp("escapees.attempts", 300);
        int scans = BenchSupport.intProp("escapees.scans", 200);
        int reps = BenchSupport.intProp("escapees.reps", 5);
        if (!PosixSpawn.available()) throw new IllegalStateException("posix_spawn is not available here: " + PosixSpawn.problem());

        Path dir = BenchSupport.tempDir("escapees-");
        try {
            List<String> argv;
            try (LocalExecutor executor = new LocalExecutor(LocalExecutor.Options.of(dir.resolve(".swarm"), w -> {}))) {
                argv = executor.sandbox().commandLine(B3Process.spec(dir, Isolation.OFF), LocalExecutor.command());
            }
            checkFindsAnEscapee(dir);

            StringBuilder rows = new StringBuilder();
            StringBuilder notes = new StringBuilder();
            for (int others : othersList) {
                try (Population older = Population.start(others, dir)) {
                    Cells c = new Cells(reps);
                    int windowsFrom = 0;
                    for (int r = -1; r < reps; r++) { // r = -1: warm-up, not recorded
                        boolean scanFirst = (r & 1) == 0;
                        for (int v = 0; v < 2; v++) {
                            boolean scan = (v == 0) == scanFirst;
                            long[] t = attempts(attempts, argv, dir, scan);
                            if (r < 0) {
                                windowsFrom = WINDOWS.size();
                                continue;
                            }
                            if (scan) {
                                c.withScan[r] = t[0] / 1e3 / attempts;
                                c.scanAlone[r] = t[1] / 1e3 / attempts;
                                c.scanAloneCpu[r] = t[2] / 1e3 / attempts;
                            } else {
                                c.without[r] = t[0] / 1e3 / attempts;
                            }
                        }
                        double[] full = fullScans(scans, dir);
                        if (r >= 0) {
                            c.fullOlder[r] = full[0];
                            c.fullOlderCpu[r] = full[1];
                        }
                    }
                    int procs = procCount();
                    rows.append(row(others, procs, "attempt without the scan (baseline)", c.without, null, c.without));
                    rows.append(row(others, procs, "attempt with the scan (window: pids since its first)", c.withScan, null, c.without));
                    rows.append(row(others, procs, "the scan alone, in those attempts", c.scanAlone, c.scanAloneCpu, c.without));
                    rows.append(row(others, procs, "full scan (attempt over 10 s), others older than the attempt", c.fullOlder, c.fullOlderCpu,
                            c.without));
                    notes.append(String.format(Locale.ROOT, "%nWith %d other processes: pids handed out during an attempt, up to its scan "
                            + "(any process on the host takes them): %s.%n", others, windows(windowsFrom)));
                    if (others > 0) rows.append(newerRows(others, scans, reps, dir, c.without));
                }
            }
            StringBuilder out = new StringBuilder(BenchSupport.header("Escaped-process scan (Escapees.find): " + attempts
                    + " attempts of B3's unsandboxed `true` per rep and variant, one at a time; " + scans
                    + " scans per rep of the other cells; median of " + reps + " reps (min-max), after a warm-up rep"));
            out.append("| other processes | processes in /proc | cell | wall µs per attempt or scan | thread CPU µs per scan | "
                    + "wall / attempt without the scan |\n|---:|---:|---|---|---|---:|\n").append(rows);
            out.append("\nargv: `").append(String.join(" ", argv)).append("`; run as user ")
                    .append(System.getProperty("user.name")).append(". Attempts whose first process was reaped before its start time "
                    + "was read (as Sandbox reads it; the scan then returns at once): ").append(NO_START_TICKS.get()).append(".\n");
            out.append(notes);
            BenchSupport.report(out.toString());
        } finally {
            BenchSupport.deleteTree(dir);
        }
    }

    private record Cells(double[] without, double[] withScan, double[] scanAlone, double[] scanAloneCpu, double[] fullOlder,
            double[] fullOlderCpu) {
        Cells(int reps) {
            this(new double[reps], new double[reps], new double[reps], new double[reps], new double[reps], new double[reps]);
        }
    }

    /** The worst case: {@code others} processes started after the attempt's first one, which is still running. */
    private static String newerRows(int others, int scans, int reps, Path dir, double[] baseline) throws Exception {
        Map<String, String> env = env(dir, "leader");
        Process leader = PosixSpawn.start(List.of(SLEEP, "3600"), dir, env);
        try (Population newer = Population.start(others, dir)) {
            double[][] full = new double[2][reps];
            double[][] window = new double[2][reps];
            for (int r = -1; r < reps; r++) {
                double[] f = fullScans(scans, dir, leader, true);
                double[] w = fullScans(scans, dir, leader, false);
                if (r < 0) continue;
                for (int i = 0; i < 2; i++) {
                    full[i][r] = f[i];
                    window[i][r] = w[i];
                }
            }
            int procs = procCount();
            return row(others, procs, "full scan, others started during the attempt (same run, another ticket)", full[0], full[1], baseline)
                    + row(others, procs, "window scan, others started during the attempt (over 64 pids: lists /proc)", window[0], window[1],
                    baseline);
        } finally {
            leader.destroyForcibly();
            leader.waitFor();
        }
    }

    /** {wall, thread CPU} µs per full scan ({@code everyPid}) of an attempt whose first process is a {@code sleep} started now. */
    private static double[] fullScans(int n, Path dir) throws Exception {
        Process leader = PosixSpawn.start(List.of(SLEEP, "3600"), dir, env(dir, "leader"));
        try {
            return fullScans(n, dir, leader, true);
        } finally {
            leader.destroyForcibly();
            leader.waitFor();
        }
    }

    /**
     * {wall, thread CPU} µs per scan of {@code leader}'s attempt, {@code n} scans; throws when one finds anything (nothing
     * left the group).
     */
    private static double[] fullScans(int n, Path dir, Process leader, boolean everyPid) {
        Map<String, String> env = env(dir, "leader");
        long start = ProcessGroups.startTicks(leader.pid()).orElseThrow();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            List<Long> found = EscapeesProbe.find(leader.pid(), start, env, everyPid);
            if (!found.isEmpty()) throw new IllegalStateException("the scan found " + found + ": nothing escaped here");
        }
        long t = System.nanoTime() - t0;
        return new double[] {t / 1e3 / n, (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / n};
    }

    /**
     * {@code n} attempts one at a time: launch, wait, then (with {@code scan}) the scan as {@code SandboxProcess} runs it,
     * then drain the pipes. Returns {total ns, ns in the scan, thread CPU ns in the scan}.
     */
    private static long[] attempts(int n, List<String> argv, Path dir, boolean scan) throws Exception {
        long inScan = 0;
        long inScanCpu = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, String> env = env(dir, "t" + i);
            Process p = PosixSpawn.start(argv, dir, env);
            long startTicks = ProcessGroups.startTicks(p.pid()).orElse(0); // as Sandbox reads it
            if (startTicks == 0) NO_START_TICKS.incrementAndGet();
            int rc = p.waitFor();
            if (scan) {
                WINDOWS.add(lastPid() - p.pid()); // read before the scan and outside its time
                long c = THREADS.getCurrentThreadCpuTime();
                long s = System.nanoTime();
                List<Long> found = EscapeesProbe.find(p.pid(), startTicks, env, false);
                inScan += System.nanoTime() - s;
                inScanCpu += THREADS.getCurrentThreadCpuTime() - c;
                if (!found.isEmpty()) throw new IllegalStateException("the scan found " + found + ": nothing escaped here");
            }
            try (var out = p.getInputStream(); var err = p.getErrorStream()) {
                out.readAllBytes();
                err.readAllBytes();
            }
            if (rc != 0) throw new IllegalStateException("an attempt exited with status " + rc);
        }
        return new long[] {System.nanoTime() - t0, inScan, inScanCpu};
    }

    /**
     * An attempt that leaves {@code setsid sleep} behind: the scan must find exactly that process, and end it. The attempt's
     * shell waits on a FIFO until its start time has been read (a process already reaped has none).
     */
    private static void checkFindsAnEscapee(Path dir) throws Exception {
        Path fifo = dir.resolve("check.fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() != 0) throw new IOException("mkfifo " + fifo + " failed");
        Map<String, String> env = env(dir, "check");
        Process p = PosixSpawn.start(List.of("/bin/sh", "-c", "setsid " + SLEEP + " 3600 </dev/null >/dev/null 2>&1 & echo $!; read x < " + fifo),
                dir, env);
        long start = ProcessGroups.startTicks(p.pid()).orElseThrow();
        String child;
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            child = out.readLine();
            Files.writeString(fifo, "go\n");
        }
        p.getErrorStream().readAllBytes();
        p.waitFor();
        List<Long> found = EscapeesProbe.find(p.pid(), start, env, false);
        List<Long> foundFull = EscapeesProbe.find(p.pid(), start, env, true);
        if (child == null || !found.equals(List.of(Long.parseLong(child))) || !found.equals(foundFull)) {
            if (child != null) ProcessHandle.of(Long.parseLong(child)).ifPresent(ProcessHandle::destroyForcibly);
            throw new IllegalStateException("the scan should find exactly the escaped sleep " + child + ", found " + found
                    + " (window) and " + foundFull + " (every pid)");
        }
        EscapeesProbe.end(p.pid(), start, env, false, 1000);
        List<Long> left = EscapeesProbe.find(p.pid(), start, env, true); // a zombie (no reaping init here) counts as ended
        if (!left.isEmpty()) {
            throw new IllegalStateException("the escaped sleep " + child + " outlived Escapees.end: found " + left);
        }
    }

    /** The environment of an attempt of this benchmark's run, as LocalExecutor gives it (markers included). */
    private static Map<String, String> env(Path dir, String ticket) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("HOME", dir.toString());
        env.put("SWARM_RUN_ID", RUN_ID);
        env.put("SWARM_TICKET_ID", ticket);
        env.put("SWARM_ATTEMPT", "1");
        env.put("SWARM_SCRATCH", dir.toAbsolutePath().resolve("scratch").toString());
        return env;
    }

    private static long lastPid() throws IOException {
        // not Files.readString: for this file (size 0) it returned only the first digit here (JDK 25)
        try (var in = new java.io.FileInputStream("/proc/sys/kernel/ns_last_pid")) {
            return Long.parseLong(new String(in.readNBytes(32), StandardCharsets.US_ASCII).strip());
        }
    }

    /** "median M, max X; over 64 (lists /proc): N of K" of the attempts' windows recorded since {@code from}. */
    private static String windows(int from) {
        List<Long> w = new ArrayList<>(WINDOWS.subList(from, WINDOWS.size()));
        w.removeIf(x -> x < 0); // wrapped around pid_max
        if (w.isEmpty()) return "none";
        java.util.Collections.sort(w);
        long over = w.stream().filter(x -> x > 64).count();
        return "median " + w.get(w.size() / 2) + ", max " + w.getLast() + "; over 64 (lists /proc): " + over + " of " + w.size();
    }

    private static int procCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return (int) s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }

    /** A table row: wall µs, thread CPU µs (when measured: the scan's cells), and the per-rep ratio of wall µs to {@code baseline}'s. */
    private static String row(int others, int procs, String cell, double[] us, double[] cpuUs, double[] baseline) {
        double[] ratios = new double[us.length];
        for (int i = 0; i < us.length; i++) ratios[i] = us[i] / baseline[i];
        String cpu = cpuUs == null ? "" : String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", BenchSupport.median(cpuUs), BenchSupport.min(cpuUs),
                BenchSupport.max(cpuUs));
        return String.format(Locale.ROOT, "| %d | %d | %s | %.1f (%.1f-%.1f) | %s | %.4f |%n", others, procs, cell, BenchSupport.median(us),
                BenchSupport.min(us), BenchSupport.max(us), cpu, BenchSupport.median(ratios));
    }

    /** {@code n} {@code sleep} processes of this user holding this run's markers with another ticket's id; killed at close. */
    private record Population(Process shell) implements AutoCloseable {
        static Population start(int n, Path dir) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", "for ((i = 0; i < " + n + "; i++)); do sleep 3600 & done; echo ready; wait")
                    .directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectError(ProcessBuilder.Redirect.DISCARD); // bash's "Killed" lines at close
            pb.environment().clear();
            pb.environment().putAll(env(dir, "other"));
            Process shell = pb.start();
            BufferedReader in = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.US_ASCII));
            String line = in.readLine();
            if (!"ready".equals(line)) throw new IOException("starting " + n + " sleep processes failed: " + line);
            return new Population(shell);
        }

        @Override
        public void close() throws Exception {
            List<ProcessHandle> children = shell.descendants().toList();
            children.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle h : children) h.onExit().get(10, TimeUnit.SECONDS);
            shell.destroyForcibly();
            shell.waitFor();
        }
    }
}
