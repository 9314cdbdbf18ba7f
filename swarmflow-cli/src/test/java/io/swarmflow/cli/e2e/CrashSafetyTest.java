package io.swarmflow.cli.e2e;

import io.swarmflow.cli.SwarmCli;
import io.swarmflow.cli.e2e.Cli.Result;
import io.swarmflow.store.AttemptView;
import io.swarmflow.store.Outcome;
import io.swarmflow.store.Projection;
import io.swarmflow.store.RunEvent;
import io.swarmflow.store.RunState;
import io.swarmflow.store.RunView;
import io.swarmflow.store.StoredEvent;
import io.swarmflow.store.TicketState;
import io.swarmflow.store.TicketView;
import io.swarmflow.store.sql.SqlRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The product's promise: kill {@code swarm run} with SIGKILL at any moment, {@code swarm resume} it
 * (killed again and again), and nothing recorded is lost, no ticket succeeds twice, attempts that
 * were running get a new attempt number, and the run finishes. The coordinator is a child JVM running
 * {@link SwarmCli}; the store is read directly between the kills.
 *
 * <p>Reproduce a failure with {@code -Dswarm.crash.seed=N} (the seed is printed).
 */
class CrashSafetyTest {
    private static final int TICKETS = 200;
    private static final int KILLS = 22;

    @TempDir
    Path tmp;

    private final List<String> history = new ArrayList<>();

