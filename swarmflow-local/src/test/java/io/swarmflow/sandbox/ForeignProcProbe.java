package io.swarmflow.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run by {@link ForeignProcTest} in a JVM of its own, in a new PID namespace whose {@code /proc} is still the parent's:
 * runs a best-effort attempt without bubblewrap whose child leaves the group, and prints the warnings and what the
 * attempt's end found.
 */
public final class ForeignProcProbe {
    private ForeignProcProbe() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 1 && args[1].equals("bwrap")) {
            underBubblewrap(Path.of(args[0]));
            return;
        }
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = new Sandbox(Bubblewrap.Status.unavailable("off in this probe"), warnings::add)) {
            SandboxSpec spec = SandboxSpec.builder(Path.of(args[0])).isolation(Isolation.BEST_EFFORT).grace(java.time.Duration.ofMillis(100))
                    .env(Map.of("SWARM_RUN_ID", "r-foreign", "SWARM_TICKET_ID", "t", "SWARM_ATTEMPT", "1")).build();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "setsid sleep 30 </dev/null >/dev/null 2>&1 &"),
                    LineListener.NONE).waitFor();
            System.out.println("escaped=" + r.escaped());
        }
        for (String w : warnings) System.out.println("warning=" + w);
    }

    /**
     * A sandbox that requires bubblewrap: bubblewrap is not usable with a foreign {@code /proc} ({@link
     * Bubblewrap#foreignProc}), so the start is refused with the reason, at once, every time. Prints the probe's verdict,
     * the refusal (or the termination, were it run) and the warnings.
     */
    private static void underBubblewrap(Path workspace) throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Bubblewrap.Status status = Bubblewrap.probe();
        System.out.println("usable=" + status.usable());
        System.out.println("problem=" + status.problem());
        try (Sandbox sandbox = new Sandbox(status, warnings::add)) {
            SandboxSpec spec = SandboxSpec.builder(workspace).isolation(Isolation.REQUIRED)
                    .timeout(java.time.Duration.ofMillis(500)).grace(java.time.Duration.ofSeconds(5)).build();
            SandboxResult r = sandbox.start(spec, List.of("bash", "-c", "sleep 30"), LineListener.NONE).waitFor();
            System.out.println("termination=" + r.termination());
        } catch (SandboxException e) {
            System.out.println("refused=" + e.getMessage());
        }
        for (String w : warnings) System.out.println("warning=" + w);
    }
}