    @Test
    void killNineAtRandomMomentsThenResumeLosesNothingAndCompletesNothingTwice() throws Exception {
        long seed = Long.getLong("swarm.crash.seed", System.nanoTime());
        log("seed " + seed + " (rerun with -Dswarm.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        Path spec = writeSpec(random);
        Path state = tmp.resolve("state");

        String runId = null;
        int kills = 0;
        int earlyKills = 0;
        int cycle = 0;
        Map<String, Integer> runningAtKills = new HashMap<>(); // ticket -> attempt that was running when its coordinator was killed
        try {
            while (kills < KILLS) {
                cycle++;
                int succeeded = runId == null ? 0 : succeededCount(state, runId);
                // early kills (JVM start, store creation, run creation, claim, recovery) and mid-run kills; when the
                // run gets ahead of the kill schedule, kill early so that it cannot finish before KILLS kills
                // (a mid-run kill comes at most 1.4 s after this coordinator's first finished ticket; 100 tickets of
                // ~0.15 s at concurrency 8 take longer than that, so the kill phase cannot finish the run)
                boolean early = random.nextInt(3) == 0 || succeeded * (KILLS + 2) > TICKETS * (kills + 1)
                        || TICKETS - succeeded < 100;
                // early: a coordinator JVM reaches its first dispatch after about 0.5 s here, so most early kills hit
                // its start-up; later ones would kill the same first-dispatched tickets again and again, until the
                // engine fails them for losing maxLeaseExpiries (10) attempts to crashes, as it should; only attempts
                // whose process start was recorded (AttemptProcessStarted) count toward it (LeaseExpiryLimitTest), so
                // a kill before the attempt's process started costs the ticket nothing
                long delayMillis = early ? 150 + random.nextInt(450) : random.nextInt(1400);
                String command = runId == null ? "run" : "resume";
                long ranBefore = ranLines(state);
                Process p = start(state, spec, runId, cycle);
                List<ProcessHandle> tree = new ArrayList<>();
                boolean exited = false;
                if (!early) {
                    // mid-run: from this coordinator's first finished ticket on, whatever its start-up took (a loaded
                    // machine, such as CI running other builds, can make that several seconds)
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (!(exited = p.waitFor(50, TimeUnit.MILLISECONDS)) && ranLines(state) <= ranBefore
                            && System.nanoTime() < deadline) {
                        // waitFor polls every 50 ms
                    }
                }
                if (!exited) exited = p.waitFor(delayMillis, TimeUnit.MILLISECONDS);
                if (!exited) {
                    p.descendants().forEach(tree::add);
                    p.destroyForcibly(); // SIGKILL
                    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    kills++;
                    if (early) earlyKills++;
                    // the sandboxed attempts die with their coordinator
                    await("sandboxes of the killed coordinator (cycle " + cycle + ")").atMost(Duration.ofSeconds(15))
                            .until(() -> tree.stream().noneMatch(ProcessHandle::isAlive));
                }
                // a coordinator that refused to run (e.g. "run is held by ...") is a failure even if it was killed before it exited
                assertThat(output(cycle).lines().filter(l -> l.startsWith("swarm: ") && !l.contains("warning")))
                        .as("errors of cycle %d:\n%s", cycle, output(cycle)).isEmpty();
                if (runId == null) runId = findRun(state).orElse(null);
                String what = (exited ? "exited " + p.exitValue() : "killed") + (early ? " after " : " at its first finished ticket + ")
                        + delayMillis + " ms";
                if (runId == null) {
                    log("cycle " + cycle + ": run " + what + " before the run was created");
                    if (exited) throw new AssertionError("swarm run exited " + p.exitValue() + " without creating a run:\n" + output(cycle));
                    continue;
                }
                Check c = checkInvariants(state, runId, runningAtKills);
                log("cycle " + cycle + ": " + command + " " + what + "; " + c);
                if (exited) {
                    assertThat(p.exitValue()).as("exit code of cycle %d:\n%s", cycle, output(cycle)).isZero();
                    break; // finished before all kills were spent
                }
                // attempts that were running when the coordinator died must end lease-expired and be retried
                for (TicketView t : c.tickets) {
                    if (t.state() == TicketState.RUNNING) runningAtKills.putIfAbsent(t.ticketId() + "#" + t.attempt(), t.attempt());
                }
            }
            assertThat(runId).as("a run was created").isNotNull();

            // resume until a resume finishes (it is not killed any more)
            for (int i = 0; ; i++) {
                RunView run = run(state, runId);
                if (run.state().isFinished()) break;
                assertThat(i).as("resumes needed after the last kill").isLessThan(3);
                cycle++;
                Process p = start(state, spec, runId, cycle);
                assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("final resume finishes").isTrue();
                assertThat(p.exitValue()).as("final resume:\n%s", output(cycle)).isZero();
                log("cycle " + cycle + ": resume finished; " + checkInvariants(state, runId, runningAtKills));
            }

            Check end = checkInvariants(state, runId, runningAtKills);
            assertThat(end.run.state()).isEqualTo(RunState.SUCCEEDED);
            assertThat(end.tickets).hasSize(TICKETS).allMatch(t -> t.state() == TicketState.SUCCEEDED);
            for (AttemptView a : end.attempts) {
                int last = end.tickets.stream().filter(t -> t.ticketId().equals(a.ticketId())).findFirst().orElseThrow().attempt();
                assertThat(a.outcome()).as("attempt %d of %s (last %d)", a.attempt(), a.ticketId(), last)
                        .isEqualTo(a.attempt() == last ? Outcome.SUCCEEDED : Outcome.LEASE_EXPIRED);
            }
            assertThat(end.attempts).as("some attempt was running at a kill and was retried")
                    .anyMatch(a -> a.outcome() == Outcome.LEASE_EXPIRED);
            for (String key : runningAtKills.keySet()) {
                String ticket = key.substring(0, key.indexOf('#'));
                int attempt = runningAtKills.get(key);
                TicketView t = end.tickets.stream().filter(v -> v.ticketId().equals(ticket)).findFirst().orElseThrow();
                assertThat(t.attempt()).as("%s was running (attempt %d) at a kill and got a new attempt", ticket, attempt)
                        .isGreaterThan(attempt);
            }
            Set<String> ran = ranLog(state, runId).keySet();
            for (AttemptView a : end.attempts) {
                if (a.outcome() == Outcome.SUCCEEDED) assertThat(ran).contains(a.ticketId() + " " + a.attempt());
            }

            // a resume of the finished run changes nothing
            Result again = Cli.swarm("resume", runId, "--plain", "--quiet", "--state-dir", state.toString());
            assertThat(again.code()).as("%s", again).isZero();
            assertThat(checkInvariants(state, runId, runningAtKills).events).isEqualTo(end.events);

            log("done: " + kills + " kills (" + earlyKills + " early), " + cycle + " coordinators, "
                    + end.attempts.stream().filter(a -> a.outcome() == Outcome.LEASE_EXPIRED).count() + " attempts lost to kills, "
                    + end.events + " events, at most " + end.tickets.stream().mapToInt(TicketView::leaseExpiries).max().orElse(0)
                    + " attempts of one ticket lost");
            assertThat(kills).as("kills").isGreaterThanOrEqualTo(20);
        } finally {
            System.out.println(String.join("\n", history));
            // nothing of the state directory is left running: no coordinator, no sandbox
            String marker = state.toString();
            await("processes using " + marker).atMost(Duration.ofSeconds(15)).until(() -> processesMentioning(marker).isEmpty());
        }
    }

    private void log(String line) {
        history.add(line);
    }

    /** 200 shell tickets: independent ones, chains, and fan-ins over both. */
    private Path writeSpec(Random random) throws IOException {
        StringBuilder s = new StringBuilder("name: crash\nconcurrency: 8\ntickets:\n");
        String run = "sleep 0.$((RANDOM%3))$((RANDOM%10)); echo \"$SWARM_TICKET_ID $SWARM_ATTEMPT\" >> \"$SWARM_SCRATCH/ran.log\"";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 80; i++) ticket(s, ids, "i%03d".formatted(i), List.of(), run);
        for (int c = 0; c < 10; c++) {
            for (int j = 0; j < 8; j++) ticket(s, ids, "c%d-%d".formatted(c, j), j == 0 ? List.of() : List.of("c%d-%d".formatted(c, j - 1)), run);
        }
        List<String> early = List.copyOf(ids);
        List<String> fanIns = new ArrayList<>();
        for (int f = 0; f < 30; f++) {
            List<String> needs = new ArrayList<>(early);
            java.util.Collections.shuffle(needs, random);
            String id = "f%02d".formatted(f);
            ticket(s, ids, id, needs.subList(0, 2 + random.nextInt(4)), run);
            fanIns.add(id);
        }
        for (int z = 0; z < 10; z++) {
            List<String> needs = new ArrayList<>(fanIns);
            java.util.Collections.shuffle(needs, random);
            ticket(s, ids, "z%d".formatted(z), needs.subList(0, 4), run);
        }
        assertThat(ids).hasSize(TICKETS);
        return Files.writeString(tmp.resolve("crash.yaml"), s);
    }

    private static void ticket(StringBuilder s, List<String> ids, String id, List<String> needs, String run) {
        s.append("  - id: ").append(id).append('\n');
        if (!needs.isEmpty()) s.append("    needs: [").append(String.join(", ", needs)).append("]\n");
        s.append("    run: '").append(run).append("'\n");
        ids.add(id);
    }

    /** {@code swarm run SPEC} (no run yet) or {@code swarm resume RUN} in a child JVM with this JVM's classpath. */
    private Process start(Path state, Path spec, String runId, int cycle) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), SwarmCli.class.getName()));
        if (runId == null) cmd.addAll(List.of("run", spec.toString()));
        else cmd.addAll(List.of("resume", runId));
        cmd.addAll(List.of("--plain", "--quiet", "--grace", "1", "--state-dir", state.toString()));
        Path out = tmp.resolve("logs").resolve("cycle-" + cycle + ".log");
        Files.createDirectories(out.getParent());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    private String output(int cycle) {
        try {
            return Files.readString(tmp.resolve("logs").resolve("cycle-" + cycle + ".log"));
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static Optional<String> findRun(Path state) {
        if (!Files.exists(state.resolve("swarm.db"))) return Optional.empty();
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            List<RunView> runs = store.runs();
            assertThat(runs).as("runs").hasSizeLessThanOrEqualTo(1);
            return runs.stream().map(RunView::runId).findFirst();
        }
    }

    private static RunView run(Path state, String runId) {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            return store.run(runId).orElseThrow();
        }
    }

    private static int succeededCount(Path state, String runId) {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            return (int) store.tickets(runId).stream().filter(t -> t.state() == TicketState.SUCCEEDED).count();
        }
    }

    /** What the store holds after a cycle, checked. */
    record Check(RunView run, List<TicketView> tickets, List<AttemptView> attempts, long events) {
        @Override
        public String toString() {
            Map<TicketState, Long> byState = new TreeMap<>();
            for (TicketView t : tickets) byState.merge(t.state(), 1L, Long::sum);
            return "run " + run.state().label() + ", " + events + " events, " + attempts.size() + " attempts, tickets " + byState;
        }
    }

    /** The invariants of a run's store after any number of kills; read while no coordinator runs. */
    private Check checkInvariants(Path state, String runId, Map<String, Integer> runningAtKills) throws IOException {
        try (SqlRunStore store = SqlRunStore.openSqlite(state)) {
            List<StoredEvent> events = store.events(runId, 0, Integer.MAX_VALUE);
            RunView run = store.run(runId).orElseThrow();
            List<TicketView> tickets = store.tickets(runId);
            List<AttemptView> attempts = store.attempts(runId);
            assertThat(tickets).hasSize(TICKETS);

            // the event log is gap-free and replays to exactly the projections
            for (int i = 0; i < events.size(); i++) assertThat(events.get(i).seq()).as("seq of event %d", i).isEqualTo(i + 1);
            assertThat(run.lastSeq()).isEqualTo(events.size());
            Projection replayed = Projection.replay(events);
            assertSameRows("tickets", replayed.tickets(), tickets);
            // the store lists attempts by ticket then attempt; the projection in the order they started
            java.util.Comparator<AttemptView> byKey = java.util.Comparator.comparing(AttemptView::ticketId).thenComparingInt(AttemptView::attempt);
            assertSameRows("attempts", replayed.attempts().stream().sorted(byKey).toList(), attempts.stream().sorted(byKey).toList());
            assertThat(replayed.run()).as("replayed run").isEqualTo(run);

            // no ticket succeeded twice; attempts start in order 1, 2, ...
            Map<String, Integer> successes = new HashMap<>();
            Map<String, Integer> lastStarted = new HashMap<>();
            for (StoredEvent e : events) {
                if (e.event() instanceof RunEvent.TicketSucceeded s) successes.merge(s.ticketId(), 1, Integer::sum);
                if (e.event() instanceof RunEvent.AttemptStarted s) {
                    int previous = lastStarted.getOrDefault(s.ticketId(), 0);
                    assertThat(s.attempt()).as("attempt started for %s after %d", s.ticketId(), previous).isEqualTo(previous + 1);
                    lastStarted.put(s.ticketId(), s.attempt());
                }
            }
            assertThat(successes.values()).as("successes per ticket").allMatch(n -> n == 1);

            // attempt numbers per ticket are 1..n without gaps, at most the last one running
            Map<String, List<AttemptView>> byTicket = new HashMap<>();
            for (AttemptView a : attempts) byTicket.computeIfAbsent(a.ticketId(), k -> new ArrayList<>()).add(a);
            for (TicketView t : tickets) {
                List<AttemptView> as = byTicket.getOrDefault(t.ticketId(), List.of());
                assertThat(as.stream().map(AttemptView::attempt).sorted().toList()).as("attempts of %s", t.ticketId())
                        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, t.attempt()).boxed().toList());
                for (AttemptView a : as) {
                    if (a.attempt() < t.attempt()) assertThat(a.isRunning()).as("%s attempt %d still running", t.ticketId(), a.attempt()).isFalse();
                }
            }

            // attempts running when their coordinator was killed never finish as anything but lease-expired
            for (var e : runningAtKills.entrySet()) {
                String ticket = e.getKey().substring(0, e.getKey().indexOf('#'));
                AttemptView a = attempts.stream().filter(x -> x.ticketId().equals(ticket) && x.attempt() == e.getValue()).findFirst().orElseThrow();
                if (!a.isRunning()) assertThat(a.outcome()).as("%s attempt %d after its coordinator was killed", ticket, a.attempt())
                        .isEqualTo(Outcome.LEASE_EXPIRED);
            }

            // every process that ran had its attempt recorded first, and ran once
            Set<String> recorded = new HashSet<>();
            for (AttemptView a : attempts) recorded.add(a.ticketId() + " " + a.attempt());
            Map<String, Integer> ran = ranLog(state, runId);
            assertThat(recorded).as("attempts on record").containsAll(ran.keySet());
            assertThat(ran.values()).as("lines per attempt in ran.log").allMatch(n -> n == 1);
            return new Check(run, tickets, attempts, events.size());
        }
    }

    /** Equal lists; on a difference, names the rows that differ rather than printing all of them. */
    private static <T> void assertSameRows(String what, List<T> replayed, List<T> stored) {
        if (replayed.equals(stored)) return;
        List<String> diff = new ArrayList<>();
        for (int i = 0; i < Math.max(replayed.size(), stored.size()); i++) {
            T r = i < replayed.size() ? replayed.get(i) : null;
            T s = i < stored.size() ? stored.get(i) : null;
            if (!java.util.Objects.equals(r, s)) diff.add("replayed " + r + "\n  stored " + s);
        }
        throw new AssertionError("replayed " + what + " differ from the stored projection (" + replayed.size() + " vs "
                + stored.size() + " rows):\n" + String.join("\n", diff));
    }

    /** Lines in the runs' {@code ran.log} files: one per finished attempt (cheap to poll, unlike the store). */
    private static long ranLines(Path state) throws IOException {
        Path runs = state.resolve("runs");
        if (!Files.isDirectory(runs)) return 0;
        long lines = 0;
        try (var dirs = Files.list(runs)) {
            for (Path run : dirs.toList()) {
                Path file = run.resolve("scratch").resolve("ran.log");
                if (Files.exists(file)) {
                    try (var l = Files.lines(file, StandardCharsets.UTF_8)) {
                        lines += l.count();
                    }
                }
            }
        }
        return lines;
    }

    /** {@code "ticket attempt"} lines of the tickets' own record in the scratch directory, with their counts. */
    private static Map<String, Integer> ranLog(Path state, String runId) throws IOException {
        Path file = state.resolve("runs").resolve(runId).resolve("scratch").resolve("ran.log");
        Map<String, Integer> lines = new HashMap<>();
        if (!Files.exists(file)) return lines;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) lines.merge(line.strip(), 1, Integer::sum);
        }
        return lines;
    }

    /** Live processes whose command line mentions {@code text}. */
    private static List<String> processesMentioning(String text) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) continue;
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmdline.contains(text)) found.add(p.getFileName() + ": " + cmdline);
                } catch (IOException ignored) {
                    // the process ended while we looked
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return found;
    }
}
